// SPDX-License-Identifier: Apache-2.0
// ISO 8073 class 0 connection: establishment and TPDU size negotiation from both sides,
// segmentation and reassembly (with the limit), and the class 0 reaction (ER or DR, then release
// of the network connection) to every protocol error.
#include "mmssec/cotp/connection.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace mmssec;
using namespace mmssec::cotp;

namespace {
Bytes hex(std::string_view h) {
  auto b = from_hex(h);
  EXPECT_TRUE(b.ok()) << h;
  return b.ok() ? *b : Bytes{};
}
std::error_code code(cotp::Errc e) { return make_error_code(e); }
std::error_code code(CoreErrc e) { return make_error_code(e); }

// CR 17 octets: CR, DST-REF 0, SRC-REF 1, class 0, tpdu-size 8192, called 0001, calling 0001.
const char* const kClassicCr = "11e00000000100c0010dc2020001c1020001";

std::vector<std::string> hexes(const std::vector<Bytes>& v) {
  std::vector<std::string> out;
  for (const auto& b : v) out.push_back(to_hex(b));
  return out;
}

template <class T>
const T& event_as(const Output& out, std::size_t i = 0) {
  static const T kEmpty{};
  if (i >= out.events.size() || !std::holds_alternative<T>(out.events[i])) {
    ADD_FAILURE() << "event " << i << " missing or of another type";
    return kEmpty;
  }
  return std::get<T>(out.events[i]);
}

/// A responder connected through the classic CR (8192 octets unless limited).
Connection open_responder(const Limits& limits = default_limits(), ConnectionConfig cfg = {}) {
  Connection c(Role::responder, std::move(cfg), limits);
  auto out = c.receive(hex(kClassicCr));
  EXPECT_FALSE(out.error.has_value());
  EXPECT_EQ(c.state(), State::open);
  return c;
}

/// A CR proposing `code` (absent when 0).
Bytes cr_with_size(std::uint8_t size_code) {
  Cr cr;
  cr.src_ref = 0x4242;
  if (size_code != 0) cr.tpdu_size_code = size_code;
  Bytes b;
  EXPECT_TRUE(encode(cr, b).ok());
  return b;
}
}  // namespace

// ---------------------------------------------------------------- responder establishment

TEST(CotpResponder, ClassicCrIsAnsweredWithCc) {
  ConnectionConfig cfg;
  cfg.local_ref = 0x0002;
  Connection c(Role::responder, cfg);
  auto out = c.receive(hex(kClassicCr));
  ASSERT_FALSE(out.error.has_value());
  // CC: DST-REF 0001 (their SRC-REF), SRC-REF 0002, class 0, tpdu-size 8192, the TSAPs echoed.
  EXPECT_EQ(hexes(out.send), (std::vector<std::string>{"11d00001000200c0010dc2020001c1020001"}));
  EXPECT_FALSE(out.close_network);
  const auto& ev = event_as<Connected>(out);
  EXPECT_EQ(ev.calling_tsap, hex("0001"));
  EXPECT_EQ(ev.called_tsap, hex("0001"));
  EXPECT_EQ(ev.tpdu_size, 8192U);
  EXPECT_EQ(ev.remote_ref, 1);
  EXPECT_EQ(c.state(), State::open);
  EXPECT_EQ(c.tpdu_size(), 8192U);
}

TEST(CotpResponder, CrWithoutTsapsGetsCcWithoutTsaps) {
  Connection c(Role::responder);
  auto out = c.receive(cr_with_size(10));
  ASSERT_EQ(out.send.size(), 1U);
  EXPECT_EQ(to_hex(out.send[0]), "09d04242000100c0010a");
  EXPECT_FALSE(event_as<Connected>(out).calling_tsap.has_value());
}

TEST(CotpNegotiation, ResponderTakesTheSmallerProposedSize) {
  Connection c(Role::responder);
  auto out = c.receive(cr_with_size(10));
  EXPECT_EQ(c.tpdu_size(), 1024U);
  EXPECT_EQ(event_as<Connected>(out).tpdu_size, 1024U);
}

