// SPDX-License-Identifier: Apache-2.0
// Session protocol machine: transitions for initiator and responder, version negotiation,
// automatic refusals, and the provider abort for every unexpected SPDU in every state.
#include "mmssec/session/connection.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>

namespace mmssec::session {
namespace {

Bytes hex(std::string_view h) {
  auto r = from_hex(h);
  EXPECT_TRUE(r.ok()) << h;
  return r.ok() ? *r : Bytes{};
}

Bytes filled(std::size_t n) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(i * 7);
  return b;
}

const Bytes kPpdu = {0x31, 0x02, 0xa0, 0x00};

// The TSDUs of a typical libiec61850 association (see spdu_test.cpp for the byte layout).
const std::string_view kCn = "0d1a 0506 130100 160102 14020002 33020001 34020001 c104 3102a000";
const std::string_view kAc = "0e16 0506 130100 160102 14020002 34020001 c104 3102a000";
// AB a protocol machine sends on a protocol error: Transport Disconnect = released | protocol error.
const std::string_view kProtocolErrorAb = "1903110105";

Output take(Result<Output> r) {
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().describe());
  return r.ok() ? std::move(*r) : Output{};
}

void expect_provider_abort(const Output& out, Errc why) {
  ASSERT_EQ(out.send.size(), 1U);
  EXPECT_EQ(to_hex(out.send[0]), kProtocolErrorAb);
  ASSERT_EQ(out.events.size(), 1U);
  EXPECT_EQ(out.events[0].kind, Event::Kind::provider_abort);
  ASSERT_TRUE(out.error);
  EXPECT_EQ(*out.error, Error(why));
  EXPECT_TRUE(out.close_transport);
}

// ---- initiator ----

TEST(SessionConnection, InitiatorSendsLibiec61850Connect) {
  Connection c(Role::initiator);
  const Output out = take(c.connect(kPpdu));
  ASSERT_EQ(out.send.size(), 1U);
  EXPECT_EQ(to_hex(out.send[0]), to_hex(hex(kCn)));
  EXPECT_EQ(c.state(), State::awaiting_accept);
  EXPECT_TRUE(out.events.empty());
}

TEST(SessionConnection, InitiatorFullLifecycle) {
  Connection c(Role::initiator);
  (void)take(c.connect(kPpdu));
  Output out = c.on_tsdu(hex(kAc));
  ASSERT_EQ(out.events.size(), 1U);
  EXPECT_EQ(out.events[0].kind, Event::Kind::connect_confirm);
  EXPECT_EQ(out.events[0].user_data, kPpdu);
  EXPECT_EQ(c.state(), State::connected);
  EXPECT_EQ(c.version(), kVersion2);

  out = take(c.send_data(hex("6102")));
  ASSERT_EQ(out.send.size(), 1U);
  EXPECT_EQ(to_hex(out.send[0]), "010001006102");

  out = c.on_tsdu(hex("01000100 61023000"));
  ASSERT_EQ(out.events.size(), 1U);
  EXPECT_EQ(out.events[0].kind, Event::Kind::data);
  EXPECT_EQ(out.events[0].user_data, hex("61023000"));

  out = take(c.finish(hex("aabb")));
  EXPECT_EQ(to_hex(out.send.at(0)), "0904c102aabb");
  EXPECT_EQ(c.state(), State::awaiting_disconnect);

  // Duplex: data still arrives before the DN.
  out = c.on_tsdu(hex("01000100 61"));
  EXPECT_EQ(out.events.at(0).kind, Event::Kind::data);

  out = c.on_tsdu(hex("0a04c102ccdd"));
  ASSERT_EQ(out.events.size(), 1U);
  EXPECT_EQ(out.events[0].kind, Event::Kind::disconnect_confirm);
  EXPECT_EQ(out.events[0].user_data, hex("ccdd"));
  EXPECT_TRUE(out.close_transport);
  EXPECT_EQ(c.state(), State::idle);
}

