// SPDX-License-Identifier: Apache-2.0
// Tests of the layered decoder (src/stack/decode*.cpp): golden vectors from the layer tests, a
// whole association in both directions, DT reassembly, a failure at every layer naming that
// layer and the absolute offset, the limits, and the text/JSON renderings.
#include "mmssec/stack/decode.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

#include "mmssec/acse/acse.hpp"
#include "mmssec/ber/ber.hpp"
#include "mmssec/cotp/cotp.hpp"
#include "mmssec/mms/pdu.hpp"
#include "mmssec/presentation/ppdu.hpp"
#include "mmssec/session/session.hpp"
#include "mmssec/tpkt/tpkt.hpp"

namespace mmssec::stack {
namespace {

Bytes hex(std::string_view h) {
  auto b = from_hex(h);
  EXPECT_TRUE(b.ok()) << h;
  return b.ok() ? *b : Bytes{};
}

std::size_t find(ByteView hay, ByteView needle) {
  const auto it = std::search(hay.begin(), hay.end(), needle.begin(), needle.end());
  EXPECT_NE(it, hay.end());
  return static_cast<std::size_t>(it - hay.begin());
}

/// All nodes with this label, depth first.
void collect(const Node& n, std::string_view label, std::vector<const Node*>& out) {
  if (n.label == label) out.push_back(&n);
  for (const Node& c : n.children) collect(c, label, out);
}
std::vector<const Node*> all(const Node& n, std::string_view label) {
  std::vector<const Node*> out;
  collect(n, label, out);
  return out;
}
/// Value of the first node with this label ("<missing>" if none).
std::string value_of(const Node& n, std::string_view label) {
  const Node* f = n.find(label);
  return f != nullptr ? f->value : std::string("<missing>");
}

// ---- golden vectors (reused from the layer tests, bytes explained there and here) ----

// TPKT + COTP CR (22 octets):
//   03 00 00 16               TPKT version 3, length 22
//   11 e0 0000 0001 00        LI 17, CR CDT 0, dst-ref 0, src-ref 1, class 0
//   c0 01 0d                  tpdu-size 8192 (code 13)
//   c2 02 0001                called-TSAP
//   c1 02 0001                calling-TSAP
constexpr std::string_view kCrTpkt = "0300001611e00000000100c0010dc2020001c1020001";
// TPKT + COTP CC (22 octets): d0 = CC, dst-ref 1, src-ref 2.
constexpr std::string_view kCcTpkt = "0300001611d00001000200c0010dc2020001c1020001";

// MMS Initiate-RequestPDU of an IEC 61850 client (tests/unit/acse/apdu_test.cpp):
//   a8 26 80 03 00fde8 (localDetailCalling 65000) 81 01 05 82 01 05 83 01 0a
//   a4 16 80 01 01 81 03 05 f100 82 0c 03 ee1c0000040800 0079ef18
constexpr std::string_view kInitiateRequest =
    "a826800300fde881010582010583010aa416800101810305f100820c03ee1c00000408000079ef18";
// The client AARQ carrying it (user-information EXTERNAL, indirect-reference 3):
//   60 55 a1 07 <basic-AC> a2 07 <called AP-title 1.1.1.999.1> a3 03 <AE-qualifier 12>
//   a6 06 <calling AP-title 1.1.1.999> a7 03 <12> be 2f 28 2d 02 01 03 a0 28 <Initiate>
constexpr std::string_view kClientAarq =
    "6055a107060528ca220203a20706052901876701a30302010ca606060429018767a70302010c"
    "be2f282d020103a028"
    "a826800300fde881010582010583010aa416800101810305f100820c03ee1c00000408000079ef18";
/// Offset of the Initiate inside kClientAarq: 2 + 9 + 9 + 5 + 8 + 5 + 2 + 2 + 3 + 2.
constexpr std::size_t kInitiateInAarq = 47;
// IEC 62351-4 A-profile AARQ (PROFILE.md §4): sender-acse-requirements authentication,
// mechanism-name 1.0.840.0.1.0.1.1, calling-authentication-value external → certificate-based
// { 80 05 <cert stand-in> 81 13 "20240102030405.000Z" 82 04 deadbeef }.
constexpr std::string_view kAuthAarq =
    "6041a107060528ca2202038a0207808b082886480001000101"
    "ac28a226a024a02280053003020101811332303234303130323033303430352e3030305a8204deadbeef";
// AARE accepted, carrying the Initiate-ResponsePDU.
constexpr std::string_view kAareAccepted =
    "6146a107060528ca220203a203020100a305a103020100"
    "be2f282d020103a028"
    "a926800300fde881010582010583010aa416800101810305f100820c03ee1c00000408000079ef18";
// Read of LD0/MMXU1$MX$TotW$mag$f, invokeID 1 (tests/unit/mms/pdu_test.cpp).
constexpr std::string_view kReadRequest =
    "a0290201 01a424a122a020301ea01ca11a1a034c44301a134d4d58553124 4d58 24546f745724 6d616724 66";
// Read response: invokeID 1, floating-point single 1234.5 (87 05 08 449a5000).
constexpr std::string_view kReadResponseFloat = "a10e020101a409a10787050844 9a5000";
// RLRQ reason normal: 62 03 80 01 00.  RLRE normal: 63 03 80 01 00.
constexpr std::string_view kRlrq = "6203800100";
constexpr std::string_view kRlre = "6303800100";

// ---- builders: wrap a PDU in the layers below it ----

Bytes tpkt_of(ByteView tpdu) {
  Bytes out;
  EXPECT_TRUE(tpkt::encode(tpdu, out).ok());
  return out;
}
Bytes dt_tpkt(ByteView tsdu, bool eot = true) {
  Bytes tpdu;
  EXPECT_TRUE(cotp::encode(cotp::Dt{eot, 0, tsdu}, tpdu).ok());
  return tpkt_of(tpdu);
}
Bytes spdu(const session::Spdu& s) {
  auto r = session::encode_spdu(s);
  EXPECT_TRUE(r.ok());
  return r.ok() ? *r : Bytes{};
}
presentation::UserData pdv(presentation::ContextId id, Bytes data) {
  return presentation::UserData::fully({presentation::Pdv::single(id, std::move(data))});
}
presentation::ConnectPpdu client_cp(Bytes aarq) {
  presentation::ConnectPpdu cp;
  cp.calling_selector = Bytes{0, 0, 0, 1};
  cp.called_selector = Bytes{0, 0, 0, 1};
  cp.contexts = {{1, presentation::oids::acse_abstract_syntax(), {presentation::oids::ber_transfer_syntax()}},
                 {3, presentation::oids::mms_abstract_syntax(), {presentation::oids::ber_transfer_syntax()}}};
  cp.user_data = pdv(1, std::move(aarq));
  return cp;
}
Bytes cn_tsdu(Bytes aarq) {
  session::Connect cn;
  cn.connect_accept_item = session::ConnectAcceptItem{};
  cn.session_user_requirements = session::kFuDuplex;
  cn.calling_session_selector = Bytes{0, 1};
  cn.called_session_selector = Bytes{0, 1};
  cn.user_data = presentation::encode(client_cp(std::move(aarq)));
  return spdu(cn);
}
Bytes data_tsdu(presentation::ContextId id, Bytes pdu) {
  return session::encode_data_tsdu(presentation::encode(pdv(id, std::move(pdu))));
}
void append(Bytes& out, const Bytes& more) { out.insert(out.end(), more.begin(), more.end()); }

/// Client → server: CR, CN(CP(AARQ(Initiate))), TD(read), FN(RLRQ).
Bytes client_stream() {
  Bytes s = hex(kCrTpkt);
  append(s, dt_tpkt(cn_tsdu(hex(kClientAarq))));
  append(s, dt_tpkt(data_tsdu(3, hex(kReadRequest))));
  session::Finish fn;
  fn.user_data = presentation::encode(pdv(1, hex(kRlrq)));
  append(s, dt_tpkt(spdu(fn)));
  return s;
}

/// Server → client: CC, AC(CPA(AARE(Initiate response))), TD(read response), DN(RLRE).
Bytes server_stream() {
  Bytes s = hex(kCcTpkt);
  presentation::AcceptPpdu cpa;
  cpa.responding_selector = Bytes{0, 0, 0, 1};
  cpa.results = {{presentation::ContextOutcome::acceptance, presentation::oids::ber_transfer_syntax(), {}},
                 {presentation::ContextOutcome::acceptance, presentation::oids::ber_transfer_syntax(), {}}};
  cpa.user_data = pdv(1, hex(kAareAccepted));
  session::Accept ac;
  ac.connect_accept_item = session::ConnectAcceptItem{};
  ac.session_user_requirements = session::kFuDuplex;
  ac.user_data = presentation::encode(cpa);
  append(s, dt_tpkt(spdu(ac)));
  append(s, dt_tpkt(data_tsdu(3, hex(kReadResponseFloat))));
  session::Disconnect dn;
  dn.user_data = presentation::encode(pdv(1, hex(kRlre)));
  append(s, dt_tpkt(spdu(dn)));
  return s;
}

// =============================================================================================
// Layer names, failures
// =============================================================================================

TEST(StackDecodeNames, ParseLayerRoundTripsEveryName) {
  for (Layer l :
       {Layer::tpkt, Layer::cotp, Layer::session, Layer::presentation, Layer::acse, Layer::mms, Layer::ber}) {
    auto p = parse_layer(layer_name(l));
    ASSERT_TRUE(p.has_value()) << layer_name(l);
    EXPECT_EQ(*p, l);
  }
  EXPECT_FALSE(parse_layer("TPKT").has_value());
  EXPECT_FALSE(parse_layer("").has_value());
  EXPECT_FALSE(parse_layer("x509").has_value());
}

TEST(StackDecodeNames, FailureDescribeNamesLayerAndForeignCategory) {
  EXPECT_EQ((Failure{"session", Error{session::Errc::empty_tsdu, 27}}).describe(),
            "session: " + make_error_code(session::Errc::empty_tsdu).message() + " at offset 27");
  EXPECT_EQ((Failure{"acse", Error{ber::Errc::length_overflow, 57}}).describe(),
            "acse: length exceeds remaining bytes (ber) at offset 57");
}

// =============================================================================================
// TPKT stream: golden vectors and a whole association
// =============================================================================================

TEST(StackDecodeStream, GoldenCrDecodesEveryParameter) {
  const Bytes s = hex(kCrTpkt);
  const Decoded d = decode_tpkt_stream(s);
  ASSERT_TRUE(d.ok()) << d.failures.front().describe();
  EXPECT_EQ(d.tree.value, "22 octets, 1 TPKT");
  ASSERT_EQ(d.tree.children.size(), 1U);
  const Node& t = d.tree.children[0];
  EXPECT_EQ(t.label, "TPKT");
  EXPECT_EQ(t.value, "version 3, length 22");
  EXPECT_EQ(t.offset, 0U);
  EXPECT_EQ(t.size, 22U);
  const Node* c = t.find("COTP");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->value, "CR (connection request)");
  EXPECT_EQ(c->offset, 4U);
  EXPECT_EQ(value_of(*c, "src-ref"), "0x0001");
  EXPECT_EQ(value_of(*c, "class"), "0");
  EXPECT_EQ(value_of(*c, "tpdu-size"), "8192 (code 13)");
  EXPECT_EQ(value_of(*c, "called-tsap"), "0001 (2 octets)");
  EXPECT_EQ(value_of(*c, "calling-tsap"), "0001 (2 octets)");
}

TEST(StackDecodeStream, ClientAssociationDecodesEveryLayer) {
  const Bytes s = client_stream();
  const Decoded d = decode_tpkt_stream(s);
  ASSERT_TRUE(d.ok()) << d.failures.front().describe();
  ASSERT_EQ(d.tree.children.size(), 4U);

  // CN → CP → AARQ → Initiate
  const Node& cn = d.tree.children[1];
  EXPECT_EQ(value_of(cn, "Session"), "CN (CONNECT)");
  EXPECT_EQ(value_of(cn, "session-user-requirements"), "0x0002 (duplex)");
  EXPECT_EQ(value_of(cn, "Presentation"), "CP-type (connect presentation)");
  EXPECT_EQ(value_of(cn, "context 1"), "2.2.1.0.1 (acse-abstract-syntax)");
  EXPECT_EQ(value_of(cn, "context 3"), "1.0.9506.2.1 (mms-abstract-syntax)");
  EXPECT_EQ(value_of(cn, "transfer-syntax-name"), "2.1.1 (basic-encoding)");
  EXPECT_EQ(value_of(cn, "PDV"), "context 1, 2.2.1.0.1 (acse-abstract-syntax)");
  EXPECT_EQ(value_of(cn, "ACSE"), "AARQ (A-ASSOCIATE request)");
  EXPECT_EQ(value_of(cn, "application-context-name"), "1.0.9506.2.3 (mms basic-AC)");
  EXPECT_EQ(value_of(cn, "called-AP-title"), "form2 1.1.1.999.1");
  EXPECT_EQ(value_of(cn, "calling-AE-qualifier"), "form2 12");
  EXPECT_EQ(value_of(cn, "EXTERNAL"), "indirect-reference 3");
  const Node* init = cn.find("MMS");
  ASSERT_NE(init, nullptr);
  EXPECT_EQ(init->value, "initiate-RequestPDU");
  EXPECT_EQ(init->offset, find(s, hex(kInitiateRequest)));  // absolute offset in the stream
  EXPECT_EQ(init->size, hex(kInitiateRequest).size());
  EXPECT_EQ(value_of(*init, "localDetailCalling"), "65000");
  EXPECT_EQ(value_of(*init, "proposedMaxServOutstandingCalling"), "5");
  EXPECT_EQ(value_of(*init, "proposedParameterCBB"), "'11110001000'B (11 bits)");
  const Node* aarq = cn.find("ACSE");
  EXPECT_EQ(aarq->offset, find(s, hex(kClientAarq)));

  // GT+DT → TD → read request
  const Node& td = d.tree.children[2];
  EXPECT_EQ(value_of(td, "Session"), "GT + DT (give tokens, data transfer)");
  EXPECT_EQ(value_of(td, "Presentation"), "User-data (TD)");
  EXPECT_EQ(value_of(td, "PDV"), "context 3, 1.0.9506.2.1 (mms-abstract-syntax)");
  const Node* read = td.find("MMS");
  ASSERT_NE(read, nullptr);
  EXPECT_EQ(read->value, "confirmed-RequestPDU");
  EXPECT_EQ(read->offset, find(s, hex(kReadRequest)));
  EXPECT_EQ(value_of(*read, "invokeID"), "1");
  EXPECT_EQ(value_of(*read, "service"), "read");
  EXPECT_EQ(value_of(*read, "variable"), "LD0/MMXU1$MX$TotW$mag$f");

  // FN → RLRQ
  const Node& fn = d.tree.children[3];
  EXPECT_EQ(value_of(fn, "Session"), "FN (FINISH)");
  EXPECT_EQ(value_of(fn, "ACSE"), "RLRQ (A-RELEASE request)");
  EXPECT_EQ(value_of(fn, "reason"), "normal");
}

TEST(StackDecodeStream, ServerDirectionRecognisesAcseWithoutContextTable) {
  const Bytes s = server_stream();
  const Decoded d = decode_tpkt_stream(s);
  ASSERT_TRUE(d.ok()) << d.failures.front().describe();
  ASSERT_EQ(d.tree.children.size(), 4U);
  const Node& ac = d.tree.children[1];
  EXPECT_EQ(value_of(ac, "Session"), "AC (ACCEPT)");
  EXPECT_EQ(value_of(ac, "Presentation"), "CPA-PPDU (connect presentation accept)");
  EXPECT_EQ(all(ac, "result").size(), 3U);  // two context results + the AARE result
  EXPECT_EQ(value_of(ac, "PDV"), "context 1");
  EXPECT_EQ(value_of(ac, "ACSE"), "AARE (A-ASSOCIATE response)");
  EXPECT_EQ(value_of(ac, "result-source-diagnostic"), "acse-service-user: null");
  EXPECT_EQ(value_of(ac, "MMS"), "initiate-ResponsePDU");
  EXPECT_EQ(value_of(ac, "negotiatedMaxServOutstandingCalled"), "5");

  const Node& rsp = d.tree.children[2];
  EXPECT_EQ(value_of(rsp, "MMS"), "confirmed-ResponsePDU");
  EXPECT_EQ(value_of(rsp, "success: floating-point"), "1234.5 (single)");

  EXPECT_EQ(value_of(d.tree.children[3], "Session"), "DN (DISCONNECT)");
  EXPECT_EQ(value_of(d.tree.children[3], "ACSE"), "RLRE (A-RELEASE response)");
}

TEST(StackDecodeStream, SegmentedConnectIsReassembledWithAbsoluteOffsets) {
  const Bytes tsdu = cn_tsdu(hex(kClientAarq));
  ASSERT_GT(tsdu.size(), 120U);
  Bytes s = hex(kCrTpkt);
  const ByteView v(tsdu);
  append(s, dt_tpkt(v.first(50), false));
  append(s, dt_tpkt(v.subspan(50, 60), false));
  append(s, dt_tpkt(v.subspan(110), true));
  const Decoded d = decode_tpkt_stream(s);
  ASSERT_TRUE(d.ok()) << d.failures.front().describe();
  ASSERT_EQ(d.tree.children.size(), 4U);
  EXPECT_EQ(value_of(d.tree.children[1], "eot"), "no (more segments follow)");
  EXPECT_EQ(d.tree.children[1].find("Session"), nullptr);
  const Node* t = d.tree.children[3].find("TSDU");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->value, "reassembled from 3 DT segments, " + std::to_string(tsdu.size()) + " octets");
  // The Initiate starts in one segment; its offset is where its first octet is in the stream.
  const Node* init = t->find("MMS");
  ASSERT_NE(init, nullptr);
  EXPECT_EQ(init->offset, find(s, hex(kInitiateRequest)));
  // The session node starts at the first segment's user data: 22 (CR) + 4 (TPKT) + 3 (DT header).
  EXPECT_EQ(t->find("Session")->offset, 29U);
}

