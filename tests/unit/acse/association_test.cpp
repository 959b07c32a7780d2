// SPDX-License-Identifier: Apache-2.0
// ACSE association state machine: every transition of association.hpp's table, unexpected and
// malformed APDUs (ABRT from the provider plus a typed error), local misuse, release collision.
#include "mmssec/acse/association.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace mmssec;
using namespace mmssec::acse;

namespace {

Bytes hex(std::string_view h) {
  auto b = from_hex(h);
  EXPECT_TRUE(b.ok()) << h;
  return b.ok() ? *b : Bytes{};
}
std::error_code code(acse::Errc e) { return acse::make_error_code(e); }

// AARQ: application-context-name basic-AC only.     60 09 a1 07 06 05 28 ca 22 02 03
constexpr std::string_view kAarq = "6009a107060528ca220203";
// AARQ with one EXTERNAL in user-information (indirect-reference 3, NULL as the value).
constexpr std::string_view kAarqWithUserInfo = "6014a107060528ca220203be092807020103a0020500";
// AARE accepted: ctx, result accepted(0), diagnostic acse-service-user null(0).
constexpr std::string_view kAareAccepted = "6115a107060528ca220203a203020100a305a103020100";
// AARE rejected-permanent, acse-service-user authentication-failure(13).
constexpr std::string_view kAareAuthFailure = "6115a107060528ca220203a203020101a305a10302010d";
constexpr std::string_view kRlrqNormal = "6203800100";
constexpr std::string_view kRlreNormal = "6303800100";
// ABRT abort-source acse-service-user
constexpr std::string_view kAbrtUser = "6403800100";
// ABRT abort-source acse-service-provider, abort-diagnostic protocol-error(2)
constexpr std::string_view kAbrtProvider = "6406800101810102";

Aarq basic_aarq() {
  Aarq a;
  a.application_context_name = mms_application_context();
  return a;
}

std::vector<std::string> sent_hex(const Output& o) {
  std::vector<std::string> v;
  for (const auto& b : o.send) v.push_back(to_hex(b));
  return v;
}

std::vector<Event::Kind> kinds(const Output& o) {
  std::vector<Event::Kind> v;
  for (const auto& e : o.events) v.push_back(e.kind);
  return v;
}

Output feed(Association& a, std::string_view h) {
  const Bytes b = hex(h);
  return a.on_bytes(b);
}

// Drive a machine to `associated`.
Association associated_initiator() {
  Association a(Role::initiator);
  auto r = a.associate(basic_aarq());
  EXPECT_TRUE(r.ok());
  auto o = feed(a, kAareAccepted);
  EXPECT_FALSE(o.error);
  EXPECT_EQ(a.state(), State::associated);
  return a;
}

Association associated_responder() {
  Association a(Role::responder);
  a.set_acceptor([](const Aarq& q) { return make_accept(q); });
  auto o = feed(a, kAarq);
  EXPECT_FALSE(o.error);
  EXPECT_EQ(a.state(), State::associated);
  return a;
}

void expect_provider_abort(const Output& o, std::error_code why, const Association& a) {
  EXPECT_EQ(sent_hex(o), std::vector<std::string>{std::string(kAbrtProvider)});
  EXPECT_EQ(kinds(o), std::vector<Event::Kind>{Event::Kind::provider_abort});
  ASSERT_TRUE(o.error.has_value());
  EXPECT_EQ(o.error->code, why);
  EXPECT_EQ(a.state(), State::idle);
  EXPECT_FALSE(a.aarq().has_value());
}

}  // namespace

// ============================================================================ initiator

TEST(AcseAssociationInitiator, AssociateAcceptReleaseConfirm) {
  Association a(Role::initiator);
  EXPECT_EQ(a.state(), State::idle);
  auto r = a.associate(basic_aarq());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(sent_hex(*r), std::vector<std::string>{std::string(kAarq)});
  EXPECT_TRUE(r->events.empty());
  EXPECT_EQ(a.state(), State::awaiting_aare);
  ASSERT_TRUE(a.aarq().has_value());

  auto o = feed(a, kAareAccepted);
  EXPECT_FALSE(o.error);
  EXPECT_TRUE(o.send.empty());
  EXPECT_EQ(kinds(o), std::vector<Event::Kind>{Event::Kind::associate_accepted});
  ASSERT_TRUE(o.events[0].apdu);
  EXPECT_EQ(std::get<Aare>(*o.events[0].apdu).result, AssociateResult::accepted);
  EXPECT_EQ(a.state(), State::associated);

  auto rel = a.release();
  ASSERT_TRUE(rel.ok());
  EXPECT_EQ(sent_hex(*rel), std::vector<std::string>{std::string(kRlrqNormal)});
  EXPECT_EQ(a.state(), State::awaiting_rlre);

  auto c = feed(a, kRlreNormal);
  EXPECT_FALSE(c.error);
  EXPECT_EQ(kinds(c), std::vector<Event::Kind>{Event::Kind::release_confirm});
  EXPECT_EQ(a.state(), State::idle);
  EXPECT_FALSE(a.aarq().has_value());
}