TEST(SessionConnection, InitiatorRefused) {
  Connection c(Role::initiator);
  (void)take(c.connect(kPpdu));
  const Output out = c.on_tsdu(hex("0c05320302aabb"));
  ASSERT_EQ(out.events.size(), 1U);
  EXPECT_EQ(out.events[0].kind, Event::Kind::connect_refused);
  EXPECT_EQ(out.events[0].reason, reason::kUserWithData);
  EXPECT_EQ(out.events[0].user_data, hex("aabb"));
  EXPECT_TRUE(out.close_transport);
  EXPECT_FALSE(out.error);
  EXPECT_EQ(c.state(), State::idle);
}

TEST(SessionConnection, InitiatorRejectsAcceptWithUnproposedVersion) {
  Connection c(Role::initiator);
  (void)take(c.connect(kPpdu));
  // AC selecting version 1 although only version 2 was proposed.
  expect_provider_abort(c.on_tsdu(hex("0e08 0506 130100 160101")), Errc::version_not_supported);
  EXPECT_EQ(c.state(), State::idle);
}

TEST(SessionConnection, InitiatorRejectsAcceptWithTwoVersions) {
  Config cfg;
  cfg.proposed_versions = kVersion1 | kVersion2;
  Connection c(Role::initiator, cfg);
  (void)take(c.connect(kPpdu));
  expect_provider_abort(c.on_tsdu(hex("0e08 0506 130100 160103")), Errc::version_not_supported);
}

TEST(SessionConnection, InitiatorAcceptsVersion1WhenProposed) {
  Config cfg;
  cfg.proposed_versions = kVersion1 | kVersion2;
  Connection c(Role::initiator, cfg);
  const Output cn = take(c.connect(kPpdu));
  EXPECT_EQ(to_hex(ByteView(cn.send.at(0)).subspan(2, 8)), "0506130100160103");
  const Output out = c.on_tsdu(hex("0e08 0506 130100 160101"));
  EXPECT_EQ(out.events.at(0).kind, Event::Kind::connect_confirm);
  EXPECT_EQ(c.version(), kVersion1);
}

TEST(SessionConnection, InitiatorRejectsAcceptWithoutDuplex) {
  Connection c(Role::initiator);
  (void)take(c.connect(kPpdu));
  expect_provider_abort(c.on_tsdu(hex("0e0c 0506 130100 160102 14020001")),
                        Errc::functional_unit_not_supported);
}

TEST(SessionConnection, InitiatorConnectRejectsOversizedUserData) {
  Connection c(Role::initiator);
  EXPECT_EQ(c.connect(filled(10241)).error(), Error(Errc::invalid_argument));
  EXPECT_EQ(c.state(), State::idle);
  Config v1;
  v1.proposed_versions = kVersion1;
  Connection c1(Role::initiator, v1);
  EXPECT_EQ(c1.connect(filled(513)).error(), Error(Errc::invalid_argument));
  EXPECT_TRUE(c1.connect(filled(512)).ok());
}

// ---- responder ----

TEST(SessionConnection, ResponderFullLifecycleMirrorsLibiec61850) {
  Connection s(Role::responder);
  Output out = s.on_tsdu(hex(kCn));
  ASSERT_EQ(out.events.size(), 1U);
  EXPECT_EQ(out.events[0].kind, Event::Kind::connect_indication);
  EXPECT_EQ(out.events[0].user_data, kPpdu);
  EXPECT_TRUE(out.send.empty());
  EXPECT_EQ(s.state(), State::awaiting_connect_response);
  ASSERT_TRUE(s.connect_spdu());
  EXPECT_EQ(*s.connect_spdu()->calling_session_selector, (Bytes{0x00, 0x01}));

  out = take(s.accept(kPpdu));
  EXPECT_EQ(to_hex(out.send.at(0)), to_hex(hex(kAc)));
  EXPECT_EQ(s.state(), State::connected);

  out = s.on_tsdu(hex("01000100 a0"));
  EXPECT_EQ(out.events.at(0).kind, Event::Kind::data);

  out = s.on_tsdu(hex("0904c102aabb"));
  EXPECT_EQ(out.events.at(0).kind, Event::Kind::finish_indication);
  EXPECT_EQ(out.events.at(0).user_data, hex("aabb"));
  EXPECT_EQ(s.state(), State::awaiting_finish_response);

  // Data may still be sent before answering the FN.
  EXPECT_TRUE(s.send_data(hex("61")).ok());

  out = take(s.disconnect(hex("ccdd")));
  EXPECT_EQ(to_hex(out.send.at(0)), "0a04c102ccdd");
  EXPECT_TRUE(out.close_transport);
  EXPECT_EQ(s.state(), State::idle);
}