TEST(StackDecodeStream, FailureInsideReassembledTsduIsMappedToTheStream) {
  Bytes aarq = hex(kClientAarq);
  aarq[kInitiateInAarq] = 0xbf;  // the Initiate's tag becomes a high tag number form: not MMS
  aarq[kInitiateInAarq + 1] = 0x3f;
  const Bytes tsdu = cn_tsdu(aarq);
  Bytes s;
  const ByteView v(tsdu);
  append(s, dt_tpkt(v.first(100), false));
  append(s, dt_tpkt(v.subspan(100), true));
  const Decoded d = decode_tpkt_stream(s);
  ASSERT_EQ(d.failures.size(), 1U);
  const Failure& f = d.failures.front();
  // Whatever layer refuses the altered element, the offset points into the stream, at or after
  // the altered octet, and the error node says the same.
  const std::size_t altered = find(s, Bytes{0xbf, 0x3f});
  EXPECT_GE(f.error.offset, altered);
  EXPECT_LT(f.error.offset, s.size());
  const Node* err = d.tree.find("error");
  ASSERT_NE(err, nullptr);
  EXPECT_EQ(err->value, f.describe());
  EXPECT_EQ(err->offset, f.error.offset);
}

// =============================================================================================
// Failures at each layer
// =============================================================================================

