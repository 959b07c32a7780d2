// SPDX-License-Identifier: Apache-2.0
// ISO 8823-1 / ITU-T X.226 connection-oriented presentation protocol, normal mode, BER transfer
// syntax: codecs for CP-type, CPA-PPDU, CPR-PPDU, Abort-type (ARU-PPDU / ARP-PPDU) and User-data
// (the TD-PPDU and the content of the session release SPDUs). Owning types: decoded values do not
// reference the input buffer.
//
// The ISO8823-PRESENTATION module tags EXPLICITly by default, but every context-tagged parameter
// of the PPDUs below is declared IMPLICIT, so "[n]" means "[n] IMPLICIT" unless stated otherwise.
// Only single-ASN1-type [0] is explicit (it wraps an open type).
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <system_error>
#include <variant>
#include <vector>

#include "mmssec/ber/ber.hpp"
#include "mmssec/core/bytes.hpp"
#include "mmssec/core/limits.hpp"
#include "mmssec/core/result.hpp"

namespace mmssec::presentation {

/// Presentation-layer errors. Malformed BER itself is reported with ber::Errc / CoreErrc codes
/// (always with the absolute offset); these codes name presentation-level problems.
enum class Errc {
  unknown_ppdu = 1,            ///< outermost tag is not the one of the expected PPDU (or CHOICE)
  unsupported_mode,            ///< mode-selector is not normal-mode, or X.410-mode parameters present
  missing_parameter,           ///< a mandatory parameter is absent
  unexpected_parameter,        ///< an element not allowed at this position (unknown, duplicate, out of order)
  bad_parameter_value,         ///< an INTEGER outside its named values, a BIT STRING without a needed bit
  bad_context_id,              ///< presentation-context-identifier outside 1..2^31-1, or even when proposed
  duplicate_context_id,        ///< the same presentation-context-identifier twice in one list
  unknown_context_id,          ///< a PDV names a context that is not in the defined context set
  bad_pdv,                     ///< single-ASN1-type not exactly one BER element; empty fully-encoded-data
  too_many_contexts,           ///< more contexts than Limits::presentation_max_contexts
  too_many_transfer_syntaxes,  ///< more transfer syntaxes than Limits::presentation_max_transfer_syntaxes
  too_many_pdvs,               ///< more PDV-lists than Limits::presentation_max_pdvs
  acse_not_acceptable,         ///< negotiation: the ACSE abstract syntax is absent or not offered with BER
  unexpected_ppdu,             ///< state machine: a PPDU / session event not allowed in the current state
  invalid_state,               ///< state machine: a local request not allowed in the current state
  simply_encoded_data,         ///< state machine: simply-encoded-data received (no default context in use)
  protocol_version_not_supported,  ///< protocol-version present without version-1
};

}  // namespace mmssec::presentation

template <>
struct std::is_error_code_enum<mmssec::presentation::Errc> : std::true_type {};

