// SPDX-License-Identifier: Apache-2.0
// Context negotiation and the sans-I/O presentation connection: golden exchanges of an IEC 61850
// association, individual rejection of unknown contexts, and the CPR / ARP reactions to every
// protocol error.
#include "mmssec/presentation/connection.hpp"

#include <gtest/gtest.h>

#include "vectors.hpp"

using namespace mmssec;
using namespace mmssec::presentation;
using mmssec::presentation::testing::hex;
namespace v = mmssec::presentation::testing;

namespace {
std::error_code code(Errc e) { return make_error_code(e); }

const ber::Oid kUnknownSyntax{1, 3, 9999, 1};
const ber::Oid kPer{2, 1, 2, 1};

ConnectionConfig responder_config() {
  ConnectionConfig c;
  c.local_selector = hex("00000001");
  return c;
}

/// A responder that has received the golden CP and delivered its P-CONNECT indication.
Connection connected_responder() {
  auto conn = Connection::responder(responder_config());
  const Bytes cp = hex(v::cp_golden_hex());
  auto out = conn.on_session(SessionService::connect, cp);
  EXPECT_EQ(conn.state(), Connection::State::awaiting_response);
  auto cpa = conn.accept({Pdv::single(1, hex(v::kAare))});
  EXPECT_TRUE(cpa.ok());
  EXPECT_EQ(conn.state(), Connection::State::open);
  return conn;
}

template <class E>
const E& only_event(const Output& out) {
  EXPECT_EQ(out.events.size(), 1U);
  const E* e = out.events.empty() ? nullptr : std::get_if<E>(&out.events.front());
  EXPECT_NE(e, nullptr);
  static const E empty{};
  return e != nullptr ? *e : empty;
}

/// Checks that `out` is exactly one ARP with this reason / event on S-U-ABORT and returns its cause.
Error expect_arp(const Output& out, AbortReason reason, std::optional<EventIdentifier> event) {
  EXPECT_EQ(out.send.size(), 1U);
  if (out.send.empty()) return {};
  EXPECT_EQ(out.send[0].service, SessionService::abort);
  auto ab = decode_abort(out.send[0].ppdu);
  EXPECT_TRUE(ab.ok());
  if (ab.ok()) {
    const auto* arp = std::get_if<ProviderAbortPpdu>(&*ab);
    EXPECT_NE(arp, nullptr);
    if (arp != nullptr) {
      EXPECT_EQ(arp->reason, reason);
      EXPECT_EQ(arp->event, event);
    }
  }
  const auto& ind = only_event<AbortIndication>(out);
  EXPECT_TRUE(ind.provider);
  EXPECT_EQ(ind.reason, reason);
  return ind.local_cause.value_or(Error{});
}

/// Checks that `out` is exactly one CPR with this provider-reason and returns the decoded CPR.
RefusePpdu expect_cpr(const Output& out, ProviderReason reason) {
  EXPECT_EQ(out.send.size(), 1U);
  if (out.send.empty()) return {};
  EXPECT_EQ(out.send[0].service, SessionService::refuse);
  auto cpr = decode_cpr(out.send[0].ppdu);
  EXPECT_TRUE(cpr.ok());
  if (!cpr.ok()) return {};
  EXPECT_EQ(cpr->provider_reason, reason);
  return *cpr;
}
}  // namespace

// ============================================================================ negotiation

TEST(PresentationNegotiation, AcseAndMmsAccepted) {
  auto n = negotiate(default_contexts(), SyntaxTable{});
  ASSERT_TRUE(n.ok());
  ASSERT_EQ(n->results.size(), 2U);
  ASSERT_EQ(n->accepted.size(), 2U);
  EXPECT_EQ(n->accepted[0],
            (NegotiatedContext{1, oids::acse_abstract_syntax(), oids::ber_transfer_syntax()}));
  EXPECT_EQ(n->accepted[1], (NegotiatedContext{3, oids::mms_abstract_syntax(), oids::ber_transfer_syntax()}));
  for (const auto& r : n->results) {
    EXPECT_EQ(r.outcome, ContextOutcome::acceptance);
    EXPECT_EQ(r.transfer_syntax, oids::ber_transfer_syntax());
  }
}

TEST(PresentationNegotiation, UnknownAbstractSyntaxRejectedIndividually) {
  auto proposed = default_contexts();
  proposed.push_back({5, kUnknownSyntax, {oids::ber_transfer_syntax()}});
  auto n = negotiate(proposed, SyntaxTable{});
  ASSERT_TRUE(n.ok());
  ASSERT_EQ(n->results.size(), 3U);
  EXPECT_EQ(n->accepted.size(), 2U);
  EXPECT_EQ(n->results[2].outcome, ContextOutcome::provider_rejection);
  EXPECT_EQ(n->results[2].provider_reason, ContextRejectReason::abstract_syntax_not_supported);
  EXPECT_FALSE(n->results[2].transfer_syntax.has_value());
}

TEST(PresentationNegotiation, ContextWithoutBerRejectedIndividually) {
  auto proposed = default_contexts();
  proposed[1].transfer_syntaxes = {kPer};
  auto n = negotiate(proposed, SyntaxTable{});
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->accepted.size(), 1U);
  EXPECT_EQ(n->results[1].outcome, ContextOutcome::provider_rejection);
  EXPECT_EQ(n->results[1].provider_reason, ContextRejectReason::proposed_transfer_syntaxes_not_supported);
}

