// SPDX-License-Identifier: Apache-2.0
// MMS Data, TypeSpecification, ObjectName and Identifier codecs (ISO 9506-2, the MMS ASN.1
// module; UtcTime from the 2003 edition as IEC 61850-8-1 uses it).
//
// Hardening (the libiec61850 CVE classes): every length is checked by ber::Reader against the
// bytes that remain; each primitive's content length is checked against its type (floating
// point 5 or 9 octets, UtcTime 8, TimeOfDay 4 or 6, integers at most 64 bits); nesting depth is
// checked before recursing; SEQUENCE OF element counts are counted with a cheap TLV skip and
// checked against the limit before anything is reserved; string sizes are checked before copying.
#include "mmssec/mms/data.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

namespace mmssec::mms {
namespace {

using ber::Tag;
using ber::Tlv;

// Data CHOICE alternatives (context tag numbers).
inline constexpr std::uint32_t kDataArray = 1;
inline constexpr std::uint32_t kDataStructure = 2;
inline constexpr std::uint32_t kDataBoolean = 3;
inline constexpr std::uint32_t kDataBitString = 4;
inline constexpr std::uint32_t kDataInteger = 5;
inline constexpr std::uint32_t kDataUnsigned = 6;
inline constexpr std::uint32_t kDataFloatingPoint = 7;
inline constexpr std::uint32_t kDataOctetString = 9;
inline constexpr std::uint32_t kDataVisibleString = 10;
inline constexpr std::uint32_t kDataGeneralizedTime = 11;
inline constexpr std::uint32_t kDataBinaryTime = 12;
inline constexpr std::uint32_t kDataBcd = 13;
inline constexpr std::uint32_t kDataBooleanArray = 14;
inline constexpr std::uint32_t kDataObjId = 15;
inline constexpr std::uint32_t kDataMmsString = 16;
inline constexpr std::uint32_t kDataUtcTime = 17;

// ObjectName CHOICE alternatives.
inline constexpr Tag kTagVmdSpecific = Tag::context(0);
inline constexpr Tag kTagDomainSpecific = Tag::context_cons(1);
inline constexpr Tag kTagAaSpecific = Tag::context(2);

// TypeSpecification fields.
inline constexpr Tag kTagTypeName = Tag::context_cons(0);       // typeName [0] ObjectName (explicit)
inline constexpr Tag kTagPacked = Tag::context(0);              // packed [0] IMPLICIT BOOLEAN
inline constexpr Tag kTagNumberOfElements = Tag::context(1);    // numberOfElements [1] IMPLICIT Unsigned32
inline constexpr Tag kTagElementType = Tag::context_cons(2);    // elementType [2] TypeSpecification
inline constexpr Tag kTagComponents = Tag::context_cons(1);     // components [1] IMPLICIT SEQUENCE OF
inline constexpr Tag kTagComponentName = Tag::context(0);       // componentName [0] IMPLICIT Identifier
inline constexpr Tag kTagComponentType = Tag::context_cons(1);  // componentType [1] TypeSpecification

// Floating point: exponent-width octet values and the resulting content sizes.
inline constexpr std::uint8_t kExponentWidthSingle = 8;
inline constexpr std::uint8_t kExponentWidthDouble = 11;
inline constexpr std::size_t kFloatSingleContent = 1 + 4;
inline constexpr std::size_t kFloatDoubleContent = 1 + 8;
// UtcTime: 4 octets seconds, 3 octets fraction, 1 octet quality.
inline constexpr std::size_t kUtcTimeContent = 8;
// TimeOfDay: 4 octets milliseconds, optionally 2 octets days since 1984-01-01.
inline constexpr std::size_t kTimeOfDayShort = 4;
inline constexpr std::size_t kTimeOfDayLong = 6;

// ISO 9506 integer subtypes.
inline constexpr std::int64_t kUnsigned8Max = 127;
inline constexpr std::int64_t kUnsigned32Max = 2147483647;
inline constexpr std::int64_t kInteger32Min = -2147483648LL;
inline constexpr std::int64_t kInteger32Max = 2147483647;

Error err(Errc e, std::size_t offset) { return Error{e, offset}; }

// INTEGER content (two's complement, X.690 8.3) into 64 bits; redundant sign octets are
// tolerated, values needing more than 64 bits are bad_data.
Result<std::int64_t> signed_content(const Tlv& tlv) {
  const ByteView c = tlv.content;
  if (c.empty()) return err(Errc::bad_data, tlv.content_offset);
  const bool negative = (c[0] & 0x80U) != 0;
  const std::uint8_t pad = negative ? 0xFF : 0x00;
  std::size_t i = 0;
  while (c.size() - i > 1 && c[i] == pad && (((c[i + 1] & 0x80U) != 0) == negative)) ++i;
  if (c.size() - i > 8) return err(Errc::bad_data, tlv.content_offset);
  std::uint64_t v = negative ? ~std::uint64_t{0} : 0;
  for (; i < c.size(); ++i) v = (v << 8) | c[i];
  return static_cast<std::int64_t>(v);
}

// Non-negative INTEGER content into 64 bits (MMS Unsigned up to 64 bits: at most 9 octets, the
// first a 00 sign octet); a negative value is bad_data.
Result<std::uint64_t> unsigned_content(const Tlv& tlv) {
  const ByteView c = tlv.content;
  if (c.empty() || (c[0] & 0x80U) != 0) return err(Errc::bad_data, tlv.content_offset);
  std::size_t i = 0;
  while (c.size() - i > 1 && c[i] == 0x00) ++i;
  if (c.size() - i > 8) return err(Errc::bad_data, tlv.content_offset);
  std::uint64_t v = 0;
  for (; i < c.size(); ++i) v = (v << 8) | c[i];
  return v;
}

std::uint64_t be(ByteView c, std::size_t from, std::size_t n) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < n; ++i) v = (v << 8) | c[from + i];
  return v;
}