TEST(SessionConnection, LargeUserDataBothDirections) {
  Connection c(Role::initiator);
  Connection s(Role::responder);
  const Bytes aarq = filled(3000);
  const Bytes aare = filled(2000);
  Output out = take(c.connect(aarq));
  EXPECT_EQ(to_hex(ByteView(out.send.at(0)).first(2)), "0dff");
  out = s.on_tsdu(out.send.at(0));
  EXPECT_EQ(out.events.at(0).user_data, aarq);
  EXPECT_EQ(s.version(), kVersion2);
  out = take(s.accept(aare));
  EXPECT_EQ(to_hex(ByteView(out.send.at(0)).first(2)), "0eff");
  out = c.on_tsdu(out.send.at(0));
  EXPECT_EQ(out.events.at(0).kind, Event::Kind::connect_confirm);
  EXPECT_EQ(out.events.at(0).user_data, aare);
  EXPECT_EQ(c.state(), State::connected);
  EXPECT_EQ(s.state(), State::connected);
}

TEST(SessionConnection, ResponderAcceptsVersion1OnlyPeer) {
  Connection s(Role::responder);
  // CN proposing version 1 only, duplex, 2 octets of user data.
  Output out = s.on_tsdu(hex("0d10 0506 130100 160101 14020002 c102aabb"));
  EXPECT_EQ(out.events.at(0).kind, Event::Kind::connect_indication);
  EXPECT_EQ(s.version(), kVersion1);
  out = take(s.accept(hex("ccdd")));
  // 0e 10 | 05 06 13 01 00 16 01 01 (version 1 selected) | 14 02 00 02 | c1 02 ccdd
  EXPECT_EQ(to_hex(out.send.at(0)),
            "0e100506130100160101140200"
            "02c102ccdd");
}

TEST(SessionConnection, ResponderVersion1CannotAcceptLargeUserData) {
  Connection s(Role::responder);
  (void)s.on_tsdu(hex("0d10 0506 130100 160101 14020002 c102aabb"));
  EXPECT_EQ(s.accept(filled(513)).error(), Error(Errc::invalid_argument));
  EXPECT_EQ(s.state(), State::awaiting_connect_response);
}

TEST(SessionConnection, ResponderRefusesWhenNoCommonVersion) {
  Config cfg;
  cfg.accepted_versions = kVersion2;
  Connection s(Role::responder, cfg);
  const Output out = s.on_tsdu(hex("0d0c 0506 130100 160101 14020002"));
  // RF: 0c 09 | 11 01 01 released | 16 01 02 versions we support | 32 01 84
  ASSERT_EQ(out.send.size(), 1U);
  EXPECT_EQ(to_hex(out.send[0]), "0c09110101160102320184");
  EXPECT_EQ(out.events.at(0).kind, Event::Kind::connect_refused);
  EXPECT_EQ(out.events.at(0).reason, reason::kVersionsNotSupported);
  EXPECT_EQ(*out.error, Error(Errc::version_not_supported));
  EXPECT_TRUE(out.close_transport);
  EXPECT_EQ(s.state(), State::idle);
}

TEST(SessionConnection, ResponderRefusesWithoutDuplex) {
  Connection s(Role::responder);
  const Output out = s.on_tsdu(hex("0d0c 0506 130100 160102 14020001"));
  EXPECT_EQ(to_hex(out.send.at(0)), "0c06110101320186");
  EXPECT_EQ(*out.error, Error(Errc::functional_unit_not_supported));
}

TEST(SessionConnection, ResponderRefusesDefaultRequirements) {
  Connection s(Role::responder);  // no PI 20: X.225 default lacks duplex
  const Output out = s.on_tsdu(hex("0d08 0506 130100 160102"));
  EXPECT_EQ(out.events.at(0).reason, reason::kSpmImplementationRestriction);
}

