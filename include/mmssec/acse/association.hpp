// SPDX-License-Identifier: Apache-2.0
// Sans-I/O ACSE association state machine (X.227 clause 7 / ACPM state table, simplified).
// Inputs: encoded or decoded APDUs from the peer, and local requests. Outputs: encoded APDUs to
// send (in order) and events for the user. Nothing here touches a socket or a timer.
//
// States (X.227 names in brackets):
//   idle              [STA0]  no association
//   awaiting_aare     [STA1]  initiator sent AARQ
//   awaiting_response [STA2]  responder received AARQ, waiting for the local accept/reject decision
//   associated        [STA5]
//   awaiting_rlre     [STA3]  we sent RLRQ
//   awaiting_release_response [STA4]  peer sent RLRQ, waiting for our RLRE
//
// Project choices (documented simplifications of the X.227 state table):
//   * Release collision (RLRQ received in awaiting_rlre): both sides answer the peer's RLRQ with
//     an RLRE (reason normal) at once and keep waiting for the peer's RLRE; the association ends
//     when it arrives. X.227 orders the two RLREs by role; answering at once needs no extra state
//     and terminates on both sides as long as the peer does the same or follows X.227.
//   * An RLRE ends the association whatever its reason (negative release is not supported).
//   * An ABRT received in idle is discarded (X.227 does the same in STA0).
//   * Any malformed APDU, and any valid APDU not allowed in the current state, produces an ABRT
//     (abort-source acse-service-provider, diagnostic protocol-error), a provider_abort event,
//     the typed error, and the idle state — also in idle, because the presentation connection that
//     carried the APDU must be torn down.
//   * An AARQ whose protocol-version lacks version1 is answered with an AARE rejected-permanent,
//     provider diagnostic no-common-acse-version (X.227), not with an ABRT.
#pragma once

#include <functional>
#include <optional>
#include <vector>

#include "mmssec/acse/acse.hpp"
#include "mmssec/core/bytes.hpp"
#include "mmssec/core/limits.hpp"
#include "mmssec/core/result.hpp"

namespace mmssec::acse {

enum class Role : std::uint8_t { initiator, responder };

enum class State : std::uint8_t {
  idle,
  awaiting_aare,
  awaiting_response,
  associated,
  awaiting_rlre,
  awaiting_release_response,
};

const char* state_name(State s) noexcept;

/// What happened, for the user of the association.
struct Event {
  enum class Kind : std::uint8_t {
    associate_indication,  ///< responder: AARQ received (apdu = the AARQ); decide with respond()
    associate_accepted,    ///< initiator: AARE accepted received; responder: our accepting AARE sent
    associate_rejected,    ///< initiator: AARE rejected received; responder: our rejecting AARE sent
    release_indication,    ///< peer sent RLRQ (apdu = the RLRQ); answer with respond_release()
    release_confirm,       ///< peer's RLRE received, association ended
    released,              ///< we answered the peer's RLRQ, association ended
    abort_indication,      ///< peer sent ABRT (apdu = the ABRT)
    provider_abort,        ///< we aborted because of a malformed/unexpected APDU (apdu = our ABRT)
  };
  Kind kind;
  std::optional<Apdu> apdu;
};

/// The result of one input or request.
struct [[nodiscard]] Output {
  std::vector<Bytes> send;     ///< encoded APDUs to hand to the presentation layer, in order
  std::vector<Event> events;   ///< for the user, in order
  std::optional<Error> error;  ///< why a provider abort happened (decode error or unexpected_apdu)
};

/// Responder decision on an AARQ: the AARE to send. result / diagnostic say accept or reject;
/// optional fields (responding titles, authentication value, user-information) are copied as
/// given. An empty application_context_name is filled in from the AARQ.
using AcceptorCallback = std::function<Aare(const Aarq&)>;

/// An AARE accepting `aarq` (same application context, diagnostic acse-service-user null).
Aare make_accept(const Aarq& aarq, std::optional<UserInformation> user_information = std::nullopt);
/// An AARE rejecting `aarq` with the given result and acse-service-user diagnostic.
Aare make_reject(const Aarq& aarq, AssociateResult result, UserDiagnostic diagnostic);

class Association {
 public:
  explicit Association(Role role, const Limits& limits = default_limits()) : role_(role), limits_(limits) {}

  [[nodiscard]] Role role() const noexcept { return role_; }
  [[nodiscard]] State state() const noexcept { return state_; }

  /// Responder only: decide on incoming AARQs synchronously. Without a callback the machine
  /// stops in awaiting_response and the user calls respond().
  void set_acceptor(AcceptorCallback cb) { acceptor_ = std::move(cb); }

  // ---- peer input ----
  /// Decode one APDU (exactly; trailing bytes are an error) and process it. Malformed input gives
  /// an ABRT to send and the decode error.
  Output on_bytes(ByteView apdu, std::size_t base_offset = 0);
  /// Process one decoded APDU.
  Output on_apdu(const Apdu& apdu);

  // ---- local requests: Errc::invalid_state (and no change) when not allowed in this state ----
  /// Initiator, idle: send AARQ, await AARE.
  [[nodiscard]] Result<Output> associate(const Aarq& aarq);
  /// Responder, awaiting_response: send the AARE. accepted → associated, otherwise → idle.
  [[nodiscard]] Result<Output> respond(const Aare& aare);
  /// Associated: send RLRQ, await RLRE.
  [[nodiscard]] Result<Output> release(const Rlrq& rlrq = Rlrq{ReleaseRequestReason::normal, std::nullopt});
  /// awaiting_release_response: send RLRE, association ends.
  [[nodiscard]] Result<Output> respond_release(const Rlre& rlre = Rlre{ReleaseResponseReason::normal,
                                                                       std::nullopt});
  /// Any state but idle: send ABRT (abort-source acse-service-user), association ends.
  [[nodiscard]] Result<Output> abort(const Abrt& abrt = Abrt{AbortSource::service_user, std::nullopt,
                                                             std::nullopt});

  /// The AARQ that opened the current association (responder: received; initiator: sent).
  [[nodiscard]] const std::optional<Aarq>& aarq() const noexcept { return aarq_; }

 private:
  Output on_aarq(const Aarq& a);
  Output on_aare(const Aare& a);
  Output on_rlrq(const Rlrq& a);
  Output on_rlre(const Rlre& a);
  Output on_abrt(const Abrt& a);
  Output provider_abort(Error why);
  Result<Output> send_aare(Aare aare);
  /// Encode and append; an encoding failure (an invalid local value) is returned instead.
  static Status emit(Output& out, const Apdu& apdu);

  Role role_;
  Limits limits_;
  State state_ = State::idle;
  AcceptorCallback acceptor_;
  std::optional<Aarq> aarq_;
};

}  // namespace mmssec::acse