TEST(CotpNegotiation, AbsentTpduSizeMeans128) {
  Connection c(Role::responder);
  auto out = c.receive(cr_with_size(0));
  EXPECT_EQ(c.tpdu_size(), 128U);
  // The CC states the size explicitly (code 7).
  EXPECT_EQ(to_hex(out.send.at(0)), "09d04242000100c00107");
}

TEST(CotpNegotiation, ResponderLimitCapsTheProposal) {
  Limits limits;
  limits.cotp_max_tpdu_size = 2048;
  Connection c(Role::responder, {}, limits);
  auto out = c.receive(hex(kClassicCr));
  EXPECT_EQ(c.tpdu_size(), 2048U);
  EXPECT_EQ(to_hex(out.send.at(0)), "11d00001000100c0010bc2020001c1020001");
}

TEST(CotpNegotiation, LimitIsRoundedDownToAPowerOfTwo) {
  Limits limits;
  limits.cotp_max_tpdu_size = 1000;
  Connection c(Role::responder, {}, limits);
  EXPECT_EQ(c.max_tpdu_size(), 512U);
}

TEST(CotpNegotiation, LimitAboveClassZeroMaximumIsClampedTo8192) {
  Limits limits;
  limits.cotp_max_tpdu_size = 65531;
  Connection c(Role::responder, {}, limits);
  EXPECT_EQ(c.max_tpdu_size(), 8192U);
  Limits tiny;
  tiny.cotp_max_tpdu_size = 10;
  EXPECT_EQ(Connection(Role::responder, {}, tiny).max_tpdu_size(), 128U);
}

TEST(CotpNegotiation, ConfigOverridesLimit) {
  ConnectionConfig cfg;
  cfg.max_tpdu_size = 256;
  Connection c(Role::responder, cfg);
  (void)c.receive(hex(kClassicCr));
  EXPECT_EQ(c.tpdu_size(), 256U);
}

TEST(CotpResponder, PreferredMaxTpduSizeAndOptionsAreTolerated) {
  // CR with f0 02 0040 (preferred 8192 in 128-octet units) and c6 01 01.
  Connection c(Role::responder);
  auto out = c.receive(hex("10e00000000100c0010af0020040c60101"));
  ASSERT_FALSE(out.error.has_value());
  EXPECT_EQ(c.tpdu_size(), 1024U);
}

// ---------------------------------------------------------------- responder refusals

TEST(CotpResponder, CrForClassTwoIsRefusedWithDrNegotiationFailed) {
  Connection c(Role::responder);
  auto out = c.receive(hex("06e00000000720"));
  ASSERT_TRUE(out.error.has_value());
  EXPECT_EQ(out.error->code, code(Errc::unsupported_class));
  // DR: DST-REF 0007 (their SRC-REF), SRC-REF 0, reason 130.
  EXPECT_EQ(hexes(out.send), (std::vector<std::string>{"06800007000082"}));
  EXPECT_TRUE(out.close_network);
  EXPECT_EQ(event_as<Disconnected>(out).reason, reason::kNegotiationFailed);
  EXPECT_EQ(c.state(), State::closed);
}

TEST(CotpResponder, CrWithLengthUnderflowIsRefusedWithDrHeaderLengthInvalid) {
  Connection c(Role::responder);
  auto out =
      c.receive(hex("05e000000009"
                    "00"));
  ASSERT_TRUE(out.error.has_value());
  EXPECT_EQ(out.error->code, code(Errc::length_indicator_underflow));
  EXPECT_EQ(hexes(out.send), (std::vector<std::string>{"0680000900008a"}));
  EXPECT_TRUE(out.close_network);
}

