// SPDX-License-Identifier: Apache-2.0
// MMSpdu codec tests: golden vectors (IEC 61850 client/server exchanges, bytes explained),
// round trips, truncation at every byte, limits, and the decode-failure -> RejectPDU mapping.
#include "mmssec/mms/pdu.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mmssec::mms {
namespace {

Bytes hex(std::string_view s) {
  auto r = from_hex(s);
  EXPECT_TRUE(r.ok()) << s;
  return r.ok() ? *r : Bytes{};
}

Pdu decode_ok(const Bytes& b, const Limits& limits = default_limits()) {
  auto r = decode_pdu(b, limits);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().describe()) << " for " << to_hex(b);
  return r.ok() ? *r : Pdu{};
}

/// Decode, compare with `expected`, re-encode to the same bytes.
void expect_golden(const Bytes& wire, const Pdu& expected) {
  const Pdu got = decode_ok(wire);
  EXPECT_EQ(got, expected);
  EXPECT_EQ(to_hex(encode_pdu(expected)), to_hex(wire));
}

void expect_roundtrip(const Pdu& p) {
  const Bytes enc = encode_pdu(p);
  auto back = decode_pdu(enc);
  ASSERT_TRUE(back.ok()) << back.error().describe() << " for " << to_hex(enc);
  EXPECT_EQ(*back, p);
  EXPECT_EQ(encode_pdu(*back), enc);
}

Error decode_err(const Bytes& b, const Limits& limits = default_limits(), PduError* f = nullptr) {
  auto r = decode_pdu(b, limits, f);
  EXPECT_FALSE(r.ok()) << "decoded unexpectedly: " << to_hex(b);
  return r.ok() ? Error{} : r.error();
}

ObjectName mag_f() { return ObjectName::domain_specific("LD0", "MMXU1$MX$TotW$mag$f"); }

// ---------------------------------------------------------------------------------------------
// Golden vectors
// ---------------------------------------------------------------------------------------------

// Initiate-RequestPDU as libiec61850's client sends it:
//   a8 26                      initiate-RequestPDU [8], 38 octets
//     80 03 00 fd e8           localDetailCalling 65000
//     81 01 05                 proposedMaxServOutstandingCalling 5
//     82 01 05                 proposedMaxServOutstandingCalled 5
//     83 01 0a                 proposedDataStructureNestingLevel 10
//     a4 16                    initRequestDetail
//       80 01 01               proposedVersionNumber 1
//       81 03 05 f1 00         proposedParameterCBB, 5 unused bits: str1 str2 vnam valt vlis
//       82 0c 03 ee 1c 00 00 04 08 00 00 79 ef 18   servicesSupportedCalling, 85 bits
const char* const kInitiateRequest =
    "a8 26 80 03 00 fd e8 81 01 05 82 01 05 83 01 0a a4 16 80 01 01 81 03 05 f1 00"
    " 82 0c 03 ee 1c 00 00 04 08 00 00 79 ef 18";

InitiateParameters iec61850_params() {
  InitiateParameters p;
  p.local_detail = 65000;
  p.max_serv_outstanding_calling = 5;
  p.max_serv_outstanding_called = 5;
  p.data_structure_nesting_level = 10;
  p.version_number = 1;
  p.parameter_cbb = iec61850_parameter_cbb();
  p.services_supported = iec61850_client_services();
  return p;
}

TEST(MmsPduGolden, InitiateRequestFromIec61850Client) {
  const Bytes wire = hex(kInitiateRequest);
  expect_golden(wire, InitiateRequestPdu{iec61850_params()});
  const Pdu p = decode_ok(wire);
  const auto* ir = p.get<InitiateRequestPdu>();
  ASSERT_NE(ir, nullptr);
  EXPECT_EQ(p.kind(), PduKind::initiate_request);
  const BitStringValue& cbb = ir->params.parameter_cbb;
  EXPECT_EQ(cbb.size(), 11U);
  EXPECT_TRUE(cbb.bit(parameter_bit::kStr1));
  EXPECT_TRUE(cbb.bit(parameter_bit::kStr2));
  EXPECT_TRUE(cbb.bit(parameter_bit::kVnam));
  EXPECT_TRUE(cbb.bit(parameter_bit::kValt));
  EXPECT_FALSE(cbb.bit(parameter_bit::kVadr));
  EXPECT_TRUE(cbb.bit(parameter_bit::kVlis));
  const BitStringValue& s = ir->params.services_supported;
  EXPECT_EQ(s.size(), service_bit::kCount);
  for (std::size_t b :
       {service_bit::kStatus, service_bit::kGetNameList, service_bit::kIdentify, service_bit::kRead,
        service_bit::kWrite, service_bit::kGetVariableAccessAttributes, service_bit::kDefineNamedVariableList,
        service_bit::kGetNamedVariableListAttributes, service_bit::kDeleteNamedVariableList,
        service_bit::kGetDomainAttributes, service_bit::kFileOpen, service_bit::kFileRead,
        service_bit::kFileClose, service_bit::kFileDirectory, service_bit::kInformationReport,
        service_bit::kConclude, service_bit::kCancel})
    EXPECT_TRUE(s.bit(b)) << service_support_name(b);
  EXPECT_FALSE(s.bit(service_bit::kRename));
  EXPECT_FALSE(s.bit(service_bit::kDefineNamedVariable));
  EXPECT_FALSE(s.bit(service_bit::kFileRename));
}

TEST(MmsPduGolden, ServicesBitStringBuiltFromNamedBits) {
  using namespace service_bit;
  const BitStringValue built = make_bit_string({kStatus,
                                                kGetNameList,
                                                kIdentify,
                                                kRead,
                                                kWrite,
                                                kGetVariableAccessAttributes,
                                                kDefineNamedVariableList,
                                                kGetNamedVariableListAttributes,
                                                kDeleteNamedVariableList,
                                                kGetDomainAttributes,
                                                kKill,
                                                kReadJournal,
                                                kWriteJournal,
                                                kInitializeJournal,
                                                kReportJournalStatus,
                                                kGetCapabilityList,
                                                kFileOpen,
                                                kFileRead,
                                                kFileClose,
                                                kFileDelete,
                                                kFileDirectory,
                                                kUnsolicitedStatus,
                                                kInformationReport,
                                                kConclude,
                                                kCancel},
                                               kCount);
  EXPECT_EQ(built, iec61850_client_services());
  EXPECT_EQ(built.unused_bits, 3);
  using namespace parameter_bit;
  EXPECT_EQ(make_bit_string({kStr1, kStr2, kVnam, kValt, kVlis}, parameter_bit::kCount),
            iec61850_parameter_cbb());
}

