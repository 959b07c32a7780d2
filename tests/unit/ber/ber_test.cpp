// SPDX-License-Identifier: Apache-2.0
// X.690 BER/DER reader and writer: golden vectors, round trips, and one named failing test for
// every malformed length and every limit.
#include "mmssec/ber/ber.hpp"

#include <gtest/gtest.h>

using namespace mmssec;
using ber::Tag;
namespace tags = ber::tags;

namespace {
Bytes hex(std::string_view h) {
  auto b = from_hex(h);
  EXPECT_TRUE(b.ok()) << h;
  return b.ok() ? *b : Bytes{};
}
std::error_code code(ber::Errc e) { return make_error_code(e); }
std::error_code code(CoreErrc e) { return make_error_code(e); }
}  // namespace

// ---------------------------------------------------------------- identifiers and lengths

TEST(BerTag, LowTagFormsOfEachClass) {
  const Bytes b =
      hex("0500"
          "8000"
          "a000"
          "6000"
          "e000");
  ber::Reader r(b);
  EXPECT_EQ(r.read_any()->tag, tags::kNull);
  EXPECT_EQ(r.read_any()->tag, Tag::context(0));
  EXPECT_EQ(r.read_any()->tag, Tag::context_cons(0));
  EXPECT_EQ(r.read_any()->tag, Tag::application_cons(0));
  EXPECT_EQ(r.read_any()->tag, (Tag{ber::TagClass::private_use, true, 0}));
  EXPECT_TRUE(r.expect_end().ok());
}

TEST(BerTag, HighTagNumberFormRoundTrip) {
  // [APPLICATION 1000] primitive: 5f 87 68 (1000 = 7*128 + 104)
  Bytes out;
  ber::Writer w(out);
  w.tlv(Tag::application(1000), {});
  EXPECT_EQ(to_hex(out), "5f876800");
  ber::Reader r(out);
  auto t = r.read_any();
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->tag.number, 1000U);
  // Tag 31 is the smallest that needs the high form.
  out.clear();
  w.tlv(Tag::context(31), {});
  EXPECT_EQ(to_hex(out), "9f1f00");
}

TEST(BerTag, HighTagWithLeadingZeroSubsequentOctetIsRejected) {
  const Bytes b =
      hex("9f8001"
          "00");
  ber::Reader r(b);
  auto t = r.read_any();
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, code(ber::Errc::bad_tag));
  EXPECT_EQ(t.error().offset, 1U);
}

TEST(BerTag, TagNumberOverflowIsRejected) {
  // Five continuation octets would exceed 2^28.
  const Bytes b = hex("9fffffffff7f00");
  ber::Reader r(b);
  EXPECT_EQ(r.read_any().error().code, code(ber::Errc::bad_tag));
}

TEST(BerTag, TruncatedHighTag) {
  const Bytes b = hex("9f81");
  ber::Reader r(b);
  EXPECT_EQ(r.read_any().error().code, code(CoreErrc::truncated));
}

TEST(BerTag, DerRejectsHighFormForSmallNumbers) {
  const Bytes b = hex("9f0500");
  ber::Reader r(b, ber::ReaderOptions::der_strict());
  EXPECT_EQ(r.read_any().error().code, code(ber::Errc::non_minimal));
  ber::Reader lenient(b);
  EXPECT_TRUE(lenient.read_any().ok());
}

TEST(BerLength, LongFormAndWriterMinimality) {
  Bytes content(300, 0xAB);
  Bytes out;
  ber::Writer w(out);
  w.octet_string(content);
  EXPECT_EQ(to_hex(ByteView(out).first(4)), "0482012c");
  ber::Reader r(out, ber::ReaderOptions::der_strict());
  auto v = r.read_octet_string();
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->size(), 300U);
}

TEST(BerLength, LengthBeyondRemainingBytesIsOverflow) {
  // OCTET STRING claiming 5 bytes with 2 present: the libiec61850 BER length CVE class.
  const Bytes b = hex("04050102");
  ber::Reader r(b);
  auto t = r.read_any();
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, code(ber::Errc::length_overflow));
  EXPECT_EQ(t.error().offset, 1U);
  EXPECT_EQ(r.offset(), 0U);  // cursor unchanged
}

