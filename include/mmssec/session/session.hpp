// SPDX-License-Identifier: Apache-2.0
// ISO 8327-1 / ITU-T X.225 connection-oriented session protocol: SPDU codecs for the kernel and
// duplex functional units, protocol version 2 with Extended User Data.
//
// Wire format (X.225 clause 8.2, paraphrased). Every SPDU is
//   SI (1 octet)  LI  parameter-field  [user information, DATA TRANSFER only]
// and the parameter field is a sequence of units
//   PI  LI value                  -- a parameter (PI unit)
//   PGI LI { PI LI value }*       -- a parameter group (PGI unit) holding PI units
//   PGI LI octets                 -- User Data (193) / Extended User Data (194)
// LI is one octet 0..254, or 0xFF followed by a two-octet big-endian length (extended form).
//
// Concatenation (X.225 clause 6.3, basic concatenation): a TSDU holds either one category 1
// SPDU (CN, AC, RF, FN, DN, AB, AA ...) alone, or a category 0 SPDU (GIVE TOKENS) optionally
// followed by one category 2 SPDU (DATA TRANSFER). An MMS data TSDU therefore starts
// `01 00 01 00` (GT with empty parameters, DT with empty parameters) and the presentation PDU
// follows. We also accept a lone DT (its user information never starts with SI 1 because every
// presentation PPDU starts with a BER tag other than 0x01).
//
// Unknown parameters: codes X.225 does not define at all are skipped (counted against
// Limits::session_max_parameters); codes X.225 defines but not for this SPDU (or not inside
// this group) are an error (Errc::unexpected_parameter). A PGI inside a PGI is an error, so the
// walk is at most two levels deep and never loops.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <system_error>
#include <variant>

#include "mmssec/core/bytes.hpp"
#include "mmssec/core/limits.hpp"
#include "mmssec/core/result.hpp"

namespace mmssec::session {

enum class Errc {
  truncated = 1,                   ///< an SI, LI or extended LI is cut short
  spdu_length_overflow,            ///< SPDU LI longer than the rest of the TSDU
  parameter_length_overflow,       ///< PI/PGI LI longer than the enclosing SPDU or PGI
  bad_parameter_length,            ///< a length the parameter's definition forbids (incl. zero)
  bad_parameter_value,             ///< a value the parameter's definition forbids
  duplicate_parameter,             ///< a parameter (or both user data forms) present twice
  missing_parameter,               ///< a mandatory parameter is absent
  unexpected_parameter,            ///< a parameter X.225 defines, but not for this SPDU / group
  nested_group,                    ///< a PGI inside a PGI
  too_many_parameters,             ///< more units than Limits::session_max_parameters
  user_data_limit,                 ///< user data above Limits::session_max_user_data
  user_data_too_long,              ///< user data above what the protocol version allows
  extended_user_data_requires_v2,  ///< Extended User Data without protocol version 2
  segmentation_unsupported,        ///< Enclosure Item other than "beginning and end"
  unsupported_spdu,                ///< an SI outside kernel + duplex (or unknown)
  bad_concatenation,               ///< category 0/2 concatenation rules violated
  trailing_data,                   ///< bytes after a complete category 1 SPDU
  empty_tsdu,                      ///< a TSDU of zero octets
  unexpected_spdu,                 ///< state machine: SPDU not allowed in the current state
  invalid_state,                   ///< local request not allowed in the current state
  version_not_supported,           ///< no common protocol version
  functional_unit_not_supported,   ///< the peer does not offer the duplex functional unit
  invalid_argument,                ///< an encoder was given a value it cannot represent
};

}  // namespace mmssec::session

template <>
struct std::is_error_code_enum<mmssec::session::Errc> : std::true_type {};

