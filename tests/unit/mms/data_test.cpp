// SPDX-License-Identifier: Apache-2.0
// MMS Data, TypeSpecification, ObjectName and Identifier codecs: golden vectors (bytes explained
// in comments), round trips of every alternative, and a named failing test for every malformed
// length, wrong width, limit and error path (the libiec61850 CVE classes).
#include "mmssec/mms/data.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

using namespace mmssec;
using namespace mmssec::mms;
using ber::Tag;

namespace {

Bytes hex(std::string_view h) {
  auto b = from_hex(h);
  EXPECT_TRUE(b.ok()) << h;
  return b.ok() ? *b : Bytes{};
}

Bytes enc(const Data& d) {
  Bytes out;
  ber::Writer w(out);
  encode_data(w, d);
  return out;
}

Bytes enc_type(const TypeSpecification& t) {
  Bytes out;
  ber::Writer w(out);
  encode_type_specification(w, t);
  return out;
}

// Decode exactly one Data element from `b` (trailing bytes fail the test).
Result<Data> dec(const Bytes& b, const Limits& limits = default_limits()) {
  ber::Reader r(b);
  auto d = decode_data(r, limits);
  if (d.ok()) {
    EXPECT_TRUE(r.expect_end().ok());
  }
  return d;
}

Result<TypeSpecificationPtr> dec_type(const Bytes& b, const Limits& limits = default_limits()) {
  ber::Reader r(b);
  auto t = decode_type_specification(r, limits);
  if (t.ok()) {
    EXPECT_TRUE(r.expect_end().ok());
  }
  return t;
}

Result<ObjectName> dec_name(const Bytes& b, const Limits& limits = default_limits()) {
  ber::Reader r(b);
  auto n = decode_object_name(r, limits);
  if (n.ok()) {
    EXPECT_TRUE(r.expect_end().ok());
  }
  return n;
}

std::error_code code(Errc e) { return make_error_code(e); }
std::error_code code(ber::Errc e) { return ber::make_error_code(e); }
std::error_code code(CoreErrc e) { return make_error_code(e); }

// Expect decoding `h` to fail with `e` at absolute offset `off`.
template <class E>
void expect_data_error(std::string_view h, E e, std::size_t off, const Limits& limits = default_limits()) {
  const Bytes b = hex(h);
  ber::Reader r(b);
  auto d = decode_data(r, limits);
  ASSERT_FALSE(d.ok()) << h;
  EXPECT_EQ(d.error().code, code(e)) << h << ": " << d.error().describe();
  EXPECT_EQ(d.error().offset, off) << h;
  EXPECT_EQ(r.offset(), 0U) << "a failed decode leaves the cursor alone";
}

template <class E>
void expect_type_error(std::string_view h, E e, const Limits& limits = default_limits()) {
  const Bytes b = hex(h);
  ber::Reader r(b);
  auto t = decode_type_specification(r, limits);
  ASSERT_FALSE(t.ok()) << h;
  EXPECT_EQ(t.error().code, code(e)) << h << ": " << t.error().describe();
  EXPECT_EQ(r.offset(), 0U);
}

std::string nested_structures(std::size_t levels, std::string_view innermost) {
  std::string h(innermost);
  for (std::size_t i = 0; i < levels; ++i) {
    const std::size_t len = h.size() / 2;
    std::string prefix = "a2";
    if (len < 0x80) {
      static constexpr char kDigits[] = "0123456789abcdef";
      prefix += kDigits[len >> 4];
      prefix += kDigits[len & 0xF];
    } else {
      ADD_FAILURE() << "test helper supports short lengths only";
    }
    h = prefix + h;
  }
  return h;
}

}  // namespace

// ============================================================== golden vectors: Data

TEST(MmsDataGolden, FloatSingleTen) {
  // 87 floating-point [7], length 5: 08 = exponent width 8 (IEEE single), 41200000 = 10.0f
  const Bytes b = hex("87 05 08 41 20 00 00");
  auto d = dec(b);
  ASSERT_TRUE(d.ok()) << d.error().describe();
  ASSERT_NE(d->get<FloatingPoint>(), nullptr);
  EXPECT_EQ(d->get<FloatingPoint>()->value, 10.0);
  EXPECT_FALSE(d->get<FloatingPoint>()->is_double);
  EXPECT_EQ(enc(FloatingPoint{10.0, false}), b);
  EXPECT_EQ(d->tag_number(), 7U);
}

TEST(MmsDataGolden, FloatDoubleOneAndAHalf) {
  // 87 09: 0b = exponent width 11 (IEEE double), 3ff8000000000000 = 1.5
  const Bytes b = hex("87 09 0b 3f f8 00 00 00 00 00 00");
  auto d = dec(b);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, Data(FloatingPoint{1.5, true}));
  EXPECT_EQ(enc(FloatingPoint{1.5, true}), b);
}

TEST(MmsDataGolden, BooleanTrueAndFalse) {
  // 83 01 ff = boolean [3] TRUE; any non-zero octet decodes as TRUE, we emit ff.
  EXPECT_EQ(enc(true), hex("83 01 ff"));
  EXPECT_EQ(enc(false), hex("83 01 00"));
  EXPECT_EQ(*dec(hex("83 01 01")), Data(true));
  EXPECT_EQ(*dec(hex("83 01 00")), Data(false));
}

