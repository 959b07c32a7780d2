// SPDX-License-Identifier: Apache-2.0
// BER/DER per X.690. Comments cite the clause each check implements.
#include "mmssec/ber/ber.hpp"

#include <algorithm>
#include <cstdio>
#include <limits>

namespace mmssec::ber {
namespace {

class BerCategory final : public std::error_category {
 public:
  [[nodiscard]] const char* name() const noexcept override { return "ber"; }
  [[nodiscard]] std::string message(int ev) const override {
    switch (static_cast<Errc>(ev)) {
      case Errc::bad_tag: return "invalid tag encoding";
      case Errc::bad_length: return "invalid length encoding";
      case Errc::length_overflow: return "length exceeds remaining bytes";
      case Errc::indefinite_not_allowed: return "indefinite length not allowed here";
      case Errc::missing_eoc: return "indefinite length without end-of-contents";
      case Errc::depth_exceeded: return "nesting depth limit exceeded";
      case Errc::unexpected_tag: return "unexpected tag";
      case Errc::non_minimal: return "non-minimal encoding (DER)";
      case Errc::bad_boolean: return "invalid BOOLEAN";
      case Errc::bad_null: return "NULL with content";
      case Errc::integer_overflow: return "INTEGER out of range";
      case Errc::bad_integer: return "invalid INTEGER";
      case Errc::bad_bit_string: return "invalid BIT STRING";
      case Errc::bad_oid: return "invalid OBJECT IDENTIFIER";
      case Errc::bad_string: return "invalid character string";
      case Errc::bad_time: return "invalid time value";
      case Errc::too_many_elements: return "too many elements";
      case Errc::constructed_expected: return "constructed encoding expected";
      case Errc::primitive_expected: return "primitive encoding expected";
      case Errc::bad_external: return "invalid EXTERNAL";
    }
    return "unknown ber error";
  }
};

constexpr std::uint32_t kMaxTagNumber = (1U << 28) - 1;  // four base-128 octets

}  // namespace

const std::error_category& ber_category() noexcept {
  static const BerCategory cat;
  return cat;
}

std::string Tag::to_string() const {
  // Built with append() rather than operator+ chains: GCC 12 -O3 reports a false -Wrestrict
  // positive on the latter.
  const std::string num = std::to_string(number);
  std::string s;
  switch (cls) {
    case TagClass::universal: s.append("UNIVERSAL ").append(num); break;
    case TagClass::application: s.append("[APPLICATION ").append(num).append("]"); break;
    case TagClass::context: s.append("[").append(num).append("]"); break;
    case TagClass::private_use: s.append("[PRIVATE ").append(num).append("]"); break;
  }
  if (constructed) s.append(" cons");
  return s;
}

// ------------------------------------------------------------------------------------------
// Reader
// ------------------------------------------------------------------------------------------

// Parses the element at `pos` into `tlv` (every field written on success). This is the one
// place where identifier and length octets are interpreted; all read/peek/enter/count
// functions go through it, so they apply the same checks. Hot: it writes into the caller's
// Tlv instead of returning one, and touches std::error_code only on failure.
Status Reader::parse_into(std::size_t pos, std::size_t depth, Tlv& tlv) const {
  const std::size_t start = pos;
  const std::size_t n = data_.size();
  const std::uint8_t* const d = data_.data();
  auto err = [&](auto e, std::size_t at) { return Error{e, base_ + at}; };
  if (pos >= n) return err(CoreErrc::truncated, pos);

  // X.690 8.1.2: identifier octets.
  const std::uint8_t id = d[pos++];
  tlv.tag.cls = static_cast<TagClass>(id >> 6);
  tlv.tag.constructed = (id & 0x20) != 0;
  std::uint32_t number = id & 0x1FU;
  if (number == 0x1F) {
    // 8.1.2.4: high-tag-number form, base 128, first subsequent octet's bits 7..1 not all zero.
    number = 0;
    bool first = true;
    for (;;) {
      if (pos >= n) return err(CoreErrc::truncated, pos);
      const std::uint8_t b = d[pos];
      if (first && b == 0x80) return err(Errc::bad_tag, pos);
      if (number > (kMaxTagNumber >> 7)) return err(Errc::bad_tag, pos);
      number = (number << 7) | (b & 0x7FU);
      ++pos;
      first = false;
      if ((b & 0x80) == 0) break;
    }
    if (opts_.der && number < 31) return err(Errc::non_minimal, start);
  }
  tlv.tag.number = number;

  // 8.1.3: length octets.
  if (pos >= n) return err(CoreErrc::truncated, pos);
  const std::size_t len_pos = pos;
  const std::uint8_t l0 = d[pos++];
  std::size_t len = 0;
  tlv.indefinite = false;
  if (l0 < 0x80) {
    len = l0;  // 8.1.3.4: short form
  } else if (l0 == 0x80) {
    // 8.1.3.6: indefinite form, constructed only.
    if (!tlv.tag.constructed || !opts_.allow_indefinite || opts_.der)
      return err(Errc::indefinite_not_allowed, len_pos);
    if (depth + 1 > opts_.max_depth) return err(Errc::depth_exceeded, start);
    tlv.indefinite = true;
  } else if (l0 == 0xFF) {
    return err(Errc::bad_length, len_pos);  // 8.1.3.5 c: reserved
  } else {
    const std::size_t count = l0 & 0x7FU;
    if (count > sizeof(std::size_t)) return err(Errc::bad_length, len_pos);
    if (n - pos < count) return err(CoreErrc::truncated, pos);
    if (opts_.der && d[pos] == 0) return err(Errc::non_minimal, len_pos);
    for (std::size_t i = 0; i < count; ++i) len = (len << 8) | d[pos++];
    if (opts_.der && len < 0x80) return err(Errc::non_minimal, len_pos);
  }

  tlv.offset = base_ + start;
  tlv.content_offset = base_ + pos;
  if (tlv.indefinite) {
    MMSSEC_TRY_ASSIGN(const std::size_t eoc, find_eoc(pos, depth + 1));
    tlv.content = data_.subspan(pos, eoc - pos);
    tlv.total_size = eoc + 2 - start;
    tlv.encoded = data_.subspan(start, tlv.total_size);
    return {};
  }
  if (len > n - pos) return err(Errc::length_overflow, len_pos);
  if (number == 0 && tlv.tag.cls == TagClass::universal && !tlv.tag.constructed && len != 0)
    return err(Errc::bad_length, len_pos);  // end-of-contents (8.1.5) has no content
  tlv.content = ByteView(d + pos, len);
  tlv.total_size = pos + len - start;
  tlv.encoded = ByteView(d + start, tlv.total_size);
  return {};
}

Result<std::size_t> Reader::find_eoc(std::size_t pos, std::size_t depth) const {
  // 8.1.5: content of an indefinite-length element ends at the first 00 00 at this level.
  Tlv inner;
  while (true) {
    if (pos >= data_.size()) return Error{Errc::missing_eoc, base_ + pos};
    if (data_[pos] == 0x00) {
      if (pos + 1 >= data_.size()) return Error{CoreErrc::truncated, base_ + pos + 1};
      if (data_[pos + 1] != 0x00) return Error{Errc::bad_length, base_ + pos + 1};
      return pos;
    }
    MMSSEC_TRY(parse_into(pos, depth, inner));
    pos += inner.total_size;
  }
}

std::optional<Tag> Reader::peek_tag() const {
  if (empty()) return std::nullopt;
  Tlv tlv;
  if (!parse(pos_, tlv)) return std::nullopt;
  return tlv.tag;
}

Result<std::optional<Tag>> Reader::peek() const {
  if (empty()) return std::optional<Tag>{};
  Tlv tlv;
  MMSSEC_TRY(parse(pos_, tlv));
  return std::optional<Tag>{tlv.tag};
}

Status Reader::read_any_full(Tlv& out) {
  MMSSEC_TRY(parse(pos_, out));
  if (out.tag == tags::kEoc) return Error{Errc::bad_tag, out.offset};
  pos_ += out.total_size;
  return {};
}

Status Reader::read_full(Tag expected, Tlv& out) {
  MMSSEC_TRY(parse(pos_, out));
  if (!(out.tag == expected)) return Error{Errc::unexpected_tag, out.offset};
  pos_ += out.total_size;
  return {};
}

Result<Tlv> Reader::read_any() {
  Result<Tlv> res{Tlv{}};
  if (Status st = read_any(*res); !st) res = st.error();
  return res;
}

Result<Tlv> Reader::read(Tag expected) {
  Result<Tlv> res{Tlv{}};
  if (Status st = read(expected, *res); !st) res = st.error();
  return res;
}

Result<std::optional<Tlv>> Reader::read_optional(Tag expected) {
  if (empty()) return std::optional<Tlv>{};
  Tlv tlv;
  MMSSEC_TRY(parse(pos_, tlv));
  if (!(tlv.tag == expected)) return std::optional<Tlv>{};
  pos_ += tlv.total_size;
  return std::optional<Tlv>{tlv};
}

Result<std::size_t> Reader::count_elements(std::size_t max) const {
  // Each element is parsed exactly as read_any() would parse it (so a malformed element is
  // reported with the same error), but nothing is built or returned per element.
  Tlv tlv;
  std::size_t pos = pos_;
  std::size_t count = 0;
  while (pos < data_.size()) {
    if (const std::size_t size = short_element_size(pos); size != 0) {
      pos += size;
    } else {
      MMSSEC_TRY(parse_into(pos, depth_, tlv));
      if (tlv.tag == tags::kEoc) return Error{Errc::bad_tag, tlv.offset};
      pos += tlv.total_size;
    }
    if (++count > max) break;
  }
  return count;
}

Result<Reader> Reader::enter(const Tlv& tlv) const {
  if (!tlv.tag.constructed) return Error{Errc::constructed_expected, tlv.offset};
  if (depth_ + 1 > opts_.max_depth) return Error{Errc::depth_exceeded, tlv.offset};
  return Reader(tlv.content, opts_, tlv.content_offset, depth_ + 1);
}

Result<Reader> Reader::enter(Tag expected) {
  Tlv tlv;
  MMSSEC_TRY(parse(pos_, tlv));
  if (!(tlv.tag == expected)) return Error{Errc::unexpected_tag, tlv.offset};
  MMSSEC_TRY_ASSIGN(Reader child, enter(tlv));
  pos_ += tlv.total_size;
  return child;
}

Status Reader::expect_end() const {
  if (!empty()) return Error{CoreErrc::trailing_data, offset()};
  return {};
}

Status Reader::read_primitive(Tag t, Tlv& out) {
  if (t.constructed) return Error{Errc::primitive_expected, offset()};
  return read(t, out);
}

Result<bool> Reader::read_boolean(Tag t) {
  const std::size_t save = pos_;
  Tlv tlv;
  MMSSEC_TRY(read_primitive(t, tlv));
  // 8.2: one octet; DER 11.1: FF for TRUE.
  if (tlv.content.size() != 1 || (opts_.der && tlv.content[0] != 0x00 && tlv.content[0] != 0xFF)) {
    pos_ = save;
    return Error{Errc::bad_boolean, tlv.content_offset};
  }
  return tlv.content[0] != 0;
}

Status Reader::read_null(Tag t) {
  const std::size_t save = pos_;
  Tlv tlv;
  MMSSEC_TRY(read_primitive(t, tlv));
  if (!tlv.content.empty()) {  // 8.8.2
    pos_ = save;
    return Error{Errc::bad_null, tlv.content_offset};
  }
  return {};
}

Result<ByteView> Reader::read_integer_bytes(Tag t) {
  const std::size_t save = pos_;
  Tlv tlv;
  MMSSEC_TRY(read_primitive(t, tlv));
  const ByteView c = tlv.content;
  if (c.empty()) {  // 8.3.1
    pos_ = save;
    return Error{Errc::bad_integer, tlv.content_offset};
  }
  // 8.3.2: the first nine bits shall not be all ones or all zeros. Peers in the field
  // sometimes pad, so only DER mode enforces it.
  if (opts_.der && c.size() > 1 &&
      ((c[0] == 0x00 && (c[1] & 0x80) == 0) || (c[0] == 0xFF && (c[1] & 0x80) != 0))) {
    pos_ = save;
    return Error{Errc::non_minimal, tlv.content_offset};
  }
  return c;
}

Result<std::int64_t> Reader::read_int64(Tag t) {
  const std::size_t save = pos_;
  MMSSEC_TRY_ASSIGN(ByteView c, read_integer_bytes(t));
  const bool negative = (c[0] & 0x80) != 0;
  // Drop redundant sign-extension octets before checking the width.
  std::size_t i = 0;
  while (c.size() - i > 1 && c[i] == (negative ? 0xFF : 0x00) && (((c[i + 1] & 0x80) != 0) == negative)) ++i;
  if (c.size() - i > 8) {
    pos_ = save;
    return Error{Errc::integer_overflow, offset()};
  }
  std::uint64_t v = negative ? ~std::uint64_t{0} : 0;
  for (; i < c.size(); ++i) v = (v << 8) | c[i];
  return static_cast<std::int64_t>(v);
}

Result<std::uint64_t> Reader::read_uint64(Tag t) {
  const std::size_t save = pos_;
  MMSSEC_TRY_ASSIGN(ByteView c, read_integer_bytes(t));
  if ((c[0] & 0x80) != 0) {
    pos_ = save;
    return Error{Errc::integer_overflow, offset()};
  }
  std::size_t i = 0;
  while (c.size() - i > 1 && c[i] == 0x00) ++i;
  if (c.size() - i > 8) {
    pos_ = save;
    return Error{Errc::integer_overflow, offset()};
  }
  std::uint64_t v = 0;
  for (; i < c.size(); ++i) v = (v << 8) | c[i];
  return v;
}

Result<ByteView> Reader::read_octet_string(Tag t) {
  Tlv tlv;
  MMSSEC_TRY(read_primitive(t, tlv));
  return tlv.content;
}

Result<BitString> Reader::read_bit_string(Tag t) {
  const std::size_t save = pos_;
  Tlv tlv;
  MMSSEC_TRY(read_primitive(t, tlv));
  const ByteView c = tlv.content;
  // 8.6.2: initial octet = unused bits 0..7; zero when there are no subsequent octets.
  bool bad = c.empty() || c[0] > 7 || (c.size() == 1 && c[0] != 0);
  // DER 11.2.1: unused bits are zero.
  if (!bad && opts_.der && c.size() > 1 && c[0] != 0) {
    const std::uint8_t mask = static_cast<std::uint8_t>((1U << c[0]) - 1U);
    bad = (c.back() & mask) != 0;
  }
  if (bad) {
    pos_ = save;
    return Error{Errc::bad_bit_string, tlv.content_offset};
  }
  return BitString{c.subspan(1), c[0]};
}

Result<Oid> Reader::read_oid(Tag t) {
  const std::size_t save = pos_;
  Tlv tlv;
  MMSSEC_TRY(read_primitive(t, tlv));
  auto oid = Oid::decode(tlv.content, tlv.content_offset, opts_.max_oid_arcs);
  if (!oid) pos_ = save;
  return oid;
}

namespace {
bool valid_utf8(ByteView s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const std::uint8_t b = s[i];
    std::size_t extra = 0;
    std::uint32_t cp = 0;
    if (b < 0x80) {
      ++i;
      continue;
    }
    if ((b & 0xE0) == 0xC0) {
      extra = 1;
      cp = b & 0x1FU;
    } else if ((b & 0xF0) == 0xE0) {
      extra = 2;
      cp = b & 0x0FU;
    } else if ((b & 0xF8) == 0xF0) {
      extra = 3;
      cp = b & 0x07U;
    } else
      return false;
    if (s.size() - i <= extra) return false;
    for (std::size_t k = 1; k <= extra; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (s[i + k] & 0x3FU);
    }
    // Overlong forms, surrogates and values beyond U+10FFFF are invalid.
    if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
      return false;
    i += extra + 1;
  }
  return true;
}

std::string_view as_chars(ByteView v) {
  return {reinterpret_cast<const char*>(v.data()),
          v.size()};  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
}
}  // namespace

