// SPDX-License-Identifier: Apache-2.0
#include "mmssec/capture/tcp_stream.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mmssec/capture/synth.hpp"

namespace mmssec::capture {
namespace {

using namespace tcp_flags;

const Endpoint kClient{IpAddress::v4(10, 0, 0, 1), 49152};
const Endpoint kServer{IpAddress::v4(10, 0, 0, 2), 102};

Bytes str(std::string_view s) { return Bytes(s.begin(), s.end()); }
std::string str(const Bytes& b) { return std::string(b.begin(), b.end()); }

// Segments keep their payload alive for the duration of a test.
struct Seg {
  TcpSegment s;
  Bytes data;
};

Seg seg(const Endpoint& from, const Endpoint& to, std::uint32_t seq, std::uint8_t flags,
        std::string_view payload = {}, std::size_t offset = 0) {
  Seg g;
  g.data = str(payload);
  g.s.source = from;
  g.s.destination = to;
  g.s.seq = seq;
  g.s.flags = flags;
  g.s.payload_offset = offset;
  return g;
}

std::string feed(TcpReassembler& r, Seg& g) {
  g.s.payload = g.data;
  auto d = r.add(g.s);
  EXPECT_TRUE(d.ok()) << d.error().describe();
  return d.ok() ? str(d->data) : "<error>";
}

TEST(TcpReassembler, InOrderAfterHandshake) {
  TcpReassembler r;
  Seg syn = seg(kClient, kServer, 100, kSyn);
  Seg synack = seg(kServer, kClient, 500, kSyn | kAck);
  Seg a = seg(kClient, kServer, 101, kAck | kPsh, "hello ");
  Seg b = seg(kClient, kServer, 107, kAck | kPsh, "world");
  Seg resp = seg(kServer, kClient, 501, kAck | kPsh, "ok");
  EXPECT_EQ(feed(r, syn), "");
  EXPECT_EQ(feed(r, synack), "");
  EXPECT_EQ(feed(r, a), "hello ");
  EXPECT_EQ(feed(r, b), "world");
  EXPECT_EQ(feed(r, resp), "ok");
  ASSERT_EQ(r.connections().size(), 1U);
  const Connection& c = r.connections()[0];
  EXPECT_EQ(c.client, kClient);
  EXPECT_EQ(c.server, kServer);
  EXPECT_TRUE(c.syn_seen);
  EXPECT_EQ(c.stream(Direction::client_to_server).delivered, 11U);
  EXPECT_EQ(c.stream(Direction::server_to_client).delivered, 2U);
}

TEST(TcpReassembler, OutOfOrderSegmentsWaitForTheHole) {
  TcpReassembler r;
  Seg syn = seg(kClient, kServer, 100, kSyn);
  Seg s3 = seg(kClient, kServer, 107, kAck, "GHI");
  Seg s2 = seg(kClient, kServer, 104, kAck, "DEFG");  // overlaps s1 and s3 by one octet each
  Seg s1 = seg(kClient, kServer, 101, kAck, "ABCD");
  feed(r, syn);
  EXPECT_EQ(feed(r, s3), "");
  EXPECT_EQ(feed(r, s2), "");
  EXPECT_EQ(r.connections()[0].stream(Direction::client_to_server).pending_bytes, 7U);
  EXPECT_EQ(feed(r, s1), "ABCDEFGHI");
  EXPECT_EQ(r.connections()[0].stream(Direction::client_to_server).pending_bytes, 0U);
  EXPECT_TRUE(r.connections()[0].stream(Direction::client_to_server).pending.empty());
}

TEST(TcpReassembler, DuplicateSegmentDeliversNothing) {
  TcpReassembler r;
  Seg syn = seg(kClient, kServer, 100, kSyn);
  Seg a = seg(kClient, kServer, 101, kAck, "abc");
  Seg again = seg(kClient, kServer, 101, kAck, "abc");
  feed(r, syn);
  EXPECT_EQ(feed(r, a), "abc");
  EXPECT_EQ(feed(r, again), "");
  EXPECT_EQ(r.connections()[0].stream(Direction::client_to_server).delivered, 3U);
}

TEST(TcpReassembler, DuplicateOutOfOrderSegmentStoredOnce) {
  TcpReassembler r;
  Seg syn = seg(kClient, kServer, 100, kSyn);
  Seg late = seg(kClient, kServer, 104, kAck, "def");
  Seg late2 = seg(kClient, kServer, 104, kAck, "def");
  Seg longer = seg(kClient, kServer, 104, kAck, "defg");
  Seg first = seg(kClient, kServer, 101, kAck, "abc");
  feed(r, syn);
  feed(r, late);
  feed(r, late2);
  EXPECT_EQ(r.connections()[0].stream(Direction::client_to_server).pending_bytes, 3U);
  feed(r, longer);  // the longer copy replaces the shorter one
  EXPECT_EQ(r.connections()[0].stream(Direction::client_to_server).pending_bytes, 4U);
  EXPECT_EQ(feed(r, first), "abcdefg");
}

TEST(TcpReassembler, RetransmissionOverlappingDeliveredDataIsTrimmed) {
  TcpReassembler r;
  Seg syn = seg(kClient, kServer, 100, kSyn);
  Seg a = seg(kClient, kServer, 101, kAck, "abcd");
  Seg overlap = seg(kClient, kServer, 103, kAck, "cdef");  // first copy of "cd" wins
  feed(r, syn);
  EXPECT_EQ(feed(r, a), "abcd");
  EXPECT_EQ(feed(r, overlap), "ef");
}

TEST(TcpReassembler, SequenceNumbersWrapAround) {
  TcpReassembler r;
  Seg syn = seg(kClient, kServer, 0xFFFFFFFD, kSyn);
  Seg b = seg(kClient, kServer, 0x00000001, kAck, "XY");  // after the wrap, arrives first
  Seg a = seg(kClient, kServer, 0xFFFFFFFE, kAck, "abc");
  feed(r, syn);
  EXPECT_EQ(feed(r, b), "");
  EXPECT_EQ(feed(r, a), "abcXY");
  EXPECT_EQ(r.connections()[0].stream(Direction::client_to_server).next_seq, 3U);
}

TEST(TcpReassembler, PerStreamLimitOnBufferedOctets) {
  ReassemblyOptions o;
  o.max_buffered_per_stream = 10;
  TcpReassembler r(o);
  Seg syn = seg(kClient, kServer, 100, kSyn);
  Seg fits = seg(kClient, kServer, 111, kAck, "0123456789");  // exactly the limit
  Seg more = seg(kClient, kServer, 131, kAck, "x", 4242);
  feed(r, syn);
  EXPECT_EQ(feed(r, fits), "");
  more.s.payload = more.data;
  auto d = r.add(more.s);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, make_error_code(Errc::stream_limit_exceeded));
  EXPECT_EQ(d.error().offset, 4242U);
  // The other direction has its own budget.
  Seg synack = seg(kServer, kClient, 900, kSyn | kAck);
  Seg back = seg(kServer, kClient, 905, kAck, "0123456789");
  feed(r, synack);
  EXPECT_EQ(feed(r, back), "");
}

TEST(TcpReassembler, TooManyConnections) {
  ReassemblyOptions o;
  o.max_connections = 2;
  TcpReassembler r(o);
  for (std::uint16_t port = 50000; port < 50002; ++port) {
    Seg s = seg({kClient.ip, port}, kServer, 1, kSyn);
    feed(r, s);
  }
  Seg third = seg({kClient.ip, 50002}, kServer, 1, kSyn, {}, 77);
  third.s.payload = third.data;
  auto d = r.add(third.s);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, make_error_code(Errc::too_many_streams));
  EXPECT_EQ(d.error().offset, 77U);
}