TEST(MmsDataGolden, IntegerMinimalTwosComplement) {
  // integer [5]: -1 = ff; 256 = 01 00; 128 = 00 80 (sign octet); INT64_MIN = 80 00..00
  EXPECT_EQ(enc(std::int64_t{-1}), hex("85 01 ff"));
  EXPECT_EQ(enc(std::int64_t{256}), hex("85 02 01 00"));
  EXPECT_EQ(enc(std::int64_t{128}), hex("85 02 00 80"));
  EXPECT_EQ(*dec(hex("85 08 80 00 00 00 00 00 00 00")), Data(std::numeric_limits<std::int64_t>::min()));
  // Redundant sign octets are tolerated on decode (some peers pad to a fixed width).
  EXPECT_EQ(*dec(hex("85 04 ff ff ff fe")), Data(std::int64_t{-2}));
  EXPECT_EQ(*dec(hex("85 09 00 00 00 00 00 00 00 00 05")), Data(std::int64_t{5}));
}

TEST(MmsDataGolden, UnsignedUpTo64Bits) {
  // unsigned [6]: 255 needs a 00 sign octet; 2^64-1 needs 9 octets (00 + 8 x ff).
  EXPECT_EQ(enc(Unsigned{255}), hex("86 02 00 ff"));
  EXPECT_EQ(enc(Unsigned{~std::uint64_t{0}}), hex("86 09 00 ff ff ff ff ff ff ff ff"));
  EXPECT_EQ(*dec(hex("86 09 00 ff ff ff ff ff ff ff ff")), Data(Unsigned{~std::uint64_t{0}}));
  EXPECT_EQ(*dec(hex("86 01 07")), Data(Unsigned{7}));
}

TEST(MmsDataGolden, StructureOfBooleanQualityAndUtcTime) {
  // a2 12 structure [2], 18 octets:
  //   83 01 ff                      boolean TRUE (stVal)
  //   84 03 03 c0 00                bit-string, 3 unused bits -> 13 bits; bits 0,1 set (q validity)
  //   91 08 5e5a3c00 800000 0a      utc-time: seconds 0x5e5a3c00, fraction 0.5 s, quality 0x0a
  const Bytes b = hex("a2 12 83 01 ff 84 03 03 c0 00 91 08 5e 5a 3c 00 80 00 00 0a");
  auto d = dec(b);
  ASSERT_TRUE(d.ok()) << d.error().describe();
  const auto* s = d->get<DataStructure>();
  ASSERT_NE(s, nullptr);
  ASSERT_EQ(s->members.size(), 3U);
  EXPECT_EQ(s->members[0], Data(true));
  const auto* q = s->members[1].get<BitStringValue>();
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(q->size(), 13U);
  EXPECT_TRUE(q->bit(0));
  EXPECT_TRUE(q->bit(1));
  EXPECT_FALSE(q->bit(2));
  EXPECT_FALSE(q->bit(13));  // beyond the size
  const auto* t = s->members[2].get<UtcTime>();
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->seconds, 0x5e5a3c00U);
  EXPECT_EQ(t->fraction, 0x800000U);
  EXPECT_EQ(t->quality, 0x0aU);
  EXPECT_EQ(enc(*d), b);
  EXPECT_EQ(d->tag_number(), 2U);
}

TEST(MmsDataGolden, ArrayOfIntegers) {
  // a1 06 array [1]: 85 01 01, 85 01 02
  const Bytes b = hex("a1 06 85 01 01 85 01 02");
  auto d = dec(b);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, Data(DataArray{{Data(std::int64_t{1}), Data(std::int64_t{2})}}));
  EXPECT_EQ(enc(*d), b);
}

TEST(MmsDataGolden, EmptyStructureAndArray) {
  EXPECT_EQ(*dec(hex("a2 00")), Data(DataStructure{}));
  EXPECT_EQ(*dec(hex("a1 00")), Data(DataArray{}));
}

TEST(MmsDataGolden, StringsAndOctets) {
  // 8a visible-string "abc"; 89 octet-string 01 02; 90 mMSString UTF-8 "é" (c3 a9)
  EXPECT_EQ(*dec(hex("8a 03 61 62 63")), Data(VisibleStringValue{"abc"}));
  EXPECT_EQ(*dec(hex("89 02 01 02")), Data(OctetStringValue{{1, 2}}));
  EXPECT_EQ(*dec(hex("90 02 c3 a9")), Data(MmsStringValue{"\xc3\xa9"}));
  EXPECT_EQ(enc(VisibleStringValue{"abc"}), hex("8a 03 61 62 63"));
  EXPECT_EQ(enc(MmsStringValue{"\xc3\xa9"}), hex("90 02 c3 a9"));
}

TEST(MmsDataGolden, BinaryTimeWithAndWithoutDate) {
  // 8c 04: 1000 ms after midnight; 8c 06: plus day 1 after 1984-01-01
  EXPECT_EQ(*dec(hex("8c 04 00 00 03 e8")), Data(BinaryTime{1000, std::nullopt}));
  EXPECT_EQ(*dec(hex("8c 06 00 00 03 e8 00 01")), Data(BinaryTime{1000, std::uint16_t{1}}));
  EXPECT_EQ(enc(BinaryTime{1000, std::uint16_t{1}}), hex("8c 06 00 00 03 e8 00 01"));
}