TEST(BerLength, HugeLongFormLengthDoesNotWrap) {
  // 8-octet length 0xffffffffffffffff must not wrap around a size computation.
  const Bytes b = hex("0488ffffffffffffffff00");
  ber::Reader r(b);
  EXPECT_EQ(r.read_any().error().code, code(ber::Errc::length_overflow));
  // More length octets than size_t holds.
  const Bytes c = hex("0489010000000000000000");
  ber::Reader r2(c);
  EXPECT_EQ(r2.read_any().error().code, code(ber::Errc::bad_length));
}

TEST(BerLength, ReservedLengthOctetIsRejected) {
  const Bytes b = hex("04ff");
  ber::Reader r(b);
  EXPECT_EQ(r.read_any().error().code, code(ber::Errc::bad_length));
}

TEST(BerLength, TruncatedLongFormLength) {
  const Bytes b = hex("048201");
  ber::Reader r(b);
  EXPECT_EQ(r.read_any().error().code, code(CoreErrc::truncated));
  const Bytes c = hex("04");
  ber::Reader r2(c);
  EXPECT_EQ(r2.read_any().error().code, code(CoreErrc::truncated));
}

TEST(BerLength, DerRejectsNonMinimalLengths) {
  const Bytes a =
      hex("048105"
          "0102030405");  // long form for a short length
  ber::Reader r(a, ber::ReaderOptions::der_strict());
  EXPECT_EQ(r.read_any().error().code, code(ber::Errc::non_minimal));
  const Bytes b =
      hex("04820005"
          "0102030405");  // leading zero length octet
  ber::Reader r2(b, ber::ReaderOptions::der_strict());
  EXPECT_EQ(r2.read_any().error().code, code(ber::Errc::non_minimal));
  ber::Reader lenient(a);
  EXPECT_TRUE(lenient.read_any().ok());
}

// ---------------------------------------------------------------- indefinite length

TEST(BerIndefinite, ConstructedIndefiniteIsDecodedWithoutEoc) {
  // SEQUENCE (indefinite) { INTEGER 5, SEQUENCE (indefinite) { NULL } } followed by BOOLEAN
  const Bytes b =
      hex("3080"
          "020105"
          "3080"
          "0500"
          "0000"
          "0000"
          "0101ff");
  ber::Reader r(b);
  auto seq = r.read(tags::kSequence);
  ASSERT_TRUE(seq.ok());
  EXPECT_TRUE(seq->indefinite);
  EXPECT_EQ(seq->content.size(), 9U);
  EXPECT_EQ(seq->total_size, 13U);
  auto in = r.enter(*seq);
  ASSERT_TRUE(in.ok());
  EXPECT_EQ(*in->read_int64(), 5);
  auto inner = in->enter(tags::kSequence);
  ASSERT_TRUE(inner.ok());
  EXPECT_TRUE(inner->read_null().ok());
  EXPECT_TRUE(inner->expect_end().ok());
  EXPECT_TRUE(in->expect_end().ok());
  EXPECT_TRUE(*r.read_boolean());
}

TEST(BerIndefinite, PrimitiveIndefiniteIsRejected) {
  const Bytes b = hex("0480010000");
  ber::Reader r(b);
  EXPECT_EQ(r.read_any().error().code, code(ber::Errc::indefinite_not_allowed));
}

TEST(BerIndefinite, MissingEndOfContents) {
  const Bytes b = hex("3080020105");
  ber::Reader r(b);
  EXPECT_EQ(r.read_any().error().code, code(ber::Errc::missing_eoc));
}

TEST(BerIndefinite, RefusedInDerAndWhenDisabled) {
  const Bytes b =
      hex("30800500"
          "0000");
  ber::Reader der(b, ber::ReaderOptions::der_strict());
  EXPECT_EQ(der.read_any().error().code, code(ber::Errc::indefinite_not_allowed));
  Limits l;
  l.ber_allow_indefinite = false;
  ber::Reader off(b, ber::ReaderOptions::from(l));
  EXPECT_EQ(off.read_any().error().code, code(ber::Errc::indefinite_not_allowed));
}

TEST(BerIndefinite, NestedIndefiniteBeyondDepthLimit) {
  // 100 nested indefinite SEQUENCEs: the EOC scan recurses, so it must honour the depth limit.
  Bytes b;
  for (int i = 0; i < 100; ++i) {
    b.push_back(0x30);
    b.push_back(0x80);
  }
  for (int i = 0; i < 100; ++i) {
    b.push_back(0x00);
    b.push_back(0x00);
  }
  ber::Reader r(b);
  EXPECT_EQ(r.read_any().error().code, code(ber::Errc::depth_exceeded));
}

