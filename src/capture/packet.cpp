// SPDX-License-Identifier: Apache-2.0
// Link-layer, IPv4 (RFC 791), IPv6 (RFC 8200) and TCP (RFC 9293) header parsing and building.
#include "mmssec/capture/packet.hpp"

#include <cstdio>

namespace mmssec::capture {
namespace {

constexpr std::uint16_t kEtherTypeIpv4 = 0x0800;
constexpr std::uint16_t kEtherTypeIpv6 = 0x86DD;
constexpr std::uint16_t kEtherTypeVlan = 0x8100;  // IEEE 802.1Q
constexpr std::uint16_t kEtherTypeQinQ = 0x88A8;  // IEEE 802.1ad
constexpr std::size_t kMaxVlanTags = 4;
constexpr std::size_t kEthernetHeaderSize = 14;
constexpr std::size_t kSllHeaderSize = 16;
constexpr std::size_t kNullHeaderSize = 4;
// BSD loopback address families: AF_INET is 2 everywhere; AF_INET6 is 24 (NetBSD/OpenBSD),
// 28 (FreeBSD) or 30 (macOS).
constexpr std::uint32_t kNullAfInet = 2;
constexpr std::uint32_t kNullAfInet6Bsd = 24;
constexpr std::uint32_t kNullAfInet6FreeBsd = 28;
constexpr std::uint32_t kNullAfInet6Darwin = 30;

constexpr std::uint8_t kIpProtoTcp = 6;
constexpr std::size_t kIpv4MinHeader = 20;
constexpr std::size_t kIpv6Header = 40;
constexpr std::uint16_t kIpv4MoreFragments = 0x2000;
constexpr std::uint16_t kIpv4FragmentOffsetMask = 0x1FFF;
// IPv6 extension headers we walk past (RFC 8200 section 4), and the ones that end the walk.
constexpr std::uint8_t kIpv6HopByHop = 0;
constexpr std::uint8_t kIpv6Routing = 43;
constexpr std::uint8_t kIpv6Fragment = 44;
constexpr std::uint8_t kIpv6AuthHeader = 51;
constexpr std::uint8_t kIpv6DestOptions = 60;
constexpr std::size_t kMaxIpv6Extensions = 8;
constexpr std::size_t kTcpMinHeader = 20;

// Fixed-size reads after the caller has checked remaining(); a failure would be a logic error
// in this file, and still yields a typed error rather than a crash.
#define CAPTURE_READ(lhs, expr) MMSSEC_TRY_ASSIGN(lhs, expr)

Result<std::optional<TcpSegment>> parse_ipv4(ByteReader& r);
Result<std::optional<TcpSegment>> parse_ipv6(ByteReader& r);

// TCP header (RFC 9293 section 3.1):
//   src port u16 | dst port u16 | seq u32 | ack u32 | data offset:4 reserved:4 | flags u8 |
//   window u16 | checksum u16 | urgent u16 | options (data offset * 4 - 20) | payload
Result<std::optional<TcpSegment>> parse_tcp(ByteReader& r, const IpAddress& src, const IpAddress& dst) {
  const std::size_t start = r.offset();
  if (r.remaining() < kTcpMinHeader) return Error{Errc::truncated_tcp_header, start};
  TcpSegment s;
  s.source.ip = src;
  s.destination.ip = dst;
  CAPTURE_READ(s.source.port, r.read_u16be());
  CAPTURE_READ(s.destination.port, r.read_u16be());
  CAPTURE_READ(s.seq, r.read_u32be());
  CAPTURE_READ(s.ack, r.read_u32be());
  CAPTURE_READ(const std::uint8_t offset_byte, r.read_u8());
  CAPTURE_READ(s.flags, r.read_u8());
  CAPTURE_READ(s.window, r.read_u16be());
  MMSSEC_TRY(r.skip(4));  // checksum, urgent pointer
  const std::size_t header_len = std::size_t{static_cast<std::uint8_t>(offset_byte >> 4)} * 4;
  if (header_len < kTcpMinHeader || header_len - kTcpMinHeader > r.remaining())
    return Error{Errc::bad_tcp_data_offset, start + 12};
  MMSSEC_TRY(r.skip(header_len - kTcpMinHeader));
  s.payload_offset = r.offset();
  s.payload = r.rest();
  return std::optional<TcpSegment>{s};
}

// IPv4 header (RFC 791 section 3.1):
//   version:4 IHL:4 | TOS u8 | total length u16 | id u16 | flags:3 fragment offset:13 |
//   TTL u8 | protocol u8 | checksum u16 | source 4 | destination 4 | options (IHL * 4 - 20)
Result<std::optional<TcpSegment>> parse_ipv4(ByteReader& r) {
  const std::size_t start = r.offset();
  if (r.remaining() < kIpv4MinHeader) return Error{Errc::bad_ip_header_length, start};
  CAPTURE_READ(const std::uint8_t ver_ihl, r.read_u8());
  if ((ver_ihl >> 4) != 4) return Error{Errc::bad_ip_version, start};
  const std::size_t header_len = std::size_t{static_cast<std::uint8_t>(ver_ihl & 0x0F)} * 4;
  // The whole packet, counted from its first octet.
  const std::size_t available = r.remaining() + 1;
  if (header_len < kIpv4MinHeader || header_len > available) return Error{Errc::bad_ip_header_length, start};
  MMSSEC_TRY(r.skip(1));  // type of service
  CAPTURE_READ(const std::uint16_t total_length, r.read_u16be());
  if (total_length < header_len || total_length > available)
    return Error{Errc::bad_ip_total_length, start + 2};
  MMSSEC_TRY(r.skip(2));  // identification
  CAPTURE_READ(const std::uint16_t frag, r.read_u16be());
  MMSSEC_TRY(r.skip(1));  // TTL
  CAPTURE_READ(const std::uint8_t protocol, r.read_u8());
  MMSSEC_TRY(r.skip(2));  // header checksum (not verified: offloaded checksums are common in captures)
  IpAddress src;
  IpAddress dst;
  CAPTURE_READ(const ByteView s4, r.read_bytes(4));
  CAPTURE_READ(const ByteView d4, r.read_bytes(4));
  for (std::size_t i = 0; i < 4; ++i) {
    src.bytes[i] = s4[i];
    dst.bytes[i] = d4[i];
  }
  MMSSEC_TRY(r.skip(header_len - kIpv4MinHeader));
  // Fragments are not reassembled: MMS peers send TCP segments that fit the path MTU.
  if ((frag & kIpv4MoreFragments) != 0 || (frag & kIpv4FragmentOffsetMask) != 0)
    return std::optional<TcpSegment>{};
  if (protocol != kIpProtoTcp) return std::optional<TcpSegment>{};
  CAPTURE_READ(ByteReader tcp, r.sub(total_length - header_len));
  return parse_tcp(tcp, src, dst);
}

// IPv6 header (RFC 8200 section 3):
//   version:4 traffic class:8 flow label:20 | payload length u16 | next header u8 |
//   hop limit u8 | source 16 | destination 16 | extension headers | upper-layer payload
Result<std::optional<TcpSegment>> parse_ipv6(ByteReader& r) {
  const std::size_t start = r.offset();
  if (r.remaining() < kIpv6Header) return Error{Errc::bad_ip_total_length, start};
  CAPTURE_READ(const std::uint8_t first, r.read_u8());
  if ((first >> 4) != 6) return Error{Errc::bad_ip_version, start};
  MMSSEC_TRY(r.skip(3));
  CAPTURE_READ(const std::uint16_t payload_length, r.read_u16be());
  CAPTURE_READ(std::uint8_t next, r.read_u8());
  MMSSEC_TRY(r.skip(1));  // hop limit
  IpAddress src;
  IpAddress dst;
  src.version = 6;
  dst.version = 6;
  CAPTURE_READ(const ByteView s6, r.read_bytes(16));
  CAPTURE_READ(const ByteView d6, r.read_bytes(16));
  for (std::size_t i = 0; i < 16; ++i) {
    src.bytes[i] = s6[i];
    dst.bytes[i] = d6[i];
  }
  // A zero payload length announces a jumbogram (RFC 2675); those never carry MMS.
  if (payload_length == 0) return std::optional<TcpSegment>{};
  if (payload_length > r.remaining()) return Error{Errc::bad_ip_total_length, start + 4};
  CAPTURE_READ(ByteReader p, r.sub(payload_length));
  for (std::size_t n = 0;; ++n) {
    if (next == kIpProtoTcp) return parse_tcp(p, src, dst);
    // Fragments are not reassembled; no-next-header, UDP, ICMPv6 ... are not TCP.
    if (next == kIpv6Fragment) return std::optional<TcpSegment>{};
    if (next != kIpv6HopByHop && next != kIpv6Routing && next != kIpv6DestOptions && next != kIpv6AuthHeader)
      return std::optional<TcpSegment>{};
    if (n == kMaxIpv6Extensions) return Error{Errc::bad_ipv6_extension, p.offset()};
    // Extension header: next header u8 | length u8 | ...; the length counts 8-octet units
    // beyond the first (for the authentication header: 4-octet units beyond the first two).
    const std::size_t ext_start = p.offset();
    const bool auth = next == kIpv6AuthHeader;
    if (p.remaining() < 8) return Error{Errc::bad_ipv6_extension, ext_start};
    CAPTURE_READ(next, p.read_u8());
    CAPTURE_READ(const std::uint8_t len, p.read_u8());
    const std::size_t ext_len = auth ? (std::size_t{len} + 2) * 4 : (std::size_t{len} + 1) * 8;
    if (ext_len - 2 > p.remaining()) return Error{Errc::bad_ipv6_extension, ext_start + 1};
    MMSSEC_TRY(p.skip(ext_len - 2));
  }
}

// Dispatch on the IP version nibble (raw link types).
Result<std::optional<TcpSegment>> parse_ip_any(ByteReader& r) {
  CAPTURE_READ(const std::uint8_t first, r.peek_u8());
  switch (first >> 4) {
    case 4: return parse_ipv4(r);
    case 6: return parse_ipv6(r);
    default: return Error{Errc::bad_ip_version, r.offset()};
  }
}

Result<std::optional<TcpSegment>> parse_ethertype(std::uint16_t type, ByteReader& r) {
  if (type == kEtherTypeIpv4) return parse_ipv4(r);
  if (type == kEtherTypeIpv6) return parse_ipv6(r);
  return std::optional<TcpSegment>{};  // ARP, LLDP, GOOSE, ...
}

void put_address(ByteWriter& w, const IpAddress& a) {
  w.bytes(ByteView(a.bytes.data(), a.version == 4 ? 4 : 16));
}

}  // namespace

IpAddress IpAddress::v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) noexcept {
  IpAddress ip;
  ip.version = 4;
  ip.bytes[0] = a;
  ip.bytes[1] = b;
  ip.bytes[2] = c;
  ip.bytes[3] = d;
  return ip;
}

