// SPDX-License-Identifier: Apache-2.0
// MMS Data, TypeSpecification and ObjectName (ISO 9506-2 clause 14 / annex), the value types
// every MMS service carries. Codecs read through ber::Reader and honour Limits (depth, element
// counts, string sizes). Owning types: decoded values do not reference the input buffer.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "mmssec/ber/ber.hpp"
#include "mmssec/core/bytes.hpp"
#include "mmssec/core/limits.hpp"
#include "mmssec/core/result.hpp"

namespace mmssec::mms {

/// MMS-layer decode/encode errors. Each maps to the protocol reaction the caller must take
/// (see reaction()).
enum class Errc {
  bad_pdu = 1,         ///< unknown MMSpdu alternative or malformed PDU structure
  unknown_service,     ///< confirmed service tag we do not recognise
  bad_data,            ///< Data value malformed (wrong length for its type, bad float width...)
  bad_type_spec,       ///< TypeSpecification malformed
  bad_identifier,      ///< Identifier empty, too long, or with characters outside its alphabet
  bad_object_name,     ///< ObjectName malformed
  depth_exceeded,      ///< Data/TypeSpecification nested deeper than Limits::mms_max_data_depth
  too_many_elements,   ///< list longer than Limits::mms_max_list_elements
  string_too_long,     ///< value longer than Limits::mms_max_string
  bad_invoke_id,       ///< invokeID missing or out of range
  value_out_of_range,  ///< INTEGER outside the range of its ASN.1 type (Integer8/16/32, Unsigned32)
  unsupported_choice,  ///< a CHOICE alternative this implementation does not support
};

}  // namespace mmssec::mms

template <>
struct std::is_error_code_enum<mmssec::mms::Errc> : std::true_type {};