TEST(MmsDataGolden, GeneralizedTimeBcdBooleanArrayObjId) {
  // 8b 13 "20240102030405.123Z"
  auto t = dec(hex("8b 13 32303234303130323033303430352e3132335a"));
  ASSERT_TRUE(t.ok());
  const auto* gt = t->get<ber::Time>();
  ASSERT_NE(gt, nullptr);
  EXPECT_EQ(gt->year, 2024);
  EXPECT_EQ(gt->second, 5);
  EXPECT_EQ(gt->nanos, 123000000U);
  EXPECT_EQ(enc(*t), hex("8b 13 32303234303130323033303430352e3132335a"));
  // 8d bcd 0x12 = 18; 8e booleanArray one bit set (7 unused bits); 8f objId 1.0.9506
  EXPECT_EQ(*dec(hex("8d 01 12")), Data(Bcd{0x12}));
  BooleanArray ba;
  ba.bits.set(0, true);
  EXPECT_EQ(*dec(hex("8e 02 07 80")), Data(ba));
  EXPECT_EQ(*dec(hex("8f 03 28 ca 22")), Data(ber::Oid{1, 0, 9506}));
}

TEST(MmsDataGolden, IndefiniteLengthStructureIsAccepted) {
  // a2 80 ... 00 00: BER indefinite form (never emitted by us)
  auto d = dec(hex("a2 80 83 01 ff 00 00"));
  ASSERT_TRUE(d.ok()) << d.error().describe();
  EXPECT_EQ(*d, Data(DataStructure{{Data(true)}}));
}

TEST(MmsDataGolden, UnusedBitsAreClearedOnDecode) {
  // 84 02 04 ff: 4 bits, the 4 unused (set) bits are dropped so equal strings compare equal.
  auto d = dec(hex("84 02 04 ff"));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->get<BitStringValue>()->bytes, (Bytes{0xf0}));
  EXPECT_EQ(enc(*d), hex("84 02 04 f0"));
}

// ============================================================== round trips

TEST(MmsDataRoundTrip, EveryAlternative) {
  BitStringValue q;
  q.set(12, false);  // 13-bit quality, all clear
  q.set(2, true);
  ber::Time gt;
  gt.year = 2023;
  gt.month = 12;
  gt.day = 31;
  gt.hour = 23;
  gt.minute = 59;
  gt.second = 58;
  gt.nanos = 500000000;
  gt.fraction_digits = 1;
  gt.had_zone = true;
  const std::vector<Data> values = {
      true,
      false,
      std::int64_t{0},
      std::int64_t{-129},
      std::numeric_limits<std::int64_t>::max(),
      Unsigned{0},
      Unsigned{1ULL << 63},
      FloatingPoint{-0.25, false},
      FloatingPoint{std::numeric_limits<double>::max(), true},
      FloatingPoint{std::numeric_limits<double>::infinity(), false},
      q,
      BitStringValue{},
      OctetStringValue{{0x00, 0xff, 0x10}},
      OctetStringValue{},
      VisibleStringValue{"LD0/LLN0$ST"},
      MmsStringValue{"\xe2\x82\xac uro"},
      BinaryTime{86399999, std::nullopt},
      BinaryTime{0, std::uint16_t{65535}},
      UtcTime{0xffffffffU, 0xffffffU, 0xffU},
      gt,
      Bcd{9999},
      BooleanArray{q},
      ber::Oid{1, 0, 9506, 2, 1},
      ber::Oid{2, 999},
      DataArray{{Data(std::int64_t{1}), Data(DataArray{{Data(Unsigned{2})}})}},
      DataStructure{{Data(true), Data(q), Data(UtcTime{1, 2, 3}),
                     Data(DataStructure{{Data(FloatingPoint{3.5, false})}})}},
  };
  for (std::size_t i = 0; i < values.size(); ++i) {
    const Bytes b = enc(values[i]);
    auto d = dec(b);
    ASSERT_TRUE(d.ok()) << "value " << i << ": " << d.error().describe() << " " << to_hex(b);
    EXPECT_EQ(*d, values[i]) << "value " << i << " " << to_hex(b);
    EXPECT_EQ(d->tag_number(), values[i].tag_number());
    EXPECT_EQ(enc(*d), b);
  }
}

TEST(MmsDataRoundTrip, LongStructureUsesLongFormLength) {
  DataStructure s;
  for (int i = 0; i < 100; ++i) s.members.emplace_back(FloatingPoint{static_cast<double>(i), false});
  const Bytes b = enc(s);
  // 100 x 7 octets = 700 = 0x02bc -> a2 82 02 bc
  EXPECT_EQ(to_hex(ByteView(b).first(4)), "a28202bc");
  auto d = dec(b);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, Data(s));
}

TEST(MmsDataRoundTrip, ReadResponseOf32FloatsReservesOnce) {
  // The hot path: a structure of 32 floats is reserved once to its exact size (the element
  // count is taken with a cheap TLV skip first), so it never reallocates while decoding.
  DataStructure s;
  for (int i = 0; i < 32; ++i) s.members.emplace_back(FloatingPoint{i * 0.5, false});
  const Bytes b = enc(s);
  auto d = dec(b);
  ASSERT_TRUE(d.ok());
  const auto& members = d->get<DataStructure>()->members;
  EXPECT_EQ(members.size(), 32U);
  EXPECT_EQ(members.capacity(), 32U);
}

TEST(MmsDataRoundTrip, NaNSurvivesBitExactForDouble) {
  const Bytes b = hex("87 09 0b 7f f8 00 00 00 00 00 01");
  auto d = dec(b);
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(std::isnan(d->get<FloatingPoint>()->value));
  EXPECT_EQ(enc(*d), b);
}

// ============================================================== malformed Data (named)

