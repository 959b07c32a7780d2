// SPDX-License-Identifier: Apache-2.0
// Sans-I/O session protocol machine (X.225 clause 7 state tables, kernel + duplex functional
// units only). Inputs: TSDUs from the transport layer and local requests. Outputs: TSDUs to
// send (in order), events for the presentation layer, and whether the transport connection is
// to be released. Nothing here touches a socket or a timer.
//
// States (X.225 names in brackets):
//   idle                        [STA01]  no session connection
//   awaiting_accept             [STA02A] initiator sent CN
//   awaiting_connect_response   [STA08]  responder received CN; the user decides accept/refuse
//   connected                   [STA713] data transfer
//   awaiting_disconnect         [STA03]  we sent FN, waiting for DN (peer data still delivered)
//   awaiting_finish_response    [STA09]  peer sent FN; the user answers with disconnect()
//
// Version negotiation (X.225 7.1 and PROFILE.md §3): the initiator proposes
// Config::proposed_versions (default version 2 only, as IEC 61850 stacks do); Extended User Data (PGI 194) is
// used for user data above 512 octets and needs version 2. The responder selects the highest common version,
// so version-1-only peers are accepted whenever their user data fits (a v1 CN cannot carry more than 512
// octets). No common version: RF reason 128+4.
//
// Project choices (documented simplifications of the X.225 tables):
//   * Only the duplex functional unit is offered. A CN whose Session User Requirements (or the
//     X.225 default when absent) lacks duplex is refused with reason 128+6; a CN announcing Data
//     Overflow (PI 60) likewise. An AC whose requirements lack duplex is a protocol error.
//   * Every transport connection carries one session connection: after RF, DN and AB the output
//     says close_transport, and the machine is idle again.
//   * An AB received asking to keep the transport connection is answered with AA (optional in
//     X.225); the transport is released anyway.
//   * A lone GT (no data) is accepted and ignored: there are no tokens in duplex mode.
//   * FINISH collision (FN received in awaiting_disconnect) is not resolvable without the
//     release token, so it is a protocol error like any other unexpected SPDU.
//   * Any malformed TSDU, and any valid SPDU not allowed in the current state, produces an AB
//     (transport released, protocol error), a provider_abort event, the typed error, and the
//     idle state — also in idle, because the transport connection must then be torn down. An
//     AB or AA received in idle is discarded.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "mmssec/core/bytes.hpp"
#include "mmssec/core/limits.hpp"
#include "mmssec/core/result.hpp"
#include "mmssec/session/session.hpp"

namespace mmssec::session {

enum class Role : std::uint8_t { initiator, responder };

enum class State : std::uint8_t {
  idle,
  awaiting_accept,
  awaiting_connect_response,
  connected,
  awaiting_disconnect,
  awaiting_finish_response,
};

[[nodiscard]] const char* state_name(State s) noexcept;

/// What happened, for the presentation layer.
struct Event {
  enum class Kind : std::uint8_t {
    connect_indication,  ///< responder: CN received (user_data); answer with accept() or refuse()
    connect_confirm,     ///< initiator: AC received (user_data)
    connect_refused,     ///< initiator: RF received (user_data, reason); responder: we refused
    data,                ///< DT received (user_data = user information)
    finish_indication,   ///< peer sent FN (user_data); answer with disconnect()
    disconnect_confirm,  ///< initiator of release: DN received (user_data), connection ended
    abort_indication,    ///< peer sent AB (user_data)
    provider_abort,      ///< we sent AB because of a malformed or unexpected SPDU
  };
  Kind kind;
  Bytes user_data;
  std::optional<std::uint8_t> reason;  ///< RF reason code (connect_refused)
};

/// The result of one input or request.
struct [[nodiscard]] Output {
  std::vector<Bytes> send;       ///< TSDUs for the transport layer, in order
  std::vector<Event> events;     ///< for the user, in order
  std::optional<Error> error;    ///< why a provider abort or automatic refusal happened
  bool close_transport = false;  ///< release the transport connection after sending `send`
};

struct Config {
  /// Initiator: versions proposed in the CN (Version Number bit mask). Version 2 only, as
  /// libiec61850 and other IEC 61850 stacks send; kVersion1 | kVersion2 also lets a
  /// version-1-only responder select version 1 (user data up to 512 octets).
  std::uint8_t proposed_versions = kVersion2;
  /// Responder: versions we accept; the highest common one is selected.
  std::uint8_t accepted_versions = kVersion1 | kVersion2;
  /// Initiator: Calling / Called Session Selector (PI 51 / 52). libiec61850 default `00 01`.
  std::optional<Bytes> calling_selector = Bytes{0x00, 0x01};
  std::optional<Bytes> called_selector = Bytes{0x00, 0x01};
};

class Connection {
 public:
  explicit Connection(Role role, Config config = {}, const Limits& limits = default_limits())
      : role_(role), config_(std::move(config)), limits_(limits) {}