namespace mmssec::mms {

const std::error_category& mms_category() noexcept;
inline std::error_code make_error_code(Errc e) noexcept { return {static_cast<int>(e), mms_category()}; }

// ---------------------------------------------------------------------------------------------
// Identifier and ObjectName
// ---------------------------------------------------------------------------------------------

/// ObjectName ::= CHOICE {
///   vmd-specific    [0] IMPLICIT Identifier,
///   domain-specific [1] IMPLICIT SEQUENCE { domainID Identifier, itemID Identifier },
///   aa-specific     [2] IMPLICIT Identifier }
struct ObjectName {
  enum class Scope : std::uint8_t { vmd = 0, domain = 1, aa = 2 };
  Scope scope = Scope::vmd;
  std::string domain;  ///< only for Scope::domain
  std::string item;
  friend bool operator==(const ObjectName&, const ObjectName&) = default;
  static ObjectName vmd_specific(std::string item) { return {Scope::vmd, {}, std::move(item)}; }
  static ObjectName domain_specific(std::string domain, std::string item) {
    return {Scope::domain, std::move(domain), std::move(item)};
  }
  /// "LD0/LLN0$ST$Mod$stVal" for domain scope, "@aa/name" for AA scope, "name" for VMD scope.
  [[nodiscard]] std::string to_string() const;
};

/// Identifier ::= VisibleString (characters A-Z a-z 0-9 _ $; must not start with a digit),
/// at most Limits::mms_max_identifier characters.
Result<std::string> decode_identifier(ber::Reader& r, ber::Tag tag, const Limits& limits);
/// True when `s` is a valid Identifier of at most `max_length` characters (the rule above).
[[nodiscard]] bool valid_identifier(std::string_view s, std::size_t max_length) noexcept;
void encode_object_name(ber::Writer& w, const ObjectName& name);
Result<ObjectName> decode_object_name(ber::Reader& r, const Limits& limits);

// ---------------------------------------------------------------------------------------------
// Data
// ---------------------------------------------------------------------------------------------

struct Data;

struct DataArray {
  std::vector<Data> items;
  friend bool operator==(const DataArray&, const DataArray&) = default;
};
struct DataStructure {
  std::vector<Data> members;
  friend bool operator==(const DataStructure&, const DataStructure&) = default;
};
struct BitStringValue {
  Bytes bytes;  ///< bits, most significant bit of bytes[0] is bit 0
  std::uint8_t unused_bits = 0;
  [[nodiscard]] std::size_t size() const noexcept { return bytes.size() * 8 - unused_bits; }
  [[nodiscard]] bool bit(std::size_t i) const noexcept {
    return i < size() && ((bytes[i / 8] >> (7 - i % 8)) & 1U) != 0;
  }
  void set(std::size_t i, bool v);  ///< grows the string as needed
  friend bool operator==(const BitStringValue&, const BitStringValue&) = default;
};
struct Unsigned {
  std::uint64_t value = 0;
  friend bool operator==(const Unsigned&, const Unsigned&) = default;
};
/// FloatingPoint ::= OCTET STRING: one octet exponent width (8 = IEEE single, 11 = double)
/// followed by the IEEE 754 value, big-endian.
struct FloatingPoint {
  double value = 0.0;
  bool is_double = false;  ///< false: 32-bit single (exponent width 8)
  friend bool operator==(const FloatingPoint&, const FloatingPoint&) = default;
};
struct OctetStringValue {
  Bytes bytes;
  friend bool operator==(const OctetStringValue&, const OctetStringValue&) = default;
};
struct VisibleStringValue {
  std::string text;
  friend bool operator==(const VisibleStringValue&, const VisibleStringValue&) = default;
};
struct MmsStringValue {  ///< mMSString [16] UTF8String
  std::string text;
  friend bool operator==(const MmsStringValue&, const MmsStringValue&) = default;
};
/// TimeOfDay: milliseconds since midnight, and days since 1984-01-01 when 6 octets long.
struct BinaryTime {
  std::uint32_t milliseconds = 0;
  std::optional<std::uint16_t> days;
  friend bool operator==(const BinaryTime&, const BinaryTime&) = default;
};
/// UtcTime (IEC 61850-8-1 8.1.3.7 / ISO 9506-2 amendment): 8 octets = 4 seconds since epoch,
/// 3 fraction of second (binary fraction), 1 time quality.
struct UtcTime {
  std::uint32_t seconds = 0;
  std::uint32_t fraction = 0;  ///< 24-bit binary fraction of a second
  std::uint8_t quality = 0;
  friend bool operator==(const UtcTime&, const UtcTime&) = default;
};
struct Bcd {
  std::int64_t value = 0;
  friend bool operator==(const Bcd&, const Bcd&) = default;
};
struct BooleanArray {
  BitStringValue bits;
  friend bool operator==(const BooleanArray&, const BooleanArray&) = default;
};

/// Data ::= CHOICE {
///   array [1] IMPLICIT SEQUENCE OF Data, structure [2] IMPLICIT SEQUENCE OF Data,
///   boolean [3] IMPLICIT BOOLEAN, bit-string [4] IMPLICIT BIT STRING, integer [5] IMPLICIT INTEGER,
///   unsigned [6] IMPLICIT INTEGER, floating-point [7] IMPLICIT FloatingPoint,
///   octet-string [9] IMPLICIT OCTET STRING, visible-string [10] IMPLICIT VisibleString,
///   generalized-time [11] IMPLICIT GeneralizedTime, binary-time [12] IMPLICIT TimeOfDay,
///   bcd [13] IMPLICIT INTEGER, booleanArray [14] IMPLICIT BIT STRING,
///   objId [15] IMPLICIT OBJECT IDENTIFIER, mMSString [16] IMPLICIT MMSString,
///   utc-time [17] IMPLICIT UtcTime }
struct Data {
  using Value = std::variant<bool, std::int64_t, Unsigned, FloatingPoint, BitStringValue, OctetStringValue,
                             VisibleStringValue, MmsStringValue, BinaryTime, UtcTime, ber::Time, Bcd,
                             BooleanArray, ber::Oid, DataArray, DataStructure>;
  Value value;

  Data() : value(false) {}
  template <class T, class = std::enable_if_t<std::is_constructible_v<Value, T&&> &&
                                              !std::is_same_v<std::decay_t<T>, Data>>>
  Data(T&& v) : value(std::forward<T>(v)) {}  // NOLINT(google-explicit-constructor)