TEST(AcseAssociationInitiator, RejectedAareReturnsToIdle) {
  Association a(Role::initiator);
  ASSERT_TRUE(a.associate(basic_aarq()).ok());
  auto o = feed(a, kAareAuthFailure);
  EXPECT_FALSE(o.error);
  EXPECT_TRUE(o.send.empty());
  EXPECT_EQ(kinds(o), std::vector<Event::Kind>{Event::Kind::associate_rejected});
  EXPECT_EQ(std::get<Aare>(*o.events[0].apdu).diagnostic,
            SourceDiagnostic{UserDiagnostic::authentication_failure});
  EXPECT_EQ(a.state(), State::idle);
  // A new attempt is possible.
  EXPECT_TRUE(a.associate(basic_aarq()).ok());
}

TEST(AcseAssociationInitiator, AareWithoutVersion1IsAProviderAbort) {
  Association a(Role::initiator);
  ASSERT_TRUE(a.associate(basic_aarq()).ok());
  // 80 02 06 40: protocol-version with bit 1 only
  auto o = feed(a, "611980020640a107060528ca220203a203020100a305a103020100");
  expect_provider_abort(o, code(acse::Errc::unsupported_version), a);
}

TEST(AcseAssociationInitiator, UnencodableAarqIsRefusedWithoutStateChange) {
  Association a(Role::initiator);
  auto r = a.associate(Aarq{});  // no application-context-name
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, make_error_code(CoreErrc::invalid_argument));
  EXPECT_EQ(a.state(), State::idle);
}

// ============================================================================ responder

TEST(AcseAssociationResponder, IndicationThenRespondAcceptThenPeerRelease) {
  Association a(Role::responder);
  auto o = feed(a, kAarqWithUserInfo);
  EXPECT_FALSE(o.error);
  EXPECT_TRUE(o.send.empty());
  EXPECT_EQ(kinds(o), std::vector<Event::Kind>{Event::Kind::associate_indication});
  EXPECT_EQ(std::get<Aarq>(*o.events[0].apdu).user_information->size(), 1U);
  EXPECT_EQ(a.state(), State::awaiting_response);

  Aare accept;  // application-context-name left empty: filled in from the AARQ
  auto r = a.respond(accept);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(sent_hex(*r), std::vector<std::string>{std::string(kAareAccepted)});
  EXPECT_EQ(kinds(*r), std::vector<Event::Kind>{Event::Kind::associate_accepted});
  EXPECT_EQ(a.state(), State::associated);

  auto rq = feed(a, kRlrqNormal);
  EXPECT_FALSE(rq.error);
  EXPECT_TRUE(rq.send.empty());
  EXPECT_EQ(kinds(rq), std::vector<Event::Kind>{Event::Kind::release_indication});
  EXPECT_EQ(a.state(), State::awaiting_release_response);

  auto rs = a.respond_release();
  ASSERT_TRUE(rs.ok());
  EXPECT_EQ(sent_hex(*rs), std::vector<std::string>{std::string(kRlreNormal)});
  EXPECT_EQ(kinds(*rs), std::vector<Event::Kind>{Event::Kind::released});
  EXPECT_EQ(a.state(), State::idle);
}

TEST(AcseAssociationResponder, AcceptorCallbackRejectsWithAuthenticationFailure) {
  Association a(Role::responder);
  int calls = 0;
  a.set_acceptor([&](const Aarq& q) {
    ++calls;
    return make_reject(q, AssociateResult::rejected_permanent, UserDiagnostic::authentication_failure);
  });
  auto o = feed(a, kAarq);
  EXPECT_EQ(calls, 1);
  EXPECT_FALSE(o.error);
  EXPECT_EQ(sent_hex(o), std::vector<std::string>{std::string(kAareAuthFailure)});
  EXPECT_EQ(kinds(o),
            (std::vector<Event::Kind>{Event::Kind::associate_indication, Event::Kind::associate_rejected}));
  EXPECT_EQ(a.state(), State::idle);
}