  [[nodiscard]] Role role() const noexcept { return role_; }
  [[nodiscard]] State state() const noexcept { return state_; }
  /// Negotiated version (kVersion1 or kVersion2) once the connection is established.
  [[nodiscard]] std::uint8_t version() const noexcept { return version_; }
  /// The CN received (responder) or sent (initiator) for the current connection.
  [[nodiscard]] const std::optional<Connect>& connect_spdu() const noexcept { return connect_; }

  // ---- transport input ----
  /// Decode one TSDU and process it.
  Output on_tsdu(ByteView tsdu, std::size_t base_offset = 0);

  // ---- local requests: Errc::invalid_state (no change) when not allowed in this state;
  //      Errc::invalid_argument (no change) when the user data cannot be carried ----
  /// Initiator, idle: send CN.
  [[nodiscard]] Result<Output> connect(ByteView user_data);
  /// Responder, awaiting_connect_response: send AC, connected.
  [[nodiscard]] Result<Output> accept(ByteView user_data);
  /// Responder, awaiting_connect_response: send RF (reason 2 with user data, else the given
  /// reason), idle, transport released.
  [[nodiscard]] Result<Output> refuse(std::optional<Bytes> user_data,
                                      std::uint8_t reason_code = reason::kUserWithData);
  /// connected or awaiting_finish_response: send GT+DT.
  [[nodiscard]] Result<Output> send_data(ByteView user_information);
  /// Data-transfer fast path (no intermediate buffers): connected or awaiting_finish_response:
  /// append the GT+DT header of a data TSDU to `out`; the caller appends the user information.
  /// The octets equal what send_data() produces. Errc::invalid_state (nothing appended) otherwise.
  [[nodiscard]] Status encode_data_header(Bytes& out) const;
  /// Data-transfer fast path: when on_tsdu() would deliver `tsdu` as a plain data event (a
  /// parameterless GT followed by a parameterless DT, in a state that takes data), the user
  /// information as a view into `tsdu`; otherwise nullopt and the caller passes `tsdu` to
  /// on_tsdu(). Changes no state either way.
  [[nodiscard]] std::optional<ByteView> data_user_information(ByteView tsdu) const;

  /// connected: send FN, await DN.
  [[nodiscard]] Result<Output> finish(ByteView user_data);
  /// awaiting_finish_response: send DN, idle, transport released.
  [[nodiscard]] Result<Output> disconnect(ByteView user_data);
  /// Any state but idle: send AB (user abort), idle, transport released.
  [[nodiscard]] Result<Output> abort(std::optional<Bytes> user_data = std::nullopt);

 private:
  Output on_connect(Connect cn);
  Output on_accept(const Accept& ac);
  Output on_refuse(const Refuse& rf);
  Output on_finish(const Finish& fn);
  Output on_disconnect(const Disconnect& dn);
  Output on_abort(const Abort& ab);
  Output on_data(DataTransfer dt);
  Output provider_abort(Error why);
  Output auto_refuse(std::uint8_t reason_code, Error why);
  void reset();

  Role role_;
  Config config_;
  Limits limits_;
  State state_ = State::idle;
  std::uint8_t version_ = 0;
  std::optional<Connect> connect_;
};

}  // namespace mmssec::session
