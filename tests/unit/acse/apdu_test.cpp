// SPDX-License-Identifier: Apache-2.0
// X.227 ACSE APDU codecs: golden vectors (bytes explained), exact round trips, and a named failing
// test for every truncated field, every limit and every error path.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "mmssec/acse/acse.hpp"

using namespace mmssec;
using namespace mmssec::acse;

namespace {

Bytes hex(std::string_view h) {
  auto b = from_hex(h);
  EXPECT_TRUE(b.ok()) << h;
  return b.ok() ? *b : Bytes{};
}
std::error_code code(acse::Errc e) { return acse::make_error_code(e); }
std::error_code code(ber::Errc e) { return ber::make_error_code(e); }
std::error_code code(CoreErrc e) { return make_error_code(e); }

Result<Apdu> decode_hex(std::string_view h, const Limits& l = default_limits()) {
  const Bytes b = hex(h);
  return decode_apdu(b, l);
}

// Replace `from` by `to` at the first octet-aligned position (hex strings).
std::string patch(std::string_view h, std::string_view from, std::string_view to) {
  std::string s(h);
  for (std::size_t i = 0; i + from.size() <= s.size(); i += 2) {
    if (s.compare(i, from.size(), from) == 0) return s.replace(i, from.size(), to);
  }
  ADD_FAILURE() << "pattern not found: " << from;
  return s;
}

std::string encode_hex(const Apdu& a) {
  auto b = encode_apdu(a);
  EXPECT_TRUE(b.ok()) << (b.ok() ? "" : b.error().describe());
  return b.ok() ? to_hex(*b) : std::string("<encode failed>");
}

// Decoding then re-encoding must give back exactly the input.
void expect_round_trip(std::string_view h) {
  auto a = decode_hex(h);
  ASSERT_TRUE(a.ok()) << h << ": " << a.error().describe();
  EXPECT_EQ(encode_hex(*a), to_hex(hex(h)));
}

// ---- golden vector 1: a typical IEC 61850 client AARQ (libiec61850-style) ----
// 60 55                               AARQ [APPLICATION 0], 85 octets
//   a1 07 06 05 28 ca 22 02 03        application-context-name [1] { OID 1.0.9506.2.3 }
//   a2 07 06 05 29 01 87 67 01        called-AP-title [2] { form2 OID 1.1.1.999.1 }
//   a3 03 02 01 0c                    called-AE-qualifier [3] { form2 INTEGER 12 }
//   a6 06 06 04 29 01 87 67           calling-AP-title [6] { form2 OID 1.1.1.999 }
//   a7 03 02 01 0c                    calling-AE-qualifier [7] { form2 INTEGER 12 }
//   be 2f                             user-information [30] IMPLICIT SEQUENCE OF
//     28 2d                           EXTERNAL
//       02 01 03                      indirect-reference 3 (the MMS presentation context)
//       a0 28                         single-ASN1-type [0]
//         a8 26 ...                   MMS initiate-RequestPDU (40 octets)
constexpr std::string_view kMmsInitiateRequest =
    "a826800300fde881010582010583010aa416800101810305f100820c03ee1c00000408000079ef18";
constexpr std::string_view kClientAarq =
    "6055a107060528ca220203a20706052901876701a30302010ca606060429018767a70302010c"
    "be2f282d020103a028"
    "a826800300fde881010582010583010aa416800101810305f100820c03ee1c00000408000079ef18";

// ---- golden vector 2: IEC 62351-4 A-profile AARQ (PROFILE.md §3, §4) ----
// 60 41
//   a1 07 06 05 28 ca 22 02 03        application-context-name basic-AC
//   8a 02 07 80                       sender-acse-requirements [10] IMPLICIT BIT STRING:
//                                     7 unused bits, 0x80 = bit 0 (authentication)
//   8b 08 28 86 48 00 01 00 01 01     mechanism-name [11] IMPLICIT OID 1.0.840.0.1.0.1.1
//   ac 28                             calling-authentication-value [12] EXPLICIT
//     a2 26                           external [2] IMPLICIT EXTERNAL (no references)
//       a0 24                         single-ASN1-type [0]
//         a0 22                       MMS-Authentication-value certificate-based [0]
//           80 05 30 03 02 01 01      authentication-Certificate (a stand-in "certificate")
//           81 13 "20240102030405.000Z"  time [1] GeneralizedTime characters
//           82 04 de ad be ef         signature [2]
constexpr std::string_view kMmsAuthValue =
    "a02280053003020101811332303234303130323033303430352e3030305a8204deadbeef";
constexpr std::string_view kAuthAarqNoRef =
    "6041a107060528ca2202038a0207808b082886480001000101"
    "ac28a226a024a02280053003020101811332303234303130323033303430352e3030305a8204deadbeef";
// Same with indirect-reference 3 in the EXTERNAL (02 01 03).
constexpr std::string_view kAuthAarqIndirect =
    "6044a107060528ca2202038a0207808b082886480001000101"
    "ac2ba229020103a024a02280053003020101811332303234303130323033303430352e3030305a8204deadbeef";
// Same with direct-reference mmsAuthenticationAS 1.0.840.0.1.1.4.1 (06 08 28 86 48 00 01 01 04 01).
constexpr std::string_view kAuthAarqDirect =
    "604ba107060528ca2202038a0207808b082886480001000101"
    "ac32a23006082886480001010401a024a02280053003020101811332303234303130323033303430352e3030305a"
    "8204deadbeef";

// ---- golden vector 3: AARE accepted ----
// 61 46
//   a1 07 06 05 28 ca 22 02 03        application-context-name
//   a2 03 02 01 00                    result [2] { INTEGER accepted(0) }
//   a3 05 a1 03 02 01 00              result-source-diagnostic [3] { acse-service-user [1] { null(0) } }
//   be 2f 28 2d 02 01 03 a0 28 a9 26 ...  user-information: MMS initiate-ResponsePDU
constexpr std::string_view kAareAccepted =
    "6146a107060528ca220203a203020100a305a103020100"
    "be2f282d020103a028"
    "a926800300fde881010582010583010aa416800101810305f100820c03ee1c00000408000079ef18";

// AARE rejected: 61 15 a1 07 <ctx> a2 03 02 01 <result> a3 05 <a1|a2> 03 02 01 <diag>
std::string aare_rejected(int result, const char* alt, int diag) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "6115a107060528ca220203a2030201%02xa305%s030201%02x", result, alt, diag);
  return buf;
}