TEST(BerIndefinite, EocWithContentIsBadLength) {
  const Bytes b =
      hex("3080"
          "0001ff");
  ber::Reader r(b);
  EXPECT_FALSE(r.read_any().ok());
}

// ---------------------------------------------------------------- nesting

TEST(BerDepth, EnterBeyondLimitFails) {
  Bytes b;
  const int n = 60;
  // Definite-length nesting: 60 SEQUENCEs around a NULL.
  Bytes out;
  ber::Writer w(out);
  std::vector<std::size_t> marks;
  for (int i = 0; i < n; ++i) marks.push_back(w.begin(tags::kSequence));
  w.null();
  for (int i = n - 1; i >= 0; --i) w.end(marks[static_cast<std::size_t>(i)]);
  ber::Reader r(out);  // default max_depth 48
  ber::Reader cur = r;
  Status last;
  int entered = 0;
  for (;;) {
    auto c = cur.enter(tags::kSequence);
    if (!c) {
      last = c.error();
      break;
    }
    cur = *c;
    ++entered;
  }
  EXPECT_EQ(entered, 48);
  EXPECT_EQ(last.error().code, code(ber::Errc::depth_exceeded));
}

TEST(BerReader, ReadOptionalAndPeek) {
  const Bytes b =
      hex("800101"
          "020102");
  ber::Reader r(b);
  auto missing = r.read_optional(Tag::context(1));
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
  EXPECT_TRUE(r.next_is(Tag::context(0)));
  auto present = r.read_optional(Tag::context(0));
  ASSERT_TRUE(present.ok() && present->has_value());
  EXPECT_EQ((*present)->content.size(), 1U);
  EXPECT_EQ(*r.read_int64(), 2);
  EXPECT_FALSE(r.peek_tag().has_value());
}

TEST(BerReader, UnexpectedTagLeavesCursor) {
  const Bytes b = hex("020105");
  ber::Reader r(b);
  auto v = r.read(tags::kBoolean);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code, code(ber::Errc::unexpected_tag));
  EXPECT_EQ(*r.read_int64(), 5);
}

TEST(BerReader, TrailingDataInsideConstructedIsAnError) {
  const Bytes b =
      hex("3005"
          "020105"
          "0500");
  ber::Reader r(b);
  auto in = r.enter(tags::kSequence);
  ASSERT_TRUE(in.ok());
  EXPECT_TRUE(in->read_int64().ok());
  auto end = in->expect_end();
  ASSERT_FALSE(end.ok());
  EXPECT_EQ(end.error().code, code(CoreErrc::trailing_data));
  EXPECT_EQ(end.error().offset, 5U);
}

TEST(BerReader, EnterPrimitiveIsAnError) {
  const Bytes b = hex("040100");
  ber::Reader r(b);
  auto t = r.read_any();
  EXPECT_EQ(r.enter(*t).error().code, code(ber::Errc::constructed_expected));
}

TEST(BerReader, DecodeSingleRejectsTrailingBytes) {
  EXPECT_TRUE(ber::decode_single(hex("0500")).ok());
  EXPECT_EQ(ber::decode_single(hex("050000")).error().code, code(CoreErrc::trailing_data));
}

// ---------------------------------------------------------------- primitives

TEST(BerBoolean, DecodeAndDerStrictness) {
  const Bytes r_bytes =
      hex("010100"
          "0101ff"
          "010101");
  ber::Reader r(r_bytes);
  EXPECT_FALSE(*r.read_boolean());
  EXPECT_TRUE(*r.read_boolean());
  EXPECT_TRUE(*r.read_boolean());
  const Bytes der_bytes = hex("010101");
  ber::Reader der(der_bytes, ber::ReaderOptions::der_strict());
  EXPECT_EQ(der.read_boolean().error().code, code(ber::Errc::bad_boolean));
  const Bytes two_bytes = hex("01020000");
  ber::Reader two(two_bytes);
  EXPECT_EQ(two.read_boolean().error().code, code(ber::Errc::bad_boolean));
  const Bytes empty_bytes = hex("0100");
  ber::Reader empty(empty_bytes);
  EXPECT_EQ(empty.read_boolean().error().code, code(ber::Errc::bad_boolean));
}

TEST(BerNull, ContentIsRejected) {
  const Bytes r_bytes = hex("050100");
  ber::Reader r(r_bytes);
  EXPECT_EQ(r.read_null().error().code, code(ber::Errc::bad_null));
}

struct IntCase {
  std::int64_t value;
  const char* hex;
};

class BerIntegerGolden : public ::testing::TestWithParam<IntCase> {};