TEST(StackDecodeFailure, TpktBadVersionStopsTheWalk) {
  Bytes s = hex(kCrTpkt);
  s[0] = 0x04;  // version 4
  append(s, hex(kCrTpkt));
  const Decoded d = decode_tpkt_stream(s);
  ASSERT_EQ(d.failures.size(), 1U);
  EXPECT_EQ(d.failures[0].layer, "tpkt");
  EXPECT_EQ(d.failures[0].error.code, make_error_code(tpkt::Errc::bad_version));
  EXPECT_EQ(d.failures[0].error.offset, 0U);
  EXPECT_EQ(d.tree.children.size(), 1U);  // framing lost: the valid CR after it is not reached
}

TEST(StackDecodeFailure, TpktLengthBelowSeven) {
  const Bytes s = hex("0300000611e000");
  const Decoded d = decode_tpkt_stream(s);
  ASSERT_EQ(d.failures.size(), 1U);
  EXPECT_EQ(d.failures[0].layer, "tpkt");
  EXPECT_EQ(d.failures[0].error.code, make_error_code(tpkt::Errc::length_too_small));
}

TEST(StackDecodeFailure, TpktLengthAboveLimit) {
  DecodeOptions o;
  o.limits.tpkt_max_packet = 20;
  const Bytes s = hex(kCrTpkt);  // 22 octets
  const Decoded d = decode_tpkt_stream(s, o);
  ASSERT_EQ(d.failures.size(), 1U);
  EXPECT_EQ(d.failures[0].layer, "tpkt");
  EXPECT_EQ(d.failures[0].error.code, make_error_code(tpkt::Errc::length_exceeds_limit));
}