Result<std::string_view> Reader::read_visible_string(Tag t) {
  const std::size_t save = pos_;
  Tlv tlv;
  MMSSEC_TRY(read_primitive(t, tlv));
  for (std::size_t i = 0; i < tlv.content.size(); ++i) {
    const std::uint8_t c = tlv.content[i];
    if (c < 0x20 || c > 0x7E) {
      pos_ = save;
      return Error{Errc::bad_string, tlv.content_offset + i};
    }
  }
  return as_chars(tlv.content);
}

Result<std::string_view> Reader::read_utf8_string(Tag t) {
  const std::size_t save = pos_;
  Tlv tlv;
  MMSSEC_TRY(read_primitive(t, tlv));
  if (!valid_utf8(tlv.content)) {
    pos_ = save;
    return Error{Errc::bad_string, tlv.content_offset};
  }
  return as_chars(tlv.content);
}

Result<Time> Reader::read_generalized_time(Tag t) {
  const std::size_t save = pos_;
  Tlv tlv;
  MMSSEC_TRY(read_primitive(t, tlv));
  auto r = parse_generalized_time(as_chars(tlv.content));
  if (!r) {
    pos_ = save;
    return Error{Errc::bad_time, tlv.content_offset};
  }
  return r;
}

Result<Time> Reader::read_utc_time(Tag t) {
  const std::size_t save = pos_;
  Tlv tlv;
  MMSSEC_TRY(read_primitive(t, tlv));
  auto r = parse_utc_time(as_chars(tlv.content));
  if (!r) {
    pos_ = save;
    return Error{Errc::bad_time, tlv.content_offset};
  }
  return r;
}

