// SPDX-License-Identifier: Apache-2.0
// X.227 ACSE APDU codecs (ACSE-1 module, EXPLICIT tagging by default). Decode and encode of each
// APDU sit side by side; each field's production is the comment above the code that handles it.
#include <algorithm>
#include <limits>
#include <utility>

#include "mmssec/acse/acse.hpp"
#include "mmssec/ber/ber.hpp"

namespace mmssec::acse {
namespace {

using ber::Tag;
using ber::Tlv;

// Field tags. "W" = explicit (constructed) wrapper, "I" = implicit.
// AARQ
constexpr Tag kAarqProtocolVersion = Tag::context(0);           // [0] IMPLICIT BIT STRING
constexpr Tag kAarqContextName = Tag::context_cons(1);          // [1] EXPLICIT OID
constexpr Tag kAarqCalledApTitle = Tag::context_cons(2);        // [2] AP-title
constexpr Tag kAarqCalledAeQualifier = Tag::context_cons(3);    // [3] AE-qualifier
constexpr Tag kAarqCalledApInvocation = Tag::context_cons(4);   // [4] INTEGER
constexpr Tag kAarqCalledAeInvocation = Tag::context_cons(5);   // [5] INTEGER
constexpr Tag kAarqCallingApTitle = Tag::context_cons(6);       // [6] AP-title
constexpr Tag kAarqCallingAeQualifier = Tag::context_cons(7);   // [7] AE-qualifier
constexpr Tag kAarqCallingApInvocation = Tag::context_cons(8);  // [8] INTEGER
constexpr Tag kAarqCallingAeInvocation = Tag::context_cons(9);  // [9] INTEGER
constexpr Tag kAarqSenderRequirements = Tag::context(10);       // [10] IMPLICIT BIT STRING
constexpr Tag kAarqMechanismName = Tag::context(11);            // [11] IMPLICIT OID
constexpr Tag kAarqAuthValue = Tag::context_cons(12);           // [12] EXPLICIT Authentication-value
constexpr Tag kAarqContextNameList = Tag::context_cons(13);     // [13] IMPLICIT SEQUENCE OF OID
constexpr std::uint32_t kAarqFirstExtension = 14;               // [14]..[16] extension additions
constexpr std::uint32_t kAarqLastExtension = 16;
// AARE
constexpr Tag kAareProtocolVersion = Tag::context(0);
constexpr Tag kAareContextName = Tag::context_cons(1);
constexpr Tag kAareResult = Tag::context_cons(2);      // [2] EXPLICIT INTEGER
constexpr Tag kAareDiagnostic = Tag::context_cons(3);  // [3] EXPLICIT CHOICE
constexpr Tag kAareRespondingApTitle = Tag::context_cons(4);
constexpr Tag kAareRespondingAeQualifier = Tag::context_cons(5);
constexpr Tag kAareRespondingApInvocation = Tag::context_cons(6);
constexpr Tag kAareRespondingAeInvocation = Tag::context_cons(7);
constexpr Tag kAareResponderRequirements = Tag::context(8);  // [8] IMPLICIT BIT STRING
constexpr Tag kAareMechanismName = Tag::context(9);          // [9] IMPLICIT OID
constexpr Tag kAareAuthValue = Tag::context_cons(10);        // [10] EXPLICIT Authentication-value
constexpr Tag kAareContextNameList = Tag::context_cons(11);  // [11] IMPLICIT SEQUENCE OF OID
constexpr std::uint32_t kAareFirstExtension = 12;            // [12]..[14] extension additions
constexpr std::uint32_t kAareLastExtension = 14;
// Associate-source-diagnostic alternatives
constexpr Tag kDiagServiceUser = Tag::context_cons(1);
constexpr Tag kDiagServiceProvider = Tag::context_cons(2);
// RLRQ / RLRE / ABRT
constexpr Tag kReleaseReason = Tag::context(0);       // [0] IMPLICIT INTEGER
constexpr Tag kAbortSource = Tag::context(0);         // [0] IMPLICIT INTEGER
constexpr Tag kAbortDiagnostic = Tag::context(1);     // [1] IMPLICIT ENUMERATED
constexpr std::uint32_t kReleaseFirstExtension = 13;  // aso-qualifier [13], asoi-identifier [14]
constexpr std::uint32_t kReleaseLastExtension = 14;
// Common
constexpr Tag kImplementationInformation = Tag::context(29);  // [29] IMPLICIT GraphicString
constexpr Tag kUserInformation = Tag::context_cons(30);       // [30] IMPLICIT SEQUENCE OF EXTERNAL
// Authentication-value alternatives
constexpr Tag kAuthCharstring = Tag::context(0);     // [0] IMPLICIT GraphicString
constexpr Tag kAuthBitstring = Tag::context(1);      // [1] IMPLICIT BIT STRING
constexpr Tag kAuthExternal = Tag::context_cons(2);  // [2] IMPLICIT EXTERNAL
constexpr Tag kAuthOther = Tag::context_cons(3);     // [3] IMPLICIT SEQUENCE
constexpr Tag kPrintableString = ber::tags::kPrintableString;

// ============================================================================================
// Decoding helpers
// ============================================================================================

struct Ctx {
  const Limits& limits;
  ber::ReaderOptions opts;
};

/// True when the next element has tag `t`; false at the end or for another tag; the BER error
/// when the next element is malformed (so a broken optional field is never silently skipped).
Result<bool> next_has(const ber::Reader& r, Tag t) {
  if (r.empty()) return false;
  ber::Reader probe = r;
  MMSSEC_TRY_ASSIGN(const Tlv tlv, probe.read_any());
  return tlv.tag == t;
}

/// Every constructed element below a verbatim-kept value is checked to be well-formed too.
Status validate_tree(ber::Reader r) {
  while (!r.empty()) {
    MMSSEC_TRY_ASSIGN(const Tlv tlv, r.read_any());
    if (tlv.tag.constructed) {
      MMSSEC_TRY_ASSIGN(ber::Reader child, r.enter(tlv));
      MMSSEC_TRY(validate_tree(child));
    }
  }
  return {};
}

bool is_printable(char c) {
  // X.680 PrintableString: letters, digits, space and ' ( ) + , - . / : = ?
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case ' ':
    case '\'':
    case '(':
    case ')':
    case '+':
    case ',':
    case '-':
    case '.':
    case '/':
    case ':':
    case '=':
    case '?': return true;
    default: return false;
  }
}

Result<std::string> printable_string(const Tlv& tlv) {
  if (tlv.tag.constructed) return Error{ber::Errc::primitive_expected, tlv.offset};
  std::string s(tlv.content.begin(), tlv.content.end());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (!is_printable(s[i])) return Error{ber::Errc::bad_string, tlv.content_offset + i};
  }
  return s;
}