TEST(StackDecodeFailure, TpktTruncatedAfterAValidPacket) {
  Bytes s = hex(kCrTpkt);
  append(s, hex("0300001611e000"));  // header says 22, 7 present
  const Decoded d = decode_tpkt_stream(s);
  ASSERT_EQ(d.failures.size(), 1U);
  EXPECT_EQ(d.failures[0].layer, "tpkt");
  EXPECT_EQ(d.failures[0].error.code, make_error_code(tpkt::Errc::length_mismatch));
  EXPECT_EQ(d.failures[0].error.offset, 22U + 2U);  // the length field of the second packet
  ASSERT_EQ(d.tree.children.size(), 2U);
  EXPECT_EQ(value_of(d.tree.children[0], "COTP"), "CR (connection request)");
}

TEST(StackDecodeFailure, TpktFewerThanFourOctetsLeft) {
  Bytes s = hex(kCrTpkt);
  append(s, hex("0300"));
  const Decoded d = decode_tpkt_stream(s);
  ASSERT_EQ(d.failures.size(), 1U);
  EXPECT_EQ(d.failures[0].layer, "tpkt");
  EXPECT_EQ(d.failures[0].error.offset, 24U);  // where the 16-bit length field should be
}

TEST(StackDecodeFailure, CotpInvalidTypeThenTheWalkContinues) {
  // 03 00 00 07 | 02 60 00: LI 2, AK (not class 0)
  Bytes s = hex("0300000702600000");
  s.pop_back();
  append(s, hex(kCrTpkt));
  const Decoded d = decode_tpkt_stream(s);
  ASSERT_EQ(d.failures.size(), 1U);
  EXPECT_EQ(d.failures[0].layer, "cotp");
  EXPECT_EQ(d.failures[0].error.code, make_error_code(cotp::Errc::invalid_tpdu_type));
  EXPECT_GE(d.failures[0].error.offset, 4U);
  EXPECT_LT(d.failures[0].error.offset, 7U);
  ASSERT_EQ(d.tree.children.size(), 2U);  // framing intact: the CR after it is decoded
  EXPECT_EQ(value_of(d.tree.children[1], "COTP"), "CR (connection request)");
}

TEST(StackDecodeFailure, SessionUnknownSpdu) {
  // DT carrying a TSDU that starts with SI 0x30 (not a kernel/duplex SPDU), length 0.
  const Bytes s = dt_tpkt(hex("3000"));
  const Decoded d = decode_tpkt_stream(s);
  ASSERT_EQ(d.failures.size(), 1U);
  EXPECT_EQ(d.failures[0].layer, "session");
  EXPECT_EQ(d.failures[0].error.code.category(), session::session_category());
  EXPECT_EQ(d.failures[0].error.offset, 7U);  // TPKT 4 + DT header 3
}

