// SPDX-License-Identifier: Apache-2.0
// ISO 8823 PPDU codecs: golden vectors, round trips, and one named failing test for every
// malformed length, every limit and every error path (the "presentation parameter loop" CVE
// class of libiec61850 among them).
#include "mmssec/presentation/ppdu.hpp"

#include <gtest/gtest.h>

#include <string>

#include "vectors.hpp"

using namespace mmssec;
using namespace mmssec::presentation;
using mmssec::presentation::testing::hex;
namespace v = mmssec::presentation::testing;

namespace {
std::error_code code(Errc e) { return make_error_code(e); }
std::error_code code(ber::Errc e) { return ber::make_error_code(e); }
std::error_code code(CoreErrc e) { return make_error_code(e); }

/// One length octet in hex (short form only: these vectors stay below 128 octets).
std::string len8(std::size_t n) {
  EXPECT_LT(n, 0x80U);
  static constexpr char kDigits[] = "0123456789abcdef";
  return {kDigits[(n >> 4) & 0xF], kDigits[n & 0xF]};
}

/// CP-type shell around the given normal-mode-parameters content.
std::string cp_with_params(const std::string& params_hex) {
  const std::size_t plen = params_hex.size() / 2;
  return "31" + len8(5 + 2 + plen) + "a003800101" + "a2" + len8(plen) + params_hex;
}

std::string tlv(const std::string& tag, const std::string& content_hex) {
  return tag + len8(content_hex.size() / 2) + content_hex;
}

template <class T>
void expect_error(const Result<T>& r, std::error_code expected, std::size_t offset) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, expected) << r.error().describe();
  EXPECT_EQ(r.error().offset, offset) << r.error().describe();
}
template <class T>
void expect_error(const Result<T>& r, std::error_code expected) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, expected) << r.error().describe();
}
}  // namespace

// ============================================================================ golden vectors

TEST(PresentationCp, GoldenIec61850ClientCpDecodes) {
  const Bytes b = hex(v::cp_golden_hex());
  auto cp = decode_cp(b);
  ASSERT_TRUE(cp.ok()) << cp.error().describe();
  EXPECT_FALSE(cp->protocol_version.has_value());
  EXPECT_EQ(cp->calling_selector, hex("00000001"));
  EXPECT_EQ(cp->called_selector, hex("00000001"));
  ASSERT_EQ(cp->contexts.size(), 2U);
  EXPECT_EQ(cp->contexts[0].id, 1U);
  EXPECT_EQ(cp->contexts[0].abstract_syntax, oids::acse_abstract_syntax());
  EXPECT_EQ(cp->contexts[0].transfer_syntaxes, std::vector<ber::Oid>{oids::ber_transfer_syntax()});
  EXPECT_EQ(cp->contexts[1].id, 3U);
  EXPECT_EQ(cp->contexts[1].abstract_syntax, oids::mms_abstract_syntax());
  ASSERT_TRUE(cp->user_data.has_value());
  ASSERT_EQ(cp->user_data->kind, UserData::Kind::fully_encoded);
  ASSERT_EQ(cp->user_data->pdvs.size(), 1U);
  const Pdv& pdv = cp->user_data->pdvs[0];
  EXPECT_EQ(pdv.context_id, 1U);
  EXPECT_EQ(pdv.encoding, PdvEncoding::single_asn1_type);
  EXPECT_FALSE(pdv.transfer_syntax.has_value());
  EXPECT_EQ(pdv.data, hex(v::kAarq));
  EXPECT_EQ(pdv.data_offset, v::kCpGoldenAarqOffset);
}

TEST(PresentationCp, GoldenCpReportsAbsoluteOffsetsWithBase) {
  const Bytes b = hex(v::cp_golden_hex());
  auto cp = decode_cp(b, default_limits(), 1000);
  ASSERT_TRUE(cp.ok());
  EXPECT_EQ(cp->user_data->pdvs[0].data_offset, 1000 + v::kCpGoldenAarqOffset);
}

TEST(PresentationCp, GoldenCpEncodesByteForByte) {
  ConnectPpdu cp;
  cp.calling_selector = hex("00000001");
  cp.called_selector = hex("00000001");
  cp.contexts = {{1, oids::acse_abstract_syntax(), {oids::ber_transfer_syntax()}},
                 {3, oids::mms_abstract_syntax(), {oids::ber_transfer_syntax()}}};
  cp.user_data = UserData::fully({Pdv::single(1, hex(v::kAarq))});
  EXPECT_EQ(to_hex(encode(cp)), v::cp_golden_hex());
}

TEST(PresentationCp, GoldenCpWithThirdUnknownContextDecodes) {
  const Bytes b = hex(v::cp_three_contexts_hex());
  auto cp = decode_cp(b);
  ASSERT_TRUE(cp.ok()) << cp.error().describe();
  ASSERT_EQ(cp->contexts.size(), 3U);
  EXPECT_EQ(cp->contexts[2].id, 5U);
  EXPECT_EQ(cp->contexts[2].abstract_syntax, (ber::Oid{1, 3, 9999, 1}));
  EXPECT_EQ(to_hex(encode(*cp)), v::cp_three_contexts_hex());
}

