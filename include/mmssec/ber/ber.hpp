// SPDX-License-Identifier: Apache-2.0
// BER/DER (X.690) reader and writer. Every protocol decoder above this layer reads through
// ber::Reader, which checks every length against the bytes that remain, enforces the nesting
// depth limit, and reports absolute byte offsets in its errors.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "mmssec/core/bytes.hpp"
#include "mmssec/core/limits.hpp"
#include "mmssec/core/result.hpp"

namespace mmssec::ber {

enum class Errc {
  bad_tag = 1,             ///< tag number encoding invalid or too large (> 2^28)
  bad_length,              ///< reserved length octet 0xFF, or length of more than 8 octets
  length_overflow,         ///< length exceeds the bytes that remain in the enclosing element
  indefinite_not_allowed,  ///< indefinite length where not allowed (primitive, DER, or disabled)
  missing_eoc,             ///< indefinite-length element without end-of-contents
  depth_exceeded,          ///< constructed nesting deeper than Limits::ber_max_depth
  unexpected_tag,          ///< a different tag than the production requires
  non_minimal,             ///< DER: non-minimal length/tag/integer encoding
  bad_boolean,             ///< BOOLEAN content not one octet (or DER: not 00/FF)
  bad_null,                ///< NULL with content
  integer_overflow,        ///< INTEGER does not fit the requested C++ type
  bad_integer,             ///< INTEGER with empty content
  bad_bit_string,          ///< BIT STRING unused-bits octet invalid
  bad_oid,                 ///< OBJECT IDENTIFIER malformed (empty, truncated arc, arc too large)
  bad_string,              ///< character outside the string type's alphabet or bad UTF-8
  bad_time,                ///< GeneralizedTime/UTCTime not parseable
  too_many_elements,       ///< SEQUENCE OF count above Limits::ber_max_elements
  constructed_expected,    ///< primitive encoding where a constructed one is required
  primitive_expected,      ///< constructed encoding where a primitive one is required
  bad_external,            ///< EXTERNAL malformed (no encoding choice, wrong order)
};

}  // namespace mmssec::ber

template <>
struct std::is_error_code_enum<mmssec::ber::Errc> : std::true_type {};

namespace mmssec::ber {

const std::error_category& ber_category() noexcept;
inline std::error_code make_error_code(Errc e) noexcept { return {static_cast<int>(e), ber_category()}; }

enum class TagClass : std::uint8_t { universal = 0, application = 1, context = 2, private_use = 3 };

/// An identifier: class, primitive/constructed, number (any size up to 2^28; high-tag form).
struct Tag {
  TagClass cls = TagClass::universal;
  bool constructed = false;
  std::uint32_t number = 0;

  friend constexpr bool operator==(const Tag&, const Tag&) = default;

