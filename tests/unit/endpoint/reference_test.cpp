// SPDX-License-Identifier: Apache-2.0
// Object references, value parsing against a TypeSpecification, and the one-line formatters:
// every accepted form, every rejection (with the words of its message), and round trips
// format_data -> parse_value.
#include "mmssec/endpoint/reference.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace mmssec::endpoint {
namespace {

using mms::Data;
using mms::ObjectName;
using mms::TypeSpecification;
using mms::TypeSpecificationPtr;
using Kind = mms::TypeSpecification::Kind;

TypeSpecification prim(Kind k, std::int32_t size = 0) {
  TypeSpecification t;
  t.kind = k;
  t.size = size;
  return t;
}
TypeSpecification float_type(bool dbl) {
  TypeSpecification t;
  t.kind = Kind::floating_point;
  t.format_width = dbl ? 64 : 32;
  t.exponent_width = dbl ? 11 : 8;
  return t;
}
TypeSpecificationPtr ptr(TypeSpecification t) { return TypeSpecification::make(std::move(t)); }
TypeSpecification structure(std::vector<std::pair<std::string, TypeSpecification>> members) {
  TypeSpecification t;
  t.kind = Kind::structure;
  for (auto& [name, type] : members) {
    mms::TypeComponent c;
    if (!name.empty()) c.name = name;
    c.type = ptr(std::move(type));
    t.components.push_back(std::move(c));
  }
  return t;
}
TypeSpecification array(std::uint32_t n, TypeSpecification element) {
  TypeSpecification t;
  t.kind = Kind::array;
  t.number_of_elements = n;
  t.element_type = ptr(std::move(element));
  return t;
}

/// The IEC 61850 MV shape {mag {f FLOAT32}, q Quality, t TimeStamp}.
TypeSpecification mv_type() {
  return structure({{"mag", structure({{"f", float_type(false)}})},
                    {"q", prim(Kind::bit_string, 13)},
                    {"t", prim(Kind::utc_time)}});
}

/// The failure detail (or "ok" when it succeeded, so that EXPECT_NE(.., npos) fails visibly).
std::string detail(const Outcome<Data>& r) { return r.ok() ? "ok: " + format_data(*r) : r.failure().detail; }
std::string detail(const Outcome<ObjectName>& r) {
  return r.ok() ? "ok: " + r->to_string() : r.failure().detail;
}

#define EXPECT_FAILS_WITH(expr, words)                                       \
  do {                                                                       \
    const auto r_ = (expr);                                                  \
    EXPECT_FALSE(r_.ok());                                                   \
    EXPECT_NE(detail(r_).find(words), std::string::npos) << detail(r_);      \
    if (!r_.ok()) {                                                          \
      EXPECT_EQ(r_.failure().code, make_error_code(Errc::invalid_argument)); \
    }                                                                        \
  } while (false)

// ---------------------------------------------------------------------------------------------
// References
// ---------------------------------------------------------------------------------------------

TEST(Reference, DomainSpecific) {
  auto r = parse_reference("LD/MMXU1$MX$TotW$mag$f");
  ASSERT_TRUE(r.ok()) << detail(r);
  EXPECT_EQ(*r, ObjectName::domain_specific("LD", "MMXU1$MX$TotW$mag$f"));
  EXPECT_EQ(format_reference(*r), "LD/MMXU1$MX$TotW$mag$f");
}

TEST(Reference, VmdSpecificWithAndWithoutSlash) {
  auto a = parse_reference("/Counter");
  auto b = parse_reference("Counter");
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*a, ObjectName::vmd_specific("Counter"));
  EXPECT_EQ(*b, ObjectName::vmd_specific("Counter"));
  EXPECT_EQ(format_reference(*a), "Counter");
}

TEST(Reference, AaSpecific) {
  auto r = parse_reference("@aa/Temp_1");
  ASSERT_TRUE(r.ok()) << detail(r);
  EXPECT_EQ(r->scope, ObjectName::Scope::aa);
  EXPECT_EQ(r->item, "Temp_1");
  EXPECT_EQ(format_reference(*r), "@aa/Temp_1");
}

TEST(Reference, SurroundingSpaceIsIgnored) {
  auto r = parse_reference("  LD0/LLN0$ST$Mod\t");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, ObjectName::domain_specific("LD0", "LLN0$ST$Mod"));
}

TEST(Reference, RoundTripsThroughFormat) {
  for (const char* text : {"LD0/LLN0$ST$Mod$stVal", "Counter", "@aa/x", "a_b/c_d"}) {
    auto r = parse_reference(text);
    ASSERT_TRUE(r.ok()) << text;
    EXPECT_EQ(format_reference(*r), text);
  }
}