/// GraphicString is not interpreted (ISO 2022 escapes allowed); C0 controls other than ESC and
/// DEL are refused.
Result<std::string> graphic_string(ber::Reader& r, Tag t) {
  const std::size_t at = r.offset();
  MMSSEC_TRY_ASSIGN(const ByteView v, r.read_octet_string(t));
  for (std::size_t i = 0; i < v.size(); ++i) {
    if ((v[i] < 0x20 && v[i] != 0x1B) || v[i] == 0x7F) return Error{ber::Errc::bad_string, at + i};
  }
  return std::string(v.begin(), v.end());
}

Result<BitField> bit_field(ber::Reader& r, Tag t) {
  MMSSEC_TRY_ASSIGN(const ber::BitString bs, r.read_bit_string(t));
  return BitField{Bytes(bs.bytes.begin(), bs.bytes.end()), bs.unused_bits};
}

/// EXTERNAL through ber::Reader, plus the check X.690 8.6.2.3 makes on the arbitrary [2] BIT STRING
/// alternative (no unused bits without subsequent octets) that the BER layer leaves out.
Result<ber::External> external(ber::Reader& r, Tag t) {
  const std::size_t at = r.offset();
  MMSSEC_TRY_ASSIGN(ber::External e, r.read_external(t));
  if (e.encoding == ber::External::Encoding::arbitrary && e.data.empty() && e.unused_bits != 0)
    return Error{ber::Errc::bad_bit_string, at};
  return e;
}

/// [n] EXPLICIT OBJECT IDENTIFIER
Result<ber::Oid> explicit_oid(const ber::Reader& parent, const Tlv& wrapper) {
  MMSSEC_TRY_ASSIGN(ber::Reader in, parent.enter(wrapper));
  MMSSEC_TRY_ASSIGN(ber::Oid oid, in.read_oid());
  MMSSEC_TRY(in.expect_end());
  return oid;
}

/// [n] EXPLICIT INTEGER
Result<std::int64_t> explicit_int(const ber::Reader& parent, const Tlv& wrapper) {
  MMSSEC_TRY_ASSIGN(ber::Reader in, parent.enter(wrapper));
  MMSSEC_TRY_ASSIGN(const std::int64_t v, in.read_int64());
  MMSSEC_TRY(in.expect_end());
  return v;
}

/// An INTEGER (or ENUMERATED) read with `t` that must be one of `allowed`.
template <class E, std::size_t N>
Result<E> named_int(ber::Reader& r, Tag t, const E (&allowed)[N]) {
  const std::size_t at = r.offset();
  MMSSEC_TRY_ASSIGN(const std::int64_t v, r.read_int64(t));
  for (const E e : allowed) {
    if (static_cast<std::int64_t>(e) == v) return e;
  }
  return Error{Errc::value_out_of_range, at};
}

/// AP-title ::= CHOICE { ap-title-form1 Name, ap-title-form2 OBJECT IDENTIFIER,
///                       ..., ap-title-form3 PrintableString }   (inside an EXPLICIT wrapper)
Result<ApTitle> ap_title(const Ctx& ctx, const ber::Reader& parent, const Tlv& wrapper) {
  MMSSEC_TRY_ASSIGN(ber::Reader in, parent.enter(wrapper));
  MMSSEC_TRY_ASSIGN(const Tlv v, in.read_any());
  MMSSEC_TRY(in.expect_end());
  ApTitle t;
  if (v.tag == ber::tags::kOid) {
    t.form = ApTitle::Form::form2;
    MMSSEC_TRY_ASSIGN(t.oid, ber::Oid::decode(v.content, v.content_offset, ctx.opts.max_oid_arcs));
  } else if (v.tag == ber::tags::kSequence) {
    // Name ::= CHOICE { rdnSequence RDNSequence }: kept verbatim after a well-formedness walk.
    MMSSEC_TRY_ASSIGN(ber::Reader name, in.enter(v));
    MMSSEC_TRY(validate_tree(name));
    t.form = ApTitle::Form::form1;
    t.name.assign(wrapper.content.begin(), wrapper.content.end());
  } else if (v.tag == kPrintableString) {
    t.form = ApTitle::Form::form3;
    MMSSEC_TRY_ASSIGN(t.text, printable_string(v));
  } else {
    return Error{Errc::bad_choice, v.offset};
  }
  return t;
}

/// AE-qualifier ::= CHOICE { form1 RelativeDistinguishedName, form2 INTEGER,
///                           ..., form3 PrintableString }   (inside an EXPLICIT wrapper)
Result<AeQualifier> ae_qualifier(const ber::Reader& parent, const Tlv& wrapper) {
  MMSSEC_TRY_ASSIGN(ber::Reader in, parent.enter(wrapper));
  ber::Reader probe = in;
  MMSSEC_TRY_ASSIGN(const Tlv v, probe.read_any());
  AeQualifier q;
  if (v.tag == ber::tags::kInteger) {
    q.form = AeQualifier::Form::form2;
    MMSSEC_TRY_ASSIGN(q.value, in.read_int64());
  } else if (v.tag == ber::tags::kSet) {
    MMSSEC_TRY_ASSIGN(ber::Reader rdn, in.enter(ber::tags::kSet));
    MMSSEC_TRY(validate_tree(rdn));
    q.form = AeQualifier::Form::form1;
    q.rdn.assign(wrapper.content.begin(), wrapper.content.end());
  } else if (v.tag == kPrintableString) {
    q.form = AeQualifier::Form::form3;
    MMSSEC_TRY_ASSIGN(q.text, printable_string(v));
    MMSSEC_TRY(in.read(kPrintableString));
  } else {
    return Error{Errc::bad_choice, v.offset};
  }
  MMSSEC_TRY(in.expect_end());
  return q;
}

