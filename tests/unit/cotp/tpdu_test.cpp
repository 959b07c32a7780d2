// SPDX-License-Identifier: Apache-2.0
// ISO 8073 class 0 TPDU codecs: golden vectors for CR, CC, DR, DT, ER, round trips, and a named
// failing test for every malformed length and every invalid parameter.
#include <gtest/gtest.h>

#include <string>

#include "mmssec/cotp/cotp.hpp"

using namespace mmssec;
using namespace mmssec::cotp;

namespace {
Bytes hex(std::string_view h) {
  auto b = from_hex(h);
  EXPECT_TRUE(b.ok()) << h;
  return b.ok() ? *b : Bytes{};
}
std::error_code code(cotp::Errc e) { return make_error_code(e); }
std::error_code code(CoreErrc e) { return make_error_code(e); }

/// Decode hex and expect the given error at the given offset.
void expect_error(std::string_view h, cotp::Errc e, std::size_t offset) {
  const Bytes b = hex(h);
  auto d = decode_tpdu(b);
  ASSERT_FALSE(d.ok()) << h << " decoded as " << tpdu_name(*d);
  EXPECT_EQ(d.error().code, code(e)) << h << ": " << d.error().describe();
  EXPECT_EQ(d.error().offset, offset) << h;
}

template <class T>
T decode_as(const Bytes& b) {
  auto d = decode_tpdu(b);
  EXPECT_TRUE(d.ok()) << (d.ok() ? "" : d.error().describe());
  if (!d.ok() || !std::holds_alternative<T>(*d)) {
    ADD_FAILURE() << "wrong TPDU type";
    return T{};
  }
  return std::get<T>(*d);
}

// The classic CR of MMS clients (libiec61850, many IEDs):
//   11          LI = 17
//   e0          CR, CDT 0
//   00 00       DST-REF 0
//   00 01       SRC-REF 1
//   00          class 0, no options
//   c0 01 0d    tpdu-size, code 13 = 8192 octets
//   c2 02 00 01 called TSAP 0001
//   c1 02 00 01 calling TSAP 0001
const char* const kClassicCr = "11e00000000100c0010dc2020001c1020001";
}  // namespace

// ---------------------------------------------------------------- CR

TEST(CotpCr, GoldenClassicDecode) {
  const Cr cr = decode_as<Cr>(hex(kClassicCr));
  EXPECT_EQ(cr.dst_ref, 0);
  EXPECT_EQ(cr.src_ref, 1);
  EXPECT_EQ(cr.protocol_class, 0);
  ASSERT_TRUE(cr.tpdu_size_code.has_value());
  EXPECT_EQ(*cr.tpdu_size_code, 13);
  EXPECT_EQ(cr.tpdu_size(), 8192U);
  EXPECT_EQ(cr.called_tsap, hex("0001"));
  EXPECT_EQ(cr.calling_tsap, hex("0001"));
  EXPECT_FALSE(cr.preferred_max_tpdu_size.has_value());
}

TEST(CotpCr, GoldenClassicEncode) {
  Cr cr;
  cr.src_ref = 1;
  cr.tpdu_size_code = 13;
  cr.called_tsap = hex("0001");
  cr.calling_tsap = hex("0001");
  Bytes out;
  ASSERT_TRUE(encode(cr, out).ok());
  EXPECT_EQ(to_hex(out), kClassicCr);
}

TEST(CotpCr, RoundTripWithTolerateParameters) {
  Cr cr;
  cr.src_ref = 0x1234;
  cr.tpdu_size_code = 10;
  cr.calling_tsap = hex("00000001");
  cr.called_tsap = Bytes{};
  cr.preferred_max_tpdu_size = 0x200;  // 65536 octets in 128-octet units
  cr.additional_options = 0x01;
  Bytes out;
  ASSERT_TRUE(encode(cr, out).ok());
  // 16 e0 0000 1234 00 | c0 01 0a | c2 00 | c1 04 00000001 | f0 02 0200 | c6 01 01
  EXPECT_EQ(to_hex(out), "18e00000123400c0010ac200c10400000001f0020200c60101");
  EXPECT_EQ(decode_as<Cr>(out), cr);
}