TEST_P(BerIntegerGolden, EncodesAndDecodes) {
  const auto& c = GetParam();
  Bytes out;
  ber::Writer w(out);
  w.integer(c.value);
  EXPECT_EQ(to_hex(out), c.hex);
  ber::Reader r(out, ber::ReaderOptions::der_strict());
  auto v = r.read_int64();
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, c.value);
}

INSTANTIATE_TEST_SUITE_P(X690, BerIntegerGolden,
                         ::testing::Values(IntCase{0, "020100"}, IntCase{127, "02017f"},
                                           IntCase{128, "02020080"}, IntCase{256, "02020100"},
                                           IntCase{-1, "0201ff"}, IntCase{-128, "020180"},
                                           IntCase{-129, "0202ff7f"},
                                           IntCase{INT64_MAX, "02087fffffffffffffff"},
                                           IntCase{INT64_MIN, "02088000000000000000"}));

TEST(BerInteger, UnsignedEncodingAddsSignOctet) {
  Bytes out;
  ber::Writer w(out);
  w.unsigned_integer(0xFFFFFFFFFFFFFFFFULL);
  EXPECT_EQ(to_hex(out), "020900ffffffffffffffff");
  ber::Reader r(out);
  EXPECT_EQ(*r.read_uint64(), 0xFFFFFFFFFFFFFFFFULL);
  out.clear();
  w.unsigned_integer(200);
  EXPECT_EQ(to_hex(out), "020200c8");
}

TEST(BerInteger, Overflow) {
  const Bytes r_bytes = hex("0209010000000000000000");
  ber::Reader r(r_bytes);
  EXPECT_EQ(r.read_int64().error().code, code(ber::Errc::integer_overflow));
  const Bytes neg_bytes = hex("0201ff");
  ber::Reader neg(neg_bytes);
  EXPECT_EQ(neg.read_uint64().error().code, code(ber::Errc::integer_overflow));
  const Bytes big_bytes = hex("020a00010000000000000000");
  ber::Reader big(big_bytes);
  EXPECT_EQ(big.read_uint64().error().code, code(ber::Errc::integer_overflow));
}

TEST(BerInteger, PaddedIntegerAcceptedInBerRejectedInDer) {
  const Bytes b =
      hex("02030000"
          "05");
  ber::Reader r(b);
  EXPECT_EQ(*r.read_int64(), 5);
  ber::Reader der(b, ber::ReaderOptions::der_strict());
  EXPECT_EQ(der.read_int64().error().code, code(ber::Errc::non_minimal));
  // Long sign-extended negative value still fits.
  const Bytes neg_bytes = hex("020affffffffffffffffff80");
  ber::Reader neg(neg_bytes);
  EXPECT_EQ(*neg.read_int64(), -128);
}

TEST(BerInteger, EmptyContent) {
  const Bytes r_bytes = hex("0200");
  ber::Reader r(r_bytes);
  EXPECT_EQ(r.read_int64().error().code, code(ber::Errc::bad_integer));
}

TEST(BerInteger, ArbitrarySizeBytes) {
  // A 20-octet serial number (X.509 style) is readable as bytes.
  const Bytes b =
      hex("0214"
          "7f0102030405060708090a0b0c0d0e0f10111213");
  ber::Reader r(b, ber::ReaderOptions::der_strict());
  auto v = r.read_integer_bytes();
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->size(), 20U);
  Bytes out;
  ber::Writer w(out);
  const Bytes mag = hex("00ff01");
  w.unsigned_integer_bytes(mag);
  EXPECT_EQ(to_hex(out), "020300ff01");
}

TEST(BerBitString, GoldenAndNamedBits) {
  // MMS parameter CBB as IEC 61850 clients send it: f1 00, 5 unused bits (11 bits).
  const std::size_t bits[] = {0, 1, 2, 3, 7};
  auto nb = ber::NamedBits::from_bits(bits, 11);
  Bytes out;
  ber::Writer w(out);
  w.bit_string(nb.bytes, nb.unused_bits, Tag::context(1));
  EXPECT_EQ(to_hex(out), "810305f100");
  ber::Reader r(out);
  auto bs = r.read_bit_string(Tag::context(1));
  ASSERT_TRUE(bs.ok());
  EXPECT_EQ(bs->bit_count(), 11U);
  EXPECT_TRUE(bs->bit(0));
  EXPECT_TRUE(bs->bit(7));
  EXPECT_FALSE(bs->bit(8));
  EXPECT_FALSE(bs->bit(11));
  // ACSE authentication requirement: bit 0 of a 1-bit string = 07 80.
  out.clear();
  const std::size_t auth[] = {0};
  auto a = ber::NamedBits::from_bits(auth);
  w.bit_string(a.bytes, a.unused_bits, Tag::context(10));
  EXPECT_EQ(to_hex(out), "8a020780");
}