// Initiate-ResponsePDU of an IEC 61850 server (hand-assembled, libiec61850 server defaults):
//   a9 26 80 03 00 fd e8 81 01 05 82 01 05 83 01 0a   localDetailCalled 65000, 5/5, nesting 10
//   a4 16 80 01 01 81 03 05 f1 00                      version 1, parameter CBB as requested
//   82 0c 03 ee 1c 00 00 00 00 00 00 00 01 18          status..getVAA, NVL services, informationReport,
//                                                      conclude, cancel (85 bits)
TEST(MmsPduGolden, InitiateResponseFromIec61850Server) {
  const Bytes wire =
      hex("a9 26 80 03 00 fd e8 81 01 05 82 01 05 83 01 0a a4 16 80 01 01 81 03 05 f1 00"
          " 82 0c 03 ee 1c 00 00 00 00 00 00 00 01 18");
  InitiateParameters p = iec61850_params();
  using namespace service_bit;
  p.services_supported =
      make_bit_string({kStatus, kGetNameList, kIdentify, kRead, kWrite, kGetVariableAccessAttributes,
                       kDefineNamedVariableList, kGetNamedVariableListAttributes, kDeleteNamedVariableList,
                       kInformationReport, kConclude, kCancel},
                      kCount);
  expect_golden(wire, InitiateResponsePdu{p});
}

// Read of LD0/MMXU1$MX$TotW$mag$f, invokeID 1:
//   a0 29 02 01 01              confirmed-RequestPDU, invokeID 1
//   a4 24                       read [4]
//     a1 22                     variableAccessSpecification [1]
//       a0 20                   listOfVariable [0]
//         30 1e a0 1c           SEQUENCE { variableSpecification name [0]
//           a1 1a               domain-specific
//             1a 03 "LD0" 1a 13 "MMXU1$MX$TotW$mag$f"
TEST(MmsPduGolden, ReadRequestMmxuTotW) {
  const Bytes wire =
      hex("a0 29 02 01 01 a4 24 a1 22 a0 20 30 1e a0 1c a1 1a 1a 03 4c 44 30 1a 13 4d 4d 58 55 31 24 4d 58"
          " 24 54 6f 74 57 24 6d 61 67 24 66");
  expect_golden(wire, ConfirmedRequestPdu{1, ReadRequest{false, single_variable(mag_f())}});
}

// Read response: a1 0e 02 01 01 a4 09 a1 07  listOfAccessResult [1]
//   87 05 08 44 9a 50 00   floating-point, exponent width 8, IEEE single 1234.5
TEST(MmsPduGolden, ReadResponseFloat) {
  const Bytes wire = hex("a1 0e 02 01 01 a4 09 a1 07 87 05 08 44 9a 50 00");
  ReadResponse rr;
  rr.results.emplace_back(Data(FloatingPoint{1234.5, false}));
  expect_golden(wire, ConfirmedResponsePdu{1, rr});
}

// Read response with a failure: a1 0a 02 01 01 a4 05 a1 03 80 01 0a  (failure object-non-existent)
TEST(MmsPduGolden, ReadResponseFailure) {
  const Bytes wire = hex("a1 0a 02 01 01 a4 05 a1 03 80 01 0a");
  ReadResponse rr;
  rr.results.emplace_back(DataAccessError::object_non_existent);
  expect_golden(wire, ConfirmedResponsePdu{1, rr});
}

// GetNameList of the named variables of domain LD0, continuing after "LLN0$ST":
//   a0 1a 02 01 02 a1 15        invokeID 2, getNameList [1]
//     a0 03 80 01 00            objectClass basicObjectClass namedVariable(0)
//     a1 05 81 03 "LD0"         objectScope domainSpecific
//     82 07 "LLN0$ST"           continueAfter
TEST(MmsPduGolden, GetNameListWithContinueAfter) {
  const Bytes wire =
      hex("a0 1a 02 01 02 a1 15 a0 03 80 01 00 a1 05 81 03 4c 44 30 82 07 4c 4c 4e 30 24 53 54");
  GetNameListRequest g;
  g.object_class = object_class::kNamedVariable;
  g.scope = GetNameListRequest::Scope::domain;
  g.domain = "LD0";
  g.continue_after = "LLN0$ST";
  expect_golden(wire, ConfirmedRequestPdu{2, g});
}

// GetNameList response: listOfIdentifier [0] { "LLN0$ST$Mod", "LLN0$ST$Mod$stVal" }, moreFollows [1] FALSE
TEST(MmsPduGolden, GetNameListResponse) {
  const Bytes wire =
      hex("a1 2a 02 01 02 a1 25 a0 20 1a 0b 4c 4c 4e 30 24 53 54 24 4d 6f 64 1a 11 4c 4c 4e 30 24 53 54 24 "
          "4d 6f 64"
          " 24 73 74 56 61 6c 81 01 00");
  expect_golden(wire,
                ConfirmedResponsePdu{2, GetNameListResponse{{"LLN0$ST$Mod", "LLN0$ST$Mod$stVal"}, false}});
}

TEST(MmsPduGolden, GetNameListResponseMoreFollowsDefaultsToTrue) {
  // a1 07 02 01 02 a1 02 a0 00: empty list, moreFollows absent -> TRUE
  const Pdu p = decode_ok(hex("a1 07 02 01 02 a1 02 a0 00"));
  const auto* r = p.get<ConfirmedResponsePdu>();
  ASSERT_NE(r, nullptr);
  EXPECT_TRUE(std::get<GetNameListResponse>(r->service).more_follows);
}

// Write of TRUE to LD0/CSWI1$CO$Pos$Oper$ctlVal, invokeID 3:
//   a0 31 02 01 03 a5 2c          write [5]
//     a0 25 30 23 a0 21 a1 1f ... listOfVariable { name domain-specific LD0 / CSWI1$CO$Pos$Oper$ctlVal }
//     a0 03 83 01 ff              listOfData [0] { boolean TRUE }
TEST(MmsPduGolden, WriteRequest) {
  const Bytes wire =
      hex("a0 31 02 01 03 a5 2c a0 25 30 23 a0 21 a1 1f 1a 03 4c 44 30 1a 18 43 53 57 49 31 24 43 4f 24 50 "
          "6f 73 24"
          " 4f 70 65 72 24 63 74 6c 56 61 6c a0 03 83 01 ff");
  WriteRequest w{single_variable(ObjectName::domain_specific("LD0", "CSWI1$CO$Pos$Oper$ctlVal")),
                 {Data(true)}};
  expect_golden(wire, ConfirmedRequestPdu{3, w});
}