TEST(PresentationNegotiation, BerChosenAmongSeveralTransferSyntaxes) {
  auto proposed = default_contexts();
  proposed[1].transfer_syntaxes = {kPer, oids::ber_transfer_syntax()};
  auto n = negotiate(proposed, SyntaxTable{});
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->results[1].transfer_syntax, oids::ber_transfer_syntax());
}

TEST(PresentationNegotiation, RegisteredSyntaxAccepted) {
  SyntaxTable table;
  EXPECT_FALSE(table.supports(kUnknownSyntax));
  table.add(kUnknownSyntax);
  table.add(kUnknownSyntax);  // idempotent
  EXPECT_EQ(table.syntaxes().size(), 3U);
  auto proposed = default_contexts();
  proposed.push_back({5, kUnknownSyntax, {oids::ber_transfer_syntax()}});
  auto n = negotiate(proposed, table);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->accepted.size(), 3U);
}

TEST(PresentationNegotiation, NoAcseFailsTheConnection) {
  const std::vector<ContextDefinition> proposed{
      {3, oids::mms_abstract_syntax(), {oids::ber_transfer_syntax()}}};
  auto n = negotiate(proposed, SyntaxTable{});
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.error().code, code(Errc::acse_not_acceptable));
}

TEST(PresentationNegotiation, AcseWithoutBerFailsTheConnection) {
  auto proposed = default_contexts();
  proposed[0].transfer_syntaxes = {kPer};
  auto n = negotiate(proposed, SyntaxTable{});
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.error().code, code(Errc::acse_not_acceptable));
}

TEST(PresentationNegotiation, AcseUnsupportedByTableFailsTheConnection) {
  auto n = negotiate(default_contexts(), SyntaxTable::empty());
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.error().code, code(Errc::acse_not_acceptable));
}

TEST(PresentationNegotiation, EvenContextIdRefused) {
  auto proposed = default_contexts();
  proposed[1].id = 2;
  auto n = negotiate(proposed, SyntaxTable{});
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.error().code, code(Errc::bad_context_id));
}

TEST(PresentationNegotiation, ZeroAndOutOfRangeContextIdRefused) {
  auto proposed = default_contexts();
  proposed[1].id = 0;
  EXPECT_EQ(negotiate(proposed, SyntaxTable{}).error().code, code(Errc::bad_context_id));
  proposed[1].id = 0xFFFFFFFF;
  EXPECT_EQ(negotiate(proposed, SyntaxTable{}).error().code, code(Errc::bad_context_id));
}

TEST(PresentationNegotiation, DuplicateContextIdRefused) {
  auto proposed = default_contexts();
  proposed[1].id = 1;
  auto n = negotiate(proposed, SyntaxTable{});
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.error().code, code(Errc::duplicate_context_id));
}

// ============================================================================ responder

TEST(PresentationResponder, GoldenCpGivesConnectIndication) {
  auto conn = Connection::responder(responder_config());
  const Bytes cp = hex(v::cp_golden_hex());
  auto out = conn.on_session(SessionService::connect, cp, 40);
  EXPECT_TRUE(out.send.empty());
  const auto& ind = only_event<ConnectIndication>(out);
  EXPECT_EQ(ind.calling_selector, hex("00000001"));
  EXPECT_EQ(ind.proposed.size(), 2U);
  EXPECT_EQ(ind.negotiation.accepted.size(), 2U);
  ASSERT_EQ(ind.user_data.size(), 1U);
  EXPECT_EQ(ind.user_data[0].context_id, 1U);
  EXPECT_EQ(ind.user_data[0].data, hex(v::kAarq));
  EXPECT_EQ(ind.user_data[0].data_offset, 40 + v::kCpGoldenAarqOffset);
  EXPECT_EQ(conn.state(), Connection::State::awaiting_response);
  EXPECT_EQ(conn.context_for(oids::mms_abstract_syntax()), 3U);
  ASSERT_NE(conn.abstract_syntax(1), nullptr);
  EXPECT_EQ(*conn.abstract_syntax(1), oids::acse_abstract_syntax());
  EXPECT_EQ(conn.abstract_syntax(5), nullptr);
}

TEST(PresentationResponder, AcceptProducesGoldenCpa) {
  auto conn = Connection::responder(responder_config());
  const Bytes cp = hex(v::cp_golden_hex());
  (void)conn.on_session(SessionService::connect, cp);
  auto cpa = conn.accept({Pdv::single(1, hex(v::kAare))});
  ASSERT_TRUE(cpa.ok());
  EXPECT_EQ(cpa->service, SessionService::accept);
  EXPECT_EQ(to_hex(cpa->ppdu), v::cpa_golden_hex());
  EXPECT_EQ(conn.state(), Connection::State::open);
}

TEST(PresentationResponder, ThirdUnknownContextRejectedIndividually) {
  auto conn = Connection::responder(responder_config());
  const Bytes cp = hex(v::cp_three_contexts_hex());
  auto out = conn.on_session(SessionService::connect, cp);
  const auto& ind = only_event<ConnectIndication>(out);
  EXPECT_EQ(ind.negotiation.accepted.size(), 2U);
  auto cpa = conn.accept({Pdv::single(1, hex(v::kAare))});
  ASSERT_TRUE(cpa.ok());
  EXPECT_EQ(to_hex(cpa->ppdu), v::cpa_three_contexts_hex());
  EXPECT_EQ(conn.abstract_syntax(5), nullptr);
}

