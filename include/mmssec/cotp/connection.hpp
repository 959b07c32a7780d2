// SPDX-License-Identifier: Apache-2.0
// A sans-I/O ISO 8073 class 0 transport connection over one network (TCP/TPKT) connection.
// Inputs are whole TPDUs (TPKT payloads) and local requests; outputs are TPDUs to send, events
// for the session layer, and whether the network connection must be released. Protocol errors
// come back as the class 0 reaction (ER or DR, then release of the network connection, which in
// class 0 is the release of the transport connection) together with a typed error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

#include "mmssec/core/bytes.hpp"
#include "mmssec/core/limits.hpp"
#include "mmssec/core/result.hpp"
#include "mmssec/cotp/cotp.hpp"

namespace mmssec::cotp {

enum class Role { initiator, responder };
enum class State { idle, wait_cc, open, closed };

struct ConnectionConfig {
  /// Our reference (SRC-REF in CR/CC).
  std::uint16_t local_ref = 0x0001;
  /// Initiator: the TSAPs sent in the CR (absent: parameter not sent).
  std::optional<Bytes> calling_tsap;
  std::optional<Bytes> called_tsap;
  /// Largest TPDU size we propose (initiator) or accept (responder). 0 = use
  /// Limits::cotp_max_tpdu_size. Always clamped to 128..8192 and rounded down to a power of 2.
  std::size_t max_tpdu_size = 0;
};

/// The connection is established (responder: CC already in Output::send).
struct Connected {
  std::optional<Bytes> calling_tsap;
  std::optional<Bytes> called_tsap;
  std::size_t tpdu_size = kDefaultTpduSize;  ///< negotiated, header included
  std::uint16_t remote_ref = 0;
  friend bool operator==(const Connected&, const Connected&) = default;
};

/// A complete TSDU (all DT segments up to the one with EOT).
struct Data {
  Bytes tsdu;
  friend bool operator==(const Data&, const Data&) = default;
};

/// The connection ended. `reason` is the DR reason (from the peer's DR, or the one we sent or
/// would send: reason::kNormal for a local disconnect, kProtocolError after a protocol error).
struct Disconnected {
  std::uint8_t reason = reason::kNotSpecified;
  bool by_peer = false;
  std::optional<std::uint8_t> reject_cause;  ///< set when the peer sent ER
  friend bool operator==(const Disconnected&, const Disconnected&) = default;
};

using Event = std::variant<Connected, Data, Disconnected>;

struct [[nodiscard]] Output {
  std::vector<Bytes> send;     ///< whole TPDUs, each for one TPKT, in order
  std::vector<Event> events;   ///< for the session layer, in order
  bool close_network = false;  ///< release the network connection after sending `send`
  std::optional<Error> error;  ///< the protocol error that caused the reaction, if any
};

class Connection {
 public:
  explicit Connection(Role role, ConnectionConfig config = {}, const Limits& limits = default_limits());

  /// Initiator, idle: emit the CR (proposing our TPDU size and the configured TSAPs).
  [[nodiscard]] Result<Output> connect();

  /// One received TPDU. `base_offset` is the absolute offset of tpdu[0] for error reports.
  [[nodiscard]] Output receive(ByteView tpdu, std::size_t base_offset = 0);

  /// Open: segment a TSDU into DTs of at most the negotiated TPDU size (EOT on the last).
  [[nodiscard]] Result<Output> send(ByteView tsdu);

  /// Data-transfer fast path (no intermediate buffers): open, and a TSDU of `tsdu_size` octets
  /// fits one DT: append that DT's 3-octet header (EOT set) to `out`; the caller appends the
  /// TSDU. The octets equal what send() produces for such a TSDU. Errc::invalid_state when not
  /// open, CoreErrc::invalid_argument when the TSDU needs segmenting (use send()); `out` is then
  /// unchanged.
  [[nodiscard]] Status encode_single_dt_header(std::size_t tsdu_size, Bytes& out) const;

  /// Data-transfer fast path: when `tpdu` is a valid DT with EOT that receive() would deliver as
  /// one complete TSDU without holding anything (open, nothing pending in reassembly, within
  /// the TPDU size and the reassembly limit), the TSDU as a view into `tpdu`; otherwise nullopt
  /// and the caller passes `tpdu` to receive(). Changes no state either way.
  [[nodiscard]] std::optional<ByteView> single_dt_tsdu(ByteView tpdu) const;

  /// Local release. Class 0 has no release TPDU once connected: the network connection is
  /// released; before the CC a responder has nothing to refuse yet, so the same applies.
  [[nodiscard]] Output disconnect();

  [[nodiscard]] Role role() const noexcept { return role_; }
  [[nodiscard]] State state() const noexcept { return state_; }
  /// Negotiated TPDU size (valid when open).
  [[nodiscard]] std::size_t tpdu_size() const noexcept { return tpdu_size_; }
  /// Our maximum (after clamping the configured value).
  [[nodiscard]] std::size_t max_tpdu_size() const noexcept { return max_tpdu_size_; }
  [[nodiscard]] std::uint16_t remote_ref() const noexcept { return remote_ref_; }
  /// Octets of an unfinished TSDU held for reassembly.
  [[nodiscard]] std::size_t reassembly_pending() const noexcept { return reassembly_.size(); }

 private:
  Output on_cr(const Cr& cr);
  Output on_cc(const Cc& cc, ByteView raw, std::size_t base_offset);
  Output on_dt(const Dt& dt, ByteView raw, std::size_t base_offset);
  Output on_dr(const Dr& dr);
  Output on_er(const Er& er);
  /// The class 0 reaction to an invalid or unexpected TPDU.
  Output protocol_error(ByteView raw, Error err);
  Output close(Output out, std::uint8_t reason, bool by_peer, std::optional<std::uint8_t> cause = {});

  Role role_;
  ConnectionConfig config_;
  std::size_t max_tpdu_size_;
  std::size_t max_reassembly_;
  State state_ = State::idle;
  std::size_t tpdu_size_ = kDefaultTpduSize;
  std::uint16_t remote_ref_ = 0;
  Bytes reassembly_;
};

}  // namespace mmssec::cotp