/// Authentication-value ::= CHOICE {
///   charstring [0] IMPLICIT GraphicString, bitstring [1] IMPLICIT BIT STRING,
///   external [2] IMPLICIT EXTERNAL,
///   other [3] IMPLICIT SEQUENCE { other-mechanism-name OBJECT IDENTIFIER,
///                                 other-mechanism-value ANY } }   (inside an EXPLICIT wrapper)
Result<AuthenticationValue> authentication_value(const Ctx& ctx, const ber::Reader& parent,
                                                 const Tlv& wrapper) {
  // Limit checked on the wrapper before anything is copied.
  if (wrapper.content.size() > ctx.limits.acse_max_authentication_value)
    return Error{Errc::authentication_value_too_large, wrapper.offset};
  MMSSEC_TRY_ASSIGN(ber::Reader in, parent.enter(wrapper));
  ber::Reader probe = in;
  MMSSEC_TRY_ASSIGN(const Tlv v, probe.read_any());
  AuthenticationValue a;
  if (v.tag == kAuthCharstring) {
    a.kind = AuthenticationValue::Kind::charstring;
    MMSSEC_TRY_ASSIGN(a.charstring, graphic_string(in, kAuthCharstring));
  } else if (v.tag == kAuthBitstring) {
    a.kind = AuthenticationValue::Kind::bitstring;
    MMSSEC_TRY_ASSIGN(a.bitstring, bit_field(in, kAuthBitstring));
  } else if (v.tag == kAuthExternal) {
    a.kind = AuthenticationValue::Kind::external;
    MMSSEC_TRY_ASSIGN(a.external, external(in, kAuthExternal));
  } else if (v.tag == kAuthOther) {
    a.kind = AuthenticationValue::Kind::other;
    MMSSEC_TRY_ASSIGN(const Tlv seq_tlv, in.read(kAuthOther));
    MMSSEC_TRY_ASSIGN(ber::Reader seq, in.enter(seq_tlv));
    if (seq.empty()) return Error{Errc::missing_field, seq.offset()};
    MMSSEC_TRY_ASSIGN(const Tlv name, seq.read(ber::tags::kOid));
    MMSSEC_TRY_ASSIGN(a.other_mechanism_name,
                      ber::Oid::decode(name.content, name.content_offset, ctx.opts.max_oid_arcs));
    if (seq.empty()) return Error{Errc::missing_field, seq.offset()};
    MMSSEC_TRY_ASSIGN(const Tlv value, seq.read_any());
    MMSSEC_TRY(seq.expect_end());
    if (value.tag.constructed) {
      MMSSEC_TRY_ASSIGN(ber::Reader inner, seq.enter(value));
      MMSSEC_TRY(validate_tree(inner));
    }
    const ByteView rest = seq_tlv.content.subspan(name.total_size);
    a.other_mechanism_value.assign(rest.begin(), rest.end());
  } else {
    return Error{Errc::bad_choice, v.offset};
  }
  MMSSEC_TRY(in.expect_end());
  return a;
}

/// Association-information ::= SEQUENCE OF EXTERNAL   ([30] IMPLICIT)
Result<UserInformation> user_information(const Ctx& ctx, const ber::Reader& parent, const Tlv& tlv) {
  MMSSEC_TRY_ASSIGN(ber::Reader in, parent.enter(tlv));
  UserInformation ui;
  while (!in.empty()) {
    if (ui.size() >= ctx.limits.acse_max_user_information)
      return Error{Errc::too_many_user_information, in.offset()};
    MMSSEC_TRY_ASSIGN(ber::External e, external(in, ber::tags::kExternal));
    ui.push_back(std::move(e));
  }
  return ui;
}

/// ASO-context-name-list ::= SEQUENCE OF OBJECT IDENTIFIER   (IMPLICIT)
Result<std::vector<ber::Oid>> context_name_list(const Ctx& ctx, const ber::Reader& parent, const Tlv& tlv) {
  MMSSEC_TRY_ASSIGN(ber::Reader in, parent.enter(tlv));
  std::vector<ber::Oid> list;
  while (!in.empty()) {
    if (list.size() >= ctx.opts.max_elements) return Error{ber::Errc::too_many_elements, in.offset()};
    MMSSEC_TRY_ASSIGN(ber::Oid o, in.read_oid());
    list.push_back(std::move(o));
  }
  return list;
}

/// Optional constructed field: read it if present, then run `decode(tlv)`.
template <class T, class F>
Status optional_cons(ber::Reader& r, Tag t, std::optional<T>& field, F&& decode) {
  MMSSEC_TRY_ASSIGN(const bool has, next_has(r, t));
  if (!has) return {};
  MMSSEC_TRY_ASSIGN(const Tlv tlv, r.read(t));
  MMSSEC_TRY_ASSIGN(T value, decode(tlv));
  field = std::move(value);
  return {};
}

/// Extension additions this implementation does not use: checked for well-formedness, skipped.
Status skip_extensions(ber::Reader& r, std::uint32_t first, std::uint32_t last) {
  while (!r.empty()) {
    ber::Reader probe = r;
    MMSSEC_TRY_ASSIGN(const Tlv tlv, probe.read_any());
    if (tlv.tag.cls != ber::TagClass::context || tlv.tag.number < first || tlv.tag.number > last) break;
    MMSSEC_TRY_ASSIGN(const Tlv skipped, r.read_any());
    if (skipped.tag.constructed) {
      MMSSEC_TRY_ASSIGN(ber::Reader inner, r.enter(skipped));
      MMSSEC_TRY(validate_tree(inner));
    }
  }
  return {};
}