TEST(CotpResponder, CrWithBadParameterIsRefusedWithDrProtocolError) {
  Connection c(Role::responder);
  auto out = c.receive(hex("09e00000000300c00106"));
  ASSERT_TRUE(out.error.has_value());
  EXPECT_EQ(out.error->code, code(Errc::invalid_parameter_value));
  EXPECT_EQ(hexes(out.send), (std::vector<std::string>{"06800003000085"}));
}

TEST(CotpResponder, TruncatedCrIsRefusedWithZeroReference) {
  Connection c(Role::responder);
  auto out = c.receive(hex("11e000"));
  ASSERT_TRUE(out.error.has_value());
  EXPECT_EQ(out.error->code, code(Errc::length_indicator_overflow));
  EXPECT_EQ(hexes(out.send), (std::vector<std::string>{"0680000000008a"}));
}

TEST(CotpResponder, DtBeforeCrIsAnsweredWithEr) {
  Connection c(Role::responder);
  auto out = c.receive(hex("02f080aa"));
  ASSERT_TRUE(out.error.has_value());
  EXPECT_EQ(out.error->code, code(Errc::unexpected_tpdu));
  // ER: DST-REF 0, cause 0, invalid TPDU = the DT header 02 f0 80.
  EXPECT_EQ(hexes(out.send), (std::vector<std::string>{"0970000000c10302f080"}));
  EXPECT_TRUE(out.close_network);
  EXPECT_EQ(c.state(), State::closed);
}

TEST(CotpResponder, SecondCrWhenOpenIsAProtocolError) {
  Connection c = open_responder();
  auto out = c.receive(hex(kClassicCr));
  ASSERT_TRUE(out.error.has_value());
  EXPECT_EQ(out.error->code, code(Errc::unexpected_tpdu));
  ASSERT_EQ(out.send.size(), 1U);
  EXPECT_EQ(to_hex(out.send[0]).substr(0, 8), "18700001");  // ER to their reference
  EXPECT_TRUE(out.close_network);
}

// ---------------------------------------------------------------- initiator

TEST(CotpInitiator, ConnectEmitsTheClassicCr) {
  ConnectionConfig cfg;
  cfg.calling_tsap = hex("0001");
  cfg.called_tsap = hex("0001");
  Connection c(Role::initiator, cfg);
  auto out = c.connect();
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(hexes(out->send), (std::vector<std::string>{kClassicCr}));
  EXPECT_EQ(c.state(), State::wait_cc);
}

TEST(CotpInitiator, CcCompletesTheConnection) {
  Connection c(Role::initiator);
  ASSERT_TRUE(c.connect().ok());
  auto out = c.receive(hex("09d00001000500c0010a"));
  ASSERT_FALSE(out.error.has_value());
  EXPECT_TRUE(out.send.empty());
  const auto& ev = event_as<Connected>(out);
  EXPECT_EQ(ev.tpdu_size, 1024U);
  EXPECT_EQ(ev.remote_ref, 5);
  EXPECT_EQ(c.state(), State::open);
  EXPECT_EQ(c.remote_ref(), 5);
}

TEST(CotpNegotiation, InitiatorAcceptsCcWithoutSizeAs128) {
  Connection c(Role::initiator);
  ASSERT_TRUE(c.connect().ok());
  auto out = c.receive(hex("06d00001000500"));
  ASSERT_FALSE(out.error.has_value());
  EXPECT_EQ(c.tpdu_size(), 128U);
}

TEST(CotpNegotiation, InitiatorRejectsCcSelectingLargerSize) {
  ConnectionConfig cfg;
  cfg.max_tpdu_size = 1024;
  Connection c(Role::initiator, cfg);
  auto cr = c.connect();
  ASSERT_TRUE(cr.ok());
  EXPECT_EQ(to_hex(cr->send.at(0)), "09e00000000100c0010a");
  auto out = c.receive(hex("09d00001000500c0010d"));
  ASSERT_TRUE(out.error.has_value());
  EXPECT_EQ(out.error->code, code(Errc::tpdu_size_not_negotiable));
  // ER, cause 3 (invalid parameter value), the CC header echoed.
  ASSERT_EQ(out.send.size(), 1U);
  EXPECT_EQ(to_hex(out.send[0]), "1070000003c10a09d00001000500c0010d");
  EXPECT_TRUE(out.close_network);
}

