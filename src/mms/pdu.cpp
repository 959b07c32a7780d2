// SPDX-License-Identifier: Apache-2.0
// MMSpdu codec (ISO 9506-2): encode and decode of each PDU and service side by side, the ASN.1
// production above each. Every element is read through ber::Reader; lists are counted (and
// checked against Limits::mms_max_list_elements) before their vector is allocated.
#include "mmssec/mms/pdu.hpp"

#include <cstdint>
#include <limits>
#include <string>
#include <utility>

#include "mmssec/core/overloaded.hpp"

namespace mmssec::mms {
namespace {

using ber::Tag;

constexpr Tag ctx(std::uint32_t n) { return Tag::context(n); }
constexpr Tag cons(std::uint32_t n) { return Tag::context_cons(n); }

// ---------------------------------------------------------------------------------------------
// Primitive helpers
// ---------------------------------------------------------------------------------------------

/// Tag of the next element; the reader's own error when it is malformed or absent.
Result<Tag> peek(const ber::Reader& r) {
  if (auto t = r.peek_tag()) return *t;
  ber::Reader probe = r;
  auto tlv = probe.read_any();
  if (!tlv) return tlv.error();
  return Error{ber::Errc::bad_tag, r.offset()};
}

/// Unsigned32 ::= INTEGER (0..4294967295)
Result<std::uint32_t> read_u32(ber::Reader& r, Tag t, Errc range_error = Errc::value_out_of_range) {
  const std::size_t at = r.offset();
  MMSSEC_TRY_ASSIGN(const std::uint64_t v, r.read_uint64(t));
  if (v > std::numeric_limits<std::uint32_t>::max()) return Error{range_error, at};
  return static_cast<std::uint32_t>(v);
}

/// Integer8/16/32 ::= INTEGER (range of the C++ type)
template <class T>
Result<T> read_signed(ber::Reader& r, Tag t) {
  const std::size_t at = r.offset();
  MMSSEC_TRY_ASSIGN(const std::int64_t v, r.read_int64(t));
  if (v < std::numeric_limits<T>::min() || v > std::numeric_limits<T>::max())
    return Error{Errc::value_out_of_range, at};
  return static_cast<T>(v);
}

Result<std::string> read_visible(ber::Reader& r, Tag t, const Limits& limits) {
  const std::size_t at = r.offset();
  MMSSEC_TRY_ASSIGN(const std::string_view s, r.read_visible_string(t));
  if (s.size() > limits.mms_max_string) return Error{Errc::string_too_long, at};
  return std::string(s);
}

Result<BitStringValue> read_bits(ber::Reader& r, Tag t, const Limits& limits) {
  const std::size_t at = r.offset();
  MMSSEC_TRY_ASSIGN(const ber::BitString b, r.read_bit_string(t));
  if (b.bytes.size() > limits.mms_max_string) return Error{Errc::string_too_long, at};
  BitStringValue v;
  v.bytes.assign(b.bytes.begin(), b.bytes.end());
  v.unused_bits = b.bytes.empty() ? 0 : b.unused_bits;
  return v;
}

void write_bits(ber::Writer& w, const BitStringValue& b, Tag t) { w.bit_string(b.bytes, b.unused_bits, t); }

/// Number of elements in a SEQUENCE OF (the reader over its content), checked against the
/// list limit before the caller allocates. The count parses each TLV header once and builds
/// nothing (ber::Reader::count_elements); too_many_elements points at the first element past
/// the limit, found by a second walk on that (rare) error path only.
Result<std::size_t> count_elements(const ber::Reader& r, const Limits& limits) {
  MMSSEC_TRY_ASSIGN(const std::size_t n, r.count_elements(limits.mms_max_list_elements));
  if (n <= limits.mms_max_list_elements) return n;
  ber::Reader probe = r;
  for (std::size_t i = 0; i < limits.mms_max_list_elements; ++i) MMSSEC_TRY(probe.read_any());
  return Error{Errc::too_many_elements, probe.offset()};
}

// ---------------------------------------------------------------------------------------------
// Address ::= CHOICE { numericAddress [0] IMPLICIT Unsigned32,
//   symbolicAddress [1] IMPLICIT MMSString, unconstrainedAddress [2] IMPLICIT OCTET STRING }
// ---------------------------------------------------------------------------------------------

constexpr Tag kNumericAddress = ctx(0);
constexpr Tag kSymbolicAddress = ctx(1);
constexpr Tag kUnconstrainedAddress = ctx(2);

void encode_address(ber::Writer& w, const Address& a) {
  std::visit(Overloaded{[&](std::uint32_t n) { w.unsigned_integer(n, kNumericAddress); },
                        [&](const Address::Symbolic& s) { w.utf8_string(s.text, kSymbolicAddress); },
                        [&](const Bytes& b) { w.octet_string(b, kUnconstrainedAddress); }},
             a.value);
}

Result<Address> decode_address(ber::Reader& r, const Limits& limits) {
  const std::size_t at = r.offset();
  MMSSEC_TRY_ASSIGN(const Tag t, peek(r));
  if (t == kNumericAddress) {
    MMSSEC_TRY_ASSIGN(const std::uint32_t n, read_u32(r, kNumericAddress));
    return Address{n};
  }
  if (t == kSymbolicAddress) {
    MMSSEC_TRY_ASSIGN(const std::string_view s, r.read_utf8_string(kSymbolicAddress));
    if (s.size() > limits.mms_max_string) return Error{Errc::string_too_long, at};
    return Address{Address::Symbolic{std::string(s)}};
  }
  if (t == kUnconstrainedAddress) {
    MMSSEC_TRY_ASSIGN(const ByteView b, r.read_octet_string(kUnconstrainedAddress));
    if (b.size() > limits.mms_max_string) return Error{Errc::string_too_long, at};
    return Address{Bytes(b.begin(), b.end())};
  }
  return Error{Errc::bad_pdu, at};
}

// ---------------------------------------------------------------------------------------------
// AlternateAccess (productions in pdu.hpp)
// ---------------------------------------------------------------------------------------------

constexpr Tag kNamedAlternate = cons(5);         // named [5] IMPLICIT SEQUENCE
constexpr Tag kComponentName = ctx(0);           // componentName [0] IMPLICIT Identifier
constexpr Tag kSelectAlternateAccess = cons(0);  // selectAlternateAccess [0] IMPLICIT SEQUENCE
constexpr Tag kLowIndex = ctx(0);                // indexRange.lowIndex [0]
constexpr Tag kNumberOfElements = ctx(1);        // indexRange.numberOfElements [1]
/// accessSelection (inside selectAlternateAccess) uses tags 0..3, selectAccess uses 1..4.
constexpr std::uint32_t kAccessSelectionBase = 0;
constexpr std::uint32_t kSelectAccessBase = 1;

void encode_alternate_access_items(ber::Writer& w, const AlternateAccess& aa);

void encode_selection(ber::Writer& w, const AlternateAccessSelection& s) {
  const auto body = [&](std::uint32_t base) {
    std::visit(
        Overloaded{
            [&](const AlternateAccessSelection::Component& c) { w.visible_string(c.name, ctx(base)); },
            [&](const AlternateAccessSelection::Index& i) { w.unsigned_integer(i.value, ctx(base + 1)); },
            [&](const AlternateAccessSelection::IndexRange& ir) {
              w.constructed(cons(base + 2), [&] {
                w.unsigned_integer(ir.low_index, kLowIndex);
                w.unsigned_integer(ir.number_of_elements, kNumberOfElements);
              });
            },
            [&](const AlternateAccessSelection::AllElements&) { w.null(ctx(base + 3)); }},
        s.selection);
  };
  if (s.nested) {
    w.constructed(kSelectAlternateAccess, [&] {
      body(kAccessSelectionBase);
      w.constructed(ber::tags::kSequence, [&] { encode_alternate_access_items(w, *s.nested); });
    });
  } else {
    body(kSelectAccessBase);
  }
}

void encode_alternate_access_items(ber::Writer& w, const AlternateAccess& aa) {
  for (const AlternateAccessElement& e : aa) {
    if (e.component_name) {
      w.constructed(kNamedAlternate, [&] {
        w.visible_string(*e.component_name, kComponentName);
        encode_selection(w, e.access);
      });
    } else {
      encode_selection(w, e.access);
    }
  }
}

Result<AlternateAccess> decode_alternate_access_items(ber::Reader& r, const Limits& limits,
                                                      std::size_t depth);

/// One of the four selections, numbered from `base`.
Result<AlternateAccessSelection> decode_selection_body(ber::Reader& r, std::uint32_t base,
                                                       const Limits& limits) {
  const std::size_t at = r.offset();
  MMSSEC_TRY_ASSIGN(const Tag t, peek(r));
  AlternateAccessSelection s;
  if (t == ctx(base)) {
    MMSSEC_TRY_ASSIGN(std::string name, decode_identifier(r, ctx(base), limits));
    s.selection = AlternateAccessSelection::Component{std::move(name)};
  } else if (t == ctx(base + 1)) {
    MMSSEC_TRY_ASSIGN(const std::uint32_t i, read_u32(r, ctx(base + 1)));
    s.selection = AlternateAccessSelection::Index{i};
  } else if (t == cons(base + 2)) {
    MMSSEC_TRY_ASSIGN(ber::Reader ir, r.enter(cons(base + 2)));
    AlternateAccessSelection::IndexRange range;
    MMSSEC_TRY_ASSIGN(range.low_index, read_u32(ir, kLowIndex));
    MMSSEC_TRY_ASSIGN(range.number_of_elements, read_u32(ir, kNumberOfElements));
    MMSSEC_TRY(ir.expect_end());
    s.selection = range;
  } else if (t == ctx(base + 3)) {
    MMSSEC_TRY(r.read_null(ctx(base + 3)));
    s.selection = AlternateAccessSelection::AllElements{};
  } else {
    return Error{Errc::bad_pdu, at};
  }
  return s;
}

Result<AlternateAccessSelection> decode_selection(ber::Reader& r, const Limits& limits, std::size_t depth) {
  MMSSEC_TRY_ASSIGN(const Tag t, peek(r));
  if (t == kSelectAlternateAccess) {
    MMSSEC_TRY_ASSIGN(ber::Reader inner, r.enter(kSelectAlternateAccess));
    MMSSEC_TRY_ASSIGN(AlternateAccessSelection s, decode_selection_body(inner, kAccessSelectionBase, limits));
    // alternateAccess AlternateAccess (untagged SEQUENCE OF)
    MMSSEC_TRY_ASSIGN(ber::Reader seq, inner.enter(ber::tags::kSequence));
    MMSSEC_TRY_ASSIGN(AlternateAccess nested, decode_alternate_access_items(seq, limits, depth + 1));
    MMSSEC_TRY(inner.expect_end());
    s.nested = std::move(nested);
    return s;
  }
  return decode_selection_body(r, kSelectAccessBase, limits);
}

Result<AlternateAccess> decode_alternate_access_items(ber::Reader& r, const Limits& limits,
                                                      std::size_t depth) {
  if (depth >= limits.mms_max_data_depth) return Error{Errc::depth_exceeded, r.offset()};
  MMSSEC_TRY_ASSIGN(const std::size_t n, count_elements(r, limits));
  AlternateAccess out;
  out.reserve(n);
  while (!r.empty()) {
    AlternateAccessElement e;
    if (r.next_is(kNamedAlternate)) {
      MMSSEC_TRY_ASSIGN(ber::Reader named, r.enter(kNamedAlternate));
      MMSSEC_TRY_ASSIGN(e.component_name, decode_identifier(named, kComponentName, limits));
      MMSSEC_TRY_ASSIGN(e.access, decode_selection(named, limits, depth));
      MMSSEC_TRY(named.expect_end());
    } else {
      MMSSEC_TRY_ASSIGN(e.access, decode_selection(r, limits, depth));
    }
    out.push_back(std::move(e));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// VariableSpecification, VariableDef, VariableAccessSpecification (productions in pdu.hpp)
// ---------------------------------------------------------------------------------------------

constexpr Tag kVarSpecName = cons(0);         // name [0] ObjectName (explicit: CHOICE)
constexpr Tag kVarSpecAddress = cons(1);      // address [1] Address (explicit: CHOICE)
constexpr Tag kVarSpecDescription = cons(2);  // variableDescription [2] (unsupported)
constexpr Tag kVarSpecScattered = cons(3);    // scatteredAccessDescription [3] (unsupported)
constexpr Tag kVarSpecInvalidated = ctx(4);   // invalidated [4] IMPLICIT NULL
constexpr Tag kVarDefAlternate = cons(5);     // alternateAccess [5] IMPLICIT AlternateAccess
constexpr Tag kListOfVariable = cons(0);      // listOfVariable [0] IMPLICIT SEQUENCE OF
constexpr Tag kVariableListName = cons(1);    // variableListName [1] ObjectName

void encode_variable_def(ber::Writer& w, const VariableDef& d) {
  w.constructed(ber::tags::kSequence, [&] {
    std::visit(
        Overloaded{
            [&](const ObjectName& n) { w.constructed(kVarSpecName, [&] { encode_object_name(w, n); }); },
            [&](const Address& a) { w.constructed(kVarSpecAddress, [&] { encode_address(w, a); }); },
            [&](const Invalidated&) { w.null(kVarSpecInvalidated); }},
        d.spec);
    if (d.alternate_access)
      w.constructed(kVarDefAlternate, [&] { encode_alternate_access_items(w, *d.alternate_access); });
  });
}

/// An EXPLICIT [n] wrapper around exactly one CHOICE value (ObjectName, Address): enter it,
/// decode the value, and refuse anything after it.
template <class Decode>
auto decode_explicit(ber::Reader& r, Tag tag, Decode&& decode) -> decltype(decode(r)) {
  MMSSEC_TRY_ASSIGN(ber::Reader inner, r.enter(tag));
  auto v = decode(inner);
  if (!v) return v;
  MMSSEC_TRY(inner.expect_end());
  return v;
}

Result<VariableDef> decode_variable_def(ber::Reader& r, const Limits& limits) {
  MMSSEC_TRY_ASSIGN(ber::Reader seq, r.enter(ber::tags::kSequence));
  const std::size_t at = seq.offset();
  MMSSEC_TRY_ASSIGN(const Tag t, peek(seq));
  VariableDef d;
  if (t == kVarSpecName) {
    MMSSEC_TRY_ASSIGN(d.spec, decode_explicit(seq, kVarSpecName, [&](ber::Reader& in) {
                        return decode_object_name(in, limits);
                      }));
  } else if (t == kVarSpecAddress) {
    MMSSEC_TRY_ASSIGN(d.spec, decode_explicit(seq, kVarSpecAddress,
                                              [&](ber::Reader& in) { return decode_address(in, limits); }));
  } else if (t == kVarSpecInvalidated) {
    MMSSEC_TRY(seq.read_null(kVarSpecInvalidated));
    d.spec = Invalidated{};
  } else if (t == kVarSpecDescription || t == kVarSpecScattered) {
    return Error{Errc::unsupported_choice, at};
  } else {
    return Error{Errc::bad_pdu, at};
  }
  if (seq.next_is(kVarDefAlternate)) {
    MMSSEC_TRY_ASSIGN(ber::Reader aa, seq.enter(kVarDefAlternate));
    MMSSEC_TRY_ASSIGN(AlternateAccess items, decode_alternate_access_items(aa, limits, 0));
    d.alternate_access = std::move(items);
  }
  MMSSEC_TRY(seq.expect_end());
  return d;
}

/// SEQUENCE OF VariableDef, the reader positioned on the content.
Result<std::vector<VariableDef>> decode_variable_defs(ber::Reader& r, const Limits& limits) {
  MMSSEC_TRY_ASSIGN(const std::size_t n, count_elements(r, limits));
  std::vector<VariableDef> out;
  out.reserve(n);
  while (!r.empty()) {
    MMSSEC_TRY_ASSIGN(VariableDef d, decode_variable_def(r, limits));
    out.push_back(std::move(d));
  }
  return out;
}

void encode_variable_defs(ber::Writer& w, const std::vector<VariableDef>& defs, Tag t) {
  w.constructed(t, [&] {
    for (const VariableDef& d : defs) encode_variable_def(w, d);
  });
}

void encode_vas(ber::Writer& w, const VariableAccessSpecification& v) {
  std::visit(Overloaded{[&](const ListOfVariable& l) { encode_variable_defs(w, l.items, kListOfVariable); },
                        [&](const VariableListName& n) {
                          w.constructed(kVariableListName, [&] { encode_object_name(w, n.name); });
                        }},
             v);
}

Result<VariableAccessSpecification> decode_vas(ber::Reader& r, const Limits& limits) {
  const std::size_t at = r.offset();
  MMSSEC_TRY_ASSIGN(const Tag t, peek(r));
  if (t == kListOfVariable) {
    MMSSEC_TRY_ASSIGN(ber::Reader list, r.enter(kListOfVariable));
    MMSSEC_TRY_ASSIGN(std::vector<VariableDef> items, decode_variable_defs(list, limits));
    return VariableAccessSpecification{ListOfVariable{std::move(items)}};
  }
  if (t == kVariableListName) {
    MMSSEC_TRY_ASSIGN(ber::Reader inner, r.enter(kVariableListName));
    MMSSEC_TRY_ASSIGN(ObjectName name, decode_object_name(inner, limits));
    MMSSEC_TRY(inner.expect_end());
    return VariableAccessSpecification{VariableListName{std::move(name)}};
  }
  return Error{Errc::bad_pdu, at};
}

// ---------------------------------------------------------------------------------------------
// AccessResult ::= CHOICE { failure [0] IMPLICIT DataAccessError, success Data }
// DataAccessError ::= INTEGER
// ---------------------------------------------------------------------------------------------

constexpr Tag kAccessFailure = ctx(0);

Result<DataAccessError> read_data_access_error(ber::Reader& r, Tag t) {
  MMSSEC_TRY_ASSIGN(const std::uint32_t v, read_u32(r, t));
  return static_cast<DataAccessError>(v);
}

void encode_access_results(ber::Writer& w, const std::vector<AccessResult>& results, Tag t) {
  w.constructed(t, [&] {
    for (const AccessResult& a : results) {
      std::visit(Overloaded{[&](DataAccessError e) {
                              w.unsigned_integer(static_cast<std::uint32_t>(e), kAccessFailure);
                            },
                            [&](const Data& d) { encode_data(w, d); }},
                 a);
    }
  });
}

/// [tag] IMPLICIT SEQUENCE OF AccessResult, read from `parent`.
Result<std::vector<AccessResult>> decode_access_results(ber::Reader& parent, Tag t, const Limits& limits) {
  MMSSEC_TRY_ASSIGN(ber::Reader r, parent.enter(t));
  MMSSEC_TRY_ASSIGN(const std::size_t n, count_elements(r, limits));
  std::vector<AccessResult> out;
  out.reserve(n);  // the one allocation of a Read response / InformationReport of scalars
  while (!r.empty()) {
    // Success is the common case: try Data first (it has no [0] alternative, so a failure [0]
    // makes decode_data fail and leave the cursor in place), which parses each element once.
    auto d = decode_data(r, limits, 0);
    if (d) {
      out.emplace_back(std::move(*d));
      continue;
    }
    if (!r.next_is(kAccessFailure)) return d.error();
    MMSSEC_TRY_ASSIGN(const DataAccessError e, read_data_access_error(r, kAccessFailure));
    out.emplace_back(e);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// ServiceError (production in pdu.hpp)
// ---------------------------------------------------------------------------------------------

constexpr Tag kErrorClass = cons(0);
constexpr Tag kAdditionalCode = ctx(1);
constexpr Tag kAdditionalDescription = ctx(2);
constexpr Tag kServiceSpecificInfo = cons(3);
constexpr std::uint32_t kMaxErrorClass = 12;

/// Writes the SEQUENCE content (the caller supplies the tag).
void encode_service_error_content(ber::Writer& w, const ServiceError& e) {
  w.constructed(kErrorClass, [&] { w.integer(e.code, ctx(static_cast<std::uint32_t>(e.error_class))); });
  if (e.additional_code) w.integer(*e.additional_code, kAdditionalCode);
  if (e.additional_description) w.visible_string(*e.additional_description, kAdditionalDescription);
  if (e.service_specific_info) w.tlv(kServiceSpecificInfo, *e.service_specific_info);
}

void encode_service_error(ber::Writer& w, const ServiceError& e, Tag t) {
  w.constructed(t, [&] { encode_service_error_content(w, e); });
}

Result<ServiceError> decode_service_error(ber::Reader& r, Tag t, const Limits& limits) {
  MMSSEC_TRY_ASSIGN(ber::Reader seq, r.enter(t));
  ServiceError e;
  {
    MMSSEC_TRY_ASSIGN(ber::Reader cls, seq.enter(kErrorClass));
    const std::size_t at = cls.offset();
    MMSSEC_TRY_ASSIGN(const Tag ct, peek(cls));
    if (ct.cls != ber::TagClass::context || ct.constructed || ct.number > kMaxErrorClass)
      return Error{Errc::bad_pdu, at};
    MMSSEC_TRY_ASSIGN(e.code, cls.read_int64(ct));
    e.error_class = static_cast<ErrorClass>(ct.number);
    MMSSEC_TRY(cls.expect_end());
  }
  if (seq.next_is(kAdditionalCode)) {
    MMSSEC_TRY_ASSIGN(e.additional_code, seq.read_int64(kAdditionalCode));
  }
  if (seq.next_is(kAdditionalDescription)) {
    MMSSEC_TRY_ASSIGN(e.additional_description, read_visible(seq, kAdditionalDescription, limits));
  }
  if (seq.next_is(kServiceSpecificInfo)) {
    MMSSEC_TRY_ASSIGN(const ber::Tlv info, seq.read(kServiceSpecificInfo));
    e.service_specific_info = Bytes(info.content.begin(), info.content.end());
  }
  MMSSEC_TRY(seq.expect_end());
  return e;
}

// ---------------------------------------------------------------------------------------------
// Confirmed service requests
// ---------------------------------------------------------------------------------------------

// GetNameList-Request fields
constexpr Tag kObjectClass = cons(0);
constexpr Tag kBasicObjectClass = ctx(0);
constexpr Tag kCsObjectClass = cons(1);
constexpr Tag kObjectScope = cons(1);
constexpr Tag kScopeVmd = ctx(0);
constexpr Tag kScopeDomain = ctx(1);
constexpr Tag kScopeAa = ctx(2);
constexpr Tag kContinueAfter = ctx(2);
// Read-Request fields
constexpr Tag kSpecificationWithResult = ctx(0);
constexpr Tag kReadVas = cons(1);
// Write-Request fields
constexpr Tag kListOfData = cons(0);
// GetVariableAccessAttributes-Request alternatives
constexpr Tag kGvaaName = cons(0);
constexpr Tag kGvaaAddress = cons(1);
// DefineNamedVariableList-Request
constexpr Tag kDnvlListOfVariable = cons(0);
// DeleteNamedVariableList-Request fields
constexpr Tag kScopeOfDelete = ctx(0);
constexpr Tag kListOfVariableListName = cons(1);
constexpr Tag kDomainName = ctx(2);
/// service-ext [79] (CS extensions; refused)
constexpr Tag kServiceExt = cons(79);

void encode_request_service(ber::Writer& w, const ConfirmedServiceRequest& s) {
  std::visit(Overloaded{
                 // status [0] IMPLICIT Status-Request (BOOLEAN)
                 [&](const StatusRequest& x) { w.boolean(x.extended_derivation, ctx(service::kStatus)); },
                 // getNameList [1] IMPLICIT GetNameList-Request
                 [&](const GetNameListRequest& x) {
                   w.constructed(cons(service::kGetNameList), [&] {
                     w.constructed(kObjectClass,
                                   [&] { w.unsigned_integer(x.object_class, kBasicObjectClass); });
                     w.constructed(kObjectScope, [&] {
                       switch (x.scope) {
                         case GetNameListRequest::Scope::vmd: w.null(kScopeVmd); break;
                         case GetNameListRequest::Scope::domain:
                           w.visible_string(x.domain, kScopeDomain);
                           break;
                         case GetNameListRequest::Scope::aa: w.null(kScopeAa); break;
                       }
                     });
                     if (x.continue_after) w.visible_string(*x.continue_after, kContinueAfter);
                   });
                 },
                 // identify [2] IMPLICIT Identify-Request (NULL)
                 [&](const IdentifyRequest&) { w.null(ctx(service::kIdentify)); },
                 // read [4] IMPLICIT Read-Request
                 [&](const ReadRequest& x) {
                   w.constructed(cons(service::kRead), [&] {
                     if (x.specification_with_result)
                       w.boolean(true, kSpecificationWithResult);  // DEFAULT FALSE
                     w.constructed(kReadVas, [&] { encode_vas(w, x.variables); });
                   });
                 },
                 // write [5] IMPLICIT Write-Request
                 [&](const WriteRequest& x) {
                   w.constructed(cons(service::kWrite), [&] {
                     encode_vas(w, x.variables);
                     w.constructed(kListOfData, [&] {
                       for (const Data& d : x.data) encode_data(w, d);
                     });
                   });
                 },
                 // getVariableAccessAttributes [6] GetVariableAccessAttributes-Request (explicit)
                 [&](const GetVariableAccessAttributesRequest& x) {
                   w.constructed(cons(service::kGetVariableAccessAttributes), [&] {
                     std::visit(Overloaded{[&](const ObjectName& n) {
                                             w.constructed(kGvaaName, [&] { encode_object_name(w, n); });
                                           },
                                           [&](const Address& a) {
                                             w.constructed(kGvaaAddress, [&] { encode_address(w, a); });
                                           }},
                                x.object);
                   });
                 },
                 // defineNamedVariableList [11] IMPLICIT DefineNamedVariableList-Request
                 [&](const DefineNamedVariableListRequest& x) {
                   w.constructed(cons(service::kDefineNamedVariableList), [&] {
                     encode_object_name(w, x.name);
                     encode_variable_defs(w, x.variables, kDnvlListOfVariable);
                   });
                 },
                 // getNamedVariableListAttributes [12] GetNamedVariableListAttributes-Request (explicit)
                 [&](const GetNamedVariableListAttributesRequest& x) {
                   w.constructed(cons(service::kGetNamedVariableListAttributes),
                                 [&] { encode_object_name(w, x.name); });
                 },
                 // deleteNamedVariableList [13] IMPLICIT DeleteNamedVariableList-Request
                 [&](const DeleteNamedVariableListRequest& x) {
                   w.constructed(cons(service::kDeleteNamedVariableList), [&] {
                     if (x.scope_of_delete != 0)
                       w.integer(x.scope_of_delete, kScopeOfDelete);  // DEFAULT specific
                     if (x.names) {
                       w.constructed(kListOfVariableListName, [&] {
                         for (const ObjectName& n : *x.names) encode_object_name(w, n);
                       });
                     }
                     if (x.domain_name) w.visible_string(*x.domain_name, kDomainName);
                   });
                 },
             },
             s);
}

Result<ConfirmedServiceRequest> decode_request_service(ber::Reader& r, const Limits& limits, PduError& f) {
  const std::size_t at = r.offset();
  MMSSEC_TRY_ASSIGN(const Tag t, peek(r));
  if (t.cls != ber::TagClass::context) return Error{Errc::bad_pdu, at};
  f.service = t.number;
  switch (t.number) {
    case service::kStatus: {
      MMSSEC_TRY_ASSIGN(const bool ext, r.read_boolean(ctx(service::kStatus)));
      return ConfirmedServiceRequest{StatusRequest{ext}};
    }
    case service::kGetNameList: {
      MMSSEC_TRY_ASSIGN(ber::Reader seq, r.enter(cons(service::kGetNameList)));
      GetNameListRequest x;
      {
        MMSSEC_TRY_ASSIGN(ber::Reader oc, seq.enter(kObjectClass));
        if (oc.next_is(kCsObjectClass)) return Error{Errc::unsupported_choice, oc.offset()};
        MMSSEC_TRY_ASSIGN(x.object_class, read_u32(oc, kBasicObjectClass));
        MMSSEC_TRY(oc.expect_end());
      }
      {
        MMSSEC_TRY_ASSIGN(ber::Reader sc, seq.enter(kObjectScope));
        const std::size_t sat = sc.offset();
        MMSSEC_TRY_ASSIGN(const Tag st, peek(sc));
        if (st == kScopeVmd) {
          MMSSEC_TRY(sc.read_null(kScopeVmd));
          x.scope = GetNameListRequest::Scope::vmd;
        } else if (st == kScopeDomain) {
          MMSSEC_TRY_ASSIGN(x.domain, decode_identifier(sc, kScopeDomain, limits));
          x.scope = GetNameListRequest::Scope::domain;
        } else if (st == kScopeAa) {
          MMSSEC_TRY(sc.read_null(kScopeAa));
          x.scope = GetNameListRequest::Scope::aa;
        } else {
          return Error{Errc::bad_pdu, sat};
        }
        MMSSEC_TRY(sc.expect_end());
      }
      if (seq.next_is(kContinueAfter)) {
        MMSSEC_TRY_ASSIGN(x.continue_after, decode_identifier(seq, kContinueAfter, limits));
      }
      MMSSEC_TRY(seq.expect_end());
      return ConfirmedServiceRequest{std::move(x)};
    }
    case service::kIdentify: {
      MMSSEC_TRY(r.read_null(ctx(service::kIdentify)));
      return ConfirmedServiceRequest{IdentifyRequest{}};
    }
    case service::kRead: {
      MMSSEC_TRY_ASSIGN(ber::Reader seq, r.enter(cons(service::kRead)));
      ReadRequest x;
      if (seq.next_is(kSpecificationWithResult)) {
        MMSSEC_TRY_ASSIGN(x.specification_with_result, seq.read_boolean(kSpecificationWithResult));
      }
      MMSSEC_TRY_ASSIGN(ber::Reader vas, seq.enter(kReadVas));
      MMSSEC_TRY_ASSIGN(x.variables, decode_vas(vas, limits));
      MMSSEC_TRY(vas.expect_end());
      MMSSEC_TRY(seq.expect_end());
      return ConfirmedServiceRequest{std::move(x)};
    }
    case service::kWrite: {
      MMSSEC_TRY_ASSIGN(ber::Reader seq, r.enter(cons(service::kWrite)));
      WriteRequest x;
      MMSSEC_TRY_ASSIGN(x.variables, decode_vas(seq, limits));
      MMSSEC_TRY_ASSIGN(ber::Reader list, seq.enter(kListOfData));
      MMSSEC_TRY_ASSIGN(const std::size_t n, count_elements(list, limits));
      x.data.reserve(n);
      while (!list.empty()) {
        MMSSEC_TRY_ASSIGN(Data d, decode_data(list, limits, 0));
        x.data.push_back(std::move(d));
      }
      MMSSEC_TRY(seq.expect_end());
      return ConfirmedServiceRequest{std::move(x)};
    }
    case service::kGetVariableAccessAttributes: {
      MMSSEC_TRY_ASSIGN(ber::Reader choice, r.enter(cons(service::kGetVariableAccessAttributes)));
      const std::size_t cat = choice.offset();
      MMSSEC_TRY_ASSIGN(const Tag ct, peek(choice));
      GetVariableAccessAttributesRequest x;
      if (ct == kGvaaName) {
        MMSSEC_TRY_ASSIGN(x.object, decode_explicit(choice, kGvaaName, [&](ber::Reader& in) {
                            return decode_object_name(in, limits);
                          }));
      } else if (ct == kGvaaAddress) {
        MMSSEC_TRY_ASSIGN(x.object, decode_explicit(choice, kGvaaAddress, [&](ber::Reader& in) {
                            return decode_address(in, limits);
                          }));
      } else {
        return Error{Errc::bad_pdu, cat};
      }
      MMSSEC_TRY(choice.expect_end());
      return ConfirmedServiceRequest{std::move(x)};
    }
    case service::kDefineNamedVariableList: {
      MMSSEC_TRY_ASSIGN(ber::Reader seq, r.enter(cons(service::kDefineNamedVariableList)));
      DefineNamedVariableListRequest x;
      MMSSEC_TRY_ASSIGN(x.name, decode_object_name(seq, limits));
      MMSSEC_TRY_ASSIGN(ber::Reader list, seq.enter(kDnvlListOfVariable));
      MMSSEC_TRY_ASSIGN(x.variables, decode_variable_defs(list, limits));
      MMSSEC_TRY(seq.expect_end());
      return ConfirmedServiceRequest{std::move(x)};
    }
    case service::kGetNamedVariableListAttributes: {
      MMSSEC_TRY_ASSIGN(ber::Reader inner, r.enter(cons(service::kGetNamedVariableListAttributes)));
      GetNamedVariableListAttributesRequest x;
      MMSSEC_TRY_ASSIGN(x.name, decode_object_name(inner, limits));
      MMSSEC_TRY(inner.expect_end());
      return ConfirmedServiceRequest{std::move(x)};
    }
    case service::kDeleteNamedVariableList: {
      MMSSEC_TRY_ASSIGN(ber::Reader seq, r.enter(cons(service::kDeleteNamedVariableList)));
      DeleteNamedVariableListRequest x;
      if (seq.next_is(kScopeOfDelete)) {
        MMSSEC_TRY_ASSIGN(x.scope_of_delete, seq.read_int64(kScopeOfDelete));
      }
      if (seq.next_is(kListOfVariableListName)) {
        MMSSEC_TRY_ASSIGN(ber::Reader list, seq.enter(kListOfVariableListName));
        MMSSEC_TRY_ASSIGN(const std::size_t n, count_elements(list, limits));
        std::vector<ObjectName> names;
        names.reserve(n);
        while (!list.empty()) {
          MMSSEC_TRY_ASSIGN(ObjectName name, decode_object_name(list, limits));
          names.push_back(std::move(name));
        }
        x.names = std::move(names);
      }
      if (seq.next_is(kDomainName)) {
        MMSSEC_TRY_ASSIGN(x.domain_name, decode_identifier(seq, kDomainName, limits));
      }
      MMSSEC_TRY(seq.expect_end());
      return ConfirmedServiceRequest{std::move(x)};
    }
    default: break;
  }
  return Error{Errc::unknown_service, at};
}

// ---------------------------------------------------------------------------------------------
// Confirmed service responses
// ---------------------------------------------------------------------------------------------

// Status-Response
constexpr Tag kVmdLogicalStatus = ctx(0);
constexpr Tag kVmdPhysicalStatus = ctx(1);
constexpr Tag kLocalDetail = ctx(2);
constexpr std::size_t kMaxLocalDetailOctets = 16;  // SIZE(0..128) bits
// GetNameList-Response
constexpr Tag kListOfIdentifier = cons(0);
constexpr Tag kMoreFollows = ctx(1);
// Identify-Response
constexpr Tag kVendorName = ctx(0);
constexpr Tag kModelName = ctx(1);
constexpr Tag kRevision = ctx(2);
constexpr Tag kListOfAbstractSyntaxes = cons(3);
// Read-Response
constexpr Tag kReadResponseVas = cons(0);
constexpr Tag kListOfAccessResult = cons(1);
// Write-Response items
constexpr Tag kWriteFailure = ctx(0);
constexpr Tag kWriteSuccess = ctx(1);
// GetVariableAccessAttributes-Response
constexpr Tag kMmsDeletable = ctx(0);
constexpr Tag kGvaaRespAddress = cons(1);
constexpr Tag kTypeSpecification = cons(2);
// GetNamedVariableListAttributes-Response
constexpr Tag kGnvlaListOfVariable = cons(1);
// DeleteNamedVariableList-Response
constexpr Tag kNumberMatched = ctx(0);
constexpr Tag kNumberDeleted = ctx(1);

void encode_response_service(ber::Writer& w, const ConfirmedServiceResponse& s) {
  std::visit(
      Overloaded{
          [&](const StatusResponse& x) {
            w.constructed(cons(service::kStatus), [&] {
              w.integer(x.vmd_logical_status, kVmdLogicalStatus);
              w.integer(x.vmd_physical_status, kVmdPhysicalStatus);
              if (x.local_detail) write_bits(w, *x.local_detail, kLocalDetail);
            });
          },
          [&](const GetNameListResponse& x) {
            w.constructed(cons(service::kGetNameList), [&] {
              w.constructed(kListOfIdentifier, [&] {
                for (const std::string& id : x.identifiers) w.visible_string(id);
              });
              if (!x.more_follows) w.boolean(false, kMoreFollows);  // DEFAULT TRUE
            });
          },
          [&](const IdentifyResponse& x) {
            w.constructed(cons(service::kIdentify), [&] {
              w.visible_string(x.vendor_name, kVendorName);
              w.visible_string(x.model_name, kModelName);
              w.visible_string(x.revision, kRevision);
              if (x.abstract_syntaxes) {
                w.constructed(kListOfAbstractSyntaxes, [&] {
                  for (const ber::Oid& o : *x.abstract_syntaxes) w.oid(o);
                });
              }
            });
          },
          [&](const ReadResponse& x) {
            w.constructed(cons(service::kRead), [&] {
              if (x.variables) w.constructed(kReadResponseVas, [&] { encode_vas(w, *x.variables); });
              encode_access_results(w, x.results, kListOfAccessResult);
            });
          },
          [&](const WriteResponse& x) {
            w.constructed(cons(service::kWrite), [&] {
              for (const WriteResult& wr : x.results) {
                std::visit(Overloaded{[&](DataAccessError e) {
                                        w.unsigned_integer(static_cast<std::uint32_t>(e), kWriteFailure);
                                      },
                                      [&](const WriteSuccess&) { w.null(kWriteSuccess); }},
                           wr);
              }
            });
          },
          [&](const GetVariableAccessAttributesResponse& x) {
            w.constructed(cons(service::kGetVariableAccessAttributes), [&] {
              w.boolean(x.mms_deletable, kMmsDeletable);
              if (x.address) w.constructed(kGvaaRespAddress, [&] { encode_address(w, *x.address); });
              w.constructed(kTypeSpecification, [&] {
                if (x.type) encode_type_specification(w, *x.type);
              });
            });
          },
          [&](const DefineNamedVariableListResponse&) { w.null(ctx(service::kDefineNamedVariableList)); },
          [&](const GetNamedVariableListAttributesResponse& x) {
            w.constructed(cons(service::kGetNamedVariableListAttributes), [&] {
              w.boolean(x.mms_deletable, kMmsDeletable);
              encode_variable_defs(w, x.variables, kGnvlaListOfVariable);
            });
          },
          [&](const DeleteNamedVariableListResponse& x) {
            w.constructed(cons(service::kDeleteNamedVariableList), [&] {
              w.unsigned_integer(x.number_matched, kNumberMatched);
              w.unsigned_integer(x.number_deleted, kNumberDeleted);
            });
          },
      },
      s);
}

Result<ConfirmedServiceResponse> decode_response_service(ber::Reader& r, const Limits& limits, PduError& f) {
  const std::size_t at = r.offset();
  MMSSEC_TRY_ASSIGN(const Tag t, peek(r));
  if (t.cls != ber::TagClass::context) return Error{Errc::bad_pdu, at};
  f.service = t.number;
  switch (t.number) {
    case service::kStatus: {
      MMSSEC_TRY_ASSIGN(ber::Reader seq, r.enter(cons(service::kStatus)));
      StatusResponse x;
      MMSSEC_TRY_ASSIGN(x.vmd_logical_status, seq.read_int64(kVmdLogicalStatus));
      MMSSEC_TRY_ASSIGN(x.vmd_physical_status, seq.read_int64(kVmdPhysicalStatus));
      if (seq.next_is(kLocalDetail)) {
        const std::size_t lat = seq.offset();
        MMSSEC_TRY_ASSIGN(BitStringValue bits, read_bits(seq, kLocalDetail, limits));
        if (bits.bytes.size() > kMaxLocalDetailOctets) return Error{Errc::string_too_long, lat};
        x.local_detail = std::move(bits);
      }
      MMSSEC_TRY(seq.expect_end());
      return ConfirmedServiceResponse{std::move(x)};
    }
    case service::kGetNameList: {
      MMSSEC_TRY_ASSIGN(ber::Reader seq, r.enter(cons(service::kGetNameList)));
      GetNameListResponse x;
      MMSSEC_TRY_ASSIGN(ber::Reader list, seq.enter(kListOfIdentifier));
      MMSSEC_TRY_ASSIGN(const std::size_t n, count_elements(list, limits));
      x.identifiers.reserve(n);
      while (!list.empty()) {
        MMSSEC_TRY_ASSIGN(std::string id, decode_identifier(list, ber::tags::kVisibleString, limits));
        x.identifiers.push_back(std::move(id));
      }
      if (seq.next_is(kMoreFollows)) {
        MMSSEC_TRY_ASSIGN(x.more_follows, seq.read_boolean(kMoreFollows));
      }
      MMSSEC_TRY(seq.expect_end());
      return ConfirmedServiceResponse{std::move(x)};
    }
    case service::kIdentify: {
      MMSSEC_TRY_ASSIGN(ber::Reader seq, r.enter(cons(service::kIdentify)));
      IdentifyResponse x;
      MMSSEC_TRY_ASSIGN(x.vendor_name, read_visible(seq, kVendorName, limits));
      MMSSEC_TRY_ASSIGN(x.model_name, read_visible(seq, kModelName, limits));
      MMSSEC_TRY_ASSIGN(x.revision, read_visible(seq, kRevision, limits));
      if (seq.next_is(kListOfAbstractSyntaxes)) {
        MMSSEC_TRY_ASSIGN(ber::Reader list, seq.enter(kListOfAbstractSyntaxes));
        MMSSEC_TRY_ASSIGN(const std::size_t n, count_elements(list, limits));
        std::vector<ber::Oid> oids;
        oids.reserve(n);
        while (!list.empty()) {
          MMSSEC_TRY_ASSIGN(ber::Oid o, list.read_oid());
          oids.push_back(std::move(o));
        }
        x.abstract_syntaxes = std::move(oids);
      }
      MMSSEC_TRY(seq.expect_end());
      return ConfirmedServiceResponse{std::move(x)};
    }
    case service::kRead: {
      MMSSEC_TRY_ASSIGN(ber::Reader seq, r.enter(cons(service::kRead)));
      ReadResponse x;
      if (seq.next_is(kReadResponseVas)) {
        MMSSEC_TRY_ASSIGN(ber::Reader vas, seq.enter(kReadResponseVas));
        MMSSEC_TRY_ASSIGN(x.variables, decode_vas(vas, limits));
        MMSSEC_TRY(vas.expect_end());
      }
      MMSSEC_TRY_ASSIGN(x.results, decode_access_results(seq, kListOfAccessResult, limits));
      MMSSEC_TRY(seq.expect_end());
      return ConfirmedServiceResponse{std::move(x)};
    }
    case service::kWrite: {
      MMSSEC_TRY_ASSIGN(ber::Reader seq, r.enter(cons(service::kWrite)));
      WriteResponse x;
      MMSSEC_TRY_ASSIGN(const std::size_t n, count_elements(seq, limits));
      x.results.reserve(n);
      while (!seq.empty()) {
        if (seq.next_is(kWriteSuccess)) {
          MMSSEC_TRY(seq.read_null(kWriteSuccess));
          x.results.emplace_back(WriteSuccess{});
        } else {
          MMSSEC_TRY_ASSIGN(const DataAccessError e, read_data_access_error(seq, kWriteFailure));
          x.results.emplace_back(e);
        }
      }
      return ConfirmedServiceResponse{std::move(x)};
    }
    case service::kGetVariableAccessAttributes: {
      MMSSEC_TRY_ASSIGN(ber::Reader seq, r.enter(cons(service::kGetVariableAccessAttributes)));
      GetVariableAccessAttributesResponse x;
      MMSSEC_TRY_ASSIGN(x.mms_deletable, seq.read_boolean(kMmsDeletable));
      if (seq.next_is(kGvaaRespAddress)) {
        MMSSEC_TRY_ASSIGN(ber::Reader inner, seq.enter(kGvaaRespAddress));
        MMSSEC_TRY_ASSIGN(x.address, decode_address(inner, limits));
        MMSSEC_TRY(inner.expect_end());
      }
      MMSSEC_TRY_ASSIGN(ber::Reader ts, seq.enter(kTypeSpecification));
      MMSSEC_TRY_ASSIGN(x.type, decode_type_specification(ts, limits, 0));
      MMSSEC_TRY(ts.expect_end());
      if (!seq.empty()) return Error{Errc::unsupported_choice, seq.offset()};  // accessControlList, meaning
      return ConfirmedServiceResponse{std::move(x)};
    }
    case service::kDefineNamedVariableList: {
      MMSSEC_TRY(r.read_null(ctx(service::kDefineNamedVariableList)));
      return ConfirmedServiceResponse{DefineNamedVariableListResponse{}};
    }
    case service::kGetNamedVariableListAttributes: {
      MMSSEC_TRY_ASSIGN(ber::Reader seq, r.enter(cons(service::kGetNamedVariableListAttributes)));
      GetNamedVariableListAttributesResponse x;
      MMSSEC_TRY_ASSIGN(x.mms_deletable, seq.read_boolean(kMmsDeletable));
      MMSSEC_TRY_ASSIGN(ber::Reader list, seq.enter(kGnvlaListOfVariable));
      MMSSEC_TRY_ASSIGN(x.variables, decode_variable_defs(list, limits));
      if (!seq.empty()) return Error{Errc::unsupported_choice, seq.offset()};  // accessControlList
      return ConfirmedServiceResponse{std::move(x)};
    }
    case service::kDeleteNamedVariableList: {
      MMSSEC_TRY_ASSIGN(ber::Reader seq, r.enter(cons(service::kDeleteNamedVariableList)));
      DeleteNamedVariableListResponse x;
      MMSSEC_TRY_ASSIGN(x.number_matched, read_u32(seq, kNumberMatched));
      MMSSEC_TRY_ASSIGN(x.number_deleted, read_u32(seq, kNumberDeleted));
      MMSSEC_TRY(seq.expect_end());
      return ConfirmedServiceResponse{std::move(x)};
    }
    default: break;
  }
  return Error{Errc::unknown_service, at};
}

// ---------------------------------------------------------------------------------------------
// PDUs
// ---------------------------------------------------------------------------------------------

constexpr Tag pdu_tag(PduKind k, bool constructed) {
  return Tag{ber::TagClass::context, constructed, static_cast<std::uint32_t>(k)};
}
constexpr std::uint32_t kMaxPduTag = 13;

// Confirmed-ErrorPDU fields
constexpr Tag kErrorInvokeId = ctx(0);
constexpr Tag kModifierPosition = ctx(1);
constexpr Tag kErrorServiceError = cons(2);
// RejectPDU
constexpr Tag kOriginalInvokeId = ctx(0);
constexpr std::uint32_t kMinRejectClass = 1;
constexpr std::uint32_t kMaxRejectClass = 11;
// Cancel-ErrorPDU
constexpr Tag kCancelOriginalInvokeId = ctx(0);
constexpr Tag kCancelServiceError = cons(1);
// Unconfirmed-PDU / InformationReport
constexpr Tag kInformationReport = cons(service::kInformationReport);
constexpr Tag kReportListOfAccessResult = cons(0);
// Initiate
constexpr Tag kLocalDetail0 = ctx(0);
constexpr Tag kMaxServOutstandingCalling = ctx(1);
constexpr Tag kMaxServOutstandingCalled = ctx(2);
constexpr Tag kNestingLevel = ctx(3);
constexpr Tag kInitDetail = cons(4);
constexpr Tag kVersionNumber = ctx(0);
constexpr Tag kParameterCbb = ctx(1);
constexpr Tag kServicesSupported = ctx(2);

void encode_initiate(ber::Writer& w, const InitiateParameters& p, Tag t) {
  w.constructed(t, [&] {
    if (p.local_detail) w.integer(*p.local_detail, kLocalDetail0);
    w.integer(p.max_serv_outstanding_calling, kMaxServOutstandingCalling);
    w.integer(p.max_serv_outstanding_called, kMaxServOutstandingCalled);
    if (p.data_structure_nesting_level) w.integer(*p.data_structure_nesting_level, kNestingLevel);
    w.constructed(kInitDetail, [&] {
      w.integer(p.version_number, kVersionNumber);
      write_bits(w, p.parameter_cbb, kParameterCbb);
      write_bits(w, p.services_supported, kServicesSupported);
    });
  });
}

Result<InitiateParameters> decode_initiate(ber::Reader& r, Tag t, const Limits& limits) {
  MMSSEC_TRY_ASSIGN(ber::Reader seq, r.enter(t));
  InitiateParameters p;
  if (seq.next_is(kLocalDetail0)) {
    MMSSEC_TRY_ASSIGN(p.local_detail, read_signed<std::int32_t>(seq, kLocalDetail0));
  }
  MMSSEC_TRY_ASSIGN(p.max_serv_outstanding_calling,
                    read_signed<std::int16_t>(seq, kMaxServOutstandingCalling));
  MMSSEC_TRY_ASSIGN(p.max_serv_outstanding_called, read_signed<std::int16_t>(seq, kMaxServOutstandingCalled));
  if (seq.next_is(kNestingLevel)) {
    MMSSEC_TRY_ASSIGN(p.data_structure_nesting_level, read_signed<std::int8_t>(seq, kNestingLevel));
  }
  MMSSEC_TRY_ASSIGN(ber::Reader detail, seq.enter(kInitDetail));
  MMSSEC_TRY_ASSIGN(p.version_number, read_signed<std::int16_t>(detail, kVersionNumber));
  MMSSEC_TRY_ASSIGN(p.parameter_cbb, read_bits(detail, kParameterCbb, limits));
  MMSSEC_TRY_ASSIGN(p.services_supported, read_bits(detail, kServicesSupported, limits));
  MMSSEC_TRY(detail.expect_end());
  MMSSEC_TRY(seq.expect_end());
  return p;
}

Result<InvokeId> read_invoke_id(ber::Reader& r, Tag t, PduError& f) {
  MMSSEC_TRY_ASSIGN(const InvokeId id, read_u32(r, t, Errc::bad_invoke_id));
  f.invoke_id = id;
  return id;
}

/// After the service of a confirmed request/response/unconfirmed PDU: only service-ext could follow.
Status expect_pdu_end(const ber::Reader& seq) {
  if (seq.next_is(kServiceExt)) return Error{Errc::unsupported_choice, seq.offset()};
  return seq.expect_end();
}

Result<Pdu> decode_body(ber::Reader& r, PduKind kind, const Limits& limits, PduError& f) {
  switch (kind) {
    case PduKind::confirmed_request: {
      MMSSEC_TRY_ASSIGN(ber::Reader seq, r.enter(pdu_tag(kind, true)));
      ConfirmedRequestPdu p;
      MMSSEC_TRY_ASSIGN(p.invoke_id, read_invoke_id(seq, ber::tags::kInteger, f));
      if (seq.next_is(ber::tags::kSequence))
        return Error{Errc::unsupported_choice, seq.offset()};  // modifiers
      MMSSEC_TRY_ASSIGN(p.service, decode_request_service(seq, limits, f));
      MMSSEC_TRY(expect_pdu_end(seq));
      return Pdu{std::move(p)};
    }
    case PduKind::confirmed_response: {
      MMSSEC_TRY_ASSIGN(ber::Reader seq, r.enter(pdu_tag(kind, true)));
      ConfirmedResponsePdu p;
      MMSSEC_TRY_ASSIGN(p.invoke_id, read_invoke_id(seq, ber::tags::kInteger, f));
      MMSSEC_TRY_ASSIGN(p.service, decode_response_service(seq, limits, f));
      MMSSEC_TRY(expect_pdu_end(seq));
      return Pdu{std::move(p)};
    }
    case PduKind::confirmed_error: {
      MMSSEC_TRY_ASSIGN(ber::Reader seq, r.enter(pdu_tag(kind, true)));
      ConfirmedErrorPdu p;
      MMSSEC_TRY_ASSIGN(p.invoke_id, read_invoke_id(seq, kErrorInvokeId, f));
      if (seq.next_is(kModifierPosition)) {
        MMSSEC_TRY_ASSIGN(p.modifier_position, read_u32(seq, kModifierPosition));
      }
      MMSSEC_TRY_ASSIGN(p.error, decode_service_error(seq, kErrorServiceError, limits));
      MMSSEC_TRY(seq.expect_end());
      return Pdu{std::move(p)};
    }
    case PduKind::unconfirmed: {
      MMSSEC_TRY_ASSIGN(ber::Reader seq, r.enter(pdu_tag(kind, true)));
      const std::size_t at = seq.offset();
      MMSSEC_TRY_ASSIGN(const Tag t, peek(seq));
      if (t.cls != ber::TagClass::context) return Error{Errc::bad_pdu, at};
      f.service = t.number;
      if (t != kInformationReport) return Error{Errc::unknown_service, at};
      MMSSEC_TRY_ASSIGN(ber::Reader ir, seq.enter(kInformationReport));
      UnconfirmedPdu p;
      MMSSEC_TRY_ASSIGN(p.report.variables, decode_vas(ir, limits));
      MMSSEC_TRY_ASSIGN(p.report.results, decode_access_results(ir, kReportListOfAccessResult, limits));
      MMSSEC_TRY(ir.expect_end());
      MMSSEC_TRY(expect_pdu_end(seq));
      return Pdu{std::move(p)};
    }
    case PduKind::reject: {
      MMSSEC_TRY_ASSIGN(ber::Reader seq, r.enter(pdu_tag(kind, true)));
      RejectPdu p;
      if (seq.next_is(kOriginalInvokeId)) {
        MMSSEC_TRY_ASSIGN(p.original_invoke_id, read_invoke_id(seq, kOriginalInvokeId, f));
      }
      const std::size_t at = seq.offset();
      MMSSEC_TRY_ASSIGN(const Tag t, peek(seq));
      if (t.cls != ber::TagClass::context || t.constructed || t.number < kMinRejectClass ||
          t.number > kMaxRejectClass)
        return Error{Errc::bad_pdu, at};
      MMSSEC_TRY_ASSIGN(p.code, seq.read_int64(t));
      p.reject_class = static_cast<RejectClass>(t.number);
      MMSSEC_TRY(seq.expect_end());
      return Pdu{p};
    }
    case PduKind::cancel_request: {
      MMSSEC_TRY_ASSIGN(const InvokeId id, read_invoke_id(r, pdu_tag(kind, false), f));
      return Pdu{CancelRequestPdu{id}};
    }
    case PduKind::cancel_response: {
      MMSSEC_TRY_ASSIGN(const InvokeId id, read_invoke_id(r, pdu_tag(kind, false), f));
      return Pdu{CancelResponsePdu{id}};
    }
    case PduKind::cancel_error: {
      MMSSEC_TRY_ASSIGN(ber::Reader seq, r.enter(pdu_tag(kind, true)));
      CancelErrorPdu p;
      MMSSEC_TRY_ASSIGN(p.original_invoke_id, read_invoke_id(seq, kCancelOriginalInvokeId, f));
      MMSSEC_TRY_ASSIGN(p.error, decode_service_error(seq, kCancelServiceError, limits));
      MMSSEC_TRY(seq.expect_end());
      return Pdu{std::move(p)};
    }
    case PduKind::initiate_request: {
      MMSSEC_TRY_ASSIGN(InitiateParameters p, decode_initiate(r, pdu_tag(kind, true), limits));
      return Pdu{InitiateRequestPdu{std::move(p)}};
    }
    case PduKind::initiate_response: {
      MMSSEC_TRY_ASSIGN(InitiateParameters p, decode_initiate(r, pdu_tag(kind, true), limits));
      return Pdu{InitiateResponsePdu{std::move(p)}};
    }
    case PduKind::initiate_error: {
      MMSSEC_TRY_ASSIGN(ServiceError e, decode_service_error(r, pdu_tag(kind, true), limits));
      return Pdu{InitiateErrorPdu{std::move(e)}};
    }
    case PduKind::conclude_request: {
      MMSSEC_TRY(r.read_null(pdu_tag(kind, false)));
      return Pdu{ConcludeRequestPdu{}};
    }
    case PduKind::conclude_response: {
      MMSSEC_TRY(r.read_null(pdu_tag(kind, false)));
      return Pdu{ConcludeResponsePdu{}};
    }
    case PduKind::conclude_error: {
      MMSSEC_TRY_ASSIGN(ServiceError e, decode_service_error(r, pdu_tag(kind, true), limits));
      return Pdu{ConcludeErrorPdu{std::move(e)}};
    }
  }
  return Error{Errc::bad_pdu, r.offset()};
}

Result<Pdu> decode_top(ber::Reader& r, const Limits& limits, PduError& f) {
  const std::size_t at = r.offset();
  MMSSEC_TRY_ASSIGN(const Tag t, peek(r));
  if (t.cls != ber::TagClass::context || t.number > kMaxPduTag) {
    f.unknown_pdu_type = true;
    return Error{Errc::bad_pdu, at};
  }
  const auto kind = static_cast<PduKind>(t.number);
  f.kind = kind;
  MMSSEC_TRY_ASSIGN(Pdu pdu, decode_body(r, kind, limits, f));
  MMSSEC_TRY(r.expect_end());
  return pdu;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

BitStringValue make_bit_string(std::initializer_list<std::size_t> set_bits, std::size_t size_bits) {
  BitStringValue v;
  v.bytes.assign((size_bits + 7) / 8, 0);
  v.unused_bits = static_cast<std::uint8_t>(v.bytes.size() * 8 - size_bits);
  for (const std::size_t b : set_bits) {
    if (b < size_bits) v.bytes[b / 8] = static_cast<std::uint8_t>(v.bytes[b / 8] | (0x80U >> (b % 8)));
  }
  return v;
}

BitStringValue iec61850_client_services() {
  BitStringValue v;
  v.bytes.assign(kIec61850ClientServices.begin(), kIec61850ClientServices.end());
  v.unused_bits = static_cast<std::uint8_t>(v.bytes.size() * 8 - service_bit::kCount);
  return v;
}

BitStringValue iec61850_parameter_cbb() {
  BitStringValue v;
  v.bytes.assign(kIec61850ParameterCbb.begin(), kIec61850ParameterCbb.end());
  v.unused_bits = static_cast<std::uint8_t>(v.bytes.size() * 8 - parameter_bit::kCount);
  return v;
}

VariableAccessSpecification single_variable(ObjectName name) {
  ListOfVariable l;
  l.items.push_back(VariableDef{std::move(name), std::nullopt});
  return l;
}

bool operator==(const GetVariableAccessAttributesResponse& a, const GetVariableAccessAttributesResponse& b) {
  if (a.mms_deletable != b.mms_deletable || a.address != b.address) return false;
  if (!a.type || !b.type) return !a.type && !b.type;
  Bytes ea;
  Bytes eb;
  ber::Writer wa(ea);
  ber::Writer wb(eb);
  encode_type_specification(wa, *a.type);
  encode_type_specification(wb, *b.type);
  return ea == eb;
}

std::uint32_t service_tag(const ConfirmedServiceRequest& s) noexcept {
  static constexpr std::uint32_t kTags[] = {service::kStatus,
                                            service::kGetNameList,
                                            service::kIdentify,
                                            service::kRead,
                                            service::kWrite,
                                            service::kGetVariableAccessAttributes,
                                            service::kDefineNamedVariableList,
                                            service::kGetNamedVariableListAttributes,
                                            service::kDeleteNamedVariableList};
  return kTags[s.index()];
}

std::uint32_t service_tag(const ConfirmedServiceResponse& s) noexcept {
  static_assert(std::variant_size_v<ConfirmedServiceResponse> ==
                std::variant_size_v<ConfirmedServiceRequest>);
  static constexpr std::uint32_t kTags[] = {service::kStatus,
                                            service::kGetNameList,
                                            service::kIdentify,
                                            service::kRead,
                                            service::kWrite,
                                            service::kGetVariableAccessAttributes,
                                            service::kDefineNamedVariableList,
                                            service::kGetNamedVariableListAttributes,
                                            service::kDeleteNamedVariableList};
  return kTags[s.index()];
}

void encode_pdu(ber::Writer& w, const Pdu& pdu) {
  const PduKind kind = pdu.kind();
  std::visit(Overloaded{
                 [&](const ConfirmedRequestPdu& p) {
                   w.constructed(pdu_tag(kind, true), [&] {
                     w.unsigned_integer(p.invoke_id);
                     encode_request_service(w, p.service);
                   });
                 },
                 [&](const ConfirmedResponsePdu& p) {
                   w.constructed(pdu_tag(kind, true), [&] {
                     w.unsigned_integer(p.invoke_id);
                     encode_response_service(w, p.service);
                   });
                 },
                 [&](const ConfirmedErrorPdu& p) {
                   w.constructed(pdu_tag(kind, true), [&] {
                     w.unsigned_integer(p.invoke_id, kErrorInvokeId);
                     if (p.modifier_position) w.unsigned_integer(*p.modifier_position, kModifierPosition);
                     encode_service_error(w, p.error, kErrorServiceError);
                   });
                 },
                 [&](const UnconfirmedPdu& p) {
                   w.constructed(pdu_tag(kind, true), [&] {
                     w.constructed(kInformationReport, [&] {
                       encode_vas(w, p.report.variables);
                       encode_access_results(w, p.report.results, kReportListOfAccessResult);
                     });
                   });
                 },
                 [&](const RejectPdu& p) {
                   w.constructed(pdu_tag(kind, true), [&] {
                     if (p.original_invoke_id) w.unsigned_integer(*p.original_invoke_id, kOriginalInvokeId);
                     w.integer(p.code, ctx(static_cast<std::uint32_t>(p.reject_class)));
                   });
                 },
                 [&](const CancelRequestPdu& p) { w.unsigned_integer(p.invoke_id, pdu_tag(kind, false)); },
                 [&](const CancelResponsePdu& p) { w.unsigned_integer(p.invoke_id, pdu_tag(kind, false)); },
                 [&](const CancelErrorPdu& p) {
                   w.constructed(pdu_tag(kind, true), [&] {
                     w.unsigned_integer(p.original_invoke_id, kCancelOriginalInvokeId);
                     encode_service_error(w, p.error, kCancelServiceError);
                   });
                 },
                 [&](const InitiateRequestPdu& p) { encode_initiate(w, p.params, pdu_tag(kind, true)); },
                 [&](const InitiateResponsePdu& p) { encode_initiate(w, p.params, pdu_tag(kind, true)); },
                 [&](const InitiateErrorPdu& p) { encode_service_error(w, p.error, pdu_tag(kind, true)); },
                 [&](const ConcludeRequestPdu&) { w.null(pdu_tag(kind, false)); },
                 [&](const ConcludeResponsePdu&) { w.null(pdu_tag(kind, false)); },
                 [&](const ConcludeErrorPdu& p) { encode_service_error(w, p.error, pdu_tag(kind, true)); },
             },
             pdu.body);
}

Bytes encode_pdu(const Pdu& pdu) {
  // Most PDUs are small: one allocation instead of a doubling series from one octet up.
  constexpr std::size_t kInitialCapacity = 256;
  Bytes out;
  out.reserve(kInitialCapacity);
  ber::Writer w(out);
  encode_pdu(w, pdu);
  return out;
}

Result<Pdu> decode_pdu(ByteView data, const Limits& limits, PduError* failure, std::size_t base_offset) {
  PduError local;
  PduError& f = failure != nullptr ? *failure : local;
  f = PduError{};
  ber::Reader r(data, ber::ReaderOptions::from(limits), base_offset);
  Result<Pdu> res = decode_top(r, limits, f);
  if (!res) f.error = res.error();
  return res;
}

std::optional<RejectPdu> reject_for(const PduError& f) {
  namespace rc = reject_code;
  const std::error_code& ec = f.error.code;
  const bool unknown_service = ec == make_error_code(Errc::unknown_service);
  const bool bad_invoke = ec == make_error_code(Errc::bad_invoke_id);
  const bool recursion =
      ec == make_error_code(Errc::depth_exceeded) || ec == make_error_code(ber::Errc::depth_exceeded);
  const bool range =
      ec == make_error_code(Errc::value_out_of_range) || ec == make_error_code(ber::Errc::integer_overflow);

  if (f.unknown_pdu_type) return RejectPdu{std::nullopt, RejectClass::pdu_error, rc::kPduUnknownPduType};
  const RejectPdu invalid_pdu{std::nullopt, RejectClass::pdu_error, rc::kPduInvalidPdu};
  if (!f.kind) return invalid_pdu;
  const auto with_id = [&](RejectClass cls, std::int64_t code) -> std::optional<RejectPdu> {
    return RejectPdu{f.invoke_id, cls, code};
  };
  switch (*f.kind) {
    case PduKind::confirmed_request:
      if (bad_invoke) return with_id(RejectClass::confirmed_request, rc::kRequestInvalidInvokeId);
      if (!f.invoke_id) return invalid_pdu;
      if (unknown_service) return with_id(RejectClass::confirmed_request, rc::kRequestUnrecognizedService);
      if (recursion) return with_id(RejectClass::confirmed_request, rc::kRequestMaxRecursionExceeded);
      if (range) return with_id(RejectClass::confirmed_request, rc::kRequestValueOutOfRange);
      return with_id(RejectClass::confirmed_request, rc::kRequestInvalidArgument);
    case PduKind::confirmed_response:
      if (bad_invoke) return with_id(RejectClass::confirmed_response, rc::kResponseInvalidInvokeId);
      if (!f.invoke_id) return invalid_pdu;
      if (unknown_service) return with_id(RejectClass::confirmed_response, rc::kResponseUnrecognizedService);
      if (recursion) return with_id(RejectClass::confirmed_response, rc::kResponseMaxRecursionExceeded);
      if (range) return with_id(RejectClass::confirmed_response, rc::kResponseValueOutOfRange);
      return with_id(RejectClass::confirmed_response, rc::kResponseInvalidResult);
    case PduKind::confirmed_error:
      if (bad_invoke) return with_id(RejectClass::confirmed_error, rc::kErrorInvalidInvokeId);
      if (!f.invoke_id) return invalid_pdu;
      if (range) return with_id(RejectClass::confirmed_error, rc::kErrorValueOutOfRange);
      return with_id(RejectClass::confirmed_error, rc::kErrorInvalidServiceError);
    case PduKind::unconfirmed:
      if (unknown_service) return with_id(RejectClass::unconfirmed, rc::kUnconfirmedUnrecognizedService);
      if (recursion) return with_id(RejectClass::unconfirmed, rc::kUnconfirmedMaxRecursionExceeded);
      if (range) return with_id(RejectClass::unconfirmed, rc::kUnconfirmedValueOutOfRange);
      return with_id(RejectClass::unconfirmed, rc::kUnconfirmedInvalidArgument);
    case PduKind::reject: return std::nullopt;
    case PduKind::cancel_request:
      return with_id(RejectClass::cancel_request,
                     bad_invoke ? rc::kCancelRequestInvalidInvokeId : rc::kOther);
    case PduKind::cancel_response:
      return with_id(RejectClass::cancel_response,
                     bad_invoke ? rc::kCancelResponseInvalidInvokeId : rc::kOther);
    case PduKind::cancel_error:
      if (bad_invoke) return with_id(RejectClass::cancel_error, rc::kCancelErrorInvalidInvokeId);
      if (range) return with_id(RejectClass::cancel_error, rc::kCancelErrorValueOutOfRange);
      return with_id(RejectClass::cancel_error, rc::kCancelErrorInvalidServiceError);
    case PduKind::initiate_request:
    case PduKind::initiate_response:
    case PduKind::initiate_error: return invalid_pdu;
    case PduKind::conclude_request:
      return RejectPdu{std::nullopt, RejectClass::conclude_request, rc::kConcludeRequestInvalidArgument};
    case PduKind::conclude_response:
      return RejectPdu{std::nullopt, RejectClass::conclude_response, rc::kConcludeResponseInvalidResult};
    case PduKind::conclude_error:
      return RejectPdu{std::nullopt, RejectClass::conclude_error,
                       range ? rc::kConcludeErrorValueOutOfRange : rc::kConcludeErrorInvalidServiceError};
  }
  return invalid_pdu;
}

}  // namespace mmssec::mms