namespace mmssec::presentation {

const std::error_category& presentation_category() noexcept;
inline std::error_code make_error_code(Errc e) noexcept {
  return {static_cast<int>(e), presentation_category()};
}

// ---------------------------------------------------------------------------------------------
// Tags (ISO8823-PRESENTATION module)
// ---------------------------------------------------------------------------------------------
namespace tags {
/// CP-type and CPA-PPDU are SETs; the normal-mode CPR-PPDU and ARP-PPDU are SEQUENCEs.
inline constexpr ber::Tag kCpType = ber::tags::kSet;
inline constexpr ber::Tag kCpaPpdu = ber::tags::kSet;
inline constexpr ber::Tag kCprPpdu = ber::tags::kSequence;
inline constexpr ber::Tag kArpPpdu = ber::tags::kSequence;
/// ARU-PPDU normal-mode-parameters [0] IMPLICIT SEQUENCE.
inline constexpr ber::Tag kAruNormalMode = ber::Tag::context_cons(0);
/// X.410-1984 (RTSE) mode alternatives start with a SET; refused (normal mode only).
inline constexpr ber::Tag kX410ModeAlternative = ber::tags::kSet;

// CP-type / CPA-PPDU SET components.
inline constexpr ber::Tag kModeSelector = ber::Tag::context_cons(0);
inline constexpr ber::Tag kX410ModeParameters = ber::Tag::context_cons(1);
inline constexpr ber::Tag kNormalModeParameters = ber::Tag::context_cons(2);
/// Mode-selector ::= SET { mode-value [0] IMPLICIT INTEGER }
inline constexpr ber::Tag kModeValue = ber::Tag::context(0);

// normal-mode-parameters components.
inline constexpr ber::Tag kProtocolVersion = ber::Tag::context(0);
inline constexpr ber::Tag kCallingSelector = ber::Tag::context(1);
inline constexpr ber::Tag kCalledSelector = ber::Tag::context(2);
inline constexpr ber::Tag kRespondingSelector = ber::Tag::context(3);
inline constexpr ber::Tag kContextDefinitionList = ber::Tag::context_cons(4);
inline constexpr ber::Tag kContextDefinitionResultList = ber::Tag::context_cons(5);
inline constexpr ber::Tag kDefaultContextName = ber::Tag::context_cons(6);
inline constexpr ber::Tag kDefaultContextResult = ber::Tag::context(7);
inline constexpr ber::Tag kPresentationRequirements = ber::Tag::context(8);
inline constexpr ber::Tag kUserSessionRequirements = ber::Tag::context(9);
inline constexpr ber::Tag kCprProviderReason = ber::Tag::context(10);
/// protocol-options [11], initiators-nominated-context [12], responders-nominated-context [13],
/// extensions [14]: EXPLICIT, tolerated and skipped on decode, never sent.
inline constexpr std::uint32_t kProtocolOptionsNumber = 11;
inline constexpr std::uint32_t kExtensionsNumber = 14;

// Result-list item components.
inline constexpr ber::Tag kResult = ber::Tag::context(0);
inline constexpr ber::Tag kResultTransferSyntax = ber::Tag::context(1);
inline constexpr ber::Tag kResultProviderReason = ber::Tag::context(2);

// Default-context-name components.
inline constexpr ber::Tag kDefaultAbstractSyntax = ber::Tag::context(0);
inline constexpr ber::Tag kDefaultTransferSyntax = ber::Tag::context(1);

// ARU-PPDU normal mode / ARP-PPDU components.
inline constexpr ber::Tag kContextIdentifierList = ber::Tag::context_cons(0);
inline constexpr ber::Tag kAbortReason = ber::Tag::context(0);
inline constexpr ber::Tag kEventIdentifier = ber::Tag::context(1);

// User-data CHOICE.
inline constexpr ber::Tag kSimplyEncodedData = ber::Tag::application(0);
inline constexpr ber::Tag kFullyEncodedData = ber::Tag::application_cons(1);
// PDV-list presentation-data-values CHOICE.
inline constexpr ber::Tag kSingleAsn1Type = ber::Tag::context_cons(0);
inline constexpr ber::Tag kOctetAligned = ber::Tag::context(1);
inline constexpr ber::Tag kArbitrary = ber::Tag::context(2);
}  // namespace tags

// ---------------------------------------------------------------------------------------------
// Well-known object identifiers
// ---------------------------------------------------------------------------------------------
namespace oids {
/// ACSE abstract syntax {joint-iso-itu-t association-control(2) abstract-syntax(1) apdus(0) version1(1)}.
const ber::Oid& acse_abstract_syntax();
/// MMS abstract syntax {iso standard 9506 part(2) mms-abstract-syntax-version1(1)}.
const ber::Oid& mms_abstract_syntax();
/// Basic Encoding Rules {joint-iso-itu-t asn1(1) basic-encoding(1)}.
const ber::Oid& ber_transfer_syntax();
}  // namespace oids

/// presentation-context-identifier: INTEGER (1..127, ..., 128..MAX); we accept 1..2^31-1.
using ContextId = std::uint32_t;
inline constexpr ContextId kMaxContextId = 0x7FFFFFFF;

/// A BIT STRING value kept owning (protocol-version, presentation / user-session requirements).
struct BitField {
  Bytes bytes;
  std::uint8_t unused_bits = 0;
  [[nodiscard]] bool bit(std::size_t i) const noexcept;
  /// Named bits set, trailing zero bits trimmed (DER 11.2.2).
  static BitField of(std::initializer_list<std::size_t> bits);
  friend bool operator==(const BitField&, const BitField&) = default;
};

/// Protocol-version ::= BIT STRING { version-1 (0) }
inline constexpr std::size_t kVersion1Bit = 0;

enum class PdvEncoding : std::uint8_t { single_asn1_type = 0, octet_aligned = 1, arbitrary = 2 };

/// One PDV-list of fully-encoded-data.
struct Pdv {
  std::optional<ber::Oid> transfer_syntax;
  ContextId context_id = 0;
  PdvEncoding encoding = PdvEncoding::single_asn1_type;
  /// single-ASN1-type: the one complete BER element inside the [0] wrapper (e.g. an AARQ TLV);
  /// octet-aligned: the octets; arbitrary: the bit string octets after the unused-bits octet.
  Bytes data;
  std::uint8_t unused_bits = 0;  ///< arbitrary only
  /// Decode only: absolute offset of data[0] in the buffer the decoder was given, so the layer
  /// above can report absolute offsets (pass it as its base offset). Ignored by the encoder.
  std::size_t data_offset = 0;

