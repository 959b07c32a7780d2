// SPDX-License-Identifier: Apache-2.0
// RFC 1006 TPKT: golden vectors, the one-shot decoder, and the streaming Framer (one byte at a
// time, many packets per feed, every header error, the limit, the buffering bound).
#include "mmssec/tpkt/tpkt.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

using namespace mmssec;

namespace {
Bytes hex(std::string_view h) {
  auto b = from_hex(h);
  EXPECT_TRUE(b.ok()) << h;
  return b.ok() ? *b : Bytes{};
}
std::error_code code(tpkt::Errc e) { return make_error_code(e); }
std::error_code code(CoreErrc e) { return make_error_code(e); }

// 03 00 00 07 = version 3, reserved, length 7; 02 f0 80 = a COTP DT with EOT and no data.
const char* const kSmallest = "0300000702f080";
// A DT carrying 4 octets of user data: length 4 + 3 + 4 = 11 (0x0b).
const char* const kDtWithData = "0300000b02f080deadbeef";

/// Drain every complete packet; hex of each payload.
std::vector<std::string> drain(tpkt::Framer& f) {
  std::vector<std::string> out;
  for (;;) {
    auto n = f.next();
    EXPECT_TRUE(n.ok()) << n.error().describe();
    if (!n.ok() || !n->has_value()) return out;
    out.push_back(to_hex(**n));
  }
}
}  // namespace

// ---------------------------------------------------------------- encode

TEST(TpktEncode, GoldenSmallestPacket) {
  Bytes out;
  ASSERT_TRUE(tpkt::encode(hex("02f080"), out).ok());
  EXPECT_EQ(to_hex(out), kSmallest);
}

TEST(TpktEncode, AppendsToExistingBuffer) {
  Bytes out = hex("aa");
  ASSERT_TRUE(tpkt::encode(hex("02f080deadbeef"), out).ok());
  EXPECT_EQ(to_hex(out), std::string("aa") + kDtWithData);
}

TEST(TpktEncode, LargestPayloadFitsAndLengthIsFfff) {
  Bytes payload(tpkt::kMaxPayload, 0x11);
  Bytes out;
  ASSERT_TRUE(tpkt::encode(payload, out).ok());
  ASSERT_EQ(out.size(), 65535U);
  EXPECT_EQ(to_hex(ByteView(out).first(4)), "0300ffff");
}

TEST(TpktEncode, PayloadTooLargeIsRejectedAndOutputUntouched) {
  Bytes payload(tpkt::kMaxPayload + 1, 0x11);
  Bytes out = hex("01");
  auto st = tpkt::encode(payload, out);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, code(tpkt::Errc::payload_too_large));
  EXPECT_EQ(to_hex(out), "01");
}

TEST(TpktEncode, PayloadBelowMinimumTpduIsRejected) {
  Bytes out;
  auto st = tpkt::encode(hex("02f0"), out);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, code(tpkt::Errc::payload_too_small));
  EXPECT_TRUE(out.empty());
}

// ---------------------------------------------------------------- one-shot decode

TEST(TpktDecode, GoldenPacket) {
  const Bytes p = hex(kDtWithData);
  auto d = tpkt::decode(p);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(to_hex(*d), "02f080deadbeef");
  EXPECT_EQ(d->data(), p.data() + 4);  // a view, not a copy
}

TEST(TpktDecode, NonZeroReservedOctetIsTolerated) {
  const Bytes p = hex("0377000702f080");
  EXPECT_TRUE(tpkt::decode(p).ok());
}

TEST(TpktDecode, BadVersion) {
  const Bytes p = hex("0200000702f080");
  auto d = tpkt::decode(p, default_limits(), 100);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, code(tpkt::Errc::bad_version));
  EXPECT_EQ(d.error().offset, 100U);
}

TEST(TpktDecode, LengthBelowSevenIsRejected) {
  const Bytes p = hex("0300000602f0");
  auto d = tpkt::decode(p);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, code(tpkt::Errc::length_too_small));
  EXPECT_EQ(d.error().offset, 2U);
}

TEST(TpktDecode, LengthFieldShorterThanBuffer) {
  const Bytes p = hex("0300000702f08000");
  auto d = tpkt::decode(p);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, code(tpkt::Errc::length_mismatch));
}

TEST(TpktDecode, LengthFieldLongerThanBuffer) {
  const Bytes p = hex("0300000802f080");
  EXPECT_EQ(tpkt::decode(p).error().code, code(tpkt::Errc::length_mismatch));
}

TEST(TpktDecode, TruncatedHeader) {
  const Bytes p = hex("030000");
  EXPECT_EQ(tpkt::decode(p).error().code, code(CoreErrc::truncated));
}

TEST(TpktDecode, LengthAboveLimitIsRejected) {
  Limits limits;
  limits.tpkt_max_packet = 10;
  const Bytes p = hex("0300000b02f080deadbeef");
  EXPECT_EQ(tpkt::decode(p, limits).error().code, code(tpkt::Errc::length_exceeds_limit));
  limits.tpkt_max_packet = 11;
  EXPECT_TRUE(tpkt::decode(p, limits).ok());
}