TEST(StackDecodeFailure, PresentationMalformedCpNamesPresentation) {
  // CN whose user data is a SET claiming 5 octets with 2 present.
  session::Connect cn;
  cn.connect_accept_item = session::ConnectAcceptItem{};
  cn.user_data = hex("3105a000");
  const Bytes tsdu = spdu(cn);
  const Bytes s = dt_tpkt(tsdu);
  const Decoded d = decode_tpkt_stream(s);
  ASSERT_EQ(d.failures.size(), 1U);
  EXPECT_EQ(d.failures[0].layer, "presentation");
  const std::size_t cp = find(s, hex("3105a000"));
  EXPECT_GE(d.failures[0].error.offset, cp);
  EXPECT_LE(d.failures[0].error.offset, cp + 2);
  EXPECT_EQ(value_of(d.tree, "Session"), "CN (CONNECT)");  // the layers below still shown
}

TEST(StackDecodeFailure, TruncatedAarqInsideValidLayersNamesAcse) {
  // 60 03 a1 05 06: the AARQ's own length (3) is consistent, so presentation accepts the PDV;
  // inside it, application-context-name [1] claims 5 octets with 1 present.
  const Bytes aarq = hex("6003a10506");
  const Bytes s = dt_tpkt(cn_tsdu(aarq));
  const Decoded d = decode_tpkt_stream(s);
  ASSERT_EQ(d.failures.size(), 1U);
  const Failure& f = d.failures.front();
  EXPECT_EQ(f.layer, "acse");
  EXPECT_EQ(f.error.code, make_error_code(ber::Errc::length_overflow));
  const std::size_t at = find(s, aarq);
  EXPECT_EQ(f.error.offset, at + 3);  // the length octet of a1, which runs past the AARQ
  EXPECT_EQ(f.describe(), "acse: length exceeds remaining bytes (ber) at offset " + std::to_string(at + 3));
  EXPECT_EQ(value_of(d.tree, "Presentation"), "CP-type (connect presentation)");
}

TEST(StackDecodeFailure, MalformedMmsPduNamesMms) {
  // confirmed-RequestPDU with an invokeID and no service.
  const Bytes pdu = hex("a003020101");
  const Bytes s = dt_tpkt(data_tsdu(3, pdu));
  const Decoded d = decode_tpkt_stream(s);
  ASSERT_EQ(d.failures.size(), 1U);
  EXPECT_EQ(d.failures[0].layer, "mms");
  const std::size_t at = find(s, pdu);
  EXPECT_GE(d.failures[0].error.offset, at);
  EXPECT_LE(d.failures[0].error.offset, at + pdu.size());
  const Node* mms = d.tree.find("MMS");
  ASSERT_NE(mms, nullptr);
  EXPECT_EQ(mms->value, "undecodable PDU");
  EXPECT_EQ(value_of(*mms, "pdu"), "confirmed-RequestPDU");
  EXPECT_EQ(value_of(*mms, "invokeID"), "1");
}

TEST(StackDecodeFailure, MalformedInitiateInsideAarqNamesMms) {
  Bytes aarq = hex(kClientAarq);
  aarq[kInitiateInAarq + 2] = 0x81;  // localDetailCalling [0] → [1]: out of order
  const Bytes s = dt_tpkt(cn_tsdu(aarq));
  const Decoded d = decode_tpkt_stream(s);
  ASSERT_EQ(d.failures.size(), 1U);
  EXPECT_EQ(d.failures[0].layer, "mms");
  EXPECT_GE(d.failures[0].error.offset, find(s, hex("a82681")));
  EXPECT_EQ(value_of(d.tree, "ACSE"), "AARQ (A-ASSOCIATE request)");
}

TEST(StackDecodeFailure, ReassemblyLimit) {
  DecodeOptions o;
  o.limits.cotp_max_reassembly = 10;
  Bytes s = dt_tpkt(hex("0100010061"), false);
  append(s, dt_tpkt(hex("0203040506070809"), false));  // 5 + 8 > 10
  const Decoded d = decode_tpkt_stream(s, o);
  ASSERT_EQ(d.failures.size(), 1U);
  EXPECT_EQ(d.failures[0].layer, "cotp");
  EXPECT_EQ(d.failures[0].error.code, make_error_code(cotp::Errc::reassembly_limit));
  EXPECT_EQ(d.failures[0].error.offset, 12U + 7U);  // user data of the second DT
}

TEST(StackDecodeFailure, StreamEndsInsideATsdu) {
  const Bytes s = dt_tpkt(hex("01000100"), false);
  const Decoded d = decode_tpkt_stream(s);
  ASSERT_EQ(d.failures.size(), 1U);
  EXPECT_EQ(d.failures[0].layer, "cotp");
  EXPECT_EQ(d.failures[0].error.code, make_error_code(CoreErrc::truncated));
  EXPECT_EQ(d.failures[0].error.offset, s.size());
}

TEST(StackDecodeFailure, EmptyStreamIsClean) {
  const Decoded d = decode_tpkt_stream({});
  EXPECT_TRUE(d.ok());
  EXPECT_EQ(d.tree.value, "0 octets, 0 TPKTs");
}

// =============================================================================================
// decode_pdu per layer
// =============================================================================================

TEST(StackDecodePdu, TpktExactlyOnePacket) {
  EXPECT_TRUE(decode_pdu(Layer::tpkt, hex(kCrTpkt)).ok());
  Bytes two = hex(kCrTpkt);
  append(two, hex(kCrTpkt));
  const Decoded d = decode_pdu(Layer::tpkt, two);
  ASSERT_EQ(d.failures.size(), 1U);
  EXPECT_EQ(d.failures[0].layer, "tpkt");
  EXPECT_EQ(d.failures[0].error.code, make_error_code(tpkt::Errc::length_mismatch));
}