TEST(MmsDataMalformed, FloatWithUnknownExponentWidth) {
  expect_data_error("87 05 07 41 20 00 00", Errc::bad_data, 2);
}
TEST(MmsDataMalformed, FloatSingleWidthWithDoubleLength) {
  expect_data_error("87 09 08 3f f8 00 00 00 00 00 00", Errc::bad_data, 2);
}
TEST(MmsDataMalformed, FloatDoubleWidthWithSingleLength) {
  expect_data_error("87 05 0b 41 20 00 00", Errc::bad_data, 2);
}
TEST(MmsDataMalformed, FloatTruncatedContent) { expect_data_error("87 04 08 41 20 00", Errc::bad_data, 2); }
TEST(MmsDataMalformed, FloatEmptyContent) { expect_data_error("87 00", Errc::bad_data, 2); }
TEST(MmsDataMalformed, UtcTimeSevenOctets) {
  expect_data_error("91 07 00 00 00 00 00 00 00", Errc::bad_data, 2);
}
TEST(MmsDataMalformed, UtcTimeNineOctets) {
  expect_data_error("91 09 00 00 00 00 00 00 00 00 00", Errc::bad_data, 2);
}
TEST(MmsDataMalformed, BinaryTimeFiveOctets) { expect_data_error("8c 05 00 00 00 00 00", Errc::bad_data, 2); }
TEST(MmsDataMalformed, BinaryTimeEmpty) { expect_data_error("8c 00", Errc::bad_data, 2); }
TEST(MmsDataMalformed, BooleanEmpty) { expect_data_error("83 00", Errc::bad_data, 2); }
TEST(MmsDataMalformed, BooleanTwoOctets) { expect_data_error("83 02 00 01", Errc::bad_data, 2); }
TEST(MmsDataMalformed, IntegerEmpty) { expect_data_error("85 00", Errc::bad_data, 2); }
TEST(MmsDataMalformed, IntegerWiderThan64Bits) {
  expect_data_error("85 09 01 00 00 00 00 00 00 00 00", Errc::bad_data, 2);
}
TEST(MmsDataMalformed, UnsignedNegative) { expect_data_error("86 01 ff", Errc::bad_data, 2); }
TEST(MmsDataMalformed, UnsignedWiderThan64Bits) {
  expect_data_error("86 0a 00 01 00 00 00 00 00 00 00 00", Errc::bad_data, 2);
}
TEST(MmsDataMalformed, UnsignedEmpty) { expect_data_error("86 00", Errc::bad_data, 2); }
TEST(MmsDataMalformed, BcdWiderThan64Bits) {
  expect_data_error("8d 09 7f 00 00 00 00 00 00 00 00", Errc::bad_data, 2);
}
TEST(MmsDataMalformed, BitStringEmptyContent) { expect_data_error("84 00", Errc::bad_data, 2); }
TEST(MmsDataMalformed, BitStringUnusedBitsAboveSeven) { expect_data_error("84 02 08 00", Errc::bad_data, 2); }
TEST(MmsDataMalformed, BitStringUnusedBitsWithoutOctets) { expect_data_error("84 01 03", Errc::bad_data, 2); }
TEST(MmsDataMalformed, BooleanArrayUnusedBitsAboveSeven) {
  expect_data_error("8e 02 09 00", Errc::bad_data, 2);
}
TEST(MmsDataMalformed, VisibleStringControlCharacter) {
  expect_data_error("8a 03 61 0a 63", Errc::bad_data, 3);
}
TEST(MmsDataMalformed, MmsStringInvalidUtf8) { expect_data_error("90 02 c3 28", Errc::bad_data, 2); }
TEST(MmsDataMalformed, GeneralizedTimeGarbage) { expect_data_error("8b 03 61 62 63", Errc::bad_data, 2); }
TEST(MmsDataMalformed, ObjIdEmpty) { expect_data_error("8f 00", Errc::bad_data, 2); }
TEST(MmsDataMalformed, ObjIdTruncatedArc) { expect_data_error("8f 02 28 ca", Errc::bad_data, 2); }
TEST(MmsDataMalformed, ReservedTagEight) { expect_data_error("88 01 00", Errc::bad_data, 0); }
TEST(MmsDataMalformed, TagZero) { expect_data_error("80 01 00", Errc::bad_data, 0); }
TEST(MmsDataMalformed, TagEighteen) { expect_data_error("92 01 00", Errc::bad_data, 0); }
TEST(MmsDataMalformed, UniversalClassTag) { expect_data_error("01 01 ff", Errc::bad_data, 0); }
TEST(MmsDataMalformed, ConstructedBoolean) { expect_data_error("a3 03 83 01 ff", Errc::bad_data, 0); }
TEST(MmsDataMalformed, ConstructedOctetString) { expect_data_error("a9 03 89 01 00", Errc::bad_data, 0); }
TEST(MmsDataMalformed, PrimitiveStructure) { expect_data_error("82 00", Errc::bad_data, 0); }
TEST(MmsDataMalformed, PrimitiveArray) { expect_data_error("81 00", Errc::bad_data, 0); }
TEST(MmsDataMalformed, NonDataElementInsideStructure) {
  // a2 02 05 00: a universal NULL is not a Data alternative.
  expect_data_error("a2 02 05 00", Errc::bad_data, 2);
}

// ---- lengths (CVE class: oversized / "negative" lengths)

