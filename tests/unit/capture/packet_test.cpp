// SPDX-License-Identifier: Apache-2.0
#include "mmssec/capture/packet.hpp"

#include <gtest/gtest.h>

#include <string>

namespace mmssec::capture {
namespace {

Bytes hex(std::string_view h) {
  auto r = from_hex(h);
  EXPECT_TRUE(r.ok()) << h;
  return r.ok() ? *r : Bytes{};
}

Bytes cat(std::initializer_list<ByteView> parts) {
  Bytes out;
  for (ByteView p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

const Endpoint kClient{IpAddress::loopback_v4(), 49152};
const Endpoint kServer{IpAddress::loopback_v4(), 102};

// A SYN from 127.0.0.1:49152 to 127.0.0.1:102 on a raw IPv4 link, checksums computed by hand
// (independently of internet_checksum) with an RFC 1071 one's-complement sum:
//   45 00 0028 0001 4000 40 06 3ccd  IPv4, IHL 5, total 40, id 1, DF, TTL 64, TCP, checksum
//   7f000001 7f000001                source, destination
//   c000 0066                        ports 49152 -> 102
//   10000000 00000000                seq 0x10000000, ack 0
//   50 02 ffff e179 0000             data offset 5, SYN, window 65535, checksum, urgent 0
constexpr std::string_view kSynRawIpv4 =
    "4500002800014000 40063ccd7f000001 7f000001c0000066 1000000000000000 5002ffffe1790000";

std::string err_name(const Error& e) { return e.describe(); }

Result<std::optional<TcpSegment>> parse_raw(std::string_view h) { return parse_frame(101, hex(h)); }

void expect_error(const Result<std::optional<TcpSegment>>& r, Errc code, std::size_t offset) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, make_error_code(code)) << err_name(r.error());
  EXPECT_EQ(r.error().offset, offset) << err_name(r.error());
}

TEST(InternetChecksum, Rfc1071Example) {
  // RFC 1071 section 3: 0001 f203 f4f5 f6f7 sums to ddf2; the checksum is its complement.
  EXPECT_EQ(internet_checksum(hex("0001f203f4f5f6f7")), 0x220d);
  // Odd length pads with a zero octet.
  EXPECT_EQ(internet_checksum(hex("01")), static_cast<std::uint16_t>(~0x0100 & 0xFFFF));
}

TEST(BuildFrame, GoldenSynRawIpv4) {
  FrameSpec spec;
  spec.link = LinkType::raw;
  spec.source = kClient;
  spec.destination = kServer;
  spec.seq = 0x10000000;
  spec.flags = tcp_flags::kSyn;
  spec.ip_id = 1;
  auto f = build_tcp_frame(spec, {});
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(to_hex(*f), to_hex(hex(kSynRawIpv4)));
}

TEST(ParseFrame, GoldenSynRawIpv4) {
  auto r = parse_raw(kSynRawIpv4);
  ASSERT_TRUE(r.ok() && r->has_value());
  const TcpSegment& s = **r;
  EXPECT_EQ(s.source, kClient);
  EXPECT_EQ(s.destination, kServer);
  EXPECT_EQ(s.seq, 0x10000000U);
  EXPECT_EQ(s.ack, 0U);
  EXPECT_EQ(s.flags, tcp_flags::kSyn);
  EXPECT_EQ(s.window, 0xFFFF);
  EXPECT_TRUE(s.payload.empty());
  EXPECT_EQ(s.payload_offset, 40U);
}

TEST(BuildFrame, ChecksumsVerify) {
  FrameSpec spec;
  spec.link = LinkType::ipv4;
  spec.source = kClient;
  spec.destination = kServer;
  spec.seq = 7;
  spec.ack = 9;
  spec.flags = tcp_flags::kAck | tcp_flags::kPsh;
  const Bytes payload = hex("0300000702f080");  // a TPKT carrying a COTP DT header
  auto f = build_tcp_frame(spec, payload);
  ASSERT_TRUE(f.ok());
  // A header whose checksum is right sums to zero.
  EXPECT_EQ(internet_checksum(ByteView(*f).first(20)), 0);
  const ByteView tcp = ByteView(*f).subspan(20);
  const Bytes pseudo = cat({hex("7f000001 7f000001 0006"), hex("001b"), tcp});  // TCP length 27
  EXPECT_EQ(internet_checksum(pseudo), 0);
  auto p = parse_frame(228, *f);
  ASSERT_TRUE(p.ok() && p->has_value());
  EXPECT_EQ(to_hex((*p)->payload), "0300000702f080");
  EXPECT_EQ((*p)->flags, tcp_flags::kAck | tcp_flags::kPsh);
}

struct LinkCase {
  LinkType link;
  bool v6;
  bool big_endian_file;
  std::size_t header;
};

class EveryLink : public ::testing::TestWithParam<LinkCase> {};

TEST_P(EveryLink, BuildThenParse) {
  const LinkCase c = GetParam();
  FrameSpec spec;
  spec.link = c.link;
  spec.big_endian_file = c.big_endian_file;
  spec.source = {c.v6 ? IpAddress::loopback_v6() : IpAddress::loopback_v4(), 50000};
  spec.destination = {c.v6 ? IpAddress::loopback_v6() : IpAddress::loopback_v4(), 3782};
  spec.seq = 0xFFFFFFFF;
  spec.ack = 1;
  const Bytes payload(300, 0x42);
  auto f = build_tcp_frame(spec, payload);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->size(), c.header + (c.v6 ? 40U : 20U) + 20U + 300U);
  auto p = parse_frame(static_cast<std::uint32_t>(c.link), *f, 1000);
  ASSERT_TRUE(p.ok()) << p.error().describe();
  ASSERT_TRUE(p->has_value());
  EXPECT_EQ((*p)->source, spec.source);
  EXPECT_EQ((*p)->destination, spec.destination);
  EXPECT_EQ((*p)->seq, 0xFFFFFFFFU);
  EXPECT_EQ((*p)->ack, 1U);
  EXPECT_EQ(Bytes((*p)->payload.begin(), (*p)->payload.end()), payload);
  EXPECT_EQ((*p)->payload_offset, 1000 + c.header + (c.v6 ? 40U : 20U) + 20U);
}

INSTANTIATE_TEST_SUITE_P(
    Links, EveryLink,
    ::testing::Values(LinkCase{LinkType::ethernet, false, false, 14},
                      LinkCase{LinkType::ethernet, true, false, 14}, LinkCase{LinkType::raw, false, false, 0},
                      LinkCase{LinkType::raw, true, false, 0}, LinkCase{LinkType::ipv4, false, false, 0},
                      LinkCase{LinkType::ipv6, true, false, 0},
                      LinkCase{LinkType::linux_sll, false, false, 16},
                      LinkCase{LinkType::linux_sll, true, false, 16},
                      LinkCase{LinkType::null, false, false, 4}, LinkCase{LinkType::null, false, true, 4},
                      LinkCase{LinkType::null, true, false, 4}, LinkCase{LinkType::null, true, true, 4}));

TEST(BuildFrame, MixedIpVersionsRejected) {
  FrameSpec spec;
  spec.source = kClient;
  spec.destination = {IpAddress::loopback_v6(), 102};
  auto f = build_tcp_frame(spec, {});
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().code, make_error_code(CoreErrc::invalid_argument));
}