Aarq client_aarq() {
  Aarq a;
  a.application_context_name = mms_application_context();
  a.called_ap_title = ApTitle::from_oid({1, 1, 1, 999, 1});
  a.called_ae_qualifier = AeQualifier::from_int(12);
  a.calling_ap_title = ApTitle::from_oid({1, 1, 1, 999});
  a.calling_ae_qualifier = AeQualifier::from_int(12);
  ber::External e;
  e.indirect_reference = 3;
  e.encoding = ber::External::Encoding::single_asn1_type;
  e.data = hex(kMmsInitiateRequest);
  a.user_information = UserInformation{e};
  return a;
}

}  // namespace

// ============================================================================ golden AARQ

TEST(AcseAarq, Iec61850ClientAarqDecodesEveryField) {
  auto r = decode_hex(kClientAarq);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  const auto& a = std::get<Aarq>(*r);
  EXPECT_FALSE(a.protocol_version.has_value());
  EXPECT_EQ(a.application_context_name, (ber::Oid{1, 0, 9506, 2, 3}));
  ASSERT_TRUE(a.called_ap_title);
  EXPECT_EQ(a.called_ap_title->form, ApTitle::Form::form2);
  EXPECT_EQ(a.called_ap_title->oid, (ber::Oid{1, 1, 1, 999, 1}));
  ASSERT_TRUE(a.called_ae_qualifier);
  EXPECT_EQ(a.called_ae_qualifier->value, 12);
  EXPECT_EQ(a.calling_ap_title->oid, (ber::Oid{1, 1, 1, 999}));
  EXPECT_EQ(a.calling_ae_qualifier->value, 12);
  EXPECT_FALSE(a.called_ap_invocation_id || a.calling_ae_invocation_id || a.mechanism_name ||
               a.calling_authentication_value || a.sender_acse_requirements);
  ASSERT_TRUE(a.user_information);
  ASSERT_EQ(a.user_information->size(), 1U);
  const auto& e = a.user_information->front();
  EXPECT_FALSE(e.direct_reference.has_value());
  EXPECT_EQ(e.indirect_reference, 3);
  EXPECT_EQ(e.encoding, ber::External::Encoding::single_asn1_type);
  EXPECT_EQ(to_hex(e.data), kMmsInitiateRequest);
  EXPECT_STREQ(apdu_name(*r), "AARQ");
}

TEST(AcseAarq, Iec61850ClientAarqEncodesToGoldenBytes) {
  EXPECT_EQ(encode_hex(client_aarq()), kClientAarq);
  expect_round_trip(kClientAarq);
}

TEST(AcseAarq, AuthenticatedAarqGoldenFields) {
  auto r = decode_hex(kAuthAarqNoRef);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  const auto& a = std::get<Aarq>(*r);
  ASSERT_TRUE(a.sender_acse_requirements);
  EXPECT_TRUE(a.sender_acse_requirements->bit(kRequirementAuthentication));
  EXPECT_FALSE(a.sender_acse_requirements->bit(kRequirementContextNegotiation));
  EXPECT_EQ(*a.sender_acse_requirements, authentication_requirements());
  ASSERT_TRUE(a.mechanism_name);
  EXPECT_EQ(*a.mechanism_name, mms_authentication_mechanism());
  EXPECT_EQ(to_hex(a.mechanism_name->encode()), "2886480001000101");
  ASSERT_TRUE(a.calling_authentication_value);
  const auto& v = *a.calling_authentication_value;
  EXPECT_EQ(v.kind, AuthenticationValue::Kind::external);
  EXPECT_FALSE(v.external.direct_reference || v.external.indirect_reference);
  EXPECT_EQ(to_hex(v.external.data), kMmsAuthValue);
}

TEST(AcseAarq, AuthenticatedAarqEncodesFromValues) {
  Aarq a;
  a.application_context_name = mms_application_context();
  a.sender_acse_requirements = authentication_requirements();
  a.mechanism_name = mms_authentication_mechanism();
  ber::External e;
  e.data = hex(kMmsAuthValue);
  a.calling_authentication_value = AuthenticationValue::from_external(e);
  EXPECT_EQ(encode_hex(a), kAuthAarqNoRef);
}