IpAddress IpAddress::v6(const std::array<std::uint8_t, 16>& a) noexcept {
  IpAddress ip;
  ip.version = 6;
  ip.bytes = a;
  return ip;
}

IpAddress IpAddress::loopback_v6() noexcept {
  std::array<std::uint8_t, 16> a{};
  a[15] = 1;
  return v6(a);
}

std::string IpAddress::to_string() const {
  std::string s;
  char buf[8];
  if (version == 4) {
    for (std::size_t i = 0; i < 4; ++i) {
      if (i != 0) s += '.';
      s += std::to_string(bytes[i]);
    }
    return s;
  }
  for (std::size_t i = 0; i < 16; i += 2) {
    if (i != 0) s += ':';
    std::snprintf(buf, sizeof buf, "%x", (unsigned{bytes[i]} << 8) | bytes[i + 1]);
    s += buf;
  }
  return s;
}

std::string Endpoint::to_string() const {
  const std::string host = ip.version == 4 ? ip.to_string() : "[" + ip.to_string() + "]";
  return host + ":" + std::to_string(port);
}

Result<std::optional<TcpSegment>> parse_ip(ByteView packet, std::size_t base_offset) {
  ByteReader r(packet, base_offset);
  if (r.empty()) return Error{Errc::bad_ip_header_length, base_offset};
  return parse_ip_any(r);
}