// ---------------------------------------------------------------- Framer

TEST(TpktFramer, EmptyFramerNeedsMoreBytes) {
  tpkt::Framer f;
  auto n = f.next();
  ASSERT_TRUE(n.ok());
  EXPECT_FALSE(n->has_value());
}

TEST(TpktFramer, OneCompletePacket) {
  tpkt::Framer f;
  ASSERT_TRUE(f.feed(hex(kDtWithData)).ok());
  auto n = f.next();
  ASSERT_TRUE(n.ok());
  ASSERT_TRUE(n->has_value());
  EXPECT_EQ(to_hex(**n), "02f080deadbeef");
  EXPECT_EQ(f.payload_offset(), 4U);
  auto more = f.next();
  ASSERT_TRUE(more.ok());
  EXPECT_FALSE(more->has_value());
  EXPECT_EQ(f.pending(), 0U);
}

TEST(TpktFramer, OneByteAtATime) {
  const Bytes stream = hex(std::string(kDtWithData) + kSmallest + kDtWithData);
  tpkt::Framer f;
  std::vector<std::string> got;
  std::vector<std::size_t> offsets;
  for (std::uint8_t b : stream) {
    const std::uint8_t one[] = {b};
    ASSERT_TRUE(f.feed(one).ok());
    for (;;) {
      auto n = f.next();
      ASSERT_TRUE(n.ok());
      if (!n->has_value()) break;
      got.push_back(to_hex(**n));
      offsets.push_back(f.payload_offset());
    }
  }
  EXPECT_EQ(got, (std::vector<std::string>{"02f080deadbeef", "02f080", "02f080deadbeef"}));
  // Absolute stream offsets of each payload: 4, 11 + 4, 11 + 7 + 4.
  EXPECT_EQ(offsets, (std::vector<std::size_t>{4, 15, 22}));
  EXPECT_EQ(f.stream_offset(), stream.size());
}

TEST(TpktFramer, ManyPacketsInOneFeed) {
  std::string h;
  for (int i = 0; i < 50; ++i) h += (i % 2 == 0) ? kSmallest : kDtWithData;
  tpkt::Framer f;
  ASSERT_TRUE(f.feed(hex(h)).ok());
  auto got = drain(f);
  ASSERT_EQ(got.size(), 50U);
  EXPECT_EQ(got[0], "02f080");
  EXPECT_EQ(got[49], "02f080deadbeef");
}

TEST(TpktFramer, SplitInsideHeaderAndBody) {
  tpkt::Framer f;
  ASSERT_TRUE(f.feed(hex("0300")).ok());
  EXPECT_TRUE(drain(f).empty());
  ASSERT_TRUE(f.feed(hex("000b02f0")).ok());
  EXPECT_TRUE(drain(f).empty());
  // The tail of the first packet and the start of the next in one feed.
  ASSERT_TRUE(f.feed(hex("80deadbeef0300")).ok());
  EXPECT_EQ(drain(f), (std::vector<std::string>{"02f080deadbeef"}));
  EXPECT_EQ(f.pending(), 2U);
  ASSERT_TRUE(f.feed(hex("000702f080")).ok());
  EXPECT_EQ(drain(f), (std::vector<std::string>{"02f080"}));
}

TEST(TpktFramer, ReturnedViewPointsIntoTheBufferNoCopy) {
  tpkt::Framer f;
  ASSERT_TRUE(f.feed(hex(std::string(kSmallest) + kDtWithData)).ok());
  auto a = f.next();
  ASSERT_TRUE(a.ok() && a->has_value());
  auto b = f.next();
  ASSERT_TRUE(b.ok() && b->has_value());
  // Consecutive packets of one feed are adjacent in one buffer.
  EXPECT_EQ((*a)->data() + 3 + 4, (*b)->data());
}

TEST(TpktFramer, BadVersionReportedAtAbsoluteOffset) {
  tpkt::Framer f;
  ASSERT_TRUE(f.feed(hex(std::string(kSmallest) + "0400000702f080")).ok());
  auto a = f.next();
  ASSERT_TRUE(a.ok() && a->has_value());
  auto b = f.next();
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().code, code(tpkt::Errc::bad_version));
  EXPECT_EQ(b.error().offset, 7U);
  EXPECT_TRUE(f.failed());
}

TEST(TpktFramer, LengthBelowSevenIsRejected) {
  tpkt::Framer f;
  ASSERT_TRUE(f.feed(hex("03000003")).ok());
  auto n = f.next();
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.error().code, code(tpkt::Errc::length_too_small));
  EXPECT_EQ(n.error().offset, 2U);
}

TEST(TpktFramer, ZeroLengthIsRejected) {
  tpkt::Framer f;
  ASSERT_TRUE(f.feed(hex("03000000")).ok());
  EXPECT_EQ(f.next().error().code, code(tpkt::Errc::length_too_small));
}