TEST(MmsDataLength, OctetStringLengthBeyondInput) {
  expect_data_error("89 05 01 02", ber::Errc::length_overflow, 1);
}
TEST(MmsDataLength, LengthWithTopBitSetIsNotNegative) {
  // 89 84 80 00 00 00: a 4-octet length of 2^31 (a negative int32 to a careless parser).
  expect_data_error("89 84 80 00 00 00 01", ber::Errc::length_overflow, 1);
}
TEST(MmsDataLength, LengthOfAllOnes) {
  expect_data_error("89 88 ff ff ff ff ff ff ff ff 00", ber::Errc::length_overflow, 1);
}
TEST(MmsDataLength, BitStringLengthBeyondInput) {
  expect_data_error("84 7f 03 00", ber::Errc::length_overflow, 1);
}
TEST(MmsDataLength, StructureLengthBeyondInput) {
  expect_data_error("a2 10 83 01 ff", ber::Errc::length_overflow, 1);
}
TEST(MmsDataLength, ElementLengthBeyondStructure) {
  // a2 03 83 05 ff: the inner boolean claims 5 octets but the structure holds 1 after its header.
  expect_data_error("a2 03 83 05 ff", ber::Errc::length_overflow, 3);
}
TEST(MmsDataLength, TruncatedHeader) { expect_data_error("87", CoreErrc::truncated, 1); }
TEST(MmsDataLength, EmptyInput) { expect_data_error("", CoreErrc::truncated, 0); }

// ---- limits

TEST(MmsDataLimits, OctetStringAboveMaxString) {
  Limits l;
  l.mms_max_string = 4;
  EXPECT_TRUE(dec(hex("89 04 01 02 03 04"), l).ok());
  expect_data_error("89 05 01 02 03 04 05", Errc::string_too_long, 2, l);
}
TEST(MmsDataLimits, VisibleStringAboveMaxString) {
  Limits l;
  l.mms_max_string = 2;
  expect_data_error("8a 03 61 62 63", Errc::string_too_long, 2, l);
}
TEST(MmsDataLimits, MmsStringAboveMaxString) {
  Limits l;
  l.mms_max_string = 2;
  expect_data_error("90 03 61 62 63", Errc::string_too_long, 2, l);
}
TEST(MmsDataLimits, BitStringAboveMaxString) {
  Limits l;
  l.mms_max_string = 1;
  EXPECT_TRUE(dec(hex("84 02 00 ff"), l).ok());
  expect_data_error("84 03 00 ff ff", Errc::string_too_long, 2, l);
}
TEST(MmsDataLimits, BooleanArrayAboveMaxString) {
  Limits l;
  l.mms_max_string = 1;
  expect_data_error("8e 03 00 ff ff", Errc::string_too_long, 2, l);
}
TEST(MmsDataLimits, StructureWithTooManyMembers) {
  Limits l;
  l.mms_max_list_elements = 2;
  EXPECT_TRUE(dec(hex("a2 06 83 01 ff 83 01 00"), l).ok());
  expect_data_error("a2 09 83 01 ff 83 01 00 83 01 ff", Errc::too_many_elements, 0, l);
}
TEST(MmsDataLimits, ArrayWithTooManyItems) {
  Limits l;
  l.mms_max_list_elements = 1;
  expect_data_error("a1 06 85 01 01 85 01 02", Errc::too_many_elements, 0, l);
}
TEST(MmsDataLimits, TooManyItemsIsReportedBeforeLaterGarbage) {
  // The count stops at the limit: the malformed 4th element is never looked at.
  Limits l;
  l.mms_max_list_elements = 2;
  expect_data_error("a1 0a 85 01 01 85 01 02 85 01 03 87 00", Errc::too_many_elements, 0, l);
}
TEST(MmsDataLimits, NestingAtDepthLimitIsAccepted) {
  const Bytes b = hex(nested_structures(default_limits().mms_max_data_depth, "8301ff"));
  EXPECT_TRUE(dec(b).ok());
}
TEST(MmsDataLimits, NestingBeyondDepthLimit) {
  // 17 nested structures with the default limit of 16; the 17th (at offset 32) is refused.
  const std::string h = nested_structures(default_limits().mms_max_data_depth + 1, "8301ff");
  expect_data_error(h, Errc::depth_exceeded, 2 * default_limits().mms_max_data_depth);
}
TEST(MmsDataLimits, DepthIsCheckedBeforeRecursing) {
  // Limit 1: the inner structure is refused for its depth before its malformed content is read.
  Limits l;
  l.mms_max_data_depth = 1;
  expect_data_error("a2 04 a2 02 87 00", Errc::depth_exceeded, 2, l);
}
TEST(MmsDataLimits, ArraysCountTowardsDepth) {
  Limits l;
  l.mms_max_data_depth = 2;
  EXPECT_TRUE(dec(hex("a1 02 a2 00"), l).ok());
  expect_data_error("a1 04 a2 02 a1 00", Errc::depth_exceeded, 4, l);
}
TEST(MmsDataLimits, DecodeStartingDepthCounts) {
  // A caller already `depth` levels down passes it in.
  const Bytes b = hex("a2 00");
  ber::Reader r(b);
  auto d = decode_data(r, default_limits(), default_limits().mms_max_data_depth);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, code(Errc::depth_exceeded));
}

// ============================================================== helpers