TEST(SessionConnection, ResponderRefusesDataOverflow) {
  Connection s(Role::responder);
  const Output out = s.on_tsdu(hex("0d0f 0506 130100 160102 14020002 3c0101"));
  EXPECT_EQ(out.events.at(0).reason, reason::kSpmImplementationRestriction);
  EXPECT_EQ(s.state(), State::idle);
}

TEST(SessionConnection, ResponderUserRefusal) {
  Connection s(Role::responder);
  (void)s.on_tsdu(hex(kCn));
  const Output out = take(s.refuse(hex("aabb")));
  // 0c 08 | 11 01 01 | 32 03 02 aabb
  EXPECT_EQ(to_hex(out.send.at(0)), "0c08110101320302aabb");
  EXPECT_EQ(out.events.at(0).kind, Event::Kind::connect_refused);
  EXPECT_TRUE(out.close_transport);
  EXPECT_EQ(s.state(), State::idle);
}

// ---- abort ----

TEST(SessionConnection, UserAbortLikeLibiec61850) {
  Connection c(Role::initiator);
  (void)take(c.connect(kPpdu));
  const Output out = take(c.abort(hex("aabb")));
  EXPECT_EQ(to_hex(out.send.at(0)), "190711010bc102aabb");
  EXPECT_TRUE(out.close_transport);
  EXPECT_EQ(c.state(), State::idle);
}

TEST(SessionConnection, PeerAbortIndication) {
  Connection s(Role::responder);
  (void)s.on_tsdu(hex(kCn));
  (void)take(s.accept(kPpdu));
  const Output out = s.on_tsdu(hex("190711010bc102aabb"));
  EXPECT_TRUE(out.send.empty());
  EXPECT_EQ(out.events.at(0).kind, Event::Kind::abort_indication);
  EXPECT_EQ(out.events.at(0).user_data, hex("aabb"));
  EXPECT_TRUE(out.close_transport);
  EXPECT_EQ(s.state(), State::idle);
}

TEST(SessionConnection, PeerAbortKeepingTransportGetsAbortAccept) {
  Connection c(Role::initiator);
  (void)take(c.connect(kPpdu));
  const Output out = c.on_tsdu(hex("1903110102"));  // kept, user abort
  ASSERT_EQ(out.send.size(), 1U);
  EXPECT_EQ(to_hex(out.send[0]), "1a00");
  EXPECT_EQ(out.events.at(0).kind, Event::Kind::abort_indication);
}

TEST(SessionConnection, AbortAndAbortAcceptDiscardedInIdle) {
  Connection s(Role::responder);
  Output out = s.on_tsdu(hex("1903110105"));
  EXPECT_TRUE(out.send.empty());
  EXPECT_TRUE(out.events.empty());
  out = s.on_tsdu(hex("1a00"));
  EXPECT_TRUE(out.send.empty());
  EXPECT_TRUE(out.events.empty());
  EXPECT_EQ(s.state(), State::idle);
}

TEST(SessionConnection, LoneGiveTokensIgnoredWhenConnected) {
  Connection s(Role::responder);
  (void)s.on_tsdu(hex(kCn));
  (void)take(s.accept(kPpdu));
  const Output out = s.on_tsdu(hex("0100"));
  EXPECT_TRUE(out.send.empty());
  EXPECT_TRUE(out.events.empty());
  EXPECT_EQ(s.state(), State::connected);
}

TEST(SessionConnection, MalformedTsduGivesProviderAbortWithDecodeError) {
  Connection s(Role::responder);
  (void)s.on_tsdu(hex(kCn));
  (void)take(s.accept(kPpdu));
  const Output out = s.on_tsdu(hex("0d05 0500"), 40);
  expect_provider_abort(out, Errc::spdu_length_overflow);
  EXPECT_EQ(out.error->offset, 40U);
  EXPECT_EQ(s.state(), State::idle);
}

TEST(SessionConnection, UserDataLimitGivesProviderAbort) {
  Limits limits;
  limits.session_max_user_data = 2;
  Connection s(Role::responder, Config{}, limits);
  expect_provider_abort(s.on_tsdu(hex(kCn)), Errc::user_data_limit);
}