TEST(TpktFramer, LengthAboveLimitRejectedBeforeBodyArrives) {
  Limits limits;
  limits.tpkt_max_packet = 1024;
  tpkt::Framer f(limits);
  // Header announcing 1025 octets; no body yet: refused at once, nothing is waited for.
  ASSERT_TRUE(f.feed(hex("03000401")).ok());
  auto n = f.next();
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.error().code, code(tpkt::Errc::length_exceeds_limit));
  EXPECT_EQ(n.error().offset, 2U);
}

TEST(TpktFramer, LengthExactlyAtLimitIsAccepted) {
  Limits limits;
  limits.tpkt_max_packet = 11;
  tpkt::Framer f(limits);
  ASSERT_TRUE(f.feed(hex(kDtWithData)).ok());
  EXPECT_EQ(drain(f).size(), 1U);
}

TEST(TpktFramer, LimitAbove65535IsClampedAndMaximalPacketAccepted) {
  Limits limits;
  limits.tpkt_max_packet = 1U << 20;
  tpkt::Framer f(limits);
  Bytes packet;
  ASSERT_TRUE(tpkt::encode(Bytes(tpkt::kMaxPayload, 0x42), packet).ok());
  ASSERT_TRUE(f.feed(packet).ok());
  auto n = f.next();
  ASSERT_TRUE(n.ok() && n->has_value());
  EXPECT_EQ((*n)->size(), tpkt::kMaxPayload);
}

TEST(TpktFramer, FeedWhileCompletePacketBufferedHitsBufferLimit) {
  tpkt::Framer f;
  ASSERT_TRUE(f.feed(hex(std::string(kSmallest) + kSmallest)).ok());
  // Not drained: feeding more would let the buffer grow without bound.
  auto st = f.feed(hex(kSmallest));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, code(tpkt::Errc::not_drained));
  EXPECT_EQ(drain(f).size(), 2U);
  EXPECT_TRUE(f.feed(hex(kSmallest)).ok());
  EXPECT_EQ(drain(f).size(), 1U);
}

TEST(TpktFramer, CompactionKeepsOnlyTheUnfinishedTail) {
  tpkt::Framer f;
  ASSERT_TRUE(f.feed(hex(std::string(kDtWithData) + kDtWithData + "030000")).ok());
  EXPECT_EQ(drain(f).size(), 2U);
  EXPECT_EQ(f.pending(), 3U);
  ASSERT_TRUE(f.feed(hex("0702f080")).ok());
  EXPECT_EQ(f.pending(), 7U);  // the 22 octets handed out were dropped
  EXPECT_EQ(drain(f), (std::vector<std::string>{"02f080"}));
  EXPECT_EQ(f.payload_offset(), 26U);
}

TEST(TpktFramer, AfterErrorEveryCallFails) {
  tpkt::Framer f;
  ASSERT_TRUE(f.feed(hex("0500000702f080")).ok());
  EXPECT_EQ(f.next().error().code, code(tpkt::Errc::bad_version));
  EXPECT_EQ(f.next().error().code, code(tpkt::Errc::stream_failed));
  EXPECT_EQ(f.feed(hex(kSmallest)).error().code, code(tpkt::Errc::stream_failed));
}

TEST(TpktFramer, FeedReportsHeaderErrorOfBufferedBytes) {
  tpkt::Framer f;
  ASSERT_TRUE(f.feed(hex("0300")).ok());
  ASSERT_TRUE(f.feed(hex("0001")).ok());  // header complete now, length 1
  EXPECT_EQ(f.feed(hex("02f080")).error().code, code(tpkt::Errc::length_too_small));
}

TEST(TpktCategory, NameAndMessages) {
  EXPECT_STREQ(tpkt::tpkt_category().name(), "tpkt");
  const Error e{tpkt::Errc::bad_version, 3};
  EXPECT_EQ(e.describe(), "tpkt: TPKT version is not 3 at offset 3");
  for (int i = 1; i <= static_cast<int>(tpkt::Errc::stream_failed); ++i) {
    EXPECT_NE(tpkt::tpkt_category().message(i), "unknown tpkt error") << i;
  }
}

// ---------------------------------------------------------------- encode_header (one-pass encoders)

TEST(TpktEncode, HeaderAloneThenPayloadEqualsEncode) {
  const Bytes payload = hex(std::string_view(kDtWithData).substr(8));
  Bytes b = {0x99};
  ASSERT_TRUE(tpkt::encode_header(payload.size(), b).ok());
  b.insert(b.end(), payload.begin(), payload.end());
  EXPECT_EQ(to_hex(b), std::string("99") + kDtWithData);
}

TEST(TpktEncode, HeaderAloneChecksLikeEncode) {
  Bytes b = {0x01};
  auto st = tpkt::encode_header(2, b);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, code(tpkt::Errc::payload_too_small));
  st = tpkt::encode_header(tpkt::kMaxPayload + 1, b);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, code(tpkt::Errc::payload_too_large));
  EXPECT_EQ(b, Bytes{0x01});
  ASSERT_TRUE(tpkt::encode_header(tpkt::kMaxPayload, b).ok());
  EXPECT_EQ(to_hex(b), "010300ffff");
}
