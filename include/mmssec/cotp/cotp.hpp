// SPDX-License-Identifier: Apache-2.0
// ISO 8073 / ITU-T X.224 connection-oriented transport protocol, class 0 (the class RFC 1006
// runs over TCP): the TPDU codecs for CR, CC, DR, DT and ER. Every TPDU starts with a length
// indicator (LI, the header length after the LI octet itself, at most 254), then a fixed part
// whose size depends on the TPDU type, then a variable part of parameters (code, length,
// value); user data follows the header (DT only in class 0).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <system_error>
#include <variant>

#include "mmssec/core/bytes.hpp"
#include "mmssec/core/result.hpp"

namespace mmssec::cotp {

enum class Errc {
  empty_tpdu = 1,              ///< no octets at all (not even the LI)
  reserved_length_indicator,   ///< LI = 255 (reserved for an extension)
  length_indicator_underflow,  ///< LI below the fixed-part size of the TPDU type
  length_indicator_overflow,   ///< LI claims more header octets than are present
  invalid_tpdu_type,           ///< TPDU code unknown or not used in class 0 (AK, ED, EA, RJ, DC)
  parameter_truncated,         ///< a parameter's code or length octet is cut off by the LI
  parameter_length_overflow,   ///< a parameter's length runs beyond the LI
  invalid_parameter_code,      ///< a parameter not allowed in this TPDU (CR excepted: ignored)
  invalid_parameter_value,     ///< e.g. tpdu-size code outside 7..13, wrong value length
  duplicate_parameter,         ///< the same parameter twice
  unsupported_class,           ///< protocol class other than 0 (CR, CC)
  data_not_allowed,            ///< user data after the header of a TPDU that has none in class 0
  // ---- Connection (state machine) ----
  unexpected_tpdu,           ///< a TPDU type the current state does not accept
  reference_mismatch,        ///< CC whose DST-REF is not our SRC-REF
  tpdu_size_not_negotiable,  ///< CC selects a TPDU size larger than the CR proposed
  tpdu_too_large,            ///< DT larger than the negotiated TPDU size
  reassembly_limit,          ///< TSDU above Limits::cotp_max_reassembly
  peer_disconnected,         ///< peer sent DR
  peer_rejected,             ///< peer sent ER
  connection_refused,        ///< CR refused (DR sent)
  invalid_state,             ///< local call not allowed in the current state
  closed,                    ///< input after the connection ended
};

}  // namespace mmssec::cotp

template <>
struct std::is_error_code_enum<mmssec::cotp::Errc> : std::true_type {};

namespace mmssec::cotp {

const std::error_category& cotp_category() noexcept;
inline std::error_code make_error_code(Errc e) noexcept { return {static_cast<int>(e), cotp_category()}; }

/// TPDU codes: the high nibble of the octet after the LI (X.224 clause 13).
namespace codes {
inline constexpr std::uint8_t kCr = 0xE0;  ///< connection request (low nibble: CDT)
inline constexpr std::uint8_t kCc = 0xD0;  ///< connection confirm (low nibble: CDT)
inline constexpr std::uint8_t kDr = 0x80;  ///< disconnect request
inline constexpr std::uint8_t kDc = 0xC0;  ///< disconnect confirm (not class 0)
inline constexpr std::uint8_t kDt = 0xF0;  ///< data
inline constexpr std::uint8_t kEd = 0x10;  ///< expedited data (not class 0)
inline constexpr std::uint8_t kAk = 0x60;  ///< data acknowledgement (not class 0)
inline constexpr std::uint8_t kEa = 0x20;  ///< expedited acknowledgement (not class 0)
inline constexpr std::uint8_t kRj = 0x50;  ///< reject (not class 0)
inline constexpr std::uint8_t kEr = 0x70;  ///< TPDU error
}  // namespace codes

/// Variable-part parameter codes.
namespace params {
inline constexpr std::uint8_t kTpduSize = 0xC0;              ///< CR, CC: 1 octet, 7..13 = 2^n octets
inline constexpr std::uint8_t kCallingTsap = 0xC1;           ///< CR, CC: calling transport selector
inline constexpr std::uint8_t kCalledTsap = 0xC2;            ///< CR, CC: called transport selector
inline constexpr std::uint8_t kAdditionalOptions = 0xC6;     ///< CR, CC: additional option selection
inline constexpr std::uint8_t kAlternativeClasses = 0xC7;    ///< CR: alternative protocol classes
inline constexpr std::uint8_t kPreferredMaxTpduSize = 0xF0;  ///< CR, CC: size in 128-octet units
inline constexpr std::uint8_t kAdditionalInfo = 0xE0;        ///< DR: additional information
inline constexpr std::uint8_t kInvalidTpdu = 0xC1;           ///< ER: header of the rejected TPDU
}  // namespace params

/// DR reason codes (X.224 clause 13.5).
namespace reason {
inline constexpr std::uint8_t kNotSpecified = 0;
inline constexpr std::uint8_t kCongestionAtTsap = 1;
inline constexpr std::uint8_t kSessionNotAttached = 2;
inline constexpr std::uint8_t kAddressUnknown = 3;
inline constexpr std::uint8_t kNormal = 128;
inline constexpr std::uint8_t kRemoteCongestion = 129;
inline constexpr std::uint8_t kNegotiationFailed = 130;
inline constexpr std::uint8_t kDuplicateReference = 131;
inline constexpr std::uint8_t kMismatchedReferences = 132;
inline constexpr std::uint8_t kProtocolError = 133;
inline constexpr std::uint8_t kReferenceOverflow = 135;
inline constexpr std::uint8_t kRefused = 136;
inline constexpr std::uint8_t kHeaderLengthInvalid = 138;
}  // namespace reason

/// ER reject causes (X.224 clause 13.12).
namespace cause {
inline constexpr std::uint8_t kNotSpecified = 0;
inline constexpr std::uint8_t kInvalidParameterCode = 1;
inline constexpr std::uint8_t kInvalidTpduType = 2;
inline constexpr std::uint8_t kInvalidParameterValue = 3;
}  // namespace cause

/// Largest LI value (255 is reserved).
inline constexpr std::size_t kMaxLengthIndicator = 254;
/// tpdu-size codes 7..13 (128..8192 octets). The class 0 text of ISO 8073 stops at 2048 (code
/// 11), but RFC 1006 peers in the field propose 8192 (code 13); the codec accepts the whole
/// range and Limits::cotp_max_tpdu_size caps what a Connection negotiates.
inline constexpr std::uint8_t kMinTpduSizeCode = 7;
inline constexpr std::uint8_t kMaxTpduSizeCode = 13;
inline constexpr std::size_t kDefaultTpduSize = 128;  ///< when CR/CC carries no tpdu-size
inline constexpr std::size_t kMaxClass0TpduSize = 8192;
/// DT header in class 0: LI, code, EOT/TPDU-NR.
inline constexpr std::size_t kDtHeaderSize = 3;

/// 2^code for a valid code (7..13).
[[nodiscard]] constexpr std::size_t tpdu_size_from_code(std::uint8_t code) noexcept {
  return std::size_t{1} << code;
}
/// Largest code whose size is <= `size`, clamped to 7..13.
[[nodiscard]] std::uint8_t tpdu_size_code_for(std::size_t size) noexcept;

/// The fields shared by CR and CC (X.224 clauses 13.3 and 13.4).
struct ConnectTpdu {
  std::uint8_t credit = 0;    ///< CDT, always 0 in class 0
  std::uint16_t dst_ref = 0;  ///< 0 in a CR
  std::uint16_t src_ref = 0;
  std::uint8_t protocol_class = 0;             ///< high nibble of the class/option octet
  std::uint8_t options = 0;                    ///< low nibble (extended formats, explicit flow control)
  std::optional<std::uint8_t> tpdu_size_code;  ///< 0xC0, 7..13
  std::optional<Bytes> calling_tsap;           ///< 0xC1
  std::optional<Bytes> called_tsap;            ///< 0xC2
  std::optional<std::uint32_t> preferred_max_tpdu_size;  ///< 0xF0, in 128-octet units (tolerated)
  std::optional<std::uint8_t> additional_options;        ///< 0xC6 (tolerated)