TEST(PresentationCpa, GoldenCpaDecodesAndEncodes) {
  const Bytes b = hex(v::cpa_golden_hex());
  auto cpa = decode_cpa(b);
  ASSERT_TRUE(cpa.ok()) << cpa.error().describe();
  EXPECT_EQ(cpa->responding_selector, hex("00000001"));
  ASSERT_EQ(cpa->results.size(), 2U);
  for (const auto& r : cpa->results) {
    EXPECT_EQ(r.outcome, ContextOutcome::acceptance);
    EXPECT_EQ(r.transfer_syntax, oids::ber_transfer_syntax());
    EXPECT_FALSE(r.provider_reason.has_value());
  }
  ASSERT_TRUE(cpa->user_data.has_value());
  EXPECT_EQ(cpa->user_data->pdvs.at(0).data, hex(v::kAare));
  EXPECT_EQ(to_hex(encode(*cpa)), v::cpa_golden_hex());
}

TEST(PresentationCpa, GoldenCpaWithIndividualRejectionDecodes) {
  const Bytes b = hex(v::cpa_three_contexts_hex());
  auto cpa = decode_cpa(b);
  ASSERT_TRUE(cpa.ok()) << cpa.error().describe();
  ASSERT_EQ(cpa->results.size(), 3U);
  EXPECT_EQ(cpa->results[2].outcome, ContextOutcome::provider_rejection);
  EXPECT_EQ(cpa->results[2].provider_reason, ContextRejectReason::abstract_syntax_not_supported);
  EXPECT_FALSE(cpa->results[2].transfer_syntax.has_value());
}

TEST(PresentationCpr, GoldenCprDecodes) {
  // 30 0b                 CPR-PPDU normal-mode SEQUENCE
  //   83 02 0001          responding-presentation-selector
  //   87 01 01            default-context-result user-rejection
  //   8a 01 02            provider-reason local-limit-exceeded
  const Bytes b =
      hex("300a"
          "83020001"
          "870101"
          "8a0102");
  auto cpr = decode_cpr(b);
  ASSERT_TRUE(cpr.ok()) << cpr.error().describe();
  EXPECT_EQ(cpr->responding_selector, hex("0001"));
  EXPECT_EQ(cpr->default_context_result, ContextOutcome::user_rejection);
  EXPECT_EQ(cpr->provider_reason, ProviderReason::local_limit_exceeded);
  EXPECT_EQ(to_hex(encode(*cpr)), "300a830200018701018a0102");
}

TEST(PresentationAbort, GoldenArpDecodes) {
  // 30 06 / 80 01 06 invalid-ppdu-parameter-value / 81 01 07 td-PPDU
  const Bytes b = hex("3006800106810107");
  auto ab = decode_abort(b);
  ASSERT_TRUE(ab.ok()) << ab.error().describe();
  const auto* arp = std::get_if<ProviderAbortPpdu>(&*ab);
  ASSERT_NE(arp, nullptr);
  EXPECT_EQ(arp->reason, AbortReason::invalid_ppdu_parameter_value);
  EXPECT_EQ(arp->event, EventIdentifier::td_ppdu);
  EXPECT_EQ(to_hex(encode(*arp)), "3006800106810107");
}

TEST(PresentationAbort, GoldenAruWithAbrtDecodes) {
  // a0 0c                 ARU-PPDU normal-mode-parameters
  //   61 0a               fully-encoded-data
  //     30 08 02 01 01    PDV-list, context 1
  //       a0 03 64 01 00  single-ASN1-type: ABRT { } (illustrative)
  const Bytes b =
      hex("a00c"
          "610a"
          "3008"
          "020101"
          "a003"
          "640100");
  auto ab = decode_abort(b);
  ASSERT_TRUE(ab.ok()) << ab.error().describe();
  const auto* aru = std::get_if<UserAbortPpdu>(&*ab);
  ASSERT_NE(aru, nullptr);
  EXPECT_TRUE(aru->contexts.empty());
  ASSERT_TRUE(aru->user_data.has_value());
  EXPECT_EQ(aru->user_data->pdvs.at(0).data, hex("640100"));
  EXPECT_EQ(to_hex(encode(*aru)), "a00c610a3008020101a003640100");
}

TEST(PresentationUserData, GoldenTdDecodes) {
  // 61 0a / 30 08 / 02 01 03 (MMS) / a0 03 a0 01 00 (an MMS PDU stand-in)
  const Bytes b = hex("610a3008020103a003a00100");
  auto ud = decode_user_data(b, default_limits(), 20);
  ASSERT_TRUE(ud.ok()) << ud.error().describe();
  ASSERT_EQ(ud->pdvs.size(), 1U);
  EXPECT_EQ(ud->pdvs[0].context_id, 3U);
  EXPECT_EQ(ud->pdvs[0].data, hex("a00100"));
  EXPECT_EQ(ud->pdvs[0].data_offset, 20U + 9U);
}