TEST(Reference, Empty) {
  EXPECT_FAILS_WITH(parse_reference(""), "empty reference");
  EXPECT_FAILS_WITH(parse_reference("   "), "empty reference");
}

TEST(Reference, EmptyParts) {
  EXPECT_FAILS_WITH(parse_reference("LD0/"), "empty item name");
  EXPECT_FAILS_WITH(parse_reference("/"), "empty name");
  EXPECT_FAILS_WITH(parse_reference("@aa/"), "empty name");
}

TEST(Reference, MoreThanOneSlash) { EXPECT_FAILS_WITH(parse_reference("LD0/LLN0/x"), "more than one '/'"); }

TEST(Reference, BadCharacterIsNamedWithItsPosition) {
  EXPECT_FAILS_WITH(parse_reference("LD0/MM XU1"), "invalid character ' ' at position 6");
  EXPECT_FAILS_WITH(parse_reference("LD-0/x"), "invalid character '-' at position 2");
  EXPECT_FAILS_WITH(parse_reference("LD0/a.b"), "invalid character '.'");
  EXPECT_FAILS_WITH(parse_reference("x\x01y"), "'\\x01'");
}

TEST(Reference, LeadingDigit) {
  EXPECT_FAILS_WITH(parse_reference("1LD/x"), "domain name '1LD' starts with a digit");
  EXPECT_FAILS_WITH(parse_reference("LD/9x"), "item name '9x' starts with a digit");
}

TEST(Reference, TooLong) {
  const std::string item(130, 'a');
  EXPECT_FAILS_WITH(parse_reference("LD/" + item), "is 130 characters long (at most 129)");
  EXPECT_TRUE(parse_reference("LD/" + std::string(129, 'a')).ok());
  EXPECT_FAILS_WITH(parse_reference("LD/abcd", 3), "(at most 3)");
}

TEST(Reference, EmptyComponents) {
  EXPECT_FAILS_WITH(parse_reference("LD/MMXU1$$TotW"), "empty component");
  EXPECT_FAILS_WITH(parse_reference("LD/$MMXU1"), "empty component");
  EXPECT_FAILS_WITH(parse_reference("LD/MMXU1$"), "empty component");
}

// ---------------------------------------------------------------------------------------------
// Scalars
// ---------------------------------------------------------------------------------------------

TEST(ParseValue, Boolean) {
  const auto t = prim(Kind::boolean);
  for (const char* s : {"true", "TRUE", "True", "1"}) EXPECT_EQ(*parse_value(s, t), Data{true}) << s;
  for (const char* s : {"false", "False", "0"}) EXPECT_EQ(*parse_value(s, t), Data{false}) << s;
  EXPECT_FAILS_WITH(parse_value("yes", t), "'yes' is not a boolean");
  EXPECT_FAILS_WITH(parse_value("", t), "is not a boolean");
}

TEST(ParseValue, IntegerRangesPerWidth) {
  EXPECT_EQ(*parse_value("-128", prim(Kind::integer, 8)), Data{std::int64_t{-128}});
  EXPECT_EQ(*parse_value("127", prim(Kind::integer, 8)), Data{std::int64_t{127}});
  EXPECT_EQ(*parse_value("+5", prim(Kind::integer, 8)), Data{std::int64_t{5}});
  EXPECT_FAILS_WITH(parse_value("128", prim(Kind::integer, 8)), "out of range for integer(8) (-128..127)");
  EXPECT_FAILS_WITH(parse_value("-129", prim(Kind::integer, 8)), "out of range");
  EXPECT_EQ(*parse_value("-32768", prim(Kind::integer, 16)), Data{std::int64_t{-32768}});
  EXPECT_FAILS_WITH(parse_value("32768", prim(Kind::integer, 16)), "out of range");
  EXPECT_EQ(*parse_value("2147483647", prim(Kind::integer, 32)), Data{std::int64_t{2147483647}});
  EXPECT_FAILS_WITH(parse_value("2147483648", prim(Kind::integer, 32)), "out of range");
  EXPECT_EQ(*parse_value("-9223372036854775808", prim(Kind::integer, 64)),
            Data{std::numeric_limits<std::int64_t>::min()});
  EXPECT_FAILS_WITH(parse_value("9223372036854775808", prim(Kind::integer, 64)), "out of range");
  EXPECT_FAILS_WITH(parse_value("12a", prim(Kind::integer, 32)), "'12a' is not an integer");
  EXPECT_FAILS_WITH(parse_value("1.5", prim(Kind::integer, 32)), "is not an integer");
  EXPECT_FAILS_WITH(parse_value("", prim(Kind::integer, 32)), "is not an integer");
}