// Count the elements of a SEQUENCE OF (the reader over its content) without decoding them:
// ber::Reader::count_elements parses each TLV header once and builds nothing, and stops as
// soon as `max` is passed, so nothing is ever sized from an unchecked count. A malformed
// element is reported with its own BER error; too many elements at `at`.
Result<std::size_t> count_elements(const ber::Reader& seq, std::size_t max, std::size_t at) {
  MMSSEC_TRY_ASSIGN(const std::size_t n, seq.count_elements(max));
  if (n > max) return err(Errc::too_many_elements, at);
  return n;
}

// BIT STRING content (X.690 8.6): unused-bits octet 0..7, 0 when no further octets. Unused
// bits are cleared so that equal bit strings compare equal.
Result<BitStringValue> bit_string_content(const Tlv& tlv, const Limits& limits) {
  const ByteView c = tlv.content;
  if (c.empty() || c[0] > 7 || (c.size() == 1 && c[0] != 0)) return err(Errc::bad_data, tlv.content_offset);
  if (c.size() - 1 > limits.mms_max_string) return err(Errc::string_too_long, tlv.content_offset);
  BitStringValue v;
  v.unused_bits = c[0];
  v.bytes.assign(c.begin() + 1, c.end());
  if (!v.bytes.empty()) v.bytes.back() = static_cast<std::uint8_t>(v.bytes.back() & (0xFFU << v.unused_bits));
  return v;
}

bool is_identifier_char(char ch) {
  return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' ||
         ch == '$';
}

