// SPDX-License-Identifier: Apache-2.0
// SPDU codec tests: golden vectors (libiec61850 wire form, hand-assembled and explained),
// round trips, the 0xFF length form both ways, and a named failing test per malformed length,
// limit and error path.
#include <gtest/gtest.h>

#include <string>

#include "mmssec/session/session.hpp"

namespace mmssec::session {
namespace {

Bytes hex(std::string_view h) {
  auto r = from_hex(h);
  EXPECT_TRUE(r.ok()) << h;
  return r.ok() ? *r : Bytes{};
}

Bytes filled(std::size_t n, std::uint8_t seed = 0x30) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(seed + i);
  return b;
}

Error decode_error(std::string_view h, const Limits& limits = default_limits(), std::size_t base = 0) {
  const Bytes b = hex(h);
  auto r = decode_tsdu(b, limits, base);
  EXPECT_FALSE(r.ok()) << h;
  return r.ok() ? Error{} : r.error();
}

Tsdu decode_ok(const Bytes& b, const Limits& limits = default_limits()) {
  auto r = decode_tsdu(b, limits);
  EXPECT_TRUE(r.ok()) << to_hex(b) << " " << (r.ok() ? "" : r.error().describe());
  return r.ok() ? std::move(*r) : Tsdu{std::nullopt, AbortAccept{}};
}

// The CN libiec61850 sends, with a 4-octet stand-in for the CP-type PPDU:
//   0d 1a                 CN, LI 26
//   05 06                 Connect/Accept Item, LI 6
//      13 01 00           Protocol Options 0
//      16 01 02           Version Number: version 2
//   14 02 00 02           Session User Requirements: duplex
//   33 02 00 01           Calling Session Selector 00 01
//   34 02 00 01           Called Session Selector 00 01
//   c1 04 31 02 a0 00     User Data (4 octets)
constexpr std::string_view kCn = "0d1a 0506 130100 160102 14020002 33020001 34020001 c104 3102a000";

// The AC libiec61850 answers with:
//   0e 16 | 05 06 13 01 00 16 01 02 | 14 02 00 02 | 34 02 00 01 (Responding Selector) | c1 04 ...
constexpr std::string_view kAc = "0e16 0506 130100 160102 14020002 34020001 c104 3102a000";

Connect typical_connect() {
  Connect cn;
  cn.connect_accept_item = ConnectAcceptItem{};
  cn.session_user_requirements = kFuDuplex;
  cn.calling_session_selector = Bytes{0x00, 0x01};
  cn.called_session_selector = Bytes{0x00, 0x01};
  cn.user_data = hex("3102a000");
  return cn;
}

TEST(SessionSpdu, GoldenConnectEncodesLikeLibiec61850) {
  auto enc = encode_spdu(typical_connect());
  ASSERT_TRUE(enc.ok());
  EXPECT_EQ(to_hex(*enc), to_hex(hex(kCn)));
}

TEST(SessionSpdu, GoldenConnectDecodes) {
  const Tsdu t = decode_ok(hex(kCn));
  const auto* cn = std::get_if<Connect>(&t.spdu);
  ASSERT_NE(cn, nullptr);
  EXPECT_FALSE(t.give_tokens);
  ASSERT_TRUE(cn->connect_accept_item);
  EXPECT_EQ(cn->connect_accept_item->protocol_options, 0);
  EXPECT_EQ(cn->versions(), kVersion2);
  EXPECT_EQ(cn->session_user_requirements, kFuDuplex);
  EXPECT_EQ(*cn->calling_session_selector, (Bytes{0x00, 0x01}));
  EXPECT_EQ(*cn->called_session_selector, (Bytes{0x00, 0x01}));
  EXPECT_EQ(*cn->user_data, hex("3102a000"));
  EXPECT_EQ(cn->user_data_form, UserDataForm::normal);
  EXPECT_STREQ(spdu_name(t.spdu), "CN");
}

TEST(SessionSpdu, GoldenAcceptRoundTrip) {
  Accept ac;
  ac.connect_accept_item = ConnectAcceptItem{};
  ac.session_user_requirements = kFuDuplex;
  ac.responding_session_selector = Bytes{0x00, 0x01};
  ac.user_data = hex("3102a000");
  auto enc = encode_spdu(ac);
  ASSERT_TRUE(enc.ok());
  EXPECT_EQ(to_hex(*enc), to_hex(hex(kAc)));
  const Tsdu t = decode_ok(*enc);
  const auto* got = std::get_if<Accept>(&t.spdu);
  ASSERT_NE(got, nullptr);
  EXPECT_EQ(got->version(), kVersion2);
  EXPECT_EQ(*got->responding_session_selector, (Bytes{0x00, 0x01}));
  EXPECT_EQ(*got->user_data, hex("3102a000"));
}

// A CN with 600 octets of user data (an AARQ carrying a certificate, PROFILE.md §3):
//   0d ff 02 70           CN, extended LI = 624 = 8 + 4 + 4 + 4 + (1 + 3 + 600)
//   ...                   as the typical CN
//   c2 ff 02 58 <600>     Extended User Data, extended LI = 600
TEST(SessionSpdu, ExtendedUserDataUsesFfLengthFormBothWays) {
  Connect cn = typical_connect();
  cn.user_data = filled(600);
  auto enc = encode_spdu(cn);
  ASSERT_TRUE(enc.ok());
  ASSERT_EQ(enc->size(), 4U + 624U);
  EXPECT_EQ(to_hex(ByteView(*enc).first(4)), "0dff0270");
  EXPECT_EQ(to_hex(ByteView(*enc).subspan(24, 4)), "c2ff0258");
  const Tsdu t = decode_ok(*enc);
  const auto* got = std::get_if<Connect>(&t.spdu);
  ASSERT_NE(got, nullptr);
  EXPECT_EQ(got->user_data_form, UserDataForm::extended);
  EXPECT_EQ(*got->user_data, filled(600));
}

TEST(SessionSpdu, Exactly512OctetsStaysInUserData) {
  Connect cn = typical_connect();
  cn.user_data = filled(512);
  auto enc = encode_spdu(cn);
  ASSERT_TRUE(enc.ok());
  EXPECT_EQ(to_hex(ByteView(*enc).subspan(24, 4)), "c1ff0200");  // PGI 193, LI 0xff 02 00
  EXPECT_EQ(std::get<Connect>(decode_ok(*enc).spdu).user_data_form, UserDataForm::normal);
}

TEST(SessionSpdu, AcceptWithExtendedUserDataRoundTrip) {
  Accept ac;
  ac.connect_accept_item = ConnectAcceptItem{};
  ac.user_data = filled(1500);
  auto enc = encode_spdu(ac);
  ASSERT_TRUE(enc.ok());
  EXPECT_EQ(to_hex(ByteView(*enc).first(2)), "0eff");
  const auto got = std::get<Accept>(decode_ok(*enc).spdu);
  EXPECT_EQ(got.user_data_form, UserDataForm::extended);
  EXPECT_EQ(*got.user_data, filled(1500));
}

TEST(SessionSpdu, ExtendedLengthFormAcceptedForSmallValues) {
  // CN with LI in extended form (ff 00 06) and a parameter LI in extended form (ff 00 02).
  const Tsdu t = decode_ok(hex("0dff0006 14ff00020002"));
  EXPECT_EQ(std::get<Connect>(t.spdu).session_user_requirements, kFuDuplex);
}

TEST(SessionSpdu, ConnectWithoutConnectAcceptItemIsVersion1) {
  const Tsdu t = decode_ok(hex("0d00"));
  EXPECT_EQ(std::get<Connect>(t.spdu).versions(), kVersion1);
}

TEST(SessionSpdu, ConnectAcceptItemFullRoundTrip) {
  Connect cn;
  cn.connection_identifier = hex("0a03414243 0c0101");  // Calling SS-user Ref "ABC", Additional 01
  ConnectAcceptItem item;
  item.protocol_options = 1;
  item.tsdu_maximum_size = TsduMaximumSize{0x1000, 0x2000};
  item.version_number = kVersion1 | kVersion2;
  item.initial_serial_number = Bytes{'1', '2'};
  item.token_setting_item = 0x55;
  cn.connect_accept_item = item;
  cn.data_overflow = 0;
  auto enc = encode_spdu(cn);
  ASSERT_TRUE(enc.ok());
  // 0d 22 | 01 08 0a03414243 0c0101 | 05 13 130101 1504 10002000 160103 17023132 1a0155 | 3c0100
  EXPECT_EQ(to_hex(*enc), to_hex(hex("0d22 01080a034142430c0101 0513 130101 150410002000 160103 17023132 "
                                     "1a0155 3c0100")));
  Connect got = std::get<Connect>(decode_ok(*enc).spdu);
  got.user_data_form = UserDataForm::automatic;
  EXPECT_EQ(got, cn);
}

// ---- the other SPDU types ----

TEST(SessionSpdu, GoldenDataTsdu) {
  // 01 00 GT (no parameters) | 01 00 DT (no parameters) | 61 02 30 00 presentation PDU
  const Bytes b = encode_data_tsdu(hex("61023000"));
  EXPECT_EQ(to_hex(b), "0100010061023000");
  const Tsdu t = decode_ok(b);
  ASSERT_TRUE(t.give_tokens);
  const auto* dt = std::get_if<DataTransfer>(&t.spdu);
  ASSERT_NE(dt, nullptr);
  EXPECT_EQ(dt->user_information, hex("61023000"));
  EXPECT_STREQ(spdu_name(t.spdu), "DT");
}

TEST(SessionSpdu, LoneDataTransferAccepted) {
  const Tsdu t = decode_ok(hex("0100 61023000"));
  EXPECT_FALSE(t.give_tokens);
  EXPECT_EQ(std::get<DataTransfer>(t.spdu).user_information, hex("61023000"));
}

TEST(SessionSpdu, LoneGiveTokensAccepted) {
  const Tsdu t = decode_ok(hex("0103 100101"));  // GT with Token Item 01
  EXPECT_EQ(std::get<GiveTokens>(t.spdu).token_item, 1);
}

TEST(SessionSpdu, DataTransferWithCompleteEnclosureItem) {
  const Tsdu t = decode_ok(hex("0100 0103 190103 aa"));
  EXPECT_EQ(std::get<DataTransfer>(t.spdu).enclosure_item, kEnclosureComplete);
  EXPECT_EQ(std::get<DataTransfer>(t.spdu).user_information, hex("aa"));
}

TEST(SessionSpdu, GoldenAbortLikeLibiec61850) {
  // 19 07 | 11 01 0b Transport Disconnect: released, user abort, no reason | c1 02 aabb
  Abort ab;
  ab.transport_disconnect = kTdReleased | kTdUserAbort | kTdNoReason;
  ab.user_data = hex("aabb");
  auto enc = encode_spdu(ab);
  ASSERT_TRUE(enc.ok());
  EXPECT_EQ(to_hex(*enc), "190711010bc102aabb");
  Abort got = std::get<Abort>(decode_ok(*enc).spdu);
  got.user_data_form = UserDataForm::automatic;
  EXPECT_EQ(got, ab);
}

TEST(SessionSpdu, AbortWithReflectParameterRoundTrip) {
  Abort ab;
  ab.transport_disconnect = kTdReleased | kTdProtocolError;
  ab.enclosure_item = kEnclosureComplete;
  ab.reflect_parameter_values = hex("010203");
  auto enc = encode_spdu(ab);
  ASSERT_TRUE(enc.ok());
  EXPECT_EQ(to_hex(*enc),
            "190b110105190103310301"
            "0203");
  EXPECT_EQ(std::get<Abort>(decode_ok(*enc).spdu), ab);
}

TEST(SessionSpdu, GoldenFinishAndDisconnect) {
  // 09 04 | c1 02 aabb        FN with User Data
  // 0a 04 | c1 02 ccdd        DN with User Data
  Finish fn;
  fn.user_data = hex("aabb");
  Disconnect dn;
  dn.user_data = hex("ccdd");
  EXPECT_EQ(to_hex(*encode_spdu(fn)), "0904c102aabb");
  EXPECT_EQ(to_hex(*encode_spdu(dn)), "0a04c102ccdd");
  EXPECT_EQ(*std::get<Finish>(decode_ok(hex("0907 110101 c102aabb")).spdu).user_data, hex("aabb"));
  EXPECT_EQ(std::get<Finish>(decode_ok(hex("0907 110101 c102aabb")).spdu).transport_disconnect, kTdReleased);
  EXPECT_EQ(*std::get<Disconnect>(decode_ok(hex("0a04c102ccdd")).spdu).user_data, hex("ccdd"));
}

TEST(SessionSpdu, FinishAcceptsExtendedUserData) {
  const Tsdu t = decode_ok(hex("0904 c202aabb"));
  EXPECT_EQ(std::get<Finish>(t.spdu).user_data_form, UserDataForm::extended);
}

TEST(SessionSpdu, GoldenRefuse) {
  // 0c 06 | 11 01 01 Transport Disconnect released | 32 01 84 Reason: versions not supported
  Refuse rf;
  rf.transport_disconnect = kTdReleased;
  rf.reason_code = reason::kVersionsNotSupported;
  EXPECT_EQ(to_hex(*encode_spdu(rf)), "0c06110101320184");
  EXPECT_EQ(std::get<Refuse>(decode_ok(hex("0c06110101320184")).spdu), rf);
}

TEST(SessionSpdu, RefuseWithUserDataInsideReasonCode) {
  // 0c 05 | 32 03 02 aabb  Reason 2 (rejection by SS-user) followed by user data
  Refuse rf;
  rf.reason_code = reason::kUserWithData;
  rf.user_data = hex("aabb");
  EXPECT_EQ(to_hex(*encode_spdu(rf)),
            "0c053203"
            "02aabb");
  EXPECT_EQ(std::get<Refuse>(decode_ok(hex("0c05320302aabb")).spdu), rf);
}

TEST(SessionSpdu, GoldenAbortAccept) {
  EXPECT_EQ(to_hex(*encode_spdu(AbortAccept{})), "1a00");
  EXPECT_TRUE(std::holds_alternative<AbortAccept>(decode_ok(hex("1a00")).spdu));
}

TEST(SessionSpdu, UnknownParameterSkipped) {
  // PI 99 is not defined by X.225: skipped.
  const Tsdu t = decode_ok(hex("0d07 630100 14020002"));
  EXPECT_EQ(std::get<Connect>(t.spdu).session_user_requirements, kFuDuplex);
}

TEST(SessionSpdu, ToleratedConnectAcceptItemParametersIgnored) {
  // Upper Limit Serial Number (56) inside PGI 5 is tolerated and dropped.
  const Tsdu t = decode_ok(hex("0d08 0506 160102 380131"));
  EXPECT_EQ(std::get<Connect>(t.spdu).versions(), kVersion2);
}

// ---- malformed lengths ----

TEST(SessionSpduMalformed, EmptyTsdu) { EXPECT_EQ(decode_error(""), Error(Errc::empty_tsdu)); }

TEST(SessionSpduMalformed, MissingSpduLength) { EXPECT_EQ(decode_error("0d"), Error(Errc::truncated)); }

TEST(SessionSpduMalformed, TruncatedExtendedSpduLength) {
  const Error e = decode_error("0dff01");
  EXPECT_EQ(e, Error(Errc::truncated));
  EXPECT_EQ(e.offset, 1U);
}

TEST(SessionSpduMalformed, SpduLongerThanTsdu) {
  const Error e = decode_error("0d05 0500", default_limits(), 100);
  EXPECT_EQ(e, Error(Errc::spdu_length_overflow));
  EXPECT_EQ(e.offset, 100U);
}

TEST(SessionSpduMalformed, ExtendedSpduLengthLongerThanTsdu) {
  EXPECT_EQ(decode_error("0dff0100 0000"), Error(Errc::spdu_length_overflow));
}

TEST(SessionSpduMalformed, ParameterLongerThanSpdu) {
  // SUR claims 5 octets, the SPDU holds 1 more; the PI starts at absolute offset 10 + 2.
  const Error e = decode_error("0d03 140500 ff", default_limits(), 10);
  EXPECT_EQ(e, Error(Errc::parameter_length_overflow));
  EXPECT_EQ(e.offset, 12U);
}

TEST(SessionSpduMalformed, ParameterLongerThanGroup) {
  EXPECT_EQ(decode_error("0d06 0503 160302 00"), Error(Errc::parameter_length_overflow));
}

TEST(SessionSpduMalformed, TruncatedExtendedParameterLength) {
  EXPECT_EQ(decode_error("0d02 c1ff"), Error(Errc::truncated));
}

TEST(SessionSpduMalformed, ParameterCodeWithoutLength) {
  EXPECT_EQ(decode_error("0d01 14"), Error(Errc::truncated));
}

TEST(SessionSpduMalformed, ZeroLengthConnectAcceptItem) {
  EXPECT_EQ(decode_error("0d02 0500"), Error(Errc::bad_parameter_length));
}

TEST(SessionSpduMalformed, ZeroLengthProtocolOptions) {
  EXPECT_EQ(decode_error("0d04 0502 1300"), Error(Errc::bad_parameter_length));
}

TEST(SessionSpduMalformed, ZeroLengthVersionNumber) {
  EXPECT_EQ(decode_error("0d04 0502 1600"), Error(Errc::bad_parameter_length));
}

TEST(SessionSpduMalformed, ZeroLengthSessionUserRequirements) {
  EXPECT_EQ(decode_error("0d02 1400"), Error(Errc::bad_parameter_length));
}

TEST(SessionSpduMalformed, ZeroLengthReasonCode) {
  EXPECT_EQ(decode_error("0c02 3200"), Error(Errc::bad_parameter_length));
}

TEST(SessionSpduMalformed, ZeroLengthTransportDisconnect) {
  EXPECT_EQ(decode_error("1902 1100"), Error(Errc::bad_parameter_length));
}

TEST(SessionSpduMalformed, ZeroLengthEnclosureItem) {
  EXPECT_EQ(decode_error("0a02 1900"), Error(Errc::bad_parameter_length));
}

TEST(SessionSpduMalformed, TsduMaximumSizeWrongLength) {
  EXPECT_EQ(decode_error("0d05 0503 150100"), Error(Errc::bad_parameter_length));
}

TEST(SessionSpduMalformed, InitialSerialNumberTooLong) {
  EXPECT_EQ(decode_error("0d0b 0509 1707 31323334353637"), Error(Errc::bad_parameter_length));
}

TEST(SessionSpduMalformed, InitialSerialNumberNotDigits) {
  EXPECT_EQ(decode_error("0d05 0503 170141"), Error(Errc::bad_parameter_value));
}

TEST(SessionSpduMalformed, SelectorLongerThan16) {
  EXPECT_EQ(decode_error("0d13 3311 0102030405060708090a0b0c0d0e0f1011"), Error(Errc::bad_parameter_length));
}

TEST(SessionSpduMalformed, ReflectParameterLongerThan9) {
  EXPECT_EQ(decode_error("190f 110101 310a 00010203040506070809"), Error(Errc::bad_parameter_length));
}

TEST(SessionSpduMalformed, ConnectionIdentifierReferenceTooLong) {
  EXPECT_EQ(decode_error("0d09 0107 0c05 0102030405"), Error(Errc::bad_parameter_length));
}

TEST(SessionSpduMalformed, VersionNumberZero) {
  EXPECT_EQ(decode_error("0d05 0503 160100"), Error(Errc::bad_parameter_value));
}

TEST(SessionSpduMalformed, VersionNumberReservedBits) {
  EXPECT_EQ(decode_error("0d05 0503 160106"), Error(Errc::bad_parameter_value));
}

TEST(SessionSpduMalformed, DuplicateParameter) {
  const Error e = decode_error("0d08 14020002 14020002");
  EXPECT_EQ(e, Error(Errc::duplicate_parameter));
  EXPECT_EQ(e.offset, 6U);
}

TEST(SessionSpduMalformed, BothUserDataForms) {
  EXPECT_EQ(decode_error("0d0b 0503 160102 c101aa c201bb"), Error(Errc::duplicate_parameter));
}

TEST(SessionSpduMalformed, ParameterNotAllowedInSpdu) {
  // Reason Code (50) is defined by X.225 but not for CN.
  EXPECT_EQ(decode_error("0d03 320100"), Error(Errc::unexpected_parameter));
}

TEST(SessionSpduMalformed, ParameterNotAllowedInGroup) {
  // Session User Requirements inside the Connect/Accept Item.
  EXPECT_EQ(decode_error("0d06 0504 14020002"), Error(Errc::unexpected_parameter));
}

TEST(SessionSpduMalformed, NestedParameterGroup) {
  EXPECT_EQ(decode_error("0d06 0504 01020900"), Error(Errc::nested_group));
}

TEST(SessionSpduMalformed, UserDataInsideGroup) {
  EXPECT_EQ(decode_error("0d05 0503 c101aa"), Error(Errc::nested_group));
}

TEST(SessionSpduMalformed, AbortAcceptWithParameter) {
  EXPECT_EQ(decode_error("1a03 110101"), Error(Errc::unexpected_parameter));
}

TEST(SessionSpduMalformed, TrailingBytesAfterCategory1Spdu) {
  const Error e = decode_error("0d00 00");
  EXPECT_EQ(e, Error(Errc::trailing_data));
  EXPECT_EQ(e.offset, 2U);
}

TEST(SessionSpduMalformed, UnsupportedSpdu) {
  EXPECT_EQ(decode_error("0200"), Error(Errc::unsupported_spdu));  // PLEASE TOKENS
  EXPECT_EQ(decode_error("0800"), Error(Errc::unsupported_spdu));  // NOT FINISHED
  EXPECT_EQ(decode_error("ff00"), Error(Errc::unsupported_spdu));
}

TEST(SessionSpduMalformed, GiveTokensWithTokenItemFollowedByNonDt) {
  EXPECT_EQ(decode_error("0103 100101 61023000"), Error(Errc::bad_concatenation));
}

TEST(SessionSpduMalformed, SegmentedDataTransferRejected) {
  // Enclosure Item 01 = beginning only: a segmented SSDU.
  EXPECT_EQ(decode_error("0100 0103 190101 aa"), Error(Errc::segmentation_unsupported));
}

TEST(SessionSpduMalformed, DtAfterGtWithTruncatedHeader) {
  EXPECT_EQ(decode_error("0100 01"), Error(Errc::truncated));
}

TEST(SessionSpduMalformed, DtAfterGtLongerThanTsdu) {
  EXPECT_EQ(decode_error("0100 0105 1901"), Error(Errc::spdu_length_overflow));
}

TEST(SessionSpduMalformed, AbortWithoutTransportDisconnect) {
  EXPECT_EQ(decode_error("1900"), Error(Errc::missing_parameter));
}

TEST(SessionSpduMalformed, RefuseWithoutReasonCode) {
  EXPECT_EQ(decode_error("0c03 110101"), Error(Errc::missing_parameter));
}

TEST(SessionSpduMalformed, RefuseUserDataWithoutReason2) {
  EXPECT_EQ(decode_error("0c04 320200aa"), Error(Errc::bad_parameter_length));
}

TEST(SessionSpduMalformed, ConnectUserDataAbove512) {
  Bytes b = hex("0d08 0503 160102 c1ff0201");
  const Bytes ud = filled(513);
  b.insert(b.end(), ud.begin(), ud.end());
  b[1] = 0xff;  // SPDU LI in extended form: 5 + 4 + 513 = 522 = 0x020a
  b.insert(b.begin() + 2, {0x02, 0x0a});
  EXPECT_EQ(decode_tsdu(b).error(), Error(Errc::user_data_too_long));
}

TEST(SessionSpduMalformed, ExtendedUserDataWithoutVersion2) {
  // No Connect/Accept Item = version 1 only, yet PGI 194.
  EXPECT_EQ(decode_error("0d06 c204aabbccdd"), Error(Errc::extended_user_data_requires_v2));
  EXPECT_EQ(decode_error("0d0b 0503 160101 c204aabbccdd"), Error(Errc::extended_user_data_requires_v2));
}

TEST(SessionSpduMalformed, AcceptExtendedUserDataWithVersion1) {
  EXPECT_EQ(decode_error("0e0b 0503 160101 c204aabbccdd"), Error(Errc::extended_user_data_requires_v2));
}

// ---- limits ----

TEST(SessionSpduLimits, ParameterCountLimit) {
  Limits limits;
  limits.session_max_parameters = 3;
  // Three unknown (skipped) parameters: fine. Four: limit hit at the fourth unit (offset 11).
  EXPECT_TRUE(decode_tsdu(hex("0d09 630100 630100 630100"), limits).ok());
  const Error e = decode_error("0d0c 630100 630100 630100 630100", limits);
  EXPECT_EQ(e, Error(Errc::too_many_parameters));
  EXPECT_EQ(e.offset, 11U);
}

TEST(SessionSpduLimits, ParameterCountIncludesGroupMembers) {
  Limits limits;
  limits.session_max_parameters = 3;
  // PGI 5 + three PIs inside it = 4 units.
  EXPECT_EQ(decode_error("0d0b 0509 130100 160102 1a0100", limits), Error(Errc::too_many_parameters));
}

TEST(SessionSpduLimits, DefaultParameterCountLimit) {
  Bytes b{0x0d, 0x00};
  for (std::size_t i = 0; i < default_limits().session_max_parameters + 1; ++i) {
    b.push_back(0x63);
    b.push_back(0x00);
  }
  b[1] = static_cast<std::uint8_t>(b.size() - 2);
  EXPECT_EQ(decode_tsdu(b).error(), Error(Errc::too_many_parameters));
  b.resize(b.size() - 2);
  b[1] = static_cast<std::uint8_t>(b.size() - 2);
  EXPECT_TRUE(decode_tsdu(b).ok());
}

TEST(SessionSpduLimits, UserDataLimit) {
  Limits limits;
  limits.session_max_user_data = 4;
  EXPECT_TRUE(decode_tsdu(hex("0d06 c104aabbccdd"), limits).ok());
  EXPECT_EQ(decode_error("0d07 c105aabbccddee", limits), Error(Errc::user_data_limit));
  EXPECT_EQ(decode_error("0a07 c105aabbccddee", limits), Error(Errc::user_data_limit));
  EXPECT_EQ(decode_error("0c08 320602aabbccddee", limits), Error(Errc::user_data_limit));
}

TEST(SessionSpduLimits, ExtendedUserDataAbove10240) {
  Connect cn = typical_connect();
  cn.user_data = filled(10240);
  auto enc = encode_spdu(cn);
  ASSERT_TRUE(enc.ok());
  EXPECT_TRUE(decode_tsdu(*enc).ok());
  // Grow the PGI 194 by one octet (and the SPDU LI with it): above X.225's 10240.
  Limits limits;
  limits.session_max_user_data = 20000;
  Bytes big = *enc;
  big.push_back(0x00);
  big[2] = static_cast<std::uint8_t>((big.size() - 4) >> 8);
  big[3] = static_cast<std::uint8_t>(big.size() - 4);
  big[26] = static_cast<std::uint8_t>(10241 >> 8);
  big[27] = static_cast<std::uint8_t>(10241 & 0xff);
  EXPECT_EQ(decode_tsdu(big, limits).error(), Error(Errc::user_data_too_long));
}

// ---- encoder errors ----

TEST(SessionSpduEncode, SelectorTooLong) {
  Connect cn;
  cn.calling_session_selector = filled(17);
  EXPECT_EQ(encode_spdu(cn).error(), Error(Errc::invalid_argument));
}

TEST(SessionSpduEncode, ExtendedUserDataNeedsVersion2) {
  Connect cn = typical_connect();
  cn.connect_accept_item->version_number = kVersion1;
  cn.user_data = filled(513);
  EXPECT_EQ(encode_spdu(cn).error(), Error(Errc::invalid_argument));
}

TEST(SessionSpduEncode, UserDataAbove10240) {
  Connect cn = typical_connect();
  cn.user_data = filled(10241);
  EXPECT_EQ(encode_spdu(cn).error(), Error(Errc::invalid_argument));
}

TEST(SessionSpduEncode, NormalFormAbove512InConnect) {
  Connect cn = typical_connect();
  cn.user_data = filled(513);
  cn.user_data_form = UserDataForm::normal;
  EXPECT_EQ(encode_spdu(cn).error(), Error(Errc::invalid_argument));
}

TEST(SessionSpduEncode, RefuseUserDataNeedsReason2) {
  Refuse rf;
  rf.reason_code = reason::kUserNotSpecified;
  rf.user_data = hex("aa");
  EXPECT_EQ(encode_spdu(rf).error(), Error(Errc::invalid_argument));
}

TEST(SessionSpduEncode, FailureLeavesOutputUntouched) {
  Connect cn;
  cn.calling_session_selector = filled(17);
  Bytes out{0x42};
  EXPECT_FALSE(encode_spdu(cn, out).ok());
  EXPECT_EQ(out, Bytes{0x42});
}

TEST(SessionSpduEncode, BadVersionNumber) {
  Connect cn = typical_connect();
  cn.connect_accept_item->version_number = 0;
  EXPECT_EQ(encode_spdu(cn).error(), Error(Errc::invalid_argument));
}

TEST(SessionErrors, CategoryNameIsLayerName) {
  const Error e(Errc::spdu_length_overflow, 7);
  EXPECT_STREQ(e.code.category().name(), "session");
  EXPECT_EQ(e.describe(), "session: SPDU length exceeds the TSDU at offset 7");
}

}  // namespace
}  // namespace mmssec::session