// ---- local requests in the wrong state ----

TEST(SessionConnection, RequestsInWrongStateFailWithoutChange) {
  Connection c(Role::initiator);
  EXPECT_EQ(c.accept(kPpdu).error(), Error(Errc::invalid_state));
  EXPECT_EQ(c.refuse(std::nullopt).error(), Error(Errc::invalid_state));
  EXPECT_EQ(c.send_data(kPpdu).error(), Error(Errc::invalid_state));
  EXPECT_EQ(c.finish({}).error(), Error(Errc::invalid_state));
  EXPECT_EQ(c.disconnect({}).error(), Error(Errc::invalid_state));
  EXPECT_EQ(c.abort().error(), Error(Errc::invalid_state));
  EXPECT_EQ(c.state(), State::idle);
  (void)take(c.connect(kPpdu));
  EXPECT_EQ(c.connect(kPpdu).error(), Error(Errc::invalid_state));
  EXPECT_EQ(c.send_data(kPpdu).error(), Error(Errc::invalid_state));
  EXPECT_EQ(c.state(), State::awaiting_accept);

  Connection s(Role::responder);
  EXPECT_EQ(s.connect(kPpdu).error(), Error(Errc::invalid_state));
  (void)s.on_tsdu(hex(kCn));
  (void)take(s.accept(kPpdu));
  EXPECT_EQ(s.disconnect({}).error(), Error(Errc::invalid_state));
  (void)take(s.finish({}));
  EXPECT_EQ(s.send_data(kPpdu).error(), Error(Errc::invalid_state));
  EXPECT_EQ(s.finish({}).error(), Error(Errc::invalid_state));
  EXPECT_EQ(s.state(), State::awaiting_disconnect);
}

// ---- every SPDU type in every state ----

struct Case {
  const char* name;
  Role role;
  std::function<void(Connection&)> reach;
  State state;
};

std::vector<Case> states() {
  return {
      {"initiator_idle", Role::initiator, [](Connection&) {}, State::idle},
      {"responder_idle", Role::responder, [](Connection&) {}, State::idle},
      {"awaiting_accept", Role::initiator, [](Connection& c) { (void)c.connect(kPpdu); },
       State::awaiting_accept},
      {"awaiting_connect_response", Role::responder, [](Connection& c) { (void)c.on_tsdu(hex(kCn)); },
       State::awaiting_connect_response},
      {"initiator_connected", Role::initiator,
       [](Connection& c) {
         (void)c.connect(kPpdu);
         (void)c.on_tsdu(hex(kAc));
       },
       State::connected},
      {"responder_connected", Role::responder,
       [](Connection& c) {
         (void)c.on_tsdu(hex(kCn));
         (void)c.accept(kPpdu);
       },
       State::connected},
      {"awaiting_disconnect", Role::initiator,
       [](Connection& c) {
         (void)c.connect(kPpdu);
         (void)c.on_tsdu(hex(kAc));
         (void)c.finish({});
       },
       State::awaiting_disconnect},
      {"awaiting_finish_response", Role::responder,
       [](Connection& c) {
         (void)c.on_tsdu(hex(kCn));
         (void)c.accept(kPpdu);
         (void)c.on_tsdu(hex("0900"));
       },
       State::awaiting_finish_response},
  };
}

struct Input {
  const char* name;
  std::string_view tsdu;
};

const Input kInputs[] = {
    {"CN", kCn},          {"AC", kAc},    {"RF", "0c03320100"}, {"FN", "0900"},        {"DN", "0a00"},
    {"AB", "1903110105"}, {"AA", "1a00"}, {"GT", "0100"},       {"DT", "01000100 61"},
};

/// Which (state, SPDU) pairs are valid; everything else must produce a provider abort.
bool allowed(const Case& c, std::string_view spdu) {
  switch (c.state) {
    case State::idle: return spdu == "AB" || spdu == "AA" || (c.role == Role::responder && spdu == "CN");
    case State::awaiting_accept: return spdu == "AC" || spdu == "RF" || spdu == "AB";
    case State::awaiting_connect_response: return spdu == "AB";
    case State::connected: return spdu == "DT" || spdu == "GT" || spdu == "FN" || spdu == "AB";
    case State::awaiting_disconnect: return spdu == "DT" || spdu == "GT" || spdu == "DN" || spdu == "AB";
    case State::awaiting_finish_response: return spdu == "AB";
  }
  return false;
}