  static constexpr Tag universal(std::uint32_t n, bool cons = false) {
    return {TagClass::universal, cons, n};
  }
  static constexpr Tag context(std::uint32_t n, bool cons = false) { return {TagClass::context, cons, n}; }
  static constexpr Tag application(std::uint32_t n, bool cons = false) {
    return {TagClass::application, cons, n};
  }
  static constexpr Tag context_cons(std::uint32_t n) { return {TagClass::context, true, n}; }
  static constexpr Tag application_cons(std::uint32_t n) { return {TagClass::application, true, n}; }
  /// "[3]", "[APPLICATION 1]", "UNIVERSAL 16" ...; with "cons" marker for constructed.
  [[nodiscard]] std::string to_string() const;
};

/// Universal tags (X.680 clause 8.6).
namespace tags {
inline constexpr Tag kEoc = Tag::universal(0);
inline constexpr Tag kBoolean = Tag::universal(1);
inline constexpr Tag kInteger = Tag::universal(2);
inline constexpr Tag kBitString = Tag::universal(3);
inline constexpr Tag kOctetString = Tag::universal(4);
inline constexpr Tag kNull = Tag::universal(5);
inline constexpr Tag kOid = Tag::universal(6);
inline constexpr Tag kObjectDescriptor = Tag::universal(7);
inline constexpr Tag kExternal = Tag::universal(8, true);
inline constexpr Tag kReal = Tag::universal(9);
inline constexpr Tag kEnumerated = Tag::universal(10);
inline constexpr Tag kUtf8String = Tag::universal(12);
inline constexpr Tag kSequence = Tag::universal(16, true);
inline constexpr Tag kSet = Tag::universal(17, true);
inline constexpr Tag kPrintableString = Tag::universal(19);
inline constexpr Tag kIa5String = Tag::universal(22);
inline constexpr Tag kUtcTime = Tag::universal(23);
inline constexpr Tag kGeneralizedTime = Tag::universal(24);
inline constexpr Tag kVisibleString = Tag::universal(26);
}  // namespace tags

/// One decoded element. `content` views the input buffer (no copy). For an
/// indefinite-length element it excludes the end-of-contents octets.
struct Tlv {
  Tag tag;
  ByteView content;
  ByteView encoded;                ///< the whole element: identifier, length, content (and EOC)
  std::size_t offset = 0;          ///< absolute offset of the identifier octet
  std::size_t content_offset = 0;  ///< absolute offset of content[0]
  std::size_t total_size = 0;      ///< identifier + length + content (+ EOC)
  bool indefinite = false;
};

/// Decoded BIT STRING: `bytes` views the content after the unused-bits octet.
struct BitString {
  ByteView bytes;
  std::uint8_t unused_bits = 0;
  [[nodiscard]] std::size_t bit_count() const noexcept { return bytes.size() * 8 - unused_bits; }
  /// Bit i counting from the first (most significant) bit of the first octet, as X.680 numbers them.
  [[nodiscard]] bool bit(std::size_t i) const noexcept {
    return i < bit_count() && ((bytes[i / 8] >> (7 - (i % 8))) & 1U) != 0;
  }
};

/// OBJECT IDENTIFIER value as arcs (each < 2^64; at most Limits::ber_max_oid_arcs on decode).
class Oid {
 public:
  Oid() = default;
  Oid(std::initializer_list<std::uint64_t> arcs) : arcs_(arcs) {}
  explicit Oid(std::vector<std::uint64_t> arcs) : arcs_(std::move(arcs)) {}
  [[nodiscard]] const std::vector<std::uint64_t>& arcs() const noexcept { return arcs_; }
  [[nodiscard]] bool empty() const noexcept { return arcs_.empty(); }
  /// Encodable per X.690 8.19: at least two arcs, first arc <= 2, second < 40 unless first == 2.
  [[nodiscard]] bool valid() const noexcept {
    return arcs_.size() >= 2 && arcs_[0] <= 2 && (arcs_[0] == 2 || arcs_[1] < 40) &&
           (arcs_[0] < 2 || arcs_[1] <= UINT64_MAX - 80);
  }
  /// "1.0.9506.2.3"
  [[nodiscard]] std::string to_string() const;
  /// Parse dotted form; fails on empty arcs or non-digits.
  static Result<Oid> parse(std::string_view dotted);
  /// Content octets (X.690 8.19). Precondition: at least two arcs, first arc <= 2, second < 40 unless first
  /// == 2.
  [[nodiscard]] Bytes encode() const;
  /// Decode content octets.
  static Result<Oid> decode(ByteView content, std::size_t base_offset = 0, std::size_t max_arcs = 32);
  friend bool operator==(const Oid&, const Oid&) = default;
  friend auto operator<=>(const Oid&, const Oid&) = default;