TEST(PresentationUserData, SimplyEncodedDataIsDecodedAndReported) {
  const Bytes b = hex("4003010203");
  auto ud = decode_user_data(b);
  ASSERT_TRUE(ud.ok());
  EXPECT_EQ(ud->kind, UserData::Kind::simply_encoded);
  EXPECT_EQ(ud->simply_encoded, hex("010203"));
  EXPECT_EQ(ud->simply_encoded_offset, 2U);
  EXPECT_EQ(to_hex(encode(*ud)), "4003010203");
}

// ============================================================================ round trips

TEST(PresentationRoundTrip, CpWithEveryField) {
  ConnectPpdu cp;
  cp.protocol_version = BitField::of({kVersion1Bit});
  cp.calling_selector = hex("0001");
  cp.called_selector = Bytes{};
  cp.contexts = {{1, oids::acse_abstract_syntax(), {oids::ber_transfer_syntax(), ber::Oid{2, 1, 2, 1}}},
                 {7, oids::mms_abstract_syntax(), {oids::ber_transfer_syntax()}}};
  cp.default_context = DefaultContextName{oids::acse_abstract_syntax(), oids::ber_transfer_syntax()};
  cp.presentation_requirements = BitField::of({0});
  cp.user_session_requirements = BitField::of({1, 8});
  Pdv octets;
  octets.context_id = 7;
  octets.transfer_syntax = oids::ber_transfer_syntax();
  octets.encoding = PdvEncoding::octet_aligned;
  octets.data = hex("deadbeef");
  Pdv bits;
  bits.context_id = 1;
  bits.encoding = PdvEncoding::arbitrary;
  bits.data = hex("f0");
  bits.unused_bits = 4;
  cp.user_data = UserData::fully({Pdv::single(1, hex(v::kAarq)), octets, bits});
  const Bytes enc = encode(cp);
  auto back = decode_cp(enc);
  ASSERT_TRUE(back.ok()) << back.error().describe();
  EXPECT_EQ(*back, cp);
  EXPECT_TRUE(back->protocol_version->bit(kVersion1Bit));
  EXPECT_TRUE(back->user_session_requirements->bit(8));
  EXPECT_FALSE(back->user_session_requirements->bit(0));
  // Protocol version is emitted as 80 02 07 80 (version-1, seven unused bits).
  EXPECT_NE(to_hex(enc).find("80020780"), std::string::npos);
}

TEST(PresentationRoundTrip, CpWithoutNormalModeParameters) {
  const Bytes b = hex("3105a003800101");
  auto cp = decode_cp(b);
  ASSERT_TRUE(cp.ok()) << cp.error().describe();
  EXPECT_TRUE(cp->contexts.empty());
  EXPECT_FALSE(cp->user_data.has_value());
}

TEST(PresentationRoundTrip, SetComponentsInAnyOrder) {
  // normal-mode-parameters before mode-selector: a SET has no order.
  const Bytes b = hex("3109a2020400a003800101");
  auto cp = decode_cp(b);
  // The parameters content is "04 00" (an empty OCTET STRING): not a known parameter.
  expect_error(cp, code(Errc::unexpected_parameter), 4);
  const Bytes ok = hex("3107a200a003800101");
  EXPECT_TRUE(decode_cp(ok).ok());
}

TEST(PresentationRoundTrip, CpaWithEverything) {
  AcceptPpdu cpa;
  cpa.protocol_version = BitField::of({0});
  cpa.responding_selector = hex("00000001");
  cpa.results = {{ContextOutcome::acceptance, oids::ber_transfer_syntax(), std::nullopt},
                 {ContextOutcome::user_rejection, std::nullopt, std::nullopt},
                 {ContextOutcome::provider_rejection, std::nullopt,
                  ContextRejectReason::proposed_transfer_syntaxes_not_supported}};
  cpa.presentation_requirements = BitField::of({1});
  cpa.user_session_requirements = BitField::of({1});
  cpa.user_data = UserData::fully({Pdv::single(1, hex(v::kAare))});
  auto back = decode_cpa(encode(cpa));
  ASSERT_TRUE(back.ok()) << back.error().describe();
  EXPECT_EQ(*back, cpa);
}

TEST(PresentationRoundTrip, CprWithResultsAndUserData) {
  RefusePpdu cpr;
  cpr.protocol_version = BitField::of({0});
  cpr.results = {
      {ContextOutcome::provider_rejection, std::nullopt, ContextRejectReason::reason_not_specified}};
  cpr.provider_reason = ProviderReason::no_psap_available;
  cpr.user_data = UserData::fully({Pdv::single(1, hex(v::kAare))});
  auto back = decode_cpr(encode(cpr));
  ASSERT_TRUE(back.ok()) << back.error().describe();
  EXPECT_EQ(*back, cpr);
}