TEST(CotpCr, MinimalCrWithoutParametersUsesDefaultSize) {
  const Cr cr = decode_as<Cr>(hex("06e00000000700"));
  EXPECT_EQ(cr.src_ref, 7);
  EXPECT_FALSE(cr.tpdu_size_code.has_value());
  EXPECT_EQ(cr.tpdu_size(), 128U);
  EXPECT_FALSE(cr.calling_tsap.has_value());
}

TEST(CotpCr, UnknownParametersAreIgnored) {
  // c7 01 00 alternative classes, 85 02 0000 (class 4 ack time), c3 02 abcd checksum.
  const Cr cr = decode_as<Cr>(hex("14e00000000100c70100850200 00c302abcd c0010b"));
  EXPECT_EQ(cr.tpdu_size_code, std::uint8_t{11});
}

TEST(CotpCr, PreferredMaxTpduSizeOfFourOctets) {
  const Cr cr = decode_as<Cr>(hex("0ce00000000100f00400010000"));
  EXPECT_EQ(cr.preferred_max_tpdu_size, std::uint32_t{0x10000});
}

TEST(CotpCr, CreditAndOptionsAreDecoded) {
  const Cr cr = decode_as<Cr>(hex("06e30000000102"));
  EXPECT_EQ(cr.credit, 3);
  EXPECT_EQ(cr.options, 2);
}

// ---------------------------------------------------------------- CC

TEST(CotpCc, GoldenEncodeAndDecode) {
  // 11 d0 | DST-REF 0001 | SRC-REF 0002 | 00 | c0 01 0a | c2 02 0001 | c1 02 0001
  Cc cc;
  cc.dst_ref = 1;
  cc.src_ref = 2;
  cc.tpdu_size_code = 10;
  cc.called_tsap = hex("0001");
  cc.calling_tsap = hex("0001");
  Bytes out;
  ASSERT_TRUE(encode(cc, out).ok());
  EXPECT_EQ(to_hex(out), "11d00001000200c0010ac2020001c1020001");
  EXPECT_EQ(decode_as<Cc>(out), cc);
}

TEST(CotpCc, UnknownParameterIsInvalid) {
  expect_error("09d00001000200c70100", Errc::invalid_parameter_code, 7);
}

TEST(CotpCc, ClassOtherThanZeroIsUnsupported) { expect_error("06d00001000220", Errc::unsupported_class, 6); }

// ---------------------------------------------------------------- DR

TEST(CotpDr, GoldenRefusal) {
  // 06 80 | DST-REF 0001 | SRC-REF 0000 | reason 130 (negotiation failed)
  Dr dr;
  dr.dst_ref = 1;
  dr.reason = reason::kNegotiationFailed;
  Bytes out;
  ASSERT_TRUE(encode(dr, out).ok());
  EXPECT_EQ(to_hex(out),
            "068000010000"
            "82");
  EXPECT_EQ(decode_as<Dr>(out), dr);
}

TEST(CotpDr, AdditionalInformationRoundTrip) {
  Dr dr;
  dr.dst_ref = 0x0102;
  dr.src_ref = 0x0304;
  dr.reason = reason::kNormal;
  dr.additional_info = hex("cafe");
  Bytes out;
  ASSERT_TRUE(encode(dr, out).ok());
  EXPECT_EQ(to_hex(out), "0a800102030480e002cafe");
  EXPECT_EQ(decode_as<Dr>(out), dr);
}

TEST(CotpDr, UnknownParameterIsInvalid) {
  expect_error("098001020304 80 c10100", Errc::invalid_parameter_code, 7);
}

// ---------------------------------------------------------------- DT