Result<std::optional<TcpSegment>> parse_frame(std::uint32_t link_type, ByteView frame,
                                              std::size_t base_offset) {
  ByteReader r(frame, base_offset);
  switch (static_cast<LinkType>(link_type)) {
    // Ethernet II: destination 6 | source 6 | [802.1Q tag: TPID u16 | TCI u16]* | type u16
    case LinkType::ethernet: {
      if (r.remaining() < kEthernetHeaderSize) return Error{Errc::truncated_link_header, base_offset};
      MMSSEC_TRY(r.skip(12));
      CAPTURE_READ(std::uint16_t type, r.read_u16be());
      for (std::size_t tags = 0; type == kEtherTypeVlan || type == kEtherTypeQinQ; ++tags) {
        if (tags == kMaxVlanTags || r.remaining() < 4) return Error{Errc::truncated_link_header, r.offset()};
        MMSSEC_TRY(r.skip(2));  // TCI
        CAPTURE_READ(type, r.read_u16be());
      }
      return parse_ethertype(type, r);
    }
    // Linux cooked v1: packet type u16 | ARPHRD type u16 | address length u16 |
    //                  address 8 | protocol u16 (an EtherType)
    case LinkType::linux_sll: {
      if (r.remaining() < kSllHeaderSize) return Error{Errc::truncated_link_header, base_offset};
      MMSSEC_TRY(r.skip(14));
      CAPTURE_READ(const std::uint16_t type, r.read_u16be());
      return parse_ethertype(type, r);
    }
    // BSD loopback: address family u32 in the byte order of the host that captured, which
    // need not be the file's, so both orders are tried.
    case LinkType::null: {
      if (r.remaining() < kNullHeaderSize) return Error{Errc::truncated_link_header, base_offset};
      CAPTURE_READ(const std::uint32_t be, r.read_u32be());
      const std::uint32_t le = (be >> 24) | ((be >> 8) & 0xFF00U) | ((be << 8) & 0xFF0000U) | (be << 24);
      for (const std::uint32_t family : {be, le}) {
        if (family == kNullAfInet) return parse_ipv4(r);
        if (family == kNullAfInet6Bsd || family == kNullAfInet6FreeBsd || family == kNullAfInet6Darwin)
          return parse_ipv6(r);
      }
      return std::optional<TcpSegment>{};
    }
    case LinkType::raw:
      if (r.empty()) return Error{Errc::bad_ip_header_length, base_offset};
      return parse_ip_any(r);
    case LinkType::ipv4: return parse_ipv4(r);
    case LinkType::ipv6: return parse_ipv6(r);
  }
  return Error{Errc::unsupported_link_type, base_offset};
}