TEST(ParseValue, UnsignedRangesPerWidth) {
  EXPECT_EQ(*parse_value("255", prim(Kind::unsigned_, 8)), Data{mms::Unsigned{255}});
  EXPECT_FAILS_WITH(parse_value("256", prim(Kind::unsigned_, 8)), "out of range for unsigned(8) (0..255)");
  EXPECT_FAILS_WITH(parse_value("-1", prim(Kind::unsigned_, 8)), "out of range");
  EXPECT_EQ(*parse_value("4294967295", prim(Kind::unsigned_, 32)), Data{mms::Unsigned{4294967295U}});
  EXPECT_FAILS_WITH(parse_value("4294967296", prim(Kind::unsigned_, 32)), "out of range");
  EXPECT_EQ(*parse_value("18446744073709551615", prim(Kind::unsigned_, 64)),
            Data{mms::Unsigned{std::numeric_limits<std::uint64_t>::max()}});
  EXPECT_FAILS_WITH(parse_value("18446744073709551616", prim(Kind::unsigned_, 64)), "out of range");
  EXPECT_FAILS_WITH(parse_value("-x", prim(Kind::unsigned_, 8)), "is not an unsigned integer");
  EXPECT_FAILS_WITH(parse_value("0x10", prim(Kind::unsigned_, 8)), "is not an unsigned integer");
}

TEST(ParseValue, Floats) {
  EXPECT_EQ(*parse_value("230.5", float_type(false)), (Data{mms::FloatingPoint{230.5, false}}));
  EXPECT_EQ(*parse_value("-1e3", float_type(false)), (Data{mms::FloatingPoint{-1000.0, false}}));
  // Single precision: the value is rounded to float.
  const auto tenth = parse_value("0.1", float_type(false));
  ASSERT_TRUE(tenth.ok());
  EXPECT_EQ(tenth->get<mms::FloatingPoint>()->value, static_cast<double>(0.1F));
  EXPECT_EQ(*parse_value("0.1", float_type(true)), (Data{mms::FloatingPoint{0.1, true}}));
  EXPECT_EQ(*parse_value("1e300", float_type(true)), (Data{mms::FloatingPoint{1e300, true}}));
  EXPECT_FAILS_WITH(parse_value("1e300", float_type(false)), "out of range for float32");
  EXPECT_FAILS_WITH(parse_value("abc", float_type(false)), "'abc' is not a number");
  EXPECT_FAILS_WITH(parse_value("1.0.0", float_type(false)), "is not a number");
  const auto inf = parse_value("inf", float_type(false));
  ASSERT_TRUE(inf.ok());
  EXPECT_TRUE(std::isinf(inf->get<mms::FloatingPoint>()->value));
  TypeSpecification odd = float_type(false);
  odd.exponent_width = 5;
  EXPECT_FAILS_WITH(parse_value("1", odd), "unsupported floating-point format");
}

TEST(ParseValue, BitStringBinaryForm) {
  const auto r = parse_value("b01", prim(Kind::bit_string, 2));
  ASSERT_TRUE(r.ok()) << detail(r);
  const auto* b = r->get<mms::BitStringValue>();
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->size(), 2U);
  EXPECT_FALSE(b->bit(0));
  EXPECT_TRUE(b->bit(1));
  EXPECT_EQ(b->bytes, (Bytes{0x40}));
  EXPECT_EQ(b->unused_bits, 6);
  const auto q = parse_value("b0000000000001", prim(Kind::bit_string, 13));
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->get<mms::BitStringValue>()->bytes, (Bytes{0x00, 0x08}));
  EXPECT_FAILS_WITH(parse_value("b01", prim(Kind::bit_string, 13)),
                    "'b01' has 2 bits, bit-string(13) needs exactly 13");
  EXPECT_FAILS_WITH(parse_value("b012", prim(Kind::bit_string, 3)), "is not a bit string");
  EXPECT_TRUE(parse_value("b101", prim(Kind::bit_string, -8)).ok());
  EXPECT_FAILS_WITH(parse_value("b101010101", prim(Kind::bit_string, -8)), "allows at most 8");
}