Status check_primitive(const Tlv& tlv) {
  if (tlv.tag.constructed) return err(Errc::bad_data, tlv.offset);
  return {};
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Identifier and ObjectName
// ---------------------------------------------------------------------------------------------

bool valid_identifier(std::string_view s, std::size_t max_length) noexcept {
  if (s.empty() || s.size() > max_length) return false;
  if (s[0] >= '0' && s[0] <= '9') return false;
  return std::all_of(s.begin(), s.end(), is_identifier_char);
}

std::string ObjectName::to_string() const {
  switch (scope) {
    case Scope::domain: return domain + "/" + item;
    case Scope::aa: return "@aa/" + item;
    case Scope::vmd: break;
  }
  return item;
}

// Identifier ::= VisibleString (A-Z a-z 0-9 _ $, first character not a digit), at most
// Limits::mms_max_identifier characters.
Result<std::string> decode_identifier(ber::Reader& r, Tag tag, const Limits& limits) {
  const ber::Reader save = r;
  Tlv tlv;
  MMSSEC_TRY(r.read(tag, tlv));
  const std::string_view s(reinterpret_cast<const char*>(tlv.content.data()),  // NOLINT
                           tlv.content.size());
  if (tlv.tag.constructed || !valid_identifier(s, limits.mms_max_identifier)) {
    r = save;
    return err(Errc::bad_identifier, tlv.content_offset);
  }
  return std::string(s);
}

// ObjectName ::= CHOICE {
//   vmd-specific    [0] IMPLICIT Identifier,
//   domain-specific [1] IMPLICIT SEQUENCE { domainID Identifier, itemID Identifier },
//   aa-specific     [2] IMPLICIT Identifier }
void encode_object_name(ber::Writer& w, const ObjectName& name) {
  switch (name.scope) {
    case ObjectName::Scope::vmd: w.visible_string(name.item, kTagVmdSpecific); return;
    case ObjectName::Scope::aa: w.visible_string(name.item, kTagAaSpecific); return;
    case ObjectName::Scope::domain:
      w.constructed(kTagDomainSpecific, [&] {
        w.visible_string(name.domain);
        w.visible_string(name.item);
      });
      return;
  }
}

Result<ObjectName> decode_object_name(ber::Reader& r, const Limits& limits) {
  const ber::Reader save = r;
  auto fail = [&](Error e) -> Result<ObjectName> {
    r = save;
    return e;
  };
  auto tag = r.peek_tag();
  if (!tag) {
    MMSSEC_TRY(r.read_any());  // reports the underlying BER problem (truncated, bad length)
    return err(Errc::bad_object_name, r.offset());
  }
  ObjectName name;
  if (*tag == kTagVmdSpecific || *tag == kTagAaSpecific) {
    name.scope = *tag == kTagVmdSpecific ? ObjectName::Scope::vmd : ObjectName::Scope::aa;
    auto id = decode_identifier(r, *tag, limits);
    if (!id) return fail(id.error());
    name.item = std::move(*id);
    return name;
  }
  if (*tag == kTagDomainSpecific) {
    auto seq = r.enter(kTagDomainSpecific);
    if (!seq) return fail(seq.error());
    name.scope = ObjectName::Scope::domain;
    auto domain = decode_identifier(*seq, ber::tags::kVisibleString, limits);
    if (!domain) return fail(domain.error());
    auto item = decode_identifier(*seq, ber::tags::kVisibleString, limits);
    if (!item) return fail(item.error());
    if (auto end = seq->expect_end(); !end) return fail(end.error());
    name.domain = std::move(*domain);
    name.item = std::move(*item);
    return name;
  }
  return fail(err(Errc::bad_object_name, r.offset()));
}

// ---------------------------------------------------------------------------------------------
// Data
// ---------------------------------------------------------------------------------------------

void BitStringValue::set(std::size_t i, bool v) {
  if (i >= size()) {
    const std::size_t bits = i + 1;
    bytes.resize((bits + 7) / 8, 0);
    unused_bits = static_cast<std::uint8_t>(bytes.size() * 8 - bits);
  }
  const auto mask = static_cast<std::uint8_t>(0x80U >> (i % 8));
  if (v) {
    bytes[i / 8] = static_cast<std::uint8_t>(bytes[i / 8] | mask);
  } else {
    bytes[i / 8] = static_cast<std::uint8_t>(bytes[i / 8] & ~mask);
  }
}

std::uint32_t Data::tag_number() const noexcept {
  struct Visitor {
    std::uint32_t operator()(bool) const { return kDataBoolean; }
    std::uint32_t operator()(std::int64_t) const { return kDataInteger; }
    std::uint32_t operator()(const Unsigned&) const { return kDataUnsigned; }
    std::uint32_t operator()(const FloatingPoint&) const { return kDataFloatingPoint; }
    std::uint32_t operator()(const BitStringValue&) const { return kDataBitString; }
    std::uint32_t operator()(const OctetStringValue&) const { return kDataOctetString; }
    std::uint32_t operator()(const VisibleStringValue&) const { return kDataVisibleString; }
    std::uint32_t operator()(const MmsStringValue&) const { return kDataMmsString; }
    std::uint32_t operator()(const BinaryTime&) const { return kDataBinaryTime; }
    std::uint32_t operator()(const UtcTime&) const { return kDataUtcTime; }
    std::uint32_t operator()(const ber::Time&) const { return kDataGeneralizedTime; }
    std::uint32_t operator()(const Bcd&) const { return kDataBcd; }
    std::uint32_t operator()(const BooleanArray&) const { return kDataBooleanArray; }
    std::uint32_t operator()(const ber::Oid&) const { return kDataObjId; }
    std::uint32_t operator()(const DataArray&) const { return kDataArray; }
    std::uint32_t operator()(const DataStructure&) const { return kDataStructure; }
  };
  return std::visit(Visitor{}, value);
}

namespace {

void encode_bits(ber::Writer& w, const BitStringValue& b, Tag tag) {
  // An out-of-range unused-bits count cannot be represented: clamp it (encoders never fail).
  const std::uint8_t unused = b.bytes.empty() ? 0 : std::min<std::uint8_t>(b.unused_bits, 7);
  w.bit_string(b.bytes, unused, tag);
}

void encode_sequence_of(ber::Writer& w, Tag tag, const std::vector<Data>& items) {
  const std::size_t m = w.begin(tag);
  for (const Data& d : items) encode_data(w, d);
  w.end(m);
}

}  // namespace

// Data ::= CHOICE { ... } (see data.hpp): each alternative is an IMPLICIT context tag, so the
// tag number selects the alternative and the content is that type's content octets.
void encode_data(ber::Writer& w, const Data& d) {
  struct Visitor {
    ber::Writer& w;
    void operator()(bool v) const { w.boolean(v, Tag::context(kDataBoolean)); }
    void operator()(std::int64_t v) const { w.integer(v, Tag::context(kDataInteger)); }
    void operator()(const Unsigned& v) const { w.unsigned_integer(v.value, Tag::context(kDataUnsigned)); }
    // FloatingPoint ::= OCTET STRING: exponent width, then the IEEE 754 value big-endian.
    void operator()(const FloatingPoint& v) const {
      std::uint8_t buf[kFloatDoubleContent];
      std::size_t n = 0;
      if (v.is_double) {
        buf[0] = kExponentWidthDouble;
        const auto bits = std::bit_cast<std::uint64_t>(v.value);
        for (int i = 0; i < 8; ++i) buf[1 + i] = static_cast<std::uint8_t>(bits >> (56 - 8 * i));
        n = kFloatDoubleContent;
      } else {
        buf[0] = kExponentWidthSingle;
        const auto bits = std::bit_cast<std::uint32_t>(static_cast<float>(v.value));
        for (int i = 0; i < 4; ++i) buf[1 + i] = static_cast<std::uint8_t>(bits >> (24 - 8 * i));
        n = kFloatSingleContent;
      }
      w.tlv(Tag::context(kDataFloatingPoint), ByteView(buf, n));
    }
    void operator()(const BitStringValue& v) const { encode_bits(w, v, Tag::context(kDataBitString)); }
    void operator()(const OctetStringValue& v) const {
      w.octet_string(v.bytes, Tag::context(kDataOctetString));
    }
    void operator()(const VisibleStringValue& v) const {
      w.visible_string(v.text, Tag::context(kDataVisibleString));
    }
    void operator()(const MmsStringValue& v) const { w.utf8_string(v.text, Tag::context(kDataMmsString)); }
    // TimeOfDay ::= OCTET STRING (SIZE (4 | 6)): milliseconds since midnight [, days since 1984-01-01].
    void operator()(const BinaryTime& v) const {
      std::uint8_t buf[kTimeOfDayLong];
      for (int i = 0; i < 4; ++i) buf[i] = static_cast<std::uint8_t>(v.milliseconds >> (24 - 8 * i));
      std::size_t n = kTimeOfDayShort;
      if (v.days) {
        buf[4] = static_cast<std::uint8_t>(*v.days >> 8);
        buf[5] = static_cast<std::uint8_t>(*v.days);
        n = kTimeOfDayLong;
      }
      w.tlv(Tag::context(kDataBinaryTime), ByteView(buf, n));
    }
    // UtcTime ::= OCTET STRING (SIZE (8)): seconds (4), binary fraction (3), time quality (1).
    void operator()(const UtcTime& v) const {
      std::uint8_t buf[kUtcTimeContent];
      for (int i = 0; i < 4; ++i) buf[i] = static_cast<std::uint8_t>(v.seconds >> (24 - 8 * i));
      for (int i = 0; i < 3; ++i) buf[4 + i] = static_cast<std::uint8_t>(v.fraction >> (16 - 8 * i));
      buf[7] = v.quality;
      w.tlv(Tag::context(kDataUtcTime), ByteView(buf, kUtcTimeContent));
    }
    void operator()(const ber::Time& v) const {
      w.generalized_time(v, v.fraction_digits, Tag::context(kDataGeneralizedTime));
    }
    void operator()(const Bcd& v) const { w.integer(v.value, Tag::context(kDataBcd)); }
    void operator()(const BooleanArray& v) const { encode_bits(w, v.bits, Tag::context(kDataBooleanArray)); }
    void operator()(const ber::Oid& v) const { w.oid(v, Tag::context(kDataObjId)); }
    void operator()(const DataArray& v) const {
      encode_sequence_of(w, Tag::context_cons(kDataArray), v.items);
    }
    void operator()(const DataStructure& v) const {
      encode_sequence_of(w, Tag::context_cons(kDataStructure), v.members);
    }
  };
  std::visit(Visitor{w}, d.value);
}

namespace {

Status decode_into(ber::Reader& r, const Limits& limits, std::size_t depth, Data& out);

// array [1] / structure [2] IMPLICIT SEQUENCE OF Data: depth checked before recursing, the
// elements counted (and the count checked) before the vector is reserved once; elements are
// decoded in place (no temporary Data per element).
Status decode_sequence_of_data(const ber::Reader& parent, const Tlv& tlv, const Limits& limits,
                               std::size_t depth, std::vector<Data>& items) {
  if (depth >= limits.mms_max_data_depth) return err(Errc::depth_exceeded, tlv.offset);
  MMSSEC_TRY_ASSIGN(ber::Reader seq, parent.enter(tlv));
  MMSSEC_TRY_ASSIGN(const std::size_t n, count_elements(seq, limits.mms_max_list_elements, tlv.offset));
  items.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    MMSSEC_TRY(decode_into(seq, limits, depth + 1, items.emplace_back()));
  }
  return seq.expect_end();
}

// One Data element into `out`. On failure `r` is left where it was (`out` is then unspecified).
Status decode_into(ber::Reader& r, const Limits& limits, std::size_t depth, Data& out) {
  const ber::Reader save = r;  // typed BER readers re-read rare alternatives from here
  Tlv tlv;
  MMSSEC_TRY(r.read_any(tlv));
  auto fail = [&](Error e) -> Status {
    r = save;
    return e;
  };
  if (tlv.tag.cls != ber::TagClass::context) return fail(err(Errc::bad_data, tlv.offset));
  const ByteView c = tlv.content;
  const std::uint32_t number = tlv.tag.number;
  if (number != kDataArray && number != kDataStructure) {
    if (auto st = check_primitive(tlv); !st) return fail(st.error());
  } else if (!tlv.tag.constructed) {
    return fail(err(Errc::bad_data, tlv.offset));
  }

  switch (number) {
    case kDataArray: {
      auto st = decode_sequence_of_data(r, tlv, limits, depth, out.value.emplace<DataArray>().items);
      if (!st) return fail(st.error());
      return {};
    }
    case kDataStructure: {
      auto st = decode_sequence_of_data(r, tlv, limits, depth, out.value.emplace<DataStructure>().members);
      if (!st) return fail(st.error());
      return {};
    }
    case kDataBoolean:
      // boolean [3] IMPLICIT BOOLEAN: exactly one octet.
      if (c.size() != 1) return fail(err(Errc::bad_data, tlv.content_offset));
      out.value.emplace<bool>(c[0] != 0);
      return {};
    case kDataBitString:
    case kDataBooleanArray: {
      auto bits = bit_string_content(tlv, limits);
      if (!bits) return fail(bits.error());
      if (number == kDataBitString) {
        out.value.emplace<BitStringValue>(std::move(*bits));
      } else {
        out.value.emplace<BooleanArray>(BooleanArray{std::move(*bits)});
      }
      return {};
    }
    case kDataInteger:
    case kDataBcd: {
      auto v = signed_content(tlv);
      if (!v) return fail(v.error());
      if (number == kDataInteger) {
        out.value.emplace<std::int64_t>(*v);
      } else {
        out.value.emplace<Bcd>(Bcd{*v});
      }
      return {};
    }
    case kDataUnsigned: {
      auto v = unsigned_content(tlv);
      if (!v) return fail(v.error());
      out.value.emplace<Unsigned>(Unsigned{*v});
      return {};
    }
    case kDataFloatingPoint: {
      // FloatingPoint ::= OCTET STRING: exponent width 8 → IEEE single, 11 → IEEE double.
      if (c.size() == kFloatSingleContent && c[0] == kExponentWidthSingle) {
        const auto bits = static_cast<std::uint32_t>(be(c, 1, 4));
        out.value.emplace<FloatingPoint>(
            FloatingPoint{static_cast<double>(std::bit_cast<float>(bits)), false});
        return {};
      }
      if (c.size() == kFloatDoubleContent && c[0] == kExponentWidthDouble) {
        out.value.emplace<FloatingPoint>(FloatingPoint{std::bit_cast<double>(be(c, 1, 8)), true});
        return {};
      }
      return fail(err(Errc::bad_data, tlv.content_offset));
    }
    case kDataOctetString:
      if (c.size() > limits.mms_max_string) return fail(err(Errc::string_too_long, tlv.content_offset));
      out.value.emplace<OctetStringValue>(OctetStringValue{Bytes(c.begin(), c.end())});
      return {};
    case kDataVisibleString: {
      if (c.size() > limits.mms_max_string) return fail(err(Errc::string_too_long, tlv.content_offset));
      for (std::size_t i = 0; i < c.size(); ++i) {
        if (c[i] < 0x20 || c[i] > 0x7E) return fail(err(Errc::bad_data, tlv.content_offset + i));
      }
      out.value.emplace<VisibleStringValue>(VisibleStringValue{std::string(c.begin(), c.end())});
      return {};
    }
    case kDataMmsString: {
      if (c.size() > limits.mms_max_string) return fail(err(Errc::string_too_long, tlv.content_offset));
      ber::Reader again = save;
      auto s = again.read_utf8_string(tlv.tag);
      if (!s) return fail(err(Errc::bad_data, tlv.content_offset));
      out.value.emplace<MmsStringValue>(MmsStringValue{std::string(*s)});
      return {};
    }
    case kDataGeneralizedTime: {
      ber::Reader again = save;
      auto t = again.read_generalized_time(tlv.tag);
      // Normalised to UTC by the BER layer; keep years the 4-digit form can carry again.
      if (!t || t->year < 0 || t->year > 9999) return fail(err(Errc::bad_data, tlv.content_offset));
      t->had_zone = true;  // a time without zone is taken as UTC (PROFILE.md §4) and re-encoded with Z
      out.value.emplace<ber::Time>(*t);
      return {};
    }
    case kDataBinaryTime: {
      if (c.size() != kTimeOfDayShort && c.size() != kTimeOfDayLong)
        return fail(err(Errc::bad_data, tlv.content_offset));
      BinaryTime t;
      t.milliseconds = static_cast<std::uint32_t>(be(c, 0, 4));
      if (c.size() == kTimeOfDayLong) t.days = static_cast<std::uint16_t>(be(c, 4, 2));
      out.value.emplace<BinaryTime>(t);
      return {};
    }
    case kDataUtcTime: {
      if (c.size() != kUtcTimeContent) return fail(err(Errc::bad_data, tlv.content_offset));
      UtcTime t;
      t.seconds = static_cast<std::uint32_t>(be(c, 0, 4));
      t.fraction = static_cast<std::uint32_t>(be(c, 4, 3));
      t.quality = c[7];
      out.value.emplace<UtcTime>(t);
      return {};
    }
    case kDataObjId: {
      ber::Reader again = save;
      auto oid = again.read_oid(tlv.tag);
      if (!oid) return fail(err(Errc::bad_data, tlv.content_offset));
      out.value.emplace<ber::Oid>(std::move(*oid));
      return {};
    }
    default: break;
  }
  return fail(err(Errc::bad_data, tlv.offset));
}

}  // namespace