TEST(PresentationResponder, UserRefusalSendsCprWithResults) {
  auto conn = Connection::responder(responder_config());
  const Bytes cp = hex(v::cp_golden_hex());
  (void)conn.on_session(SessionService::connect, cp);
  auto cpr = conn.refuse({Pdv::single(1, hex(v::kAare))});
  ASSERT_TRUE(cpr.ok());
  EXPECT_EQ(cpr->service, SessionService::refuse);
  auto decoded = decode_cpr(cpr->ppdu);
  ASSERT_TRUE(decoded.ok());
  EXPECT_FALSE(decoded->provider_reason.has_value());
  EXPECT_EQ(decoded->results.size(), 2U);
  EXPECT_EQ(decoded->user_data->pdvs.at(0).data, hex(v::kAare));
  EXPECT_EQ(conn.state(), Connection::State::closed);
}

TEST(PresentationResponder, NoAcseContextRefusedWithCpr) {
  ConnectPpdu cp;
  cp.contexts = {{3, oids::mms_abstract_syntax(), {oids::ber_transfer_syntax()}}};
  auto conn = Connection::responder(responder_config());
  auto out = conn.on_session(SessionService::connect, encode(cp));
  const RefusePpdu cpr = expect_cpr(out, ProviderReason::reason_not_specified);
  ASSERT_EQ(cpr.results.size(), 1U);
  EXPECT_EQ(cpr.results[0].outcome, ContextOutcome::acceptance);
  EXPECT_EQ(cpr.responding_selector, hex("00000001"));
  const auto& ind = only_event<AbortIndication>(out);
  ASSERT_TRUE(ind.local_cause.has_value());
  EXPECT_EQ(ind.local_cause->code, code(Errc::acse_not_acceptable));
  EXPECT_EQ(conn.state(), Connection::State::closed);
}

TEST(PresentationResponder, MalformedCpRefusedWithCpr) {
  auto conn = Connection::responder();
  Bytes cp = hex(v::cp_golden_hex());
  cp[6] = 0x00;  // mode-value x410-1984-mode
  auto out = conn.on_session(SessionService::connect, cp);
  (void)expect_cpr(out, ProviderReason::reason_not_specified);
  EXPECT_EQ(only_event<AbortIndication>(out).local_cause->code, code(Errc::unsupported_mode));
  EXPECT_EQ(conn.state(), Connection::State::closed);
}

TEST(PresentationResponder, ContextLimitRefusedWithLocalLimitExceeded) {
  ConnectionConfig c;
  c.limits.presentation_max_contexts = 1;
  auto conn = Connection::responder(c);
  const Bytes cp = hex(v::cp_golden_hex());
  auto out = conn.on_session(SessionService::connect, cp);
  (void)expect_cpr(out, ProviderReason::local_limit_exceeded);
  EXPECT_EQ(only_event<AbortIndication>(out).local_cause->code, code(Errc::too_many_contexts));
}

TEST(PresentationResponder, ProtocolVersionWithoutVersion1Refused) {
  ConnectPpdu cp;
  cp.protocol_version = BitField::of({1});
  cp.contexts = default_contexts();
  auto conn = Connection::responder();
  auto out = conn.on_session(SessionService::connect, encode(cp));
  (void)expect_cpr(out, ProviderReason::protocol_version_not_supported);
}

TEST(PresentationResponder, EvenContextIdRefused) {
  ConnectPpdu cp;
  cp.contexts = default_contexts();
  cp.contexts[1].id = 4;
  auto conn = Connection::responder();
  auto out = conn.on_session(SessionService::connect, encode(cp));
  (void)expect_cpr(out, ProviderReason::reason_not_specified);
  EXPECT_EQ(only_event<AbortIndication>(out).local_cause->code, code(Errc::bad_context_id));
}

TEST(PresentationResponder, UserDataInRejectedContextRefusedAsUnreadable) {
  ConnectPpdu cp;
  cp.contexts = default_contexts();
  cp.contexts.push_back({5, kUnknownSyntax, {oids::ber_transfer_syntax()}});
  cp.user_data = UserData::fully({Pdv::single(5, hex(v::kAarq))});
  auto conn = Connection::responder();
  auto out = conn.on_session(SessionService::connect, encode(cp));
  const RefusePpdu cpr = expect_cpr(out, ProviderReason::user_data_not_readable);
  EXPECT_EQ(cpr.results.size(), 3U);
  EXPECT_EQ(only_event<AbortIndication>(out).local_cause->code, code(Errc::unknown_context_id));
  EXPECT_TRUE(conn.contexts().empty());
}

TEST(PresentationResponder, UserDataWithWrongTransferSyntaxRefused) {
  ConnectPpdu cp;
  cp.contexts = default_contexts();
  Pdv pdv = Pdv::single(1, hex(v::kAarq));
  pdv.transfer_syntax = kPer;
  cp.user_data = UserData::fully({pdv});
  auto conn = Connection::responder();
  auto out = conn.on_session(SessionService::connect, encode(cp));
  (void)expect_cpr(out, ProviderReason::user_data_not_readable);
}

