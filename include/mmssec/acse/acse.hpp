// SPDX-License-Identifier: Apache-2.0
// ACSE (ITU-T X.227 / ISO 8650-1, ACSE-1 module, version 1) APDU codecs: AARQ, AARE, RLRQ, RLRE
// and ABRT, with every field IEC 62351-4 uses (authentication functional unit: sender/responder
// ACSE requirements, mechanism name, authentication value). Owning types: decoded values do not
// reference the input buffer. The association state machine lives in association.hpp.
//
// Tagging follows the ACSE-1 module, whose default is EXPLICIT tagging: fields written "[n]"
// below carry an explicit (constructed) wrapper around the universal element; fields written
// "[n] IMPLICIT" replace the universal tag.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <system_error>
#include <variant>
#include <vector>

#include "mmssec/ber/ber.hpp"
#include "mmssec/core/bytes.hpp"
#include "mmssec/core/limits.hpp"
#include "mmssec/core/result.hpp"

namespace mmssec::acse {

/// ACSE-layer errors. Decode failures of the BER structure itself are reported with ber::Errc or
/// CoreErrc codes (and the absolute offset); these codes name ACSE-level problems.
enum class Errc {
  unknown_apdu = 1,                ///< outermost tag is not [APPLICATION 0..4]
  missing_field,                   ///< a mandatory field is absent
  unexpected_field,                ///< an element not allowed at this position (unknown or out of order)
  bad_choice,                      ///< a CHOICE alternative that does not exist (AP-title, AE-qualifier, ...)
  value_out_of_range,              ///< an INTEGER/ENUMERATED outside its named values
  unsupported_version,             ///< state machine: protocol-version does not include version1
  too_many_user_information,       ///< more EXTERNALs than Limits::acse_max_user_information
  authentication_value_too_large,  ///< authentication value above Limits::acse_max_authentication_value
  unexpected_apdu,                 ///< state machine: a valid APDU that is not allowed in the current state
  invalid_state,                   ///< state machine: a local request not allowed in the current state
};

}  // namespace mmssec::acse

template <>
struct std::is_error_code_enum<mmssec::acse::Errc> : std::true_type {};