TEST(AcseAssociationResponder, AcceptorCallbackAccepts) {
  Association a(Role::responder);
  a.set_acceptor([](const Aarq& q) { return make_accept(q); });
  auto o = feed(a, kAarq);
  EXPECT_EQ(sent_hex(o), std::vector<std::string>{std::string(kAareAccepted)});
  EXPECT_EQ(kinds(o),
            (std::vector<Event::Kind>{Event::Kind::associate_indication, Event::Kind::associate_accepted}));
  EXPECT_EQ(a.state(), State::associated);
  ASSERT_TRUE(a.aarq().has_value());
}

TEST(AcseAssociationResponder, AcceptorCallbackProducingUnencodableAareAborts) {
  Association a(Role::responder);
  a.set_acceptor([](const Aarq& q) {
    Aare bad = make_accept(q);
    bad.mechanism_name = ber::Oid{7};
    return bad;
  });
  auto o = feed(a, kAarq);
  expect_provider_abort(o, make_error_code(CoreErrc::invalid_argument), a);
}

TEST(AcseAssociationResponder, AarqWithoutVersion1GetsNoCommonAcseVersion) {
  Association a(Role::responder);
  a.set_acceptor([](const Aarq& q) { return make_accept(q); });  // must not be consulted
  // 60 0d 80 02 06 40 a1 07 ...: protocol-version offers only bit 1
  auto o = feed(a, "600d80020640a107060528ca220203");
  EXPECT_FALSE(o.error);
  // 61 19 80 02 07 80 (version1) a1 07 <ctx> a2 03 02 01 01 (rejected-permanent)
  //       a3 05 a2 03 02 01 02 (acse-service-provider no-common-acse-version)
  EXPECT_EQ(sent_hex(o), std::vector<std::string>{"611980020780a107060528ca220203a203020101a305a203020102"});
  EXPECT_EQ(kinds(o),
            (std::vector<Event::Kind>{Event::Kind::associate_indication, Event::Kind::associate_rejected}));
  EXPECT_EQ(a.state(), State::idle);
}

TEST(AcseAssociationResponder, LimitsAreAppliedToIncomingApdus) {
  Limits l;
  l.acse_max_user_information = 0;
  Association a(Role::responder, l);
  auto o = feed(a, kAarqWithUserInfo);
  expect_provider_abort(o, code(acse::Errc::too_many_user_information), a);
}

// ============================================================================ aborts

TEST(AcseAssociationAbort, PeerAbortInAssociated) {
  Association a = associated_initiator();
  auto o = feed(a, kAbrtUser);
  EXPECT_FALSE(o.error);
  EXPECT_TRUE(o.send.empty());
  EXPECT_EQ(kinds(o), std::vector<Event::Kind>{Event::Kind::abort_indication});
  EXPECT_EQ(a.state(), State::idle);
}

TEST(AcseAssociationAbort, PeerAbortWhileAwaitingAare) {
  Association a(Role::initiator);
  ASSERT_TRUE(a.associate(basic_aarq()).ok());
  auto o = feed(a, kAbrtProvider);
  EXPECT_EQ(kinds(o), std::vector<Event::Kind>{Event::Kind::abort_indication});
  EXPECT_EQ(std::get<Abrt>(*o.events[0].apdu).diagnostic, AbortDiagnostic::protocol_error);
  EXPECT_EQ(a.state(), State::idle);
}

TEST(AcseAssociationAbort, PeerAbortInIdleIsDiscarded) {
  Association a(Role::responder);
  auto o = feed(a, kAbrtUser);
  EXPECT_FALSE(o.error);
  EXPECT_TRUE(o.send.empty());
  EXPECT_TRUE(o.events.empty());
  EXPECT_EQ(a.state(), State::idle);
}

TEST(AcseAssociationAbort, LocalAbortIsAlwaysFromTheServiceUser) {
  Association a = associated_responder();
  auto r = a.abort(Abrt{AbortSource::service_provider, std::nullopt, std::nullopt});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(sent_hex(*r), std::vector<std::string>{std::string(kAbrtUser)});
  EXPECT_EQ(a.state(), State::idle);
}

TEST(AcseAssociationAbort, LocalAbortWhileAwaitingResponse) {
  Association a(Role::responder);
  (void)feed(a, kAarq);
  ASSERT_EQ(a.state(), State::awaiting_response);
  auto r = a.abort();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(a.state(), State::idle);
}