TEST(PresentationResponder, SimplyEncodedUserDataInCpRefused) {
  ConnectPpdu cp;
  cp.contexts = default_contexts();
  UserData ud;
  ud.kind = UserData::Kind::simply_encoded;
  ud.simply_encoded = hex(v::kAarq);
  cp.user_data = ud;
  auto conn = Connection::responder();
  auto out = conn.on_session(SessionService::connect, encode(cp));
  (void)expect_cpr(out, ProviderReason::user_data_not_readable);
  EXPECT_EQ(only_event<AbortIndication>(out).local_cause->code, code(Errc::simply_encoded_data));
}

TEST(PresentationResponder, DataIndicationCarriesContextId) {
  auto conn = connected_responder();
  // 61 0a 30 08 02 01 03 a0 03 a0 01 00: one PDV in context 3 (MMS)
  const Bytes td = hex("610a3008020103a003a00100");
  auto out = conn.on_session(SessionService::data, td, 100);
  EXPECT_TRUE(out.send.empty());
  const auto& ind = only_event<DataIndication>(out);
  ASSERT_EQ(ind.user_data.size(), 1U);
  EXPECT_EQ(ind.user_data[0].context_id, 3U);
  EXPECT_EQ(ind.user_data[0].data, hex("a00100"));
  EXPECT_EQ(ind.user_data[0].data_offset, 109U);
}

TEST(PresentationResponder, TdWithUnknownContextIsAbortedWithArp) {
  auto conn = connected_responder();
  // Context 5 was never defined.
  const Bytes td = hex("610a3008020105a003a00100");
  auto out = conn.on_session(SessionService::data, td);
  const Error cause = expect_arp(out, AbortReason::invalid_ppdu_parameter_value, EventIdentifier::td_ppdu);
  EXPECT_EQ(cause.code, code(Errc::unknown_context_id));
  // ARP-PPDU: 30 06 / 80 01 06 invalid-ppdu-parameter-value / 81 01 07 td-PPDU
  EXPECT_EQ(to_hex(out.send.at(0).ppdu), "3006800106810107");
  EXPECT_EQ(conn.state(), Connection::State::closed);
}

TEST(PresentationResponder, TdInRejectedContextIsAborted) {
  auto conn = Connection::responder();
  const Bytes cp = hex(v::cp_three_contexts_hex());
  (void)conn.on_session(SessionService::connect, cp);
  ASSERT_TRUE(conn.accept({}).ok());
  const Bytes td = hex("610a3008020105a003a00100");
  (void)expect_arp(conn.on_session(SessionService::data, td), AbortReason::invalid_ppdu_parameter_value,
                   EventIdentifier::td_ppdu);
}

TEST(PresentationResponder, MalformedTdIsAbortedWithArp) {
  auto conn = connected_responder();
  const Bytes td = hex("610a3008020103a003a001");  // inner length beyond the buffer
  const Error cause = expect_arp(conn.on_session(SessionService::data, td),
                                 AbortReason::invalid_ppdu_parameter_value, EventIdentifier::td_ppdu);
  EXPECT_EQ(cause.code, ber::make_error_code(ber::Errc::length_overflow));
}

TEST(PresentationResponder, UnrecognizedTdIsAbortedAsUnrecognizedPpdu) {
  auto conn = connected_responder();
  const Bytes td = hex("0500");
  (void)expect_arp(conn.on_session(SessionService::data, td), AbortReason::unrecognized_ppdu,
                   EventIdentifier::td_ppdu);
}

TEST(PresentationResponder, TdPdvLimitAbortsWithArp) {
  ConnectionConfig c;
  c.limits.presentation_max_pdvs = 1;
  auto conn = Connection::responder(c);
  const Bytes cp = hex(v::cp_golden_hex());
  (void)conn.on_session(SessionService::connect, cp);
  ASSERT_TRUE(conn.accept({}).ok());
  const Bytes td =
      hex("6114"
          "3008020103a003a00100"
          "3008020103a003a00100");
  const Error cause = expect_arp(conn.on_session(SessionService::data, td),
                                 AbortReason::invalid_ppdu_parameter_value, EventIdentifier::td_ppdu);
  EXPECT_EQ(cause.code, code(Errc::too_many_pdvs));
}

TEST(PresentationResponder, SimplyEncodedTdIsAborted) {
  auto conn = connected_responder();
  const Bytes td = hex("4003a00100");
  (void)expect_arp(conn.on_session(SessionService::data, td), AbortReason::unexpected_ppdu_parameter,
                   EventIdentifier::td_ppdu);
}

TEST(PresentationResponder, DataBeforeConnectIsUnexpected) {
  auto conn = Connection::responder();
  const Bytes td = hex("610a3008020103a003a00100");
  const Error cause = expect_arp(conn.on_session(SessionService::data, td),
                                 AbortReason::unexpected_session_service_primitive, std::nullopt);
  EXPECT_EQ(cause.code, code(Errc::unexpected_ppdu));
}

TEST(PresentationResponder, SecondConnectIsUnexpected) {
  auto conn = connected_responder();
  const Bytes cp = hex(v::cp_golden_hex());
  (void)expect_arp(conn.on_session(SessionService::connect, cp),
                   AbortReason::unexpected_session_service_primitive, std::nullopt);
}