TEST(TcpReassembler, MidStreamCaptureUsesServerPort) {
  TcpReassembler r;
  // The first captured segment comes from the server (port 102): it must not become the client.
  Seg resp = seg(kServer, kClient, 7000, kAck | kPsh, "resp");
  Seg req = seg(kClient, kServer, 3000, kAck | kPsh, "req");
  EXPECT_EQ(feed(r, resp), "resp");
  EXPECT_EQ(feed(r, req), "req");
  ASSERT_EQ(r.connections().size(), 1U);
  EXPECT_EQ(r.connections()[0].server, kServer);
  EXPECT_FALSE(r.connections()[0].syn_seen);
}

TEST(TcpReassembler, MidStreamCaptureUnknownPortsFirstSenderIsClient) {
  TcpReassembler r;
  const Endpoint a{IpAddress::v4(10, 0, 0, 1), 5000};
  const Endpoint b{IpAddress::v4(10, 0, 0, 2), 6000};
  Seg s = seg(b, a, 1, kAck, "x");
  feed(r, s);
  EXPECT_EQ(r.connections()[0].client, b);
}

TEST(TcpReassembler, FinClosesAndNewSynReusesPorts) {
  TcpReassembler r;
  Seg syn = seg(kClient, kServer, 100, kSyn);
  Seg fin1 = seg(kClient, kServer, 101, kFin | kAck, "bye");
  Seg fin2 = seg(kServer, kClient, 200, kFin | kAck);
  feed(r, syn);
  EXPECT_EQ(feed(r, fin1), "bye");
  feed(r, fin2);
  EXPECT_TRUE(r.connections()[0].closed());
  Seg syn2 = seg(kClient, kServer, 5000, kSyn);
  Seg data2 = seg(kClient, kServer, 5001, kAck, "again");
  feed(r, syn2);
  EXPECT_EQ(feed(r, data2), "again");
  ASSERT_EQ(r.connections().size(), 2U);
  EXPECT_FALSE(r.connections()[1].closed());
}