TEST(BuildFrame, Ipv6OnIpv4OnlyLinkRejected) {
  FrameSpec spec;
  spec.link = LinkType::ipv4;
  spec.source = {IpAddress::loopback_v6(), 1};
  spec.destination = {IpAddress::loopback_v6(), 102};
  auto f = build_tcp_frame(spec, {});
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().code, make_error_code(CoreErrc::invalid_argument));
}

TEST(BuildFrame, PayloadAboveIpv4LengthRejected) {
  FrameSpec spec;
  spec.source = kClient;
  spec.destination = kServer;
  EXPECT_TRUE(build_tcp_frame(spec, Bytes(65495)).ok());
  auto f = build_tcp_frame(spec, Bytes(65496));
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().code, make_error_code(Errc::frame_too_large));
}

TEST(IpAddress, ToString) {
  EXPECT_EQ(IpAddress::v4(192, 168, 0, 10).to_string(), "192.168.0.10");
  EXPECT_EQ(IpAddress::loopback_v6().to_string(), "0:0:0:0:0:0:0:1");
  EXPECT_EQ((Endpoint{IpAddress::loopback_v4(), 102}).to_string(), "127.0.0.1:102");
  EXPECT_EQ((Endpoint{IpAddress::loopback_v6(), 3782}).to_string(), "[0:0:0:0:0:0:0:1]:3782");
}

// ---- link layers ----

TEST(ParseFrame, EthernetShorterThanHeader) {
  expect_error(parse_frame(1, hex("02000000000202000000000108")), Errc::truncated_link_header, 0);
}

TEST(ParseFrame, EthernetVlanTaggedIpv4) {
  const Bytes frame = cat({hex("020000000002 020000000001 8100 0005 0800"), hex(kSynRawIpv4)});
  auto r = parse_frame(1, frame);
  ASSERT_TRUE(r.ok() && r->has_value());
  EXPECT_EQ((*r)->payload_offset, 18U + 40U);
}