/// Every remaining element is one the production does not allow here.
Status expect_no_more_fields(const ber::Reader& r) {
  if (r.empty()) return {};
  return Error{Errc::unexpected_field, r.offset()};
}

/// protocol-version [0] IMPLICIT BIT STRING { version1(0) } DEFAULT { version1 }
Status protocol_version(ber::Reader& r, Tag t, std::optional<BitField>& field) {
  MMSSEC_TRY_ASSIGN(const bool has, next_has(r, t));
  if (!has) return {};
  // Kept as sent; whether version1 is offered is the association's decision (it answers an AARQ
  // without version1 with an AARE rejected-permanent, no-common-acse-version).
  MMSSEC_TRY_ASSIGN(BitField v, bit_field(r, t));
  field = std::move(v);
  return {};
}

Status optional_bits(ber::Reader& r, Tag t, std::optional<BitField>& field) {
  MMSSEC_TRY_ASSIGN(const bool has, next_has(r, t));
  if (!has) return {};
  MMSSEC_TRY_ASSIGN(BitField v, bit_field(r, t));
  field = std::move(v);
  return {};
}

Status optional_implicit_oid(ber::Reader& r, Tag t, std::optional<ber::Oid>& field) {
  MMSSEC_TRY_ASSIGN(const bool has, next_has(r, t));
  if (!has) return {};
  MMSSEC_TRY_ASSIGN(ber::Oid v, r.read_oid(t));
  field = std::move(v);
  return {};
}

Status optional_graphic(ber::Reader& r, Tag t, std::optional<std::string>& field) {
  MMSSEC_TRY_ASSIGN(const bool has, next_has(r, t));
  if (!has) return {};
  MMSSEC_TRY_ASSIGN(std::string v, graphic_string(r, t));
  field = std::move(v);
  return {};
}

Status optional_user_information(const Ctx& ctx, ber::Reader& r, std::optional<UserInformation>& field) {
  return optional_cons(r, kUserInformation, field,
                       [&](const Tlv& tlv) { return user_information(ctx, r, tlv); });
}

// ============================================================================================
// AARQ
// ============================================================================================

Result<Aarq> decode_aarq(const Ctx& ctx, ber::Reader& r) {
  Aarq a;
  auto title = [&](const Tlv& t) { return ap_title(ctx, r, t); };
  auto qualifier = [&](const Tlv& t) { return ae_qualifier(r, t); };
  auto integer = [&](const Tlv& t) { return explicit_int(r, t); };
  MMSSEC_TRY(protocol_version(r, kAarqProtocolVersion, a.protocol_version));
  // application-context-name [1] Application-context-name (EXPLICIT OBJECT IDENTIFIER)
  {
    MMSSEC_TRY_ASSIGN(const bool has, next_has(r, kAarqContextName));
    if (!has) return Error{Errc::missing_field, r.offset()};
    MMSSEC_TRY_ASSIGN(const Tlv t, r.read(kAarqContextName));
    MMSSEC_TRY_ASSIGN(a.application_context_name, explicit_oid(r, t));
  }
  MMSSEC_TRY(optional_cons(r, kAarqCalledApTitle, a.called_ap_title, title));
  MMSSEC_TRY(optional_cons(r, kAarqCalledAeQualifier, a.called_ae_qualifier, qualifier));
  MMSSEC_TRY(optional_cons(r, kAarqCalledApInvocation, a.called_ap_invocation_id, integer));
  MMSSEC_TRY(optional_cons(r, kAarqCalledAeInvocation, a.called_ae_invocation_id, integer));
  MMSSEC_TRY(optional_cons(r, kAarqCallingApTitle, a.calling_ap_title, title));
  MMSSEC_TRY(optional_cons(r, kAarqCallingAeQualifier, a.calling_ae_qualifier, qualifier));
  MMSSEC_TRY(optional_cons(r, kAarqCallingApInvocation, a.calling_ap_invocation_id, integer));
  MMSSEC_TRY(optional_cons(r, kAarqCallingAeInvocation, a.calling_ae_invocation_id, integer));
  // sender-acse-requirements [10] IMPLICIT ACSE-requirements OPTIONAL
  MMSSEC_TRY(optional_bits(r, kAarqSenderRequirements, a.sender_acse_requirements));
  // mechanism-name [11] IMPLICIT Mechanism-name OPTIONAL
  MMSSEC_TRY(optional_implicit_oid(r, kAarqMechanismName, a.mechanism_name));
  // calling-authentication-value [12] EXPLICIT Authentication-value OPTIONAL
  MMSSEC_TRY(optional_cons(r, kAarqAuthValue, a.calling_authentication_value,
                           [&](const Tlv& t) { return authentication_value(ctx, r, t); }));
  // application-context-name-list [13] IMPLICIT ASO-context-name-list OPTIONAL (tolerated)
  MMSSEC_TRY(optional_cons(r, kAarqContextNameList, a.application_context_name_list,
                           [&](const Tlv& t) { return context_name_list(ctx, r, t); }));
  // implementation-information [29] IMPLICIT Implementation-data OPTIONAL
  MMSSEC_TRY(optional_graphic(r, kImplementationInformation, a.implementation_information));
  // ..., p-context-definition-list [14], called-asoi-tag [15], calling-asoi-tag [16] (skipped)
  MMSSEC_TRY(skip_extensions(r, kAarqFirstExtension, kAarqLastExtension));
  // user-information [30] IMPLICIT Association-data OPTIONAL
  MMSSEC_TRY(optional_user_information(ctx, r, a.user_information));
  MMSSEC_TRY(expect_no_more_fields(r));
  return a;
}

// ============================================================================================
// AARE
// ============================================================================================

constexpr AssociateResult kResults[] = {AssociateResult::accepted, AssociateResult::rejected_permanent,
                                        AssociateResult::rejected_transient};