TEST(BerBitString, MalformedUnusedBits) {
  const Bytes a_bytes = hex("0300");
  ber::Reader a(a_bytes);
  EXPECT_EQ(a.read_bit_string().error().code, code(ber::Errc::bad_bit_string));
  const Bytes b_bytes = hex("030208ff");
  ber::Reader b(b_bytes);
  EXPECT_EQ(b.read_bit_string().error().code, code(ber::Errc::bad_bit_string));
  const Bytes c_bytes = hex("030103");
  ber::Reader c(c_bytes);
  EXPECT_EQ(c.read_bit_string().error().code, code(ber::Errc::bad_bit_string));
  const Bytes d_bytes = hex("030203ff");
  ber::Reader d(d_bytes, ber::ReaderOptions::der_strict());
  EXPECT_EQ(d.read_bit_string().error().code, code(ber::Errc::bad_bit_string));
  const Bytes empty_bytes = hex("030100");
  ber::Reader empty(empty_bytes);
  auto e = empty.read_bit_string();
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->bit_count(), 0U);
}

// ---------------------------------------------------------------- OBJECT IDENTIFIER

TEST(BerOid, GoldenVectors) {
  struct Case {
    ber::Oid oid;
    const char* content;
  } cases[] = {
      {{1, 0, 9506, 2, 3}, "28ca220203"},  // MMS application context (basic-AC)
      {{1, 0, 9506, 2, 1}, "28ca220201"},  // MMS abstract syntax
      {{2, 2, 1, 0, 1},
       "5201"
       "0001"},                                          // ACSE abstract syntax
      {{2, 1, 1}, "5101"},                               // BER transfer syntax
      {{1, 0, 840, 0, 1, 0, 1, 1}, "2886480001000101"},  // A-profile mechanism (PROFILE.md §4)
      {{2, 999, 3}, "883703"},                           // first arc 2, second >= 40
  };
  for (const auto& c : cases) {
    EXPECT_EQ(to_hex(c.oid.encode()), c.content) << c.oid.to_string();
    auto back = ber::Oid::decode(hex(c.content));
    ASSERT_TRUE(back.ok()) << c.content;
    EXPECT_EQ(*back, c.oid);
  }
}

TEST(BerOid, ParseAndToString) {
  auto o = ber::Oid::parse("1.0.9506.2.3");
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->to_string(), "1.0.9506.2.3");
  EXPECT_FALSE(ber::Oid::parse("1..2").ok());
  EXPECT_FALSE(ber::Oid::parse("1").ok());
  EXPECT_FALSE(ber::Oid::parse("3.1").ok());
  EXPECT_FALSE(ber::Oid::parse("1.40").ok());
  EXPECT_FALSE(ber::Oid::parse("1.2.x").ok());
  EXPECT_FALSE(ber::Oid::parse("1.2.99999999999999999999999").ok());
}

TEST(BerOid, MalformedContent) {
  EXPECT_EQ(ber::Oid::decode({}).error().code, code(ber::Errc::bad_oid));
  EXPECT_EQ(ber::Oid::decode(hex("2886")).error().code, code(ber::Errc::bad_oid));    // truncated arc
  EXPECT_EQ(ber::Oid::decode(hex("288001")).error().code, code(ber::Errc::bad_oid));  // 0x80 padding
  EXPECT_EQ(ber::Oid::decode(hex("28ffffffffffffffffff7f")).error().code, code(ber::Errc::bad_oid));
}

TEST(BerOid, ArcLimit) {
  Bytes content = {0x28};
  for (int i = 0; i < 40; ++i) content.push_back(0x01);
  EXPECT_EQ(ber::Oid::decode(content, 0, 32).error().code, code(CoreErrc::limit_exceeded));
  EXPECT_TRUE(ber::Oid::decode(content, 0, 64).ok());
}

// ---------------------------------------------------------------- strings and times

TEST(BerString, VisibleStringAlphabet) {
  const Bytes ok_bytes = hex("1a034c4430");
  ber::Reader ok(ok_bytes);
  EXPECT_EQ(*ok.read_visible_string(), "LD0");
  const Bytes bad_bytes = hex("1a024c0a");
  ber::Reader bad(bad_bytes);
  auto v = bad.read_visible_string();
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code, code(ber::Errc::bad_string));
  EXPECT_EQ(v.error().offset, 3U);
}