TEST(TcpReassembler, RetransmittedSynIsSameConnection) {
  TcpReassembler r;
  Seg syn = seg(kClient, kServer, 100, kSyn);
  Seg syn_again = seg(kClient, kServer, 100, kSyn);
  feed(r, syn);
  feed(r, syn_again);
  EXPECT_EQ(r.connections().size(), 1U);
}

TEST(TcpReassembler, ResetCloses) {
  TcpReassembler r;
  Seg syn = seg(kClient, kServer, 100, kSyn);
  Seg rst = seg(kServer, kClient, 0, kRst | kAck);
  feed(r, syn);
  feed(r, rst);
  EXPECT_TRUE(r.connections()[0].reset);
  EXPECT_TRUE(r.connections()[0].closed());
}

// ---- the writer and the whole pipeline ----

std::vector<Message> sample_messages() {
  return {{Direction::client_to_server, str("request-1")},
          {Direction::server_to_client, str("response-1")},
          {Direction::client_to_server, Bytes(4000, 0x33)},  // three segments at MSS 1460
          {Direction::server_to_client, str("response-2")}};
}

struct Variant {
  LinkType link;
  bool ipv6;
  bool big_endian;
  bool nanosecond;
};

class ConversationRoundTrip : public ::testing::TestWithParam<Variant> {};

TEST_P(ConversationRoundTrip, ExtractReturnsTheMessages) {
  const Variant v = GetParam();
  ConversationOptions o;
  o.link = v.link;
  o.ipv6 = v.ipv6;
  o.big_endian = v.big_endian;
  o.nanosecond = v.nanosecond;
  const auto msgs = sample_messages();
  auto file = write_conversation(msgs, o);
  ASSERT_TRUE(file.ok()) << file.error().describe();
  auto convs = extract_conversations(*file);
  ASSERT_TRUE(convs.ok()) << convs.error().describe();
  ASSERT_EQ(convs->size(), 1U);
  const Conversation& c = (*convs)[0];
  EXPECT_EQ(c.client.port, 49152);
  EXPECT_EQ(c.server.port, 102);
  EXPECT_EQ(c.client.ip.version, v.ipv6 ? 6 : 4);
  Bytes to_server = msgs[0].payload;
  to_server.insert(to_server.end(), msgs[2].payload.begin(), msgs[2].payload.end());
  EXPECT_EQ(c.to_server, to_server);
  EXPECT_EQ(str(c.to_client), "response-1response-2");
  EXPECT_TRUE(c.closed);
  // One chunk per data segment, in capture order: 1 + 1 + 3 + 1.
  ASSERT_EQ(c.chunks.size(), 6U);
  EXPECT_EQ(c.chunks[1].direction, Direction::server_to_client);
  EXPECT_EQ(c.chunks[2].offset, 9U);
  EXPECT_EQ(c.chunks[2].size, 1460U);
  EXPECT_EQ(c.chunks[0].record, 3U);  // after SYN, SYN-ACK, ACK
}

INSTANTIATE_TEST_SUITE_P(Files, ConversationRoundTrip,
                         ::testing::Values(Variant{LinkType::ethernet, false, false, false},
                                           Variant{LinkType::ethernet, true, true, true},
                                           Variant{LinkType::raw, false, true, false},
                                           Variant{LinkType::ipv4, false, false, true},
                                           Variant{LinkType::ipv6, true, false, false},
                                           Variant{LinkType::null, false, true, true},
                                           Variant{LinkType::linux_sll, true, false, false}));