TEST(CotpInitiator, CcWithWrongReferenceIsRejected) {
  Connection c(Role::initiator);
  ASSERT_TRUE(c.connect().ok());
  auto out = c.receive(hex("06d00009000500"));
  ASSERT_TRUE(out.error.has_value());
  EXPECT_EQ(out.error->code, code(Errc::reference_mismatch));
  EXPECT_TRUE(out.close_network);
}

TEST(CotpInitiator, DrRefusesTheConnection) {
  Connection c(Role::initiator);
  ASSERT_TRUE(c.connect().ok());
  auto out = c.receive(hex("06800001000003"));
  ASSERT_TRUE(out.error.has_value());
  EXPECT_EQ(out.error->code, code(Errc::connection_refused));
  EXPECT_TRUE(out.send.empty());
  EXPECT_TRUE(out.close_network);
  const auto& ev = event_as<Disconnected>(out);
  EXPECT_EQ(ev.reason, reason::kAddressUnknown);
  EXPECT_TRUE(ev.by_peer);
}

TEST(CotpInitiator, DtBeforeCcIsAProtocolError) {
  Connection c(Role::initiator);
  ASSERT_TRUE(c.connect().ok());
  auto out = c.receive(hex("02f080"));
  ASSERT_TRUE(out.error.has_value());
  EXPECT_EQ(out.error->code, code(Errc::unexpected_tpdu));
}

TEST(CotpInitiator, InputBeforeConnectIsAProtocolError) {
  Connection c(Role::initiator);
  auto out = c.receive(hex("06d00001000500"));
  ASSERT_TRUE(out.error.has_value());
  EXPECT_EQ(out.error->code, code(Errc::unexpected_tpdu));
}

TEST(CotpInitiator, ConnectInWrongStateOrRoleFails) {
  Connection c(Role::initiator);
  ASSERT_TRUE(c.connect().ok());
  EXPECT_EQ(c.connect().error().code, code(Errc::invalid_state));
  Connection r(Role::responder);
  EXPECT_EQ(r.connect().error().code, code(Errc::invalid_state));
}

TEST(CotpInitiator, TsapTooLongForCrFails) {
  ConnectionConfig cfg;
  cfg.calling_tsap = Bytes(250, 0);
  Connection c(Role::initiator, cfg);
  EXPECT_EQ(c.connect().error().code, code(CoreErrc::invalid_argument));
  EXPECT_EQ(c.state(), State::idle);
}

// ---------------------------------------------------------------- segmentation

TEST(CotpSegmentation, TsduIsCutIntoDtsOfTheNegotiatedSize) {
  Connection c(Role::responder);
  (void)c.receive(cr_with_size(7));  // 128 octets: 125 of user data per DT
  Bytes tsdu(300);
  for (std::size_t i = 0; i < tsdu.size(); ++i) tsdu[i] = static_cast<std::uint8_t>(i);
  auto out = c.send(tsdu);
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(out->send.size(), 3U);
  EXPECT_EQ(out->send[0].size(), 128U);
  EXPECT_EQ(to_hex(ByteView(out->send[0]).first(4)), "02f00000");  // no EOT
  EXPECT_EQ(out->send[1].size(), 128U);
  EXPECT_EQ(to_hex(ByteView(out->send[1]).first(4)), "02f0007d");  // data continues at 125
  EXPECT_EQ(out->send[2].size(), 53U);
  EXPECT_EQ(to_hex(ByteView(out->send[2]).first(4)), "02f080fa");  // EOT, data from 250
}