TEST(ParseValue, BitStringHexForm) {
  const auto r = parse_value("0xa5", prim(Kind::bit_string, 8));
  ASSERT_TRUE(r.ok()) << detail(r);
  EXPECT_EQ(r->get<mms::BitStringValue>()->bytes, (Bytes{0xa5}));
  // A fixed size that is not a multiple of 8: padding bits must be zero.
  const auto pos = parse_value("0x80", prim(Kind::bit_string, 2));
  ASSERT_TRUE(pos.ok()) << detail(pos);
  EXPECT_EQ(pos->get<mms::BitStringValue>()->size(), 2U);
  EXPECT_TRUE(pos->get<mms::BitStringValue>()->bit(0));
  EXPECT_FAILS_WITH(parse_value("0x81", prim(Kind::bit_string, 2)), "sets bits beyond the 2");
  EXPECT_FAILS_WITH(parse_value("0xzz", prim(Kind::bit_string, 8)), "is not a bit string");
  EXPECT_FAILS_WITH(parse_value("a5", prim(Kind::bit_string, 8)), "is not a bit string");
  EXPECT_FAILS_WITH(parse_value("0xa5a5", prim(Kind::bit_string, 8)), "16 bits");
}

TEST(ParseValue, OctetString) {
  EXPECT_EQ(*parse_value("0x0a1B", prim(Kind::octet_string, -8)),
            (Data{mms::OctetStringValue{{0x0a, 0x1b}}}));
  EXPECT_EQ(*parse_value("0a:1b:ff", prim(Kind::octet_string, 3)),
            (Data{mms::OctetStringValue{{0x0a, 0x1b, 0xff}}}));
  EXPECT_EQ(*parse_value("0x", prim(Kind::octet_string, -8)), Data{mms::OctetStringValue{}});
  EXPECT_FAILS_WITH(parse_value("0x0a1", prim(Kind::octet_string, -8)), "is not hex octets");
  EXPECT_FAILS_WITH(parse_value("0g", prim(Kind::octet_string, -8)), "is not hex octets");
  EXPECT_FAILS_WITH(parse_value("0:a", prim(Kind::octet_string, -8)), "is not hex octets");
  EXPECT_FAILS_WITH(parse_value("0x0102", prim(Kind::octet_string, 3)),
                    "2 octets, octet-string(3) needs exactly 3");
  EXPECT_FAILS_WITH(parse_value("0x010203", prim(Kind::octet_string, -2)), "allows at most 2");
}

TEST(ParseValue, VisibleString) {
  EXPECT_EQ(*parse_value("hello world", prim(Kind::visible_string, -255)),
            Data{mms::VisibleStringValue{"hello world"}});
  EXPECT_EQ(*parse_value("\"a \\\"b\\\" \\\\ c\"", prim(Kind::visible_string, -255)),
            Data{mms::VisibleStringValue{"a \"b\" \\ c"}});
  EXPECT_EQ(*parse_value("\"\"", prim(Kind::visible_string, -5)), Data{mms::VisibleStringValue{""}});
  EXPECT_FAILS_WITH(parse_value("abcdef", prim(Kind::visible_string, -5)),
                    "6 characters, visible-string(<=5) allows at most 5");
  EXPECT_FAILS_WITH(parse_value("abc", prim(Kind::visible_string, 4)), "needs exactly 4");
  EXPECT_FAILS_WITH(parse_value("\"tab\\x09\"", prim(Kind::visible_string, -20)), "not visible ASCII");
  EXPECT_FAILS_WITH(parse_value("\"open", prim(Kind::visible_string, -20)), "unterminated string");
  EXPECT_FAILS_WITH(parse_value("\"a\\qb\"", prim(Kind::visible_string, -20)), "invalid escape");
  EXPECT_FAILS_WITH(parse_value("\"a\" b", prim(Kind::visible_string, -20)),
                    "unexpected text after the string");
}

TEST(ParseValue, MmsStringCountsCharacters) {
  const auto r = parse_value("\xc3\xa4\xc3\xb6", prim(Kind::mms_string, -2));  // two UTF-8 characters
  ASSERT_TRUE(r.ok()) << detail(r);
  EXPECT_EQ(*r, Data{mms::MmsStringValue{"\xc3\xa4\xc3\xb6"}});
  EXPECT_FAILS_WITH(parse_value("abc", prim(Kind::mms_string, -2)), "allows at most 2");
}