Result<External> Reader::read_external(Tag t) {
  const std::size_t save = pos_;
  auto fail = [&](Error e) -> Result<External> {
    pos_ = save;
    return e;
  };
  auto child_r = enter(t);
  if (!child_r) return fail(child_r.error());
  Reader& in = *child_r;
  External ext;
  // direct-reference OBJECT IDENTIFIER OPTIONAL
  if (in.next_is(tags::kOid)) {
    auto oid = in.read_oid();
    if (!oid) return fail(oid.error());
    ext.direct_reference = std::move(*oid);
  }
  // indirect-reference INTEGER OPTIONAL
  if (in.next_is(tags::kInteger)) {
    auto v = in.read_int64();
    if (!v) return fail(v.error());
    ext.indirect_reference = *v;
  }
  // data-value-descriptor ObjectDescriptor OPTIONAL (GraphicString)
  if (in.next_is(tags::kObjectDescriptor)) {
    auto d = in.read_visible_string(tags::kObjectDescriptor);
    if (!d) return fail(d.error());
    ext.data_value_descriptor = std::string(*d);
  }
  // encoding CHOICE
  auto enc = in.read_any();
  if (!enc)
    return fail(enc.error().code == make_error_code(CoreErrc::truncated)
                    ? Error{Errc::bad_external, in.offset()}
                    : enc.error());
  const Tlv& e = *enc;
  if (e.tag == Tag::context_cons(0)) {
    // single-ASN1-type [0] ABSTRACT-SYNTAX.&Type: exactly one inner TLV.
    Reader inner(e.content, opts_, e.content_offset, depth_ + 2);
    auto one = inner.read_any();
    if (!one) return fail(one.error());
    if (auto end = inner.expect_end(); !end) return fail(end.error());
    ext.encoding = External::Encoding::single_asn1_type;
    ext.data.assign(e.content.begin(), e.content.end());
  } else if (e.tag == Tag::context(1)) {
    ext.encoding = External::Encoding::octet_aligned;
    ext.data.assign(e.content.begin(), e.content.end());
  } else if (e.tag == Tag::context(2)) {
    // X.690 8.6.2: unused-bits octet 0..7, and 0 when no data octets follow.
    if (e.content.empty() || e.content[0] > 7 || (e.content.size() == 1 && e.content[0] != 0))
      return fail(Error{Errc::bad_bit_string, e.content_offset});
    ext.encoding = External::Encoding::arbitrary;
    ext.unused_bits = e.content[0];
    ext.data.assign(e.content.begin() + 1, e.content.end());
  } else {
    return fail(Error{Errc::bad_external, e.offset});
  }
  if (auto end = in.expect_end(); !end) return fail(end.error());
  return ext;
}