TEST(CotpSegmentation, ExactlyOneFullDt) {
  Connection c(Role::responder);
  (void)c.receive(cr_with_size(7));
  auto out = c.send(Bytes(125, 0xAB));
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(out->send.size(), 1U);
  EXPECT_EQ(out->send[0].size(), 128U);
  EXPECT_EQ(out->send[0][2], 0x80);
}

TEST(CotpSegmentation, EmptyTsduIsOneDtWithEot) {
  Connection c = open_responder();
  auto out = c.send({});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(hexes(out->send), (std::vector<std::string>{"02f080"}));
}

TEST(CotpSegmentation, SendBeforeOpenFails) {
  Connection c(Role::responder);
  EXPECT_EQ(c.send(hex("01")).error().code, code(Errc::invalid_state));
}

// ---------------------------------------------------------------- reassembly

TEST(CotpReassembly, SegmentsAreJoinedAtEot) {
  Connection c = open_responder();
  auto a =
      c.receive(hex("02f000"
                    "0102"));
  EXPECT_TRUE(a.events.empty());
  EXPECT_EQ(c.reassembly_pending(), 2U);
  auto b =
      c.receive(hex("02f000"
                    "03"));
  EXPECT_TRUE(b.events.empty());
  auto d =
      c.receive(hex("02f080"
                    "0405"));
  ASSERT_FALSE(d.error.has_value());
  EXPECT_EQ(event_as<Data>(d).tsdu, hex("0102030405"));
  EXPECT_EQ(c.reassembly_pending(), 0U);
  // The next TSDU starts from an empty buffer.
  auto e =
      c.receive(hex("02f080"
                    "06"));
  EXPECT_EQ(event_as<Data>(e).tsdu, hex("06"));
}

TEST(CotpReassembly, EmptyFinalDtDeliversAnEmptyTsdu) {
  Connection c = open_responder();
  auto out = c.receive(hex("02f080"));
  EXPECT_TRUE(event_as<Data>(out).tsdu.empty());
}

TEST(CotpReassembly, TsduExactlyAtLimitIsDelivered) {
  Limits limits;
  limits.cotp_max_reassembly = 6;
  Connection c = open_responder(limits);
  (void)c.receive(
      hex("02f000"
          "010203"));
  auto out =
      c.receive(hex("02f080"
                    "040506"));
  ASSERT_FALSE(out.error.has_value());
  EXPECT_EQ(event_as<Data>(out).tsdu.size(), 6U);
}

TEST(CotpReassembly, LimitHitReleasesTheConnection) {
  Limits limits;
  limits.cotp_max_reassembly = 6;
  Connection c = open_responder(limits);
  auto a =
      c.receive(hex("02f000"
                    "010203"));
  ASSERT_FALSE(a.error.has_value());
  auto b = c.receive(hex("02f000"
                         "04050607"),
                     500);
  ASSERT_TRUE(b.error.has_value());
  EXPECT_EQ(b.error->code, code(Errc::reassembly_limit));
  EXPECT_EQ(b.error->offset, 503U);
  // The DT itself is valid: no ER, just the release of the network connection.
  EXPECT_TRUE(b.send.empty());
  EXPECT_TRUE(b.close_network);
  EXPECT_FALSE(event_as<Disconnected>(b).by_peer);
  EXPECT_EQ(c.state(), State::closed);
  EXPECT_EQ(c.reassembly_pending(), 0U);
}

TEST(CotpReassembly, LimitHitBySingleSegment) {
  Limits limits;
  limits.cotp_max_reassembly = 2;
  Connection c = open_responder(limits);
  auto out =
      c.receive(hex("02f080"
                    "010203"));
  ASSERT_TRUE(out.error.has_value());
  EXPECT_EQ(out.error->code, code(Errc::reassembly_limit));
}