TEST(AcseAarq, ExternalAuthenticationValueKeepsWhichReferencesWerePresent) {
  for (auto h : {kAuthAarqNoRef, kAuthAarqIndirect, kAuthAarqDirect}) expect_round_trip(h);
  auto ind = decode_hex(kAuthAarqIndirect);
  ASSERT_TRUE(ind.ok());
  const auto& ei = std::get<Aarq>(*ind).calling_authentication_value->external;
  EXPECT_EQ(ei.indirect_reference, 3);
  EXPECT_FALSE(ei.direct_reference.has_value());
  auto dir = decode_hex(kAuthAarqDirect);
  ASSERT_TRUE(dir.ok());
  const auto& ed = std::get<Aarq>(*dir).calling_authentication_value->external;
  EXPECT_EQ(ed.direct_reference, (ber::Oid{1, 0, 840, 0, 1, 1, 4, 1}));
  EXPECT_FALSE(ed.indirect_reference.has_value());
}

TEST(AcseAarq, ProtocolVersionIsKeptAsSent) {
  // 80 02 07 80 = protocol-version { version1 }
  auto r = decode_hex("600d800207 80a107060528ca220203");
  ASSERT_TRUE(r.ok()) << r.error().describe();
  const auto& a = std::get<Aarq>(*r);
  ASSERT_TRUE(a.protocol_version);
  EXPECT_TRUE(a.protocol_version->bit(0));
  EXPECT_EQ(*a.protocol_version, protocol_version1());
  expect_round_trip("600d800207 80a107060528ca220203");
}

TEST(AcseAarq, ProtocolVersionWithoutVersion1DecodesForTheAssociationToReject) {
  // 80 02 06 40 = bit 1 only; the codec keeps it, the association rejects it.
  auto r = decode_hex("600d80020640a107060528ca220203");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(std::get<Aarq>(*r).protocol_version->bit(0));
}

TEST(AcseAarq, InvocationIdentifiersAllFourRoundTrip) {
  // a4 03 02 01 01, a5 03 02 01 02, a8 03 02 01 03, a9 03 02 01 04
  const std::string h = "601da107060528ca220203a403020101a503020102a803020103a903020104";
  auto r = decode_hex(h);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  const auto& a = std::get<Aarq>(*r);
  EXPECT_EQ(a.called_ap_invocation_id, 1);
  EXPECT_EQ(a.called_ae_invocation_id, 2);
  EXPECT_EQ(a.calling_ap_invocation_id, 3);
  EXPECT_EQ(a.calling_ae_invocation_id, 4);
  expect_round_trip(h);
}

TEST(AcseAarq, ApTitleForm1NameIsKeptVerbatim) {
  // a2 0f 30 0d 31 0b 30 09 06 03 55 04 03 13 02 "ab"   Name { RDN { CN = PrintableString "ab" } }
  // a3 0d 31 0b 30 09 06 03 55 04 03 13 02 "ab"         AE-qualifier form1 RDN
  const std::string h =
      "6029a107060528ca220203a20f300d310b3009060355040313026162a30d310b3009060355040313026162";
  auto r = decode_hex(h);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  const auto& a = std::get<Aarq>(*r);
  EXPECT_EQ(a.called_ap_title->form, ApTitle::Form::form1);
  EXPECT_EQ(to_hex(a.called_ap_title->name), "300d310b3009060355040313026162");
  EXPECT_EQ(a.called_ae_qualifier->form, AeQualifier::Form::form1);
  EXPECT_EQ(to_hex(a.called_ae_qualifier->rdn), "310b3009060355040313026162");
  expect_round_trip(h);
}

TEST(AcseAarq, ApTitleAndAeQualifierForm3PrintableString) {
  // a6 05 13 03 "IED"   a7 04 13 02 "LD"
  const std::string h = "6016a107060528ca220203a6051303494544a70413024c44";
  auto r = decode_hex(h);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(std::get<Aarq>(*r).calling_ap_title->text, "IED");
  EXPECT_EQ(std::get<Aarq>(*r).calling_ae_qualifier->text, "LD");
  expect_round_trip(h);
}

TEST(AcseAarq, AuthenticationValueCharstringBitstringOther) {
  // ac 06 80 04 "pass"                       charstring [0]
  expect_round_trip(
      "6011a107060528ca220203ac068004"
      "70617373");
  // ac 05 81 03 04 a5 50                     bitstring [1], 4 unused bits
  expect_round_trip("6010a107060528ca220203ac05810304a550");
  // ac 0b a3 09 06 03 2a 03 04 04 02 ab cd   other [3] { OID 1.2.3.4, OCTET STRING abcd }
  const std::string other = "6016a107060528ca220203ac0ba30906032a03040402abcd";
  auto r = decode_hex(other);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  const auto& v = *std::get<Aarq>(*r).calling_authentication_value;
  EXPECT_EQ(v.kind, AuthenticationValue::Kind::other);
  EXPECT_EQ(v.other_mechanism_name, (ber::Oid{1, 2, 3, 4}));
  EXPECT_EQ(to_hex(v.other_mechanism_value), "0402abcd");
  expect_round_trip(other);
  auto cs = decode_hex("6011a107060528ca220203ac06800470617373");
  ASSERT_TRUE(cs.ok());
  EXPECT_EQ(std::get<Aarq>(*cs).calling_authentication_value->charstring, "pass");
}

TEST(AcseAarq, ContextNameListAndImplementationInformation) {
  // ad 07 06 05 28 ca 22 02 03   application-context-name-list [13]
  // 9d 03 "v1!"                  implementation-information [29]
  const std::string h = "6017a107060528ca220203ad07060528ca2202039d03763121";
  auto r = decode_hex(h);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  const auto& a = std::get<Aarq>(*r);
  ASSERT_TRUE(a.application_context_name_list);
  EXPECT_EQ(a.application_context_name_list->size(), 1U);
  EXPECT_EQ(a.implementation_information, "v1!");
  expect_round_trip(h);
}