Result<Tlv> decode_single(ByteView data, ReaderOptions opts, std::size_t base_offset) {
  Reader r(data, opts, base_offset);
  MMSSEC_TRY_ASSIGN(Tlv tlv, r.read_any());
  MMSSEC_TRY(r.expect_end());
  return tlv;
}

// ------------------------------------------------------------------------------------------
// OBJECT IDENTIFIER (8.19)
// ------------------------------------------------------------------------------------------

std::string Oid::to_string() const {
  std::string s;
  for (std::size_t i = 0; i < arcs_.size(); ++i) {
    if (i) s.push_back('.');
    s += std::to_string(arcs_[i]);
  }
  return s;
}

Result<Oid> Oid::parse(std::string_view dotted) {
  std::vector<std::uint64_t> arcs;
  std::uint64_t cur = 0;
  bool have_digit = false;
  for (std::size_t i = 0; i <= dotted.size(); ++i) {
    if (i == dotted.size() || dotted[i] == '.') {
      if (!have_digit) return Error{Errc::bad_oid, i};
      arcs.push_back(cur);
      cur = 0;
      have_digit = false;
      continue;
    }
    const char c = dotted[i];
    if (c < '0' || c > '9') return Error{Errc::bad_oid, i};
    const auto d = static_cast<std::uint64_t>(c - '0');
    if (cur > (std::numeric_limits<std::uint64_t>::max() - d) / 10) return Error{Errc::bad_oid, i};
    cur = cur * 10 + d;
    have_digit = true;
  }
  if (arcs.size() < 2 || arcs[0] > 2 || (arcs[0] < 2 && arcs[1] >= 40)) return Error{Errc::bad_oid, 0};
  return Oid(std::move(arcs));
}