 private:
  std::vector<std::uint64_t> arcs_;
};

/// Calendar time decoded from GeneralizedTime/UTCTime, always normalised to UTC.
struct Time {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  std::uint32_t nanos = 0;  ///< fraction of the second
  int fraction_digits = 0;  ///< digits present on the wire (for faithful re-encoding)
  bool had_zone = false;    ///< 'Z' or an offset was present
  friend bool operator==(const Time&, const Time&) = default;
  /// Seconds since 1970-01-01T00:00:00Z.
  [[nodiscard]] std::int64_t to_unix_seconds() const;
  static Time from_unix(std::int64_t seconds, std::uint32_t nanos = 0);
};

/// Parse GeneralizedTime content leniently: YYYYMMDDhh[mm[ss]][(.|,)f+][Z|(+|-)hhmm]. Without a
/// zone it is taken as UTC (PROFILE.md §4). Offsets are normalised to UTC.
Result<Time> parse_generalized_time(std::string_view text);
/// Parse UTCTime content: YYMMDDhhmm[ss](Z|(+|-)hhmm); years 50..99 are 19xx.
Result<Time> parse_utc_time(std::string_view text);
/// "YYYYMMDDhhmmss[.f...]Z" with `fraction_digits` digits (0..9) and the given separator.
std::string format_generalized_time(const Time& t, int fraction_digits = 3, char separator = '.');

/// EXTERNAL (X.690 8.18 / X.208 "1990" form):
///   EXTERNAL ::= [UNIVERSAL 8] IMPLICIT SEQUENCE {
///     direct-reference      OBJECT IDENTIFIER OPTIONAL,
///     indirect-reference    INTEGER OPTIONAL,
///     data-value-descriptor ObjectDescriptor OPTIONAL,
///     encoding CHOICE { single-ASN1-type [0] ANY, octet-aligned [1] IMPLICIT OCTET STRING,
///                       arbitrary [2] IMPLICIT BIT STRING } }
struct External {
  enum class Encoding : std::uint8_t { single_asn1_type = 0, octet_aligned = 1, arbitrary = 2 };
  std::optional<Oid> direct_reference;
  std::optional<std::int64_t> indirect_reference;
  std::optional<std::string> data_value_descriptor;
  Encoding encoding = Encoding::single_asn1_type;
  /// single-ASN1-type: the complete inner TLV (tag+length+content) of the [0] EXPLICIT wrapper;
  /// octet-aligned: the octets; arbitrary: the bit string content octets (after unused-bits octet).
  Bytes data;
  std::uint8_t unused_bits = 0;  ///< arbitrary only
  friend bool operator==(const External&, const External&) = default;
};

struct ReaderOptions {
  std::size_t max_depth = 48;
  std::size_t max_elements = 65536;
  std::size_t max_oid_arcs = 32;
  bool allow_indefinite = true;
  bool der = false;  ///< DER: minimal lengths and tags, no indefinite, BOOLEAN 00/FF only
  static ReaderOptions from(const Limits& l) {
    return {l.ber_max_depth, l.ber_max_elements, l.ber_max_oid_arcs, l.ber_allow_indefinite, false};
  }
  static ReaderOptions der_strict(const Limits& l = default_limits()) {
    ReaderOptions o = from(l);
    o.der = true;
    o.allow_indefinite = false;
    return o;
  }
};

/// Cursor over a sequence of TLVs. A failed read leaves the cursor unchanged.
class Reader {
 public:
  Reader() = default;
  explicit Reader(ByteView data, ReaderOptions opts = {}, std::size_t base_offset = 0, std::size_t depth = 0)
      : data_(data), base_(base_offset), depth_(depth), opts_(opts) {}
  /// A reader over a temporary buffer would dangle.
  Reader(Bytes&&, ReaderOptions = {}, std::size_t = 0, std::size_t = 0) = delete;

  [[nodiscard]] bool empty() const noexcept { return pos_ >= data_.size(); }
  [[nodiscard]] std::size_t offset() const noexcept { return base_ + pos_; }
  [[nodiscard]] std::size_t depth() const noexcept { return depth_; }
  [[nodiscard]] std::size_t remaining() const noexcept { return data_.size() - pos_; }
  [[nodiscard]] const ReaderOptions& options() const noexcept { return opts_; }

  /// Tag of the next element, without consuming it (nullopt at end or if malformed).
  [[nodiscard]] std::optional<Tag> peek_tag() const;
  /// Tag of the next element: nullopt at the end, an error if the next element is malformed
  /// (so that a malformed optional field is never silently skipped).
  [[nodiscard]] Result<std::optional<Tag>> peek() const;
  [[nodiscard]] bool next_is(Tag t) const {
    auto p = peek_tag();
    return p && *p == t;
  }