// Write responses: a5 02 81 00 (success [1] NULL); a5 03 80 01 03 (failure object-access-denied)
TEST(MmsPduGolden, WriteResponses) {
  expect_golden(hex("a1 07 02 01 03 a5 02 81 00"), ConfirmedResponsePdu{3, WriteResponse{{WriteSuccess{}}}});
  expect_golden(hex("a1 08 02 01 03 a5 03 80 01 03"),
                ConfirmedResponsePdu{3, WriteResponse{{DataAccessError::object_access_denied}}});
}

// InformationReport of a report (named variable list "RPT", as IEC 61850-8-1 reports are sent):
//   a3 26 a0 24                  unconfirmed-PDU, informationReport [0]
//     a1 05 80 03 "RPT"          variableListName vmd-specific "RPT"
//     a0 1b                      listOfAccessResult [0]
//       8a 12 "LD0/LLN0$RP$urcb01"   visible-string RptID
//       84 02 06 40              bit-string, 2 bits: OptFlds-like 01
//       83 01 00                 boolean FALSE
TEST(MmsPduGolden, InformationReportNamedVariableList) {
  const Bytes wire =
      hex("a3 26 a0 24 a1 05 80 03 52 50 54 a0 1b 8a 12 4c 44 30 2f 4c 4c 4e 30 24 52 50 24 75 72 63 62 30 "
          "31 84 02"
          " 06 40 83 01 00");
  UnconfirmedPdu u;
  u.report.variables = VariableListName{ObjectName::vmd_specific("RPT")};
  u.report.results.emplace_back(Data(VisibleStringValue{"LD0/LLN0$RP$urcb01"}));
  u.report.results.emplace_back(Data(BitStringValue{{0x40}, 6}));
  u.report.results.emplace_back(Data(false));
  expect_golden(wire, u);
}

// RejectPDU: a4 06 80 01 05 (originalInvokeID 5) 81 01 01 (confirmed-requestPDU unrecognized-service)
TEST(MmsPduGolden, Reject) {
  const Bytes wire = hex("a4 06 80 01 05 81 01 01");
  const RejectPdu r{5, RejectClass::confirmed_request, reject_code::kRequestUnrecognizedService};
  expect_golden(wire, r);
  EXPECT_EQ(describe(r), "confirmed-requestPDU: unrecognized-service (invokeID 5)");
}

// Confirmed-ErrorPDU: a2 0a 80 01 07 (invokeID 7) a2 05 a0 03 87 01 02 (errorClass access [7]:
// object-non-existent)
TEST(MmsPduGolden, ServiceError) {
  const Bytes wire = hex("a2 0a 80 01 07 a2 05 a0 03 87 01 02");
  ConfirmedErrorPdu e;
  e.invoke_id = 7;
  e.error.error_class = ErrorClass::access;
  e.error.code = 2;
  expect_golden(wire, e);
  EXPECT_EQ(describe(e.error), "access: object-non-existent");
}

// GetVariableAccessAttributes of LD0/LLN0: a0 14 02 01 04 a6 0f a0 0d (name [0]) a1 0b 1a 03 "LD0" 1a 04
// "LLN0"
TEST(MmsPduGolden, GetVariableAccessAttributesRequest) {
  const Bytes wire = hex("a0 14 02 01 04 a6 0f a0 0d a1 0b 1a 03 4c 44 30 1a 04 4c 4c 4e 30");
  expect_golden(wire, ConfirmedRequestPdu{
                          4, GetVariableAccessAttributesRequest{ObjectName::domain_specific("LD0", "LLN0")}});
}

// Identify response: a2 13 80 06 "mmssec" 81 04 "test" 82 03 "0.1"
TEST(MmsPduGolden, IdentifyResponse) {
  const Bytes wire = hex("a1 18 02 01 06 a2 13 80 06 6d 6d 73 73 65 63 81 04 74 65 73 74 82 03 30 2e 31");
  expect_golden(wire, ConfirmedResponsePdu{6, IdentifyResponse{"mmssec", "test", "0.1", std::nullopt}});
}

// Read with alternate access: element 2 of the array, then its component "stVal":
//   30 2e a0 1c ...name...         variableSpecification
//   a5 0e                          alternateAccess [5]
//     a0 0c                        selectAlternateAccess [0]
//       81 01 02                   accessSelection index [1] = 2
//       30 07 81 05 "stVal"        alternateAccess { selectAccess component [1] "stVal" }
TEST(MmsPduGolden, ReadWithAlternateAccess) {
  const Bytes wire =
      hex("a0 39 02 01 08 a4 34 a1 32 a0 30 30 2e a0 1c a1 1a 1a 03 4c 44 30 1a 13 4d 4d 58 55 31 24 4d 58 "
          "24 54 6f"
          " 74 57 24 6d 61 67 24 66 a5 0e a0 0c 81 01 02 30 07 81 05 73 74 56 61 6c");
  AlternateAccessSelection inner;
  inner.selection = AlternateAccessSelection::Component{"stVal"};
  AlternateAccessSelection outer;
  outer.selection = AlternateAccessSelection::Index{2};
  outer.nested = AlternateAccess{AlternateAccessElement{std::nullopt, inner}};
  VariableDef def{mag_f(), AlternateAccess{AlternateAccessElement{std::nullopt, outer}}};
  expect_golden(wire, ConfirmedRequestPdu{8, ReadRequest{false, ListOfVariable{{def}}}});
}

TEST(MmsPduGolden, ConcludeAndCancel) {
  expect_golden(hex("8b 00"), ConcludeRequestPdu{});  // conclude-RequestPDU [11] NULL
  expect_golden(hex("8c 00"), ConcludeResponsePdu{});
  expect_golden(hex("85 01 09"), CancelRequestPdu{9});  // cancel-RequestPDU [5] invokeID 9
  expect_golden(hex("86 01 09"), CancelResponsePdu{9});
}

// ---------------------------------------------------------------------------------------------
// Round trips of everything else
// ---------------------------------------------------------------------------------------------