TEST(ParseValue, UtcTime) {
  const auto r = parse_value("2024-01-02T03:04:05.5Z", prim(Kind::utc_time));
  ASSERT_TRUE(r.ok()) << detail(r);
  const auto* u = r->get<mms::UtcTime>();
  ASSERT_NE(u, nullptr);
  EXPECT_EQ(u->seconds, 1704164645U);
  EXPECT_EQ(u->fraction, 1U << 23);
  EXPECT_EQ(u->quality, 0);
  const auto q = parse_value("1970-01-01T00:00:00 q=0x0a", prim(Kind::utc_time));
  ASSERT_TRUE(q.ok()) << detail(q);
  EXPECT_EQ(*q, (Data{mms::UtcTime{0, 0, 0x0a}}));
  EXPECT_EQ(*parse_value("2106-02-07T06:28:15Z", prim(Kind::utc_time)),
            (Data{mms::UtcTime{0xFFFFFFFFU, 0, 0}}));
  EXPECT_FAILS_WITH(parse_value("2106-02-07T06:28:16Z", prim(Kind::utc_time)), "outside the utc-time range");
  EXPECT_FAILS_WITH(parse_value("1969-12-31T23:59:59Z", prim(Kind::utc_time)), "outside the utc-time range");
  EXPECT_FAILS_WITH(parse_value("2024-02-30T00:00:00Z", prim(Kind::utc_time)), "is not an ISO-8601 UTC time");
  EXPECT_FAILS_WITH(parse_value("2024-01-02 03:04:05Z", prim(Kind::utc_time)), "expected ' q=0xHH'");
  EXPECT_FAILS_WITH(parse_value("2024-01-02T24:00:00Z", prim(Kind::utc_time)), "is not an ISO-8601");
  EXPECT_FAILS_WITH(parse_value("2024-01-02T03:04:05.Z", prim(Kind::utc_time)), "is not an ISO-8601");
  EXPECT_FAILS_WITH(parse_value("2024-01-02T03:04:05.1234567891Z", prim(Kind::utc_time)),
                    "is not an ISO-8601");
  EXPECT_FAILS_WITH(parse_value("2024-01-02T03:04:05+01:00", prim(Kind::utc_time)), "is not an ISO-8601");
  EXPECT_FAILS_WITH(parse_value("2024-01-02T03:04:05Z q=0x123", prim(Kind::utc_time)),
                    "is not one hex octet");
  EXPECT_TRUE(parse_value("2024-02-29T00:00:00Z", prim(Kind::utc_time)).ok());  // leap year
  EXPECT_FAILS_WITH(parse_value("2023-02-29T00:00:00Z", prim(Kind::utc_time)), "is not an ISO-8601");
}

TEST(ParseValue, BinaryTime) {
  TypeSpecification tod = prim(Kind::binary_time);
  EXPECT_EQ(*parse_value("01:02:03.004", tod), (Data{mms::BinaryTime{3723004, std::nullopt}}));
  EXPECT_FAILS_WITH(parse_value("01:02:03.0045", tod), "millisecond resolution");
  EXPECT_FAILS_WITH(parse_value("1:02:03", tod), "is not a time of day");
  TypeSpecification dated = prim(Kind::binary_time);
  dated.binary_time_with_date = true;
  EXPECT_EQ(*parse_value("1984-01-02T00:00:01.5Z", dated), (Data{mms::BinaryTime{1500, std::uint16_t{1}}}));
  EXPECT_FAILS_WITH(parse_value("1983-12-31T00:00:00Z", dated), "outside the binary-time range");
}

TEST(ParseValue, GeneralizedTime) {
  const auto r = parse_value("2024-01-02T03:04:05.25Z", prim(Kind::generalized_time));
  ASSERT_TRUE(r.ok()) << detail(r);
  const auto* t = r->get<ber::Time>();
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->year, 2024);
  EXPECT_EQ(t->nanos, 250000000U);
  EXPECT_EQ(t->fraction_digits, 2);
  EXPECT_FAILS_WITH(parse_value("yesterday", prim(Kind::generalized_time)), "is not an ISO-8601");
}

TEST(ParseValue, BcdAndObjId) {
  EXPECT_EQ(*parse_value("1234", prim(Kind::bcd, 4)), Data{mms::Bcd{1234}});
  EXPECT_FAILS_WITH(parse_value("12345", prim(Kind::bcd, 4)), "more than 4 digits");
  EXPECT_FAILS_WITH(parse_value("-1", prim(Kind::bcd, 4)), "not a non-negative decimal");
  EXPECT_EQ(*parse_value("1.0.9506.2.3", prim(Kind::obj_id)), (Data{ber::Oid{1, 0, 9506, 2, 3}}));
  EXPECT_FAILS_WITH(parse_value("1..2", prim(Kind::obj_id)), "is not an object identifier");
  EXPECT_FAILS_WITH(parse_value("7.1", prim(Kind::obj_id)), "is not an object identifier");
}