TEST(PresentationRoundTrip, AruWithContextList) {
  UserAbortPpdu aru;
  aru.contexts = {{1, oids::ber_transfer_syntax()}, {3, oids::ber_transfer_syntax()}};
  aru.user_data = UserData::fully({Pdv::single(1, hex("640100"))});
  auto back = decode_abort(encode(aru));
  ASSERT_TRUE(back.ok()) << back.error().describe();
  EXPECT_EQ(std::get<UserAbortPpdu>(*back), aru);
}

TEST(PresentationRoundTrip, EmptyArpAndEmptyAru) {
  auto arp = decode_abort(encode(ProviderAbortPpdu{}));
  ASSERT_TRUE(arp.ok());
  EXPECT_EQ(std::get<ProviderAbortPpdu>(*arp), ProviderAbortPpdu{});
  EXPECT_EQ(to_hex(encode(UserAbortPpdu{})), "a000");
  auto aru = decode_abort(hex("a000"));
  ASSERT_TRUE(aru.ok());
  EXPECT_TRUE(std::holds_alternative<UserAbortPpdu>(*aru));
}

TEST(PresentationRoundTrip, LongUserDataUsesLongFormLengths) {
  Bytes big = hex("0482012c");
  big.resize(4 + 300, 0xAB);  // OCTET STRING of 300 octets as the single-ASN1-type element
  const UserData ud = UserData::fully({Pdv::single(3, big)});
  const Bytes enc = encode(ud);
  EXPECT_EQ(enc[0], 0x61);
  EXPECT_EQ(enc[1], 0x82);
  auto back = decode_user_data(enc);
  ASSERT_TRUE(back.ok()) << back.error().describe();
  EXPECT_EQ(*back, ud);
}

TEST(PresentationRoundTrip, IndefiniteLengthCpIsAccepted) {
  // BER allows indefinite lengths on constructed elements; DER-like re-encoding is definite.
  const Bytes b =
      hex("3180"
          "a003800101"
          "a280"
          "810101"
          "0000"
          "0000");
  auto cp = decode_cp(b);
  ASSERT_TRUE(cp.ok()) << cp.error().describe();
  EXPECT_EQ(cp->calling_selector, hex("01"));
  EXPECT_EQ(to_hex(encode(*cp)), "310aa003800101a203810101");
}

TEST(PresentationRoundTrip, ToleratedProtocolOptionsAndExtensionsAreSkipped) {
  // [11] protocol-options (explicit BIT STRING), [12] initiators-nominated-context, [14] extensions.
  const Bytes b =
      hex(cp_with_params("810101"
                         "ab0403020000"
                         "ac03020101"
                         "ae00"));
  auto cp = decode_cp(b);
  ASSERT_TRUE(cp.ok()) << cp.error().describe();
  EXPECT_EQ(cp->calling_selector, hex("01"));
}

// ============================================================================ outer structure

TEST(PresentationMalformed, EmptyInputIsTruncated) {
  expect_error(decode_cp({}), code(CoreErrc::truncated), 0);
  expect_error(decode_cpa({}), code(CoreErrc::truncated), 0);
  expect_error(decode_cpr({}), code(CoreErrc::truncated), 0);
  expect_error(decode_abort({}), code(CoreErrc::truncated), 0);
  expect_error(decode_user_data({}), code(CoreErrc::truncated), 0);
}

TEST(PresentationMalformed, CpOuterLengthBeyondInput) {
  Bytes b = hex(v::cp_golden_hex());
  b.pop_back();
  expect_error(decode_cp(b), code(ber::Errc::length_overflow), 1);
}

TEST(PresentationMalformed, CpEveryTruncationFailsCleanly) {
  const Bytes b = hex(v::cp_golden_hex());
  for (std::size_t n = 0; n < b.size(); ++n) {
    const ByteView prefix(b.data(), n);
    EXPECT_FALSE(decode_cp(prefix).ok()) << n;
  }
}

TEST(PresentationMalformed, CpaEveryTruncationFailsCleanly) {
  const Bytes b = hex(v::cpa_golden_hex());
  for (std::size_t n = 0; n < b.size(); ++n) EXPECT_FALSE(decode_cpa(ByteView(b.data(), n)).ok()) << n;
}

TEST(PresentationMalformed, CpHugeLongFormLength) {
  expect_error(decode_cp(hex("3184ffffffffa003800101")), code(ber::Errc::length_overflow), 1);
}

TEST(PresentationMalformed, CpReservedLengthOctet) {
  expect_error(decode_cp(hex("31ff")), code(ber::Errc::bad_length), 1);
}

TEST(PresentationMalformed, CpWrongOuterTag) {
  expect_error(decode_cp(hex("3005a003800101")), code(Errc::unknown_ppdu), 0);
}

TEST(PresentationMalformed, CpTrailingBytes) {
  expect_error(decode_cp(hex("3105a00380010100")), code(CoreErrc::trailing_data), 7);
}

TEST(PresentationMalformed, CpMissingModeSelector) {
  expect_error(decode_cp(hex("3102a200")), code(Errc::missing_parameter), 0);
}