TEST(WriteConversation, SequenceAndAckNumbersGolden) {
  ConversationOptions o;
  o.link = LinkType::raw;
  o.client_isn = 1000;
  o.server_isn = 5000;
  const std::vector<Message> msgs{{Direction::client_to_server, str("abc")},
                                  {Direction::server_to_client, str("de")}};
  auto file = write_conversation(msgs, o);
  ASSERT_TRUE(file.ok());
  auto reader = PcapReader::open(*file);
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ(reader->header().link_type, 101U);
  struct Expect {
    bool from_client;
    std::uint32_t seq, ack;
    std::uint8_t flags;
    std::size_t len;
  };
  const std::vector<Expect> want{
      {true, 1000, 0, kSyn, 0},             // SYN
      {false, 5000, 1001, kSyn | kAck, 0},  // SYN-ACK
      {true, 1001, 5001, kAck, 0},          // ACK
      {true, 1001, 5001, kAck | kPsh, 3},   // "abc"
      {false, 5001, 1004, kAck, 0},         // ACK of "abc"
      {false, 5001, 1004, kAck | kPsh, 2},  // "de"
      {true, 1004, 5003, kAck, 0},          // ACK of "de"
      {true, 1004, 5003, kFin | kAck, 0},   // FIN
      {false, 5003, 1005, kFin | kAck, 0},  // FIN-ACK
      {true, 1005, 5004, kAck, 0},          // last ACK
  };
  std::uint64_t last_ns = 0;
  for (std::size_t i = 0; i < want.size(); ++i) {
    auto rec = reader->next();
    ASSERT_TRUE(rec.ok() && rec->has_value()) << i;
    const std::uint64_t ns = (*rec)->timestamp.seconds * 1'000'000'000ULL + (*rec)->timestamp.nanoseconds;
    EXPECT_GT(ns, last_ns) << i;
    last_ns = ns;
    auto s = parse_frame(101, (*rec)->data);
    ASSERT_TRUE(s.ok() && s->has_value()) << i;
    EXPECT_EQ((*s)->source.port, want[i].from_client ? 49152 : 102) << i;
    EXPECT_EQ((*s)->seq, want[i].seq) << i;
    EXPECT_EQ((*s)->ack, want[i].ack) << i;
    EXPECT_EQ((*s)->flags, want[i].flags) << i;
    EXPECT_EQ((*s)->payload.size(), want[i].len) << i;
  }
  auto end = reader->next();
  ASSERT_TRUE(end.ok());
  EXPECT_FALSE(end->has_value());
}

TEST(WriteConversation, InvalidMss) {
  ConversationOptions o;
  o.max_segment_size = 0;
  auto f = write_conversation({}, o);
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().code, make_error_code(CoreErrc::invalid_argument));
  o.max_segment_size = 65496;
  EXPECT_FALSE(write_conversation({}, o).ok());
}

TEST(WriteConversation, Ipv6OnIpv4LinkRejected) {
  ConversationOptions o;
  o.link = LinkType::ipv4;
  o.ipv6 = true;
  auto f = write_conversation({}, o);
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().code, make_error_code(CoreErrc::invalid_argument));
}

TEST(WriteConversation, AddressVersionMismatchRejected) {
  ConversationOptions o;
  o.client_ip = IpAddress::loopback_v6();
  auto f = write_conversation({}, o);
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().code, make_error_code(CoreErrc::invalid_argument));
}

TEST(ExtractConversations, PortFilter) {
  ConversationOptions o;
  o.server_port = 8080;
  const std::vector<Message> msgs{{Direction::client_to_server, str("GET")}};
  auto file = write_conversation(msgs, o);
  ASSERT_TRUE(file.ok());
  auto none = extract_conversations(*file);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  ExtractOptions all;
  all.ports.clear();
  auto one = extract_conversations(*file, all);
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->size(), 1U);
  EXPECT_EQ(str((*one)[0].to_server), "GET");
}

TEST(ExtractConversations, Port3782IsKeptByDefault) {
  ConversationOptions o;
  o.server_port = kIsoTsapTlsPort;
  const std::vector<Message> msgs{{Direction::client_to_server, str("tls")}};
  auto file = write_conversation(msgs, o);
  ASSERT_TRUE(file.ok());
  auto c = extract_conversations(*file);
  ASSERT_TRUE(c.ok());
  ASSERT_EQ(c->size(), 1U);
}