Result<Data> decode_data(ber::Reader& r, const Limits& limits, std::size_t depth) {
  // Decoded in place inside the returned Result (one object, no Data moved on success).
  Result<Data> res{Data{}};
  if (Status st = decode_into(r, limits, depth, *res); !st) res = st.error();
  return res;
}

// ---------------------------------------------------------------------------------------------
// TypeSpecification
// ---------------------------------------------------------------------------------------------

namespace {

void encode_type_tagged(ber::Writer& w, const TypeSpecificationPtr& t) {
  // A missing type is a caller bug; encode it as boolean rather than emitting an empty CHOICE.
  static const TypeSpecification kFallback{};
  encode_type_specification(w, t ? *t : kFallback);
}

Result<std::int64_t> read_ranged(ber::Reader& r, Tag tag, std::int64_t lo, std::int64_t hi) {
  const ber::Reader save = r;
  MMSSEC_TRY_ASSIGN(const Tlv tlv, r.read(tag));
  if (tlv.tag.constructed) {
    r = save;
    return err(Errc::bad_type_spec, tlv.offset);
  }
  auto v = signed_content(tlv);
  if (!v) {
    r = save;
    return err(Errc::bad_type_spec, tlv.content_offset);
  }
  if (*v < lo || *v > hi) {
    r = save;
    return err(Errc::value_out_of_range, tlv.content_offset);
  }
  return *v;
}

}  // namespace