TEST(MmsBitString, SetGrowsAndClears) {
  BitStringValue b;
  EXPECT_EQ(b.size(), 0U);
  b.set(12, true);  // 13 bits: 2 octets, 3 unused
  EXPECT_EQ(b.size(), 13U);
  EXPECT_EQ(b.unused_bits, 3U);
  EXPECT_EQ(b.bytes, (Bytes{0x00, 0x08}));
  b.set(0, true);
  EXPECT_EQ(b.bytes, (Bytes{0x80, 0x08}));
  b.set(12, false);
  EXPECT_EQ(b.bytes, (Bytes{0x80, 0x00}));
  EXPECT_EQ(b.size(), 13U);  // clearing never shrinks
  b.set(15, false);
  EXPECT_EQ(b.size(), 16U);
  EXPECT_EQ(b.unused_bits, 0U);
  EXPECT_EQ(enc(b), hex("84 03 00 80 00"));
}

TEST(MmsDataTagNumber, EveryAlternative) {
  EXPECT_EQ(Data(DataArray{}).tag_number(), 1U);
  EXPECT_EQ(Data(DataStructure{}).tag_number(), 2U);
  EXPECT_EQ(Data(true).tag_number(), 3U);
  EXPECT_EQ(Data(BitStringValue{}).tag_number(), 4U);
  EXPECT_EQ(Data(std::int64_t{1}).tag_number(), 5U);
  EXPECT_EQ(Data(Unsigned{}).tag_number(), 6U);
  EXPECT_EQ(Data(FloatingPoint{}).tag_number(), 7U);
  EXPECT_EQ(Data(OctetStringValue{}).tag_number(), 9U);
  EXPECT_EQ(Data(VisibleStringValue{}).tag_number(), 10U);
  EXPECT_EQ(Data(ber::Time{}).tag_number(), 11U);
  EXPECT_EQ(Data(BinaryTime{}).tag_number(), 12U);
  EXPECT_EQ(Data(Bcd{}).tag_number(), 13U);
  EXPECT_EQ(Data(BooleanArray{}).tag_number(), 14U);
  EXPECT_EQ(Data(ber::Oid{}).tag_number(), 15U);
  EXPECT_EQ(Data(MmsStringValue{}).tag_number(), 16U);
  EXPECT_EQ(Data(UtcTime{}).tag_number(), 17U);
}

// ============================================================== ObjectName and Identifier

TEST(MmsObjectName, DomainSpecificGolden) {
  // a1 0e domain-specific: 1a 03 "LD0", 1a 07 "LLN0$ST"
  const Bytes b = hex("a1 0e 1a 03 4c 44 30 1a 07 4c 4c 4e 30 24 53 54");
  auto n = dec_name(b);
  ASSERT_TRUE(n.ok()) << n.error().describe();
  EXPECT_EQ(*n, ObjectName::domain_specific("LD0", "LLN0$ST"));
  EXPECT_EQ(n->to_string(), "LD0/LLN0$ST");
  Bytes out;
  ber::Writer w(out);
  encode_object_name(w, *n);
  EXPECT_EQ(out, b);
}

TEST(MmsObjectName, VmdAndAaSpecificGolden) {
  // 80 04 "Mod1" vmd-specific; 82 02 "_x" aa-specific
  auto v = dec_name(hex("80 04 4d 6f 64 31"));
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, ObjectName::vmd_specific("Mod1"));
  EXPECT_EQ(v->to_string(), "Mod1");
  auto a = dec_name(hex("82 02 5f 78"));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->scope, ObjectName::Scope::aa);
  EXPECT_EQ(a->to_string(), "@aa/_x");
  Bytes out;
  ber::Writer w(out);
  encode_object_name(w, *a);
  encode_object_name(w, *v);
  EXPECT_EQ(out, hex("82 02 5f 78 80 04 4d 6f 64 31"));
}

TEST(MmsObjectName, IdentifierStartingWithDigit) {
  auto n = dec_name(hex("80 02 31 41"));
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.error().code, code(Errc::bad_identifier));
  EXPECT_EQ(n.error().offset, 2U);
}
TEST(MmsObjectName, IdentifierEmpty) {
  auto n = dec_name(hex("80 00"));
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.error().code, code(Errc::bad_identifier));
}
TEST(MmsObjectName, IdentifierWithForbiddenCharacter) {
  auto n = dec_name(hex("a1 08 1a 03 4c 44 30 1a 01 2d"));  // itemID "-"
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.error().code, code(Errc::bad_identifier));
  EXPECT_EQ(n.error().offset, 9U);
}
TEST(MmsObjectName, IdentifierAboveLengthLimit) {
  Limits l;
  l.mms_max_identifier = 3;
  EXPECT_TRUE(dec_name(hex("80 03 61 62 63"), l).ok());
  auto n = dec_name(hex("80 04 61 62 63 64"), l);
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.error().code, code(Errc::bad_identifier));
}
TEST(MmsObjectName, IdentifierAtDefaultLimitOf129) {
  const std::string ok(129, 'a');
  const std::string bad(130, 'a');
  EXPECT_TRUE(valid_identifier(ok, default_limits().mms_max_identifier));
  EXPECT_FALSE(valid_identifier(bad, default_limits().mms_max_identifier));
  EXPECT_TRUE(valid_identifier("$a_1", 10));
  EXPECT_FALSE(valid_identifier("a b", 10));
}
TEST(MmsObjectName, UnknownAlternative) {
  auto n = dec_name(hex("83 01 61"));
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.error().code, code(Errc::bad_object_name));
}
TEST(MmsObjectName, TrailingElementInDomainSpecific) {
  auto n = dec_name(hex("a1 09 1a 01 41 1a 01 42 1a 01 43"));
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.error().code, code(CoreErrc::trailing_data));
}
TEST(MmsObjectName, MissingItemId) {
  auto n = dec_name(hex("a1 03 1a 01 41"));
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.error().code, code(CoreErrc::truncated));
}
TEST(MmsObjectName, LengthBeyondInput) {
  auto n = dec_name(hex("80 09 41"));
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.error().code, code(ber::Errc::length_overflow));
}
TEST(MmsObjectName, FailedDecodeLeavesCursor) {
  const Bytes b = hex("a1 06 1a 01 41 1a 01 31");
  ber::Reader r(b);
  ASSERT_FALSE(decode_object_name(r, default_limits()).ok());
  EXPECT_EQ(r.offset(), 0U);
}