namespace {
void put_base128(Bytes& out, std::uint64_t v) {
  std::uint8_t tmp[10];
  std::size_t n = 0;
  do {
    tmp[n++] = static_cast<std::uint8_t>(v & 0x7F);
    v >>= 7;
  } while (v != 0);
  while (n > 0) {
    --n;
    out.push_back(static_cast<std::uint8_t>(tmp[n] | (n ? 0x80 : 0x00)));
  }
}
}  // namespace

Bytes Oid::encode() const {
  Bytes out;
  if (arcs_.size() < 2) return out;
  put_base128(out, arcs_[0] * 40 + arcs_[1]);
  for (std::size_t i = 2; i < arcs_.size(); ++i) put_base128(out, arcs_[i]);
  return out;
}

Result<Oid> Oid::decode(ByteView c, std::size_t base_offset, std::size_t max_arcs) {
  if (c.empty()) return Error{Errc::bad_oid, base_offset};
  if ((c.back() & 0x80) != 0) return Error{Errc::bad_oid, base_offset + c.size() - 1};
  std::vector<std::uint64_t> arcs;
  arcs.reserve(std::min(c.size() + 1, max_arcs + 1));
  std::size_t i = 0;
  while (i < c.size()) {
    // 8.19.2: each subidentifier as few octets as possible (first octet never 0x80).
    if (c[i] == 0x80) return Error{Errc::bad_oid, base_offset + i};
    std::uint64_t v = 0;
    for (;;) {
      if (v > (std::numeric_limits<std::uint64_t>::max() >> 7)) return Error{Errc::bad_oid, base_offset + i};
      v = (v << 7) | (c[i] & 0x7FU);
      if ((c[i++] & 0x80) == 0) break;
    }
    if (arcs.empty()) {
      // 8.19.4: the first subidentifier combines the first two arcs.
      if (v < 40) {
        arcs.push_back(0);
        arcs.push_back(v);
      } else if (v < 80) {
        arcs.push_back(1);
        arcs.push_back(v - 40);
      } else {
        arcs.push_back(2);
        arcs.push_back(v - 80);
      }
    } else {
      arcs.push_back(v);
    }
    if (arcs.size() > max_arcs) return Error{CoreErrc::limit_exceeded, base_offset + i};
  }
  return Oid(std::move(arcs));
}