// TypeSpecification ::= CHOICE { ... } (see data.hpp). componentType and elementType are
// EXPLICIT wrappers because TypeSpecification is itself a CHOICE.
void encode_type_specification(ber::Writer& w, const TypeSpecification& t) {
  using K = TypeSpecification::Kind;
  const Tag prim = Tag::context(static_cast<std::uint32_t>(t.kind));
  switch (t.kind) {
    case K::type_name: w.constructed(kTagTypeName, [&] { encode_object_name(w, t.type_name); }); return;
    case K::array:
      // array [1] IMPLICIT SEQUENCE { packed [0] DEFAULT FALSE, numberOfElements [1], elementType [2] }
      w.constructed(Tag::context_cons(1), [&] {
        if (t.packed) w.boolean(true, kTagPacked);
        w.unsigned_integer(t.number_of_elements, kTagNumberOfElements);
        w.constructed(kTagElementType, [&] { encode_type_tagged(w, t.element_type); });
      });
      return;
    case K::structure:
      // structure [2] IMPLICIT SEQUENCE { packed [0] DEFAULT FALSE, components [1] SEQUENCE OF
      //   SEQUENCE { componentName [0] IMPLICIT Identifier OPTIONAL, componentType [1] } }
      w.constructed(Tag::context_cons(2), [&] {
        if (t.packed) w.boolean(true, kTagPacked);
        w.constructed(kTagComponents, [&] {
          for (const TypeComponent& c : t.components) {
            w.constructed(ber::tags::kSequence, [&] {
              if (c.name) w.visible_string(*c.name, kTagComponentName);
              w.constructed(kTagComponentType, [&] { encode_type_tagged(w, c.type); });
            });
          }
        });
      });
      return;
    case K::boolean:
    case K::generalized_time:
    case K::obj_id:
    case K::utc_time: w.null(prim); return;
    case K::bit_string:
    case K::octet_string:
    case K::visible_string:
    case K::mms_string:
    case K::integer:
    case K::unsigned_:
    case K::bcd: w.integer(t.size, prim); return;
    case K::floating_point:
      // floating-point [7] IMPLICIT SEQUENCE { format-width Unsigned8, exponent-width Unsigned8 }
      w.constructed(Tag::context_cons(7), [&] {
        w.unsigned_integer(t.format_width);
        w.unsigned_integer(t.exponent_width);
      });
      return;
    case K::binary_time: w.boolean(t.binary_time_with_date, prim); return;
  }
}