  static Pdv single(ContextId id, Bytes element) {
    Pdv p;
    p.context_id = id;
    p.data = std::move(element);
    return p;
  }
  friend bool operator==(const Pdv& a, const Pdv& b) {
    return a.transfer_syntax == b.transfer_syntax && a.context_id == b.context_id &&
           a.encoding == b.encoding && a.data == b.data && a.unused_bits == b.unused_bits;
  }
};

/// User-data ::= CHOICE { simply-encoded-data [APPLICATION 0] IMPLICIT OCTET STRING,
///                        fully-encoded-data  [APPLICATION 1] IMPLICIT SEQUENCE OF PDV-list }
struct UserData {
  enum class Kind : std::uint8_t { fully_encoded, simply_encoded };
  Kind kind = Kind::fully_encoded;
  std::vector<Pdv> pdvs;                  ///< fully-encoded: at least one
  Bytes simply_encoded;                   ///< simply-encoded: the octets
  std::size_t simply_encoded_offset = 0;  ///< decode only

  static UserData fully(std::vector<Pdv> pdvs) {
    UserData u;
    u.pdvs = std::move(pdvs);
    return u;
  }
  friend bool operator==(const UserData& a, const UserData& b) {
    return a.kind == b.kind && a.pdvs == b.pdvs && a.simply_encoded == b.simply_encoded;
  }
};

/// One item of Context-list: SEQUENCE { presentation-context-identifier, abstract-syntax-name,
/// transfer-syntax-name-list SEQUENCE OF Transfer-syntax-name }.
struct ContextDefinition {
  ContextId id = 0;
  ber::Oid abstract_syntax;
  std::vector<ber::Oid> transfer_syntaxes;
  friend bool operator==(const ContextDefinition&, const ContextDefinition&) = default;
};

/// Default-context-name ::= SEQUENCE { abstract-syntax-name [0], transfer-syntax-name [1] }
struct DefaultContextName {
  ber::Oid abstract_syntax;
  ber::Oid transfer_syntax;
  friend bool operator==(const DefaultContextName&, const DefaultContextName&) = default;
};

/// Result ::= INTEGER { acceptance (0), user-rejection (1), provider-rejection (2) }
enum class ContextOutcome : std::uint8_t { acceptance = 0, user_rejection = 1, provider_rejection = 2 };

/// Result-list item provider-reason: INTEGER { reason-not-specified (0), abstract-syntax-not-supported
/// (1), proposed-transfer-syntaxes-not-supported (2), local-limit-on-DCS-exceeded (3) }
enum class ContextRejectReason : std::uint8_t {
  reason_not_specified = 0,
  abstract_syntax_not_supported = 1,
  proposed_transfer_syntaxes_not_supported = 2,
  local_limit_on_dcs_exceeded = 3,
};

/// One item of Result-list: SEQUENCE { result [0], transfer-syntax-name [1] OPTIONAL,
/// provider-reason [2] OPTIONAL }.
struct ContextResult {
  ContextOutcome outcome = ContextOutcome::acceptance;
  std::optional<ber::Oid> transfer_syntax;
  std::optional<ContextRejectReason> provider_reason;
  friend bool operator==(const ContextResult&, const ContextResult&) = default;
};

/// CPR Provider-reason ::= INTEGER { reason-not-specified (0), temporary-congestion (1),
/// local-limit-exceeded (2), called-presentation-address-unknown (3), protocol-version-not-supported
/// (4), default-context-not-supported (5), user-data-not-readable (6), no-PSAP-available (7) }
enum class ProviderReason : std::uint8_t {
  reason_not_specified = 0,
  temporary_congestion = 1,
  local_limit_exceeded = 2,
  called_presentation_address_unknown = 3,
  protocol_version_not_supported = 4,
  default_context_not_supported = 5,
  user_data_not_readable = 6,
  no_psap_available = 7,
};

/// ARP Abort-reason ::= INTEGER { reason-not-specified (0), unrecognized-ppdu (1), unexpected-ppdu
/// (2), unexpected-session-service-primitive (3), unrecognized-ppdu-parameter (4),
/// unexpected-ppdu-parameter (5), invalid-ppdu-parameter-value (6) }
enum class AbortReason : std::uint8_t {
  reason_not_specified = 0,
  unrecognized_ppdu = 1,
  unexpected_ppdu = 2,
  unexpected_session_service_primitive = 3,
  unrecognized_ppdu_parameter = 4,
  unexpected_ppdu_parameter = 5,
  invalid_ppdu_parameter_value = 6,
};

/// Event-identifier ::= INTEGER { cp-PPDU (0), cpa-PPDU (1), ... }: the PPDUs and session
/// indications named by an ARP. Values 0..40 are defined; the named ones are those this layer uses.
enum class EventIdentifier : std::uint8_t {
  cp_ppdu = 0,
  cpa_ppdu = 1,
  cpr_ppdu = 2,
  aru_ppdu = 3,
  arp_ppdu = 4,
  td_ppdu = 7,
  s_release_indication = 14,
  s_release_confirm = 15,
};
inline constexpr std::uint8_t kMaxEventIdentifier = 40;

// ---------------------------------------------------------------------------------------------
// PPDUs
// ---------------------------------------------------------------------------------------------

/// CP-type ::= SET { mode-selector [0] Mode-selector (normal-mode = 1),
///                   normal-mode-parameters [2] SEQUENCE { ... } OPTIONAL }
struct ConnectPpdu {
  std::optional<BitField> protocol_version;  ///< absent = DEFAULT { version-1 }
  std::optional<Bytes> calling_selector;
  std::optional<Bytes> called_selector;
  std::vector<ContextDefinition> contexts;  ///< empty = list absent
  std::optional<DefaultContextName> default_context;
  std::optional<BitField> presentation_requirements;
  std::optional<BitField> user_session_requirements;
  std::optional<UserData> user_data;
  friend bool operator==(const ConnectPpdu&, const ConnectPpdu&) = default;
};

/// CPA-PPDU ::= SET { mode-selector [0], normal-mode-parameters [2] SEQUENCE { ... } OPTIONAL }
struct AcceptPpdu {
  std::optional<BitField> protocol_version;
  std::optional<Bytes> responding_selector;
  std::vector<ContextResult> results;  ///< empty = list absent
  std::optional<BitField> presentation_requirements;
  std::optional<BitField> user_session_requirements;
  std::optional<UserData> user_data;
  friend bool operator==(const AcceptPpdu&, const AcceptPpdu&) = default;
};

/// CPR-PPDU ::= CHOICE { x400-mode-parameters SET, normal-mode-parameters SEQUENCE { ... } }
struct RefusePpdu {
  std::optional<BitField> protocol_version;
  std::optional<Bytes> responding_selector;
  std::vector<ContextResult> results;  ///< empty = list absent
  std::optional<ContextOutcome> default_context_result;
  std::optional<ProviderReason> provider_reason;
  std::optional<UserData> user_data;
  friend bool operator==(const RefusePpdu&, const RefusePpdu&) = default;
};

/// Presentation-context-identifier-list item: SEQUENCE { presentation-context-identifier,
/// transfer-syntax-name }.
struct ContextIdentifierItem {
  ContextId id = 0;
  ber::Oid transfer_syntax;
  friend bool operator==(const ContextIdentifierItem&, const ContextIdentifierItem&) = default;
};

/// ARU-PPDU normal mode: [0] IMPLICIT SEQUENCE { presentation-context-identifier-list [0] OPTIONAL,
/// user-data OPTIONAL }
struct UserAbortPpdu {
  std::vector<ContextIdentifierItem> contexts;  ///< empty = list absent
  std::optional<UserData> user_data;
  friend bool operator==(const UserAbortPpdu&, const UserAbortPpdu&) = default;
};

/// ARP-PPDU ::= SEQUENCE { provider-reason [0] Abort-reason OPTIONAL, event-identifier [1] OPTIONAL }
struct ProviderAbortPpdu {
  std::optional<AbortReason> reason;
  std::optional<EventIdentifier> event;
  friend bool operator==(const ProviderAbortPpdu&, const ProviderAbortPpdu&) = default;
};

/// Abort-type ::= CHOICE { aru-ppdu ARU-PPDU, arp-ppdu ARP-PPDU } (carried by session AB).
using AbortPpdu = std::variant<UserAbortPpdu, ProviderAbortPpdu>;

// ---------------------------------------------------------------------------------------------
// Codecs. Decoders validate completely (every length, every limit, no trailing bytes at any
// level) and report absolute offsets (`base_offset` = offset of data[0] in the outer buffer).
// Encoders append to `out` and always emit definite, minimal lengths.
// ---------------------------------------------------------------------------------------------

[[nodiscard]] Result<ConnectPpdu> decode_cp(ByteView data, const Limits& limits = default_limits(),
                                            std::size_t base_offset = 0);
[[nodiscard]] Result<AcceptPpdu> decode_cpa(ByteView data, const Limits& limits = default_limits(),
                                            std::size_t base_offset = 0);
[[nodiscard]] Result<RefusePpdu> decode_cpr(ByteView data, const Limits& limits = default_limits(),
                                            std::size_t base_offset = 0);
[[nodiscard]] Result<AbortPpdu> decode_abort(ByteView data, const Limits& limits = default_limits(),
                                             std::size_t base_offset = 0);
/// User-data alone: the TD-PPDU and the content of session DT / FN / DN.
[[nodiscard]] Result<UserData> decode_user_data(ByteView data, const Limits& limits = default_limits(),
                                                std::size_t base_offset = 0);

/// One single-ASN1-type PDV as views into the decoded buffer (the data-transfer fast path).
struct PdvView {
  ContextId context_id = 0;
  ByteView data;                ///< the one complete BER element inside the [0] wrapper
  std::size_t data_offset = 0;  ///< absolute offset of data[0]
};
/// Data-transfer fast path: when `data` is User-data that decode_user_data() accepts and that is
/// fully-encoded-data with exactly one PDV-list (no transfer-syntax-name, single-ASN1-type),
/// that PDV as views into `data`; otherwise nullopt (decode_user_data() then decides, and
/// reports any error).
[[nodiscard]] std::optional<PdvView> decode_single_pdv(ByteView data, const Limits& limits = default_limits(),
                                                       std::size_t base_offset = 0);
/// Append fully-encoded-data with one single-ASN1-type PDV: the octets of
/// encode(UserData::fully({Pdv::single(context_id, element)})) without building that value.
void encode_single_pdv(ContextId context_id, ByteView element, Bytes& out);

void encode(const ConnectPpdu& cp, Bytes& out);
void encode(const AcceptPpdu& cpa, Bytes& out);
void encode(const RefusePpdu& cpr, Bytes& out);
void encode(const UserAbortPpdu& aru, Bytes& out);
void encode(const ProviderAbortPpdu& arp, Bytes& out);
void encode(const UserData& user_data, Bytes& out);

template <class Ppdu>
[[nodiscard]] Bytes encode(const Ppdu& ppdu) {
  Bytes out;
  encode(ppdu, out);
  return out;
}

}  // namespace mmssec::presentation