// ------------------------------------------------------------------------------------------
// Time
// ------------------------------------------------------------------------------------------

namespace {
bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
int days_in_month(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return (m == 2 && leap(y)) ? 29 : kDays[m - 1];
}

// Days since 1970-01-01 for a proleptic Gregorian date (era-based computation).
std::int64_t days_from_civil(std::int64_t y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t mp = (m + 9) % 12;
  const std::int64_t doy = (153 * mp + 2) / 5 + d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

bool valid_fields(const Time& t) {
  return t.month >= 1 && t.month <= 12 && t.day >= 1 && t.day <= days_in_month(t.year, t.month) &&
         t.hour <= 23 && t.minute <= 59 && t.second <= 60;
}

// Parses an optional zone at `pos`; returns offset in minutes, or false if malformed.
bool parse_zone(std::string_view s, std::size_t pos, bool& had_zone, int& offset_min) {
  offset_min = 0;
  had_zone = false;
  if (pos == s.size()) return true;
  if (s[pos] == 'Z') {
    had_zone = true;
    return pos + 1 == s.size();
  }
  if (s[pos] == '+' || s[pos] == '-') {
    int hh = 0, mm = 0;
    if (s.size() - pos != 5 || !digits(s, pos + 1, 2, hh) || !digits(s, pos + 3, 2, mm) || hh > 23 || mm > 59)
      return false;
    offset_min = (hh * 60 + mm) * (s[pos] == '-' ? -1 : 1);
    had_zone = true;
    return true;
  }
  return false;
}

Time normalise(Time t, int offset_min) {
  if (offset_min == 0) return t;
  Time u = Time::from_unix(t.to_unix_seconds() - std::int64_t{offset_min} * 60, t.nanos);
  u.fraction_digits = t.fraction_digits;
  u.had_zone = t.had_zone;
  return u;
}
}  // namespace

std::int64_t Time::to_unix_seconds() const {
  return days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
}

Time Time::from_unix(std::int64_t s, std::uint32_t nanos) {
  std::int64_t days = s / 86400;
  std::int64_t rem = s % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  // Inverse of days_from_civil.
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const std::int64_t doe = days - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  Time t;
  t.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  t.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  t.year = static_cast<int>(yoe + era * 400 + (t.month <= 2 ? 1 : 0));
  t.hour = static_cast<int>(rem / 3600);
  t.minute = static_cast<int>((rem % 3600) / 60);
  t.second = static_cast<int>(rem % 60);
  t.nanos = nanos;
  t.fraction_digits = 0;
  t.had_zone = true;
  return t;
}

Result<Time> parse_generalized_time(std::string_view s) {
  Time t;
  const Error bad{Errc::bad_time, 0};
  if (!digits(s, 0, 4, t.year) || !digits(s, 4, 2, t.month) || !digits(s, 6, 2, t.day) ||
      !digits(s, 8, 2, t.hour))
    return bad;
  std::size_t pos = 10;
  if (digits(s, pos, 2, t.minute)) {
    pos += 2;
    if (digits(s, pos, 2, t.second)) pos += 2;
  }
  if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
    ++pos;
    const std::size_t start = pos;
    std::uint64_t frac = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (pos - start < 9) frac = frac * 10 + static_cast<std::uint64_t>(s[pos] - '0');
      ++pos;
    }
    const std::size_t n = pos - start;
    if (n == 0) return bad;
    t.fraction_digits = static_cast<int>(std::min<std::size_t>(n, 9));
    for (std::size_t k = n; k < 9; ++k) frac *= 10;
    t.nanos = static_cast<std::uint32_t>(frac);
  }
  int offset = 0;
  if (!parse_zone(s, pos, t.had_zone, offset) || !valid_fields(t)) return bad;
  return normalise(t, offset);
}