TEST(CotpDt, GoldenWithEot) {
  // 02 f0 80 = LI 2, DT, EOT set, TPDU-NR 0; then the user data.
  const Bytes b =
      hex("02f080"
          "0102030405");
  const Dt dt = decode_as<Dt>(b);
  EXPECT_TRUE(dt.eot);
  EXPECT_EQ(dt.nr, 0);
  EXPECT_EQ(to_hex(dt.user_data), "0102030405");
  EXPECT_EQ(dt.user_data.data(), b.data() + 3);  // a view, no copy
  Bytes out;
  ASSERT_TRUE(encode(dt, out).ok());
  EXPECT_EQ(out, b);
}

TEST(CotpDt, WithoutEotAndNr) {
  const Bytes b = hex("02f005aa");
  const Dt dt = decode_as<Dt>(b);
  EXPECT_FALSE(dt.eot);
  EXPECT_EQ(dt.nr, 5);
  Bytes out;
  ASSERT_TRUE(encode(dt, out).ok());
  EXPECT_EQ(to_hex(out), "02f005aa");
}

TEST(CotpDt, EmptyUserData) {
  const Bytes b = hex("02f080");
  const Dt dt = decode_as<Dt>(b);
  EXPECT_TRUE(dt.user_data.empty());
}

TEST(CotpDt, VariablePartIsInvalidInClassZero) {
  expect_error("04f080c300", Errc::invalid_parameter_code, 3);
}

TEST(CotpDt, LowNibbleOfCodeMustBeZero) { expect_error("02f180", Errc::invalid_tpdu_type, 1); }

TEST(CotpDt, NrAbove127CannotBeEncoded) {
  Dt dt;
  dt.nr = 128;
  Bytes out;
  EXPECT_EQ(encode(dt, out).error().code, code(CoreErrc::invalid_argument));
  EXPECT_TRUE(out.empty());
}

// ---------------------------------------------------------------- ER

TEST(CotpEr, GoldenWithInvalidTpduParameter) {
  // 08 70 | DST-REF 0001 | cause 2 (invalid TPDU type) | c1 02 : 01 60 (the rejected header)
  Er er;
  er.dst_ref = 1;
  er.cause = cause::kInvalidTpduType;
  er.invalid_tpdu = hex("0160");
  Bytes out;
  ASSERT_TRUE(encode(er, out).ok());
  EXPECT_EQ(to_hex(out), "0870000102c1020160");
  EXPECT_EQ(decode_as<Er>(out), er);
}

TEST(CotpEr, MinimalEr) {
  const Er er = decode_as<Er>(hex("0470000000"));
  EXPECT_EQ(er.cause, 0);
  EXPECT_FALSE(er.invalid_tpdu.has_value());
}

TEST(CotpEr, UnknownParameterIsInvalid) { expect_error("0670000000c000", Errc::invalid_parameter_code, 5); }

// ---------------------------------------------------------------- malformed lengths

TEST(CotpDecode, EmptyInput) { expect_error("", Errc::empty_tpdu, 0); }

TEST(CotpDecode, ReservedLengthIndicator255) { expect_error("ffe0", Errc::reserved_length_indicator, 0); }

TEST(CotpDecode, LengthIndicatorZeroUnderflow) { expect_error("00", Errc::length_indicator_underflow, 0); }

// The libiec61850 "COTP length underflow" CVE class: an LI smaller than the fixed part must
// never let the decoder read the fixed fields beyond it (here they would come from user data).
TEST(CotpDecode, CrLengthIndicatorUnderflowCveClass) {
  expect_error(
      "05e000000001"
      "00",
      Errc::length_indicator_underflow, 0);
  expect_error("01e0", Errc::length_indicator_underflow, 0);
}

TEST(CotpDecode, CcLengthIndicatorUnderflow) {
  expect_error("05d000010002", Errc::length_indicator_underflow, 0);
}

TEST(CotpDecode, DrLengthIndicatorUnderflow) {
  expect_error("058000010002", Errc::length_indicator_underflow, 0);
}

TEST(CotpDecode, DtLengthIndicatorUnderflow) { expect_error("01f080", Errc::length_indicator_underflow, 0); }