  /// Read the next element whatever its tag.
  Result<Tlv> read_any();
  /// Read the next element; Errc::unexpected_tag if its tag differs.
  Result<Tlv> read(Tag expected);
  /// The same two reads, filling a caller-owned Tlv (hot loops: no Result<Tlv> to copy out).
  /// On failure the cursor is unchanged and `out` is unspecified.
  Status read_any(Tlv& out) {
    if (parse_short(pos_, out) && !(out.tag == tags::kEoc)) {
      pos_ += out.total_size;
      return {};
    }
    return read_any_full(out);
  }
  Status read(Tag expected, Tlv& out) {
    if (parse_short(pos_, out) && out.tag == expected) {
      pos_ += out.total_size;
      return {};
    }
    return read_full(expected, out);
  }
  /// Number of elements from the cursor to the end, each parsed as read_any() would parse it
  /// (a malformed element is that element's error) but not returned; the cursor does not move.
  /// Stops counting at `max + 1`, so a result above `max` means "more than max": callers
  /// size a container from it only after checking it against their limit.
  [[nodiscard]] Result<std::size_t> count_elements(std::size_t max) const;
  /// Read the next element if it has this tag; nullopt (not an error) otherwise or at end.
  Result<std::optional<Tlv>> read_optional(Tag expected);
  /// Enter a constructed element with this tag: a child reader over its content, one level deeper.
  Result<Reader> enter(Tag expected);
  /// Child reader over an already-read constructed TLV.
  Result<Reader> enter(const Tlv& tlv) const;
  /// Errc trailing bytes (CoreErrc::trailing_data) unless every element was consumed.
  Status expect_end() const;

  // ---- typed primitives (tag defaults to the universal tag; pass the context tag for IMPLICIT) ----
  Result<bool> read_boolean(Tag t = tags::kBoolean);
  Status read_null(Tag t = tags::kNull);
  Result<std::int64_t> read_int64(Tag t = tags::kInteger);
  /// Non-negative INTEGER that fits 64 bits (an INTEGER or an MMS Unsigned).
  Result<std::uint64_t> read_uint64(Tag t = tags::kInteger);
  /// INTEGER of any size: the two's complement content octets (validated, minimal in DER).
  Result<ByteView> read_integer_bytes(Tag t = tags::kInteger);
  Result<ByteView> read_octet_string(Tag t = tags::kOctetString);
  Result<BitString> read_bit_string(Tag t = tags::kBitString);
  Result<Oid> read_oid(Tag t = tags::kOid);
  /// VisibleString (0x20..0x7E only).
  Result<std::string_view> read_visible_string(Tag t = tags::kVisibleString);
  /// UTF8String (validated UTF-8).
  Result<std::string_view> read_utf8_string(Tag t = tags::kUtf8String);
  Result<Time> read_generalized_time(Tag t = tags::kGeneralizedTime);
  Result<Time> read_utc_time(Tag t = tags::kUtcTime);
  Result<External> read_external(Tag t = tags::kExternal);

  /// Error at the current position with this layer's error code.
  [[nodiscard]] Error error_here(Errc e) const { return {e, offset()}; }

 private:
  /// The common encodings, recognised inline: one identifier octet with a tag number below 31
  /// (X.690 8.1.2.2) that is not end-of-contents, and a definite length that fits the remaining
  /// bytes, either short form (8.1.3.4) or one long-form octet of at least 0x80 (8.1.3.5; the
  /// minimal form, so valid DER too). For such an element, sets the header size (2 or 3) and
  /// the content length and returns true. Anything else (high tag numbers, other length forms,
  /// end-of-contents, truncated or overlong elements) returns false and is left to
  /// parse_into(), which applies every check and reports the precise error.
  bool common_header(std::size_t pos, std::size_t& header, std::size_t& length) const noexcept {
    const std::size_t avail = data_.size() - pos;  // pos never exceeds the size
    if (avail < 2) return false;
    const std::uint8_t* const p = data_.data() + pos;
    if ((p[0] & 0x1FU) == 0x1FU || p[0] == 0x00) return false;
    if (p[1] < 0x80) {
      header = 2;
      length = p[1];
    } else if (p[1] == 0x81 && avail >= 3 && p[2] >= 0x80) {
      header = 3;
      length = p[2];
    } else {
      return false;
    }
    return length <= avail - header;
  }
  /// Total size of the element at `pos` when common_header() recognises it; 0 otherwise.
  std::size_t short_element_size(std::size_t pos) const noexcept {
    std::size_t header = 0;
    std::size_t length = 0;
    return common_header(pos, header, length) ? header + length : 0;
  }
  /// parse_into() for the encodings common_header() recognises, inline; false for the rest.
  bool parse_short(std::size_t pos, Tlv& tlv) const noexcept {
    std::size_t header = 0;
    std::size_t length = 0;
    if (!common_header(pos, header, length)) return false;
    const std::uint8_t* const p = data_.data() + pos;
    const std::uint8_t id = p[0];
    tlv.tag = Tag{static_cast<TagClass>(id >> 6), (id & 0x20U) != 0, id & 0x1FU};
    tlv.content = ByteView(p + header, length);
    tlv.encoded = ByteView(p, header + length);
    tlv.offset = base_ + pos;
    tlv.content_offset = tlv.offset + header;
    tlv.total_size = header + length;
    tlv.indefinite = false;
    return true;
  }
  Status parse_into(std::size_t pos, std::size_t depth, Tlv& tlv) const;
  /// parse_into() at this reader's depth, with the inline fast path first.
  Status parse(std::size_t pos, Tlv& tlv) const {
    if (parse_short(pos, tlv)) return {};
    return parse_into(pos, depth_, tlv);
  }
  Status read_any_full(Tlv& out);
  Status read_full(Tag expected, Tlv& out);
  Result<std::size_t> find_eoc(std::size_t pos, std::size_t depth) const;
  Status read_primitive(Tag t, Tlv& out);