TEST(ExtractConversations, MaxStreamBytesLimit) {
  const std::vector<Message> msgs{{Direction::client_to_server, Bytes(100, 1)},
                                  {Direction::client_to_server, Bytes(1, 2)}};
  auto file = write_conversation(msgs);
  ASSERT_TRUE(file.ok());
  ExtractOptions o;
  o.max_stream_bytes = 100;
  auto c = extract_conversations(*file, o);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, make_error_code(Errc::stream_limit_exceeded));
  o.max_stream_bytes = 101;
  EXPECT_TRUE(extract_conversations(*file, o).ok());
}

TEST(ExtractConversations, UnsupportedLinkTypeInHeader) {
  Bytes file;
  PcapWriter w(file, WriterOptions{});
  file[20] = 105;  // IEEE 802.11
  auto c = extract_conversations(file);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, make_error_code(Errc::unsupported_link_type));
  EXPECT_EQ(c.error().offset, 20U);
}

TEST(ExtractConversations, MalformedFrameFailsOrIsSkipped) {
  const std::vector<Message> msgs{{Direction::client_to_server, str("payload")}};
  ConversationOptions co;
  co.link = LinkType::raw;
  auto file = write_conversation(msgs, co);
  ASSERT_TRUE(file.ok());
  // Corrupt the first record's IPv4 IHL (record data starts at 24 + 16).
  Bytes bad = *file;
  bad[40] = 0x43;
  auto strict = extract_conversations(bad);
  ASSERT_FALSE(strict.ok());
  EXPECT_EQ(strict.error().code, make_error_code(Errc::bad_ip_header_length));
  EXPECT_EQ(strict.error().offset, 40U);
  ExtractOptions lenient;
  lenient.skip_malformed_frames = true;
  auto skipped = extract_conversations(bad, lenient);
  ASSERT_TRUE(skipped.ok());
  ASSERT_EQ(skipped->size(), 1U);
  EXPECT_EQ(str((*skipped)[0].to_server), "payload");
  EXPECT_FALSE((*skipped)[0].stream(Direction::client_to_server).empty());
}

TEST(ExtractConversations, OutOfOrderRecordsInFile) {
  // Split one 250-octet message into three segments and swap the first two records in the file.
  Bytes payload(250);
  for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<std::uint8_t>(i);
  const std::vector<Message> msgs{{Direction::client_to_server, payload}};
  ConversationOptions co;
  co.link = LinkType::raw;
  co.max_segment_size = 100;
  auto file = write_conversation(msgs, co);
  ASSERT_TRUE(file.ok());
  auto reader = PcapReader::open(*file);
  ASSERT_TRUE(reader.ok());
  std::vector<Record> recs;
  for (;;) {
    auto n = reader->next();
    ASSERT_TRUE(n.ok());
    if (!n->has_value()) break;
    recs.push_back(**n);
  }
  ASSERT_EQ(recs.size(), 3U + 3U + 1U + 3U);  // handshake, 3 data, ACK, FIN exchange
  Bytes swapped(file->begin(), file->begin() + 24);
  for (std::size_t i = 0; i < recs.size(); ++i) {
    const Record& r = recs[i == 3 ? 4 : i == 4 ? 3 : i];
    const auto from = file->begin() + static_cast<std::ptrdiff_t>(r.offset);
    swapped.insert(swapped.end(), from, from + static_cast<std::ptrdiff_t>(16 + r.data.size()));
  }
  auto convs = extract_conversations(swapped);
  ASSERT_TRUE(convs.ok()) << convs.error().describe();
  ASSERT_EQ(convs->size(), 1U);
  EXPECT_EQ((*convs)[0].to_server, payload);
  // The second segment arrived first and waited: the first delivery carries 200 octets.
  ASSERT_EQ((*convs)[0].chunks.size(), 2U);
  EXPECT_EQ((*convs)[0].chunks[0].size, 200U);
  EXPECT_EQ((*convs)[0].chunks[0].record, 4U);
}

TEST(ExtractConversations, TruncatedFileFails) {
  auto file = write_conversation(sample_messages());
  ASSERT_TRUE(file.ok());
  file->resize(file->size() - 5);
  auto c = extract_conversations(*file);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, make_error_code(Errc::truncated_record_data));
}

}  // namespace
}  // namespace mmssec::capture