TEST(CotpDecode, ErLengthIndicatorUnderflow) {
  expect_error(
      "03700001"
      "02",
      Errc::length_indicator_underflow, 0);
}

TEST(CotpDecode, LengthIndicatorBeyondBytesPresent) {
  expect_error("11e00000000100c0010d", Errc::length_indicator_overflow, 0);
  expect_error("02f0", Errc::length_indicator_overflow, 0);
}

TEST(CotpDecode, ParameterLengthBeyondLengthIndicator) {
  // LI 9 ends after "c1 04 00"; the TSAP would run into the following octet.
  expect_error(
      "09e00000000100c10400"
      "01",
      Errc::parameter_length_overflow, 8);
}

TEST(CotpDecode, ParameterLengthOctetCutOffByLengthIndicator) {
  expect_error("07e00000000100c1", Errc::parameter_truncated, 7);
}

TEST(CotpDecode, UserDataAfterCrIsNotAllowed) {
  expect_error(
      "06e00000000100"
      "aa",
      Errc::data_not_allowed, 7);
}

TEST(CotpDecode, UserDataAfterDrAndErIsNotAllowed) {
  expect_error(
      "06800001000080"
      "aa",
      Errc::data_not_allowed, 7);
  expect_error(
      "0470000000"
      "aa",
      Errc::data_not_allowed, 5);
}

TEST(CotpDecode, AbsoluteOffsetsIncludeBase) {
  const Bytes b = hex("05e000000001");
  auto d = decode_tpdu(b, 1000);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().offset, 1000U);
}

// ---------------------------------------------------------------- invalid parameter values

TEST(CotpDecode, TpduSizeCodeBelowSeven) {
  expect_error("09e00000000100c00106", Errc::invalid_parameter_value, 9);
}

TEST(CotpDecode, TpduSizeCodeAbove13) {
  expect_error("09e00000000100c0010e", Errc::invalid_parameter_value, 9);
}

TEST(CotpDecode, TpduSizeOfWrongLength) {
  expect_error("0ae00000000100c002000d", Errc::invalid_parameter_value, 8);
  expect_error("08e00000000100c000", Errc::invalid_parameter_value, 8);
}

TEST(CotpDecode, PreferredMaxTpduSizeEmptyTooLongOrZero) {
  expect_error("08e00000000100f000", Errc::invalid_parameter_value, 8);
  expect_error("0de00000000100f0050000000001", Errc::invalid_parameter_value, 8);
  expect_error("09e00000000100f00100", Errc::invalid_parameter_value, 9);
}

TEST(CotpDecode, AdditionalOptionsOfWrongLength) {
  expect_error("0ae00000000100c6020000", Errc::invalid_parameter_value, 8);
}

TEST(CotpDecode, DuplicateTpduSize) {
  expect_error("0ce00000000100c0010dc0010a", Errc::duplicate_parameter, 10);
}

TEST(CotpDecode, DuplicateTsap) { expect_error("0ce00000000100c10100c10100", Errc::duplicate_parameter, 10); }

TEST(CotpDecode, CrClassOtherThanZeroIsUnsupported) {
  // Class 2 with the alternative-class parameter naming class 0: still refused (class 0 only).
  expect_error("09e00000000120c70100", Errc::unsupported_class, 6);
  expect_error("06e00000000140", Errc::unsupported_class, 6);
}

// ---------------------------------------------------------------- TPDU types

TEST(CotpDecode, NonClassZeroTpduTypesAreInvalid) {
  expect_error(
      "0560000100"
      "00",
      Errc::invalid_tpdu_type, 1);                           // AK
  expect_error("0410000100", Errc::invalid_tpdu_type, 1);    // ED
  expect_error("05c000010002", Errc::invalid_tpdu_type, 1);  // DC
  expect_error("0450000100", Errc::invalid_tpdu_type, 1);    // RJ
  expect_error("0420000100", Errc::invalid_tpdu_type, 1);    // EA
  expect_error("0130", Errc::invalid_tpdu_type, 1);          // unassigned
  expect_error(
      "068100010000"
      "00",
      Errc::invalid_tpdu_type, 1);  // DR with low nibble set
}

