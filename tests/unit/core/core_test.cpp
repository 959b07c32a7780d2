// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include <cstring>

#include "mmssec/core/bytes.hpp"
#include "mmssec/core/clock.hpp"
#include "mmssec/core/limits.hpp"

using namespace mmssec;

TEST(ByteReader, ReadsBigEndianAndAdvances) {
  const Bytes b = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07};
  ByteReader r(b, 100);
  EXPECT_EQ(*r.read_u8(), 0x01);
  EXPECT_EQ(*r.read_u16be(), 0x0203);
  EXPECT_EQ(*r.read_u32be(), 0x04050607U);
  EXPECT_TRUE(r.empty());
  EXPECT_EQ(r.offset(), 107U);
  EXPECT_TRUE(r.expect_end().ok());
}

TEST(ByteReader, FailedReadLeavesCursorAndReportsAbsoluteOffset) {
  const Bytes b = {0x01, 0x02, 0x03};
  ByteReader r(b, 10);
  ASSERT_TRUE(r.read_u8().ok());
  auto v = r.read_u32be();
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code, make_error_code(CoreErrc::truncated));
  EXPECT_EQ(v.error().offset, 11U);
  EXPECT_EQ(r.position(), 1U);  // unchanged
  EXPECT_FALSE(r.read_bytes(3).ok());
  EXPECT_EQ(r.remaining(), 2U);
  EXPECT_FALSE(r.skip(5).ok());
  EXPECT_FALSE(r.expect_end().ok());
  EXPECT_EQ(r.expect_end().error().code, make_error_code(CoreErrc::trailing_data));
}

TEST(ByteReader, SubReaderKeepsAbsoluteOffsets) {
  const Bytes b = {0xAA, 0xBB, 0xCC, 0xDD};
  ByteReader r(b);
  ASSERT_TRUE(r.skip(1).ok());
  auto s = r.sub(2);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->offset(), 1U);
  EXPECT_EQ(*s->read_u8(), 0xBB);
  EXPECT_FALSE(s->read_u16be().ok());
  EXPECT_EQ(s->read_u16be().error().offset, 2U);
  EXPECT_EQ(r.remaining(), 1U);
  EXPECT_FALSE(r.sub(2).ok());
}

TEST(ByteWriter, WritesAndPatches) {
  Bytes out;
  ByteWriter w(out);
  w.u8(3);
  w.u16be(0);
  w.u32be(0xDEADBEEF);
  w.patch_u16be(1, 0x1234);
  EXPECT_EQ(to_hex(out), "031234deadbeef");
}

TEST(Hex, RoundTripAndErrors) {
  auto b = from_hex("03 00:00-16");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(to_hex(*b), "03000016");
  EXPECT_FALSE(from_hex("0").ok());
  EXPECT_FALSE(from_hex("zz").ok());
  EXPECT_FALSE(from_hex("0 3").ok());
}

TEST(ConstantTimeEqual, ComparesContentAndLength) {
  const Bytes a = {1, 2, 3}, b = {1, 2, 3}, c = {1, 2, 4}, d = {1, 2};
  EXPECT_TRUE(constant_time_equal(a, b));
  EXPECT_FALSE(constant_time_equal(a, c));
  EXPECT_FALSE(constant_time_equal(a, d));
}

TEST(Clock, FormatUtcMs) {
  using namespace std::chrono;
  // 2026-11-23T18:04:05.123Z = 1795457045 s + 123 ms since the epoch.
  EXPECT_EQ(format_utc_ms(system_clock::time_point(milliseconds(1'795'457'045'123LL))),
            "2026-11-23T18:04:05.123Z");
  EXPECT_EQ(format_utc_ms(system_clock::time_point{}), "1970-01-01T00:00:00.000Z");
}

TEST(Clock, ManualClockMovesOnlyWhenTold) {
  ManualClock c(std::chrono::system_clock::time_point(std::chrono::seconds(1000)));
  EXPECT_EQ(c.now_utc().time_since_epoch(), std::chrono::seconds(1000));
  c.advance(std::chrono::seconds(5));
  EXPECT_EQ(c.now_utc().time_since_epoch(), std::chrono::seconds(1005));
}

TEST(Random, DeterministicIsReproducibleSystemFills) {
  DeterministicRandom a(42), b(42);
  std::uint8_t x[16], y[16];
  a.fill(x);
  b.fill(y);
  EXPECT_EQ(0, std::memcmp(x, y, sizeof x));
  std::uint8_t z[32] = {};
  SystemRandom::instance().fill(z);
  bool any = false;
  for (auto v : z) any = any || v != 0;
  EXPECT_TRUE(any);  // 2^-256 chance of a false failure
}

TEST(Limits, DefaultsAreSafe) {
  const Limits& l = default_limits();
  EXPECT_LE(l.tpkt_max_packet, 65535U);
  EXPECT_LE(l.cotp_max_tpdu_size, 8192U);
  EXPECT_GT(l.ber_max_depth, 8U);
  EXPECT_LE(l.ber_max_depth, 128U);
}

TEST(Error, DescribeNamesLayerAndOffset) {
  Error e{CoreErrc::truncated, 17};
  EXPECT_EQ(e.describe().rfind("core: ", 0), 0U);
  EXPECT_NE(e.describe().find("offset 17"), std::string::npos);
}