TEST(PresentationMalformed, CpEmptyModeSelector) {
  expect_error(decode_cp(hex("3102a000")), code(Errc::missing_parameter), 2);
}

TEST(PresentationMalformed, CpX410ModeValueRefused) {
  expect_error(decode_cp(hex("3105a003800100")), code(Errc::unsupported_mode), 4);
}

TEST(PresentationMalformed, CpModeValueOutOfRange) {
  expect_error(decode_cp(hex("3105a003800102")), code(Errc::bad_parameter_value), 4);
}

TEST(PresentationMalformed, CpModeSelectorWithExtraElement) {
  expect_error(decode_cp(hex("3108a006800101810100")), code(Errc::unexpected_parameter), 7);
}

TEST(PresentationMalformed, CpX410ModeParametersRefused) {
  expect_error(decode_cp(hex("3107a003800101a100")), code(Errc::unsupported_mode), 7);
}

TEST(PresentationMalformed, CpDuplicateModeSelector) {
  expect_error(decode_cp(hex("310aa003800101a003800101")), code(Errc::unexpected_parameter), 7);
}

TEST(PresentationMalformed, CpDuplicateNormalModeParameters) {
  expect_error(decode_cp(hex("3109a003800101a200a200")), code(Errc::unexpected_parameter), 9);
}

TEST(PresentationMalformed, CpUnknownSetComponent) {
  expect_error(decode_cp(hex("3107a003800101a300")), code(Errc::unexpected_parameter), 7);
}

TEST(PresentationMalformed, CpNormalModeParametersOutOfOrder) {
  // called [2] before calling [1]: the SEQUENCE order is fixed.
  expect_error(decode_cp(hex(cp_with_params("820101"
                                            "810101"))),
               code(Errc::unexpected_parameter), 12);
}

TEST(PresentationMalformed, CpNormalModeParameterLengthBeyondParent) {
  // "parameter loop": calling selector claims 9 octets inside a 3-octet parameter block.
  expect_error(decode_cp(hex(cp_with_params("810901"))), code(ber::Errc::length_overflow), 10);
}

TEST(PresentationMalformed, CpPrimitiveNormalModeParameters) {
  expect_error(decode_cp(hex("3108a003800101820100")), code(Errc::unexpected_parameter), 7);
}

TEST(PresentationMalformed, CpBadProtocolVersionBitString) {
  expect_error(decode_cp(hex(cp_with_params("800108"))), code(ber::Errc::bad_bit_string), 11);
}

TEST(PresentationMalformed, CpIndefiniteLengthRefusedWhenDisabled) {
  Limits l;
  l.ber_allow_indefinite = false;
  expect_error(decode_cp(hex("3180a0038001010000"), l), code(ber::Errc::indefinite_not_allowed), 1);
}

TEST(PresentationMalformed, CpIndefiniteLengthWithoutEndOfContents) {
  expect_error(decode_cp(hex("3180a003800101")), code(ber::Errc::missing_eoc));
}

// ============================================================================ context list

TEST(PresentationContextList, ZeroLengthItemsDoNotLoop) {
  // "presentation parameter loop": empty items must end the walk with an error.
  expect_error(decode_cp(hex(cp_with_params("a4043000"
                                            "3000"))),
               code(CoreErrc::truncated), 13);
}

TEST(PresentationContextList, ItemLengthBeyondList) {
  expect_error(decode_cp(hex(cp_with_params("a403"
                                            "3010"
                                            "02"))),
               code(ber::Errc::length_overflow), 12);
}

TEST(PresentationContextList, ListLengthBeyondParameters) {
  expect_error(decode_cp(hex(cp_with_params("a4ff"))), code(ber::Errc::bad_length), 10);
  expect_error(decode_cp(hex(cp_with_params("a47f"))), code(ber::Errc::length_overflow), 10);
}

TEST(PresentationContextList, PrimitiveListRefused) {
  expect_error(decode_cp(hex(cp_with_params("8400"))), code(Errc::unexpected_parameter), 9);
}

TEST(PresentationContextList, ItemNotASequence) {
  expect_error(decode_cp(hex(cp_with_params("a4023100"))), code(ber::Errc::unexpected_tag), 11);
}

TEST(PresentationContextList, ContextIdZero) {
  expect_error(decode_cp(hex(cp_with_params(tlv("a4", tlv("30",
                                                          "020100"
                                                          "0602"
                                                          "5101"
                                                          "3000"))))),
               code(Errc::bad_context_id), 13);
}

TEST(PresentationContextList, ContextIdNegative) {
  expect_error(decode_cp(hex(cp_with_params(tlv("a4", tlv("30",
                                                          "0201ff"
                                                          "0602"
                                                          "5101"
                                                          "3000"))))),
               code(Errc::bad_context_id), 13);
}

TEST(PresentationContextList, ContextIdAboveRange) {
  expect_error(decode_cp(hex(cp_with_params(tlv("a4", tlv("30",
                                                          "020500"
                                                          "80000000"
                                                          "06025101"
                                                          "3000"))))),
               code(Errc::bad_context_id), 13);
}