TEST(ParseValue, NamedTypesAreRefused) {
  TypeSpecification t;
  t.kind = Kind::type_name;
  t.type_name = ObjectName::domain_specific("LD0", "T");
  EXPECT_FAILS_WITH(parse_value("1", t), "named types (LD0/T) are not supported");
}

// ---------------------------------------------------------------------------------------------
// Structures and arrays
// ---------------------------------------------------------------------------------------------

TEST(ParseValue, Structure) {
  const auto r = parse_value("{{230.5}, b0000000000000, 2024-01-02T03:04:05Z q=0x0a}", mv_type());
  ASSERT_TRUE(r.ok()) << detail(r);
  const Data expected{mms::DataStructure{{Data{mms::DataStructure{{Data{mms::FloatingPoint{230.5, false}}}}},
                                          Data{mms::BitStringValue{{0x00, 0x00}, 3}},
                                          Data{mms::UtcTime{1704164645U, 0, 0x0a}}}}};
  EXPECT_EQ(*r, expected);
}

TEST(ParseValue, StructureWithQuotedStringsAndSpaces) {
  const auto t = structure({{"a", prim(Kind::visible_string, -20)}, {"b", prim(Kind::boolean)}});
  const auto r = parse_value("  {  \"x, {y}\" ,  true }  ", t);
  ASSERT_TRUE(r.ok()) << detail(r);
  EXPECT_EQ(*r, (Data{mms::DataStructure{{Data{mms::VisibleStringValue{"x, {y}"}}, Data{true}}}}));
  // Unquoted strings inside braces end at ',' or '}'.
  EXPECT_EQ(*parse_value("{plain text, 0}", t),
            (Data{mms::DataStructure{{Data{mms::VisibleStringValue{"plain text"}}, Data{false}}}}));
}

TEST(ParseValue, StructureErrorsNameTheMember) {
  EXPECT_FAILS_WITH(parse_value("{{1}, b01, 2024-01-02T03:04:05Z}", mv_type()), "q: 'b01' has 2 bits");
  EXPECT_FAILS_WITH(parse_value("{{x}, b0000000000000, 2024-01-02T03:04:05Z}", mv_type()),
                    "mag.f: 'x' is not a number");
  EXPECT_FAILS_WITH(parse_value("{{1}, b0000000000000}", mv_type()), "2 values given");
  EXPECT_FAILS_WITH(parse_value("{{1}, b0000000000000, 2024-01-02T03:04:05Z, 4}", mv_type()),
                    "more than 3 members");
  EXPECT_FAILS_WITH(parse_value("{{1} b0000000000000}", mv_type()), "expected ',' or '}'");
  EXPECT_FAILS_WITH(parse_value("{{1}, , 2024-01-02T03:04:05Z}", mv_type()), "q: missing value");
  EXPECT_FAILS_WITH(parse_value("1", mv_type()), "expected '{'");
  EXPECT_FAILS_WITH(parse_value("{1, b0000000000000, 2024-01-02T03:04:05Z}", mv_type()), "mag: expected '{'");
  EXPECT_FAILS_WITH(parse_value("{{1}, b0000000000000, 2024-01-02T03:04:05Z} x", mv_type()),
                    "unexpected text after the value");
  EXPECT_FAILS_WITH(parse_value("{{1}, b0000000000000, 2024-01-02T03:04:05Z", mv_type()),
                    "expected ',' or '}'");
  const auto flat = structure({{"a", prim(Kind::boolean)}});
  EXPECT_FAILS_WITH(parse_value("{{true}}", flat), "a: unexpected '{'");
}

TEST(ParseValue, UnnamedComponentsAreNumbered) {
  const auto t = structure({{"", prim(Kind::boolean)}, {"", prim(Kind::integer, 8)}});
  EXPECT_FAILS_WITH(parse_value("{true, 300}", t), "#2: '300' is out of range");
}