TEST(CotpReassembly, DtLargerThanNegotiatedSizeIsRejectedWithEr) {
  Connection c(Role::responder);
  (void)c.receive(cr_with_size(7));
  Bytes dt = hex("02f080");
  dt.resize(129, 0x55);  // one octet above the 128-octet TPDU size
  auto out = c.receive(dt);
  ASSERT_TRUE(out.error.has_value());
  EXPECT_EQ(out.error->code, code(Errc::tpdu_too_large));
  EXPECT_EQ(hexes(out.send), (std::vector<std::string>{"0970424200c10302f080"}));
  EXPECT_TRUE(out.close_network);
}

// ---------------------------------------------------------------- errors when open

TEST(CotpProtocolError, MalformedTpduWhenOpenIsAnsweredWithEr) {
  Connection c = open_responder();
  // An AK (not class 0): ER cause 2 (invalid TPDU type), the AK header echoed.
  auto out =
      c.receive(hex("0560000100"
                    "00"));
  ASSERT_TRUE(out.error.has_value());
  EXPECT_EQ(out.error->code, code(Errc::invalid_tpdu_type));
  EXPECT_EQ(hexes(out.send), (std::vector<std::string>{"0c70000102c106056000010000"}));
  EXPECT_TRUE(out.close_network);
  EXPECT_EQ(event_as<Disconnected>(out).reason, reason::kProtocolError);
}

TEST(CotpProtocolError, DtVariablePartGivesCauseInvalidParameterCode) {
  Connection c = open_responder();
  auto out = c.receive(hex("04f080c300"));
  ASSERT_TRUE(out.error.has_value());
  EXPECT_EQ(hexes(out.send), (std::vector<std::string>{"0b70000101c10504f080c300"}));
}

TEST(CotpProtocolError, LengthIndicatorBeyondBytesEchoesWhatArrived) {
  Connection c = open_responder();
  auto out = c.receive(hex("09f080"));
  ASSERT_TRUE(out.error.has_value());
  EXPECT_EQ(out.error->code, code(Errc::length_indicator_overflow));
  EXPECT_EQ(hexes(out.send), (std::vector<std::string>{"0970000100c10309f080"}));
}

TEST(CotpProtocolError, EmptyTpduGetsErWithoutEcho) {
  Connection c = open_responder();
  auto out = c.receive({});
  ASSERT_TRUE(out.error.has_value());
  EXPECT_EQ(out.error->code, code(Errc::empty_tpdu));
  EXPECT_EQ(hexes(out.send), (std::vector<std::string>{"0470000100"}));
}

TEST(CotpProtocolError, LongHeaderEchoIsCutToFitTheEr) {
  Connection c = open_responder();
  // A CR with a 246-octet TSAP (LI 254) while open: the echo is cut to 248 octets.
  Cr cr;
  cr.calling_tsap = Bytes(246, 0x33);
  Bytes b;
  ASSERT_TRUE(encode(cr, b).ok());
  auto out = c.receive(b);
  ASSERT_EQ(out.send.size(), 1U);
  EXPECT_EQ(out.send[0].size(), 255U);
  EXPECT_EQ(out.send[0][0], 254);
  auto er = decode_tpdu(out.send[0]);
  ASSERT_TRUE(er.ok());
  EXPECT_EQ(std::get<Er>(*er).invalid_tpdu->size(), 248U);
}

TEST(CotpProtocolError, PeerDrWhenOpenIsADisconnect) {
  Connection c = open_responder();
  (void)c.receive(hex("02f000aa"));
  auto out = c.receive(hex("06800001000080"));
  EXPECT_FALSE(out.error.has_value());
  EXPECT_TRUE(out.send.empty());
  EXPECT_TRUE(out.close_network);
  const auto& ev = event_as<Disconnected>(out);
  EXPECT_EQ(ev.reason, reason::kNormal);
  EXPECT_TRUE(ev.by_peer);
  EXPECT_EQ(c.reassembly_pending(), 0U);
}