TEST(PresentationContextList, ContextIdWiderThan64Bits) {
  expect_error(decode_cp(hex(cp_with_params(tlv("a4", tlv("30",
                                                          "0209010000000000000000"
                                                          "06025101"
                                                          "3000"))))),
               code(ber::Errc::integer_overflow));
}

TEST(PresentationContextList, ContextIdEmptyInteger) {
  expect_error(decode_cp(hex(cp_with_params(tlv("a4", tlv("30",
                                                          "0200"
                                                          "06025101"
                                                          "3000"))))),
               code(ber::Errc::bad_integer), 15);
}

TEST(PresentationContextList, MissingAbstractSyntax) {
  expect_error(decode_cp(hex(cp_with_params(tlv("a4", tlv("30", "020101"))))), code(CoreErrc::truncated), 16);
}

TEST(PresentationContextList, MalformedAbstractSyntaxOid) {
  expect_error(decode_cp(hex(cp_with_params(tlv("a4", tlv("30",
                                                          "020101"
                                                          "0600"
                                                          "3000"))))),
               code(ber::Errc::bad_oid));
}

TEST(PresentationContextList, MissingTransferSyntaxList) {
  expect_error(decode_cp(hex(cp_with_params(tlv("a4", tlv("30",
                                                          "020101"
                                                          "06025101"))))),
               code(CoreErrc::truncated), 20);
}

TEST(PresentationContextList, TransferSyntaxNotAnOid) {
  expect_error(decode_cp(hex(cp_with_params(tlv("a4", tlv("30",
                                                          "020101"
                                                          "06025101"
                                                          "3003020101"))))),
               code(ber::Errc::unexpected_tag), 22);
}

TEST(PresentationContextList, TrailingElementInItem) {
  expect_error(decode_cp(hex(cp_with_params(tlv("a4", tlv("30",
                                                          "020101"
                                                          "06025101"
                                                          "3000"
                                                          "0500"))))),
               code(Errc::unexpected_parameter), 22);
}

TEST(PresentationContextList, DuplicateContextId) {
  const std::string item(v::kCtxAcse);
  expect_error(decode_cp(hex(cp_with_params(tlv("a4", item + item)))), code(Errc::duplicate_context_id), 28);
}

TEST(PresentationContextList, EmptyTransferSyntaxListDecodes) {
  auto cp = decode_cp(hex(cp_with_params(tlv("a4", tlv("30",
                                                       "020101"
                                                       "06025101"
                                                       "3000")))));
  ASSERT_TRUE(cp.ok()) << cp.error().describe();
  EXPECT_TRUE(cp->contexts.at(0).transfer_syntaxes.empty());
}

TEST(PresentationLimits, ContextsAtLimitDecode) {
  Limits l;
  l.presentation_max_contexts = 2;
  EXPECT_TRUE(decode_cp(hex(v::cp_golden_hex()), l).ok());
}

TEST(PresentationLimits, ContextsAboveLimitRefused) {
  Limits l;
  l.presentation_max_contexts = 1;
  // The second item starts at offset 23 + 17 = 40.
  expect_error(decode_cp(hex(v::cp_golden_hex()), l), code(Errc::too_many_contexts), 40);
}

TEST(PresentationLimits, TransferSyntaxesAboveLimitRefused) {
  Limits l;
  l.presentation_max_transfer_syntaxes = 2;
  const std::string three = "060251010602510106025101";
  expect_error(decode_cp(hex(cp_with_params(tlv("a4", tlv("30",
                                                          "020101"
                                                          "06025101" +
                                                              tlv("30", three))))),
                         l),
               code(Errc::too_many_transfer_syntaxes), 30);
  l.presentation_max_transfer_syntaxes = 3;
  EXPECT_TRUE(decode_cp(hex(cp_with_params(tlv("a4", tlv("30",
                                                         "020101"
                                                         "06025101" +
                                                             tlv("30", three))))),
                        l)
                  .ok());
}

TEST(PresentationLimits, PdvsAboveLimitRefused) {
  Limits l;
  l.presentation_max_pdvs = 2;
  const std::string pdv = "3008020101a003050100";
  expect_error(decode_user_data(hex(tlv("61", pdv + pdv + pdv)), l), code(Errc::too_many_pdvs), 22);
  EXPECT_TRUE(decode_user_data(hex(tlv("61", pdv + pdv)), l).ok());
}

TEST(PresentationLimits, ResultListAboveContextLimitRefused) {
  Limits l;
  l.presentation_max_contexts = 1;
  expect_error(decode_cpa(hex(v::cpa_golden_hex()), l), code(Errc::too_many_contexts), 26);
}

TEST(PresentationLimits, AruContextListAboveLimitRefused) {
  Limits l;
  l.presentation_max_contexts = 1;
  const std::string item =
      "3007020101"
      "06025101";
  expect_error(decode_abort(hex(tlv("a0", tlv("a0", item + item))), l), code(Errc::too_many_contexts), 13);
}