namespace mmssec::acse {

const std::error_category& acse_category() noexcept;
inline std::error_code make_error_code(Errc e) noexcept { return {static_cast<int>(e), acse_category()}; }

// ---------------------------------------------------------------------------------------------
// Tags (X.227 ACSE-1 module)
// ---------------------------------------------------------------------------------------------
namespace tags {
inline constexpr ber::Tag kAarq = ber::Tag::application_cons(0);
inline constexpr ber::Tag kAare = ber::Tag::application_cons(1);
inline constexpr ber::Tag kRlrq = ber::Tag::application_cons(2);
inline constexpr ber::Tag kRlre = ber::Tag::application_cons(3);
inline constexpr ber::Tag kAbrt = ber::Tag::application_cons(4);
}  // namespace tags

// ---------------------------------------------------------------------------------------------
// Well-known object identifiers
// ---------------------------------------------------------------------------------------------

/// ACSE abstract syntax {2 2 1 0 1} (joint-iso-itu-t association-control abstract-syntax apdus
/// version1), proposed in the presentation context that carries ACSE.
inline ber::Oid acse_abstract_syntax() { return ber::Oid{2, 2, 1, 0, 1}; }
/// ISO 9506 MMS application context "basic-AC" {1 0 9506 2 3}.
inline ber::Oid mms_application_context() { return ber::Oid{1, 0, 9506, 2, 3}; }
/// IEC 62351-4 A-security-profile authentication mechanism {1 0 840 0 1 0 1 1} (PROFILE.md §4;
/// the second arc really is 0).
inline ber::Oid mms_authentication_mechanism() { return ber::Oid{1, 0, 840, 0, 1, 0, 1, 1}; }

// ---------------------------------------------------------------------------------------------
// Field types
// ---------------------------------------------------------------------------------------------

/// A named-bit BIT STRING as it was on the wire (so that the exact encoding round-trips).
struct BitField {
  Bytes bytes;                   ///< octets after the unused-bits octet
  std::uint8_t unused_bits = 0;  ///< 0..7
  /// Bit i, numbered as X.680 does (bit 0 = most significant bit of the first octet).
  [[nodiscard]] bool bit(std::size_t i) const noexcept;
  /// Build from the numbers of the set bits, trailing zero bits trimmed (DER 11.2.2).
  static BitField from_bits(std::initializer_list<std::size_t> set_bits);
  friend bool operator==(const BitField&, const BitField&) = default;
};

/// protocol-version BIT STRING { version1(0) }: `80 02 07 80` when sent.
inline BitField protocol_version1() { return BitField::from_bits({0}); }

/// ACSE-requirements ::= BIT STRING { authentication(0), aSO-context-negotiation(1),
///   higher-level-association(2), nested-association(3) }
inline constexpr std::size_t kRequirementAuthentication = 0;
inline constexpr std::size_t kRequirementContextNegotiation = 1;
/// The authentication functional unit alone: `07 80` content, `8A 02 07 80` in an AARQ.
inline BitField authentication_requirements() { return BitField::from_bits({kRequirementAuthentication}); }

/// AP-title ::= CHOICE { ap-title-form1 Name, ap-title-form2 OBJECT IDENTIFIER,
///                       ..., ap-title-form3 PrintableString }
/// Form 1 (a Directory Name) is tolerated and kept as its encoded bytes; it is not interpreted.
struct ApTitle {
  enum class Form : std::uint8_t { form1 = 1, form2 = 2, form3 = 3 };
  Form form = Form::form2;
  ber::Oid oid;      ///< form2
  Bytes name;        ///< form1: the complete Name TLV (a SEQUENCE), verbatim
  std::string text;  ///< form3
  static ApTitle from_oid(ber::Oid o) { return ApTitle{Form::form2, std::move(o), {}, {}}; }
  friend bool operator==(const ApTitle&, const ApTitle&) = default;
};

/// AE-qualifier ::= ASO-qualifier ::= CHOICE { form1 RelativeDistinguishedName, form2 INTEGER,
///                                             ..., form3 PrintableString }
/// Form 1 (a SET) is tolerated and kept as its encoded bytes.
struct AeQualifier {
  enum class Form : std::uint8_t { form1 = 1, form2 = 2, form3 = 3 };
  Form form = Form::form2;
  std::int64_t value = 0;  ///< form2
  Bytes rdn;               ///< form1: the complete RelativeDistinguishedName TLV (a SET), verbatim
  std::string text;        ///< form3
  static AeQualifier from_int(std::int64_t v) { return AeQualifier{Form::form2, v, {}, {}}; }
  friend bool operator==(const AeQualifier&, const AeQualifier&) = default;
};

/// Authentication-value ::= CHOICE {
///   charstring [0] IMPLICIT GraphicString,
///   bitstring  [1] IMPLICIT BIT STRING,
///   external   [2] IMPLICIT EXTERNAL,
///   other      [3] IMPLICIT SEQUENCE { other-mechanism-name OBJECT IDENTIFIER,
///                                      other-mechanism-value ANY } }
/// The IEC 62351-4 A-profile uses `external` (PROFILE.md §4); which EXTERNAL references were
/// present is kept by ber::External's optionals, so the value round-trips exactly.
struct AuthenticationValue {
  enum class Kind : std::uint8_t { charstring = 0, bitstring = 1, external = 2, other = 3 };
  Kind kind = Kind::external;
  std::string charstring;         ///< charstring: the GraphicString octets
  BitField bitstring;             ///< bitstring
  ber::External external;         ///< external
  ber::Oid other_mechanism_name;  ///< other
  Bytes other_mechanism_value;    ///< other: the complete ANY TLV, verbatim
  static AuthenticationValue from_external(ber::External e) {
    AuthenticationValue v;
    v.kind = Kind::external;
    v.external = std::move(e);
    return v;
  }
  friend bool operator==(const AuthenticationValue&, const AuthenticationValue&) = default;
};

/// Association-information ::= SEQUENCE OF EXTERNAL (user-information [30] IMPLICIT).
using UserInformation = std::vector<ber::External>;

// ---------------------------------------------------------------------------------------------
// Result and diagnostics (X.227 Associate-result, Associate-source-diagnostic)
// ---------------------------------------------------------------------------------------------

/// Associate-result ::= INTEGER { accepted(0), rejected-permanent(1), rejected-transient(2) }
enum class AssociateResult : std::uint8_t { accepted = 0, rejected_permanent = 1, rejected_transient = 2 };

/// acse-service-user diagnostic values.
enum class UserDiagnostic : std::uint8_t {
  null = 0,
  no_reason_given = 1,
  application_context_name_not_supported = 2,
  calling_ap_title_not_recognized = 3,
  calling_ap_invocation_id_not_recognized = 4,
  calling_ae_qualifier_not_recognized = 5,
  calling_ae_invocation_id_not_recognized = 6,
  called_ap_title_not_recognized = 7,
  called_ap_invocation_id_not_recognized = 8,
  called_ae_qualifier_not_recognized = 9,
  called_ae_invocation_id_not_recognized = 10,
  authentication_mechanism_name_not_recognized = 11,
  authentication_mechanism_name_required = 12,
  authentication_failure = 13,
  authentication_required = 14,
};

/// acse-service-provider diagnostic values.
enum class ProviderDiagnostic : std::uint8_t { null = 0, no_reason_given = 1, no_common_acse_version = 2 };

/// Associate-source-diagnostic ::= CHOICE { acse-service-user [1] INTEGER {...},
///                                          acse-service-provider [2] INTEGER {...} }
using SourceDiagnostic = std::variant<UserDiagnostic, ProviderDiagnostic>;

/// Release-request-reason ::= INTEGER { normal(0), urgent(1), user-defined(30) }
enum class ReleaseRequestReason : std::uint8_t { normal = 0, urgent = 1, user_defined = 30 };
/// Release-response-reason ::= INTEGER { normal(0), not-finished(1), user-defined(30) }
enum class ReleaseResponseReason : std::uint8_t { normal = 0, not_finished = 1, user_defined = 30 };
/// ABRT-source ::= INTEGER { acse-service-user(0), acse-service-provider(1) }
enum class AbortSource : std::uint8_t { service_user = 0, service_provider = 1 };
/// ABRT-diagnostic ::= ENUMERATED { no-reason-given(1), protocol-error(2),
///   authentication-mechanism-name-not-recognized(3), authentication-mechanism-name-required(4),
///   authentication-failure(5), authentication-required(6), ... }
enum class AbortDiagnostic : std::uint8_t {
  no_reason_given = 1,
  protocol_error = 2,
  authentication_mechanism_name_not_recognized = 3,
  authentication_mechanism_name_required = 4,
  authentication_failure = 5,
  authentication_required = 6,
};

// ---------------------------------------------------------------------------------------------
// APDUs
// ---------------------------------------------------------------------------------------------

/// AARQ-apdu ::= [APPLICATION 0] IMPLICIT SEQUENCE { ... } (fields in tag order below).
/// Extension additions [14]..[16] of the higher-level-association functional unit are skipped on
/// decode (validated as well-formed TLVs, not kept).
struct Aarq {
  std::optional<BitField> protocol_version;              ///< [0] IMPLICIT; absent = DEFAULT version1
  ber::Oid application_context_name;                     ///< [1] EXPLICIT OBJECT IDENTIFIER
  std::optional<ApTitle> called_ap_title;                ///< [2]
  std::optional<AeQualifier> called_ae_qualifier;        ///< [3]
  std::optional<std::int64_t> called_ap_invocation_id;   ///< [4] INTEGER
  std::optional<std::int64_t> called_ae_invocation_id;   ///< [5] INTEGER
  std::optional<ApTitle> calling_ap_title;               ///< [6]
  std::optional<AeQualifier> calling_ae_qualifier;       ///< [7]
  std::optional<std::int64_t> calling_ap_invocation_id;  ///< [8] INTEGER
  std::optional<std::int64_t> calling_ae_invocation_id;  ///< [9] INTEGER
  std::optional<BitField> sender_acse_requirements;      ///< [10] IMPLICIT BIT STRING
  std::optional<ber::Oid> mechanism_name;                ///< [11] IMPLICIT OBJECT IDENTIFIER
  std::optional<AuthenticationValue> calling_authentication_value;     ///< [12] EXPLICIT
  std::optional<std::vector<ber::Oid>> application_context_name_list;  ///< [13] IMPLICIT SEQUENCE OF
  std::optional<std::string> implementation_information;               ///< [29] IMPLICIT GraphicString
  std::optional<UserInformation> user_information;                     ///< [30] IMPLICIT SEQUENCE OF EXTERNAL
  friend bool operator==(const Aarq&, const Aarq&) = default;
};

/// AARE-apdu ::= [APPLICATION 1] IMPLICIT SEQUENCE { ... }
struct Aare {
  std::optional<BitField> protocol_version;                            ///< [0] IMPLICIT
  ber::Oid application_context_name;                                   ///< [1] EXPLICIT OBJECT IDENTIFIER
  AssociateResult result = AssociateResult::accepted;                  ///< [2] EXPLICIT INTEGER
  SourceDiagnostic diagnostic = UserDiagnostic::null;                  ///< [3] EXPLICIT CHOICE
  std::optional<ApTitle> responding_ap_title;                          ///< [4]
  std::optional<AeQualifier> responding_ae_qualifier;                  ///< [5]
  std::optional<std::int64_t> responding_ap_invocation_id;             ///< [6] INTEGER
  std::optional<std::int64_t> responding_ae_invocation_id;             ///< [7] INTEGER
  std::optional<BitField> responder_acse_requirements;                 ///< [8] IMPLICIT BIT STRING
  std::optional<ber::Oid> mechanism_name;                              ///< [9] IMPLICIT OBJECT IDENTIFIER
  std::optional<AuthenticationValue> responding_authentication_value;  ///< [10] EXPLICIT
  std::optional<std::vector<ber::Oid>> application_context_name_list;  ///< [11] IMPLICIT
  std::optional<std::string> implementation_information;               ///< [29] IMPLICIT GraphicString
  std::optional<UserInformation> user_information;                     ///< [30] IMPLICIT SEQUENCE OF EXTERNAL
  friend bool operator==(const Aare&, const Aare&) = default;
};

/// RLRQ-apdu ::= [APPLICATION 2] IMPLICIT SEQUENCE {
///   reason [0] IMPLICIT Release-request-reason OPTIONAL, ..., user-information [30] IMPLICIT ... }
struct Rlrq {
  std::optional<ReleaseRequestReason> reason;
  std::optional<UserInformation> user_information;
  friend bool operator==(const Rlrq&, const Rlrq&) = default;
};

/// RLRE-apdu ::= [APPLICATION 3] IMPLICIT SEQUENCE {
///   reason [0] IMPLICIT Release-response-reason OPTIONAL, ..., user-information [30] IMPLICIT ... }
struct Rlre {
  std::optional<ReleaseResponseReason> reason;
  std::optional<UserInformation> user_information;
  friend bool operator==(const Rlre&, const Rlre&) = default;
};

/// ABRT-apdu ::= [APPLICATION 4] IMPLICIT SEQUENCE {
///   abort-source [0] IMPLICIT ABRT-source, abort-diagnostic [1] IMPLICIT ABRT-diagnostic OPTIONAL,
///   ..., user-information [30] IMPLICIT Association-data OPTIONAL }
struct Abrt {
  AbortSource source = AbortSource::service_user;
  std::optional<AbortDiagnostic> diagnostic;
  std::optional<UserInformation> user_information;
  friend bool operator==(const Abrt&, const Abrt&) = default;
};

/// ACSE-apdu ::= CHOICE { aarq, aare, rlrq, rlre, abrt, ... } (A-DT, ACRQ, ACRP unsupported).
using Apdu = std::variant<Aarq, Aare, Rlrq, Rlre, Abrt>;

/// "AARQ", "AARE", "RLRQ", "RLRE", "ABRT".
const char* apdu_name(const Apdu& apdu) noexcept;

/// Readable names of the enumerations, as X.227 spells them ("rejected-permanent",
/// "authentication-failure", ...); "unknown" for values outside the named range.
const char* result_name(AssociateResult r) noexcept;
const char* diagnostic_name(UserDiagnostic d) noexcept;
const char* diagnostic_name(ProviderDiagnostic d) noexcept;
/// "acse-service-user: authentication-failure" / "acse-service-provider: no-common-acse-version".
std::string describe(const SourceDiagnostic& d);
const char* abort_source_name(AbortSource s) noexcept;
const char* abort_diagnostic_name(AbortDiagnostic d) noexcept;

// ---------------------------------------------------------------------------------------------
// Codecs
// ---------------------------------------------------------------------------------------------

/// Decode exactly one ACSE APDU (trailing bytes are an error). `base_offset` is the absolute
/// offset of data[0] in the caller's buffer (errors report absolute offsets). Honours
/// Limits::acse_max_user_information, Limits::acse_max_authentication_value and the BER limits.
[[nodiscard]] Result<Apdu> decode_apdu(ByteView data, const Limits& limits = default_limits(),
                                       std::size_t base_offset = 0);

/// Append the BER encoding of an APDU to `out` (definite, minimal lengths). Fails with
/// CoreErrc::invalid_argument, leaving `out` unchanged, for values that cannot be encoded
/// (an OBJECT IDENTIFIER with fewer than two arcs or a bad first arc, verbatim form-1 or ANY bytes
/// that are not exactly one TLV, a BIT STRING with more than 7 unused bits).
[[nodiscard]] Status encode_apdu(const Apdu& apdu, Bytes& out);
/// Convenience: a fresh buffer.
[[nodiscard]] Result<Bytes> encode_apdu(const Apdu& apdu);

/// Map the decode error of an incoming APDU to the ABRT diagnostic the ACSE provider reports.
[[nodiscard]] AbortDiagnostic abort_diagnostic_for(const Error& error) noexcept;

}  // namespace mmssec::acse