TEST(BerString, Utf8Validation) {
  const Bytes ok_bytes = hex("0c03e282ac");
  ber::Reader ok(ok_bytes);  // EURO SIGN
  EXPECT_EQ(*ok.read_utf8_string(), "\xe2\x82\xac");
  for (const char* h : {"0c02c0af", "0c01ff", "0c03eda080", "0c02e282", "0c04f4908080"}) {
    const Bytes b = hex(h);
    ber::Reader r(b);
    EXPECT_EQ(r.read_utf8_string().error().code, code(ber::Errc::bad_string)) << h;
  }
}

TEST(BerTime, GeneralizedTimeLenientForms) {
  auto a = ber::parse_generalized_time("20261123114500.123Z");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->year, 2026);
  EXPECT_EQ(a->second, 0);
  EXPECT_EQ(a->nanos, 123000000U);
  EXPECT_EQ(a->fraction_digits, 3);
  auto b = ber::parse_generalized_time("20261123114500,5");  // comma, no zone -> UTC
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->nanos, 500000000U);
  EXPECT_FALSE(b->had_zone);
  auto c = ber::parse_generalized_time("20261123004500+0100");  // offset normalised
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->day, 22);
  EXPECT_EQ(c->hour, 23);
  auto d = ber::parse_generalized_time("2026112311Z");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->minute, 0);
  for (const char* bad : {"", "2026", "20261323000000Z", "20260230000000Z", "20261123250000Z",
                          "20261123000000.Z", "20261123000000Zx", "20261123000000+01", "2026112300000AZ"}) {
    EXPECT_FALSE(ber::parse_generalized_time(bad).ok()) << bad;
  }
}

TEST(BerTime, FormatAndUnixConversion) {
  ber::Time t = ber::Time::from_unix(1795433100, 123000000);  // 2026-11-23T11:25:00.123Z
  EXPECT_EQ(ber::format_generalized_time(t), "20261123112500.123Z");
  EXPECT_EQ(ber::format_generalized_time(t, 3, ','), "20261123112500,123Z");
  EXPECT_EQ(ber::format_generalized_time(t, 0), "20261123112500Z");
  EXPECT_EQ(t.to_unix_seconds(), 1795433100);
  EXPECT_EQ(ber::Time::from_unix(0).year, 1970);
  EXPECT_EQ(ber::Time::from_unix(951782400).day, 29);  // 2000-02-29
}

TEST(BerTime, UtcTime) {
  auto t = ber::parse_utc_time("491231235959Z");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->year, 2049);
  auto u = ber::parse_utc_time("500101000000Z");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->year, 1950);
  EXPECT_FALSE(ber::parse_utc_time("5001010000").ok());  // zone mandatory
  const Bytes r_bytes = hex("170d3236313132333131323530305a");
  ber::Reader r(r_bytes);
  auto v = r.read_utc_time();
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->to_unix_seconds(), 1795433100);
  const Bytes bad_bytes = hex("1703323631");
  ber::Reader bad(bad_bytes);
  EXPECT_EQ(bad.read_utc_time().error().code, code(ber::Errc::bad_time));
}

// ---------------------------------------------------------------- EXTERNAL

TEST(BerExternal, IndirectReferenceSingleAsn1Type) {
  // The EXTERNAL IEC 61850 clients put in ACSE user-information: indirect-reference 3,
  // single-ASN1-type [0] holding an MMS initiate-RequestPDU (here shortened to a8 00).
  const Bytes b =
      hex("2807"
          "020103"
          "a002"
          "a800");
  ber::Reader r(b);
  auto e = r.read_external();
  ASSERT_TRUE(e.ok());
  EXPECT_FALSE(e->direct_reference.has_value());
  EXPECT_EQ(e->indirect_reference, 3);
  EXPECT_EQ(e->encoding, ber::External::Encoding::single_asn1_type);
  EXPECT_EQ(to_hex(e->data), "a800");
  Bytes out;
  ber::Writer w(out);
  w.external(*e);
  EXPECT_EQ(out, b);
}