TEST(PresentationLimits, BerDepthLimitApplies) {
  Limits l;
  l.ber_max_depth = 3;  // SET > [2] > [4] > SEQUENCE needs 4 levels
  expect_error(decode_cp(hex(v::cp_golden_hex()), l), code(ber::Errc::depth_exceeded));
  l.ber_max_depth = 5;
  EXPECT_TRUE(decode_cp(hex(v::cp_golden_hex()), l).ok());
}

TEST(PresentationLimits, OidArcLimitApplies) {
  Limits l;
  l.ber_max_oid_arcs = 4;  // MMS {1 0 9506 2 1} has five arcs
  expect_error(decode_cp(hex(v::cp_golden_hex()), l), code(CoreErrc::limit_exceeded));
}

// ============================================================================ user data / PDVs

TEST(PresentationPdv, EmptyFullyEncodedDataRefused) {
  expect_error(decode_user_data(hex("6100")), code(Errc::bad_pdv), 0);
}

TEST(PresentationPdv, UnknownUserDataTag) {
  expect_error(decode_user_data(hex("6200")), code(Errc::unknown_ppdu), 0);
}

TEST(PresentationPdv, TrailingBytesAfterUserData) {
  expect_error(decode_user_data(hex("610a3008020103a003a0010000")), code(CoreErrc::trailing_data), 12);
}

TEST(PresentationPdv, PdvNotASequence) {
  expect_error(decode_user_data(hex("61023100")), code(ber::Errc::unexpected_tag), 2);
}

TEST(PresentationPdv, PdvEmptySequence) {
  expect_error(decode_user_data(hex("61023000")), code(Errc::missing_parameter), 4);
}

TEST(PresentationPdv, PdvOnlyTransferSyntax) {
  expect_error(decode_user_data(hex("6106300406025101")), code(Errc::missing_parameter), 8);
}

TEST(PresentationPdv, PdvMissingValues) {
  expect_error(decode_user_data(hex("61053003020103")), code(Errc::missing_parameter), 7);
}

TEST(PresentationPdv, PdvUnknownValuesChoice) {
  expect_error(decode_user_data(hex("6107300502010383"
                                    "00")),
               code(Errc::bad_pdv), 7);
}

TEST(PresentationPdv, PdvContextIdZero) {
  expect_error(decode_user_data(hex("61073005020100"
                                    "8100")),
               code(Errc::bad_context_id), 4);
}

TEST(PresentationPdv, PdvTrailingElement) {
  expect_error(decode_user_data(hex("6109300702010381000500")), code(Errc::unexpected_parameter), 9);
}

TEST(PresentationPdv, SingleAsn1TypeEmpty) {
  expect_error(decode_user_data(hex("61073005020103a000")), code(Errc::bad_pdv), 9);
}

TEST(PresentationPdv, SingleAsn1TypeTwoElements) {
  expect_error(decode_user_data(hex("610b3009020103a00405000500")), code(Errc::bad_pdv), 11);
}

TEST(PresentationPdv, SingleAsn1TypeInnerLengthBeyondWrapper) {
  expect_error(decode_user_data(hex("61093007020103a0020405")), code(ber::Errc::length_overflow), 10);
}

TEST(PresentationPdv, SingleAsn1TypePrimitiveWrapper) {
  expect_error(decode_user_data(hex("61093007020103800205"
                                    "00")),
               code(Errc::bad_pdv), 7);
}

TEST(PresentationPdv, OctetAlignedAndArbitraryDecode) {
  auto ud =
      decode_user_data(hex("6113"
                           "3007020103810201ff"
                           "3008020103820304aaf0"));
  ASSERT_TRUE(ud.ok()) << ud.error().describe();
  EXPECT_EQ(ud->pdvs[0].encoding, PdvEncoding::octet_aligned);
  EXPECT_EQ(ud->pdvs[0].data, hex("01ff"));
  EXPECT_EQ(ud->pdvs[1].encoding, PdvEncoding::arbitrary);
  EXPECT_EQ(ud->pdvs[1].unused_bits, 4);
  EXPECT_EQ(ud->pdvs[1].data, hex("aaf0"));
}

TEST(PresentationPdv, ArbitraryBadUnusedBits) {
  expect_error(decode_user_data(hex("61083006020103820108")), code(ber::Errc::bad_bit_string), 9);
}

TEST(PresentationPdv, ArbitraryEmpty) {
  expect_error(decode_user_data(hex("610730050201038200")), code(CoreErrc::truncated), 9);
}

TEST(PresentationPdv, ArbitraryUnusedBitsWithoutOctets) {
  expect_error(decode_user_data(hex("61083006020103820103")), code(ber::Errc::bad_bit_string), 9);
}

TEST(PresentationPdv, PdvTransferSyntaxMalformed) {
  expect_error(decode_user_data(hex("610a30080600020103810100")), code(ber::Errc::bad_oid));
}

// ============================================================================ CPA / CPR / abort

TEST(PresentationCpa, WrongOuterTag) { expect_error(decode_cpa(hex("3000")), code(Errc::unknown_ppdu), 0); }