TEST(PresentationResponder, ReleaseExchange) {
  auto conn = connected_responder();
  // FN carries an RLRQ in context 1: 61 09 30 07 02 01 01 a0 02 62 00
  const Bytes fn = hex("61093007020101a0026200");
  const Output out = conn.on_session(SessionService::release, fn);
  const auto& ind = only_event<ReleaseIndication>(out);
  ASSERT_EQ(ind.user_data.size(), 1U);
  EXPECT_EQ(ind.user_data[0].data, hex("6200"));
  auto dn = conn.release_response({Pdv::single(1, hex("6300"))});
  ASSERT_TRUE(dn.ok());
  EXPECT_EQ(dn->service, SessionService::release_result);
  EXPECT_EQ(to_hex(dn->ppdu), "61093007020101a0026300");
  EXPECT_EQ(conn.state(), Connection::State::closed);
}

TEST(PresentationResponder, LocalRequestsInWrongStateRefused) {
  auto conn = Connection::responder();
  EXPECT_EQ(conn.accept({}).error().code, code(Errc::invalid_state));
  EXPECT_EQ(conn.refuse({}).error().code, code(Errc::invalid_state));
  EXPECT_EQ(conn.send_data({Pdv::single(1, hex("0500"))}).error().code, code(Errc::invalid_state));
  EXPECT_EQ(conn.release({Pdv::single(1, hex("0500"))}).error().code, code(Errc::invalid_state));
  EXPECT_EQ(conn.release_response({Pdv::single(1, hex("0500"))}).error().code, code(Errc::invalid_state));
  EXPECT_EQ(conn.connect({}).error().code, code(Errc::invalid_state));
}

TEST(PresentationResponder, AcceptWithUnknownContextRefusedLocally) {
  auto conn = Connection::responder();
  const Bytes cp = hex(v::cp_golden_hex());
  (void)conn.on_session(SessionService::connect, cp);
  EXPECT_EQ(conn.accept({Pdv::single(7, hex(v::kAare))}).error().code, code(Errc::unknown_context_id));
  EXPECT_EQ(conn.state(), Connection::State::awaiting_response);
}

// ============================================================================ initiator

TEST(PresentationInitiator, ConnectProducesGoldenCp) {
  auto conn = Connection::initiator();
  ConnectRequest req;
  req.calling_selector = hex("00000001");
  req.called_selector = hex("00000001");
  req.contexts = default_contexts();
  req.user_data = {Pdv::single(1, hex(v::kAarq))};
  auto cp = conn.connect(req);
  ASSERT_TRUE(cp.ok());
  EXPECT_EQ(cp->service, SessionService::connect);
  EXPECT_EQ(to_hex(cp->ppdu), v::cp_golden_hex());
  EXPECT_EQ(conn.state(), Connection::State::awaiting_cpa);
  EXPECT_EQ(conn.connect(req).error().code, code(Errc::invalid_state));
}

TEST(PresentationInitiator, ConnectValidatesRequest) {
  ConnectRequest req;
  req.contexts = default_contexts();
  req.contexts[0].id = 2;
  EXPECT_EQ(Connection::initiator().connect(req).error().code, code(Errc::bad_context_id));
  req.contexts = default_contexts();
  req.contexts[1].id = 1;
  EXPECT_EQ(Connection::initiator().connect(req).error().code, code(Errc::duplicate_context_id));
  req.contexts = default_contexts();
  req.contexts[1].transfer_syntaxes.clear();
  EXPECT_EQ(Connection::initiator().connect(req).error().code, code(Errc::missing_parameter));
  req.contexts = default_contexts();
  req.user_data = {Pdv::single(9, hex(v::kAarq))};
  EXPECT_EQ(Connection::initiator().connect(req).error().code, code(Errc::unknown_context_id));
  ConnectionConfig c;
  c.limits.presentation_max_contexts = 1;
  req.user_data.clear();
  EXPECT_EQ(Connection::initiator(c).connect(req).error().code, code(Errc::too_many_contexts));
  c = {};
  c.limits.presentation_max_transfer_syntaxes = 1;
  req.contexts[0].transfer_syntaxes.push_back(kPer);
  EXPECT_EQ(Connection::initiator(c).connect(req).error().code, code(Errc::too_many_transfer_syntaxes));
  c = {};
  c.limits.presentation_max_pdvs = 0;
  req.contexts = default_contexts();
  req.user_data = {Pdv::single(1, hex(v::kAarq))};
  EXPECT_EQ(Connection::initiator(c).connect(req).error().code, code(Errc::too_many_pdvs));
}

namespace {
Connection initiator_awaiting_cpa() {
  auto conn = Connection::initiator();
  ConnectRequest req;
  req.contexts = default_contexts();
  req.user_data = {Pdv::single(1, hex(v::kAarq))};
  EXPECT_TRUE(conn.connect(req).ok());
  return conn;
}
}  // namespace

TEST(PresentationInitiator, GoldenCpaGivesConnectConfirm) {
  auto conn = initiator_awaiting_cpa();
  const Bytes cpa = hex(v::cpa_golden_hex());
  auto out = conn.on_session(SessionService::accept, cpa);
  EXPECT_TRUE(out.send.empty());
  const auto& conf = only_event<ConnectConfirm>(out);
  EXPECT_EQ(conf.responding_selector, hex("00000001"));
  EXPECT_EQ(conf.contexts.size(), 2U);
  ASSERT_EQ(conf.user_data.size(), 1U);
  EXPECT_EQ(conf.user_data[0].data, hex(v::kAare));
  EXPECT_EQ(conn.state(), Connection::State::open);
  EXPECT_EQ(conn.context_for(oids::mms_abstract_syntax()), 3U);
}