// ============================================================== TypeSpecification

namespace {
TypeSpecificationPtr prim(TypeSpecification::Kind k, std::int32_t size = 0) {
  TypeSpecification t;
  t.kind = k;
  t.size = size;
  return TypeSpecification::make(t);
}
}  // namespace

TEST(MmsTypeSpecGolden, StructureStValQT) {
  // a2 22 structure: a1 20 components:
  //   30 0b { 80 05 "stVal", a1 02 { 83 00 boolean } }
  //   30 08 { 80 01 "q",     a1 03 { 84 01 0d bit-string(13) } }
  //   30 07 { 80 01 "t",     a1 02 { 91 00 utc-time } }
  const Bytes b =
      hex("a2 22 a1 20"
          "30 0b 80 05 73 74 56 61 6c a1 02 83 00"
          "30 08 80 01 71 a1 03 84 01 0d"
          "30 07 80 01 74 a1 02 91 00");
  auto t = dec_type(b);
  ASSERT_TRUE(t.ok()) << t.error().describe();
  const TypeSpecification& s = **t;
  EXPECT_EQ(s.kind, TypeSpecification::Kind::structure);
  ASSERT_EQ(s.components.size(), 3U);
  EXPECT_EQ(s.components[0].name, "stVal");
  EXPECT_EQ(s.components[0].type->kind, TypeSpecification::Kind::boolean);
  EXPECT_EQ(s.components[1].type->kind, TypeSpecification::Kind::bit_string);
  EXPECT_EQ(s.components[1].type->size, 13);
  EXPECT_EQ(s.components[2].type->kind, TypeSpecification::Kind::utc_time);
  EXPECT_EQ(enc_type(s), b);
}

TEST(MmsTypeSpecGolden, FloatArrayAndPrimitives) {
  // a7 06 { 02 01 20 format-width 32, 02 01 08 exponent-width 8 }
  auto f = dec_type(hex("a7 06 02 01 20 02 01 08"));
  ASSERT_TRUE(f.ok());
  EXPECT_EQ((*f)->kind, TypeSpecification::Kind::floating_point);
  EXPECT_EQ((*f)->format_width, 32);
  EXPECT_EQ((*f)->exponent_width, 8);
  // a1 08 array { 81 01 05 numberOfElements 5, a2 03 { 85 01 08 integer(8) } }
  auto a = dec_type(hex("a1 08 81 01 05 a2 03 85 01 08"));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ((*a)->number_of_elements, 5U);
  EXPECT_FALSE((*a)->packed);
  EXPECT_EQ((*a)->element_type->kind, TypeSpecification::Kind::integer);
  EXPECT_EQ((*a)->element_type->size, 8);
  EXPECT_EQ(enc_type(**a), hex("a1 08 81 01 05 a2 03 85 01 08"));
  // 8a 02 ff 7f visible-string: -129 = variable length up to 129
  auto v = dec_type(hex("8a 02 ff 7f"));
  ASSERT_TRUE(v.ok());
  EXPECT_EQ((*v)->size, -129);
  // 8c 01 ff binary-time with date
  auto bt = dec_type(hex("8c 01 ff"));
  ASSERT_TRUE(bt.ok());
  EXPECT_TRUE((*bt)->binary_time_with_date);
}

TEST(MmsTypeSpecGolden, TypeNameIsExplicit) {
  // a0 0b { a1 09 { 1a 03 "LD0", 1a 02 "T1" } }
  const Bytes b = hex("a0 0b a1 09 1a 03 4c 44 30 1a 02 54 31");
  auto t = dec_type(b);
  ASSERT_TRUE(t.ok()) << t.error().describe();
  EXPECT_EQ((*t)->kind, TypeSpecification::Kind::type_name);
  EXPECT_EQ((*t)->type_name, ObjectName::domain_specific("LD0", "T1"));
  EXPECT_EQ(enc_type(**t), b);
}

TEST(MmsTypeSpecRoundTrip, EveryAlternative) {
  using K = TypeSpecification::Kind;
  std::vector<TypeSpecificationPtr> types = {
      prim(K::boolean),          prim(K::bit_string, -13),  prim(K::integer, 32),
      prim(K::unsigned_, 8),     prim(K::octet_string, 64), prim(K::visible_string, -255),
      prim(K::generalized_time), prim(K::bcd, 4),           prim(K::obj_id),
      prim(K::mms_string, -255), prim(K::utc_time)};
  TypeSpecification fp;
  fp.kind = K::floating_point;
  fp.format_width = 64;
  fp.exponent_width = 11;
  types.push_back(TypeSpecification::make(fp));
  TypeSpecification bt;
  bt.kind = K::binary_time;
  bt.binary_time_with_date = true;
  types.push_back(TypeSpecification::make(bt));
  TypeSpecification tn;
  tn.kind = K::type_name;
  tn.type_name = ObjectName::vmd_specific("T");
  types.push_back(TypeSpecification::make(tn));
  TypeSpecification arr;
  arr.kind = K::array;
  arr.packed = true;
  arr.number_of_elements = 3;
  arr.element_type = prim(K::integer, 16);
  types.push_back(TypeSpecification::make(arr));
  TypeSpecification st;
  st.kind = K::structure;
  st.components = {{"a", prim(K::boolean)}, {std::nullopt, TypeSpecification::make(arr)}};
  types.push_back(TypeSpecification::make(st));

  for (const auto& t : types) {
    const Bytes b = enc_type(*t);
    auto d = dec_type(b);
    ASSERT_TRUE(d.ok()) << to_hex(b) << ": " << d.error().describe();
    EXPECT_EQ((*d)->kind, t->kind);
    EXPECT_EQ(enc_type(**d), b) << to_hex(b);
  }
}