TEST(MmsPduRoundTrip, AllServices) {
  expect_roundtrip(ConfirmedRequestPdu{1, StatusRequest{true}});
  expect_roundtrip(ConfirmedResponsePdu{1, StatusResponse{0, 1, make_bit_string({1, 3}, 12)}});
  expect_roundtrip(ConfirmedRequestPdu{2, IdentifyRequest{}});
  expect_roundtrip(ConfirmedResponsePdu{
      2, IdentifyResponse{"v", "m", "r", std::vector<ber::Oid>{ber::Oid{1, 0, 9506, 2, 1}}}});
  GetNameListRequest aa;
  aa.object_class = object_class::kDomain;
  aa.scope = GetNameListRequest::Scope::aa;
  expect_roundtrip(ConfirmedRequestPdu{3, aa});
  GetNameListRequest vmd;
  vmd.object_class = object_class::kDomain;
  expect_roundtrip(ConfirmedRequestPdu{3, vmd});
  expect_roundtrip(
      ConfirmedRequestPdu{4, ReadRequest{true, VariableListName{ObjectName::domain_specific("LD0", "DS")}}});
  ReadResponse rr;
  rr.variables = VariableListName{ObjectName::domain_specific("LD0", "DS")};
  rr.results.emplace_back(Data(std::int64_t{-5}));
  rr.results.emplace_back(DataAccessError::temporarily_unavailable);
  rr.results.emplace_back(Data(DataStructure{{Data(Unsigned{7}), Data(true)}}));
  expect_roundtrip(ConfirmedResponsePdu{4, rr});
  expect_roundtrip(ConfirmedRequestPdu{5, GetVariableAccessAttributesRequest{Address{std::uint32_t{42}}}});
  expect_roundtrip(
      ConfirmedRequestPdu{5, GetVariableAccessAttributesRequest{Address{Address::Symbolic{"sym"}}}});
  expect_roundtrip(ConfirmedRequestPdu{5, GetVariableAccessAttributesRequest{Address{Bytes{1, 2, 3}}}});
  TypeSpecification ts;
  ts.kind = TypeSpecification::Kind::floating_point;
  ts.format_width = 32;
  ts.exponent_width = 8;
  GetVariableAccessAttributesResponse gr;
  gr.mms_deletable = false;
  gr.type = TypeSpecification::make(ts);
  expect_roundtrip(ConfirmedResponsePdu{5, gr});

  std::vector<VariableDef> defs;
  defs.push_back(VariableDef{ObjectName::domain_specific("LD0", "MMXU1$MX$TotW"), std::nullopt});
  AlternateAccessSelection range;
  range.selection = AlternateAccessSelection::IndexRange{1, 3};
  AlternateAccessSelection all;
  all.selection = AlternateAccessSelection::AllElements{};
  AlternateAccessSelection comp;
  comp.selection = AlternateAccessSelection::Component{"q"};
  AlternateAccessSelection sel_comp;
  sel_comp.selection = AlternateAccessSelection::Component{"mag"};
  sel_comp.nested = AlternateAccess{AlternateAccessElement{std::nullopt, all}};
  AlternateAccessSelection sel_range;
  sel_range.selection = AlternateAccessSelection::IndexRange{0, 2};
  sel_range.nested = AlternateAccess{AlternateAccessElement{std::nullopt, comp}};
  AlternateAccessSelection sel_all;
  sel_all.selection = AlternateAccessSelection::AllElements{};
  sel_all.nested = AlternateAccess{AlternateAccessElement{"x", comp}};
  defs.push_back(VariableDef{
      ObjectName::vmd_specific("arr"),
      AlternateAccess{AlternateAccessElement{"named", range}, AlternateAccessElement{std::nullopt, all},
                      AlternateAccessElement{std::nullopt, sel_comp},
                      AlternateAccessElement{std::nullopt, sel_range},
                      AlternateAccessElement{"n2", sel_all}}});
  defs.push_back(VariableDef{Address{std::uint32_t{7}}, std::nullopt});
  defs.push_back(VariableDef{Invalidated{}, std::nullopt});
  expect_roundtrip(ConfirmedRequestPdu{
      6, DefineNamedVariableListRequest{ObjectName::domain_specific("LD0", "DS1"), defs}});
  expect_roundtrip(ConfirmedResponsePdu{6, DefineNamedVariableListResponse{}});
  expect_roundtrip(ConfirmedRequestPdu{
      7, GetNamedVariableListAttributesRequest{ObjectName::domain_specific("LD0", "LLN0$DS")}});
  expect_roundtrip(ConfirmedResponsePdu{7, GetNamedVariableListAttributesResponse{true, defs}});
  expect_roundtrip(ConfirmedRequestPdu{
      8, DeleteNamedVariableListRequest{0, std::vector<ObjectName>{ObjectName::domain_specific("LD0", "DS1")},
                                        std::nullopt}});
  expect_roundtrip(ConfirmedRequestPdu{8, DeleteNamedVariableListRequest{2, std::nullopt, "LD0"}});
  expect_roundtrip(ConfirmedResponsePdu{8, DeleteNamedVariableListResponse{1, 1}});
  expect_roundtrip(ConfirmedResponsePdu{
      9, WriteResponse{{WriteSuccess{}, DataAccessError::type_inconsistent, WriteSuccess{}}}});
}

TEST(MmsPduRoundTrip, ErrorsAndOtherPdus) {
  ServiceError full;
  full.error_class = ErrorClass::file;
  full.code = 7;
  full.additional_code = -3;
  full.additional_description = "no such file";
  full.service_specific_info = Bytes{0x80, 0x01, 0x00};
  expect_roundtrip(ConfirmedErrorPdu{0xFFFFFFFFU, 2, full});
  expect_roundtrip(CancelErrorPdu{4, full});
  expect_roundtrip(InitiateErrorPdu{ServiceError{ErrorClass::initiate, 1, {}, {}, {}}});
  expect_roundtrip(ConcludeErrorPdu{ServiceError{ErrorClass::conclude, 1, {}, {}, {}}});
  expect_roundtrip(RejectPdu{std::nullopt, RejectClass::pdu_error, reject_code::kPduInvalidPdu});
  InitiateParameters minimal;  // optional fields absent
  minimal.parameter_cbb = iec61850_parameter_cbb();
  minimal.services_supported = make_bit_string({}, service_bit::kCount);
  expect_roundtrip(InitiateRequestPdu{minimal});
  for (std::uint8_t c = 1; c <= 11; ++c) expect_roundtrip(RejectPdu{1, static_cast<RejectClass>(c), 0});
  for (std::uint8_t c = 0; c <= 12; ++c)
    expect_roundtrip(ConcludeErrorPdu{ServiceError{static_cast<ErrorClass>(c), 0, {}, {}, {}}});
}