TEST(AcseAarq, ExtensionAdditionsAreSkipped) {
  // af 03 02 01 01 = called-asoi-tag [15] (higher-level association FU), ignored
  auto r = decode_hex("600ea107060528ca220203af03020101");
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(encode_hex(*r), "6009a107060528ca220203");
}

TEST(AcseAarq, IndefiniteLengthOuterIsAccepted) {
  auto r = decode_hex("6080a107060528ca2202030000");
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(encode_hex(*r), "6009a107060528ca220203");
}

// ============================================================================ AARE

TEST(AcseAare, AcceptedGolden) {
  auto r = decode_hex(kAareAccepted);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  const auto& a = std::get<Aare>(*r);
  EXPECT_EQ(a.application_context_name, mms_application_context());
  EXPECT_EQ(a.result, AssociateResult::accepted);
  EXPECT_EQ(a.diagnostic, SourceDiagnostic{UserDiagnostic::null});
  ASSERT_TRUE(a.user_information);
  EXPECT_EQ(a.user_information->front().indirect_reference, 3);
  expect_round_trip(kAareAccepted);
  EXPECT_STREQ(apdu_name(*r), "AARE");
}

TEST(AcseAare, RejectedWithEachUserDiagnostic) {
  for (int d = 0; d <= 14; ++d) {
    SCOPED_TRACE(d);
    const std::string h = aare_rejected(1, "a1", d);
    auto r = decode_hex(h);
    ASSERT_TRUE(r.ok()) << r.error().describe();
    const auto& a = std::get<Aare>(*r);
    EXPECT_EQ(a.result, AssociateResult::rejected_permanent);
    EXPECT_EQ(a.diagnostic, SourceDiagnostic{static_cast<UserDiagnostic>(d)});
    Aare built;
    built.application_context_name = mms_application_context();
    built.result = AssociateResult::rejected_permanent;
    built.diagnostic = static_cast<UserDiagnostic>(d);
    EXPECT_EQ(encode_hex(built), h);
  }
}

TEST(AcseAare, AuthenticationDiagnosticsHaveTheirX227Numbers) {
  EXPECT_EQ(static_cast<int>(UserDiagnostic::authentication_mechanism_name_not_recognized), 11);
  EXPECT_EQ(static_cast<int>(UserDiagnostic::authentication_mechanism_name_required), 12);
  EXPECT_EQ(static_cast<int>(UserDiagnostic::authentication_failure), 13);
  EXPECT_EQ(static_cast<int>(UserDiagnostic::authentication_required), 14);
  auto r = decode_hex(aare_rejected(1, "a1", 13));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::get<Aare>(*r).diagnostic, SourceDiagnostic{UserDiagnostic::authentication_failure});
}

TEST(AcseAare, RejectedWithEachProviderDiagnostic) {
  for (int d = 0; d <= 2; ++d) {
    SCOPED_TRACE(d);
    const std::string h = aare_rejected(2, "a2", d);
    auto r = decode_hex(h);
    ASSERT_TRUE(r.ok()) << r.error().describe();
    EXPECT_EQ(std::get<Aare>(*r).result, AssociateResult::rejected_transient);
    EXPECT_EQ(std::get<Aare>(*r).diagnostic, SourceDiagnostic{static_cast<ProviderDiagnostic>(d)});
    EXPECT_EQ(encode_hex(*r), h);
  }
}

TEST(AcseAare, RespondingFieldsAndAuthenticationValueRoundTrip) {
  // a4 06 06 04 29 01 87 67   responding-AP-title      a5 03 02 01 0c  responding-AE-qualifier
  // a6 03 02 01 05 / a7 03 02 01 06  invocation ids    88 02 07 80     responder-acse-requirements
  // 89 08 <mechanism>   aa 28 a2 26 a0 24 <MMS-Authentication-value>   responding-authentication-value
  const std::string h = std::string("618100a107060528ca220203a203020100a305a103020100") + "a406060429018767" +
                        "a50302010c" + "a603020105a703020106" + "880207808908" + "2886480001000101" +
                        "aa28a226a024" + std::string(kMmsAuthValue);
  // Fix the outer length (one octet after 0x81; non-minimal long form is valid BER).
  Bytes b = hex(h);
  b[2] = static_cast<std::uint8_t>(b.size() - 3);
  auto r = decode_apdu(b);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  const auto& a = std::get<Aare>(*r);
  EXPECT_EQ(a.responding_ap_title->oid, (ber::Oid{1, 1, 1, 999}));
  EXPECT_EQ(a.responding_ae_qualifier->value, 12);
  EXPECT_EQ(a.responding_ap_invocation_id, 5);
  EXPECT_EQ(a.responding_ae_invocation_id, 6);
  EXPECT_TRUE(a.responder_acse_requirements->bit(0));
  EXPECT_EQ(a.mechanism_name, mms_authentication_mechanism());
  EXPECT_EQ(to_hex(a.responding_authentication_value->external.data), kMmsAuthValue);
  // Our writer uses the short length form (content < 128), so compare after re-decoding.
  auto again = encode_apdu(*r);
  ASSERT_TRUE(again.ok());
  auto r2 = decode_apdu(*again);
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(std::get<Aare>(*r2), a);
}