TEST(ParseValue, Arrays) {
  const auto t = array(3, prim(Kind::integer, 16));
  EXPECT_EQ(*parse_value("{1, -2, 3}", t),
            (Data{mms::DataArray{{Data{std::int64_t{1}}, Data{std::int64_t{-2}}, Data{std::int64_t{3}}}}}));
  EXPECT_FAILS_WITH(parse_value("{1, 2}", t), "2 values given, array[3] of integer(16) has 3 elements");
  EXPECT_FAILS_WITH(parse_value("{1, 2, 3, 4}", t), "more than 3 elements");
  EXPECT_FAILS_WITH(parse_value("{1, 2, 99999}", t), "[2]: '99999' is out of range");
  EXPECT_EQ(*parse_value("{}", array(0, prim(Kind::boolean))), Data{mms::DataArray{}});
  const auto nested = array(2, structure({{"v", prim(Kind::boolean)}}));
  EXPECT_FAILS_WITH(parse_value("{{true}, {2}}", nested), "[1].v: '2' is not a boolean");
}

TEST(ParseValue, DeepNestingIsBounded) {
  TypeSpecification t = prim(Kind::boolean);
  for (int i = 0; i < 70; ++i) t = array(1, t);
  std::string text(70, '{');
  text += "true";
  text += std::string(70, '}');
  EXPECT_FAILS_WITH(parse_value(text, t), "nested too deeply");
}

