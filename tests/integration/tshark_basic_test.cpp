// SPDX-License-Identifier: Apache-2.0
// Proves the tshark oracle itself: hand-assembled bytes that a real MMS client sends must
// decode cleanly, a deliberately broken AARQ must be flagged malformed, and the synthetic
// captures (every link type, segmentation, port 3782, checksums) must be accepted by tshark.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "mmssec/capture/pcap.hpp"
#include "mmssec/capture/synth.hpp"
#include "support/tshark.hpp"

namespace mmssec {
namespace {

using capture::Direction;
using capture::Message;
using test_support::run_tshark;
using test_support::TsharkOptions;

Bytes hex(std::string_view h) {
  auto r = from_hex(h);
  EXPECT_TRUE(r.ok()) << h;
  return r.ok() ? *r : Bytes{};
}

// The opening of an association as libiec61850-style clients send it, hand-assembled from
// RFC 1006, ISO 8073, ISO 8327-1, ISO 8823, ISO 8650 (ACSE) and ISO 9506-2 (every octet
// explained below; not copied from any capture file).

// COTP CR in a TPKT:
//   03 00 0016            TPKT version 3, length 22
//   11 e0 0000 0001 00    LI 17, CR (class 0 credit 0), dst-ref 0, src-ref 1, class 0
//   c0 01 0d              TPDU size 8192
//   c2 02 0001            called TSAP selector 0001
//   c1 02 0001            calling TSAP selector 0001
constexpr std::string_view kCotpCr = "0300 0016 11e0 0000 0001 00 c0010d c2020001 c1020001";
// COTP CC, the same parameters: LI 17, CC, dst-ref 1 (the CR's src-ref), src-ref 1, class 0.
constexpr std::string_view kCotpCc = "0300 0016 11d0 0001 0001 00 c0010d c2020001 c1020001";

// The MMS initiate-RequestPDU (ISO 9506-2 Initiate-RequestPDU, [8] IMPLICIT SEQUENCE):
//   a8 26
//     80 03 00fde8        localDetailCalling 65000
//     81 01 05            proposedMaxServOutstandingCalling 5
//     82 01 05            proposedMaxServOutstandingCalled 5
//     83 01 0a            proposedDataStructureNestingLevel 10
//     a4 16               initRequestDetail
//       80 01 01          proposedVersionNumber 1
//       81 03 05 f100     proposedParameterCBB (11 bits: str1 str2 vnam valt vlis ...)
//       82 0c 03 ee1c00000408000079ef18   servicesSupportedCalling (93 bits)
constexpr std::string_view kInitiateRequest =
    "a826 800300fde8 810105 820105 83010a a416 800101 810305f100 820c03ee1c00000408000079ef18";

// AARQ-apdu ([APPLICATION 0] IMPLICIT SEQUENCE, X.227 / ISO 8650-1):
//   60 54
//     a1 07 06 05 28ca220203       application-context-name {1 0 9506 2 3} (MMS)
//     a2 06 06 04 29876701         called-AP-title {1 1 999 1}
//     a3 03 02 01 0c               called-AE-qualifier 12
//     a6 06 06 04 29876701         calling-AP-title {1 1 999 1}
//     a7 03 02 01 0c               calling-AE-qualifier 12
//     be 2f                        user-information [30]
//       28 2d                      EXTERNAL
//         02 01 03                 indirect-reference 3 (the MMS presentation context)
//         a0 28 <initiate>         single-ASN1-type
constexpr std::string_view kAarqHead =
    "a107060528ca220203 a206060429876701 a30302010c a606060429876701 a70302010c";

// A BER TLV with a definite length in the shortest form (X.690 8.1.3).
Bytes tlv(std::uint8_t tag, ByteView content) {
  Bytes out{tag};
  const std::size_t n = content.size();
  if (n < 0x80) {
    out.push_back(static_cast<std::uint8_t>(n));
  } else if (n < 0x100) {
    out.insert(out.end(), {0x81, static_cast<std::uint8_t>(n)});
  } else {
    out.insert(out.end(), {0x82, static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n)});
  }
  out.insert(out.end(), content.begin(), content.end());
  return out;
}

// A session SPDU or parameter (ISO 8327-1 8.2.5): code, then a length indicator of one octet
// (0..254) or 0xff followed by two octets, then the content.
Bytes session_unit(std::uint8_t code, ByteView content) {
  Bytes out{code};
  const std::size_t n = content.size();
  if (n < 0xff) {
    out.push_back(static_cast<std::uint8_t>(n));
  } else {
    out.insert(out.end(), {0xff, static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n)});
  }
  out.insert(out.end(), content.begin(), content.end());
  return out;
}