TEST(CotpProtocolError, PeerErReleasesWithoutAnswer) {
  Connection c = open_responder();
  auto out = c.receive(hex("0470000102"));
  ASSERT_TRUE(out.error.has_value());
  EXPECT_EQ(out.error->code, code(Errc::peer_rejected));
  EXPECT_TRUE(out.send.empty());  // never answer an ER with an ER
  EXPECT_TRUE(out.close_network);
  EXPECT_EQ(event_as<Disconnected>(out).reject_cause, std::optional<std::uint8_t>(2));
}

TEST(CotpProtocolError, InputAfterCloseIsRefusedWithoutOutput) {
  Connection c = open_responder();
  (void)c.disconnect();
  auto out = c.receive(hex("02f080"));
  ASSERT_TRUE(out.error.has_value());
  EXPECT_EQ(out.error->code, code(Errc::closed));
  EXPECT_TRUE(out.send.empty());
  EXPECT_TRUE(out.events.empty());
  EXPECT_EQ(c.send(hex("01")).error().code, code(Errc::invalid_state));
}

TEST(CotpDisconnect, LocalDisconnectReleasesTheNetworkConnection) {
  Connection c = open_responder();
  auto out = c.disconnect();
  EXPECT_FALSE(out.error.has_value());
  EXPECT_TRUE(out.send.empty());  // class 0: implicit release, no DR once connected
  EXPECT_TRUE(out.close_network);
  EXPECT_EQ(event_as<Disconnected>(out).reason, reason::kNormal);
  EXPECT_EQ(c.state(), State::closed);
  EXPECT_EQ(c.disconnect().error->code, code(Errc::closed));
}

// ---------------------------------------------------------------- both ends together

TEST(CotpLoopback, InitiatorAndResponderExchangeLargeTsdus) {
  ConnectionConfig icfg;
  icfg.calling_tsap = hex("0001");
  icfg.called_tsap = hex("0002");
  icfg.local_ref = 0x0a0a;
  ConnectionConfig rcfg;
  rcfg.local_ref = 0x0b0b;
  rcfg.max_tpdu_size = 512;
  Connection ini(Role::initiator, icfg);
  Connection rsp(Role::responder, rcfg);

  auto cr = ini.connect();
  ASSERT_TRUE(cr.ok());
  auto cc = rsp.receive(cr->send.at(0));
  ASSERT_FALSE(cc.error.has_value());
  EXPECT_EQ(event_as<Connected>(cc).called_tsap, hex("0002"));
  auto up = ini.receive(cc.send.at(0));
  ASSERT_FALSE(up.error.has_value());
  EXPECT_EQ(event_as<Connected>(up).tpdu_size, 512U);
  EXPECT_EQ(event_as<Connected>(up).remote_ref, 0x0b0b);

  Bytes tsdu(20000);
  for (std::size_t i = 0; i < tsdu.size(); ++i) tsdu[i] = static_cast<std::uint8_t>(i * 7);
  for (auto* pair : {&ini, &rsp}) {
    Connection& from = *pair;
    Connection& to = (pair == &ini) ? rsp : ini;
    auto sent = from.send(tsdu);
    ASSERT_TRUE(sent.ok());
    EXPECT_EQ(sent->send.size(), (20000U + 508U) / 509U);
    std::vector<Event> events;
    for (const auto& dt : sent->send) {
      auto r = to.receive(dt);
      ASSERT_FALSE(r.error.has_value());
      for (auto& e : r.events) events.push_back(std::move(e));
    }
    ASSERT_EQ(events.size(), 1U);
    EXPECT_EQ(std::get<Data>(events[0]).tsdu, tsdu);
  }
}

// ---- data-transfer fast path: the same octets and the same decisions as send() / receive() ----

namespace {
Bytes pattern(std::size_t n) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(i * 13);
  return b;
}
}  // namespace

