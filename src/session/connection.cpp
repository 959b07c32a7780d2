// SPDX-License-Identifier: Apache-2.0
// Session protocol machine, one function per incoming SPDU type (X.225 clause 7 and annex A
// state tables, restricted to the kernel and duplex functional units).
#include "mmssec/session/connection.hpp"

#include <algorithm>
#include <utility>

namespace mmssec::session {
namespace {

Bytes to_bytes(ByteView v) { return Bytes(v.begin(), v.end()); }

std::optional<Bytes> optional_bytes(ByteView v) {
  if (v.empty()) return std::nullopt;
  return to_bytes(v);
}

Bytes take(std::optional<Bytes>& b) { return b ? std::move(*b) : Bytes{}; }

/// Highest version in a Version Number bit mask (0 when none).
std::uint8_t highest(std::uint8_t mask) noexcept {
  if ((mask & kVersion2) != 0) return kVersion2;
  if ((mask & kVersion1) != 0) return kVersion1;
  return 0;
}

/// The AB a protocol machine sends on a protocol error: transport released, protocol error.
Bytes protocol_error_abort() {
  Abort ab;
  ab.transport_disconnect = kTdReleased | kTdProtocolError;
  Bytes out;
  (void)encode_spdu(ab, out);  // cannot fail: no variable-size fields
  return out;
}

}  // namespace

const char* state_name(State s) noexcept {
  switch (s) {
    case State::idle: return "idle";
    case State::awaiting_accept: return "awaiting_accept";
    case State::awaiting_connect_response: return "awaiting_connect_response";
    case State::connected: return "connected";
    case State::awaiting_disconnect: return "awaiting_disconnect";
    case State::awaiting_finish_response: return "awaiting_finish_response";
  }
  return "?";
}

void Connection::reset() {
  state_ = State::idle;
  version_ = 0;
  connect_.reset();
}

Output Connection::provider_abort(Error why) {
  Output out;
  out.send.push_back(protocol_error_abort());
  out.events.push_back({Event::Kind::provider_abort, {}, std::nullopt});
  out.error = why;
  out.close_transport = true;
  reset();
  return out;
}

Output Connection::auto_refuse(std::uint8_t reason_code, Error why) {
  Refuse rf;
  rf.transport_disconnect = kTdReleased;
  if (reason_code == reason::kVersionsNotSupported) rf.version_number = config_.accepted_versions;
  rf.reason_code = reason_code;
  Output out;
  Bytes tsdu;
  (void)encode_spdu(rf, tsdu);  // cannot fail: fixed-size fields only
  out.send.push_back(std::move(tsdu));
  out.events.push_back({Event::Kind::connect_refused, {}, reason_code});
  out.error = why;
  out.close_transport = true;
  reset();
  return out;
}

// ------------------------------------------------------------------------------------------
// Transport input
// ------------------------------------------------------------------------------------------

Output Connection::on_tsdu(ByteView tsdu, std::size_t base_offset) {
  auto decoded = decode_tsdu(tsdu, limits_, base_offset);
  if (!decoded) {
    // Validate completely, then act: nothing of a malformed TSDU reaches the user.
    return provider_abort(decoded.error());
  }
  Spdu& spdu = decoded->spdu;
  const Error unexpected(Errc::unexpected_spdu, base_offset);

  // Idle: only a CN (responder) starts something; stray AB/AA are discarded (X.225 STA01).
  if (state_ == State::idle) {
    if (std::holds_alternative<Abort>(spdu) || std::holds_alternative<AbortAccept>(spdu)) return {};
    if (role_ == Role::responder) {
      if (auto* cn = std::get_if<Connect>(&spdu)) return on_connect(std::move(*cn));
    }
    return provider_abort(unexpected);
  }
  // An AB is accepted in every other state.
  if (auto* ab = std::get_if<Abort>(&spdu)) return on_abort(*ab);

  switch (state_) {
    case State::awaiting_accept:
      if (auto* ac = std::get_if<Accept>(&spdu)) return on_accept(*ac);
      if (auto* rf = std::get_if<Refuse>(&spdu)) return on_refuse(*rf);
      break;
    case State::connected:
      if (auto* dt = std::get_if<DataTransfer>(&spdu)) return on_data(std::move(*dt));
      if (std::holds_alternative<GiveTokens>(spdu)) return {};
      if (auto* fn = std::get_if<Finish>(&spdu)) return on_finish(*fn);
      break;
    case State::awaiting_disconnect:
      // Duplex: the peer may still send data until it answers our FN.
      if (auto* dt = std::get_if<DataTransfer>(&spdu)) return on_data(std::move(*dt));
      if (std::holds_alternative<GiveTokens>(spdu)) return {};
      if (auto* dn = std::get_if<Disconnect>(&spdu)) return on_disconnect(*dn);
      break;
    case State::awaiting_connect_response:
    case State::awaiting_finish_response:
    case State::idle: break;
  }
  return provider_abort(unexpected);
}

// CN in idle (responder): negotiate version and functional units, then ask the user.
Output Connection::on_connect(Connect cn) {
  const std::uint8_t common = static_cast<std::uint8_t>(cn.versions() & config_.accepted_versions);
  const std::uint8_t selected = highest(common);
  if (selected == 0) return auto_refuse(reason::kVersionsNotSupported, Error(Errc::version_not_supported));
  // A CN with more than 512 octets (PGI 194) already proposed version 2; it needs it selected.
  if (cn.user_data && cn.user_data->size() > kMaxUserData && selected != kVersion2)
    return auto_refuse(reason::kVersionsNotSupported, Error(Errc::version_not_supported));
  const std::uint16_t requirements = cn.session_user_requirements.value_or(kDefaultSessionUserRequirements);
  if ((requirements & kFuDuplex) == 0)
    return auto_refuse(reason::kSpmImplementationRestriction, Error(Errc::functional_unit_not_supported));
  if (cn.data_overflow && (*cn.data_overflow & 0x01) != 0)
    return auto_refuse(reason::kSpmImplementationRestriction, Error(Errc::unsupported_spdu));

  Output out;
  version_ = selected;
  state_ = State::awaiting_connect_response;
  out.events.push_back({Event::Kind::connect_indication, cn.user_data.value_or(Bytes{}), std::nullopt});
  connect_ = std::move(cn);
  return out;
}

// AC in awaiting_accept (initiator): exactly one version, one we proposed; duplex kept.
Output Connection::on_accept(const Accept& ac) {
  const std::uint8_t v = ac.version();
  if ((v != kVersion1 && v != kVersion2) || (v & config_.proposed_versions) == 0)
    return provider_abort(Error(Errc::version_not_supported));
  if (ac.session_user_requirements && (*ac.session_user_requirements & kFuDuplex) == 0)
    return provider_abort(Error(Errc::functional_unit_not_supported));
  Output out;
  version_ = v;
  state_ = State::connected;
  out.events.push_back({Event::Kind::connect_confirm, ac.user_data.value_or(Bytes{}), std::nullopt});
  return out;
}

Output Connection::on_refuse(const Refuse& rf) {
  Output out;
  out.events.push_back({Event::Kind::connect_refused, rf.user_data.value_or(Bytes{}), rf.reason_code});
  out.close_transport = true;
  reset();
  return out;
}

Output Connection::on_data(DataTransfer dt) {
  Output out;
  out.events.push_back({Event::Kind::data, std::move(dt.user_information), std::nullopt});
  return out;
}

Output Connection::on_finish(const Finish& fn) {
  Output out;
  state_ = State::awaiting_finish_response;
  out.events.push_back({Event::Kind::finish_indication, fn.user_data.value_or(Bytes{}), std::nullopt});
  return out;
}

Output Connection::on_disconnect(const Disconnect& dn) {
  Output out;
  out.events.push_back({Event::Kind::disconnect_confirm, dn.user_data.value_or(Bytes{}), std::nullopt});
  out.close_transport = true;
  reset();
  return out;
}

Output Connection::on_abort(const Abort& ab) {
  Output out;
  if ((ab.transport_disconnect & kTdReleased) == 0) {
    // The peer keeps the transport connection and expects AA (X.225 7.x, optional here).
    Bytes aa;
    (void)encode_spdu(AbortAccept{}, aa);
    out.send.push_back(std::move(aa));
  }
  out.events.push_back({Event::Kind::abort_indication, ab.user_data.value_or(Bytes{}), std::nullopt});
  out.close_transport = true;
  reset();
  return out;
}

// ------------------------------------------------------------------------------------------
// Local requests
// ------------------------------------------------------------------------------------------

Result<Output> Connection::connect(ByteView user_data) {
  if (role_ != Role::initiator || state_ != State::idle) return Error(Errc::invalid_state);
  // CN ::= Connect/Accept Item {protocol options 0, version}, Session User Requirements duplex,
  //        Calling/Called Session Selector, User Data (<= 512) | Extended User Data (> 512)
  Connect cn;
  cn.connect_accept_item =
      ConnectAcceptItem{0, std::nullopt, config_.proposed_versions, std::nullopt, std::nullopt};
  cn.session_user_requirements = kFuDuplex;
  cn.calling_session_selector = config_.calling_selector;
  cn.called_session_selector = config_.called_selector;
  cn.user_data = to_bytes(user_data);
  Output out;
  Bytes tsdu;
  MMSSEC_TRY(encode_spdu(cn, tsdu));
  out.send.push_back(std::move(tsdu));
  connect_ = std::move(cn);
  state_ = State::awaiting_accept;
  return out;
}

Result<Output> Connection::accept(ByteView user_data) {
  if (role_ != Role::responder || state_ != State::awaiting_connect_response)
    return Error(Errc::invalid_state);
  // AC mirrors the CN: Connect/Accept Item {protocol options 0, selected version}, Session User
  // Requirements duplex, Responding Session Selector = the Called Session Selector received.
  Accept ac;
  ac.connect_accept_item = ConnectAcceptItem{0, std::nullopt, version_, std::nullopt, std::nullopt};
  ac.session_user_requirements = kFuDuplex;
  if (connect_ && connect_->called_session_selector)
    ac.responding_session_selector = connect_->called_session_selector;
  ac.user_data = to_bytes(user_data);
  Output out;
  Bytes tsdu;
  MMSSEC_TRY(encode_spdu(ac, tsdu));
  out.send.push_back(std::move(tsdu));
  state_ = State::connected;
  return out;
}

Result<Output> Connection::refuse(std::optional<Bytes> user_data, std::uint8_t reason_code) {
  if (role_ != Role::responder || state_ != State::awaiting_connect_response)
    return Error(Errc::invalid_state);
  Refuse rf;
  rf.transport_disconnect = kTdReleased;
  rf.reason_code = reason_code;
  rf.user_data = std::move(user_data);
  if (rf.user_data && version_ == kVersion1 && rf.user_data->size() > kMaxUserData)
    return Error(Errc::invalid_argument);
  Output out;
  Bytes tsdu;
  MMSSEC_TRY(encode_spdu(rf, tsdu));
  out.send.push_back(std::move(tsdu));
  out.events.push_back({Event::Kind::connect_refused, take(rf.user_data), reason_code});
  out.close_transport = true;
  reset();
  return out;
}

Result<Output> Connection::send_data(ByteView user_information) {
  if (state_ != State::connected && state_ != State::awaiting_finish_response)
    return Error(Errc::invalid_state);
  Output out;
  out.send.push_back(encode_data_tsdu(user_information));
  return out;
}

Status Connection::encode_data_header(Bytes& out) const {
  if (state_ != State::connected && state_ != State::awaiting_finish_response)
    return Error(Errc::invalid_state);
  out.insert(out.end(), kDataTsduHeader.begin(), kDataTsduHeader.end());
  return {};
}

std::optional<ByteView> Connection::data_user_information(ByteView tsdu) const {
  if (state_ != State::connected && state_ != State::awaiting_disconnect) return std::nullopt;
  ByteReader r(tsdu);
  auto header = r.read_bytes(kDataTsduHeader.size());
  if (!header || !std::equal(header->begin(), header->end(), kDataTsduHeader.begin())) return std::nullopt;
  return r.rest();
}

Result<Output> Connection::finish(ByteView user_data) {
  if (state_ != State::connected) return Error(Errc::invalid_state);
  Finish fn;
  fn.user_data = optional_bytes(user_data);
  if (fn.user_data && version_ == kVersion1 && fn.user_data->size() > kMaxUserData)
    return Error(Errc::invalid_argument);
  Output out;
  Bytes tsdu;
  MMSSEC_TRY(encode_spdu(fn, tsdu));
  out.send.push_back(std::move(tsdu));
  state_ = State::awaiting_disconnect;
  return out;
}

Result<Output> Connection::disconnect(ByteView user_data) {
  if (state_ != State::awaiting_finish_response) return Error(Errc::invalid_state);
  Disconnect dn;
  dn.user_data = optional_bytes(user_data);
  if (dn.user_data && version_ == kVersion1 && dn.user_data->size() > kMaxUserData)
    return Error(Errc::invalid_argument);
  Output out;
  Bytes tsdu;
  MMSSEC_TRY(encode_spdu(dn, tsdu));
  out.send.push_back(std::move(tsdu));
  out.close_transport = true;
  reset();
  return out;
}

Result<Output> Connection::abort(std::optional<Bytes> user_data) {
  if (state_ == State::idle) return Error(Errc::invalid_state);
  // AB ::= Transport Disconnect {released, user abort, no reason} (0x0b, as libiec61850 sends),
  //        User Data
  Abort ab;
  ab.transport_disconnect = kTdReleased | kTdUserAbort | kTdNoReason;
  ab.user_data = std::move(user_data);
  Output out;
  Bytes tsdu;
  MMSSEC_TRY(encode_spdu(ab, tsdu));
  out.send.push_back(std::move(tsdu));
  out.close_transport = true;
  reset();
  return out;
}

}  // namespace mmssec::session