// ============================================================================ RLRQ, RLRE, ABRT

TEST(AcseRelease, RlrqReasonsGolden) {
  // 62 03 80 01 xx  reason [0] IMPLICIT INTEGER
  const std::pair<const char*, ReleaseRequestReason> cases[] = {
      {"6203800100", ReleaseRequestReason::normal},
      {"6203800101", ReleaseRequestReason::urgent},
      {"620380011e", ReleaseRequestReason::user_defined}};
  for (const auto& [h, reason] : cases) {
    auto r = decode_hex(h);
    ASSERT_TRUE(r.ok()) << h;
    EXPECT_EQ(std::get<Rlrq>(*r).reason, reason);
    EXPECT_EQ(encode_hex(Rlrq{reason, std::nullopt}), h);
  }
  auto empty = decode_hex("6200");
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(std::get<Rlrq>(*empty).reason.has_value());
  expect_round_trip("6200");
}

TEST(AcseRelease, RlreReasonsGolden) {
  const std::pair<const char*, ReleaseResponseReason> cases[] = {
      {"6303800100", ReleaseResponseReason::normal},
      {"6303800101", ReleaseResponseReason::not_finished},
      {"630380011e", ReleaseResponseReason::user_defined}};
  for (const auto& [h, reason] : cases) {
    auto r = decode_hex(h);
    ASSERT_TRUE(r.ok()) << h;
    EXPECT_EQ(std::get<Rlre>(*r).reason, reason);
    EXPECT_EQ(encode_hex(Rlre{reason, std::nullopt}), h);
  }
}

TEST(AcseRelease, RlrqWithUserInformationRoundTrips) {
  // 62 0e  80 01 00  be 09 { 28 07 { 02 01 03  a0 02 { 05 00 } } }: reason normal, one EXTERNAL
  const std::string h = "620e800100be0928070201 03a0020500";
  auto r = decode_hex(h);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(std::get<Rlrq>(*r).user_information->size(), 1U);
  expect_round_trip(h);
}

TEST(AcseAbort, AbrtGolden) {
  // 64 03 80 01 00   abort-source acse-service-user
  auto u = decode_hex("6403800100");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(std::get<Abrt>(*u).source, AbortSource::service_user);
  EXPECT_FALSE(std::get<Abrt>(*u).diagnostic.has_value());
  // 64 06 80 01 01 81 01 02   acse-service-provider, abort-diagnostic protocol-error
  auto p = decode_hex("6406800101810102");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(std::get<Abrt>(*p).source, AbortSource::service_provider);
  EXPECT_EQ(std::get<Abrt>(*p).diagnostic, AbortDiagnostic::protocol_error);
  EXPECT_EQ(encode_hex(Abrt{AbortSource::service_provider, AbortDiagnostic::protocol_error, std::nullopt}),
            "6406800101810102");
  for (int d = 1; d <= 6; ++d) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "64068001008101%02x", d);
    expect_round_trip(buf);
  }
  EXPECT_STREQ(apdu_name(*p), "ABRT");
}

// ============================================================================ structural errors

TEST(AcseDecodeError, EmptyInputIsTruncated) {
  auto r = decode_apdu(ByteView{});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code(CoreErrc::truncated));
}

TEST(AcseDecodeError, UnknownApplicationTag) {
  auto r = decode_hex("6500");  // [APPLICATION 5] A-DT: not supported
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code(acse::Errc::unknown_apdu));
  auto prim = decode_hex("4000");  // primitive [APPLICATION 0]
  ASSERT_FALSE(prim.ok());
  EXPECT_EQ(prim.error().code, code(acse::Errc::unknown_apdu));
  auto seq = decode_hex("3000");
  ASSERT_FALSE(seq.ok());
  EXPECT_EQ(seq.error().code, code(acse::Errc::unknown_apdu));
}

TEST(AcseDecodeError, TrailingBytesAfterApdu) {
  auto r = decode_hex("620000");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code(CoreErrc::trailing_data));
  EXPECT_EQ(r.error().offset, 2U);
}

TEST(AcseDecodeError, OuterLengthBeyondInput) {
  auto r = decode_hex("6056a107060528ca220203");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code(ber::Errc::length_overflow));
}

TEST(AcseDecodeError, EveryPrefixOfTheGoldenVectorsFails) {
  for (auto h : {kClientAarq, kAuthAarqIndirect, kAuthAarqDirect, kAareAccepted}) {
    const Bytes b = hex(h);
    for (std::size_t n = 0; n < b.size(); ++n) {
      auto r = decode_apdu(ByteView(b.data(), n));
      EXPECT_FALSE(r.ok()) << h << " prefix " << n;
    }
  }
}

TEST(AcseDecodeError, OuterLengthShortenedCutsEveryFieldCleanly) {
  // Keep the bytes but shrink the AARQ length: the last field is then cut inside the APDU. Only
  // lengths that end exactly on a field boundary decode (after [1], [2], [3], [6], [7]); those
  // must re-encode to the same bytes.
  const Bytes b = hex(kClientAarq);
  std::vector<int> ok_lengths;
  for (std::uint8_t len = 0; len < b[1]; ++len) {
    Bytes c(b.begin(), b.begin() + 2 + len);
    c[1] = len;
    auto r = decode_apdu(c);
    if (r.ok()) {
      ok_lengths.push_back(len);
      EXPECT_EQ(encode_hex(*r), to_hex(c));
    }
  }
  EXPECT_EQ(ok_lengths, (std::vector<int>{9, 18, 23, 31, 36}));
}