TEST(PresentationInitiator, CpaWithWrongResultCountIsAborted) {
  auto conn = initiator_awaiting_cpa();
  AcceptPpdu cpa;
  cpa.results = {{ContextOutcome::acceptance, oids::ber_transfer_syntax(), std::nullopt}};
  const Error cause = expect_arp(conn.on_session(SessionService::accept, encode(cpa)),
                                 AbortReason::invalid_ppdu_parameter_value, EventIdentifier::cpa_ppdu);
  EXPECT_EQ(cause.code, code(Errc::bad_parameter_value));
}

TEST(PresentationInitiator, CpaWithUnproposedTransferSyntaxIsAborted) {
  auto conn = initiator_awaiting_cpa();
  AcceptPpdu cpa;
  cpa.results = {{ContextOutcome::acceptance, oids::ber_transfer_syntax(), std::nullopt},
                 {ContextOutcome::acceptance, kPer, std::nullopt}};
  (void)expect_arp(conn.on_session(SessionService::accept, encode(cpa)),
                   AbortReason::invalid_ppdu_parameter_value, EventIdentifier::cpa_ppdu);
}

TEST(PresentationInitiator, CpaAcceptanceWithoutTransferSyntaxUsesTheOnlyProposedOne) {
  auto conn = initiator_awaiting_cpa();
  AcceptPpdu cpa;
  cpa.results = {{ContextOutcome::acceptance, std::nullopt, std::nullopt},
                 {ContextOutcome::user_rejection, std::nullopt, std::nullopt}};
  const Output out = conn.on_session(SessionService::accept, encode(cpa));
  const auto& conf = only_event<ConnectConfirm>(out);
  ASSERT_EQ(conf.contexts.size(), 1U);
  EXPECT_EQ(conf.contexts[0].transfer_syntax, oids::ber_transfer_syntax());
  // MMS was rejected: sending in context 3 is refused locally.
  EXPECT_EQ(conn.send_data({Pdv::single(3, hex("a00100"))}).error().code, code(Errc::unknown_context_id));
}

TEST(PresentationInitiator, CpaUserDataInUnknownContextIsAborted) {
  auto conn = initiator_awaiting_cpa();
  AcceptPpdu cpa;
  cpa.results = {{ContextOutcome::acceptance, std::nullopt, std::nullopt},
                 {ContextOutcome::acceptance, std::nullopt, std::nullopt}};
  cpa.user_data = UserData::fully({Pdv::single(9, hex(v::kAare))});
  const Error cause = expect_arp(conn.on_session(SessionService::accept, encode(cpa)),
                                 AbortReason::invalid_ppdu_parameter_value, EventIdentifier::cpa_ppdu);
  EXPECT_EQ(cause.code, code(Errc::unknown_context_id));
}

TEST(PresentationInitiator, MalformedCpaIsAborted) {
  auto conn = initiator_awaiting_cpa();
  const Bytes cpa = hex("3100");
  const Error cause = expect_arp(conn.on_session(SessionService::accept, cpa),
                                 AbortReason::invalid_ppdu_parameter_value, EventIdentifier::cpa_ppdu);
  EXPECT_EQ(cause.code, code(Errc::missing_parameter));
}

TEST(PresentationInitiator, CpaWithoutVersion1IsAborted) {
  auto conn = initiator_awaiting_cpa();
  AcceptPpdu cpa;
  cpa.protocol_version = BitField::of({3});
  const Error cause = expect_arp(conn.on_session(SessionService::accept, encode(cpa)),
                                 AbortReason::invalid_ppdu_parameter_value, EventIdentifier::cpa_ppdu);
  EXPECT_EQ(cause.code, code(Errc::protocol_version_not_supported));
}

TEST(PresentationInitiator, CprGivesConnectRefused) {
  auto conn = initiator_awaiting_cpa();
  RefusePpdu cpr;
  cpr.provider_reason = ProviderReason::temporary_congestion;
  cpr.user_data = UserData::fully({Pdv::single(1, hex(v::kAare))});
  auto out = conn.on_session(SessionService::refuse, encode(cpr));
  EXPECT_TRUE(out.send.empty());
  const auto& ref = only_event<ConnectRefused>(out);
  EXPECT_EQ(ref.provider_reason, ProviderReason::temporary_congestion);
  EXPECT_EQ(ref.user_data.size(), 1U);
  EXPECT_EQ(conn.state(), Connection::State::closed);
}

TEST(PresentationInitiator, MalformedCprReportedWithoutReply) {
  auto conn = initiator_awaiting_cpa();
  const Bytes cpr =
      hex("3003"
          "8a0120");
  auto out = conn.on_session(SessionService::refuse, cpr);
  EXPECT_TRUE(out.send.empty());
  const auto& ind = only_event<AbortIndication>(out);
  EXPECT_EQ(ind.local_cause->code, code(Errc::bad_parameter_value));
  EXPECT_EQ(conn.state(), Connection::State::closed);
}

TEST(PresentationInitiator, DataBeforeCpaIsUnexpected) {
  auto conn = initiator_awaiting_cpa();
  const Bytes td = hex("610a3008020103a003a00100");
  (void)expect_arp(conn.on_session(SessionService::data, td),
                   AbortReason::unexpected_session_service_primitive, std::nullopt);
}

