// SPDX-License-Identifier: Apache-2.0
// Context negotiation and the sans-I/O presentation connection (ISO 8823-1 kernel, normal mode).
// Clause references paraphrase ISO 8823-1 / X.226: 6.2 connection establishment, 6.3 release
// (carried by the session release), 6.4 abort, 6.5 data transfer, 7.x the exception reactions.
#include "mmssec/presentation/connection.hpp"

#include <algorithm>
#include <utility>

namespace mmssec::presentation {

// ------------------------------------------------------------------------------------------
// Negotiation
// ------------------------------------------------------------------------------------------

SyntaxTable::SyntaxTable() : syntaxes_{oids::acse_abstract_syntax(), oids::mms_abstract_syntax()} {}

void SyntaxTable::add(ber::Oid abstract_syntax) {
  if (!supports(abstract_syntax)) syntaxes_.push_back(std::move(abstract_syntax));
}

bool SyntaxTable::supports(const ber::Oid& abstract_syntax) const {
  return std::find(syntaxes_.begin(), syntaxes_.end(), abstract_syntax) != syntaxes_.end();
}

namespace {

/// Checks the identifiers (odd, in range, unique) and decides each context on its own.
Result<Negotiation> negotiate_each(std::span<const ContextDefinition> proposed,
                                   const SyntaxTable& supported) {
  Negotiation n;
  n.results.reserve(proposed.size());
  for (std::size_t i = 0; i < proposed.size(); ++i) {
    const ContextDefinition& def = proposed[i];
    // 6.2.2: the initiator allocates odd identifiers, the responder even ones.
    if (def.id == 0 || def.id > kMaxContextId || def.id % 2 == 0) return Errc::bad_context_id;
    for (std::size_t j = 0; j < i; ++j) {
      if (proposed[j].id == def.id) return Errc::duplicate_context_id;
    }
    ContextResult r;
    const auto& ts = def.transfer_syntaxes;
    if (!supported.supports(def.abstract_syntax)) {
      r.outcome = ContextOutcome::provider_rejection;
      r.provider_reason = ContextRejectReason::abstract_syntax_not_supported;
    } else if (std::find(ts.begin(), ts.end(), oids::ber_transfer_syntax()) == ts.end()) {
      r.outcome = ContextOutcome::provider_rejection;
      r.provider_reason = ContextRejectReason::proposed_transfer_syntaxes_not_supported;
    } else {
      r.outcome = ContextOutcome::acceptance;
      r.transfer_syntax = oids::ber_transfer_syntax();
      n.accepted.push_back({def.id, def.abstract_syntax, oids::ber_transfer_syntax()});
    }
    n.results.push_back(std::move(r));
  }
  return n;
}

bool has_acse(const Negotiation& n) {
  return std::any_of(n.accepted.begin(), n.accepted.end(), [](const NegotiatedContext& c) {
    return c.abstract_syntax == oids::acse_abstract_syntax();
  });
}

std::optional<UserData> wrap(std::vector<Pdv> pdvs) {
  if (pdvs.empty()) return std::nullopt;
  return UserData::fully(std::move(pdvs));
}

std::vector<Pdv> pdvs_of(std::optional<UserData>& ud) {
  if (!ud) return {};
  return std::move(ud->pdvs);
}

bool version1_offered(const std::optional<BitField>& v) { return !v || v->bit(kVersion1Bit); }

bool is_limit(const Error& e) {
  return e.code == Errc::too_many_contexts || e.code == Errc::too_many_transfer_syntaxes ||
         e.code == Errc::too_many_pdvs || e.code == ber::Errc::depth_exceeded ||
         e.code == ber::Errc::too_many_elements || e.code == CoreErrc::limit_exceeded;
}

}  // namespace

Result<Negotiation> negotiate(std::span<const ContextDefinition> proposed, const SyntaxTable& supported) {
  MMSSEC_TRY_ASSIGN(Negotiation n, negotiate_each(proposed, supported));
  if (!has_acse(n)) return Errc::acse_not_acceptable;
  return n;
}

std::vector<ContextDefinition> default_contexts() {
  return {{1, oids::acse_abstract_syntax(), {oids::ber_transfer_syntax()}},
          {3, oids::mms_abstract_syntax(), {oids::ber_transfer_syntax()}}};
}

AbortReason abort_reason_for(const Error& error) noexcept {
  if (error.code.category() == presentation_category()) {
    switch (static_cast<Errc>(error.code.value())) {
      case Errc::unknown_ppdu: return AbortReason::unrecognized_ppdu;
      case Errc::unexpected_parameter: return AbortReason::unrecognized_ppdu_parameter;
      case Errc::unsupported_mode:
      case Errc::simply_encoded_data: return AbortReason::unexpected_ppdu_parameter;
      case Errc::unexpected_ppdu:
      case Errc::invalid_state: return AbortReason::unexpected_ppdu;
      default: return AbortReason::invalid_ppdu_parameter_value;
    }
  }
  if (error.code == CoreErrc::trailing_data) return AbortReason::unrecognized_ppdu_parameter;
  return AbortReason::invalid_ppdu_parameter_value;
}

// ------------------------------------------------------------------------------------------
// Connection
// ------------------------------------------------------------------------------------------

Connection Connection::initiator(ConnectionConfig config) {
  return Connection(Role::initiator, std::move(config));
}
Connection Connection::responder(ConnectionConfig config) {
  return Connection(Role::responder, std::move(config));
}

const ber::Oid* Connection::abstract_syntax(ContextId id) const {
  for (const auto& c : contexts_) {
    if (c.id == id) return &c.abstract_syntax;
  }
  return nullptr;
}

std::optional<ContextId> Connection::context_for(const ber::Oid& abstract_syntax) const {
  for (const auto& c : contexts_) {
    if (c.abstract_syntax == abstract_syntax) return c.id;
  }
  return std::nullopt;
}

/// Every PDV names a context of the defined context set, with its negotiated transfer syntax
/// when it names one (6.5: data is only sent in a defined context).
bool Connection::is_defined(ContextId id) const noexcept {
  return std::any_of(contexts_.begin(), contexts_.end(),
                     [&](const NegotiatedContext& c) { return c.id == id; });
}

Status Connection::check_pdvs(const std::vector<Pdv>& pdvs) const {
  if (pdvs.size() > config_.limits.presentation_max_pdvs) return Error{Errc::too_many_pdvs, 0};
  for (const Pdv& pdv : pdvs) {
    const auto it = std::find_if(contexts_.begin(), contexts_.end(),
                                 [&](const NegotiatedContext& c) { return c.id == pdv.context_id; });
    if (it == contexts_.end()) return Error{Errc::unknown_context_id, pdv.data_offset};
    if (pdv.transfer_syntax && *pdv.transfer_syntax != it->transfer_syntax)
      return Error{Errc::bad_parameter_value, pdv.data_offset};
  }
  return {};
}

// ---- local requests ----

Result<Outgoing> Connection::connect(const ConnectRequest& request) {
  if (role_ != Role::initiator || state_ != State::idle) return Errc::invalid_state;
  if (request.contexts.size() > config_.limits.presentation_max_contexts) return Errc::too_many_contexts;
  for (const auto& def : request.contexts) {
    if (def.transfer_syntaxes.size() > config_.limits.presentation_max_transfer_syntaxes)
      return Errc::too_many_transfer_syntaxes;
    if (def.transfer_syntaxes.empty()) return Errc::missing_parameter;
  }
  // The same identifier rules the responder applies (odd, unique), without the support check.
  MMSSEC_TRY(negotiate_each(request.contexts, SyntaxTable::empty()));
  // User data of the CP may use any proposed context.
  if (request.user_data.size() > config_.limits.presentation_max_pdvs) return Errc::too_many_pdvs;
  for (const Pdv& pdv : request.user_data) {
    const bool known = std::any_of(request.contexts.begin(), request.contexts.end(),
                                   [&](const ContextDefinition& d) { return d.id == pdv.context_id; });
    if (!known) return Errc::unknown_context_id;
  }
  ConnectPpdu cp;
  cp.calling_selector = request.calling_selector;
  cp.called_selector = request.called_selector;
  cp.contexts = request.contexts;
  cp.user_data = wrap(request.user_data);
  proposed_ = request.contexts;
  state_ = State::awaiting_cpa;
  return Outgoing{SessionService::connect, encode(cp)};
}

Result<Outgoing> Connection::accept(std::vector<Pdv> user_data) {
  if (role_ != Role::responder || state_ != State::awaiting_response) return Errc::invalid_state;
  MMSSEC_TRY(check_pdvs(user_data));
  AcceptPpdu cpa;
  cpa.responding_selector = config_.local_selector;
  cpa.results = negotiation_.results;
  cpa.user_data = wrap(std::move(user_data));
  state_ = State::open;
  return Outgoing{SessionService::accept, encode(cpa)};
}

Result<Outgoing> Connection::refuse(std::vector<Pdv> user_data) {
  if (role_ != Role::responder || state_ != State::awaiting_response) return Errc::invalid_state;
  MMSSEC_TRY(check_pdvs(user_data));
  RefusePpdu cpr;
  cpr.responding_selector = config_.local_selector;
  cpr.results = negotiation_.results;
  cpr.user_data = wrap(std::move(user_data));
  state_ = State::closed;
  return Outgoing{SessionService::refuse, encode(cpr)};
}

Result<Outgoing> Connection::send_data(std::vector<Pdv> user_data) {
  if (state_ != State::open) return Errc::invalid_state;
  if (user_data.empty()) return CoreErrc::invalid_argument;  // fully-encoded-data: at least one PDV
  MMSSEC_TRY(check_pdvs(user_data));
  return Outgoing{SessionService::data, encode(UserData::fully(std::move(user_data)))};
}

Status Connection::encode_data(ContextId context, ByteView element, Bytes& out) const {
  if (state_ != State::open) return Errc::invalid_state;
  if (config_.limits.presentation_max_pdvs < 1) return Error{Errc::too_many_pdvs, 0};
  if (!is_defined(context)) return Error{Errc::unknown_context_id, 0};
  encode_single_pdv(context, element, out);
  return {};
}

std::optional<PdvView> Connection::data_view(ByteView user_data, std::size_t base_offset) const {
  if (state_ != State::open) return std::nullopt;
  auto pdv = decode_single_pdv(user_data, config_.limits, base_offset);
  if (!pdv || !is_defined(pdv->context_id)) return std::nullopt;
  return pdv;
}

Result<Outgoing> Connection::release(std::vector<Pdv> user_data) {
  if (state_ != State::open) return Errc::invalid_state;
  if (user_data.empty()) return CoreErrc::invalid_argument;
  MMSSEC_TRY(check_pdvs(user_data));
  return Outgoing{SessionService::release, encode(UserData::fully(std::move(user_data)))};
}

Result<Outgoing> Connection::release_response(std::vector<Pdv> user_data) {
  if (state_ != State::open) return Errc::invalid_state;
  if (user_data.empty()) return CoreErrc::invalid_argument;
  MMSSEC_TRY(check_pdvs(user_data));
  state_ = State::closed;
  return Outgoing{SessionService::release_result, encode(UserData::fully(std::move(user_data)))};
}

Result<Outgoing> Connection::abort(std::vector<Pdv> user_data) {
  if (state_ == State::closed) return Errc::invalid_state;
  if (user_data.size() > config_.limits.presentation_max_pdvs) return Errc::too_many_pdvs;
  UserAbortPpdu aru;
  aru.user_data = wrap(std::move(user_data));
  state_ = State::closed;
  return Outgoing{SessionService::abort, encode(aru)};
}

// ---- reactions ----

Output Connection::provider_abort(AbortReason reason, std::optional<EventIdentifier> event,
                                  const Error& cause) {
  // 7.x: a protocol error in an established (or establishing) connection is answered with an
  // ARP-PPDU on S-U-ABORT, and the user receives a P-P-ABORT indication.
  Output out;
  ProviderAbortPpdu arp{reason, event};
  out.send.push_back({SessionService::abort, encode(arp)});
  AbortIndication ind;
  ind.provider = true;
  ind.reason = reason;
  ind.event = event;
  ind.local_cause = cause;
  out.events.emplace_back(std::move(ind));
  state_ = State::closed;
  return out;
}

Output Connection::provider_refuse(ProviderReason reason, std::vector<ContextResult> results,
                                   const Error& cause) {
  // 6.2.4: a CP the provider cannot accept is refused with a CPR-PPDU naming the reason; the
  // user never sees a P-CONNECT indication (it gets the local cause for logging).
  Output out;
  RefusePpdu cpr;
  cpr.responding_selector = config_.local_selector;
  cpr.results = std::move(results);
  cpr.provider_reason = reason;
  out.send.push_back({SessionService::refuse, encode(cpr)});
  AbortIndication ind;
  ind.provider = true;
  ind.event = EventIdentifier::cp_ppdu;
  ind.local_cause = cause;
  out.events.emplace_back(std::move(ind));
  state_ = State::closed;
  return out;
}

Output Connection::on_session(SessionService service, ByteView user_data, std::size_t base_offset) {
  if (state_ == State::closed) return {};  // nothing is left to react to
  if (service == SessionService::abort) return on_abort(user_data, base_offset);
  switch (state_) {
    case State::idle:
      if (role_ == Role::responder && service == SessionService::connect)
        return on_connect(user_data, base_offset);
      break;
    case State::awaiting_cpa:
      if (service == SessionService::accept) return on_accept(user_data, base_offset);
      if (service == SessionService::refuse) return on_refuse(user_data, base_offset);
      break;
    case State::awaiting_response: break;
    case State::open:
      if (service == SessionService::data || service == SessionService::release ||
          service == SessionService::release_result)
        return on_user_data(service, user_data, base_offset);
      break;
    case State::closed: break;
  }
  return provider_abort(AbortReason::unexpected_session_service_primitive, std::nullopt,
                        Error{Errc::unexpected_ppdu, base_offset});
}

Output Connection::on_connect(ByteView data, std::size_t base) {
  auto cp = decode_cp(data, config_.limits, base);
  if (!cp) {
    const auto reason =
        is_limit(cp.error()) ? ProviderReason::local_limit_exceeded : ProviderReason::reason_not_specified;
    return provider_refuse(reason, {}, cp.error());
  }
  if (!version1_offered(cp->protocol_version))
    return provider_refuse(ProviderReason::protocol_version_not_supported, {},
                           Error{Errc::protocol_version_not_supported, base});
  auto neg = negotiate_each(cp->contexts, config_.syntaxes);
  if (!neg) return provider_refuse(ProviderReason::reason_not_specified, {}, Error{neg.error().code, base});
  if (!has_acse(*neg))
    return provider_refuse(ProviderReason::reason_not_specified, neg->results,
                           Error{Errc::acse_not_acceptable, base});
  contexts_ = neg->accepted;
  if (cp->user_data) {
    // 6.2.4: user data the responder cannot interpret (no defined context for it) refuses the connection.
    if (cp->user_data->kind == UserData::Kind::simply_encoded) {
      contexts_.clear();
      return provider_refuse(ProviderReason::user_data_not_readable, neg->results,
                             Error{Errc::simply_encoded_data, cp->user_data->simply_encoded_offset});
    }
    if (auto st = check_pdvs(cp->user_data->pdvs); !st) {
      contexts_.clear();
      return provider_refuse(ProviderReason::user_data_not_readable, neg->results, st.error());
    }
  }
  proposed_ = cp->contexts;
  negotiation_ = *neg;
  state_ = State::awaiting_response;
  ConnectIndication ind;
  ind.calling_selector = std::move(cp->calling_selector);
  ind.called_selector = std::move(cp->called_selector);
  ind.proposed = std::move(cp->contexts);
  ind.negotiation = std::move(*neg);
  ind.user_data = pdvs_of(cp->user_data);
  Output out;
  out.events.emplace_back(std::move(ind));
  return out;
}

Output Connection::on_accept(ByteView data, std::size_t base) {
  auto cpa = decode_cpa(data, config_.limits, base);
  if (!cpa) return provider_abort(abort_reason_for(cpa.error()), EventIdentifier::cpa_ppdu, cpa.error());
  if (!version1_offered(cpa->protocol_version))
    return provider_abort(AbortReason::invalid_ppdu_parameter_value, EventIdentifier::cpa_ppdu,
                          Error{Errc::protocol_version_not_supported, base});
  // 6.2.5: one result per proposed context, in order; an accepted context names one of the
  // transfer syntaxes proposed for it (it may be omitted when only one was proposed).
  const Error bad{Errc::bad_parameter_value, base};
  if (cpa->results.size() != proposed_.size())
    return provider_abort(AbortReason::invalid_ppdu_parameter_value, EventIdentifier::cpa_ppdu, bad);
  std::vector<NegotiatedContext> accepted;
  for (std::size_t i = 0; i < proposed_.size(); ++i) {
    const ContextResult& r = cpa->results[i];
    if (r.outcome != ContextOutcome::acceptance) continue;
    const auto& offered = proposed_[i].transfer_syntaxes;
    ber::Oid ts;
    if (r.transfer_syntax) {
      ts = *r.transfer_syntax;
    } else if (offered.size() == 1) {
      ts = offered.front();
    } else {
      return provider_abort(AbortReason::invalid_ppdu_parameter_value, EventIdentifier::cpa_ppdu, bad);
    }
    if (std::find(offered.begin(), offered.end(), ts) == offered.end())
      return provider_abort(AbortReason::invalid_ppdu_parameter_value, EventIdentifier::cpa_ppdu, bad);
    accepted.push_back({proposed_[i].id, proposed_[i].abstract_syntax, std::move(ts)});
  }
  contexts_ = std::move(accepted);
  if (cpa->user_data) {
    if (cpa->user_data->kind == UserData::Kind::simply_encoded)
      return provider_abort(AbortReason::unexpected_ppdu_parameter, EventIdentifier::cpa_ppdu,
                            Error{Errc::simply_encoded_data, cpa->user_data->simply_encoded_offset});
    if (auto st = check_pdvs(cpa->user_data->pdvs); !st)
      return provider_abort(AbortReason::invalid_ppdu_parameter_value, EventIdentifier::cpa_ppdu, st.error());
  }
  state_ = State::open;
  ConnectConfirm conf;
  conf.responding_selector = std::move(cpa->responding_selector);
  conf.results = std::move(cpa->results);
  conf.contexts = contexts_;
  conf.user_data = pdvs_of(cpa->user_data);
  Output out;
  out.events.emplace_back(std::move(conf));
  return out;
}

Output Connection::on_refuse(ByteView data, std::size_t base) {
  state_ = State::closed;
  Output out;
  auto cpr = decode_cpr(data, config_.limits, base);
  if (!cpr) {
    // The session connection is being refused anyway: nothing to send, report the cause.
    AbortIndication ind;
    ind.provider = true;
    ind.event = EventIdentifier::cpr_ppdu;
    ind.local_cause = cpr.error();
    out.events.emplace_back(std::move(ind));
    return out;
  }
  ConnectRefused ref;
  ref.provider_reason = cpr->provider_reason;
  ref.results = std::move(cpr->results);
  ref.user_data = pdvs_of(cpr->user_data);
  out.events.emplace_back(std::move(ref));
  return out;
}

Output Connection::on_user_data(SessionService service, ByteView data, std::size_t base) {
  const EventIdentifier ev = service == SessionService::data      ? EventIdentifier::td_ppdu
                             : service == SessionService::release ? EventIdentifier::s_release_indication
                                                                  : EventIdentifier::s_release_confirm;
  auto ud = decode_user_data(data, config_.limits, base);
  if (!ud) return provider_abort(abort_reason_for(ud.error()), ev, ud.error());
  if (ud->kind == UserData::Kind::simply_encoded)
    return provider_abort(AbortReason::unexpected_ppdu_parameter, ev,
                          Error{Errc::simply_encoded_data, ud->simply_encoded_offset});
  // 6.5: a PDV in a context outside the defined context set is an invalid parameter value.
  if (auto st = check_pdvs(ud->pdvs); !st)
    return provider_abort(AbortReason::invalid_ppdu_parameter_value, ev, st.error());
  Output out;
  switch (service) {
    case SessionService::release: out.events.emplace_back(ReleaseIndication{std::move(ud->pdvs)}); break;
    case SessionService::release_result:
      state_ = State::closed;
      out.events.emplace_back(ReleaseConfirm{std::move(ud->pdvs)});
      break;
    default: out.events.emplace_back(DataIndication{std::move(ud->pdvs)}); break;
  }
  return out;
}

Output Connection::on_abort(ByteView data, std::size_t base) {
  state_ = State::closed;
  Output out;
  AbortIndication ind;
  auto ab = decode_abort(data, config_.limits, base);
  if (!ab) {
    // An abort cannot be answered; the connection is gone either way.
    ind.provider = true;
    ind.local_cause = ab.error();
  } else if (auto* aru = std::get_if<UserAbortPpdu>(&*ab)) {
    ind.provider = false;
    ind.user_data = pdvs_of(aru->user_data);
  } else {
    const auto& arp = std::get<ProviderAbortPpdu>(*ab);
    ind.provider = true;
    ind.reason = arp.reason;
    ind.event = arp.event;
  }
  out.events.emplace_back(std::move(ind));
  return out;
}

}  // namespace mmssec::presentation