TEST(StackDecodePdu, CotpDtWithEotDescendsIntoSession) {
  Bytes tpdu;
  const Bytes tsdu = data_tsdu(3, hex(kReadRequest));
  ASSERT_TRUE(cotp::encode(cotp::Dt{true, 0, tsdu}, tpdu).ok());
  const Decoded d = decode_pdu(Layer::cotp, tpdu);
  ASSERT_TRUE(d.ok()) << d.failures.front().describe();
  EXPECT_EQ(value_of(d.tree, "MMS"), "confirmed-RequestPDU");
  EXPECT_EQ(d.tree.find("MMS")->offset, find(tpdu, hex(kReadRequest)));
}

TEST(StackDecodePdu, PresentationPicksPpduFromOuterTag) {
  // CP-type of tests/unit/presentation/vectors.hpp with the minimal AARQ.
  const Bytes cp =
      hex("314ca003800101a245810400000001820400000001a423"
          "300f020101060452010001300406025101"
          "3010020103060528ca220201300406025101"
          "61123010020101a00b6009a107060528ca220203");
  Decoded d = decode_pdu(Layer::presentation, cp);
  ASSERT_TRUE(d.ok()) << d.failures.front().describe();
  EXPECT_EQ(value_of(d.tree, "Presentation"), "CP-type (connect presentation)");
  EXPECT_EQ(value_of(d.tree, "ACSE"), "AARQ (A-ASSOCIATE request)");
  EXPECT_EQ(d.tree.find("ACSE")->offset, 67U);  // kCpGoldenAarqOffset

  presentation::ProviderAbortPpdu arp;
  arp.reason = presentation::AbortReason::unexpected_ppdu;
  arp.event = presentation::EventIdentifier::td_ppdu;
  d = decode_pdu(Layer::presentation, presentation::encode(arp));
  ASSERT_TRUE(d.ok()) << d.failures.front().describe();
  EXPECT_EQ(value_of(d.tree, "Presentation"), "ARP-PPDU (abort provider)");
  EXPECT_EQ(value_of(d.tree, "provider-reason"), "unexpected-ppdu");
  EXPECT_EQ(value_of(d.tree, "event-identifier"), "7 (td-PPDU)");

  d = decode_pdu(Layer::presentation, presentation::encode(pdv(3, hex(kReadResponseFloat))));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(value_of(d.tree, "Presentation"), "User-data (TD)");
  EXPECT_EQ(value_of(d.tree, "MMS"), "confirmed-ResponsePDU");
}

TEST(StackDecodePdu, SessionRefuseCarriesCpr) {
  presentation::RefusePpdu cpr;
  cpr.provider_reason = presentation::ProviderReason::default_context_not_supported;
  session::Refuse rf;
  rf.reason_code = session::reason::kUserWithData;
  rf.user_data = presentation::encode(cpr);
  const Decoded d = decode_pdu(Layer::session, spdu(rf));
  ASSERT_TRUE(d.ok()) << d.failures.front().describe();
  EXPECT_EQ(value_of(d.tree, "Session"), "RF (REFUSE)");
  EXPECT_EQ(value_of(d.tree, "reason-code"), "2 (rejection by called SS-user (user data))");
  EXPECT_EQ(value_of(d.tree, "Presentation"), "CPR-PPDU (connect presentation reject)");
  EXPECT_EQ(value_of(d.tree, "provider-reason"), "default-context-not-supported");
}

TEST(StackDecodePdu, SessionAbortCarriesAruWithAbrt) {
  presentation::UserAbortPpdu aru;
  aru.user_data = pdv(1, hex("6403800101"));  // ABRT source service-provider
  session::Abort ab;
  ab.user_data = presentation::encode(aru);
  const Decoded d = decode_pdu(Layer::session, spdu(ab));
  ASSERT_TRUE(d.ok()) << d.failures.front().describe();
  EXPECT_EQ(value_of(d.tree, "Presentation"), "ARU-PPDU (abort user)");
  EXPECT_EQ(value_of(d.tree, "ACSE"), "ABRT (A-ABORT)");
  EXPECT_EQ(value_of(d.tree, "abort-source"), acse::abort_source_name(acse::AbortSource::service_provider));
}

TEST(StackDecodePdu, AcseClientAarqWithInitiateOffset) {
  const Decoded d = decode_pdu(Layer::acse, hex(kClientAarq));
  ASSERT_TRUE(d.ok()) << d.failures.front().describe();
  EXPECT_EQ(value_of(d.tree, "calling-AP-title"), "form2 1.1.1.999");
  const Node* mms = d.tree.find("MMS");
  ASSERT_NE(mms, nullptr);
  EXPECT_EQ(mms->offset, kInitiateInAarq);
  EXPECT_EQ(mms->value, "initiate-RequestPDU");
  const Node* services = mms->find("servicesSupportedCalling");
  ASSERT_NE(services, nullptr);
  EXPECT_NE(value_of(*services, "set").find("getNameList"), std::string::npos);
}

TEST(StackDecodePdu, AcseAProfileAuthentication) {
  const Decoded d = decode_pdu(Layer::acse, hex(kAuthAarq));
  ASSERT_TRUE(d.ok()) << d.failures.front().describe();
  EXPECT_EQ(value_of(d.tree, "sender-acse-requirements"), "'1'B (authentication)");
  EXPECT_EQ(value_of(d.tree, "mechanism-name"),
            "1.0.840.0.1.0.1.1 (mms-authentication / IEC 62351-4 A-profile)");
  EXPECT_EQ(value_of(d.tree, "calling-authentication-value"), "external, no reference");
  EXPECT_EQ(value_of(d.tree, "mms-authentication-value"), "certificate-based");
  EXPECT_EQ(value_of(d.tree, "authentication-certificate"), "3003020101 (5 octets)");
  EXPECT_EQ(value_of(d.tree, "time"), "2024-01-02T03:04:05.000Z");
  EXPECT_EQ(value_of(d.tree, "signature"), "deadbeef (4 octets)");
}