TEST(BerExternal, DirectAndIndirectAndDescriptorAndOctetAligned) {
  ber::External e;
  e.direct_reference = ber::Oid{2, 1, 1};
  e.indirect_reference = 1;
  e.data_value_descriptor = "x";
  e.encoding = ber::External::Encoding::octet_aligned;
  e.data = {1, 2};
  Bytes out;
  ber::Writer w(out);
  w.external(e);
  EXPECT_EQ(to_hex(out),
            "280e"
            "06025101"
            "020101"
            "070178"
            "81020102");
  ber::Reader r(out);
  auto back = r.read_external();
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, e);
}

TEST(BerExternal, ArbitraryEncoding) {
  ber::External e;
  e.encoding = ber::External::Encoding::arbitrary;
  e.data = {0xF0};
  e.unused_bits = 4;
  Bytes out;
  ber::Writer w(out);
  w.external(e);
  ber::Reader r(out);
  auto back = r.read_external();
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, e);
}

TEST(BerExternal, MalformedForms) {
  // No encoding at all.
  const Bytes none_bytes = hex("2803020103");
  ber::Reader none(none_bytes);
  EXPECT_EQ(none.read_external().error().code, code(ber::Errc::bad_external));
  // Unknown encoding tag [3].
  const Bytes unk_bytes =
      hex("2802"
          "8300");
  ber::Reader unk(unk_bytes);
  EXPECT_EQ(unk.read_external().error().code, code(ber::Errc::bad_external));
  // single-ASN1-type holding two TLVs.
  const Bytes two_bytes =
      hex("2806"
          "a004"
          "0500"
          "0500");
  ber::Reader two(two_bytes);
  EXPECT_EQ(two.read_external().error().code, code(CoreErrc::trailing_data));
  // single-ASN1-type empty.
  const Bytes empty_bytes =
      hex("2802"
          "a000");
  ber::Reader empty(empty_bytes);
  EXPECT_FALSE(empty.read_external().ok());
  // Data after the encoding.
  const Bytes trail_bytes =
      hex("2806"
          "a002"
          "0500"
          "0500");
  ber::Reader trail(trail_bytes);
  EXPECT_EQ(trail.read_external().error().code, code(CoreErrc::trailing_data));
  // Failed read leaves the cursor.
  EXPECT_EQ(trail.offset(), 0U);
}

// ---------------------------------------------------------------- writer

TEST(BerWriter, NestedLengthsWidenInPlace) {
  Bytes out;
  ber::Writer w(out);
  const Bytes big(200, 0x11);
  w.constructed(tags::kSequence, [&] {
    w.integer(1);
    w.constructed(Tag::context_cons(3), [&] { w.octet_string(big); });
  });
  // Outer: 30 81 d1; inner: a3 81 cb; octet string 04 81 c8.
  EXPECT_EQ(to_hex(ByteView(out).first(3)), "3081d1");
  EXPECT_EQ(out.size(), 3U + 3U + 3U + 3U + 200U);
  ber::Reader r(out, ber::ReaderOptions::der_strict());
  auto seq = r.enter(tags::kSequence);
  ASSERT_TRUE(seq.ok());
  EXPECT_EQ(*seq->read_int64(), 1);
  auto ctx = seq->enter(Tag::context_cons(3));
  ASSERT_TRUE(ctx.ok());
  EXPECT_EQ(ctx->read_octet_string()->size(), 200U);
}

TEST(BerWriter, LengthSizes) {
  EXPECT_EQ(ber::length_size(0), 1U);
  EXPECT_EQ(ber::length_size(127), 1U);
  EXPECT_EQ(ber::length_size(128), 2U);
  EXPECT_EQ(ber::length_size(256), 3U);
  EXPECT_EQ(ber::length_size(70000), 4U);
}

TEST(BerErrors, CategoryNamesLayer) {
  Error e{ber::Errc::length_overflow, 9};
  EXPECT_EQ(std::string(e.code.category().name()), "ber");
  EXPECT_NE(e.describe().find("offset 9"), std::string::npos);
}

TEST(BerReader, PeekReportsMalformedNextElement) {
  const Bytes b =
      hex("0405"
          "01");
  ber::Reader r(b);
  EXPECT_FALSE(r.peek_tag().has_value());
  auto p = r.peek();
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, code(ber::Errc::length_overflow));
  ber::Reader end;
  auto e = end.peek();
  ASSERT_TRUE(e.ok());
  EXPECT_FALSE(e->has_value());
}

TEST(BerReader, TlvEncodedViewsWholeElement) {
  const Bytes b =
      hex("3003020105"
          "3080"
          "0500"
          "0000");
  ber::Reader r(b);
  auto a = r.read_any();
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(to_hex(a->encoded), "3003020105");
  auto ind = r.read_any();
  ASSERT_TRUE(ind.ok());
  EXPECT_EQ(to_hex(ind->encoded), "308005000000");
}