TEST(ParseFrame, EthernetVlanTagTruncated) {
  expect_error(parse_frame(1, hex("020000000002 020000000001 8100 00")), Errc::truncated_link_header, 14);
}

TEST(ParseFrame, EthernetTooManyVlanTags) {
  const Bytes frame =
      cat({hex("020000000002 020000000001 8100 0001 8100 0002 8100 0003 8100 0004 8100 0005 0800"),
           hex(kSynRawIpv4)});
  expect_error(parse_frame(1, frame), Errc::truncated_link_header, 30);
}

TEST(ParseFrame, EthernetTrailingPaddingIgnored) {
  // Minimum Ethernet frames are padded to 60 octets; the IP total length says where IP ends.
  const Bytes frame = cat({hex("020000000002 020000000001 0800"), hex(kSynRawIpv4), hex("000000000000")});
  auto r = parse_frame(1, frame);
  ASSERT_TRUE(r.ok() && r->has_value());
  EXPECT_TRUE((*r)->payload.empty());
}

TEST(ParseFrame, EthernetArpIsNotTcp) {
  const Bytes frame = hex("ffffffffffff 020000000001 0806 0001080006040001");
  auto r = parse_frame(1, frame);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
}

TEST(ParseFrame, SllShorterThanHeader) {
  expect_error(parse_frame(113, hex("0000030400060000000000000000")), Errc::truncated_link_header, 0);
}

TEST(ParseFrame, NullShorterThanHeader) {
  expect_error(parse_frame(0, hex("020000")), Errc::truncated_link_header, 0);
}

TEST(ParseFrame, NullUnknownFamilyIsNotTcp) {
  auto r = parse_frame(0, cat({hex("07000000"), hex(kSynRawIpv4)}));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
}

TEST(ParseFrame, UnsupportedLinkType) {
  expect_error(parse_frame(105, hex("00")), Errc::unsupported_link_type, 0);
}

// ---- IPv4 ----

TEST(ParseFrame, RawEmptyPacket) { expect_error(parse_raw(""), Errc::bad_ip_header_length, 0); }

TEST(ParseFrame, RawUnknownIpVersion) { expect_error(parse_raw("55000028"), Errc::bad_ip_version, 0); }

TEST(ParseFrame, Ipv4LinkCarryingIpv6) {
  expect_error(parse_frame(228, hex("6000000000000640" + std::string(64, '0'))), Errc::bad_ip_version, 0);
}

TEST(ParseFrame, Ipv4ShorterThanMinimumHeader) {
  expect_error(parse_raw("4500002800014000400600007f0000017f0000"), Errc::bad_ip_header_length, 0);
}

TEST(ParseFrame, Ipv4IhlBelowFive) {
  Bytes f = hex(kSynRawIpv4);
  f[0] = 0x44;
  expect_error(parse_frame(101, f), Errc::bad_ip_header_length, 0);
}

TEST(ParseFrame, Ipv4IhlBeyondPacket) {
  Bytes f = hex(kSynRawIpv4);
  f[0] = 0x4F;  // 60-octet header, and the total length says 40
  f.resize(24);
  expect_error(parse_frame(101, f), Errc::bad_ip_header_length, 0);
}

TEST(ParseFrame, Ipv4TotalLengthBelowHeader) {
  Bytes f = hex(kSynRawIpv4);
  f[3] = 19;
  expect_error(parse_frame(101, f), Errc::bad_ip_total_length, 2);
}

TEST(ParseFrame, Ipv4TotalLengthBeyondCapture) {
  Bytes f = hex(kSynRawIpv4);
  f[3] = 41;  // one octet more than captured (a snap-length cut)
  expect_error(parse_frame(101, f, 100), Errc::bad_ip_total_length, 102);
}

TEST(ParseFrame, Ipv4OptionsSkipped) {
  // IHL 6: one 4-octet option (NOPs), total length 44.
  Bytes f =
      hex("4600002c00014000 4006 0000 7f000001 7f000001 01010101 c0000066 1000000000000000 5002ffff00000000");
  auto r = parse_frame(101, f);
  ASSERT_TRUE(r.ok() && r->has_value());
  EXPECT_EQ((*r)->destination.port, 102);
  EXPECT_EQ((*r)->payload_offset, 44U);
}

TEST(ParseFrame, Ipv4FragmentIsNotTcp) {
  Bytes f = hex(kSynRawIpv4);
  f[6] = 0x20;  // more fragments
  auto r = parse_frame(101, f);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
  f[6] = 0x00;
  f[7] = 0x10;  // fragment offset 16
  r = parse_frame(101, f);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
}