TEST(StackDecodePdu, AcseRejectedAareNamesDiagnostic) {
  // 61 15 ... a2 03 02 01 01 (rejected-permanent) a3 05 a1 03 02 01 0d (authentication-failure)
  const Decoded d = decode_pdu(Layer::acse, hex("6115a107060528ca220203a203020101a305a10302010d"));
  ASSERT_TRUE(d.ok()) << d.failures.front().describe();
  EXPECT_EQ(value_of(d.tree, "result"), "rejected-permanent");
  EXPECT_EQ(value_of(d.tree, "result-source-diagnostic"), "acse-service-user: authentication-failure");
}

TEST(StackDecodePdu, AcseUnknownApduNamesAcse) {
  const Decoded d = decode_pdu(Layer::acse, hex("6500"));
  ASSERT_EQ(d.failures.size(), 1U);
  EXPECT_EQ(d.failures[0].layer, "acse");
  EXPECT_EQ(d.failures[0].error.offset, 0U);
}

TEST(StackDecodePdu, MmsDataValuesAreReadable) {
  mms::ReadResponse rr;
  mms::DataStructure st;
  st.members.emplace_back(mms::FloatingPoint{0.1, false});
  st.members.emplace_back(mms::FloatingPoint{-2.5, true});
  st.members.emplace_back(mms::make_bit_string({1, 2}, 4));
  // 2024-01-02T03:04:05Z = 1704164645, fraction 0x800000 = 0.5 s, quality 0x0a (accuracy 10).
  st.members.emplace_back(mms::UtcTime{1704164645U, 0x800000U, 0x0a});
  st.members.emplace_back(mms::BinaryTime{3723004U, std::uint16_t{14610}});  // 01:02:03.004, 2024-01-01
  st.members.emplace_back(mms::VisibleStringValue{"a\"b"});
  st.members.emplace_back(std::int64_t{-7});
  st.members.emplace_back(mms::Unsigned{42});
  st.members.emplace_back(true);
  st.members.emplace_back(mms::OctetStringValue{{0xde, 0xad}});
  rr.results.emplace_back(mms::Data(st));
  rr.results.emplace_back(mms::DataAccessError::object_non_existent);
  const Bytes wire = mms::encode_pdu(mms::ConfirmedResponsePdu{7, rr});
  const Decoded d = decode_pdu(Layer::mms, wire);
  ASSERT_TRUE(d.ok()) << d.failures.front().describe();
  const Node* s = d.tree.find("success: structure");
  ASSERT_NE(s, nullptr);
  ASSERT_EQ(s->children.size(), 10U);
  EXPECT_EQ(s->children[0].value, "0.1 (single)");
  EXPECT_EQ(s->children[1].value, "-2.5 (double)");
  EXPECT_EQ(s->children[2].value, "'0110'B (4 bits)");
  EXPECT_EQ(s->children[3].label, "utc-time");
  EXPECT_EQ(s->children[3].value, "2024-01-02T03:04:05.500000Z, quality 0x0a (accuracy 10 bits)");
  EXPECT_EQ(s->children[4].value, "2024-01-01T01:02:03.004Z");
  EXPECT_EQ(s->children[5].value, "\"a\\\"b\"");
  EXPECT_EQ(s->children[6].value, "-7");
  EXPECT_EQ(s->children[7].value, "42");
  EXPECT_EQ(s->children[8].value, "true");
  EXPECT_EQ(s->children[9].value, "dead (2 octets)");
  EXPECT_EQ(value_of(d.tree, "failure"), "object-non-existent (10)");
  EXPECT_EQ(value_of(d.tree, "invokeID"), "7");
}

TEST(StackDecodePdu, MmsErrorAndReject) {
  mms::ServiceError e;
  e.error_class = mms::ErrorClass::access;
  e.code = 2;
  Decoded d = decode_pdu(Layer::mms, mms::encode_pdu(mms::ConfirmedErrorPdu{9, std::nullopt, e}));
  ASSERT_TRUE(d.ok()) << d.failures.front().describe();
  EXPECT_EQ(value_of(d.tree, "serviceError"), mms::describe(e));
  EXPECT_EQ(value_of(d.tree, "errorClass"), "access");

  mms::RejectPdu rj;
  rj.original_invoke_id = 5;
  rj.reject_class = mms::RejectClass::confirmed_request;
  rj.code = mms::reject_code::kRequestUnrecognizedService;
  d = decode_pdu(Layer::mms, mms::encode_pdu(rj));
  ASSERT_TRUE(d.ok()) << d.failures.front().describe();
  EXPECT_EQ(value_of(d.tree, "MMS"), "rejectPDU");
  EXPECT_EQ(value_of(d.tree, "rejectReason"), "confirmed-requestPDU: unrecognized-service (1)");
}

TEST(StackDecodePdu, BerDumpsGenericTree) {
  // 30 08 02 01 05 06 03 2a 03 04: SEQUENCE { INTEGER 5, OID 1.2.3.4 }
  const Decoded d = decode_pdu(Layer::ber, hex("3008020105 06032a0304"));
  ASSERT_TRUE(d.ok()) << d.failures.front().describe();
  ASSERT_EQ(d.tree.children.size(), 1U);
  const Node& seq = d.tree.children[0];
  ASSERT_EQ(seq.children.size(), 2U);
  EXPECT_EQ(seq.children[0].value, "5");
  EXPECT_EQ(seq.children[0].offset, 2U);
  EXPECT_EQ(seq.children[1].value, "1.2.3.4");
}

TEST(StackDecodePdu, BerLengthOverflowNamesBer) {
  const Decoded d = decode_pdu(Layer::ber, hex("3005020105"));
  ASSERT_EQ(d.failures.size(), 1U);
  EXPECT_EQ(d.failures[0].layer, "ber");
  EXPECT_EQ(d.failures[0].error.code, make_error_code(ber::Errc::length_overflow));
}