constexpr UserDiagnostic kUserDiagnostics[] = {
    UserDiagnostic::null,
    UserDiagnostic::no_reason_given,
    UserDiagnostic::application_context_name_not_supported,
    UserDiagnostic::calling_ap_title_not_recognized,
    UserDiagnostic::calling_ap_invocation_id_not_recognized,
    UserDiagnostic::calling_ae_qualifier_not_recognized,
    UserDiagnostic::calling_ae_invocation_id_not_recognized,
    UserDiagnostic::called_ap_title_not_recognized,
    UserDiagnostic::called_ap_invocation_id_not_recognized,
    UserDiagnostic::called_ae_qualifier_not_recognized,
    UserDiagnostic::called_ae_invocation_id_not_recognized,
    UserDiagnostic::authentication_mechanism_name_not_recognized,
    UserDiagnostic::authentication_mechanism_name_required,
    UserDiagnostic::authentication_failure,
    UserDiagnostic::authentication_required,
};
constexpr ProviderDiagnostic kProviderDiagnostics[] = {ProviderDiagnostic::null,
                                                       ProviderDiagnostic::no_reason_given,
                                                       ProviderDiagnostic::no_common_acse_version};

/// Associate-source-diagnostic ::= CHOICE { acse-service-user [1] INTEGER {...},
///                                          acse-service-provider [2] INTEGER {...} }
Result<SourceDiagnostic> source_diagnostic(const ber::Reader& parent, const Tlv& wrapper) {
  MMSSEC_TRY_ASSIGN(ber::Reader in, parent.enter(wrapper));
  ber::Reader probe = in;
  MMSSEC_TRY_ASSIGN(const Tlv v, probe.read_any());
  SourceDiagnostic d;
  if (v.tag == kDiagServiceUser) {
    MMSSEC_TRY_ASSIGN(ber::Reader alt, in.enter(kDiagServiceUser));
    MMSSEC_TRY_ASSIGN(d, named_int(alt, ber::tags::kInteger, kUserDiagnostics));
    MMSSEC_TRY(alt.expect_end());
  } else if (v.tag == kDiagServiceProvider) {
    MMSSEC_TRY_ASSIGN(ber::Reader alt, in.enter(kDiagServiceProvider));
    MMSSEC_TRY_ASSIGN(d, named_int(alt, ber::tags::kInteger, kProviderDiagnostics));
    MMSSEC_TRY(alt.expect_end());
  } else {
    return Error{Errc::bad_choice, v.offset};
  }
  MMSSEC_TRY(in.expect_end());
  return d;
}

Result<Aare> decode_aare(const Ctx& ctx, ber::Reader& r) {
  Aare a;
  auto title = [&](const Tlv& t) { return ap_title(ctx, r, t); };
  auto qualifier = [&](const Tlv& t) { return ae_qualifier(r, t); };
  auto integer = [&](const Tlv& t) { return explicit_int(r, t); };
  MMSSEC_TRY(protocol_version(r, kAareProtocolVersion, a.protocol_version));
  // application-context-name [1] Application-context-name
  {
    MMSSEC_TRY_ASSIGN(const bool has, next_has(r, kAareContextName));
    if (!has) return Error{Errc::missing_field, r.offset()};
    MMSSEC_TRY_ASSIGN(const Tlv t, r.read(kAareContextName));
    MMSSEC_TRY_ASSIGN(a.application_context_name, explicit_oid(r, t));
  }
  // result [2] Associate-result
  {
    MMSSEC_TRY_ASSIGN(const bool has, next_has(r, kAareResult));
    if (!has) return Error{Errc::missing_field, r.offset()};
    MMSSEC_TRY_ASSIGN(ber::Reader in, r.enter(kAareResult));
    MMSSEC_TRY_ASSIGN(a.result, named_int(in, ber::tags::kInteger, kResults));
    MMSSEC_TRY(in.expect_end());
  }
  // result-source-diagnostic [3] Associate-source-diagnostic
  {
    MMSSEC_TRY_ASSIGN(const bool has, next_has(r, kAareDiagnostic));
    if (!has) return Error{Errc::missing_field, r.offset()};
    MMSSEC_TRY_ASSIGN(const Tlv t, r.read(kAareDiagnostic));
    MMSSEC_TRY_ASSIGN(a.diagnostic, source_diagnostic(r, t));
  }
  MMSSEC_TRY(optional_cons(r, kAareRespondingApTitle, a.responding_ap_title, title));
  MMSSEC_TRY(optional_cons(r, kAareRespondingAeQualifier, a.responding_ae_qualifier, qualifier));
  MMSSEC_TRY(optional_cons(r, kAareRespondingApInvocation, a.responding_ap_invocation_id, integer));
  MMSSEC_TRY(optional_cons(r, kAareRespondingAeInvocation, a.responding_ae_invocation_id, integer));
  // responder-acse-requirements [8] IMPLICIT ACSE-requirements OPTIONAL
  MMSSEC_TRY(optional_bits(r, kAareResponderRequirements, a.responder_acse_requirements));
  // mechanism-name [9] IMPLICIT Mechanism-name OPTIONAL
  MMSSEC_TRY(optional_implicit_oid(r, kAareMechanismName, a.mechanism_name));
  // responding-authentication-value [10] EXPLICIT Authentication-value OPTIONAL
  MMSSEC_TRY(optional_cons(r, kAareAuthValue, a.responding_authentication_value,
                           [&](const Tlv& t) { return authentication_value(ctx, r, t); }));
  // application-context-name-list [11] IMPLICIT ASO-context-name-list OPTIONAL
  MMSSEC_TRY(optional_cons(r, kAareContextNameList, a.application_context_name_list,
                           [&](const Tlv& t) { return context_name_list(ctx, r, t); }));
  // implementation-information [29] IMPLICIT Implementation-data OPTIONAL
  MMSSEC_TRY(optional_graphic(r, kImplementationInformation, a.implementation_information));
  // ..., p-context-result-list [12], called-asoi-tag [13], calling-asoi-tag [14] (skipped)
  MMSSEC_TRY(skip_extensions(r, kAareFirstExtension, kAareLastExtension));
  // user-information [30] IMPLICIT Association-data OPTIONAL
  MMSSEC_TRY(optional_user_information(ctx, r, a.user_information));
  MMSSEC_TRY(expect_no_more_fields(r));
  return a;
}