TEST(SessionConnection, EveryUnexpectedSpduInEveryStateAborts) {
  int unexpected = 0;
  for (const Case& c : states()) {
    for (const Input& in : kInputs) {
      Connection conn(c.role);
      c.reach(conn);
      ASSERT_EQ(conn.state(), c.state) << c.name;
      const Output out = conn.on_tsdu(hex(in.tsdu));
      if (allowed(c, in.name)) {
        EXPECT_FALSE(out.error) << c.name << " / " << in.name;
        continue;
      }
      ++unexpected;
      SCOPED_TRACE(std::string(c.name) + " / " + in.name);
      expect_provider_abort(out, Errc::unexpected_spdu);
      EXPECT_EQ(conn.state(), State::idle);
    }
  }
  EXPECT_EQ(unexpected, 50);
}

TEST(SessionConnection, StateNames) {
  EXPECT_STREQ(state_name(State::awaiting_finish_response), "awaiting_finish_response");
  EXPECT_STREQ(state_name(State::idle), "idle");
}

}  // namespace
}  // namespace mmssec::session

namespace mmssec::session {
namespace {

// ---- data-transfer fast path: the same octets and the same decisions as send_data() / on_tsdu() ----

TEST(SessionDataFastPath, HeaderPlusUserInformationEqualsSendData) {
  Connection c(Role::initiator);
  Bytes out = {0x77};
  auto st = c.encode_data_header(out);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error(), Error(Errc::invalid_state));
  EXPECT_EQ(out, Bytes{0x77});
  (void)take(c.connect(kPpdu));
  (void)c.on_tsdu(hex(kAc));
  ASSERT_EQ(c.state(), State::connected);
  const Bytes ui = filled(300);
  Bytes fast;
  ASSERT_TRUE(c.encode_data_header(fast).ok());
  fast.insert(fast.end(), ui.begin(), ui.end());
  EXPECT_EQ(fast, take(c.send_data(ui)).send.at(0));
  EXPECT_EQ(fast, encode_data_tsdu(ui));
}

TEST(SessionDataFastPath, ViewEqualsDeliveredUserInformation) {
  Connection c(Role::initiator);
  EXPECT_FALSE(c.data_user_information(hex("01000100 6102")).has_value());  // idle
  (void)take(c.connect(kPpdu));
  (void)c.on_tsdu(hex(kAc));
  for (const std::string_view tsdu : {"01000100 61023000", "01000100"}) {
    SCOPED_TRACE(tsdu);
    const Bytes b = hex(tsdu);
    auto view = c.data_user_information(b);
    ASSERT_TRUE(view.has_value());
    Output out = c.on_tsdu(b);
    ASSERT_EQ(out.events.size(), 1U);
    EXPECT_EQ(out.events[0].kind, Event::Kind::data);
    EXPECT_EQ(Bytes(view->begin(), view->end()), out.events[0].user_data);
  }
  // Other forms of a data TSDU go through on_tsdu(): a lone DT, a GT with a Token Item.
  EXPECT_FALSE(c.data_user_information(hex("0100 6102")).has_value());
  EXPECT_FALSE(c.data_user_information(hex("0103100100 0100 6102")).has_value());
  EXPECT_FALSE(c.data_user_information(hex("0100")).has_value());
  EXPECT_FALSE(c.data_user_information(hex(kAc)).has_value());
  // Duplex: data is still taken while our FN waits for the DN.
  (void)take(c.finish(hex("aabb")));
  ASSERT_EQ(c.state(), State::awaiting_disconnect);
  EXPECT_TRUE(c.data_user_information(hex("01000100 61")).has_value());
  Bytes out;
  EXPECT_FALSE(c.encode_data_header(out).ok());
}

}  // namespace
}  // namespace mmssec::session