TEST(StackDecodePdu, BerDepthLimit) {
  DecodeOptions o;
  o.limits.ber_max_depth = 2;
  const Decoded d = decode_pdu(Layer::ber, hex("3006300430020500"), o);
  ASSERT_EQ(d.failures.size(), 1U);
  EXPECT_EQ(d.failures[0].layer, "ber");
  EXPECT_EQ(d.failures[0].error.code, make_error_code(ber::Errc::depth_exceeded));
}

TEST(StackDecodePdu, EmptyInputFailsAtEveryLayer) {
  for (Layer l :
       {Layer::tpkt, Layer::cotp, Layer::session, Layer::presentation, Layer::acse, Layer::mms, Layer::ber}) {
    const Decoded d = decode_pdu(l, {});
    ASSERT_EQ(d.failures.size(), 1U) << layer_name(l);
    EXPECT_EQ(d.failures[0].layer, layer_name(l));
  }
}

// =============================================================================================
// Rendering
// =============================================================================================

/// A strict JSON syntax check (RFC 8259 grammar, no extensions).
class JsonChecker {
 public:
  explicit JsonChecker(std::string_view s) : s_(s) {}
  bool valid() {
    ws();
    if (!value()) return false;
    ws();
    return i_ == s_.size();
  }

 private:
  void ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\t' || s_[i_] == '\r')) ++i_;
  }
  bool lit(std::string_view l) {
    if (s_.substr(i_, l.size()) != l) return false;
    i_ += l.size();
    return true;
  }
  bool value() {
    if (i_ >= s_.size()) return false;
    const char c = s_[i_];
    if (c == '{') return object();
    if (c == '[') return array();
    if (c == '"') return string();
    if (c == 't') return lit("true");
    if (c == 'f') return lit("false");
    if (c == 'n') return lit("null");
    return number();
  }
  bool object() {
    ++i_;
    ws();
    if (i_ < s_.size() && s_[i_] == '}') return ++i_, true;
    while (true) {
      ws();
      if (!string()) return false;
      ws();
      if (!lit(":")) return false;
      ws();
      if (!value()) return false;
      ws();
      if (lit("}")) return true;
      if (!lit(",")) return false;
    }
  }
  bool array() {
    ++i_;
    ws();
    if (i_ < s_.size() && s_[i_] == ']') return ++i_, true;
    while (true) {
      ws();
      if (!value()) return false;
      ws();
      if (lit("]")) return true;
      if (!lit(",")) return false;
    }
  }
  bool string() {
    if (!lit("\"")) return false;
    while (i_ < s_.size()) {
      const auto c = static_cast<unsigned char>(s_[i_++]);
      if (c == '"') return true;
      if (c < 0x20) return false;
      if (c == '\\') {
        if (i_ >= s_.size()) return false;
        const char e = s_[i_++];
        if (e == 'u') {
          for (int k = 0; k < 4; ++k) {
            if (i_ >= s_.size() || std::isxdigit(static_cast<unsigned char>(s_[i_++])) == 0) return false;
          }
        } else if (std::string_view("\"\\/bfnrt").find(e) == std::string_view::npos) {
          return false;
        }
      }
    }
    return false;
  }
  bool number() {
    const std::size_t start = i_;
    if (i_ < s_.size() && s_[i_] == '-') ++i_;
    while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_])) != 0) ++i_;
    return i_ > start;
  }
  std::string_view s_;
  std::size_t i_ = 0;
};

TEST(StackDecodeRender, JsonOfWholeAssociationIsValid) {
  const Decoded d = decode_tpkt_stream(client_stream());
  const std::string j = render_json(d.tree);
  EXPECT_TRUE(JsonChecker(j).valid()) << j.substr(0, 200);
  EXPECT_EQ(j.rfind("{\"label\":\"TPKT stream\"", 0), 0U);
  EXPECT_NE(j.find("\"value\":\"initiate-RequestPDU\""), std::string::npos);
}

TEST(StackDecodeRender, JsonEscapesAndReplacesInvalidUtf8) {
  Node n{"a\"b\\c\n", std::string("\x01\xff\xc3\xa9", 4), kNoOffset, 0, {}};
  n.add("child", "v", 3, 1);
  const std::string j = render_json(n);
  EXPECT_TRUE(JsonChecker(j).valid()) << j;
  EXPECT_EQ(
      j,
      "{\"label\":\"a\\\"b\\\\c\\u000a\",\"value\":\"\\u0001\\ufffd\xc3\xa9\",\"offset\":null,\"size\":0,"
      "\"children\":[{\"label\":\"child\",\"value\":\"v\",\"offset\":3,\"size\":1,\"children\":[]}]}");
  EXPECT_EQ(json_string("\xe0\x80"), "\"\\ufffd\\ufffd\"");  // overlong/truncated sequence
}

TEST(StackDecodeRender, JsonOfFailures) {
  const std::string j = render_json(std::vector<Failure>{{"acse", Error{ber::Errc::length_overflow, 57}}});
  EXPECT_TRUE(JsonChecker(j).valid()) << j;
  EXPECT_NE(j.find("\"layer\":\"acse\""), std::string::npos);
  EXPECT_NE(j.find("\"category\":\"ber\""), std::string::npos);
  EXPECT_NE(j.find("\"offset\":57"), std::string::npos);
  EXPECT_EQ(render_json(std::vector<Failure>{}), "[]");
}

TEST(StackDecodeRender, TextWithAndWithoutOffsets) {
  Node root{"TPKT", "version 3, length 22", 0, 22, {}};
  root.add("COTP", "CR", 4, 18).add("class", "0");
  EXPECT_EQ(render_text(root),
            "       0  TPKT: version 3, length 22\n"
            "       4    COTP: CR\n"
            "              class: 0\n");
  EXPECT_EQ(render_text(root, false), "TPKT: version 3, length 22\n  COTP: CR\n    class: 0\n");
}

}  // namespace
}  // namespace mmssec::stack