// ============================================================================================
// RLRQ, RLRE, ABRT
// ============================================================================================

constexpr ReleaseRequestReason kRequestReasons[] = {
    ReleaseRequestReason::normal, ReleaseRequestReason::urgent, ReleaseRequestReason::user_defined};
constexpr ReleaseResponseReason kResponseReasons[] = {
    ReleaseResponseReason::normal, ReleaseResponseReason::not_finished, ReleaseResponseReason::user_defined};
constexpr AbortSource kAbortSources[] = {AbortSource::service_user, AbortSource::service_provider};
constexpr AbortDiagnostic kAbortDiagnostics[] = {
    AbortDiagnostic::no_reason_given,
    AbortDiagnostic::protocol_error,
    AbortDiagnostic::authentication_mechanism_name_not_recognized,
    AbortDiagnostic::authentication_mechanism_name_required,
    AbortDiagnostic::authentication_failure,
    AbortDiagnostic::authentication_required,
};

template <class E, std::size_t N>
Status optional_named_int(ber::Reader& r, Tag t, const E (&allowed)[N], std::optional<E>& field) {
  MMSSEC_TRY_ASSIGN(const bool has, next_has(r, t));
  if (!has) return {};
  MMSSEC_TRY_ASSIGN(const E v, named_int(r, t, allowed));
  field = v;
  return {};
}

/// RLRQ-apdu / RLRE-apdu: reason [0] IMPLICIT ... OPTIONAL, ..., aso-qualifier [13],
/// asoi-identifier [14] (skipped), user-information [30] IMPLICIT Association-data OPTIONAL
template <class Apdu, class E, std::size_t N>
Result<Apdu> decode_release(const Ctx& ctx, ber::Reader& r, const E (&reasons)[N]) {
  Apdu a;
  MMSSEC_TRY(optional_named_int(r, kReleaseReason, reasons, a.reason));
  MMSSEC_TRY(skip_extensions(r, kReleaseFirstExtension, kReleaseLastExtension));
  MMSSEC_TRY(optional_user_information(ctx, r, a.user_information));
  MMSSEC_TRY(expect_no_more_fields(r));
  return a;
}

Result<Abrt> decode_abrt(const Ctx& ctx, ber::Reader& r) {
  Abrt a;
  // abort-source [0] IMPLICIT ABRT-source
  {
    MMSSEC_TRY_ASSIGN(const bool has, next_has(r, kAbortSource));
    if (!has) return Error{Errc::missing_field, r.offset()};
    MMSSEC_TRY_ASSIGN(a.source, named_int(r, kAbortSource, kAbortSources));
  }
  // abort-diagnostic [1] IMPLICIT ABRT-diagnostic OPTIONAL
  MMSSEC_TRY(optional_named_int(r, kAbortDiagnostic, kAbortDiagnostics, a.diagnostic));
  MMSSEC_TRY(skip_extensions(r, kReleaseFirstExtension, kReleaseLastExtension));
  // user-information [30] IMPLICIT Association-data OPTIONAL
  MMSSEC_TRY(optional_user_information(ctx, r, a.user_information));
  MMSSEC_TRY(expect_no_more_fields(r));
  return a;
}

// ============================================================================================
// Encoding
// ============================================================================================

Status check_oid(const ber::Oid& o) {
  const auto& a = o.arcs();
  if (a.size() < 2 || a[0] > 2 || (a[0] < 2 && a[1] >= 40) ||
      a[1] > std::numeric_limits<std::uint64_t>::max() - 80)
    return CoreErrc::invalid_argument;
  return {};
}

Status check_one_tlv(ByteView v) {
  auto tlv = ber::decode_single(v);
  if (!tlv) return CoreErrc::invalid_argument;
  return {};
}

Status check_bits(const BitField& b) {
  if (b.unused_bits > 7 || (b.bytes.empty() && b.unused_bits != 0)) return CoreErrc::invalid_argument;
  return {};
}

Status check_external(const ber::External& e) {
  if (e.direct_reference) MMSSEC_TRY(check_oid(*e.direct_reference));
  if (e.encoding == ber::External::Encoding::single_asn1_type) MMSSEC_TRY(check_one_tlv(e.data));
  if (e.encoding == ber::External::Encoding::arbitrary &&
      (e.unused_bits > 7 || (e.data.empty() && e.unused_bits != 0)))
    return CoreErrc::invalid_argument;
  return {};
}

class Encoder {
 public:
  explicit Encoder(Bytes& out) : w_(out) {}

  Status bits(const std::optional<BitField>& b, Tag t) {
    if (!b) return {};
    MMSSEC_TRY(check_bits(*b));
    w_.bit_string(b->bytes, b->unused_bits, t);
    return {};
  }

  Status explicit_oid(const ber::Oid& o, Tag t) {
    MMSSEC_TRY(check_oid(o));
    w_.constructed(t, [&] { w_.oid(o); });
    return {};
  }

  Status implicit_oid(const std::optional<ber::Oid>& o, Tag t) {
    if (!o) return {};
    MMSSEC_TRY(check_oid(*o));
    w_.oid(*o, t);
    return {};
  }

  void explicit_int(const std::optional<std::int64_t>& v, Tag t) {
    if (v) w_.constructed(t, [&] { w_.integer(*v); });
  }