TEST(MmsTypeSpecMalformed, NullWithContent) { expect_type_error("83 01 00", Errc::bad_type_spec); }
TEST(MmsTypeSpecMalformed, ReservedTagEight) { expect_type_error("88 00", Errc::bad_type_spec); }
TEST(MmsTypeSpecMalformed, UniversalTag) { expect_type_error("05 00", Errc::bad_type_spec); }
TEST(MmsTypeSpecMalformed, PrimitiveStructure) { expect_type_error("82 00", Errc::bad_type_spec); }
TEST(MmsTypeSpecMalformed, ConstructedBoolean) { expect_type_error("a3 00", Errc::bad_type_spec); }
TEST(MmsTypeSpecMalformed, IntegerWidthAbove127) {
  expect_type_error("85 02 00 80", Errc::value_out_of_range);
}
TEST(MmsTypeSpecMalformed, IntegerWidthNegative) { expect_type_error("85 01 ff", Errc::value_out_of_range); }
TEST(MmsTypeSpecMalformed, StringSizeBeyondInteger32) {
  expect_type_error("8a 05 01 00 00 00 00", Errc::value_out_of_range);
}
TEST(MmsTypeSpecMalformed, StringSizeEmptyInteger) { expect_type_error("8a 00", Errc::bad_type_spec); }
TEST(MmsTypeSpecMalformed, BinaryTimeTwoOctets) { expect_type_error("8c 02 00 00", Errc::bad_type_spec); }
TEST(MmsTypeSpecMalformed, FloatMissingExponentWidth) {
  expect_type_error("a7 03 02 01 20", CoreErrc::truncated);
}
TEST(MmsTypeSpecMalformed, FloatTrailingField) {
  expect_type_error("a7 09 02 01 20 02 01 08 02 01 00", CoreErrc::trailing_data);
}
TEST(MmsTypeSpecMalformed, ArrayNegativeNumberOfElements) {
  expect_type_error("a1 08 81 01 ff a2 03 85 01 08", Errc::value_out_of_range);
}
TEST(MmsTypeSpecMalformed, ArrayMissingElementType) {
  expect_type_error("a1 03 81 01 05", CoreErrc::truncated);
}
TEST(MmsTypeSpecMalformed, ArrayBadPackedBoolean) {
  expect_type_error("a1 0a 80 00 81 01 05 a2 03 85 01 08", Errc::bad_type_spec);
}
TEST(MmsTypeSpecMalformed, ElementTypeWithTrailingElement) {
  expect_type_error("a1 0a 81 01 05 a2 05 85 01 08 83 00", CoreErrc::trailing_data);
}
TEST(MmsTypeSpecMalformed, ComponentWithBadName) {
  // component name "1x" starts with a digit
  expect_type_error("a2 0a a1 08 30 06 80 02 31 78 a1 00", Errc::bad_identifier);
}
TEST(MmsTypeSpecMalformed, ComponentWithoutType) {
  expect_type_error("a2 07 a1 05 30 03 80 01 61", CoreErrc::truncated);
}
TEST(MmsTypeSpecMalformed, ComponentTypeLengthBeyondInput) {
  expect_type_error("a2 06 a1 04 30 02 a1 05", ber::Errc::length_overflow);
}

TEST(MmsTypeSpecLimits, ArrayNumberOfElementsAboveListLimit) {
  Limits l;
  l.mms_max_list_elements = 4;
  EXPECT_TRUE(dec_type(hex("a1 08 81 01 04 a2 03 85 01 08"), l).ok());
  expect_type_error("a1 08 81 01 05 a2 03 85 01 08", Errc::too_many_elements, l);
}
TEST(MmsTypeSpecLimits, StructureWithTooManyComponents) {
  Limits l;
  l.mms_max_list_elements = 1;
  expect_type_error("a2 0a a1 08 30 02 a1 00 30 02 a1 00", Errc::too_many_elements, l);
}
TEST(MmsTypeSpecLimits, NestingBeyondDepthLimit) {
  Limits l;
  l.mms_max_data_depth = 2;
  // array of array of integer: depth 2, accepted
  EXPECT_TRUE(dec_type(hex("a1 0e 81 01 01 a2 09 a1 07 81 01 01 a2 02 83 00"), l).ok());
  // three levels: refused before the innermost is read
  expect_type_error("a1 15 81 01 01 a2 10 a1 0e 81 01 01 a2 09 a1 07 81 01 01 a2 02 83 00",
                    Errc::depth_exceeded, l);
}
TEST(MmsTypeSpecLimits, ComponentNameAboveIdentifierLimit) {
  Limits l;
  l.mms_max_identifier = 2;
  expect_type_error("a2 0b a1 09 30 07 80 03 61 62 63 a1 00", Errc::bad_identifier, l);
}