TEST(ParseValue, ErrorEchoIsShortened) {
  const std::string longer(100, 'x');
  const auto r = parse_value(longer, prim(Kind::boolean));
  ASSERT_FALSE(r.ok());
  EXPECT_LT(r.failure().detail.size(), 100U) << r.failure().detail;
  EXPECT_NE(r.failure().detail.find("..."), std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Formatting and round trips
// ---------------------------------------------------------------------------------------------

TEST(FormatData, Scalars) {
  EXPECT_EQ(format_data(Data{true}), "true");
  EXPECT_EQ(format_data(Data{std::int64_t{-5}}), "-5");
  EXPECT_EQ(format_data(Data{mms::Unsigned{7}}), "7");
  EXPECT_EQ(format_data(Data{mms::FloatingPoint{230.5, false}}), "230.5");
  EXPECT_EQ(format_data(Data{mms::FloatingPoint{static_cast<double>(0.1F), false}}), "0.1");
  EXPECT_EQ(format_data(Data{mms::FloatingPoint{0.1, true}}), "0.1");
  EXPECT_EQ(format_data(Data{mms::BitStringValue{{0x40}, 6}}), "b01");
  EXPECT_EQ(format_data(Data{mms::OctetStringValue{{0x0a, 0xff}}}), "0x0aff");
  EXPECT_EQ(format_data(Data{mms::VisibleStringValue{"a\"b"}}), "\"a\\\"b\"");
  EXPECT_EQ(format_data(Data{mms::MmsStringValue{"x\ny"}}), "\"x\\x0ay\"");
  EXPECT_EQ(format_data(Data{mms::UtcTime{1704164645U, 1U << 23, 0}}), "2024-01-02T03:04:05.5Z");
  EXPECT_EQ(format_data(Data{mms::UtcTime{0, 0, 0x0a}}), "1970-01-01T00:00:00Z q=0x0a");
  EXPECT_EQ(format_data(Data{mms::BinaryTime{3723004, std::nullopt}}), "01:02:03.004");
  EXPECT_EQ(format_data(Data{mms::BinaryTime{1500, std::uint16_t{1}}}), "1984-01-02T00:00:01.500Z");
  EXPECT_EQ(format_data(Data{mms::Bcd{42}}), "42");
  EXPECT_EQ(format_data(Data{ber::Oid{1, 0, 9506}}), "1.0.9506");
  EXPECT_EQ(format_data(Data{mms::BooleanArray{mms::BitStringValue{{0xa0}, 4}}}), "b1010");
}

TEST(FormatData, Composites) {
  const Data d{
      mms::DataStructure{{Data{true}, Data{mms::DataArray{{Data{std::int64_t{1}}, Data{std::int64_t{2}}}}},
                          Data{mms::DataStructure{}}}}};
  EXPECT_EQ(format_data(d), "{true, {1, 2}, {}}");
}

TEST(FormatData, AccessResults) {
  EXPECT_EQ(format_access_result(mms::AccessResult{Data{true}}), "true");
  EXPECT_EQ(format_access_result(mms::AccessResult{mms::DataAccessError::object_non_existent}),
            "error: object-non-existent");
}

TEST(FormatData, RoundTripThroughParse) {
  struct Case {
    Data value;
    TypeSpecification type;
  };
  TypeSpecification dated = prim(Kind::binary_time);
  dated.binary_time_with_date = true;
  std::vector<Case> cases = {
      {Data{false}, prim(Kind::boolean)},
      {Data{std::int64_t{-32768}}, prim(Kind::integer, 16)},
      {Data{mms::Unsigned{4000000000U}}, prim(Kind::unsigned_, 32)},
      {Data{mms::FloatingPoint{static_cast<double>(3.14159F), false}}, float_type(false)},
      {Data{mms::FloatingPoint{-1.0e-300, true}}, float_type(true)},
      {Data{mms::BitStringValue{{0x12, 0x38}, 3}}, prim(Kind::bit_string, 13)},
      {Data{mms::OctetStringValue{{0, 1, 2, 0xfe}}}, prim(Kind::octet_string, -64)},
      {Data{mms::VisibleStringValue{"quote \" and \\ and , }"}}, prim(Kind::visible_string, -255)},
      {Data{mms::MmsStringValue{"tab\there"}}, prim(Kind::mms_string, -255)},
      {Data{mms::BinaryTime{86399999, std::nullopt}}, prim(Kind::binary_time)},
      {Data{mms::BinaryTime{12345, std::uint16_t{20000}}}, dated},
      {Data{mms::Bcd{9876}}, prim(Kind::bcd, 8)},
      {Data{ber::Oid{1, 2, 840, 10045}}, prim(Kind::obj_id)},
      {Data{mms::DataStructure{{Data{mms::DataStructure{{Data{mms::FloatingPoint{1000.25, false}}}}},
                                Data{mms::BitStringValue{{0x00, 0x00}, 3}},
                                Data{mms::UtcTime{1700000000, 123456, 0x0a}}}}},
       mv_type()},
  };
  // Every 24-bit fraction step near the edges, and some in between, round-trips exactly.
  for (std::uint32_t f : {0U, 1U, 2U, 3U, 0x7FFFFFU, 0x800000U, 0xFFFFFEU, 0xFFFFFFU, 123457U, 9999999U})
    cases.push_back({Data{mms::UtcTime{1600000000, f, 0}}, prim(Kind::utc_time)});
  for (const Case& c : cases) {
    const std::string text = format_data(c.value);
    const auto back = parse_value(text, c.type);
    ASSERT_TRUE(back.ok()) << text << ": " << detail(back);
    EXPECT_EQ(*back, c.value) << text << " -> " << format_data(*back);
  }
}

TEST(FormatType, OneLine) {
  EXPECT_EQ(format_type(mv_type()), "{mag: {f: float32}, q: bit-string(13), t: utc-time}");
  EXPECT_EQ(format_type(array(3, float_type(true))), "array[3] of float64");
  EXPECT_EQ(format_type(prim(Kind::visible_string, -255)), "visible-string(<=255)");
  EXPECT_EQ(format_type(prim(Kind::octet_string, 6)), "octet-string(6)");
  EXPECT_EQ(format_type(prim(Kind::integer, 8)), "integer(8)");
  EXPECT_EQ(format_type(prim(Kind::unsigned_, 32)), "unsigned(32)");
  EXPECT_EQ(format_type(prim(Kind::mms_string, -10)), "mms-string(<=10)");
  EXPECT_EQ(format_type(prim(Kind::generalized_time)), "generalized-time");
  EXPECT_EQ(format_type(prim(Kind::bcd, 4)), "bcd(4)");
  EXPECT_EQ(format_type(prim(Kind::obj_id)), "obj-id");
  TypeSpecification odd = float_type(false);
  odd.exponent_width = 5;
  EXPECT_EQ(format_type(odd), "floating-point(32, 5)");
  TypeSpecification dated = prim(Kind::binary_time);
  dated.binary_time_with_date = true;
  EXPECT_EQ(format_type(dated), "binary-time(date)");
  EXPECT_EQ(format_type(structure({{"", prim(Kind::boolean)}})), "{boolean}");
  TypeSpecification named;
  named.kind = Kind::type_name;
  named.type_name = ObjectName::vmd_specific("T");
  EXPECT_EQ(format_type(named), "type T");
  TypeSpecification broken;
  broken.kind = Kind::array;
  broken.number_of_elements = 1;
  EXPECT_EQ(format_type(broken), "array[1] of ?");
}

TEST(FormatFailure, CodeMessageThenDetail) {
  EXPECT_EQ(format_failure(Failure{Errc::service_error, "access: object-non-existent"}),
            "MMS service error: access: object-non-existent");
  EXPECT_EQ(format_failure(Failure{Errc::timeout}), "timed out");
  EXPECT_EQ(format_failure(Failure{std::error_code{}, "just text"}), "just text");
}

}  // namespace
}  // namespace mmssec::endpoint