// ============================================================================ abort and full exchange

TEST(PresentationAbortFlow, PeerAruGivesUserAbortIndication) {
  auto conn = connected_responder();
  const Bytes aru = hex("a00c610a3008020101a003640100");
  auto out = conn.on_session(SessionService::abort, aru);
  EXPECT_TRUE(out.send.empty());
  const auto& ind = only_event<AbortIndication>(out);
  EXPECT_FALSE(ind.provider);
  ASSERT_EQ(ind.user_data.size(), 1U);
  EXPECT_EQ(ind.user_data[0].data, hex("640100"));
  EXPECT_EQ(conn.state(), Connection::State::closed);
  // Nothing is reacted to after the connection is closed.
  const Bytes td = hex("610a3008020103a003a00100");
  auto after = conn.on_session(SessionService::data, td);
  EXPECT_TRUE(after.send.empty());
  EXPECT_TRUE(after.events.empty());
}

TEST(PresentationAbortFlow, PeerArpGivesProviderAbortIndication) {
  auto conn = initiator_awaiting_cpa();
  const Bytes arp = hex("3006800102810101");
  const Output out = conn.on_session(SessionService::abort, arp);
  const auto& ind = only_event<AbortIndication>(out);
  EXPECT_TRUE(ind.provider);
  EXPECT_EQ(ind.reason, AbortReason::unexpected_ppdu);
  EXPECT_EQ(ind.event, EventIdentifier::cpa_ppdu);
  EXPECT_FALSE(ind.local_cause.has_value());
}

TEST(PresentationAbortFlow, MalformedAbortIsReportedWithoutReply) {
  auto conn = connected_responder();
  const Bytes junk = hex("ff");
  auto out = conn.on_session(SessionService::abort, junk);
  EXPECT_TRUE(out.send.empty());
  EXPECT_TRUE(only_event<AbortIndication>(out).local_cause.has_value());
  EXPECT_EQ(conn.state(), Connection::State::closed);
}

TEST(PresentationAbortFlow, LocalAbortSendsAru) {
  auto conn = connected_responder();
  auto aru = conn.abort({Pdv::single(1, hex("640100"))});
  ASSERT_TRUE(aru.ok());
  EXPECT_EQ(aru->service, SessionService::abort);
  EXPECT_EQ(to_hex(aru->ppdu), "a00c610a3008020101a003640100");
  EXPECT_EQ(conn.state(), Connection::State::closed);
  EXPECT_EQ(conn.abort({}).error().code, code(Errc::invalid_state));
}

TEST(PresentationAbortFlow, AbortReasonMapping) {
  EXPECT_EQ(abort_reason_for(Error{Errc::unknown_ppdu}), AbortReason::unrecognized_ppdu);
  EXPECT_EQ(abort_reason_for(Error{Errc::unexpected_parameter}), AbortReason::unrecognized_ppdu_parameter);
  EXPECT_EQ(abort_reason_for(Error{Errc::unsupported_mode}), AbortReason::unexpected_ppdu_parameter);
  EXPECT_EQ(abort_reason_for(Error{Errc::unexpected_ppdu}), AbortReason::unexpected_ppdu);
  EXPECT_EQ(abort_reason_for(Error{Errc::unknown_context_id}), AbortReason::invalid_ppdu_parameter_value);
  EXPECT_EQ(abort_reason_for(Error{CoreErrc::trailing_data}), AbortReason::unrecognized_ppdu_parameter);
  EXPECT_EQ(abort_reason_for(Error{ber::Errc::length_overflow}), AbortReason::invalid_ppdu_parameter_value);
}

TEST(PresentationExchange, InitiatorAndResponderTalkToEachOther) {
  auto client = Connection::initiator();
  auto server = Connection::responder(responder_config());
  ConnectRequest req;
  req.contexts = default_contexts();
  req.contexts.push_back({5, kUnknownSyntax, {oids::ber_transfer_syntax()}});
  req.user_data = {Pdv::single(1, hex(v::kAarq))};
  auto cp = client.connect(req);
  ASSERT_TRUE(cp.ok());
  auto ind = server.on_session(cp->service, cp->ppdu);
  ASSERT_EQ(only_event<ConnectIndication>(ind).user_data.at(0).data, hex(v::kAarq));
  auto cpa = server.accept({Pdv::single(1, hex(v::kAare))});
  ASSERT_TRUE(cpa.ok());
  auto conf = client.on_session(cpa->service, cpa->ppdu);
  ASSERT_EQ(only_event<ConnectConfirm>(conf).contexts.size(), 2U);
  EXPECT_EQ(client.contexts(), server.contexts());

  auto td = client.send_data({Pdv::single(3, hex("a00100"))});
  ASSERT_TRUE(td.ok());
  EXPECT_EQ(to_hex(td->ppdu), "610a3008020103a003a00100");
  auto data = server.on_session(td->service, td->ppdu);
  EXPECT_EQ(only_event<DataIndication>(data).user_data.at(0).context_id, 3U);
  // The rejected context 5 cannot be used by either side.
  EXPECT_EQ(client.send_data({Pdv::single(5, hex("0500"))}).error().code, code(Errc::unknown_context_id));
  EXPECT_EQ(client.send_data({}).error().code, make_error_code(CoreErrc::invalid_argument));

  auto fn = client.release({Pdv::single(1, hex("6200"))});
  ASSERT_TRUE(fn.ok());
  (void)only_event<ReleaseIndication>(server.on_session(fn->service, fn->ppdu));
  auto dn = server.release_response({Pdv::single(1, hex("6300"))});
  ASSERT_TRUE(dn.ok());
  (void)only_event<ReleaseConfirm>(client.on_session(dn->service, dn->ppdu));
  EXPECT_EQ(client.state(), Connection::State::closed);
  EXPECT_EQ(server.state(), Connection::State::closed);
}