Bytes cat(std::initializer_list<ByteView> parts) {
  Bytes out;
  for (ByteView p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

Bytes aarq() {
  const Bytes external = tlv(0x28, cat({hex("020103"), tlv(0xa0, hex(kInitiateRequest))}));
  return tlv(0x60, cat({hex(kAarqHead), tlv(0xbe, external)}));
}

// Wrap an AARQ (possibly broken) in presentation CP-type, session CONNECT, COTP DT and TPKT,
// every enclosing length computed from the octets actually present:
//   TPKT 03 00 len | COTP DT 02 f0 80 (LI 2, DT, EOT) |
//   session CN: 0d LI
//     05 06 13 01 00 16 01 02   Connect/Accept Item: protocol options 0, version 2
//     14 02 0002                session user requirements: duplex
//     33 02 0001 / 34 02 0001   calling / called session selector
//     c1 LI                     User Data
//   CP-type: 31 len SET
//     a0 03 80 01 01            mode-selector: normal mode
//     a2 len                    normal-mode-parameters
//       81 04 00000001          calling-presentation-selector
//       82 04 00000001          called-presentation-selector
//       a4 23                   presentation-context-definition-list
//         30 0f 020101 0604 52010001 3004 0602 5101     id 1: ACSE {2 2 1 0 1}, BER {2 1 1}
//         30 10 020103 0605 28ca220201 3004 0602 5101   id 3: MMS {1 0 9506 2 1}, BER
//       61 len 30 len 02 01 01 a0 len <AARQ>            fully-encoded-data, context 1
Bytes association_dt(ByteView aarq_bytes) {
  const Bytes pdv = tlv(0x30, cat({hex("020101"), tlv(0xa0, aarq_bytes)}));
  const Bytes normal = tlv(0xa2, cat({hex("810400000001 820400000001"),
                                      hex("a423 300f0201010604520100013004060251 01"
                                          "3010020103060528ca2202013004060251 01"),
                                      tlv(0x61, pdv)}));
  const Bytes cp = tlv(0x31, cat({hex("a003800101"), normal}));
  const Bytes params = cat({hex("0506130100160102 14020002 33020001 34020001"), session_unit(0xc1, cp)});
  const Bytes spdu = session_unit(0x0d, params);
  const Bytes tpdu = cat({hex("02f080"), spdu});
  const auto total = static_cast<std::uint16_t>(tpdu.size() + 4);
  return cat(
      {hex("0300"), Bytes{static_cast<std::uint8_t>(total >> 8), static_cast<std::uint8_t>(total)}, tpdu});
}

// The complete DT TPKT as assembled above (186 octets).
constexpr std::string_view kAssociationDt =
    "030000ba02f0800db10506130100160102140200023302000134020001c19b318198a003800101a2819081040000000182040000"
    "0001"
    "a423300f0201010604520100013004060251013010020103060528ca220201300406025101615d305b020101a0566054a1070605"
    "28"
    "ca220203a206060429876701a30302010ca606060429876701a70302010cbe2f282d020103a028a826800300fde8810105820105"
    "83"
    "010aa416800101810305f100820c03ee1c00000408000079ef18";

std::vector<Message> association(ByteView dt) {
  return {{Direction::client_to_server, hex(kCotpCr)},
          {Direction::server_to_client, hex(kCotpCc)},
          {Direction::client_to_server, Bytes(dt.begin(), dt.end())}};
}

TsharkOptions association_fields() {
  TsharkOptions o;
  o.fields = {"cotp.type", "pres.presentation_context_identifier", "acse.aarq_element",
              "mms.initiate_RequestPDU_element", "mms.localDetailCalling"};
  return o;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(TsharkHarness, TsharkIsInstalled) {
  ASSERT_EQ(access(test_support::tshark_path().c_str(), X_OK), 0)
      << "tshark is required for the integration tests: install the Debian package 'tshark' "
         "(or point MMSSEC_TSHARK at it)";
}

TEST(TsharkHarness, AssemblerReproducesTheGoldenAssociation) {
  EXPECT_EQ(to_hex(association_dt(aarq())), to_hex(hex(kAssociationDt)));
}

TEST(TsharkHarness, CotpConnectAndInitiateDecodeCleanly) {
  const auto msgs = association(hex(kAssociationDt));
  const auto r = run_tshark(msgs, association_fields());
  ASSERT_TRUE(r.ran) << r.describe();
  EXPECT_TRUE(r.clean()) << r.describe();
  const auto types = r.values("cotp.type");
  EXPECT_TRUE(contains(types, "0x0e")) << r.describe();  // CR
  EXPECT_TRUE(contains(types, "0x0d")) << r.describe();  // CC
  EXPECT_TRUE(contains(types, "0x0f")) << r.describe();  // DT
  EXPECT_EQ(r.values("pres.presentation_context_identifier"), (std::vector<std::string>{"1", "3", "1"}));
  EXPECT_TRUE(r.has("acse.aarq_element")) << r.describe();
  EXPECT_TRUE(r.has("mms.initiate_RequestPDU_element")) << r.describe();
  EXPECT_EQ(r.values("mms.localDetailCalling"), (std::vector<std::string>{"65000"})) << r.describe();
}

TEST(TsharkHarness, TruncatedAarqIsFlaggedMalformed) {
  // Drop the last 20 octets of the AARQ: its own length (0x54) now claims more than is
  // present, while every enclosing length (presentation, session, TPKT) is consistent.
  Bytes broken = aarq();
  broken.resize(broken.size() - 20);
  const auto msgs = association(association_dt(broken));
  const auto r = run_tshark(msgs, association_fields());
  ASSERT_TRUE(r.ran) << r.describe();
  EXPECT_FALSE(r.clean()) << r.describe();
  // Frames: SYN, SYN-ACK, ACK, CR, ACK, CC, ACK, DT, ...: the DT is frame 8.
  EXPECT_TRUE(std::find(r.malformed_frames.begin(), r.malformed_frames.end(), 8U) != r.malformed_frames.end())
      << r.describe();
  EXPECT_FALSE(r.problems.empty()) << r.describe();
}

TEST(TsharkHarness, SegmentedPduIsReassembledByTshark) {
  TsharkOptions o = association_fields();
  o.conversation.max_segment_size = 40;  // the 186-octet DT spans five TCP segments
  const auto r = run_tshark(association(hex(kAssociationDt)), o);
  ASSERT_TRUE(r.ran) << r.describe();
  EXPECT_TRUE(r.clean()) << r.describe();
  EXPECT_TRUE(r.has("mms.initiate_RequestPDU_element")) << r.describe();
}

TEST(TsharkHarness, Port3782IsDecodedAsTpkt) {
  TsharkOptions o = association_fields();
  o.conversation.server_port = capture::kIsoTsapTlsPort;
  const auto r = run_tshark(association(hex(kAssociationDt)), o);
  ASSERT_TRUE(r.ran) << r.describe();
  EXPECT_TRUE(r.clean()) << r.describe();
  EXPECT_TRUE(r.has("mms.initiate_RequestPDU_element")) << r.describe();
}

TEST(TsharkHarness, UnknownFieldIsAnError) {
  TsharkOptions o;
  o.fields = {"mms.no_such_field_exists"};
  const auto r = run_tshark(association(hex(kAssociationDt)), o);
  EXPECT_FALSE(r.ran);
  EXPECT_NE(r.error.find("exited with status"), std::string::npos) << r.error;
}

TEST(TsharkHarness, MissingTsharkFailsWithAClearMessage) {
  ::setenv("MMSSEC_TSHARK", "/nonexistent/tshark", 1);
  const auto r = run_tshark(association(hex(kAssociationDt)));
  ::unsetenv("MMSSEC_TSHARK");
  EXPECT_FALSE(r.ran);
  EXPECT_FALSE(r.clean());
  EXPECT_NE(r.error.find("tshark not found"), std::string::npos) << r.error;
}

TEST(TsharkHarness, BadTcpChecksumIsFlagged) {
  capture::ConversationOptions co;
  co.link = capture::LinkType::raw;
  auto pcap = capture::write_conversation(association(hex(kAssociationDt)), co);
  ASSERT_TRUE(pcap.ok());
  // Record 0 (the SYN): data at 24 + 16; the TCP checksum sits at IP 20 + TCP 16.
  (*pcap)[24 + 16 + 20 + 16] ^= 0x01;
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("mmssec_bad_checksum_" + std::to_string(::getpid()) + ".pcap"))
                               .string();
  ASSERT_TRUE(capture::write_file(path, *pcap).ok());
  const auto r = test_support::run_tshark_file(path);
  std::filesystem::remove(path);
  ASSERT_TRUE(r.ran) << r.describe();
  EXPECT_EQ(r.malformed_frames, (std::vector<std::uint32_t>{1})) << r.describe();
}

struct LinkCase {
  capture::LinkType link;
  bool ipv6;
  bool big_endian;
};

class SynthesisedCapture : public ::testing::TestWithParam<LinkCase> {};

// Our writer's frames (headers, checksums, sequence numbers) must satisfy Wireshark's TCP
// analysis on every link type, in both file byte orders.
TEST_P(SynthesisedCapture, AcceptedByTshark) {
  TsharkOptions o = association_fields();
  o.conversation.link = GetParam().link;
  o.conversation.ipv6 = GetParam().ipv6;
  o.conversation.big_endian = GetParam().big_endian;
  o.fields.push_back("tcp.analysis.flags");
  const auto r = run_tshark(association(hex(kAssociationDt)), o);
  ASSERT_TRUE(r.ran) << r.describe();
  EXPECT_TRUE(r.clean()) << r.describe();
  EXPECT_TRUE(r.has("mms.initiate_RequestPDU_element")) << r.describe();
  // No retransmission / lost-segment / window warnings: the sequence numbers are right.
  EXPECT_FALSE(r.has("tcp.analysis.flags")) << r.describe();
}

INSTANTIATE_TEST_SUITE_P(Links, SynthesisedCapture,
                         ::testing::Values(LinkCase{capture::LinkType::ethernet, false, false},
                                           LinkCase{capture::LinkType::ethernet, true, true},
                                           LinkCase{capture::LinkType::raw, false, true},
                                           LinkCase{capture::LinkType::ipv4, false, false},
                                           LinkCase{capture::LinkType::ipv6, true, false},
                                           LinkCase{capture::LinkType::null, false, false},
                                           LinkCase{capture::LinkType::linux_sll, false, true}));

}  // namespace
}  // namespace mmssec