// Truncated fields: an inner length that exceeds its enclosing element (the libiec61850 CVE class).
TEST(AcseTruncatedField, AarqApplicationContextName) {
  // a1 07 06 06 ... : the OID claims 6 octets, the wrapper holds 5
  auto r = decode_hex("6009a107060628ca220203");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code(ber::Errc::length_overflow));
  EXPECT_EQ(r.error().offset, 5U);  // the OID's length octet
}

TEST(AcseTruncatedField, AarqApplicationContextWrapperEmpty) {
  auto r = decode_hex("6002a100");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code(CoreErrc::truncated));
}

TEST(AcseTruncatedField, AarqApplicationContextWrapperLongerThanApdu) {
  auto r = decode_hex("6009a108060528ca220203");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code(ber::Errc::length_overflow));
  EXPECT_EQ(r.error().offset, 3U);
}

TEST(AcseTruncatedField, AarqCalledApTitle) {
  auto r = decode_hex("6012a107060528ca220203a20706062901876701");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code(ber::Errc::length_overflow));
  EXPECT_EQ(r.error().offset, 14U);
}

TEST(AcseTruncatedField, AarqCalledAeQualifier) {
  auto r = decode_hex("600ea107060528ca220203a30302020c");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code(ber::Errc::length_overflow));
}

TEST(AcseTruncatedField, AarqCallingApTitle) {
  auto r = decode_hex("6011a107060528ca220203a606060529018767");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code(ber::Errc::length_overflow));
}

TEST(AcseTruncatedField, AarqInvocationIdentifier) {
  auto r = decode_hex("600ea107060528ca220203a403020201");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code(ber::Errc::length_overflow));
}

TEST(AcseTruncatedField, AarqSenderAcseRequirements) {
  auto r = decode_hex("600da107060528ca2202038a0307 80");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code(ber::Errc::length_overflow));
}

TEST(AcseTruncatedField, AarqMechanismName) {
  // 8b 08 with 7 content octets left in the AARQ
  auto r = decode_hex("6013a107060528ca2202038b092886480001000101");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code(ber::Errc::length_overflow));
}

TEST(AcseTruncatedField, AarqAuthenticationValueExternal) {
  // The EXTERNAL (a2) claims one octet more than the [12] wrapper holds.
  auto r = decode_hex(patch(kAuthAarqNoRef, "a226", "a227"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code(ber::Errc::length_overflow));
}

TEST(AcseTruncatedField, AarqAuthenticationValueInnerSingleType) {
  auto r = decode_hex(patch(kAuthAarqNoRef, "a024", "a025"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code(ber::Errc::length_overflow));
}

TEST(AcseTruncatedField, AarqUserInformationExternal) {
  auto r = decode_hex(patch(kClientAarq, "282d", "282e"));  // EXTERNAL longer than user-information
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code(ber::Errc::length_overflow));
}

TEST(AcseTruncatedField, AarqUserInformationSingleAsn1Type) {
  auto r = decode_hex(patch(kClientAarq, "a028", "a029"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code(ber::Errc::length_overflow));
}

TEST(AcseTruncatedField, AarqUserInformationWithoutEncoding) {
  // be 05 28 03 02 01 03: EXTERNAL with only a reference, no encoding CHOICE
  auto r = decode_hex("6010a107060528ca220203be0528030201 03");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code(ber::Errc::bad_external));
}

TEST(AcseTruncatedField, AarqImplementationInformation) {
  auto r = decode_hex("600ca107060528ca2202039d0276");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code(ber::Errc::length_overflow));
}

TEST(AcseTruncatedField, AareResult) {
  auto r = decode_hex("6115a107060528ca220203a203020201a305a103020100");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code(ber::Errc::length_overflow));
}

TEST(AcseTruncatedField, AareResultSourceDiagnostic) {
  auto r = decode_hex("6115a107060528ca220203a203020100a305a104020100");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code(ber::Errc::length_overflow));
}

TEST(AcseTruncatedField, AareRespondingApTitle) {
  auto r = decode_hex("611da107060528ca220203a203020100a305a103020100a406060529018767");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code(ber::Errc::length_overflow));
}

TEST(AcseTruncatedField, AareUserInformation) {
  auto r = decode_hex(patch(kAareAccepted, "a926", "a927"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code(ber::Errc::length_overflow));
}

TEST(AcseTruncatedField, RlrqReason) {
  auto r = decode_hex("6203800200");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code(ber::Errc::length_overflow));
}

TEST(AcseTruncatedField, AbrtSourceEmptyInteger) {
  auto r = decode_hex("64028000");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code(ber::Errc::bad_integer));
}

TEST(AcseTruncatedField, ErrorOffsetsAreAbsolute) {
  const Bytes b = hex("6009a107060628ca220203");
  auto r = decode_apdu(b, default_limits(), 100);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().offset, 105U);
}

// ============================================================================ semantic errors

TEST(AcseMissingField, AarqWithoutApplicationContextName) {
  auto r = decode_hex("6005a30302010c");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code(acse::Errc::missing_field));
  auto empty = decode_hex("6000");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, code(acse::Errc::missing_field));
}

TEST(AcseMissingField, AarqApplicationContextNamePrimitiveInsteadOfExplicit) {
  auto r = decode_hex("6007810528ca220203");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code(acse::Errc::missing_field));
}