  ByteView data_{};
  std::size_t pos_ = 0;
  std::size_t base_ = 0;
  std::size_t depth_ = 0;
  ReaderOptions opts_{};
};

/// Validate that `content` is exactly one complete TLV whose tag is anything; returns it.
Result<Tlv> decode_single(ByteView data, ReaderOptions opts = {}, std::size_t base_offset = 0);

/// Append-only BER writer that always emits definite, minimal lengths (DER-compatible).
/// Constructed elements are opened with begin() and closed with end(); lengths are patched
/// in place.
class Writer {
 public:
  explicit Writer(Bytes& out) noexcept : out_(&out) {}

  void tag(Tag t);
  void length(std::size_t n);
  void tlv(Tag t, ByteView content);
  /// Append pre-encoded TLV bytes verbatim (e.g. a signed structure that must not change).
  void raw(ByteView encoded);

  /// Open a constructed element; returns a marker for end().
  [[nodiscard]] std::size_t begin(Tag t);
  void end(std::size_t marker);

  template <class F>
  void constructed(Tag t, F&& body) {
    const std::size_t m = begin(t);
    body();
    end(m);
  }

  void boolean(bool v, Tag t = tags::kBoolean);
  void null(Tag t = tags::kNull);
  void integer(std::int64_t v, Tag t = tags::kInteger);
  /// Non-negative integer; adds a leading 0x00 when the top bit is set (MMS Unsigned, INTEGER).
  void unsigned_integer(std::uint64_t v, Tag t = tags::kInteger);
  /// INTEGER from big-endian unsigned magnitude (leading zeros stripped, sign octet added).
  void unsigned_integer_bytes(ByteView magnitude, Tag t = tags::kInteger);
  void octet_string(ByteView v, Tag t = tags::kOctetString);
  void bit_string(ByteView bytes, std::uint8_t unused_bits, Tag t = tags::kBitString);
  void oid(const Oid& v, Tag t = tags::kOid);
  void string(std::string_view v, Tag t);
  void visible_string(std::string_view v, Tag t = tags::kVisibleString) { string(v, t); }
  void utf8_string(std::string_view v, Tag t = tags::kUtf8String) { string(v, t); }
  void generalized_time(const Time& v, int fraction_digits = 3, Tag t = tags::kGeneralizedTime);
  void external(const External& v, Tag t = tags::kExternal);

  [[nodiscard]] std::size_t size() const noexcept { return out_->size(); }
  Bytes& buffer() noexcept { return *out_; }

 private:
  Bytes* out_;
};

/// Number of octets needed to encode a length value.
std::size_t length_size(std::size_t n) noexcept;

/// Bit-string helper: build the octets of a named-bit BIT STRING from bit numbers, trailing
/// zero bits trimmed per DER (X.690 11.2.2) unless `min_bits` forces a size.
struct NamedBits {
  Bytes bytes;
  std::uint8_t unused_bits = 0;
  static NamedBits from_bits(std::span<const std::size_t> set_bits, std::size_t min_bits = 0);
};

}  // namespace mmssec::ber