namespace mmssec::session {

const std::error_category& session_category() noexcept;
inline std::error_code make_error_code(Errc e) noexcept { return {static_cast<int>(e), session_category()}; }

/// SPDU identifiers (X.225 clause 8.3, table of SI codes).
namespace si {
inline constexpr std::uint8_t kDataTransfer = 1;  ///< DT (category 2)
inline constexpr std::uint8_t kGiveTokens = 1;    ///< GT (category 0), same code as DT
inline constexpr std::uint8_t kPleaseTokens = 2;  ///< PT (category 0), not supported
inline constexpr std::uint8_t kFinish = 9;
inline constexpr std::uint8_t kDisconnect = 10;
inline constexpr std::uint8_t kRefuse = 12;
inline constexpr std::uint8_t kConnect = 13;
inline constexpr std::uint8_t kAccept = 14;
inline constexpr std::uint8_t kAbort = 25;
inline constexpr std::uint8_t kAbortAccept = 26;
}  // namespace si

/// Parameter (PI) and parameter group (PGI) codes (X.225 clause 8.3).
namespace pi {
inline constexpr std::uint8_t kConnectionIdentifier = 1;  ///< PGI
inline constexpr std::uint8_t kConnectAcceptItem = 5;     ///< PGI
inline constexpr std::uint8_t kCalledSsUserReference = 9;
inline constexpr std::uint8_t kCallingSsUserReference = 10;
inline constexpr std::uint8_t kCommonReference = 11;
inline constexpr std::uint8_t kAdditionalReferenceInformation = 12;
inline constexpr std::uint8_t kTokenItem = 16;
inline constexpr std::uint8_t kTransportDisconnect = 17;
inline constexpr std::uint8_t kProtocolOptions = 19;
inline constexpr std::uint8_t kSessionUserRequirements = 20;
inline constexpr std::uint8_t kTsduMaximumSize = 21;
inline constexpr std::uint8_t kVersionNumber = 22;
inline constexpr std::uint8_t kInitialSerialNumber = 23;
inline constexpr std::uint8_t kEnclosureItem = 25;
inline constexpr std::uint8_t kTokenSettingItem = 26;
inline constexpr std::uint8_t kLinkingInformation = 33;  ///< PGI, not used here
inline constexpr std::uint8_t kReflectParameterValues = 49;
inline constexpr std::uint8_t kReasonCode = 50;
inline constexpr std::uint8_t kCallingSessionSelector = 51;
inline constexpr std::uint8_t kCalledSessionSelector = 52;  ///< also Responding Session Selector
inline constexpr std::uint8_t kSecondInitialSerialNumber = 55;
inline constexpr std::uint8_t kUpperLimitSerialNumber = 56;
inline constexpr std::uint8_t kLargeInitialSerialNumber = 57;
inline constexpr std::uint8_t kLargeSecondInitialSerialNumber = 58;
inline constexpr std::uint8_t kDataOverflow = 60;
inline constexpr std::uint8_t kUserData = 193;          ///< PGI
inline constexpr std::uint8_t kExtendedUserData = 194;  ///< PGI
}  // namespace pi

/// Version Number bits (PI 22): bit 1 = version 1, bit 2 = version 2.
inline constexpr std::uint8_t kVersion1 = 0x01;
inline constexpr std::uint8_t kVersion2 = 0x02;

/// Session User Requirements bits (PI 20), functional units.
inline constexpr std::uint16_t kFuHalfDuplex = 0x0001;
inline constexpr std::uint16_t kFuDuplex = 0x0002;
/// Value X.225 assumes when PI 20 is absent: half-duplex, minor synchronize, activity
/// management, capability data exchange, exceptions. It does not contain duplex.
inline constexpr std::uint16_t kDefaultSessionUserRequirements = 0x0349;

/// Transport Disconnect bits (PI 17).
inline constexpr std::uint8_t kTdReleased = 0x01;  ///< transport connection released (else kept)
inline constexpr std::uint8_t kTdUserAbort = 0x02;
inline constexpr std::uint8_t kTdProtocolError = 0x04;
inline constexpr std::uint8_t kTdNoReason = 0x08;
inline constexpr std::uint8_t kTdImplementationRestriction = 0x10;

/// Enclosure Item (PI 25) value for a complete (unsegmented) SSDU: beginning and end.
inline constexpr std::uint8_t kEnclosureComplete = 0x03;

/// Reason Code (PI 50) values, X.225 clause 8.3.5.
namespace reason {
inline constexpr std::uint8_t kUserNotSpecified = 0;
inline constexpr std::uint8_t kUserCongestion = 1;
inline constexpr std::uint8_t kUserWithData = 2;  ///< user data follows the reason octet
inline constexpr std::uint8_t kSelectorUnknown = 128 + 1;
inline constexpr std::uint8_t kUserNotAttached = 128 + 2;
inline constexpr std::uint8_t kSpmCongestion = 128 + 3;
inline constexpr std::uint8_t kVersionsNotSupported = 128 + 4;
inline constexpr std::uint8_t kSpmNotSpecified = 128 + 5;
inline constexpr std::uint8_t kSpmImplementationRestriction = 128 + 6;
}  // namespace reason

/// Size limits of X.225 that are not configuration.
inline constexpr std::size_t kMaxUserData = 512;            ///< User Data in CN, and with version 1
inline constexpr std::size_t kMaxExtendedUserData = 10240;  ///< Extended User Data in CN
inline constexpr std::size_t kMaxSelector = 16;             ///< session selectors
inline constexpr std::size_t kMaxLength = 65535;            ///< largest LI value

/// Which user-data parameter carries (or carried) the user data.
enum class UserDataForm : std::uint8_t {
  automatic,  ///< encode: PGI 193 up to 512 octets, PGI 194 above (the form IEC 61850 stacks emit)
  normal,     ///< PGI 193 (User Data)
  extended,   ///< PGI 194 (Extended User Data)
};

/// TSDU Maximum Size (PI 21): two 16-bit sizes, 0 = unlimited.
struct TsduMaximumSize {
  std::uint16_t initiator_to_responder = 0;
  std::uint16_t responder_to_initiator = 0;
  friend bool operator==(const TsduMaximumSize&, const TsduMaximumSize&) = default;
};

/// Connect/Accept Item (PGI 5).
struct ConnectAcceptItem {
  std::uint8_t protocol_options = 0;                 ///< PI 19; bit 1 = extended concatenation
  std::optional<TsduMaximumSize> tsdu_maximum_size;  ///< PI 21
  std::uint8_t version_number = kVersion2;           ///< PI 22; absent on the wire = version 1
  std::optional<Bytes> initial_serial_number;        ///< PI 23, 1..6 decimal digits
  std::optional<std::uint8_t> token_setting_item;    ///< PI 26
  friend bool operator==(const ConnectAcceptItem&, const ConnectAcceptItem&) = default;
};

/// CONNECT SPDU (SI 13).
struct Connect {
  std::optional<Bytes> connection_identifier;  ///< PGI 1, content kept verbatim (validated)
  std::optional<ConnectAcceptItem> connect_accept_item;
  std::optional<std::uint16_t> session_user_requirements;  ///< PI 20
  std::optional<Bytes> calling_session_selector;           ///< PI 51
  std::optional<Bytes> called_session_selector;            ///< PI 52
  std::optional<std::uint8_t> data_overflow;               ///< PI 60 (tolerated, never emitted)
  std::optional<Bytes> user_data;                          ///< PGI 193 or 194
  UserDataForm user_data_form = UserDataForm::automatic;
  /// Proposed versions (bit mask); version 1 when the Connect/Accept Item is absent.
  [[nodiscard]] std::uint8_t versions() const noexcept {
    return connect_accept_item ? connect_accept_item->version_number : kVersion1;
  }
  friend bool operator==(const Connect&, const Connect&) = default;
};

/// ACCEPT SPDU (SI 14).
struct Accept {
  std::optional<Bytes> connection_identifier;
  std::optional<ConnectAcceptItem> connect_accept_item;
  std::optional<std::uint8_t> token_item;                  ///< PI 16
  std::optional<std::uint16_t> session_user_requirements;  ///< PI 20
  std::optional<std::uint8_t> enclosure_item;              ///< PI 25
  std::optional<Bytes> calling_session_selector;           ///< PI 51
  std::optional<Bytes> responding_session_selector;        ///< PI 52
  std::optional<Bytes> user_data;
  UserDataForm user_data_form = UserDataForm::automatic;
  /// Selected version; version 1 when the Connect/Accept Item is absent.
  [[nodiscard]] std::uint8_t version() const noexcept {
    return connect_accept_item ? connect_accept_item->version_number : kVersion1;
  }
  friend bool operator==(const Accept&, const Accept&) = default;
};

/// REFUSE SPDU (SI 12). User data travels inside Reason Code, after the reason octet, and only
/// with reason 2 (rejection by the called SS-user).
struct Refuse {
  std::optional<Bytes> connection_identifier;
  std::optional<std::uint8_t> transport_disconnect;        ///< PI 17
  std::optional<std::uint16_t> session_user_requirements;  ///< PI 20
  std::optional<std::uint8_t> version_number;              ///< PI 22
  std::optional<std::uint8_t> enclosure_item;              ///< PI 25
  std::uint8_t reason_code = reason::kUserNotSpecified;    ///< PI 50 (mandatory)
  std::optional<Bytes> user_data;                          ///< only with reason 2
  friend bool operator==(const Refuse&, const Refuse&) = default;
};

/// FINISH SPDU (SI 9).
struct Finish {
  std::optional<std::uint8_t> transport_disconnect;
  std::optional<std::uint8_t> enclosure_item;
  std::optional<Bytes> user_data;
  UserDataForm user_data_form = UserDataForm::automatic;
  friend bool operator==(const Finish&, const Finish&) = default;
};

/// DISCONNECT SPDU (SI 10).
struct Disconnect {
  std::optional<std::uint8_t> enclosure_item;
  std::optional<Bytes> user_data;
  UserDataForm user_data_form = UserDataForm::automatic;
  friend bool operator==(const Disconnect&, const Disconnect&) = default;
};

/// ABORT SPDU (SI 25).
struct Abort {
  std::uint8_t transport_disconnect = kTdReleased | kTdUserAbort;  ///< PI 17 (mandatory)
  std::optional<std::uint8_t> enclosure_item;
  std::optional<Bytes> reflect_parameter_values;  ///< PI 49, up to 9 octets
  std::optional<Bytes> user_data;
  UserDataForm user_data_form = UserDataForm::automatic;
  friend bool operator==(const Abort&, const Abort&) = default;
};

/// ABORT ACCEPT SPDU (SI 26), no parameters.
struct AbortAccept {
  friend bool operator==(const AbortAccept&, const AbortAccept&) = default;
};

/// GIVE TOKENS SPDU (SI 1, category 0).
struct GiveTokens {
  std::optional<std::uint8_t> token_item;  ///< PI 16
  std::optional<std::uint8_t> enclosure_item;
  friend bool operator==(const GiveTokens&, const GiveTokens&) = default;
};

/// DATA TRANSFER SPDU (SI 1, category 2); user information follows the parameter field.
struct DataTransfer {
  std::optional<std::uint8_t> enclosure_item;
  Bytes user_information;
  friend bool operator==(const DataTransfer&, const DataTransfer&) = default;
};

using Spdu =
    std::variant<Connect, Accept, Refuse, Finish, Disconnect, Abort, AbortAccept, GiveTokens, DataTransfer>;

/// One decoded TSDU: a category 1 SPDU alone, a lone GT, a GT followed by a DT, or a lone DT.
struct Tsdu {
  std::optional<GiveTokens> give_tokens;  ///< the category 0 GT that preceded a DT
  Spdu spdu;
};

/// Decode one TSDU completely (no trailing bytes). `base_offset` is the absolute offset of
/// tsdu[0], reported in errors.
[[nodiscard]] Result<Tsdu> decode_tsdu(ByteView tsdu, const Limits& limits = default_limits(),
                                       std::size_t base_offset = 0);

/// Append the encoding of one SPDU. A GiveTokens or DataTransfer is encoded alone (a DT this
/// way has no preceding GT; use encode_data_tsdu for the usual form). Fails with
/// Errc::invalid_argument for values X.225 cannot carry (selector > 16 octets, user data too
/// long for the form or version, lengths above 65535, user data in RF without reason 2).
[[nodiscard]] Status encode_spdu(const Spdu& spdu, Bytes& out);
[[nodiscard]] Result<Bytes> encode_spdu(const Spdu& spdu);

/// The data TSDU every IEC 61850 stack sends: GT (empty) + DT (empty) + user information.
[[nodiscard]] Bytes encode_data_tsdu(ByteView user_information);
/// Its first four octets: GT ::= 01 00 (no parameters), DT ::= 01 00 (no parameters).
inline constexpr std::array<std::uint8_t, 4> kDataTsduHeader{si::kGiveTokens, 0, si::kDataTransfer, 0};

/// Short SPDU name ("CN", "AC", "DT" ...) for logs and tools.
[[nodiscard]] const char* spdu_name(const Spdu& spdu) noexcept;

}  // namespace mmssec::session