TEST(CotpDataFastPath, SingleDtHeaderPlusTsduEqualsSend) {
  Connection c = open_responder();
  ASSERT_EQ(c.tpdu_size(), 8192U);
  for (const std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{100}, std::size_t{8189}}) {
    SCOPED_TRACE(n);
    const Bytes tsdu = pattern(n);
    Bytes fast;
    ASSERT_TRUE(c.encode_single_dt_header(tsdu.size(), fast).ok());
    fast.insert(fast.end(), tsdu.begin(), tsdu.end());
    auto general = c.send(tsdu);
    ASSERT_TRUE(general.ok());
    ASSERT_EQ(general->send.size(), 1U);
    EXPECT_EQ(fast, general->send[0]);
  }
  // One octet more needs two DTs: the fast path declines and leaves the buffer alone.
  Bytes out = {0x42};
  auto st = c.encode_single_dt_header(8190, out);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, code(CoreErrc::invalid_argument));
  EXPECT_EQ(out, Bytes{0x42});
  EXPECT_EQ(c.send(pattern(8190))->send.size(), 2U);
}

TEST(CotpDataFastPath, HeaderRefusedWhenNotOpen) {
  Connection c(Role::initiator);
  Bytes out;
  auto st = c.encode_single_dt_header(10, out);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, code(Errc::invalid_state));
  EXPECT_TRUE(out.empty());
}

TEST(CotpDataFastPath, SingleDtViewEqualsDeliveredTsdu) {
  Connection c = open_responder();
  const Bytes tsdu = pattern(300);
  const Bytes tpdu = c.send(tsdu)->send.at(0);
  auto view = c.single_dt_tsdu(tpdu);
  ASSERT_TRUE(view.has_value());
  EXPECT_EQ(Bytes(view->begin(), view->end()), tsdu);
  EXPECT_EQ(view->data(), tpdu.data() + kDtHeaderSize);  // a view, not a copy
  auto out = c.receive(tpdu);
  EXPECT_EQ(event_as<Data>(out).tsdu, tsdu);
  EXPECT_EQ(c.reassembly_pending(), 0U);
}

TEST(CotpDataFastPath, DeclinesWhatReceiveHandlesOtherwise) {
  Connection c = open_responder();
  // A segment without EOT, and an EOT segment while one is pending.
  const auto two = c.send(pattern(9000));
  ASSERT_EQ(two->send.size(), 2U);
  EXPECT_FALSE(c.single_dt_tsdu(two->send[0]).has_value());
  auto first = c.receive(two->send[0]);
  EXPECT_TRUE(first.events.empty());
  EXPECT_FALSE(c.single_dt_tsdu(two->send[1]).has_value());
  auto second = c.receive(two->send[1]);
  EXPECT_EQ(event_as<Data>(second).tsdu, pattern(9000));
  // Not a DT, a malformed DT, a DT above the negotiated size.
  EXPECT_FALSE(c.single_dt_tsdu(hex(kClassicCr)).has_value());
  EXPECT_FALSE(c.single_dt_tsdu(hex("02f0")).has_value());
  EXPECT_FALSE(c.single_dt_tsdu(hex("03f08000")).has_value());
  Bytes oversized = {0x02, 0xf0, 0x80};
  oversized.resize(8193, 0);
  EXPECT_FALSE(c.single_dt_tsdu(oversized).has_value());
  EXPECT_TRUE(c.receive(oversized).error.has_value());
}

TEST(CotpDataFastPath, DeclinesAboveTheReassemblyLimitAndWhenNotOpen) {
  Limits limits;
  limits.cotp_max_reassembly = 50;
  Connection c = open_responder(limits);
  Bytes dt = {0x02, 0xf0, 0x80};
  dt.resize(3 + 51, 0x11);
  EXPECT_FALSE(c.single_dt_tsdu(dt).has_value());
  auto out = c.receive(dt);
  ASSERT_TRUE(out.error.has_value());
  EXPECT_EQ(out.error->code, code(Errc::reassembly_limit));
  Connection idle(Role::responder);
  EXPECT_FALSE(idle.single_dt_tsdu(hex("02f080aa")).has_value());
}