// ---------------------------------------------------------------------------------------------
// Malformed input
// ---------------------------------------------------------------------------------------------

std::vector<Bytes> all_goldens() {
  return {
      hex(kInitiateRequest),
      hex("a1 0e 02 01 01 a4 09 a1 07 87 05 08 44 9a 50 00"),
      hex("a0 1a 02 01 02 a1 15 a0 03 80 01 00 a1 05 81 03 4c 44 30 82 07 4c 4c 4e 30 24 53 54"),
      hex("a0 39 02 01 08 a4 34 a1 32 a0 30 30 2e a0 1c a1 1a 1a 03 4c 44 30 1a 13 4d 4d 58 55 31 24 4d 58 24"
          " 54 6f 74 57 24 6d 61 67 24 66 a5 0e a0 0c 81 01 02 30 07 81 05 73 74 56 61 6c"),
      hex("a3 26 a0 24 a1 05 80 03 52 50 54 a0 1b 8a 12 4c 44 30 2f 4c 4c 4e 30 24 52 50 24 75 72 63 62 30 31"
          " 84 02 06 40 83 01 00"),
      hex("a4 06 80 01 05 81 01 01"),
      hex("a2 0a 80 01 07 a2 05 a0 03 87 01 02"),
      hex("a1 08 02 01 03 a5 03 80 01 03"),
      hex("85 01 09")};
}

TEST(MmsPduMalformed, EveryTruncationFails) {
  for (const Bytes& g : all_goldens()) {
    ASSERT_TRUE(decode_pdu(g).ok()) << to_hex(g);
    for (std::size_t n = 0; n < g.size(); ++n) {
      const Bytes cut(g.begin(), g.begin() + static_cast<std::ptrdiff_t>(n));
      PduError f;
      auto r = decode_pdu(cut, default_limits(), &f);
      EXPECT_FALSE(r.ok()) << "prefix " << n << " of " << to_hex(g);
      if (!r.ok()) {
        EXPECT_EQ(f.error, r.error());
      }
    }
  }
}

TEST(MmsPduMalformed, InnerLengthOneTooLongFails) {
  // Bump each length octet that belongs to an inner element: the element then overruns its parent.
  const Bytes g = hex("a0 1a 02 01 02 a1 15 a0 03 80 01 00 a1 05 81 03 4c 44 30 82 07 4c 4c 4e 30 24 53 54");
  for (std::size_t pos : {1U, 3U, 6U, 8U, 10U, 13U, 15U, 20U}) {
    Bytes bad = g;
    ++bad[pos];
    EXPECT_FALSE(decode_pdu(bad).ok()) << "length at " << pos;
  }
}

TEST(MmsPduMalformed, TrailingBytesAfterPdu) {
  Bytes b = hex("8b 00 00");
  const Error e = decode_err(b);
  EXPECT_EQ(e.code, make_error_code(CoreErrc::trailing_data));
  EXPECT_EQ(e.offset, 2U);
}

TEST(MmsPduMalformed, TrailingElementInsideService) {
  // Read request with an extra NULL after variableAccessSpecification.
  const Error e = decode_err(hex("a0 0e 02 01 01 a4 09 a1 05 a1 03 80 01 41 05 00"));
  EXPECT_EQ(e.code, make_error_code(CoreErrc::trailing_data));
  EXPECT_EQ(e.offset, 14U);
}

TEST(MmsPduMalformed, ConcludeRequestWithContent) {
  PduError f;
  const Error e = decode_err(hex("8b 01 00"), default_limits(), &f);
  EXPECT_EQ(e.code, make_error_code(ber::Errc::bad_null));
  const auto rej = reject_for(f);
  ASSERT_TRUE(rej);
  EXPECT_EQ(rej->reject_class, RejectClass::conclude_request);
  EXPECT_EQ(rej->code, reject_code::kConcludeRequestInvalidArgument);
}

TEST(MmsPduMalformed, EmptyInput) {
  PduError f;
  const Error e = decode_err({}, default_limits(), &f);
  EXPECT_EQ(e.code, make_error_code(CoreErrc::truncated));
  const auto rej = reject_for(f);
  ASSERT_TRUE(rej);
  EXPECT_EQ(*rej, (RejectPdu{std::nullopt, RejectClass::pdu_error, reject_code::kPduInvalidPdu}));
}

TEST(MmsPduMalformed, OuterLengthOverflowIsInvalidPdu) {
  PduError f;
  const Error e = decode_err(hex("a0 10 02 01 01"), default_limits(), &f);
  EXPECT_EQ(e.code, make_error_code(ber::Errc::length_overflow));
  EXPECT_EQ(e.offset, 1U);
  EXPECT_EQ(*reject_for(f), (RejectPdu{std::nullopt, RejectClass::pdu_error, reject_code::kPduInvalidPdu}));
}

TEST(MmsPduMalformed, UnknownPduTag) {
  for (const char* h : {"ae 00", "30 00", "8e 00", "5f 1f 00"}) {
    PduError f;
    const Error e = decode_err(hex(h), default_limits(), &f);
    EXPECT_EQ(e.code, make_error_code(Errc::bad_pdu)) << h;
    EXPECT_TRUE(f.unknown_pdu_type) << h;
    EXPECT_EQ(*reject_for(f),
              (RejectPdu{std::nullopt, RejectClass::pdu_error, reject_code::kPduUnknownPduType}));
  }
}

TEST(MmsPduMalformed, UnknownConfirmedServiceRejectedWithInvokeId) {
  // a0 05 02 01 07 83 00: invokeID 7, rename [3] (not implemented)
  PduError f;
  const Error e = decode_err(hex("a0 05 02 01 07 83 00"), default_limits(), &f);
  EXPECT_EQ(e.code, make_error_code(Errc::unknown_service));
  EXPECT_EQ(e.offset, 5U);
  EXPECT_EQ(f.kind, PduKind::confirmed_request);
  EXPECT_EQ(f.invoke_id, 7U);
  EXPECT_EQ(f.service, 3U);
  const auto rej = reject_for(f);
  ASSERT_TRUE(rej);
  EXPECT_EQ(*rej, (RejectPdu{7, RejectClass::confirmed_request, reject_code::kRequestUnrecognizedService}));
  EXPECT_EQ(to_hex(encode_pdu(*rej)),
            "a40680010781010"
            "1");
  EXPECT_EQ(confirmed_service_name(*f.service), "rename");
}