TEST(PresentationCpa, ResultValueOutOfRange) {
  expect_error(decode_cpa(hex(cp_with_params("a505"
                                             "3003800103"))),
               code(Errc::bad_parameter_value), 13);
}

TEST(PresentationCpa, ResultMissing) {
  expect_error(decode_cpa(hex(cp_with_params("a502"
                                             "3000"))),
               code(Errc::missing_parameter), 13);
}

TEST(PresentationCpa, ResultOnlyTransferSyntax) {
  expect_error(decode_cpa(hex(cp_with_params("a506"
                                             "3004"
                                             "81025101"))),
               code(ber::Errc::unexpected_tag), 13);
}

TEST(PresentationCpa, ResultProviderReasonOutOfRange) {
  expect_error(decode_cpa(hex(cp_with_params("a508"
                                             "3006800102820104"))),
               code(Errc::bad_parameter_value), 16);
}

TEST(PresentationCpa, ResultItemTrailingElement) {
  expect_error(decode_cpa(hex(cp_with_params("a507"
                                             "30058001008300"))),
               code(Errc::unexpected_parameter), 16);
}

TEST(PresentationCpa, CallingSelectorNotAllowedInCpa) {
  expect_error(decode_cpa(hex(cp_with_params("810101"))), code(Errc::unexpected_parameter), 9);
}

TEST(PresentationCpa, X410ModeRefused) {
  expect_error(decode_cpa(hex("3105a003800100")), code(Errc::unsupported_mode), 4);
}

TEST(PresentationCpr, X400ModeRefused) {
  expect_error(decode_cpr(hex("3100")), code(Errc::unsupported_mode), 0);
}

TEST(PresentationCpr, WrongOuterTag) { expect_error(decode_cpr(hex("a000")), code(Errc::unknown_ppdu), 0); }

TEST(PresentationCpr, ProviderReasonOutOfRange) {
  expect_error(decode_cpr(hex("30038a0108")), code(Errc::bad_parameter_value), 2);
}

TEST(PresentationCpr, DefaultContextResultOutOfRange) {
  expect_error(decode_cpr(hex("3003870109")), code(Errc::bad_parameter_value), 2);
}

TEST(PresentationCpr, UnknownParameter) {
  expect_error(decode_cpr(hex("3002"
                              "8400")),
               code(Errc::unexpected_parameter), 2);
}

TEST(PresentationCpr, TrailingBytes) {
  expect_error(decode_cpr(hex("300000")), code(CoreErrc::trailing_data), 2);
}

TEST(PresentationAbort, UnknownAlternative) {
  expect_error(decode_abort(hex("a100")), code(Errc::unknown_ppdu), 0);
}

TEST(PresentationAbort, X400AruRefused) {
  expect_error(decode_abort(hex("3100")), code(Errc::unsupported_mode), 0);
}

TEST(PresentationAbort, ArpReasonOutOfRange) {
  expect_error(decode_abort(hex("3003800107")), code(Errc::bad_parameter_value), 2);
}

TEST(PresentationAbort, ArpEventIdentifierOutOfRange) {
  expect_error(decode_abort(hex("3003810129")), code(Errc::bad_parameter_value), 2);
  EXPECT_TRUE(decode_abort(hex("3003810128")).ok());
}

TEST(PresentationAbort, ArpFieldsOutOfOrder) {
  expect_error(decode_abort(hex("3006810107800106")), code(Errc::unexpected_parameter), 5);
}

TEST(PresentationAbort, AruContextItemMissingTransferSyntax) {
  expect_error(decode_abort(hex("a007a0053003020101")), code(CoreErrc::truncated), 9);
}

TEST(PresentationAbort, AruContextListLengthBeyondParent) {
  expect_error(decode_abort(hex("a002a009")), code(ber::Errc::length_overflow), 3);
}

TEST(PresentationAbort, TrailingBytes) {
  expect_error(decode_abort(hex("300000")), code(CoreErrc::trailing_data), 2);
}

// ============================================================================ misc

TEST(PresentationErrors, CategoryNameIsLayerName) {
  EXPECT_STREQ(presentation_category().name(), "presentation");
  EXPECT_EQ(Error(Errc::bad_pdv, 3).describe().find("presentation"), 0U);
  EXPECT_NE(presentation_category().message(static_cast<int>(Errc::too_many_pdvs)).find("limit"),
            std::string::npos);
  EXPECT_NE(presentation_category().message(999).find("999"), std::string::npos);
}

TEST(PresentationBitField, BitAccess) {
  const BitField b = BitField::of({0, 9});
  EXPECT_EQ(b.bytes, hex("8040"));
  EXPECT_EQ(b.unused_bits, 6);
  EXPECT_TRUE(b.bit(0));
  EXPECT_TRUE(b.bit(9));
  EXPECT_FALSE(b.bit(1));
  EXPECT_FALSE(b.bit(10));
  EXPECT_FALSE(BitField{}.bit(0));
  EXPECT_FALSE((BitField{Bytes{}, 3}.bit(0)));
}