  /// The context tag number of this alternative (1..17).
  [[nodiscard]] std::uint32_t tag_number() const noexcept;
  template <class T>
  [[nodiscard]] const T* get() const noexcept {
    return std::get_if<T>(&value);
  }
  template <class T>
  [[nodiscard]] T* get() noexcept {
    return std::get_if<T>(&value);
  }
  friend bool operator==(const Data&, const Data&) = default;
};

void encode_data(ber::Writer& w, const Data& d);
/// Decode one Data element; `depth` counts structure/array nesting for the depth limit.
Result<Data> decode_data(ber::Reader& r, const Limits& limits, std::size_t depth = 0);

// ---------------------------------------------------------------------------------------------
// TypeSpecification
// ---------------------------------------------------------------------------------------------

struct TypeSpecification;
using TypeSpecificationPtr = std::shared_ptr<const TypeSpecification>;

struct TypeComponent {
  std::optional<std::string> name;  ///< componentName [0] IMPLICIT Identifier OPTIONAL
  TypeSpecificationPtr type;        ///< componentType [1] TypeSpecification
};

/// TypeSpecification ::= CHOICE {
///   typeName [0] ObjectName,
///   array [1] IMPLICIT SEQUENCE { packed [0] IMPLICIT BOOLEAN DEFAULT FALSE,
///         numberOfElements [1] IMPLICIT Unsigned32, elementType [2] TypeSpecification },
///   structure [2] IMPLICIT SEQUENCE { packed [0] IMPLICIT BOOLEAN DEFAULT FALSE,
///         components [1] IMPLICIT SEQUENCE OF SEQUENCE {
///           componentName [0] IMPLICIT Identifier OPTIONAL, componentType [1] TypeSpecification } },
///   boolean [3] IMPLICIT NULL, bit-string [4] IMPLICIT Integer32, integer [5] IMPLICIT Unsigned8,
///   unsigned [6] IMPLICIT Unsigned8,
///   floating-point [7] IMPLICIT SEQUENCE { format-width Unsigned8, exponent-width Unsigned8 },
///   octet-string [9] IMPLICIT Integer32, visible-string [10] IMPLICIT Integer32,
///   generalized-time [11] IMPLICIT NULL, binary-time [12] IMPLICIT BOOLEAN,
///   bcd [13] IMPLICIT Unsigned8, objId [15] IMPLICIT NULL, mMSString [16] IMPLICIT Integer32,
///   utc-time [17] IMPLICIT NULL }
/// For string and bit-string types a negative size means "variable length up to |size|".
struct TypeSpecification {
  enum class Kind : std::uint8_t {
    type_name = 0,
    array = 1,
    structure = 2,
    boolean = 3,
    bit_string = 4,
    integer = 5,
    unsigned_ = 6,
    floating_point = 7,
    octet_string = 9,
    visible_string = 10,
    generalized_time = 11,
    binary_time = 12,
    bcd = 13,
    obj_id = 15,
    mms_string = 16,
    utc_time = 17
  };
  Kind kind = Kind::boolean;
  ObjectName type_name;                   ///< type_name
  bool packed = false;                    ///< array, structure
  std::uint32_t number_of_elements = 0;   ///< array
  TypeSpecificationPtr element_type;      ///< array
  std::vector<TypeComponent> components;  ///< structure
  std::int32_t size =
      0;  ///< bit/octet/visible/mms string size; integer/unsigned/bcd width in bits (Unsigned8)
  std::uint8_t format_width = 0;       ///< floating-point (32 or 64)
  std::uint8_t exponent_width = 0;     ///< floating-point (8 or 11)
  bool binary_time_with_date = false;  ///< binary-time

  static TypeSpecificationPtr make(TypeSpecification t) {
    return std::make_shared<const TypeSpecification>(std::move(t));
  }
};

void encode_type_specification(ber::Writer& w, const TypeSpecification& t);
Result<TypeSpecificationPtr> decode_type_specification(ber::Reader& r, const Limits& limits,
                                                       std::size_t depth = 0);

}  // namespace mmssec::mms