TEST(MmsPduMalformed, UnknownHighTagServiceRejected) {
  // getAlarmSummary [63] in high-tag form: bf 3f 00
  PduError f;
  const Error e = decode_err(hex("a0 06 02 01 0c bf 3f 00"), default_limits(), &f);
  EXPECT_EQ(e.code, make_error_code(Errc::unknown_service));
  EXPECT_EQ(f.service, 63U);
  EXPECT_EQ(*reject_for(f),
            (RejectPdu{12, RejectClass::confirmed_request, reject_code::kRequestUnrecognizedService}));
}

TEST(MmsPduMalformed, UnknownResponseServiceRejected) {
  PduError f;
  (void)decode_err(hex("a1 05 02 01 07 83 00"), default_limits(), &f);
  EXPECT_EQ(*reject_for(f),
            (RejectPdu{7, RejectClass::confirmed_response, reject_code::kResponseUnrecognizedService}));
}

TEST(MmsPduMalformed, UnknownUnconfirmedServiceRejected) {
  // unsolicitedStatus [1]
  PduError f;
  const Error e = decode_err(hex("a3 02 a1 00"), default_limits(), &f);
  EXPECT_EQ(e.code, make_error_code(Errc::unknown_service));
  EXPECT_EQ(*reject_for(f), (RejectPdu{std::nullopt, RejectClass::unconfirmed,
                                       reject_code::kUnconfirmedUnrecognizedService}));
}

TEST(MmsPduMalformed, MalformedServiceArgumentIsInvalidArgument) {
  // Read with listOfVariable containing a non-SEQUENCE element
  PduError f;
  (void)decode_err(hex("a0 0c 02 01 09 a4 07 a1 05 a0 03 05 01 00"), default_limits(), &f);
  EXPECT_EQ(*reject_for(f),
            (RejectPdu{9, RejectClass::confirmed_request, reject_code::kRequestInvalidArgument}));
}

TEST(MmsPduMalformed, MalformedResponseIsInvalidResult) {
  PduError f;
  (void)decode_err(hex("a1 08 02 01 03 a5 03 82 01 00"), default_limits(), &f);  // write item [2]
  EXPECT_EQ(*reject_for(f),
            (RejectPdu{3, RejectClass::confirmed_response, reject_code::kResponseInvalidResult}));
}

TEST(MmsPduMalformed, InvokeIdOutOfRange) {
  // invokeID 2^32 (5 content octets)
  PduError f;
  const Error e = decode_err(hex("a0 09 02 05 01 00 00 00 00 82 00"), default_limits(), &f);
  EXPECT_EQ(e.code, make_error_code(Errc::bad_invoke_id));
  EXPECT_FALSE(f.invoke_id);
  EXPECT_EQ(*reject_for(f),
            (RejectPdu{std::nullopt, RejectClass::confirmed_request, reject_code::kRequestInvalidInvokeId}));
}

TEST(MmsPduMalformed, NegativeInvokeId) {
  const Error e = decode_err(hex("a0 05 02 01 ff 82 00"));
  EXPECT_EQ(e.code, make_error_code(ber::Errc::integer_overflow));
}

TEST(MmsPduMalformed, MissingInvokeIdIsInvalidPdu) {
  PduError f;
  (void)decode_err(hex("a0 02 82 00"), default_limits(), &f);
  EXPECT_EQ(*reject_for(f), (RejectPdu{std::nullopt, RejectClass::pdu_error, reject_code::kPduInvalidPdu}));
}

TEST(MmsPduMalformed, InitiateInteger16OutOfRange) {
  // proposedMaxServOutstandingCalling = 0x8000 (does not fit Integer16)
  const Error e = decode_err(
      hex("a8 1b 81 03 00 80 00 82 01 05 a4 11 80 01 01 81 03 05 f1 00 82 07 03 ee 1c 00 00 04 08"));
  EXPECT_EQ(e.code, make_error_code(Errc::value_out_of_range));
  EXPECT_EQ(e.offset, 2U);
}

TEST(MmsPduMalformed, InitiateNestingLevelOutOfRange) {
  const Error e =
      decode_err(hex("a8 1a 81 01 05 82 01 05 83 02 00 80 a4 0e 80 01 01 81 03 05 f1 00 82 04 03 ee 1c 00"));
  EXPECT_EQ(e.code, make_error_code(Errc::value_out_of_range));
}

TEST(MmsPduMalformed, InitiateMissingDetail) {
  const Error e = decode_err(hex("a8 06 81 01 05 82 01 05"));
  EXPECT_EQ(e.code, make_error_code(CoreErrc::truncated));
}

TEST(MmsPduMalformed, BadBitStringInInitiate) {
  // parameter CBB with unused-bits octet 08
  const Error e = decode_err(hex("a8 13 81 01 05 82 01 05 a4 0b 80 01 01 81 03 08 f1 00 82 01 00"));
  EXPECT_EQ(e.code, make_error_code(ber::Errc::bad_bit_string));
}

TEST(MmsPduMalformed, ModifiersUnsupported) {
  PduError f;
  const Error e = decode_err(hex("a0 07 02 01 01 30 00 82 00"), default_limits(), &f);
  EXPECT_EQ(e.code, make_error_code(Errc::unsupported_choice));
  EXPECT_EQ(reject_for(f)->code, reject_code::kRequestInvalidArgument);
}

TEST(MmsPduMalformed, ServiceExtUnsupported) {
  const Error e = decode_err(hex("a0 08 02 01 01 82 00 bf 4f 00"));
  EXPECT_EQ(e.code, make_error_code(Errc::unsupported_choice));
  EXPECT_EQ(e.offset, 7U);
}

TEST(MmsPduMalformed, VariableDescriptionUnsupported) {
  const Error e = decode_err(hex("a0 0e 02 01 01 a4 09 a1 07 a0 05 30 03 a2 01 00"));
  EXPECT_EQ(e.code, make_error_code(Errc::unsupported_choice));
}

TEST(MmsPduMalformed, CsObjectClassUnsupported) {
  const Error e = decode_err(hex("a0 0e 02 01 01 a1 09 a0 03 a1 01 00 a1 02 80 00"));
  EXPECT_EQ(e.code, make_error_code(Errc::unsupported_choice));
}

TEST(MmsPduMalformed, BadObjectScope) {
  const Error e = decode_err(hex("a0 0f 02 01 01 a1 0a a0 03 80 01 00 a1 03 83 01 00"));
  EXPECT_EQ(e.code, make_error_code(Errc::bad_pdu));
  EXPECT_EQ(e.offset, 14U);
}