TEST(BerOid, Validity) {
  EXPECT_TRUE((ber::Oid{1, 0, 9506}).valid());
  EXPECT_TRUE((ber::Oid{2, 999}).valid());
  EXPECT_FALSE((ber::Oid{1}).valid());
  EXPECT_FALSE((ber::Oid{3, 1}).valid());
  EXPECT_FALSE((ber::Oid{1, 40}).valid());
}

TEST(BerExternal, ArbitraryWithUnusedBitsButNoDataIsRejected) {
  const Bytes b =
      hex("2803"
          "820103");
  ber::Reader r(b);
  EXPECT_EQ(r.read_external().error().code, code(ber::Errc::bad_bit_string));
}

// ---------------------------------------------------------------- hot-path reads and counting

TEST(BerFastPath, ReadAnyIntoCallerTlvMatchesResultForm) {
  // Length forms around the short/long boundary: 0x7f (short) and 0x81 0x80 (long).
  Bytes b = {0x04, 0x7f};
  b.insert(b.end(), 0x7f, 0xaa);
  b.push_back(0x04);
  b.push_back(0x81);
  b.push_back(0x80);
  b.insert(b.end(), 0x80, 0xbb);
  ber::Reader fast(b), slow(b);
  for (int i = 0; i < 2; ++i) {
    ber::Tlv t;
    ASSERT_TRUE(fast.read_any(t).ok());
    auto s = slow.read_any();
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(t.tag, s->tag);
    EXPECT_EQ(t.offset, s->offset);
    EXPECT_EQ(t.content_offset, s->content_offset);
    EXPECT_EQ(t.total_size, s->total_size);
    EXPECT_EQ(t.content.size(), s->content.size());
    EXPECT_EQ(to_hex(t.encoded), to_hex(s->encoded));
  }
  EXPECT_TRUE(fast.empty());
  // DER refuses the long form for a short length on the fast path too.
  const Bytes nm =
      hex("048105"
          "0102030405");
  ber::Reader der(nm, ber::ReaderOptions::der_strict());
  ber::Tlv t;
  auto st = der.read_any(t);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, code(ber::Errc::non_minimal));
  EXPECT_EQ(der.offset(), 0U);
}

TEST(BerFastPath, FailuresLeaveCursorAndMatchFullParser) {
  ber::Tlv t;
  const Bytes eoc = hex("0000");
  ber::Reader r1(eoc);
  EXPECT_EQ(r1.read_any(t).error().code, code(ber::Errc::bad_tag));
  EXPECT_EQ(r1.offset(), 0U);
  const Bytes truncated = hex("048201");
  ber::Reader r2(truncated);
  EXPECT_EQ(r2.read_any(t).error().code, code(CoreErrc::truncated));
  const Bytes overflow = hex("04050102");
  ber::Reader r3(overflow);
  auto st = r3.read_any(t);
  EXPECT_EQ(st.error().code, code(ber::Errc::length_overflow));
  EXPECT_EQ(st.error().offset, 1U);
  const Bytes other = hex("020105");
  ber::Reader r4(other);
  EXPECT_EQ(r4.read(ber::tags::kBoolean, t).error().code, code(ber::Errc::unexpected_tag));
  EXPECT_EQ(r4.offset(), 0U);
  ASSERT_TRUE(r4.read(ber::tags::kInteger, t).ok());
  EXPECT_EQ(to_hex(t.content), "05");
}

TEST(BerCount, CountsWithoutMovingAndStopsAfterMax) {
  const Bytes b =
      hex("0500"
          "0500"
          "0500"
          "0500");
  ber::Reader r(b);
  auto all = r.count_elements(10);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(*all, 4U);
  auto capped = r.count_elements(2);
  ASSERT_TRUE(capped.ok());
  EXPECT_EQ(*capped, 3U);  // max + 1 means "more than max"
  EXPECT_EQ(r.offset(), 0U);
  ber::Reader empty;
  EXPECT_EQ(*empty.count_elements(5), 0U);
}

TEST(BerCount, MalformedElementIsThatElementsError) {
  const Bytes b =
      hex("0500"
          "0405"
          "01");
  ber::Reader r(b);
  auto n = r.count_elements(10);
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.error().code, code(ber::Errc::length_overflow));
  EXPECT_EQ(n.error().offset, 3U);
}