TEST(AcseMissingField, AareWithoutResult) {
  auto r = decode_hex("6110a107060528ca220203a305a103020100");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code(acse::Errc::missing_field));
}

TEST(AcseMissingField, AareWithoutDiagnostic) {
  auto r = decode_hex("610ea107060528ca220203a203020100");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code(acse::Errc::missing_field));
}

TEST(AcseMissingField, AareWithoutContextName) {
  auto r = decode_hex("610ca203020100a305a103020100");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code(acse::Errc::missing_field));
}

TEST(AcseMissingField, AbrtWithoutSource) {
  auto r = decode_hex("6400");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code(acse::Errc::missing_field));
}

TEST(AcseMissingField, AuthenticationOtherWithoutValue) {
  auto r = decode_hex("6012a107060528ca220203ac07a30506032a0304");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code(acse::Errc::missing_field));
}

TEST(AcseUnexpectedField, FieldsOutOfOrder) {
  // called-AE-qualifier [3] before called-AP-title [2]
  auto r = decode_hex("6017a107060528ca220203a30302010ca20706052901876701");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code(acse::Errc::unexpected_field));
  EXPECT_EQ(r.error().offset, 16U);
}

TEST(AcseUnexpectedField, ElementAfterUserInformation) {
  auto r = decode_hex("600ea107060528ca220203be00020100");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code(acse::Errc::unexpected_field));
}

TEST(AcseUnexpectedField, UnknownTagInRlrq) {
  auto r = decode_hex("6203850100");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code(acse::Errc::unexpected_field));
}

TEST(AcseUnexpectedField, SecondElementInExplicitWrapper) {
  auto r = decode_hex("600ca10a060528ca220203020100");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code(CoreErrc::trailing_data));
}

TEST(AcseBadChoice, ApTitleWithInteger) {
  auto r = decode_hex("600ea107060528ca220203a203020101");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code(acse::Errc::bad_choice));
}

TEST(AcseBadChoice, AeQualifierWithOid) {
  auto r = decode_hex("600fa107060528ca220203a30406022a03");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code(acse::Errc::bad_choice));
}

TEST(AcseBadChoice, AuthenticationValueUnknownAlternative) {
  auto r = decode_hex("600fa107060528ca220203ac04840201 02");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code(acse::Errc::bad_choice));
}

TEST(AcseBadChoice, SourceDiagnosticUnknownAlternative) {
  auto r = decode_hex(aare_rejected(1, "a3", 1));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code(acse::Errc::bad_choice));
}

TEST(AcseBadValue, ResultOutOfRange) {
  auto r = decode_hex(aare_rejected(3, "a1", 1));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code(acse::Errc::value_out_of_range));
}

TEST(AcseBadValue, UserDiagnosticOutOfRange) {
  auto r = decode_hex(aare_rejected(1, "a1", 15));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code(acse::Errc::value_out_of_range));
}

TEST(AcseBadValue, ProviderDiagnosticOutOfRange) {
  auto r = decode_hex(aare_rejected(1, "a2", 3));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code(acse::Errc::value_out_of_range));
}

TEST(AcseBadValue, ReleaseReasonsOutOfRange) {
  for (auto h : {"6203800102", "630380011f", "620380 01ff"}) {
    auto r = decode_hex(h);
    ASSERT_FALSE(r.ok()) << h;
    EXPECT_EQ(r.error().code, code(acse::Errc::value_out_of_range)) << h;
  }
}

TEST(AcseBadValue, AbortSourceAndDiagnosticOutOfRange) {
  for (auto h : {"6403800102", "6406800100810100", "6406800100810107"}) {
    auto r = decode_hex(h);
    ASSERT_FALSE(r.ok()) << h;
    EXPECT_EQ(r.error().code, code(acse::Errc::value_out_of_range)) << h;
  }
}

TEST(AcseBadValue, IntegerWiderThan64Bits) {
  auto r = decode_hex("6016a107060528ca220203a40b0209010000000000000000");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code(ber::Errc::integer_overflow));
}

TEST(AcseBadValue, MalformedOid) {
  auto r = decode_hex("6006a104060228 ca");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code(ber::Errc::bad_oid));
}

TEST(AcseBadValue, PrintableStringWithForbiddenCharacter) {
  auto r = decode_hex("6010a107060528ca220203a6051303494540");  // '@'
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code(ber::Errc::bad_string));
}

TEST(AcseBadValue, ImplementationInformationWithControlCharacter) {
  auto r = decode_hex("600da107060528ca2202039d027601");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code(ber::Errc::bad_string));
}

TEST(AcseBadValue, BitStringWithBadUnusedBits) {
  auto r = decode_hex("600da107060528ca2202038a020880");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code(ber::Errc::bad_bit_string));
}

TEST(AcseBadValue, ExternalArbitraryWithUnusedBitsButNoOctets) {
  // be 08 28 06 02 01 03 82 01 03: arbitrary [2] with 3 unused bits and no data (X.690 8.6.2.3)
  auto r = decode_hex("6013a107060528ca220203be082806020103820103");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code(ber::Errc::bad_bit_string));
  // The same with zero unused bits is a valid empty bit string and round-trips.
  expect_round_trip("6013a107060528ca220203be082806020103820100");
}

TEST(AcseBadValue, ApTitleForm1NameMalformedInside) {
  // Name SEQUENCE whose inner SET claims more than it holds
  auto r = decode_hex("6010a107060528ca220203a2053003310505");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code(ber::Errc::length_overflow));
}