  // AP-title CHOICE inside its EXPLICIT wrapper.
  Status ap_title(const std::optional<ApTitle>& v, Tag t) {
    if (!v) return {};
    switch (v->form) {
      case ApTitle::Form::form1:
        MMSSEC_TRY(check_one_tlv(v->name));
        if (!(ber::decode_single(v->name)->tag == ber::tags::kSequence)) return CoreErrc::invalid_argument;
        w_.constructed(t, [&] { w_.raw(v->name); });
        return {};
      case ApTitle::Form::form2: return explicit_oid(v->oid, t);
      case ApTitle::Form::form3:
        if (!std::all_of(v->text.begin(), v->text.end(), is_printable)) return CoreErrc::invalid_argument;
        w_.constructed(t, [&] { w_.string(v->text, kPrintableString); });
        return {};
    }
    return CoreErrc::invalid_argument;
  }

  // AE-qualifier CHOICE inside its EXPLICIT wrapper.
  Status ae_qualifier(const std::optional<AeQualifier>& v, Tag t) {
    if (!v) return {};
    switch (v->form) {
      case AeQualifier::Form::form1:
        MMSSEC_TRY(check_one_tlv(v->rdn));
        if (!(ber::decode_single(v->rdn)->tag == ber::tags::kSet)) return CoreErrc::invalid_argument;
        w_.constructed(t, [&] { w_.raw(v->rdn); });
        return {};
      case AeQualifier::Form::form2: w_.constructed(t, [&] { w_.integer(v->value); }); return {};
      case AeQualifier::Form::form3:
        if (!std::all_of(v->text.begin(), v->text.end(), is_printable)) return CoreErrc::invalid_argument;
        w_.constructed(t, [&] { w_.string(v->text, kPrintableString); });
        return {};
    }
    return CoreErrc::invalid_argument;
  }

  // Authentication-value CHOICE inside its EXPLICIT wrapper.
  Status authentication_value(const std::optional<AuthenticationValue>& v, Tag t) {
    if (!v) return {};
    switch (v->kind) {
      case AuthenticationValue::Kind::charstring:
        w_.constructed(t, [&] { w_.string(v->charstring, kAuthCharstring); });
        return {};
      case AuthenticationValue::Kind::bitstring:
        MMSSEC_TRY(check_bits(v->bitstring));
        w_.constructed(t,
                       [&] { w_.bit_string(v->bitstring.bytes, v->bitstring.unused_bits, kAuthBitstring); });
        return {};
      case AuthenticationValue::Kind::external:
        MMSSEC_TRY(check_external(v->external));
        w_.constructed(t, [&] { w_.external(v->external, kAuthExternal); });
        return {};
      case AuthenticationValue::Kind::other:
        MMSSEC_TRY(check_oid(v->other_mechanism_name));
        MMSSEC_TRY(check_one_tlv(v->other_mechanism_value));
        w_.constructed(t, [&] {
          w_.constructed(kAuthOther, [&] {
            w_.oid(v->other_mechanism_name);
            w_.raw(v->other_mechanism_value);
          });
        });
        return {};
    }
    return CoreErrc::invalid_argument;
  }

  Status context_name_list(const std::optional<std::vector<ber::Oid>>& v, Tag t) {
    if (!v) return {};
    for (const auto& o : *v) MMSSEC_TRY(check_oid(o));
    w_.constructed(t, [&] {
      for (const auto& o : *v) w_.oid(o);
    });
    return {};
  }

  void graphic(const std::optional<std::string>& v, Tag t) {
    if (v) w_.string(*v, t);
  }

  Status user_information(const std::optional<UserInformation>& v) {
    if (!v) return {};
    for (const auto& e : *v) MMSSEC_TRY(check_external(e));
    w_.constructed(kUserInformation, [&] {
      for (const auto& e : *v) w_.external(e);
    });
    return {};
  }

  template <class E>
  void implicit_int(const std::optional<E>& v, Tag t) {
    if (v) w_.integer(static_cast<std::int64_t>(*v), t);
  }

  ber::Writer& writer() { return w_; }

 private:
  ber::Writer w_;
};

Status encode_aarq(const Aarq& a, Encoder& e) {
  MMSSEC_TRY(e.bits(a.protocol_version, kAarqProtocolVersion));
  MMSSEC_TRY(e.explicit_oid(a.application_context_name, kAarqContextName));
  MMSSEC_TRY(e.ap_title(a.called_ap_title, kAarqCalledApTitle));
  MMSSEC_TRY(e.ae_qualifier(a.called_ae_qualifier, kAarqCalledAeQualifier));
  e.explicit_int(a.called_ap_invocation_id, kAarqCalledApInvocation);
  e.explicit_int(a.called_ae_invocation_id, kAarqCalledAeInvocation);
  MMSSEC_TRY(e.ap_title(a.calling_ap_title, kAarqCallingApTitle));
  MMSSEC_TRY(e.ae_qualifier(a.calling_ae_qualifier, kAarqCallingAeQualifier));
  e.explicit_int(a.calling_ap_invocation_id, kAarqCallingApInvocation);
  e.explicit_int(a.calling_ae_invocation_id, kAarqCallingAeInvocation);
  MMSSEC_TRY(e.bits(a.sender_acse_requirements, kAarqSenderRequirements));
  MMSSEC_TRY(e.implicit_oid(a.mechanism_name, kAarqMechanismName));
  MMSSEC_TRY(e.authentication_value(a.calling_authentication_value, kAarqAuthValue));
  MMSSEC_TRY(e.context_name_list(a.application_context_name_list, kAarqContextNameList));
  e.graphic(a.implementation_information, kImplementationInformation);
  return e.user_information(a.user_information);
}