Result<Time> parse_utc_time(std::string_view s) {
  Time t;
  const Error bad{Errc::bad_time, 0};
  int yy = 0;
  if (!digits(s, 0, 2, yy) || !digits(s, 2, 2, t.month) || !digits(s, 4, 2, t.day) ||
      !digits(s, 6, 2, t.hour) || !digits(s, 8, 2, t.minute))
    return bad;
  t.year = yy >= 50 ? 1900 + yy : 2000 + yy;
  std::size_t pos = 10;
  if (digits(s, pos, 2, t.second)) pos += 2;
  int offset = 0;
  if (!parse_zone(s, pos, t.had_zone, offset) || !t.had_zone || !valid_fields(t)) return bad;
  return normalise(t, offset);
}

std::string format_generalized_time(const Time& t, int fraction_digits, char separator) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d%02d%02d%02d%02d%02d", t.year, t.month, t.day, t.hour, t.minute,
                t.second);
  std::string s = buf;
  fraction_digits = std::clamp(fraction_digits, 0, 9);
  if (fraction_digits > 0) {
    s.push_back(separator);
    char frac[16];
    std::snprintf(frac, sizeof frac, "%09u", t.nanos % 1000000000U);
    s.append(frac, static_cast<std::size_t>(fraction_digits));
  }
  s.push_back('Z');
  return s;
}

// ------------------------------------------------------------------------------------------
// Writer
// ------------------------------------------------------------------------------------------

std::size_t length_size(std::size_t n) noexcept {
  if (n < 0x80) return 1;
  std::size_t k = 0;
  while (n != 0) {
    ++k;
    n >>= 8;
  }
  return 1 + k;
}

void Writer::tag(Tag t) {
  const auto first =
      static_cast<std::uint8_t>((static_cast<unsigned>(t.cls) << 6) | (t.constructed ? 0x20U : 0U));
  if (t.number < 31) {
    out_->push_back(static_cast<std::uint8_t>(first | t.number));
    return;
  }
  out_->push_back(static_cast<std::uint8_t>(first | 0x1FU));
  put_base128(*out_, t.number);
}

void Writer::length(std::size_t n) {
  if (n < 0x80) {
    out_->push_back(static_cast<std::uint8_t>(n));
    return;
  }
  const std::size_t k = length_size(n) - 1;
  out_->push_back(static_cast<std::uint8_t>(0x80 | k));
  for (std::size_t i = k; i > 0; --i) out_->push_back(static_cast<std::uint8_t>(n >> ((i - 1) * 8)));
}

void Writer::tlv(Tag t, ByteView content) {
  tag(t);
  length(content.size());
  out_->insert(out_->end(), content.begin(), content.end());
}

void Writer::raw(ByteView encoded) { out_->insert(out_->end(), encoded.begin(), encoded.end()); }

std::size_t Writer::begin(Tag t) {
  tag(t);
  out_->push_back(0);  // placeholder, widened in end() when needed
  return out_->size() - 1;
}

void Writer::end(std::size_t marker) {
  const std::size_t content = out_->size() - marker - 1;
  if (content < 0x80) {
    (*out_)[marker] = static_cast<std::uint8_t>(content);
    return;
  }
  const std::size_t k = length_size(content) - 1;
  out_->insert(out_->begin() + static_cast<std::ptrdiff_t>(marker + 1), k, 0);
  (*out_)[marker] = static_cast<std::uint8_t>(0x80 | k);
  for (std::size_t i = 0; i < k; ++i)
    (*out_)[marker + 1 + i] = static_cast<std::uint8_t>(content >> ((k - 1 - i) * 8));
}