// ============================================================================ limits

TEST(AcseLimit, UserInformationCount) {
  Limits l;
  l.acse_max_user_information = 2;
  // EXTERNAL 28 07 { 02 01 03  a0 02 { 05 00 } } = 9 octets
  const std::string ext = "2807020103a0020500";
  const std::string two = "601da107060528ca220203be12" + ext + ext;
  auto ok = decode_hex(two, l);
  ASSERT_TRUE(ok.ok()) << ok.error().describe();
  EXPECT_EQ(std::get<Aarq>(*ok).user_information->size(), 2U);
  const std::string three = "6026a107060528ca220203be1b" + ext + ext + ext;
  auto bad = decode_hex(three, l);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, code(acse::Errc::too_many_user_information));
  EXPECT_EQ(bad.error().offset, 31U);  // the third EXTERNAL
  // The default limit is 8.
  EXPECT_TRUE(decode_hex(three).ok());
}

TEST(AcseLimit, AuthenticationValueSize) {
  // The [12] wrapper content of kAuthAarqNoRef is 0x28 = 40 octets.
  Limits l;
  l.acse_max_authentication_value = 40;
  EXPECT_TRUE(decode_hex(kAuthAarqNoRef, l).ok());
  l.acse_max_authentication_value = 39;
  auto r = decode_hex(kAuthAarqNoRef, l);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code(acse::Errc::authentication_value_too_large));
  EXPECT_EQ(r.error().offset, 25U);  // the ac tag
}

TEST(AcseLimit, AareAuthenticationValueSize) {
  Limits l;
  l.acse_max_authentication_value = 4;
  auto r = decode_hex("611ca107060528ca220203a203020100a305a103020100aa05810304a550", l);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code(acse::Errc::authentication_value_too_large));
}

TEST(AcseLimit, BerDepth) {
  Limits l;
  l.ber_max_depth = 2;  // AARQ(1) > user-information(2) > EXTERNAL(3): too deep
  auto r = decode_hex(kClientAarq, l);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code(ber::Errc::depth_exceeded));
}

TEST(AcseLimit, ContextNameListElements) {
  Limits l;
  l.ber_max_elements = 1;
  auto r = decode_hex("6019a107060528ca220203ad0e060528ca220203060528ca220201", l);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code(ber::Errc::too_many_elements));
}

// ============================================================================ encoder errors

TEST(AcseEncode, EmptyApplicationContextIsInvalidAndLeavesOutputAlone) {
  Bytes out = {0xEE};
  auto st = encode_apdu(Aarq{}, out);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, code(CoreErrc::invalid_argument));
  EXPECT_EQ(out, Bytes{0xEE});
}

TEST(AcseEncode, BadFirstArcIsInvalid) {
  Aarq a = client_aarq();
  a.mechanism_name = ber::Oid{3, 1};
  EXPECT_FALSE(encode_apdu(a).ok());
  a.mechanism_name = ber::Oid{1, 40};
  EXPECT_FALSE(encode_apdu(a).ok());
}

TEST(AcseEncode, VerbatimFieldsMustBeOneTlv) {
  Aarq a = client_aarq();
  a.called_ap_title = ApTitle{ApTitle::Form::form1, {}, hex("3000 3000"), {}};
  EXPECT_FALSE(encode_apdu(a).ok());
  a.called_ap_title = ApTitle{ApTitle::Form::form1, {}, hex("0500"), {}};  // not a SEQUENCE
  EXPECT_FALSE(encode_apdu(a).ok());
  a = client_aarq();
  a.user_information->front().data.clear();  // single-ASN1-type needs one TLV
  EXPECT_FALSE(encode_apdu(a).ok());
  a = client_aarq();
  AuthenticationValue other;
  other.kind = AuthenticationValue::Kind::other;
  other.other_mechanism_name = {1, 2, 3};
  a.calling_authentication_value = other;  // empty ANY
  EXPECT_FALSE(encode_apdu(a).ok());
}

TEST(AcseEncode, BadBitFieldAndPrintableText) {
  Aarq a = client_aarq();
  a.sender_acse_requirements = BitField{{0x80}, 8};
  EXPECT_FALSE(encode_apdu(a).ok());
  a = client_aarq();
  a.calling_ap_title = ApTitle{ApTitle::Form::form3, {}, {}, "a@b"};
  EXPECT_FALSE(encode_apdu(a).ok());
}

TEST(AcseEncode, LongUserInformationUsesLongLengthForm) {
  Aarq a = client_aarq();
  ber::External big;
  big.indirect_reference = 3;
  big.data = Bytes(300, 0);
  big.data[0] = 0x04;  // OCTET STRING, length 82 01 27 (295)
  big.data[1] = 0x82;
  big.data[2] = 0x01;
  big.data[3] = 0x27;
  big.data.resize(4 + 295);
  a.user_information = UserInformation{big};
  auto b = encode_apdu(a);
  ASSERT_TRUE(b.ok());
  auto r = decode_apdu(*b);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(std::get<Aarq>(*r), a);
}

TEST(AcseErrors, CategoryNameIsLayerName) {
  EXPECT_STREQ(acse_category().name(), "acse");
  EXPECT_EQ(Error(acse::Errc::missing_field, 7).describe().rfind("acse", 0), 0U);
  EXPECT_EQ(abort_diagnostic_for(Error(acse::Errc::missing_field)), AbortDiagnostic::protocol_error);
}