TEST(MmsPduMalformed, BadVariableAccessSpecificationChoice) {
  const Error e = decode_err(hex("a0 0a 02 01 01 a4 05 a1 03 82 01 00"));
  EXPECT_EQ(e.code, make_error_code(Errc::bad_pdu));
}

TEST(MmsPduMalformed, BadAlternateAccessSelection) {
  // alternateAccess [5] { 85 00 } - tag [5] primitive is no selection
  const Error e = decode_err(hex("a0 14 02 01 01 a4 0f a1 0d a0 0b 30 09 a0 03 80 01 41 a5 02 85 00"));
  EXPECT_EQ(e.code, make_error_code(Errc::bad_pdu));
}

TEST(MmsPduMalformed, BadIdentifierInGetNameList) {
  // continueAfter "1x" starts with a digit
  const Error e = decode_err(hex("a0 12 02 01 01 a1 0d a0 03 80 01 00 a1 02 80 00 82 02 31 78"));
  EXPECT_EQ(e.code, make_error_code(Errc::bad_identifier));
}

TEST(MmsPduMalformed, BadErrorClass) {
  // errorClass [13] does not exist
  PduError f;
  const Error e = decode_err(hex("a2 0a 80 01 07 a2 05 a0 03 8d 01 02"), default_limits(), &f);
  EXPECT_EQ(e.code, make_error_code(Errc::bad_pdu));
  EXPECT_EQ(*reject_for(f),
            (RejectPdu{7, RejectClass::confirmed_error, reject_code::kErrorInvalidServiceError}));
}

TEST(MmsPduMalformed, BadRejectReason) {
  PduError f;
  const Error e = decode_err(hex("a4 03 8c 01 00"), default_limits(), &f);  // [12] is no reason class
  EXPECT_EQ(e.code, make_error_code(Errc::bad_pdu));
  EXPECT_FALSE(reject_for(f));  // never reject a reject
}

TEST(MmsPduMalformed, CancelRequestBadInvokeId) {
  PduError f;
  (void)decode_err(hex("85 05 01 00 00 00 00"), default_limits(), &f);
  EXPECT_EQ(*reject_for(f), (RejectPdu{std::nullopt, RejectClass::cancel_request,
                                       reject_code::kCancelRequestInvalidInvokeId}));
}

TEST(MmsPduMalformed, ConfirmedErrorBadInvokeId) {
  PduError f;
  (void)decode_err(hex("a2 0e 80 05 01 00 00 00 00 a2 05 a0 03 87 01 02"), default_limits(), &f);
  EXPECT_EQ(*reject_for(f),
            (RejectPdu{std::nullopt, RejectClass::confirmed_error, reject_code::kErrorInvalidInvokeId}));
}

TEST(MmsPduMalformed, CancelErrorWithEmptyServiceError) {
  PduError f;
  const Error e = decode_err(hex("a7 05 80 01 01 a1 00"), default_limits(), &f);
  EXPECT_EQ(e.code, make_error_code(CoreErrc::truncated));
  EXPECT_EQ(*reject_for(f),
            (RejectPdu{1, RejectClass::cancel_error, reject_code::kCancelErrorInvalidServiceError}));
}

TEST(MmsPduMalformed, ConcludeErrorAndResponseMalformed) {
  PduError f;
  (void)decode_err(hex("ad 00"), default_limits(), &f);
  EXPECT_EQ(*reject_for(f), (RejectPdu{std::nullopt, RejectClass::conclude_error,
                                       reject_code::kConcludeErrorInvalidServiceError}));
  (void)decode_err(hex("8c 01 00"), default_limits(), &f);
  EXPECT_EQ(*reject_for(f), (RejectPdu{std::nullopt, RejectClass::conclude_response,
                                       reject_code::kConcludeResponseInvalidResult}));
}

TEST(MmsPduMalformed, MalformedInitiateIsInvalidPdu) {
  PduError f;
  (void)decode_err(hex("a8 00"), default_limits(), &f);
  EXPECT_EQ(f.kind, PduKind::initiate_request);
  EXPECT_EQ(*reject_for(f), (RejectPdu{std::nullopt, RejectClass::pdu_error, reject_code::kPduInvalidPdu}));
}

TEST(MmsPduMalformed, ConstructedWherePrimitiveRequired) {
  // conclude-RequestPDU sent constructed (ab 00)
  PduError f;
  const Error e = decode_err(hex("ab 00"), default_limits(), &f);
  EXPECT_EQ(e.code, make_error_code(ber::Errc::unexpected_tag));
  EXPECT_EQ(reject_for(f)->reject_class, RejectClass::conclude_request);
}

TEST(MmsPduMalformed, DataAccessErrorOutOfRange) {
  PduError f;
  const Error e = decode_err(hex("a1 0e 02 01 01 a4 09 a1 07 80 05 01 00 00 00 00"), default_limits(), &f);
  EXPECT_EQ(e.code, make_error_code(Errc::value_out_of_range));
  EXPECT_EQ(*reject_for(f),
            (RejectPdu{1, RejectClass::confirmed_response, reject_code::kResponseValueOutOfRange}));
}

// ---------------------------------------------------------------------------------------------
// Limits
// ---------------------------------------------------------------------------------------------

TEST(MmsPduLimits, TooManyAccessResults) {
  Limits l;
  l.mms_max_list_elements = 1;
  const Bytes ok = hex("a1 0d 02 01 01 a4 08 a1 06 83 01 00 83 01 ff");
  EXPECT_TRUE(decode_pdu(ok).ok());
  const Error e = decode_err(ok, l);
  EXPECT_EQ(e.code, make_error_code(Errc::too_many_elements));
  EXPECT_EQ(e.offset, 12U);
}

TEST(MmsPduLimits, TooManyIdentifiers) {
  Limits l;
  l.mms_max_list_elements = 1;
  const Error e = decode_err(hex("a1 0f 02 01 02 a1 0a a0 08 1a 02 41 42 1a 02 43 44"), l);
  EXPECT_EQ(e.code, make_error_code(Errc::too_many_elements));
}

TEST(MmsPduLimits, TooManyVariables) {
  Limits l;
  l.mms_max_list_elements = 1;
  const Error e = decode_err(hex("a0 14 02 01 01 a4 0f a1 0d a0 0b 30 03 a0 01 00 30 04 84 00 00 00"), l);
  EXPECT_EQ(e.code, make_error_code(Errc::too_many_elements));
}