std::uint16_t internet_checksum(ByteView data, std::uint32_t initial) noexcept {
  std::uint64_t sum = initial;
  std::size_t i = 0;
  for (; i + 1 < data.size(); i += 2) sum += (std::uint32_t{data[i]} << 8) | data[i + 1];
  if (i < data.size()) sum += std::uint32_t{data[i]} << 8;
  while ((sum >> 16) != 0) sum = (sum & 0xFFFF) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum & 0xFFFF);
}

Result<Bytes> build_tcp_frame(const FrameSpec& spec, ByteView payload) {
  const IpAddress& src = spec.source.ip;
  const IpAddress& dst = spec.destination.ip;
  if (src.version != dst.version || (src.version != 4 && src.version != 6)) return CoreErrc::invalid_argument;
  const bool v6 = src.version == 6;
  if ((v6 && spec.link == LinkType::ipv4) || (!v6 && spec.link == LinkType::ipv6))
    return CoreErrc::invalid_argument;
  const std::size_t tcp_len = kTcpMinHeader + payload.size();
  const std::size_t ip_header = v6 ? kIpv6Header : kIpv4MinHeader;
  if (tcp_len + (v6 ? 0 : ip_header) > 0xFFFF) return Error{Errc::frame_too_large, 0};

  // TCP segment, checksum patched after the pseudo-header sum.
  Bytes tcp;
  ByteWriter t(tcp);
  t.u16be(spec.source.port);
  t.u16be(spec.destination.port);
  t.u32be(spec.seq);
  t.u32be(spec.ack);
  t.u8(static_cast<std::uint8_t>((kTcpMinHeader / 4) << 4));
  t.u8(spec.flags);
  t.u16be(spec.window);
  t.u16be(0);  // checksum
  t.u16be(0);  // urgent pointer
  t.bytes(payload);
  // Pseudo-header (RFC 9293 section 3.1 for IPv4, RFC 8200 section 8.1 for IPv6):
  // source, destination, protocol and TCP length.
  Bytes pseudo;
  ByteWriter ph(pseudo);
  put_address(ph, src);
  put_address(ph, dst);
  if (v6) {
    ph.u32be(static_cast<std::uint32_t>(tcp_len));
    ph.u16be(0);
    ph.u8(0);
    ph.u8(kIpProtoTcp);
  } else {
    ph.u8(0);
    ph.u8(kIpProtoTcp);
    ph.u16be(static_cast<std::uint16_t>(tcp_len));
  }
  ph.bytes(tcp);
  t.patch_u16be(16, internet_checksum(pseudo));

  Bytes frame;
  ByteWriter w(frame);
  switch (spec.link) {
    case LinkType::ethernet:
      // Locally administered unicast addresses: 02:00:00:00:00:01 (client) and :02.
      w.bytes(ByteView(std::array<std::uint8_t, 6>{0x02, 0, 0, 0, 0, 0x02}));
      w.bytes(ByteView(std::array<std::uint8_t, 6>{0x02, 0, 0, 0, 0, 0x01}));
      w.u16be(v6 ? kEtherTypeIpv6 : kEtherTypeIpv4);
      break;
    case LinkType::linux_sll:
      w.u16be(0);    // packet type: to us
      w.u16be(772);  // ARPHRD_LOOPBACK
      w.u16be(6);    // address length
      w.bytes(ByteView(std::array<std::uint8_t, 8>{}));
      w.u16be(v6 ? kEtherTypeIpv6 : kEtherTypeIpv4);
      break;
    case LinkType::null: {
      const std::uint32_t family = v6 ? kNullAfInet6Darwin : kNullAfInet;
      if (spec.big_endian_file) {
        w.u32be(family);
      } else {
        for (int i = 0; i < 4; ++i) w.u8(static_cast<std::uint8_t>(family >> (8 * i)));
      }
      break;
    }
    case LinkType::raw:
    case LinkType::ipv4:
    case LinkType::ipv6: break;
    default: return CoreErrc::invalid_argument;
  }
  if (v6) {
    w.u32be(0x6000'0000);  // version 6, traffic class 0, flow label 0
    w.u16be(static_cast<std::uint16_t>(tcp_len));
    w.u8(kIpProtoTcp);
    w.u8(64);  // hop limit
    put_address(w, src);
    put_address(w, dst);
  } else {
    const std::size_t ip_start = w.size();
    w.u8(0x45);  // version 4, IHL 5
    w.u8(0);     // type of service
    w.u16be(static_cast<std::uint16_t>(ip_header + tcp_len));
    w.u16be(spec.ip_id);
    w.u16be(0x4000);  // don't fragment
    w.u8(64);         // TTL
    w.u8(kIpProtoTcp);
    w.u16be(0);  // header checksum, patched below
    put_address(w, src);
    put_address(w, dst);
    w.patch_u16be(ip_start + 10, internet_checksum(ByteView(frame).subspan(ip_start, ip_header)));
  }
  w.bytes(tcp);
  return frame;
}

}  // namespace mmssec::capture