Result<TypeSpecificationPtr> decode_type_specification(ber::Reader& r, const Limits& limits,
                                                       std::size_t depth) {
  using K = TypeSpecification::Kind;
  const ber::Reader save = r;
  MMSSEC_TRY_ASSIGN(const Tlv tlv, r.read_any());
  auto fail = [&](Error e) -> Result<TypeSpecificationPtr> {
    r = save;
    return e;
  };
  if (tlv.tag.cls != ber::TagClass::context) return fail(err(Errc::bad_type_spec, tlv.offset));
  const std::uint32_t number = tlv.tag.number;
  const bool cons_expected = number == 0 || number == 1 || number == 2 || number == 7;
  if (tlv.tag.constructed != cons_expected) return fail(err(Errc::bad_type_spec, tlv.offset));
  TypeSpecification t;
  auto body = [&]() -> Status {
    switch (number) {
      case 0: {  // typeName [0] ObjectName
        t.kind = K::type_name;
        MMSSEC_TRY_ASSIGN(ber::Reader in, r.enter(tlv));
        MMSSEC_TRY_ASSIGN(t.type_name, decode_object_name(in, limits));
        return in.expect_end();
      }
      case 1: {  // array
        if (depth >= limits.mms_max_data_depth) return err(Errc::depth_exceeded, tlv.offset);
        t.kind = K::array;
        MMSSEC_TRY_ASSIGN(ber::Reader in, r.enter(tlv));
        if (in.next_is(kTagPacked)) {
          auto p = in.read_boolean(kTagPacked);
          if (!p) return err(Errc::bad_type_spec, in.offset());
          t.packed = *p;
        }
        MMSSEC_TRY_ASSIGN(const std::int64_t n, read_ranged(in, kTagNumberOfElements, 0, kUnsigned32Max));
        if (static_cast<std::uint64_t>(n) > limits.mms_max_list_elements)
          return err(Errc::too_many_elements, tlv.offset);
        t.number_of_elements = static_cast<std::uint32_t>(n);
        MMSSEC_TRY_ASSIGN(ber::Reader et, in.enter(kTagElementType));
        MMSSEC_TRY_ASSIGN(t.element_type, decode_type_specification(et, limits, depth + 1));
        MMSSEC_TRY(et.expect_end());
        return in.expect_end();
      }
      case 2: {  // structure
        if (depth >= limits.mms_max_data_depth) return err(Errc::depth_exceeded, tlv.offset);
        t.kind = K::structure;
        MMSSEC_TRY_ASSIGN(ber::Reader in, r.enter(tlv));
        if (in.next_is(kTagPacked)) {
          auto p = in.read_boolean(kTagPacked);
          if (!p) return err(Errc::bad_type_spec, in.offset());
          t.packed = *p;
        }
        const std::size_t comps_at = in.offset();
        MMSSEC_TRY_ASSIGN(ber::Reader comps, in.enter(kTagComponents));
        MMSSEC_TRY_ASSIGN(const std::size_t n, count_elements(comps, limits.mms_max_list_elements, comps_at));
        t.components.reserve(n);
        for (std::size_t i = 0; i < n; ++i) {
          MMSSEC_TRY_ASSIGN(ber::Reader comp, comps.enter(ber::tags::kSequence));
          TypeComponent c;
          if (comp.next_is(kTagComponentName)) {
            MMSSEC_TRY_ASSIGN(c.name, decode_identifier(comp, kTagComponentName, limits));
          }
          MMSSEC_TRY_ASSIGN(ber::Reader ct, comp.enter(kTagComponentType));
          MMSSEC_TRY_ASSIGN(c.type, decode_type_specification(ct, limits, depth + 1));
          MMSSEC_TRY(ct.expect_end());
          MMSSEC_TRY(comp.expect_end());
          t.components.push_back(std::move(c));
        }
        MMSSEC_TRY(comps.expect_end());
        return in.expect_end();
      }
      case 3:
      case 11:
      case 15:
      case 17: {  // boolean, generalized-time, objId, utc-time: IMPLICIT NULL
        if (!tlv.content.empty()) return err(Errc::bad_type_spec, tlv.content_offset);
        t.kind = static_cast<K>(number);
        return {};
      }
      case 4:
      case 9:
      case 10:
      case 16: {  // bit-string, octet-string, visible-string, mMSString: IMPLICIT Integer32
        ber::Reader again = save;
        MMSSEC_TRY_ASSIGN(const std::int64_t v, read_ranged(again, tlv.tag, kInteger32Min, kInteger32Max));
        t.kind = static_cast<K>(number);
        t.size = static_cast<std::int32_t>(v);
        return {};
      }
      case 5:
      case 6:
      case 13: {  // integer, unsigned, bcd: IMPLICIT Unsigned8
        ber::Reader again = save;
        MMSSEC_TRY_ASSIGN(const std::int64_t v, read_ranged(again, tlv.tag, 0, kUnsigned8Max));
        t.kind = static_cast<K>(number);
        t.size = static_cast<std::int32_t>(v);
        return {};
      }
      case 7: {  // floating-point [7] IMPLICIT SEQUENCE { format-width Unsigned8, exponent-width Unsigned8 }
        t.kind = K::floating_point;
        MMSSEC_TRY_ASSIGN(ber::Reader in, r.enter(tlv));
        MMSSEC_TRY_ASSIGN(const std::int64_t fw, read_ranged(in, ber::tags::kInteger, 0, kUnsigned8Max));
        MMSSEC_TRY_ASSIGN(const std::int64_t ew, read_ranged(in, ber::tags::kInteger, 0, kUnsigned8Max));
        t.format_width = static_cast<std::uint8_t>(fw);
        t.exponent_width = static_cast<std::uint8_t>(ew);
        return in.expect_end();
      }
      case 12: {  // binary-time [12] IMPLICIT BOOLEAN (TRUE: with date)
        if (tlv.content.size() != 1) return err(Errc::bad_type_spec, tlv.content_offset);
        t.kind = K::binary_time;
        t.binary_time_with_date = tlv.content[0] != 0;
        return {};
      }
      default: return err(Errc::bad_type_spec, tlv.offset);
    }
  };
  if (auto st = body(); !st) return fail(st.error());
  return TypeSpecification::make(std::move(t));
}

}  // namespace mmssec::mms