TEST(MmsPduLimits, AlternateAccessDepth) {
  Limits l;
  l.mms_max_data_depth = 1;
  const Bytes wire =
      hex("a0 39 02 01 08 a4 34 a1 32 a0 30 30 2e a0 1c a1 1a 1a 03 4c 44 30 1a 13 4d 4d 58 55 31 24 4d 58 "
          "24 54 6f"
          " 74 57 24 6d 61 67 24 66 a5 0e a0 0c 81 01 02 30 07 81 05 73 74 56 61 6c");
  PduError f;
  const Error e = decode_err(wire, l, &f);
  EXPECT_EQ(e.code, make_error_code(Errc::depth_exceeded));
  EXPECT_EQ(*reject_for(f),
            (RejectPdu{8, RejectClass::confirmed_request, reject_code::kRequestMaxRecursionExceeded}));
}

TEST(MmsPduLimits, BerDepth) {
  Limits l;
  l.ber_max_depth = 3;
  PduError f;
  const Error e =
      decode_err(hex("a0 29 02 01 01 a4 24 a1 22 a0 20 30 1e a0 1c a1 1a 1a 03 4c 44 30 1a 13 4d 4d 58"
                     " 55 31 24 4d 58 24 54 6f 74 57 24 6d 61 67 24 66"),
                 l, &f);
  EXPECT_EQ(e.code, make_error_code(ber::Errc::depth_exceeded));
  EXPECT_EQ(reject_for(f)->code, reject_code::kRequestMaxRecursionExceeded);
}

TEST(MmsPduLimits, AdditionalDescriptionTooLong) {
  Limits l;
  l.mms_max_string = 2;
  EXPECT_TRUE(decode_pdu(hex("a2 0d 80 01 07 a2 08 a0 03 87 01 02 82 01 41"), l).ok());  // 1 octet fits
  const Error e2 = decode_err(hex("a2 0f 80 01 07 a2 0a a0 03 87 01 02 82 03 41 42 43"), l);
  EXPECT_EQ(e2.code, make_error_code(Errc::string_too_long));
}

// ---------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------

TEST(MmsPduNames, Tables) {
  EXPECT_EQ(pdu_name(PduKind::confirmed_request), "confirmed-RequestPDU");
  EXPECT_EQ(pdu_name(PduKind::conclude_error), "conclude-ErrorPDU");
  EXPECT_EQ(pdu_name(static_cast<PduKind>(14)), "unknown");
  EXPECT_EQ(confirmed_service_name(service::kRead), "read");
  EXPECT_EQ(confirmed_service_name(service::kGetNamedVariableListAttributes),
            "getNamedVariableListAttributes");
  EXPECT_EQ(confirmed_service_name(77), "fileDirectory");
  EXPECT_EQ(confirmed_service_name(78), "unknown");
  EXPECT_EQ(unconfirmed_service_name(0), "informationReport");
  EXPECT_EQ(service_support_name(service_bit::kInformationReport), "informationReport");
  EXPECT_EQ(service_support_name(service_bit::kCancel), "cancel");
  EXPECT_EQ(service_support_name(91), "changeAccessControl");
  EXPECT_EQ(service_support_name(92), "unknown");
  EXPECT_EQ(parameter_support_name(parameter_bit::kVlis), "vlis");
  EXPECT_EQ(parameter_support_name(9), "unknown");
  EXPECT_EQ(object_class_name(object_class::kDomain), "domain");
  EXPECT_EQ(error_class_name(ErrorClass::service_preempt), "service-preempt");
  EXPECT_EQ(error_code_name(ErrorClass::definition, 1), "object-undefined");
  EXPECT_EQ(error_code_name(ErrorClass::access, 99), "unknown");
  EXPECT_EQ(error_code_name(ErrorClass::others, 0), "unknown");
  EXPECT_EQ(describe(ServiceError{ErrorClass::others, 42, {}, {}, {}}), "others: 42");
  EXPECT_EQ(describe(ServiceError{ErrorClass::resource, 1, {}, std::string("full"), {}}),
            "resource: memory-unavailable (full)");
  EXPECT_EQ(data_access_error_name(DataAccessError::object_non_existent), "object-non-existent");
  EXPECT_EQ(data_access_error_name(static_cast<DataAccessError>(12)), "unknown");
  EXPECT_EQ(reject_class_name(RejectClass::pdu_error), "pdu-error");
  EXPECT_EQ(reject_code_name(RejectClass::confirmed_request, 8), "max-recursion-exceeded");
  EXPECT_EQ(reject_code_name(RejectClass::confirmed_request, 7), "unknown");
  EXPECT_EQ(describe(RejectPdu{std::nullopt, RejectClass::pdu_error, 0}), "pdu-error: unknown-pdu-type");
}

TEST(MmsPduNames, ServiceTags) {
  EXPECT_EQ(service_tag(ConfirmedServiceRequest{ReadRequest{}}), service::kRead);
  EXPECT_EQ(service_tag(ConfirmedServiceRequest{DeleteNamedVariableListRequest{}}),
            service::kDeleteNamedVariableList);
  EXPECT_EQ(service_tag(ConfirmedServiceResponse{GetVariableAccessAttributesResponse{}}),
            service::kGetVariableAccessAttributes);
}

// ---------------------------------------------------------------------------------------------
// Performance: Read response with 32 floats
// ---------------------------------------------------------------------------------------------

Bytes read_response_32_floats() {
  ReadResponse rr;
  for (int i = 0; i < 32; ++i) rr.results.emplace_back(Data(FloatingPoint{i * 1.5, false}));
  return encode_pdu(ConfirmedResponsePdu{0x1234, rr});
}

TEST(MmsPduAllocation, ReadResponse32FloatsReservesOnce) {
  const Bytes wire = read_response_32_floats();
  ASSERT_EQ(wire.size(), 3U + 4U + 3U + 3U + 32U * 7U);  // a1 81 ea, invokeID, a4 81 e3, a1 81 e0
  const Pdu p = decode_ok(wire);
  const auto& rr = std::get<ReadResponse>(p.get<ConfirmedResponsePdu>()->service);
  ASSERT_EQ(rr.results.size(), 32U);
  EXPECT_EQ(rr.results.capacity(), 32U);  // one exact allocation, no regrowth
  EXPECT_EQ(std::get<Data>(rr.results[3]), Data(FloatingPoint{4.5, false}));
  // Speed is measured by bench/mms_bench.cpp (Google Benchmark), never by a timed unit test.
}

}  // namespace
}  // namespace mmssec::mms