TEST(CotpTpdu, NamesOfEachType) {
  EXPECT_STREQ(tpdu_name(Tpdu{Cr{}}), "CR");
  EXPECT_STREQ(tpdu_name(Tpdu{Cc{}}), "CC");
  EXPECT_STREQ(tpdu_name(Tpdu{Dr{}}), "DR");
  EXPECT_STREQ(tpdu_name(Tpdu{Dt{}}), "DT");
  EXPECT_STREQ(tpdu_name(Tpdu{Er{}}), "ER");
}

// ---------------------------------------------------------------- encoder argument checks

TEST(CotpEncode, TsapTooLongForLengthIndicatorLeavesOutputUntouched) {
  Cr cr;
  cr.calling_tsap = Bytes(200, 1);
  cr.called_tsap = Bytes(60, 2);  // 6 + 202 + 62 > 254
  Bytes out = hex("ee");
  auto st = encode(cr, out);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, code(CoreErrc::invalid_argument));
  EXPECT_EQ(to_hex(out), "ee");
}

TEST(CotpEncode, ParameterValueAbove254Octets) {
  Cr cr;
  cr.calling_tsap = Bytes(255, 1);
  Bytes out;
  EXPECT_EQ(encode(cr, out).error().code, code(CoreErrc::invalid_argument));
  EXPECT_TRUE(out.empty());
}

TEST(CotpEncode, LargestHeaderFitsExactly) {
  Cr cr;
  cr.calling_tsap = Bytes(246, 1);  // 6 + 2 + 246 = 254
  Bytes out;
  ASSERT_TRUE(encode(cr, out).ok());
  EXPECT_EQ(out[0], 254);
  EXPECT_EQ(decode_as<Cr>(out), cr);
}

TEST(CotpEncode, OutOfRangeFieldsAreRejected) {
  Bytes out;
  Cr bad_code;
  bad_code.tpdu_size_code = 14;
  EXPECT_FALSE(encode(bad_code, out).ok());
  Cr bad_class;
  bad_class.protocol_class = 16;
  EXPECT_FALSE(encode(bad_class, out).ok());
  Cr bad_credit;
  bad_credit.credit = 16;
  EXPECT_FALSE(encode(bad_credit, out).ok());
  Cc zero_units;
  zero_units.preferred_max_tpdu_size = 0;
  EXPECT_FALSE(encode(zero_units, out).ok());
  Dr long_info;
  long_info.additional_info = Bytes(250, 0);
  EXPECT_FALSE(encode(long_info, out).ok());
  Er long_echo;
  long_echo.invalid_tpdu = Bytes(249, 0);
  EXPECT_FALSE(encode(long_echo, out).ok());
  EXPECT_TRUE(out.empty());
}

TEST(CotpEncode, VariantEncoderDispatches) {
  Bytes out;
  ASSERT_TRUE(encode(Tpdu{Er{}}, out).ok());
  EXPECT_EQ(to_hex(out), "0470000000");
}

TEST(CotpTpduSize, CodeForSizeRoundsDownAndClamps) {
  EXPECT_EQ(tpdu_size_code_for(0), 7);
  EXPECT_EQ(tpdu_size_code_for(128), 7);
  EXPECT_EQ(tpdu_size_code_for(1000), 9);
  EXPECT_EQ(tpdu_size_code_for(1024), 10);
  EXPECT_EQ(tpdu_size_code_for(8192), 13);
  EXPECT_EQ(tpdu_size_code_for(65531), 13);
}

TEST(CotpCategory, NameAndMessages) {
  EXPECT_STREQ(cotp_category().name(), "cotp");
  for (int i = 1; i <= static_cast<int>(Errc::closed); ++i) {
    EXPECT_NE(cotp_category().message(i), "unknown cotp error") << i;
  }
}