TEST(ParseFrame, Ipv4UdpIsNotTcp) {
  Bytes f = hex(kSynRawIpv4);
  f[9] = 17;
  auto r = parse_frame(101, f);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
}

// ---- TCP ----

TEST(ParseFrame, TcpHeaderTruncated) {
  // Total length 39: the TCP header has 19 octets.
  Bytes f = hex(kSynRawIpv4);
  f[3] = 39;
  f.pop_back();
  expect_error(parse_frame(101, f), Errc::truncated_tcp_header, 20);
}

TEST(ParseFrame, TcpDataOffsetBelowFive) {
  Bytes f = hex(kSynRawIpv4);
  f[32] = 0x40;
  expect_error(parse_frame(101, f), Errc::bad_tcp_data_offset, 32);
}

TEST(ParseFrame, TcpDataOffsetBeyondSegment) {
  Bytes f = hex(kSynRawIpv4);
  f[32] = 0x60;  // 24-octet header in a 20-octet segment
  expect_error(parse_frame(101, f, 7), Errc::bad_tcp_data_offset, 7 + 32);
}

TEST(ParseFrame, TcpOptionsSkipped) {
  // Data offset 6 (MSS option 0204 05b4), then two payload octets.
  Bytes f =
      hex("4500002e00014000 4006 0000 7f000001 7f000001 c0000066 1000000000000000 6018ffff00000000 020405b4 "
          "abcd");
  auto r = parse_frame(101, f);
  ASSERT_TRUE(r.ok() && r->has_value());
  EXPECT_EQ(to_hex((*r)->payload), "abcd");
  EXPECT_EQ((*r)->payload_offset, 44U);
}

// ---- IPv6 ----

// IPv6 header: version 6, payload length 20, next header TCP (6), hop limit 64, ::1 -> ::1.
std::string ipv6_header(std::string_view payload_len_hex, std::string_view next_hex) {
  return "60000000" + std::string(payload_len_hex) + std::string(next_hex) + "40" + std::string(30, '0') +
         "01" + std::string(30, '0') + "01";
}
constexpr std::string_view kTcpSyn = "c00000661000000000000000 5002ffff00000000";

TEST(ParseFrame, Ipv6Tcp) {
  auto r = parse_raw(ipv6_header("0014", "06") + std::string(kTcpSyn));
  ASSERT_TRUE(r.ok() && r->has_value());
  EXPECT_EQ((*r)->source.ip, IpAddress::loopback_v6());
  EXPECT_EQ((*r)->payload_offset, 60U);
}

TEST(ParseFrame, Ipv6ShorterThanHeader) {
  expect_error(parse_raw("6000000000140640"), Errc::bad_ip_total_length, 0);
}

TEST(ParseFrame, Ipv6PayloadLengthBeyondCapture) {
  expect_error(parse_raw(ipv6_header("0015", "06") + std::string(kTcpSyn)), Errc::bad_ip_total_length, 4);
}

TEST(ParseFrame, Ipv6HopByHopThenTcp) {
  // Hop-by-hop options: next header 6, length 0 (8 octets), PadN.
  auto r = parse_raw(ipv6_header("001c", "00") + "0600010400000000" + std::string(kTcpSyn));
  ASSERT_TRUE(r.ok() && r->has_value());
  EXPECT_EQ((*r)->payload_offset, 68U);
}

TEST(ParseFrame, Ipv6ExtensionHeaderTruncated) {
  // Destination options claim 16 octets (length 1) but only 8 remain in the payload.
  expect_error(parse_raw(ipv6_header("0008", "3c") + "0601010400000000"), Errc::bad_ipv6_extension, 41);
}

TEST(ParseFrame, Ipv6ExtensionHeaderShorterThanEight) {
  expect_error(parse_raw(ipv6_header("0004", "3c") + "06000104"), Errc::bad_ipv6_extension, 40);
}

TEST(ParseFrame, Ipv6TooManyExtensionHeaders) {
  std::string chain;
  for (int i = 0; i < 9; ++i) chain += "3c00010400000000";  // destination options -> destination options
  expect_error(parse_raw(ipv6_header("0048", "3c") + chain), Errc::bad_ipv6_extension, 40 + 8 * 8);
}

TEST(ParseFrame, Ipv6FragmentIsNotTcp) {
  auto r = parse_raw(ipv6_header("0008", "2c") + "0600000100000001");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
}

TEST(ParseFrame, Ipv6JumbogramIsNotTcp) {
  auto r = parse_raw(ipv6_header("0000", "00"));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
}

}  // namespace
}  // namespace mmssec::capture