// ---- data-transfer fast path: the same octets and the same decisions as send_data() / on_session() ----

namespace {
/// One BER element with `n` content octets (a stand-in for an MMS PDU).
Bytes ber_element(std::size_t n) {
  Bytes out;
  ber::Writer w(out);
  w.tlv(ber::Tag{ber::TagClass::context, true, 0}, Bytes(n, 0x5a));
  return out;
}
}  // namespace

TEST(PresentationDataFastPath, EncodeDataEqualsSendDataAtEveryLengthForm) {
  auto conn = connected_responder();
  for (const std::size_t n :
       {std::size_t{0},    std::size_t{1},     std::size_t{110},   std::size_t{115},   std::size_t{116},
        std::size_t{117},  std::size_t{118},   std::size_t{119},   std::size_t{120},   std::size_t{121},
        std::size_t{122},  std::size_t{123},   std::size_t{124},   std::size_t{125},   std::size_t{126},
        std::size_t{127},  std::size_t{128},   std::size_t{245},   std::size_t{248},   std::size_t{250},
        std::size_t{251},  std::size_t{252},   std::size_t{253},   std::size_t{254},   std::size_t{255},
        std::size_t{256},  std::size_t{65520}, std::size_t{65530}, std::size_t{65535}, std::size_t{65536},
        std::size_t{70000}}) {
    SCOPED_TRACE(n);
    const Bytes element = ber_element(n);
    Bytes fast = {0xee};
    ASSERT_TRUE(conn.encode_data(3, element, fast).ok());
    auto general = conn.send_data({Pdv::single(3, element)});
    ASSERT_TRUE(general.ok());
    EXPECT_EQ(general->service, SessionService::data);
    EXPECT_EQ(Bytes(fast.begin() + 1, fast.end()), general->ppdu);

    // Both receive paths agree on the PDV, its octets and its offset.
    auto view = conn.data_view(general->ppdu, 1000);
    ASSERT_TRUE(view.has_value());
    EXPECT_EQ(view->context_id, 3U);
    EXPECT_EQ(Bytes(view->data.begin(), view->data.end()), element);
    const auto out = conn.on_session(SessionService::data, general->ppdu, 1000);
    const auto& ind = only_event<DataIndication>(out);
    ASSERT_EQ(ind.user_data.size(), 1U);
    EXPECT_EQ(ind.user_data[0].data, element);
    EXPECT_EQ(ind.user_data[0].data_offset, view->data_offset);
  }
}

TEST(PresentationDataFastPath, EncodeDataRefusesLikeSendData) {
  auto idle = Connection::responder(responder_config());
  Bytes out = {0x01};
  auto st = idle.encode_data(3, ber_element(1), out);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, code(Errc::invalid_state));
  auto conn = connected_responder();
  st = conn.encode_data(5, ber_element(1), out);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, code(Errc::unknown_context_id));
  EXPECT_EQ(out, Bytes{0x01});
}

TEST(PresentationDataFastPath, ViewDeclinesEverythingElse) {
  auto conn = connected_responder();
  const Bytes element = ber_element(3);
  auto td = [](std::vector<Pdv> pdvs) { return encode(UserData::fully(std::move(pdvs))); };
  // Valid TDs of other shapes: the general path delivers them.
  Pdv with_ts = Pdv::single(3, element);
  with_ts.transfer_syntax = oids::ber_transfer_syntax();
  Pdv octets = Pdv::single(3, element);
  octets.encoding = PdvEncoding::octet_aligned;
  for (const Bytes& valid :
       {td({Pdv::single(1, element), Pdv::single(3, element)}), td({with_ts}), td({octets})}) {
    EXPECT_FALSE(conn.data_view(valid).has_value());
    EXPECT_EQ(conn.on_session(SessionService::data, valid).send.size(), 0U);
  }
  // Invalid ones: the general path answers with an ARP.
  Bytes trailing = td({Pdv::single(3, element)});
  trailing.push_back(0);
  Bytes two_elements = element;
  two_elements.insert(two_elements.end(), element.begin(), element.end());
  const Bytes not_single = td({Pdv::single(3, two_elements)});
  for (const Bytes& invalid : {trailing, not_single, td({Pdv::single(7, element)}), hex("6100"),
                               hex("6003aabbcc"), Bytes(td({Pdv::single(3, element)}).size() - 1, 0x61)}) {
    EXPECT_FALSE(conn.data_view(invalid).has_value());
    auto probe = connected_responder();
    EXPECT_EQ(probe.on_session(SessionService::data, invalid).send.size(), 1U);
  }
  // Not open: nothing is taken.
  auto idle = Connection::responder(responder_config());
  EXPECT_FALSE(idle.data_view(td({Pdv::single(3, element)})).has_value());
}