// ============================================================================ unexpected / malformed

TEST(AcseAssociationUnexpected, AareToResponderInIdle) {
  Association a(Role::responder);
  expect_provider_abort(feed(a, kAareAccepted), code(acse::Errc::unexpected_apdu), a);
}

TEST(AcseAssociationUnexpected, AarqToInitiator) {
  Association a(Role::initiator);
  expect_provider_abort(feed(a, kAarq), code(acse::Errc::unexpected_apdu), a);
}

TEST(AcseAssociationUnexpected, SecondAarqWhenAssociated) {
  Association a = associated_responder();
  expect_provider_abort(feed(a, kAarq), code(acse::Errc::unexpected_apdu), a);
}

TEST(AcseAssociationUnexpected, AarqWhileAwaitingResponse) {
  Association a(Role::responder);
  (void)feed(a, kAarq);
  expect_provider_abort(feed(a, kAarq), code(acse::Errc::unexpected_apdu), a);
}

TEST(AcseAssociationUnexpected, SecondAareWhenAssociated) {
  Association a = associated_initiator();
  expect_provider_abort(feed(a, kAareAccepted), code(acse::Errc::unexpected_apdu), a);
}

TEST(AcseAssociationUnexpected, RlreWhenAssociated) {
  Association a = associated_initiator();
  expect_provider_abort(feed(a, kRlreNormal), code(acse::Errc::unexpected_apdu), a);
}

TEST(AcseAssociationUnexpected, RlrqWhileAwaitingAare) {
  Association a(Role::initiator);
  ASSERT_TRUE(a.associate(basic_aarq()).ok());
  expect_provider_abort(feed(a, kRlrqNormal), code(acse::Errc::unexpected_apdu), a);
}

TEST(AcseAssociationUnexpected, RlrqInIdle) {
  Association a(Role::responder);
  expect_provider_abort(feed(a, kRlrqNormal), code(acse::Errc::unexpected_apdu), a);
}

TEST(AcseAssociationUnexpected, RlrqWhileAwaitingReleaseResponse) {
  Association a = associated_responder();
  (void)feed(a, kRlrqNormal);
  expect_provider_abort(feed(a, kRlrqNormal), code(acse::Errc::unexpected_apdu), a);
}

TEST(AcseAssociationMalformed, TruncatedApduWhenAssociated) {
  Association a = associated_initiator();
  auto o = feed(a, "620380");
  expect_provider_abort(o, ber::make_error_code(ber::Errc::length_overflow), a);
}

TEST(AcseAssociationMalformed, TruncatedAarqInIdle) {
  Association a(Role::responder);
  auto o = feed(a, "6009a107060628ca220203");
  expect_provider_abort(o, ber::make_error_code(ber::Errc::length_overflow), a);
  EXPECT_EQ(o.error->offset, 5U);
}

TEST(AcseAssociationMalformed, ErrorOffsetHonoursBaseOffset) {
  Association a(Role::responder);
  const Bytes b = hex("6009a107060628ca220203");
  auto o = a.on_bytes(b, 40);
  ASSERT_TRUE(o.error);
  EXPECT_EQ(o.error->offset, 45U);
}

TEST(AcseAssociationMalformed, EmptyInput) {
  Association a = associated_responder();
  auto o = a.on_bytes(ByteView{});
  expect_provider_abort(o, make_error_code(CoreErrc::truncated), a);
}

// ============================================================================ local misuse

TEST(AcseAssociationMisuse, RequestsInTheWrongState) {
  Association r(Role::responder);
  EXPECT_EQ(r.associate(basic_aarq()).error().code, code(acse::Errc::invalid_state));
  EXPECT_EQ(r.respond(Aare{}).error().code, code(acse::Errc::invalid_state));
  EXPECT_EQ(r.release().error().code, code(acse::Errc::invalid_state));
  EXPECT_EQ(r.respond_release().error().code, code(acse::Errc::invalid_state));
  EXPECT_EQ(r.abort().error().code, code(acse::Errc::invalid_state));
  EXPECT_EQ(r.state(), State::idle);

  Association i(Role::initiator);
  ASSERT_TRUE(i.associate(basic_aarq()).ok());
  EXPECT_EQ(i.associate(basic_aarq()).error().code, code(acse::Errc::invalid_state));
  EXPECT_EQ(i.release().error().code, code(acse::Errc::invalid_state));
  EXPECT_EQ(i.state(), State::awaiting_aare);

  Association a = associated_initiator();
  EXPECT_EQ(a.respond_release().error().code, code(acse::Errc::invalid_state));
  ASSERT_TRUE(a.release().ok());
  EXPECT_EQ(a.release().error().code, code(acse::Errc::invalid_state));
  EXPECT_EQ(a.state(), State::awaiting_rlre);
}

