// SPDX-License-Identifier: Apache-2.0
// ACSE association state machine (X.227 ACPM, simplified as documented in association.hpp).
#include "mmssec/acse/association.hpp"

#include <utility>

namespace mmssec::acse {

const char* state_name(State s) noexcept {
  switch (s) {
    case State::idle: return "idle";
    case State::awaiting_aare: return "awaiting-AARE";
    case State::awaiting_response: return "awaiting-response";
    case State::associated: return "associated";
    case State::awaiting_rlre: return "awaiting-RLRE";
    case State::awaiting_release_response: return "awaiting-release-response";
  }
  return "?";
}

Aare make_accept(const Aarq& aarq, std::optional<UserInformation> user_information) {
  Aare a;
  a.application_context_name = aarq.application_context_name;
  a.result = AssociateResult::accepted;
  a.diagnostic = UserDiagnostic::null;
  a.user_information = std::move(user_information);
  return a;
}

Aare make_reject(const Aarq& aarq, AssociateResult result, UserDiagnostic diagnostic) {
  Aare a;
  a.application_context_name = aarq.application_context_name;
  a.result = result;
  a.diagnostic = diagnostic;
  return a;
}

Status Association::emit(Output& out, const Apdu& apdu) {
  Bytes b;
  MMSSEC_TRY(encode_apdu(apdu, b));
  out.send.push_back(std::move(b));
  return {};
}

Output Association::provider_abort(Error why) {
  // X.227: the ACPM that detects a protocol error issues an ABRT with abort-source
  // acse-service-provider and moves to STA0.
  Output out;
  const Abrt abrt{AbortSource::service_provider, AbortDiagnostic::protocol_error, std::nullopt};
  (void)emit(out, abrt);  // a fixed, always encodable APDU
  out.events.push_back({Event::Kind::provider_abort, Apdu{abrt}});
  out.error = std::move(why);
  state_ = State::idle;
  aarq_.reset();
  return out;
}

Output Association::on_bytes(ByteView apdu, std::size_t base_offset) {
  auto decoded = decode_apdu(apdu, limits_, base_offset);
  if (!decoded) return provider_abort(decoded.error());
  return on_apdu(*decoded);
}

Output Association::on_apdu(const Apdu& apdu) {
  struct Dispatch {
    Association& self;
    Output operator()(const Aarq& a) const { return self.on_aarq(a); }
    Output operator()(const Aare& a) const { return self.on_aare(a); }
    Output operator()(const Rlrq& a) const { return self.on_rlrq(a); }
    Output operator()(const Rlre& a) const { return self.on_rlre(a); }
    Output operator()(const Abrt& a) const { return self.on_abrt(a); }
  };
  return std::visit(Dispatch{*this}, apdu);
}

// AARQ: only a responder in idle accepts one (A-ASSOCIATE indication).
Output Association::on_aarq(const Aarq& a) {
  if (role_ != Role::responder || state_ != State::idle) return provider_abort(Errc::unexpected_apdu);
  aarq_ = a;
  state_ = State::awaiting_response;
  Output out;
  out.events.push_back({Event::Kind::associate_indication, Apdu{a}});
  // X.227: an AARQ whose protocol-version has no version in common is rejected by the provider.
  if (a.protocol_version && !a.protocol_version->bit(0)) {
    Aare reject = make_reject(a, AssociateResult::rejected_permanent, UserDiagnostic::null);
    reject.diagnostic = ProviderDiagnostic::no_common_acse_version;
    reject.protocol_version = protocol_version1();
    auto sent = send_aare(std::move(reject));
    if (!sent) return provider_abort(sent.error());
    out.send = std::move(sent->send);
    out.events.insert(out.events.end(), sent->events.begin(), sent->events.end());
    return out;
  }
  if (!acceptor_) return out;
  auto sent = send_aare(acceptor_(a));
  if (!sent) return provider_abort(sent.error());  // the callback produced an unencodable AARE
  out.send = std::move(sent->send);
  out.events.insert(out.events.end(), sent->events.begin(), sent->events.end());
  return out;
}

// AARE: only an initiator awaiting it (A-ASSOCIATE confirm).
Output Association::on_aare(const Aare& a) {
  if (role_ != Role::initiator || state_ != State::awaiting_aare)
    return provider_abort(Errc::unexpected_apdu);
  if (a.protocol_version && !a.protocol_version->bit(0)) return provider_abort(Errc::unsupported_version);
  Output out;
  if (a.result == AssociateResult::accepted) {
    state_ = State::associated;
    out.events.push_back({Event::Kind::associate_accepted, Apdu{a}});
  } else {
    state_ = State::idle;
    aarq_.reset();
    out.events.push_back({Event::Kind::associate_rejected, Apdu{a}});
  }
  return out;
}

// RLRQ: A-RELEASE indication when associated; release collision when we are awaiting RLRE.
Output Association::on_rlrq(const Rlrq& a) {
  Output out;
  if (state_ == State::associated) {
    state_ = State::awaiting_release_response;
    out.events.push_back({Event::Kind::release_indication, Apdu{a}});
    return out;
  }
  if (state_ == State::awaiting_rlre) {
    // Collision (project choice, see header): answer at once, keep waiting for the peer's RLRE.
    (void)emit(out, Rlre{ReleaseResponseReason::normal, std::nullopt});
    out.events.push_back({Event::Kind::release_indication, Apdu{a}});
    return out;
  }
  return provider_abort(Errc::unexpected_apdu);
}

// RLRE: A-RELEASE confirm.
Output Association::on_rlre(const Rlre& a) {
  if (state_ != State::awaiting_rlre) return provider_abort(Errc::unexpected_apdu);
  state_ = State::idle;
  aarq_.reset();
  Output out;
  out.events.push_back({Event::Kind::release_confirm, Apdu{a}});
  return out;
}

// ABRT: A-ABORT indication in every state but idle, where it is discarded.
Output Association::on_abrt(const Abrt& a) {
  Output out;
  if (state_ == State::idle) return out;
  state_ = State::idle;
  aarq_.reset();
  out.events.push_back({Event::Kind::abort_indication, Apdu{a}});
  return out;
}

Result<Output> Association::associate(const Aarq& aarq) {
  if (role_ != Role::initiator || state_ != State::idle) return Error{Errc::invalid_state};
  Output out;
  MMSSEC_TRY(emit(out, aarq));
  aarq_ = aarq;
  state_ = State::awaiting_aare;
  return out;
}

Result<Output> Association::send_aare(Aare aare) {
  if (aare.application_context_name.empty() && aarq_)
    aare.application_context_name = aarq_->application_context_name;
  Output out;
  MMSSEC_TRY(emit(out, aare));
  const bool accepted = aare.result == AssociateResult::accepted;
  out.events.push_back(
      {accepted ? Event::Kind::associate_accepted : Event::Kind::associate_rejected, Apdu{std::move(aare)}});
  state_ = accepted ? State::associated : State::idle;
  if (!accepted) aarq_.reset();
  return out;
}

Result<Output> Association::respond(const Aare& aare) {
  if (state_ != State::awaiting_response) return Error{Errc::invalid_state};
  return send_aare(aare);
}

Result<Output> Association::release(const Rlrq& rlrq) {
  if (state_ != State::associated) return Error{Errc::invalid_state};
  Output out;
  MMSSEC_TRY(emit(out, rlrq));
  state_ = State::awaiting_rlre;
  return out;
}

Result<Output> Association::respond_release(const Rlre& rlre) {
  if (state_ != State::awaiting_release_response) return Error{Errc::invalid_state};
  Output out;
  MMSSEC_TRY(emit(out, rlre));
  out.events.push_back({Event::Kind::released, Apdu{rlre}});
  state_ = State::idle;
  aarq_.reset();
  return out;
}

Result<Output> Association::abort(const Abrt& abrt) {
  if (state_ == State::idle) return Error{Errc::invalid_state};
  Abrt user = abrt;
  user.source = AbortSource::service_user;  // a local abort request is always the service user's
  Output out;
  MMSSEC_TRY(emit(out, user));
  state_ = State::idle;
  aarq_.reset();
  return out;
}

}  // namespace mmssec::acse