  /// The TPDU size this TPDU states: 2^code, or 128 when the parameter is absent.
  [[nodiscard]] std::size_t tpdu_size() const noexcept {
    return tpdu_size_code ? tpdu_size_from_code(*tpdu_size_code) : kDefaultTpduSize;
  }
  friend bool operator==(const ConnectTpdu&, const ConnectTpdu&) = default;
};

struct Cr : ConnectTpdu {
  friend bool operator==(const Cr&, const Cr&) = default;
};
struct Cc : ConnectTpdu {
  friend bool operator==(const Cc&, const Cc&) = default;
};

/// Disconnect request (X.224 clause 13.5).
struct Dr {
  std::uint16_t dst_ref = 0;
  std::uint16_t src_ref = 0;
  std::uint8_t reason = reason::kNotSpecified;
  std::optional<Bytes> additional_info;  ///< 0xE0
  friend bool operator==(const Dr&, const Dr&) = default;
};

/// Data (X.224 clause 13.7, class 0 normal format). `user_data` views the decoded buffer.
struct Dt {
  bool eot = true;      ///< last segment of a TSDU
  std::uint8_t nr = 0;  ///< TPDU-NR, 7 bits, 0 in class 0 (not checked on receive)
  ByteView user_data{};
  friend bool operator==(const Dt& a, const Dt& b) noexcept {
    return a.eot == b.eot && a.nr == b.nr && a.user_data.size() == b.user_data.size() &&
           std::equal(a.user_data.begin(), a.user_data.end(), b.user_data.begin());
  }
};

/// TPDU error (X.224 clause 13.12).
struct Er {
  std::uint16_t dst_ref = 0;
  std::uint8_t cause = cause::kNotSpecified;
  std::optional<Bytes> invalid_tpdu;  ///< 0xC1: the header bit pattern of the rejected TPDU
  friend bool operator==(const Er&, const Er&) = default;
};

using Tpdu = std::variant<Cr, Cc, Dr, Dt, Er>;

/// Encoders append one TPDU to `out`; they fail (leaving `out` unchanged) when the header would
/// not fit the LI (TSAPs or parameters too long) or a value is out of range.
[[nodiscard]] Status encode(const Cr& tpdu, Bytes& out);
[[nodiscard]] Status encode(const Cc& tpdu, Bytes& out);
[[nodiscard]] Status encode(const Dr& tpdu, Bytes& out);
[[nodiscard]] Status encode(const Dt& tpdu, Bytes& out);
[[nodiscard]] Status encode(const Er& tpdu, Bytes& out);
[[nodiscard]] Status encode(const Tpdu& tpdu, Bytes& out);

/// Decode one whole TPDU (a TPKT payload). `base_offset` is the absolute offset of tpdu[0]
/// for error reports. A DT's user_data views `tpdu`.
[[nodiscard]] Result<Tpdu> decode_tpdu(ByteView tpdu, std::size_t base_offset = 0);
/// A DT decoded from a temporary buffer would view freed memory.
Result<Tpdu> decode_tpdu(Bytes&&, std::size_t = 0) = delete;

/// "CR", "CC", "DR", "DT", "ER".
[[nodiscard]] const char* tpdu_name(const Tpdu& tpdu) noexcept;

}  // namespace mmssec::cotp