TEST(AcseAssociationMisuse, UnencodableReleaseLeavesStateAlone) {
  Association a = associated_initiator();
  Rlrq bad{ReleaseRequestReason::normal, UserInformation{ber::External{}}};  // single-ASN1-type without a TLV
  auto r = a.release(bad);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(a.state(), State::associated);
}

// ============================================================================ two machines

namespace {
// Deliver every APDU in `o.send` to `to`, collecting its outputs.
std::vector<Output> deliver(const Output& o, Association& to) {
  std::vector<Output> outs;
  for (const auto& b : o.send) outs.push_back(to.on_bytes(b));
  return outs;
}
}  // namespace

TEST(AcseAssociationPair, FullLifecycleOverBytes) {
  Association client(Role::initiator);
  Association server(Role::responder);
  server.set_acceptor([](const Aarq& q) { return make_accept(q); });
  auto aarq = client.associate(basic_aarq());
  ASSERT_TRUE(aarq.ok());
  auto at_server = deliver(*aarq, server);
  ASSERT_EQ(at_server.size(), 1U);
  auto at_client = deliver(at_server[0], client);
  ASSERT_EQ(at_client.size(), 1U);
  EXPECT_EQ(client.state(), State::associated);
  EXPECT_EQ(server.state(), State::associated);

  auto rlrq = client.release();
  ASSERT_TRUE(rlrq.ok());
  (void)deliver(*rlrq, server);
  auto rlre = server.respond_release();
  ASSERT_TRUE(rlre.ok());
  (void)deliver(*rlre, client);
  EXPECT_EQ(client.state(), State::idle);
  EXPECT_EQ(server.state(), State::idle);
}

TEST(AcseAssociationPair, ReleaseCollisionEndsOnBothSides) {
  Association client(Role::initiator);
  Association server(Role::responder);
  server.set_acceptor([](const Aarq& q) { return make_accept(q); });
  auto aarq = client.associate(basic_aarq());
  ASSERT_TRUE(aarq.ok());
  (void)deliver(deliver(*aarq, server)[0], client);
  ASSERT_EQ(client.state(), State::associated);

  auto c_rlrq = client.release();
  auto s_rlrq = server.release();
  ASSERT_TRUE(c_rlrq.ok() && s_rlrq.ok());
  // Both RLRQs cross on the wire.
  auto at_server = deliver(*c_rlrq, server);
  auto at_client = deliver(*s_rlrq, client);
  ASSERT_EQ(at_server.size(), 1U);
  ASSERT_EQ(at_client.size(), 1U);
  EXPECT_EQ(sent_hex(at_server[0]), std::vector<std::string>{std::string(kRlreNormal)});
  EXPECT_EQ(sent_hex(at_client[0]), std::vector<std::string>{std::string(kRlreNormal)});
  EXPECT_EQ(kinds(at_server[0]), std::vector<Event::Kind>{Event::Kind::release_indication});
  EXPECT_EQ(server.state(), State::awaiting_rlre);
  EXPECT_EQ(client.state(), State::awaiting_rlre);
  // The RLREs cross too; both sides end.
  auto s_done = deliver(at_server[0], client);
  auto c_done = deliver(at_client[0], server);
  EXPECT_EQ(kinds(s_done[0]), std::vector<Event::Kind>{Event::Kind::release_confirm});
  EXPECT_EQ(kinds(c_done[0]), std::vector<Event::Kind>{Event::Kind::release_confirm});
  EXPECT_EQ(client.state(), State::idle);
  EXPECT_EQ(server.state(), State::idle);
}

TEST(AcseAssociationNames, StateNames) {
  EXPECT_STREQ(state_name(State::idle), "idle");
  EXPECT_STREQ(state_name(State::awaiting_aare), "awaiting-AARE");
  EXPECT_STREQ(state_name(State::awaiting_response), "awaiting-response");
  EXPECT_STREQ(state_name(State::associated), "associated");
  EXPECT_STREQ(state_name(State::awaiting_rlre), "awaiting-RLRE");
  EXPECT_STREQ(state_name(State::awaiting_release_response), "awaiting-release-response");
}