Status encode_aare(const Aare& a, Encoder& e) {
  MMSSEC_TRY(e.bits(a.protocol_version, kAareProtocolVersion));
  MMSSEC_TRY(e.explicit_oid(a.application_context_name, kAareContextName));
  ber::Writer& w = e.writer();
  w.constructed(kAareResult, [&] { w.integer(static_cast<std::int64_t>(a.result)); });
  w.constructed(kAareDiagnostic, [&] {
    if (const auto* u = std::get_if<UserDiagnostic>(&a.diagnostic)) {
      w.constructed(kDiagServiceUser, [&] { w.integer(static_cast<std::int64_t>(*u)); });
    } else {
      const auto p = std::get<ProviderDiagnostic>(a.diagnostic);
      w.constructed(kDiagServiceProvider, [&] { w.integer(static_cast<std::int64_t>(p)); });
    }
  });
  MMSSEC_TRY(e.ap_title(a.responding_ap_title, kAareRespondingApTitle));
  MMSSEC_TRY(e.ae_qualifier(a.responding_ae_qualifier, kAareRespondingAeQualifier));
  e.explicit_int(a.responding_ap_invocation_id, kAareRespondingApInvocation);
  e.explicit_int(a.responding_ae_invocation_id, kAareRespondingAeInvocation);
  MMSSEC_TRY(e.bits(a.responder_acse_requirements, kAareResponderRequirements));
  MMSSEC_TRY(e.implicit_oid(a.mechanism_name, kAareMechanismName));
  MMSSEC_TRY(e.authentication_value(a.responding_authentication_value, kAareAuthValue));
  MMSSEC_TRY(e.context_name_list(a.application_context_name_list, kAareContextNameList));
  e.graphic(a.implementation_information, kImplementationInformation);
  return e.user_information(a.user_information);
}

template <class Release>
Status encode_release(const Release& a, Encoder& e) {
  e.implicit_int(a.reason, kReleaseReason);
  return e.user_information(a.user_information);
}

Status encode_abrt(const Abrt& a, Encoder& e) {
  e.writer().integer(static_cast<std::int64_t>(a.source), kAbortSource);
  e.implicit_int(a.diagnostic, kAbortDiagnostic);
  return e.user_information(a.user_information);
}

struct TagOf {
  Tag operator()(const Aarq&) const { return tags::kAarq; }
  Tag operator()(const Aare&) const { return tags::kAare; }
  Tag operator()(const Rlrq&) const { return tags::kRlrq; }
  Tag operator()(const Rlre&) const { return tags::kRlre; }
  Tag operator()(const Abrt&) const { return tags::kAbrt; }
};

struct EncodeBody {
  Encoder& e;
  Status operator()(const Aarq& a) const { return encode_aarq(a, e); }
  Status operator()(const Aare& a) const { return encode_aare(a, e); }
  Status operator()(const Rlrq& a) const { return encode_release(a, e); }
  Status operator()(const Rlre& a) const { return encode_release(a, e); }
  Status operator()(const Abrt& a) const { return encode_abrt(a, e); }
};

}  // namespace

// ============================================================================================
// Public API
// ============================================================================================

bool BitField::bit(std::size_t i) const noexcept {
  const std::size_t count = bytes.size() * 8 - std::min<std::size_t>(unused_bits, bytes.size() * 8);
  return i < count && ((bytes[i / 8] >> (7 - (i % 8))) & 1U) != 0;
}

BitField BitField::from_bits(std::initializer_list<std::size_t> set_bits) {
  const std::vector<std::size_t> v(set_bits);
  ber::NamedBits nb = ber::NamedBits::from_bits(v);
  return BitField{std::move(nb.bytes), nb.unused_bits};
}

const char* apdu_name(const Apdu& apdu) noexcept {
  static constexpr const char* kNames[] = {"AARQ", "AARE", "RLRQ", "RLRE", "ABRT"};
  return kNames[apdu.index()];
}

Result<Apdu> decode_apdu(ByteView data, const Limits& limits, std::size_t base_offset) {
  const Ctx ctx{limits, ber::ReaderOptions::from(limits)};
  ber::Reader top(data, ctx.opts, base_offset);
  // ACSE-apdu ::= CHOICE { aarq AARQ-apdu, aare AARE-apdu, rlrq RLRQ-apdu, rlre RLRE-apdu,
  //                        abrt ABRT-apdu, ... }
  MMSSEC_TRY_ASSIGN(const Tlv t, top.read_any());
  MMSSEC_TRY(top.expect_end());
  if (!(t.tag == tags::kAarq || t.tag == tags::kAare || t.tag == tags::kRlrq || t.tag == tags::kRlre ||
        t.tag == tags::kAbrt))
    return Error{Errc::unknown_apdu, t.offset};
  MMSSEC_TRY_ASSIGN(ber::Reader in, top.enter(t));
  switch (t.tag.number) {
    case 0: {
      MMSSEC_TRY_ASSIGN(Aarq a, decode_aarq(ctx, in));
      return Apdu{std::move(a)};
    }
    case 1: {
      MMSSEC_TRY_ASSIGN(Aare a, decode_aare(ctx, in));
      return Apdu{std::move(a)};
    }
    case 2: {
      MMSSEC_TRY_ASSIGN(Rlrq a, decode_release<Rlrq>(ctx, in, kRequestReasons));
      return Apdu{std::move(a)};
    }
    case 3: {
      MMSSEC_TRY_ASSIGN(Rlre a, decode_release<Rlre>(ctx, in, kResponseReasons));
      return Apdu{std::move(a)};
    }
    default: {
      MMSSEC_TRY_ASSIGN(Abrt a, decode_abrt(ctx, in));
      return Apdu{std::move(a)};
    }
  }
}

Status encode_apdu(const Apdu& apdu, Bytes& out) {
  Bytes tmp;
  Encoder e(tmp);
  const std::size_t m = e.writer().begin(std::visit(TagOf{}, apdu));
  MMSSEC_TRY(std::visit(EncodeBody{e}, apdu));
  e.writer().end(m);
  out.insert(out.end(), tmp.begin(), tmp.end());
  return {};
}

Result<Bytes> encode_apdu(const Apdu& apdu) {
  Bytes out;
  MMSSEC_TRY(encode_apdu(apdu, out));
  return out;
}

AbortDiagnostic abort_diagnostic_for(const Error& error) noexcept {
  // X.227 has no finer provider diagnostic than protocol-error for a malformed or unexpected APDU.
  (void)error;
  return AbortDiagnostic::protocol_error;
}

}  // namespace mmssec::acse