void Writer::boolean(bool v, Tag t) {
  const std::uint8_t b = v ? 0xFF : 0x00;
  tlv(t, ByteView(&b, 1));
}

void Writer::null(Tag t) { tlv(t, {}); }

void Writer::integer(std::int64_t v, Tag t) {
  std::uint8_t b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<std::uint8_t>(static_cast<std::uint64_t>(v) >> (56 - 8 * i));
  std::size_t s = 0;
  while (s < 7 && ((b[s] == 0x00 && (b[s + 1] & 0x80) == 0) || (b[s] == 0xFF && (b[s + 1] & 0x80) != 0))) ++s;
  tlv(t, ByteView(b + s, 8 - s));
}

void Writer::unsigned_integer(std::uint64_t v, Tag t) {
  std::uint8_t b[9];
  b[0] = 0;
  for (int i = 0; i < 8; ++i) b[i + 1] = static_cast<std::uint8_t>(v >> (56 - 8 * i));
  std::size_t s = 0;
  while (s < 8 && b[s] == 0x00 && (b[s + 1] & 0x80) == 0) ++s;
  tlv(t, ByteView(b + s, 9 - s));
}

void Writer::unsigned_integer_bytes(ByteView mag, Tag t) {
  std::size_t s = 0;
  while (s < mag.size() && mag[s] == 0) ++s;
  mag = mag.subspan(s);
  tag(t);
  if (mag.empty()) {
    length(1);
    out_->push_back(0);
    return;
  }
  const bool pad = (mag[0] & 0x80) != 0;
  length(mag.size() + (pad ? 1 : 0));
  if (pad) out_->push_back(0);
  out_->insert(out_->end(), mag.begin(), mag.end());
}

void Writer::octet_string(ByteView v, Tag t) { tlv(t, v); }

void Writer::bit_string(ByteView bytes, std::uint8_t unused_bits, Tag t) {
  tag(t);
  length(bytes.size() + 1);
  out_->push_back(bytes.empty() ? 0 : unused_bits);
  out_->insert(out_->end(), bytes.begin(), bytes.end());
}

namespace {
std::size_t base128_size(std::uint64_t v) {
  std::size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}
}  // namespace

void Writer::oid(const Oid& v, Tag t) {
  // Written in place (no temporary buffer): compute the content length first.
  const auto& arcs = v.arcs();
  tag(t);
  if (arcs.size() < 2) {
    length(0);
    return;
  }
  std::size_t len = base128_size(arcs[0] * 40 + arcs[1]);
  for (std::size_t i = 2; i < arcs.size(); ++i) len += base128_size(arcs[i]);
  length(len);
  put_base128(*out_, arcs[0] * 40 + arcs[1]);
  for (std::size_t i = 2; i < arcs.size(); ++i) put_base128(*out_, arcs[i]);
}

void Writer::string(std::string_view v, Tag t) {
  tag(t);
  length(v.size());
  out_->insert(out_->end(), v.begin(), v.end());
}

void Writer::generalized_time(const Time& v, int fraction_digits, Tag t) {
  string(format_generalized_time(v, fraction_digits), t);
}

void Writer::external(const External& v, Tag t) {
  const std::size_t m = begin(t);
  if (v.direct_reference) oid(*v.direct_reference);
  if (v.indirect_reference) integer(*v.indirect_reference);
  if (v.data_value_descriptor) string(*v.data_value_descriptor, tags::kObjectDescriptor);
  switch (v.encoding) {
    case External::Encoding::single_asn1_type: {
      const std::size_t e = begin(Tag::context_cons(0));
      raw(v.data);
      end(e);
      break;
    }
    case External::Encoding::octet_aligned: octet_string(v.data, Tag::context(1)); break;
    case External::Encoding::arbitrary: bit_string(v.data, v.unused_bits, Tag::context(2)); break;
  }
  end(m);
}

NamedBits NamedBits::from_bits(std::span<const std::size_t> set_bits, std::size_t min_bits) {
  std::size_t nbits = min_bits;
  for (std::size_t b : set_bits) nbits = std::max(nbits, b + 1);
  NamedBits nb;
  nb.bytes.assign((nbits + 7) / 8, 0);
  for (std::size_t b : set_bits)
    nb.bytes[b / 8] = static_cast<std::uint8_t>(nb.bytes[b / 8] | (0x80U >> (b % 8)));
  nb.unused_bits = static_cast<std::uint8_t>(nb.bytes.size() * 8 - nbits);
  return nb;
}

}  // namespace mmssec::ber
