// SPDX-License-Identifier: Apache-2.0
// ISO 8073 / X.224 class 0 connection state machine (sans-I/O).
//
// Class 0 procedures used here (paraphrased):
// - connection establishment: the initiator sends CR, the responder answers CC (or DR to refuse);
//   the TPDU size is negotiated downwards (the CC may select a size up to the proposed one);
// - data transfer: a TSDU is cut into DTs no larger than the negotiated size, the last one
//   carrying EOT; the receiver concatenates until EOT;
// - release is implicit: the transport connection ends with the network connection; a DR is
//   only used to refuse a CR (a DR received later is still honoured as a disconnect);
// - protocol errors: an invalid TPDU is answered with ER (carrying the offending header), an
//   invalid CR with DR, and the network connection is then released.
#include "mmssec/cotp/connection.hpp"

#include <algorithm>
#include <utility>

namespace mmssec::cotp {
namespace {

/// ER: LI (1) + fixed part (4) + parameter code and length (2) + value must fit LI <= 254.
constexpr std::size_t kMaxInvalidTpduEcho = kMaxLengthIndicator - 4 - 2;

std::size_t clamp_tpdu_size(std::size_t configured) {
  return tpdu_size_from_code(tpdu_size_code_for(std::min(configured, kMaxClass0TpduSize)));
}

bool is_length_error(const Error& e) {
  return e.code == Errc::reserved_length_indicator || e.code == Errc::length_indicator_underflow ||
         e.code == Errc::length_indicator_overflow || e.code == Errc::parameter_truncated ||
         e.code == Errc::parameter_length_overflow || e.code == Errc::empty_tpdu;
}

/// ER reject cause for a decode or state error.
std::uint8_t reject_cause_for(const Error& e) {
  if (e.code == Errc::invalid_parameter_code) return cause::kInvalidParameterCode;
  if (e.code == Errc::invalid_tpdu_type) return cause::kInvalidTpduType;
  if (e.code == Errc::invalid_parameter_value || e.code == Errc::duplicate_parameter ||
      e.code == Errc::unsupported_class || e.code == Errc::reference_mismatch ||
      e.code == Errc::tpdu_size_not_negotiable) {
    return cause::kInvalidParameterValue;
  }
  return cause::kNotSpecified;
}

/// DR reason when refusing an invalid CR.
std::uint8_t refusal_reason_for(const Error& e) {
  if (e.code == Errc::unsupported_class) return reason::kNegotiationFailed;
  if (is_length_error(e)) return reason::kHeaderLengthInvalid;
  return reason::kProtocolError;
}

Bytes encoded(const auto& tpdu) {
  Bytes out;
  // The connection only encodes TPDUs it built from valid values; a failure is a bug, and an
  // empty TPDU would be refused by tpkt::encode rather than sent.
  if (!encode(tpdu, out)) out.clear();
  return out;
}

}  // namespace

Connection::Connection(Role role, ConnectionConfig config, const Limits& limits)
    : role_(role),
      config_(std::move(config)),
      max_tpdu_size_(
          clamp_tpdu_size(config_.max_tpdu_size != 0 ? config_.max_tpdu_size : limits.cotp_max_tpdu_size)),
      max_reassembly_(limits.cotp_max_reassembly) {}

Result<Output> Connection::connect() {
  if (role_ != Role::initiator || state_ != State::idle) return Error{Errc::invalid_state, 0};
  Cr cr;
  cr.src_ref = config_.local_ref;
  cr.tpdu_size_code = tpdu_size_code_for(max_tpdu_size_);
  cr.calling_tsap = config_.calling_tsap;
  cr.called_tsap = config_.called_tsap;
  Output out;
  Bytes tpdu;
  // TSAPs too long for the LI are a caller error.
  MMSSEC_TRY(encode(cr, tpdu));
  out.send.push_back(std::move(tpdu));
  state_ = State::wait_cc;
  return out;
}

Output Connection::receive(ByteView tpdu, std::size_t base_offset) {
  if (state_ == State::closed) {
    Output out;
    out.error = Error{Errc::closed, base_offset};
    return out;
  }
  auto decoded = decode_tpdu(tpdu, base_offset);
  if (!decoded) return protocol_error(tpdu, decoded.error());
  const Error unexpected{Errc::unexpected_tpdu, base_offset};
  return std::visit(
      [&](const auto& t) -> Output {
        using T = std::decay_t<decltype(t)>;
        if constexpr (std::is_same_v<T, Dr>) {
          return on_dr(t);
        } else if constexpr (std::is_same_v<T, Er>) {
          return on_er(t);
        } else if constexpr (std::is_same_v<T, Cr>) {
          if (role_ == Role::responder && state_ == State::idle) return on_cr(t);
          return protocol_error(tpdu, unexpected);
        } else if constexpr (std::is_same_v<T, Cc>) {
          if (state_ == State::wait_cc) return on_cc(t, tpdu, base_offset);
          return protocol_error(tpdu, unexpected);
        } else {
          if (state_ == State::open) return on_dt(t, tpdu, base_offset);
          return protocol_error(tpdu, unexpected);
        }
      },
      *decoded);
}

// Responder: CR -> CC. The TPDU size is the smaller of the proposed one (128 when absent) and
// ours; the TSAPs of the CR are returned in the CC, as deployed stacks expect.
Output Connection::on_cr(const Cr& cr) {
  Cc cc;
  cc.dst_ref = cr.src_ref;
  cc.src_ref = config_.local_ref;
  tpdu_size_ = std::min(cr.tpdu_size(), max_tpdu_size_);
  cc.tpdu_size_code = tpdu_size_code_for(tpdu_size_);
  cc.calling_tsap = cr.calling_tsap;
  cc.called_tsap = cr.called_tsap;
  Output out;
  out.send.push_back(encoded(cc));
  remote_ref_ = cr.src_ref;
  state_ = State::open;
  out.events.emplace_back(Connected{cr.calling_tsap, cr.called_tsap, tpdu_size_, cr.src_ref});
  return out;
}

// Initiator: CC must name our reference and may only lower the proposed TPDU size.
Output Connection::on_cc(const Cc& cc, ByteView raw, std::size_t base_offset) {
  if (cc.dst_ref != config_.local_ref) {
    return protocol_error(raw, Error{Errc::reference_mismatch, base_offset + 2});
  }
  if (cc.tpdu_size() > max_tpdu_size_) {
    return protocol_error(raw, Error{Errc::tpdu_size_not_negotiable, base_offset});
  }
  tpdu_size_ = cc.tpdu_size();
  remote_ref_ = cc.src_ref;
  state_ = State::open;
  Output out;
  out.events.emplace_back(Connected{cc.calling_tsap ? cc.calling_tsap : config_.calling_tsap,
                                    cc.called_tsap ? cc.called_tsap : config_.called_tsap, tpdu_size_,
                                    cc.src_ref});
  return out;
}

Output Connection::on_dt(const Dt& dt, ByteView raw, std::size_t base_offset) {
  if (raw.size() > tpdu_size_) return protocol_error(raw, Error{Errc::tpdu_too_large, base_offset});
  // Check before growing the buffer: a peer that never sends EOT cannot make us allocate more
  // than the limit.
  // (reassembly_.size() <= max_reassembly_ always holds, so the subtraction cannot wrap.)
  if (dt.user_data.size() > max_reassembly_ - reassembly_.size()) {
    Output out;
    out.error = Error{Errc::reassembly_limit, base_offset + kDtHeaderSize};
    // Class 0 has no TPDU for this (the DT itself is valid): release the network connection.
    return close(std::move(out), reason::kNotSpecified, false);
  }
  reassembly_.insert(reassembly_.end(), dt.user_data.begin(), dt.user_data.end());
  Output out;
  if (dt.eot) {
    out.events.emplace_back(Data{std::exchange(reassembly_, Bytes{})});
  }
  return out;
}

// A DR refuses our CR (wait_cc) or, from peers that send one, ends an open connection.
Output Connection::on_dr(const Dr& dr) {
  Output out;
  if (state_ == State::wait_cc) out.error = Error{Errc::connection_refused, 0};
  return close(std::move(out), dr.reason, true);
}

// The peer found one of our TPDUs invalid; class 0 cannot recover: release.
Output Connection::on_er(const Er& er) {
  Output out;
  out.error = Error{Errc::peer_rejected, 0};
  return close(std::move(out), reason::kProtocolError, true, er.cause);
}

Output Connection::protocol_error(ByteView raw, Error err) {
  ByteReader r(raw);
  const auto li = r.read_u8();
  const auto code = r.read_u8();
  Output out;
  if (role_ == Role::responder && state_ == State::idle && code && (*code & 0xF0) == codes::kCr) {
    // Refuse an invalid CR with DR; DST-REF is the peer's SRC-REF when it can be read.
    Dr dr;
    if (r.skip(2)) {
      if (auto src = r.read_u16be()) dr.dst_ref = *src;
    }
    dr.reason = refusal_reason_for(err);
    out.send.push_back(encoded(dr));
    out.error = err;
    return close(std::move(out), dr.reason, false);
  }
  Er er;
  er.dst_ref = remote_ref_;
  er.cause = reject_cause_for(err);
  if (!raw.empty()) {
    // The invalid-TPDU parameter holds the header bit pattern: LI and the LI octets (as many of
    // them as were received), cut to what fits into the ER.
    const std::size_t header = li ? std::size_t{1} + *li : raw.size();
    ByteReader whole(raw);
    if (auto bytes = whole.read_bytes(std::min({header, raw.size(), kMaxInvalidTpduEcho}))) {
      er.invalid_tpdu = Bytes(bytes->begin(), bytes->end());
    }
  }
  out.send.push_back(encoded(er));
  out.error = err;
  return close(std::move(out), reason::kProtocolError, false);
}

Output Connection::close(Output out, std::uint8_t reason, bool by_peer, std::optional<std::uint8_t> cause) {
  state_ = State::closed;
  reassembly_.clear();
  reassembly_.shrink_to_fit();
  out.close_network = true;
  out.events.emplace_back(Disconnected{reason, by_peer, cause});
  return out;
}

Result<Output> Connection::send(ByteView tsdu) {
  if (state_ != State::open) return Error{Errc::invalid_state, 0};
  const std::size_t max_data = tpdu_size_ - kDtHeaderSize;
  Output out;
  out.send.reserve(tsdu.empty() ? 1 : (tsdu.size() + max_data - 1) / max_data);
  ByteReader r(tsdu);
  do {
    Dt dt;
    MMSSEC_TRY_ASSIGN(dt.user_data, r.read_bytes(std::min(max_data, r.remaining())));
    dt.eot = r.empty();
    Bytes tpdu;
    tpdu.reserve(kDtHeaderSize + dt.user_data.size());
    MMSSEC_TRY(encode(dt, tpdu));
    out.send.push_back(std::move(tpdu));
  } while (!r.empty());
  return out;
}

Status Connection::encode_single_dt_header(std::size_t tsdu_size, Bytes& out) const {
  if (state_ != State::open) return Error{Errc::invalid_state, 0};
  if (tsdu_size > tpdu_size_ - kDtHeaderSize) return Error{CoreErrc::invalid_argument, 0};
  return encode(Dt{true, 0, {}}, out);
}

std::optional<ByteView> Connection::single_dt_tsdu(ByteView tpdu) const {
  // The same checks receive() and on_dt() make, in the same order; anything else goes there.
  if (state_ != State::open || !reassembly_.empty() || tpdu.size() > tpdu_size_) return std::nullopt;
  auto decoded = decode_tpdu(tpdu);
  if (!decoded) return std::nullopt;
  const Dt* dt = std::get_if<Dt>(&*decoded);
  if (dt == nullptr || !dt->eot || dt->user_data.size() > max_reassembly_) return std::nullopt;
  return dt->user_data;
}

Output Connection::disconnect() {
  if (state_ == State::closed) {
    Output out;
    out.error = Error{Errc::closed, 0};
    return out;
  }
  return close(Output{}, reason::kNormal, false);
}

}  // namespace mmssec::cotp
