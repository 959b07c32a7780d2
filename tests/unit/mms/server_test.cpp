// SPDX-License-Identifier: Apache-2.0
// ServerSession against the default IED model, driven by a ClientSession in memory (the client
// encodes, the server answers, the client matches): Initiate negotiation and refusals, every
// service, name-list paging, named variable lists, reports, rejects, outstanding limits, Conclude.
#include "mmssec/mms/server.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "mmssec/mms/client.hpp"
#include "mmssec/mms/default_model.hpp"

namespace mmssec::mms {
namespace {

Bytes hex(std::string_view s) {
  auto r = from_hex(s);
  EXPECT_TRUE(r.ok()) << s;
  return r.ok() ? *r : Bytes{};
}

Pdu decode(const Bytes& b) {
  auto r = decode_pdu(b);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().describe()) << " for " << to_hex(b);
  return r.ok() ? *r : Pdu{};
}

ObjectName ld0(std::string item) { return ObjectName::domain_specific("LD0", std::move(item)); }
ObjectName dataset1() { return ld0(std::string(kDefaultDataSet)); }

std::error_code code(SessionErrc e) { return make_error_code(e); }

InitiateParameters proposal(std::int16_t calling = 5, std::int16_t called = 5) {
  InitiateParameters p;
  p.local_detail = 65000;
  p.max_serv_outstanding_calling = calling;
  p.max_serv_outstanding_called = called;
  p.data_structure_nesting_level = 10;
  p.version_number = 1;
  p.parameter_cbb = iec61850_parameter_cbb();
  p.services_supported = iec61850_client_services();
  return p;
}

Bytes initiate_bytes(const InitiateParameters& p) { return encode_pdu(Pdu{InitiateRequestPdu{p}}); }

/// The ServiceError of an Initiate-ErrorPDU.
ServiceError initiate_error_of(const Bytes& b) {
  const Pdu p = decode(b);
  const auto* e = p.get<InitiateErrorPdu>();
  EXPECT_NE(e, nullptr) << to_hex(b);
  return e != nullptr ? e->error : ServiceError{};
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(make_default_ied_model(vmd).ok()); }

  /// Build the server with `options` and run the Initiate exchange with the client.
  void establish(ServerOptions options = {}, ClientOptions client_options = {}) {
    server =
        std::make_unique<ServerSession>(vmd, ServerIdentity{"vendor", "model", "rev"}, std::move(options));
    client = std::make_unique<ClientSession>(std::move(client_options));
    auto resp = server->on_initiate(client->initiate_request());
    ASSERT_TRUE(resp.ok()) << resp.error().describe();
    auto neg = client->on_initiate_response(*resp);
    ASSERT_TRUE(neg.ok()) << neg.error().describe();
    ASSERT_TRUE(server->established());
    ASSERT_TRUE(client->established());
  }

  /// Send one encoded request to the server; expect exactly one PDU back and hand it to the client.
  Completion exchange(Result<ClientRequest> req) {
    EXPECT_TRUE(req.ok()) << (req.ok() ? "" : req.error().describe());
    if (!req.ok()) return {};
    auto out = server->on_pdu(req->pdu);
    EXPECT_EQ(out.send.size(), 1U);
    EXPECT_FALSE(out.error) << out.error->describe();
    if (out.send.size() != 1) return {};
    auto got = client->on_pdu(out.send[0]);
    EXPECT_FALSE(got.error) << got.error->describe();
    EXPECT_TRUE(got.completion);
    if (!got.completion) return {};
    EXPECT_EQ(got.completion->invoke_id, req->invoke_id);
    return *got.completion;
  }

  /// Server's answer to raw request bytes (exactly one PDU expected).
  Pdu answer_raw(const Bytes& pdu) {
    auto out = server->on_pdu(pdu);
    EXPECT_EQ(out.send.size(), 1U);
    return out.send.empty() ? Pdu{} : decode(out.send[0]);
  }

  Data read_value(const ObjectName& name) {
    const Completion c = exchange(client->read(name));
    const auto* rr = c.get<ReadResponse>();
    EXPECT_NE(rr, nullptr);
    if (rr == nullptr || rr->results.size() != 1) return {};
    const auto* d = std::get_if<Data>(&rr->results[0]);
    EXPECT_NE(d, nullptr);
    return d != nullptr ? *d : Data{};
  }

  Vmd vmd;
  std::unique_ptr<ServerSession> server;
  std::unique_ptr<ClientSession> client;
};

}  // namespace

// ---------------------------------------------------------------------------------------------
// Initiate
// ---------------------------------------------------------------------------------------------

// libiec61850's Initiate-RequestPDU (see pdu_test) answered by a server with default options:
//   a9 26                      initiate-ResponsePDU [9]
//     80 03 00 fd e8           localDetailCalled 65000 (min of 65000 and ours)
//     81 01 05 82 01 05        negotiatedMaxServOutstandingCalling/Called 5 (min of 5 and 16)
//     83 01 0a                 negotiatedDataStructureNestingLevel 10
//     a4 16 80 01 01           initResponseDetail, negotiatedVersionNumber 1
//       81 03 05 f1 00         negotiatedParameterCBB str1 str2 vnam valt vlis (intersection)
//       82 0c 03 ee 1c 00 00 00 00 00 00 00 01 10   servicesSupportedCalled: status, getNameList,
//                              identify, read, write, getVAA (ee); define/getAttributes/delete
//                              NVL (1c); informationReport (bit 79: 01); conclude (bit 83: 10)
TEST_F(ServerTest, GoldenInitiateResponseToIec61850Client) {
  ServerSession s(vmd);
  auto resp =
      s.on_initiate(hex("a8 26 80 03 00 fd e8 81 01 05 82 01 05 83 01 0a a4 16 80 01 01 81 03 05 f1 00"
                        " 82 0c 03 ee 1c 00 00 04 08 00 00 79 ef 18"));
  ASSERT_TRUE(resp.ok()) << resp.error().describe();
  EXPECT_EQ(to_hex(*resp),
            to_hex(hex("a9 26 80 03 00 fd e8 81 01 05 82 01 05 83 01 0a a4 16 80 01 01 81 03 05"
                       " f1 00 82 0c 03 ee 1c 00 00 00 00 00 00 00 01 10")));
  EXPECT_TRUE(s.established());
  EXPECT_EQ(s.negotiated().max_serv_outstanding_calling, 5);
}

TEST_F(ServerTest, InitiateNegotiatesOutstandingDownToTheSmallerValue) {
  ServerOptions o;
  o.max_outstanding_calling = 4;
  o.max_outstanding_called = 8;
  ServerSession s(vmd, {}, o);
  auto resp = s.on_initiate(initiate_bytes(proposal(10, 2)));
  ASSERT_TRUE(resp.ok());
  const Pdu r_pdu = decode(*resp);
  const auto* r = r_pdu.get<InitiateResponsePdu>();
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->params.max_serv_outstanding_calling, 4);  // min(10, 4)
  EXPECT_EQ(r->params.max_serv_outstanding_called, 2);   // min(2, 8)
}

TEST_F(ServerTest, InitiateNegotiatesPduSizeNestingAndVersion) {
  InitiateParameters p = proposal();
  p.local_detail = 1000;
  p.data_structure_nesting_level = 20;
  p.version_number = 3;  // a newer client: we answer with our version
  ServerSession s(vmd);
  auto resp = s.on_initiate(initiate_bytes(p));
  ASSERT_TRUE(resp.ok());
  const Pdu r_pdu = decode(*resp);
  const auto* r = r_pdu.get<InitiateResponsePdu>();
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->params.local_detail, 1000);
  EXPECT_EQ(r->params.data_structure_nesting_level, 10);
  EXPECT_EQ(r->params.version_number, 1);
  EXPECT_EQ(r->params.services_supported, server_services());
}

TEST_F(ServerTest, InitiateWithoutOptionalFieldsGetsOurValues) {
  InitiateParameters p = proposal();
  p.local_detail.reset();
  p.data_structure_nesting_level.reset();
  ServerOptions o;
  o.max_pdu_size = 8000;
  ServerSession s(vmd, {}, o);
  auto resp = s.on_initiate(initiate_bytes(p));
  ASSERT_TRUE(resp.ok());
  const Pdu r_pdu = decode(*resp);
  const auto* r = r_pdu.get<InitiateResponsePdu>();
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->params.local_detail, 8000);
  EXPECT_EQ(r->params.data_structure_nesting_level, 10);
}

TEST_F(ServerTest, InitiateParameterCbbIsTheIntersection) {
  InitiateParameters p = proposal();
  p.parameter_cbb = make_bit_string({0, 1, 2, 3, 4, 5, 6, 8, 10}, parameter_bit::kCount);  // no vlis
  ServerSession s(vmd);
  auto resp = s.on_initiate(initiate_bytes(p));
  ASSERT_TRUE(resp.ok());
  const Pdu r_pdu = decode(*resp);
  const auto* r = r_pdu.get<InitiateResponsePdu>();
  ASSERT_NE(r, nullptr);
  using namespace parameter_bit;
  EXPECT_EQ(r->params.parameter_cbb, make_bit_string({kStr1, kStr2, kVnam, kValt}, kCount));
}

TEST_F(ServerTest, InitiateVersionZeroIsRefused) {
  InitiateParameters p = proposal();
  p.version_number = 0;
  ServerSession s(vmd);
  auto resp = s.on_initiate(initiate_bytes(p));
  ASSERT_TRUE(resp.ok());
  const ServiceError e = initiate_error_of(*resp);
  EXPECT_EQ(e.error_class, ErrorClass::initiate);
  EXPECT_EQ(e.code, error_code::kInitiateVersionIncompatible);
  EXPECT_FALSE(s.established());
}

TEST_F(ServerTest, InitiateZeroOutstandingCallingIsRefused) {
  ServerSession s(vmd);
  auto resp = s.on_initiate(initiate_bytes(proposal(0, 5)));
  ASSERT_TRUE(resp.ok());
  EXPECT_EQ(initiate_error_of(*resp).code, error_code::kInitiateMaxOutstandingCallingInsufficient);
  EXPECT_FALSE(s.established());
}

TEST_F(ServerTest, InitiateZeroOutstandingCalledIsRefused) {
  ServerSession s(vmd);
  auto resp = s.on_initiate(initiate_bytes(proposal(5, -1)));
  ASSERT_TRUE(resp.ok());
  EXPECT_EQ(initiate_error_of(*resp).code, error_code::kInitiateMaxOutstandingCalledInsufficient);
}

TEST_F(ServerTest, InitiatePduSizeBelowMinimumIsRefused) {
  InitiateParameters p = proposal();
  p.local_detail = 255;  // min_pdu_size is 256
  ServerSession s(vmd);
  auto resp = s.on_initiate(initiate_bytes(p));
  ASSERT_TRUE(resp.ok());
  EXPECT_EQ(initiate_error_of(*resp).code, error_code::kInitiateMaxSegmentInsufficient);
}

TEST_F(ServerTest, InitiateNegativeNestingLevelIsRefused) {
  InitiateParameters p = proposal();
  p.data_structure_nesting_level = -1;
  ServerSession s(vmd);
  auto resp = s.on_initiate(initiate_bytes(p));
  ASSERT_TRUE(resp.ok());
  EXPECT_EQ(initiate_error_of(*resp).code, error_code::kInitiateNestingLevelInsufficient);
}

TEST_F(ServerTest, InitiateWithoutNamedVariablesIsRefused) {
  InitiateParameters p = proposal();
  p.parameter_cbb = make_bit_string({parameter_bit::kStr1, parameter_bit::kStr2}, parameter_bit::kCount);
  ServerSession s(vmd);
  auto resp = s.on_initiate(initiate_bytes(p));
  ASSERT_TRUE(resp.ok());
  EXPECT_EQ(initiate_error_of(*resp).code, error_code::kInitiateParameterCbbInsufficient);
}

TEST_F(ServerTest, InitiateUndecodableIsAnError) {
  ServerSession s(vmd);
  auto resp = s.on_initiate(hex("a8 03 81 01"));
  ASSERT_FALSE(resp.ok());
  EXPECT_FALSE(s.established());
}

TEST_F(ServerTest, InitiateWithAnotherPduIsAnError) {
  ServerSession s(vmd);
  auto resp = s.on_initiate(encode_pdu(Pdu{ConcludeRequestPdu{}}));
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.error().code, code(SessionErrc::unexpected_pdu));
}

TEST_F(ServerTest, SecondInitiateIsAnError) {
  establish();
  auto again = server->on_initiate(client->initiate_request());
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, code(SessionErrc::already_initiated));
  // And inside on_pdu: pdu-error invalid-pdu.
  auto out = server->on_pdu(client->initiate_request());
  ASSERT_EQ(out.send.size(), 1U);
  const Pdu rj_pdu = decode(out.send[0]);
  const auto* rj = rj_pdu.get<RejectPdu>();
  ASSERT_NE(rj, nullptr);
  EXPECT_EQ(rj->reject_class, RejectClass::pdu_error);
  EXPECT_EQ(out.error->code, code(SessionErrc::already_initiated));
}

TEST_F(ServerTest, PduBeforeInitiateIsAnErrorWithNothingSent) {
  ServerSession s(vmd);
  ClientSession c;
  auto out = s.on_pdu(encode_pdu(Pdu{ConfirmedRequestPdu{1, IdentifyRequest{}}}));
  EXPECT_TRUE(out.send.empty());
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->code, code(SessionErrc::not_initiated));
}

TEST_F(ServerTest, ClientSeesInitiateRefusal) {
  ServerOptions o;
  o.required_parameter_bits = {parameter_bit::kVsca};  // the IEC 61850 client does not propose it
  ServerSession s(vmd, {}, o);
  ClientSession c;
  auto resp = s.on_initiate(c.initiate_request());
  ASSERT_TRUE(resp.ok());
  auto neg = c.on_initiate_response(*resp);
  ASSERT_FALSE(neg.ok());
  EXPECT_EQ(neg.error().code, code(SessionErrc::initiate_refused));
  ASSERT_TRUE(c.initiate_error());
  EXPECT_EQ(c.initiate_error()->code, error_code::kInitiateParameterCbbInsufficient);
  EXPECT_FALSE(c.established());
}

TEST_F(ServerTest, ClientTakesNegotiatedOutstanding) {
  ServerOptions o;
  o.max_outstanding_calling = 3;
  ClientOptions co;
  co.max_outstanding_calling = 7;
  establish(o, co);
  EXPECT_EQ(client->negotiated().max_serv_outstanding_calling, 3);
  EXPECT_EQ(client->max_outstanding(), 3U);
}

// ---------------------------------------------------------------------------------------------
// Identify, Status
// ---------------------------------------------------------------------------------------------

TEST_F(ServerTest, Identify) {
  establish();
  const Completion c = exchange(client->identify());
  const auto* r = c.get<IdentifyResponse>();
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->vendor_name, "vendor");
  EXPECT_EQ(r->model_name, "model");
  EXPECT_EQ(r->revision, "rev");
  EXPECT_EQ(c.service, service::kIdentify);
}

TEST_F(ServerTest, Status) {
  establish();
  const Completion c = exchange(client->status());
  const auto* r = c.get<StatusResponse>();
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->vmd_logical_status, 0);
  EXPECT_EQ(r->vmd_physical_status, 0);
}

// ---------------------------------------------------------------------------------------------
// GetNameList
// ---------------------------------------------------------------------------------------------

namespace {
GetNameListRequest names_of(std::uint32_t cls, std::string domain = {},
                            std::optional<std::string> after = {}) {
  GetNameListRequest r;
  r.object_class = cls;
  r.scope = domain.empty() ? GetNameListRequest::Scope::vmd : GetNameListRequest::Scope::domain;
  r.domain = std::move(domain);
  r.continue_after = std::move(after);
  return r;
}
}  // namespace

TEST_F(ServerTest, GetNameListDomains) {
  establish();
  const Completion c = exchange(client->get_name_list(names_of(object_class::kDomain)));
  const auto* r = c.get<GetNameListResponse>();
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->identifiers, std::vector<std::string>{"LD0"});
  EXPECT_FALSE(r->more_follows);
}

TEST_F(ServerTest, GetNameListVariablesOfDomain) {
  establish();
  const Completion c = exchange(client->get_name_list(names_of(object_class::kNamedVariable, "LD0")));
  const auto* r = c.get<GetNameListResponse>();
  ASSERT_NE(r, nullptr);
  EXPECT_FALSE(r->more_follows);
  const std::set<std::string> names(r->identifiers.begin(), r->identifiers.end());
  EXPECT_TRUE(names.count("MMXU1$MX$TotW$mag$f"));
  EXPECT_TRUE(names.count("LLN0$ST$Mod$stVal"));
  EXPECT_TRUE(names.count("XCBR1$CO$Pos$Oper$ctlVal"));
  EXPECT_TRUE(std::is_sorted(r->identifiers.begin(), r->identifiers.end()));
}

TEST_F(ServerTest, GetNameListNamedVariableLists) {
  establish();
  const Completion c = exchange(client->get_name_list(names_of(object_class::kNamedVariableList, "LD0")));
  const auto* r = c.get<GetNameListResponse>();
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->identifiers, std::vector<std::string>{"LLN0$DataSet1"});
}

TEST_F(ServerTest, GetNameListVmdScopeVariablesIsEmpty) {
  establish();
  const Completion c = exchange(client->get_name_list(names_of(object_class::kNamedVariable)));
  const auto* r = c.get<GetNameListResponse>();
  ASSERT_NE(r, nullptr);
  EXPECT_TRUE(r->identifiers.empty());
  EXPECT_FALSE(r->more_follows);
}

TEST_F(ServerTest, GetNameListUnknownDomainIsObjectNonExistent) {
  establish();
  const Completion c = exchange(client->get_name_list(names_of(object_class::kNamedVariable, "LD9")));
  ASSERT_NE(c.service_error(), nullptr);
  EXPECT_EQ(c.service_error()->error_class, ErrorClass::access);
  EXPECT_EQ(c.service_error()->code, error_code::kAccessObjectNonExistent);
}

TEST_F(ServerTest, GetNameListClassNotHeldIsEmpty) {
  establish();
  const Completion c = exchange(client->get_name_list(names_of(object_class::kJournal, "LD0")));
  const auto* r = c.get<GetNameListResponse>();
  ASSERT_NE(r, nullptr);
  EXPECT_TRUE(r->identifiers.empty());
  EXPECT_FALSE(r->more_follows);
}

TEST_F(ServerTest, GetNameListAaScopeIsEmpty) {
  establish();
  GetNameListRequest req = names_of(object_class::kNamedVariableList);
  req.scope = GetNameListRequest::Scope::aa;
  const Completion c = exchange(client->get_name_list(req));
  const auto* r = c.get<GetNameListResponse>();
  ASSERT_NE(r, nullptr);
  EXPECT_TRUE(r->identifiers.empty());
}

TEST_F(ServerTest, GetNameListContinueAfter) {
  establish();
  const Completion c =
      exchange(client->get_name_list(names_of(object_class::kNamedVariable, "LD0", "XCBR1$ST$Pos$stVal")));
  const auto* r = c.get<GetNameListResponse>();
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->identifiers, (std::vector<std::string>{"XCBR1$ST$Pos$t"}));
  EXPECT_FALSE(r->more_follows);
}

// With a 400-octet PDU the ~150 names of LD0 need several pages; each fits, and the pages
// together are exactly the full list.
TEST_F(ServerTest, GetNameListPagesToFitNegotiatedPduSize) {
  ServerOptions so;
  so.max_pdu_size = 400;
  establish(so);
  auto full_req = names_of(object_class::kNamedVariable, "LD0");
  auto full = vmd.name_list(ObjectClass::named_variable, "LD0", std::nullopt, 0);
  ASSERT_TRUE(full.ok());

  std::vector<std::string> all;
  std::optional<std::string> after;
  int pages = 0;
  for (;;) {
    auto req = client->get_name_list(names_of(object_class::kNamedVariable, "LD0", after));
    ASSERT_TRUE(req.ok());
    auto out = server->on_pdu(req->pdu);
    ASSERT_EQ(out.send.size(), 1U);
    EXPECT_LE(out.send[0].size(), 400U);
    auto got = client->on_pdu(out.send[0]);
    ASSERT_TRUE(got.completion);
    const auto* r = got.completion->get<GetNameListResponse>();
    ASSERT_NE(r, nullptr);
    ASSERT_FALSE(r->identifiers.empty());
    all.insert(all.end(), r->identifiers.begin(), r->identifiers.end());
    ++pages;
    if (!r->more_follows) break;
    after = r->identifiers.back();
    ASSERT_LT(pages, 100);
  }
  EXPECT_GT(pages, 3);
  EXPECT_EQ(all, full->names);
}

// ---------------------------------------------------------------------------------------------
// Read
// ---------------------------------------------------------------------------------------------

TEST_F(ServerTest, ReadMmxuTotWMagF) {
  establish();
  EXPECT_EQ(read_value(ld0("MMXU1$MX$TotW$mag$f")), Data(FloatingPoint{1000.0, false}));
  ASSERT_TRUE(update_measurements(vmd, 15.0).ok());  // sin(pi/2) = 1
  EXPECT_EQ(read_value(ld0("MMXU1$MX$TotW$mag$f")), Data(FloatingPoint{1250.0, false}));
}

TEST_F(ServerTest, ReadWholeDataObject) {
  establish();
  const Data mod = read_value(ld0("LLN0$ST$Mod"));
  const auto* s = mod.get<DataStructure>();
  ASSERT_NE(s, nullptr);
  ASSERT_EQ(s->members.size(), 3U);
  EXPECT_EQ(s->members[0], Data(std::int64_t{1}));
  ASSERT_NE(s->members[1].get<BitStringValue>(), nullptr);
  EXPECT_EQ(s->members[1].get<BitStringValue>()->size(), 13U);
  EXPECT_NE(s->members[2].get<UtcTime>(), nullptr);
}

TEST_F(ServerTest, ReadListOfVariablesMixesSuccessAndFailure) {
  establish();
  ListOfVariable l;
  l.items.push_back(VariableDef{ld0("MMXU1$MX$Hz$mag$f"), std::nullopt});
  l.items.push_back(VariableDef{ld0("MMXU1$MX$Nope"), std::nullopt});
  l.items.push_back(VariableDef{ObjectName::domain_specific("LD7", "LLN0"), std::nullopt});
  l.items.push_back(VariableDef{Address{std::uint32_t{5}}, std::nullopt});
  const Completion c = exchange(client->read(ReadRequest{false, l}));
  const auto* r = c.get<ReadResponse>();
  ASSERT_NE(r, nullptr);
  ASSERT_EQ(r->results.size(), 4U);
  EXPECT_EQ(r->results[0], AccessResult(Data(FloatingPoint{50.0, false})));
  EXPECT_EQ(r->results[1], AccessResult(DataAccessError::object_non_existent));
  EXPECT_EQ(r->results[2], AccessResult(DataAccessError::object_non_existent));
  EXPECT_EQ(r->results[3], AccessResult(DataAccessError::object_access_unsupported));
  EXPECT_FALSE(r->variables);
}

TEST_F(ServerTest, ReadWithSpecificationWithResultEchoesTheSpecification) {
  establish();
  const ReadRequest req{true, single_variable(ld0("LLN0$ST$Beh$stVal"))};
  const Completion c = exchange(client->read(req));
  const auto* r = c.get<ReadResponse>();
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->variables, req.variables);
}

TEST_F(ServerTest, ReadWithAlternateAccessComponents) {
  establish();
  // MMXU1$MX$TotW with alternateAccess: component "mag", then component "f".
  AlternateAccessSelection f_sel{AlternateAccessSelection::Component{"f"}, std::nullopt};
  AlternateAccessSelection mag_sel{AlternateAccessSelection::Component{"mag"},
                                   AlternateAccess{AlternateAccessElement{std::nullopt, f_sel}}};
  ListOfVariable l;
  l.items.push_back(
      VariableDef{ld0("MMXU1$MX$TotW"), AlternateAccess{AlternateAccessElement{std::nullopt, mag_sel}}});
  const Completion c = exchange(client->read(ReadRequest{false, l}));
  const auto* r = c.get<ReadResponse>();
  ASSERT_NE(r, nullptr);
  ASSERT_EQ(r->results.size(), 1U);
  EXPECT_EQ(r->results[0], AccessResult(Data(FloatingPoint{1000.0, false})));
}

TEST_F(ServerTest, ReadWithUnsupportedAlternateAccess) {
  establish();
  AlternateAccessSelection all{AlternateAccessSelection::AllElements{}, std::nullopt};
  ListOfVariable l;
  l.items.push_back(
      VariableDef{ld0("MMXU1$MX$TotW"), AlternateAccess{AlternateAccessElement{std::nullopt, all}}});
  const Completion c = exchange(client->read(ReadRequest{false, l}));
  const auto* r = c.get<ReadResponse>();
  ASSERT_NE(r, nullptr);
  ASSERT_EQ(r->results.size(), 1U);
  EXPECT_EQ(r->results[0], AccessResult(DataAccessError::object_access_unsupported));
}

TEST_F(ServerTest, ReadNamedVariableList) {
  establish();
  const Completion c = exchange(client->read(ReadRequest{false, VariableListName{dataset1()}}));
  const auto* r = c.get<ReadResponse>();
  ASSERT_NE(r, nullptr);
  ASSERT_EQ(r->results.size(), 4U);
  const auto* pos = std::get_if<Data>(&r->results[2]);  // XCBR1$ST$Pos
  ASSERT_NE(pos, nullptr);
  const auto* s = pos->get<DataStructure>();
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->members[0], Data(make_bit_string({1}, 2)));  // Dbpos off
}

TEST_F(ServerTest, ReadUnknownNamedVariableListIsAServiceError) {
  establish();
  const Completion c = exchange(client->read(ReadRequest{false, VariableListName{ld0("LLN0$Nope")}}));
  ASSERT_NE(c.service_error(), nullptr);
  EXPECT_EQ(*c.service_error(), service_error_for(ModelErrc::object_undefined));
}

TEST_F(ServerTest, ResponseLargerThanNegotiatedPduIsPduSizeError) {
  ServerOptions so;
  so.max_pdu_size = 300;
  establish(so);
  ListOfVariable all;  // every logical node of LD0: far more than 300 octets
  for (const char* ln : {"LLN0", "LPHD1", "MMXU1", "GGIO1", "XCBR1"})
    all.items.push_back(VariableDef{ld0(ln), {}});
  const Completion c = exchange(client->read(ReadRequest{false, all}));
  ASSERT_NE(c.service_error(), nullptr);
  EXPECT_EQ(c.service_error()->error_class, ErrorClass::service);
  EXPECT_EQ(c.service_error()->code, error_code::kServicePduSize);
}

// ---------------------------------------------------------------------------------------------
// Write
// ---------------------------------------------------------------------------------------------

namespace {
std::optional<DataAccessError> single_write_result(const Completion& c) {
  const auto* r = c.get<WriteResponse>();
  EXPECT_NE(r, nullptr);
  if (r == nullptr || r->results.size() != 1) return DataAccessError::object_invalidated;
  if (const auto* e = std::get_if<DataAccessError>(&r->results[0])) return *e;
  return std::nullopt;
}
}  // namespace

TEST_F(ServerTest, WriteAcceptedChangesTheModel) {
  establish();
  const Completion c = exchange(client->write(ld0("XCBR1$CF$Pos$ctlModel"), Data(std::int64_t{4})));
  EXPECT_EQ(single_write_result(c), std::nullopt);
  EXPECT_EQ(read_value(ld0("XCBR1$CF$Pos$ctlModel")), Data(std::int64_t{4}));
}

TEST_F(ServerTest, WriteOperStructureAccepted) {
  establish();
  auto oper = vmd.read(ld0("GGIO1$CO$SPCSO1$Oper"));
  ASSERT_TRUE(oper.ok());
  Data value = *oper;
  value.get<DataStructure>()->members[0] = Data(true);  // ctlVal
  const Completion c = exchange(client->write(ld0("GGIO1$CO$SPCSO1$Oper"), value));
  EXPECT_EQ(single_write_result(c), std::nullopt);
  EXPECT_EQ(read_value(ld0("GGIO1$CO$SPCSO1$Oper$ctlVal")), Data(true));
}

TEST_F(ServerTest, WriteToStatusIsDenied) {
  establish();
  const Completion c = exchange(client->write(ld0("GGIO1$ST$Ind1$stVal"), Data(true)));
  EXPECT_EQ(single_write_result(c), DataAccessError::object_access_denied);
  EXPECT_EQ(read_value(ld0("GGIO1$ST$Ind1$stVal")), Data(false));
}

TEST_F(ServerTest, WriteWrongTypeIsTypeInconsistent) {
  establish();
  const Completion c = exchange(client->write(ld0("XCBR1$CF$Pos$ctlModel"), Data(FloatingPoint{1.0, false})));
  EXPECT_EQ(single_write_result(c), DataAccessError::type_inconsistent);
}

TEST_F(ServerTest, WriteOutOfRangeIsValueInvalid) {
  establish();
  const Completion c = exchange(client->write(ld0("XCBR1$CF$Pos$ctlModel"), Data(std::int64_t{300})));
  EXPECT_EQ(single_write_result(c), DataAccessError::object_value_invalid);
}

TEST_F(ServerTest, WriteUnknownIsObjectNonExistent) {
  establish();
  const Completion c = exchange(client->write(ld0("XCBR1$CF$Pos$nope"), Data(std::int64_t{1})));
  EXPECT_EQ(single_write_result(c), DataAccessError::object_non_existent);
}

TEST_F(ServerTest, WriteListHasOneResultPerVariable) {
  establish();
  WriteRequest w;
  ListOfVariable l;
  l.items.push_back(VariableDef{ld0("MMXU1$CF$TotW$db"), std::nullopt});
  l.items.push_back(VariableDef{ld0("MMXU1$MX$TotW$mag$f"), std::nullopt});
  l.items.push_back(VariableDef{Invalidated{}, std::nullopt});
  w.variables = l;
  w.data = {Data(Unsigned{500}), Data(FloatingPoint{1.0, false}), Data(false)};
  const Completion c = exchange(client->write(w));
  const auto* r = c.get<WriteResponse>();
  ASSERT_NE(r, nullptr);
  ASSERT_EQ(r->results.size(), 3U);
  EXPECT_TRUE(std::holds_alternative<WriteSuccess>(r->results[0]));
  EXPECT_EQ(r->results[1], WriteResult(DataAccessError::object_access_denied));
  EXPECT_EQ(r->results[2], WriteResult(DataAccessError::object_invalidated));
}

TEST_F(ServerTest, WriteCountMismatchIsRejectedAsInvalidArgument) {
  establish();
  WriteRequest w{single_variable(ld0("MMXU1$CF$TotW$db")), {Data(Unsigned{1}), Data(Unsigned{2})}};
  // The client refuses to encode it ...
  auto refused = client->write(w);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, code(SessionErrc::invalid_argument));
  // ... a raw PDU gets a Reject.
  const Pdu p = answer_raw(encode_pdu(Pdu{ConfirmedRequestPdu{9, w}}));
  const auto* rj = p.get<RejectPdu>();
  ASSERT_NE(rj, nullptr);
  EXPECT_EQ(rj->original_invoke_id, 9U);
  EXPECT_EQ(rj->reject_class, RejectClass::confirmed_request);
  EXPECT_EQ(rj->code, reject_code::kRequestInvalidArgument);
}

TEST_F(ServerTest, WriteNamedVariableListOfReadOnlyMembersIsDeniedPerMember) {
  establish();
  auto values = vmd.read_list(dataset1());
  ASSERT_TRUE(values.ok());
  WriteRequest w;
  w.variables = VariableListName{dataset1()};
  for (auto& v : *values) w.data.push_back(*v);
  const Completion c = exchange(client->write(w));
  const auto* r = c.get<WriteResponse>();
  ASSERT_NE(r, nullptr);
  ASSERT_EQ(r->results.size(), 4U);
  for (const auto& res : r->results) EXPECT_EQ(res, WriteResult(DataAccessError::object_access_denied));
}

// ---------------------------------------------------------------------------------------------
// GetVariableAccessAttributes
// ---------------------------------------------------------------------------------------------

TEST_F(ServerTest, GetVariableAccessAttributesOfAFloat) {
  establish();
  const Completion c = exchange(client->get_variable_access_attributes(ld0("MMXU1$MX$TotW$mag$f")));
  const auto* r = c.get<GetVariableAccessAttributesResponse>();
  ASSERT_NE(r, nullptr);
  EXPECT_FALSE(r->mms_deletable);
  ASSERT_TRUE(r->type);
  EXPECT_EQ(r->type->kind, TypeSpecification::Kind::floating_point);
  EXPECT_EQ(r->type->format_width, 32);
  EXPECT_EQ(r->type->exponent_width, 8);
}

TEST_F(ServerTest, GetVariableAccessAttributesOfALogicalNode) {
  establish();
  const Completion c = exchange(client->get_variable_access_attributes(ld0("XCBR1")));
  const auto* r = c.get<GetVariableAccessAttributesResponse>();
  ASSERT_NE(r, nullptr);
  ASSERT_EQ(r->type->kind, TypeSpecification::Kind::structure);
  ASSERT_EQ(r->type->components.size(), 3U);
  EXPECT_EQ(r->type->components[0].name, "ST");
  EXPECT_EQ(r->type->components[1].name, "CO");
  EXPECT_EQ(r->type->components[2].name, "CF");
}

TEST_F(ServerTest, GetVariableAccessAttributesUnknownIsObjectNonExistent) {
  establish();
  const Completion c = exchange(client->get_variable_access_attributes(ld0("XCBR9")));
  ASSERT_NE(c.service_error(), nullptr);
  EXPECT_EQ(c.service_error()->error_class, ErrorClass::access);
  EXPECT_EQ(c.service_error()->code, error_code::kAccessObjectNonExistent);
}

TEST_F(ServerTest, GetVariableAccessAttributesByAddressIsUnsupported) {
  establish();
  const Completion c =
      exchange(client->request(GetVariableAccessAttributesRequest{Address{std::uint32_t{1}}}));
  ASSERT_NE(c.service_error(), nullptr);
  EXPECT_EQ(c.service_error()->code, error_code::kAccessObjectAccessUnsupported);
}

// ---------------------------------------------------------------------------------------------
// Named variable lists
// ---------------------------------------------------------------------------------------------

TEST_F(ServerTest, NamedVariableListDefineReadAttributesDelete) {
  establish();
  const ObjectName ds = ld0("LLN0$Meas");
  Completion c = exchange(
      client->define_named_variable_list(ds, {ld0("MMXU1$MX$TotW$mag$f"), ld0("MMXU1$MX$Hz$mag$f")}));
  EXPECT_NE(c.get<DefineNamedVariableListResponse>(), nullptr);

  c = exchange(client->read(ReadRequest{false, VariableListName{ds}}));
  const auto* rr = c.get<ReadResponse>();
  ASSERT_NE(rr, nullptr);
  ASSERT_EQ(rr->results.size(), 2U);
  EXPECT_EQ(rr->results[1], AccessResult(Data(FloatingPoint{50.0, false})));

  c = exchange(client->get_named_variable_list_attributes(ds));
  const auto* attrs = c.get<GetNamedVariableListAttributesResponse>();
  ASSERT_NE(attrs, nullptr);
  EXPECT_TRUE(attrs->mms_deletable);
  ASSERT_EQ(attrs->variables.size(), 2U);
  EXPECT_EQ(attrs->variables[0].spec, VariableSpecification(ld0("MMXU1$MX$TotW$mag$f")));

  c = exchange(client->delete_named_variable_list({ds}));
  const auto* del = c.get<DeleteNamedVariableListResponse>();
  ASSERT_NE(del, nullptr);
  EXPECT_EQ(del->number_matched, 1U);
  EXPECT_EQ(del->number_deleted, 1U);

  c = exchange(client->get_named_variable_list_attributes(ds));
  ASSERT_NE(c.service_error(), nullptr);
  EXPECT_EQ(*c.service_error(), service_error_for(ModelErrc::object_undefined));
}

TEST_F(ServerTest, DefineExistingListIsObjectExists) {
  establish();
  const Completion c = exchange(client->define_named_variable_list(dataset1(), {ld0("LLN0$ST$Mod")}));
  ASSERT_NE(c.service_error(), nullptr);
  EXPECT_EQ(*c.service_error(), service_error_for(ModelErrc::object_exists));
}

TEST_F(ServerTest, DefineListWithUnknownMemberIsObjectUndefined) {
  establish();
  const Completion c = exchange(client->define_named_variable_list(ld0("LLN0$X"), {ld0("LLN0$ST$Nope")}));
  ASSERT_NE(c.service_error(), nullptr);
  EXPECT_EQ(*c.service_error(), service_error_for(ModelErrc::object_undefined));
}

TEST_F(ServerTest, DefineListWithAlternateAccessMemberIsUnsupported) {
  establish();
  DefineNamedVariableListRequest req;
  req.name = ld0("LLN0$X");
  AlternateAccessSelection sel{AlternateAccessSelection::Component{"ST"}, std::nullopt};
  req.variables.push_back(
      VariableDef{ld0("LLN0"), AlternateAccess{AlternateAccessElement{std::nullopt, sel}}});
  const Completion c = exchange(client->request(req));
  ASSERT_NE(c.service_error(), nullptr);
  EXPECT_EQ(c.service_error()->code, error_code::kAccessObjectAccessUnsupported);
}

TEST_F(ServerTest, DeleteConfiguredListMatchesButDoesNotDelete) {
  establish();
  const Completion c = exchange(client->delete_named_variable_list({dataset1(), ld0("LLN0$Nope")}));
  const auto* del = c.get<DeleteNamedVariableListResponse>();
  ASSERT_NE(del, nullptr);
  EXPECT_EQ(del->number_matched, 1U);
  EXPECT_EQ(del->number_deleted, 0U);
  EXPECT_TRUE(vmd.named_variable_list_attributes(dataset1()).ok());
}

TEST_F(ServerTest, DeleteListsOfDomain) {
  establish();
  ASSERT_TRUE(vmd.define_named_variable_list(ld0("LLN0$A"), {ld0("LLN0$ST$Mod")}).ok());
  DeleteNamedVariableListRequest req;
  req.scope_of_delete = 2;  // domain
  req.domain_name = "LD0";
  const Completion c = exchange(client->request(req));
  const auto* del = c.get<DeleteNamedVariableListResponse>();
  ASSERT_NE(del, nullptr);
  EXPECT_EQ(del->number_matched, 2U);
  EXPECT_EQ(del->number_deleted, 1U);
}

TEST_F(ServerTest, DeleteWithDomainScopeButNoDomainIsRejected) {
  establish();
  DeleteNamedVariableListRequest req;
  req.scope_of_delete = 2;
  const Pdu p = answer_raw(encode_pdu(Pdu{ConfirmedRequestPdu{3, req}}));
  const auto* rj = p.get<RejectPdu>();
  ASSERT_NE(rj, nullptr);
  EXPECT_EQ(rj->code, reject_code::kRequestInvalidArgument);
}

TEST_F(ServerTest, DeleteWithUnknownScopeIsRejected) {
  establish();
  DeleteNamedVariableListRequest req;
  req.scope_of_delete = 7;
  const Pdu p = answer_raw(encode_pdu(Pdu{ConfirmedRequestPdu{3, req}}));
  const auto* rj = p.get<RejectPdu>();
  ASSERT_NE(rj, nullptr);
  EXPECT_EQ(rj->code, reject_code::kRequestInvalidArgument);
}

TEST_F(ServerTest, DeleteAaScopeDeletesNothing) {
  establish();
  DeleteNamedVariableListRequest req;
  req.scope_of_delete = 1;
  const Completion c = exchange(client->request(req));
  const auto* del = c.get<DeleteNamedVariableListResponse>();
  ASSERT_NE(del, nullptr);
  EXPECT_EQ(del->number_matched, 0U);
}

// ---------------------------------------------------------------------------------------------
// Reports
// ---------------------------------------------------------------------------------------------

TEST_F(ServerTest, ReportAfterValueChangeOfEnabledListMember) {
  establish();
  ASSERT_TRUE(server->enable_report(dataset1()).ok());
  ASSERT_FALSE(vmd.update(ld0("GGIO1$ST$Ind1$stVal"), Data(true)));
  auto reports = server->take_reports();
  ASSERT_EQ(reports.size(), 1U);
  EXPECT_TRUE(server->take_reports().empty());

  auto out = client->on_pdu(reports[0]);
  EXPECT_FALSE(out.completion);
  EXPECT_FALSE(out.error);
  auto got = client->take_reports();
  ASSERT_EQ(got.size(), 1U);
  EXPECT_EQ(got[0].variables, VariableAccessSpecification(VariableListName{dataset1()}));
  ASSERT_EQ(got[0].results.size(), 4U);
  const auto* ind1 = std::get_if<Data>(&got[0].results[0]);
  ASSERT_NE(ind1, nullptr);
  ASSERT_NE(ind1->get<DataStructure>(), nullptr);
  EXPECT_EQ(ind1->get<DataStructure>()->members[0], Data(true));
}

TEST_F(ServerTest, ChangeAboveAMemberAlsoReports) {
  establish();
  ASSERT_TRUE(server->enable_report(dataset1()).ok());
  // XCBR1$ST (a whole functional constraint) contains the member XCBR1$ST$Pos.
  auto st = vmd.read(ld0("XCBR1$ST"));
  ASSERT_TRUE(st.ok());
  ASSERT_FALSE(vmd.update(ld0("XCBR1$ST"), *st));
  EXPECT_EQ(server->take_reports().size(), 1U);
}

TEST_F(ServerTest, NoReportForNonMembersOrDisabledLists) {
  establish();
  ASSERT_TRUE(update_measurements(vmd, 3.0).ok());
  ASSERT_FALSE(vmd.update(ld0("GGIO1$ST$Ind1$stVal"), Data(true)));  // not enabled yet
  EXPECT_TRUE(server->take_reports().empty());
  ASSERT_TRUE(server->enable_report(dataset1()).ok());
  ASSERT_TRUE(update_measurements(vmd, 4.0).ok());                   // MMXU: no member
  ASSERT_FALSE(vmd.update(ld0("GGIO1$ST$Ind3$stVal"), Data(true)));  // Ind3: no member
  EXPECT_TRUE(server->take_reports().empty());
  server->disable_report(dataset1());
  ASSERT_FALSE(vmd.update(ld0("GGIO1$ST$Ind1$stVal"), Data(false)));
  EXPECT_TRUE(server->take_reports().empty());
}

TEST_F(ServerTest, EnableReportOfUnknownListFails) {
  establish();
  const Status st = server->enable_report(ld0("LLN0$Nope"));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, make_error_code(ModelErrc::object_undefined));
}

TEST_F(ServerTest, ReportQueueDropsOldestBeyondLimit) {
  ServerOptions so;
  so.max_pending_reports = 2;
  establish(so);
  ASSERT_TRUE(server->enable_report(dataset1()).ok());
  for (int i = 0; i < 3; ++i) ASSERT_FALSE(vmd.update(ld0("GGIO1$ST$Ind2$stVal"), Data(i % 2 == 0)));
  EXPECT_EQ(server->take_reports().size(), 2U);
  EXPECT_EQ(server->dropped_reports(), 1U);
}

TEST_F(ServerTest, ReportLargerThanPduSizeIsDropped) {
  ServerOptions so;
  so.max_pdu_size = 256;
  establish(so);
  ASSERT_TRUE(
      vmd.define_named_variable_list(ld0("LLN0$Big"), {ld0("MMXU1"), ld0("GGIO1"), ld0("LLN0")}).ok());
  ASSERT_TRUE(server->enable_report(ld0("LLN0$Big")).ok());
  ASSERT_TRUE(update_measurements(vmd, 1.0).ok());
  EXPECT_TRUE(server->take_reports().empty());
  EXPECT_GT(server->dropped_reports(), 0U);
}

TEST_F(ServerTest, ClientWriteToMemberOfEnabledListReports) {
  establish();
  ASSERT_TRUE(vmd.define_named_variable_list(ld0("LLN0$Cfg"), {ld0("XCBR1$CF$Pos")}).ok());
  ASSERT_TRUE(server->enable_report(ld0("LLN0$Cfg")).ok());
  const Completion c = exchange(client->write(ld0("XCBR1$CF$Pos$ctlModel"), Data(std::int64_t{2})));
  EXPECT_EQ(single_write_result(c), std::nullopt);
  auto reports = server->take_reports();
  ASSERT_EQ(reports.size(), 1U);
  (void)client->on_pdu(reports[0]);
  auto got = client->take_reports();
  ASSERT_EQ(got.size(), 1U);
  EXPECT_EQ(got[0].results[0], AccessResult(Data(DataStructure{{Data(std::int64_t{2})}})));
}

TEST_F(ServerTest, DeletingAnEnabledListStopsItsReports) {
  establish();
  const ObjectName ds = ld0("LLN0$Tmp");
  ASSERT_TRUE(vmd.define_named_variable_list(ds, {ld0("GGIO1$ST$Ind4")}).ok());
  ASSERT_TRUE(server->enable_report(ds).ok());
  const Completion c = exchange(client->delete_named_variable_list({ds}));
  ASSERT_NE(c.get<DeleteNamedVariableListResponse>(), nullptr);
  ASSERT_TRUE(vmd.define_named_variable_list(ds, {ld0("GGIO1$ST$Ind4")}).ok());  // same name again
  ASSERT_FALSE(vmd.update(ld0("GGIO1$ST$Ind4$stVal"), Data(true)));
  EXPECT_TRUE(server->take_reports().empty());
}

// ---------------------------------------------------------------------------------------------
// Report control blocks (RptEna) and the report hook
// ---------------------------------------------------------------------------------------------

namespace {
ServerOptions with_default_rcb() {
  ServerOptions so;
  so.report_controls = default_report_controls();
  return so;
}

ObjectName rpt_ena() { return ld0(std::string(kDefaultReportControl) + "$RptEna"); }
}  // namespace

TEST_F(ServerTest, WritingRptEnaTrueEnablesReportsOfTheDataSet) {
  establish(with_default_rcb());
  ASSERT_FALSE(vmd.update(ld0("GGIO1$ST$Ind1$stVal"), Data(true)));  // not enabled yet
  EXPECT_TRUE(server->take_reports().empty());
  EXPECT_EQ(single_write_result(exchange(client->write(rpt_ena(), Data(true)))), std::nullopt);
  EXPECT_EQ(read_value(rpt_ena()), Data(true));
  ASSERT_FALSE(vmd.update(ld0("GGIO1$ST$Ind1$stVal"), Data(false)));
  auto reports = server->take_reports();
  ASSERT_EQ(reports.size(), 1U);
  (void)client->on_pdu(reports[0]);
  auto got = client->take_reports();
  ASSERT_EQ(got.size(), 1U);
  EXPECT_EQ(got[0].variables, VariableAccessSpecification(VariableListName{dataset1()}));
}

TEST_F(ServerTest, WritingRptEnaFalseDisablesReports) {
  establish(with_default_rcb());
  ASSERT_EQ(single_write_result(exchange(client->write(rpt_ena(), Data(true)))), std::nullopt);
  ASSERT_EQ(single_write_result(exchange(client->write(rpt_ena(), Data(false)))), std::nullopt);
  ASSERT_FALSE(vmd.update(ld0("GGIO1$ST$Ind1$stVal"), Data(true)));
  EXPECT_TRUE(server->take_reports().empty());
}

TEST_F(ServerTest, WritingTheWholeControlBlockFollowsItsRptEna) {
  establish(with_default_rcb());
  const ObjectName rcb = ld0(std::string(kDefaultReportControl));
  // DatSet is read-only: writing the whole block is denied, nothing is enabled.
  auto current = vmd.read(rcb);
  ASSERT_TRUE(current.ok());
  DataStructure s = *current->get<DataStructure>();
  s.members[1] = Data(true);
  EXPECT_EQ(single_write_result(exchange(client->write(rcb, Data(s)))),
            DataAccessError::object_access_denied);
  ASSERT_FALSE(vmd.update(ld0("GGIO1$ST$Ind1$stVal"), Data(true)));
  EXPECT_TRUE(server->take_reports().empty());
}

TEST_F(ServerTest, RptEnaIsPerAssociation) {
  establish(with_default_rcb());
  ServerSession other(vmd, {}, with_default_rcb());
  ClientSession other_client;
  auto resp = other.on_initiate(other_client.initiate_request());
  ASSERT_TRUE(resp.ok());
  ASSERT_TRUE(other_client.on_initiate_response(*resp).ok());
  EXPECT_EQ(single_write_result(exchange(client->write(rpt_ena(), Data(true)))), std::nullopt);
  ASSERT_FALSE(vmd.update(ld0("GGIO1$ST$Ind2$stVal"), Data(true)));
  EXPECT_EQ(server->take_reports().size(), 1U);
  EXPECT_TRUE(other.take_reports().empty());
}

TEST_F(ServerTest, ReportHookRunsWhenAReportIsQueued) {
  int calls = 0;
  ServerOptions so;
  so.on_report_queued = [&calls] { ++calls; };
  establish(so);
  ASSERT_FALSE(vmd.update(ld0("GGIO1$ST$Ind1$stVal"), Data(true)));
  EXPECT_EQ(calls, 0);  // nothing enabled
  ASSERT_TRUE(server->enable_report(dataset1()).ok());
  ASSERT_FALSE(vmd.update(ld0("GGIO1$ST$Ind1$stVal"), Data(false)));
  ASSERT_FALSE(vmd.update(ld0("GGIO1$ST$Ind2$stVal"), Data(true)));
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(server->take_reports().size(), 2U);
}

// ---------------------------------------------------------------------------------------------
// Model-lock classification and request records
// ---------------------------------------------------------------------------------------------

TEST_F(ServerTest, MayModifyModelOnlyForWriteDefineAndDelete) {
  establish();
  const ObjectName x = ld0("GGIO1$ST$Ind1$stVal");
  EXPECT_FALSE(ServerSession::may_modify_model(client->read(x)->pdu));
  EXPECT_FALSE(ServerSession::may_modify_model(client->identify()->pdu));
  EXPECT_FALSE(ServerSession::may_modify_model(client->status()->pdu));
  EXPECT_FALSE(ServerSession::may_modify_model(client->get_variable_access_attributes(x)->pdu));
  EXPECT_FALSE(ServerSession::may_modify_model(client->get_named_variable_list_attributes(dataset1())->pdu));
  EXPECT_FALSE(ServerSession::may_modify_model(
      client->get_name_list(GetNameListRequest{object_class::kDomain, GetNameListRequest::Scope::vmd, {}, {}})
          ->pdu));
  EXPECT_FALSE(ServerSession::may_modify_model(encode_pdu(Pdu{ConcludeRequestPdu{}})));
  EXPECT_TRUE(ServerSession::may_modify_model(client->write(x, Data(true))->pdu));
  EXPECT_TRUE(ServerSession::may_modify_model(client->define_named_variable_list(ld0("LLN0$N"), {x})->pdu));
  EXPECT_TRUE(ServerSession::may_modify_model(client->delete_named_variable_list({ld0("LLN0$N")})->pdu));
  // Undecodable or unknown: the safe answer.
  EXPECT_TRUE(ServerSession::may_modify_model(hex("a0 05 02 01 07 83 00")));  // rename
  EXPECT_TRUE(ServerSession::may_modify_model(hex("a0 05 02 01")));           // truncated
  EXPECT_TRUE(ServerSession::may_modify_model(hex("ff 01 00")));
  EXPECT_TRUE(ServerSession::may_modify_model({}));
}

TEST_F(ServerTest, RequestRecordsNameServiceObjectAndResult) {
  ServerOptions so;
  so.record_requests = true;
  establish(so);
  auto req = client->read(ld0("MMXU1$MX$TotW$mag$f"));
  auto out = server->on_pdu(req->pdu);
  ASSERT_TRUE(out.request);
  EXPECT_EQ(out.request->invoke_id, req->invoke_id);
  EXPECT_EQ(out.request->service, service::kRead);
  EXPECT_EQ(out.request->object, "LD0/MMXU1$MX$TotW$mag$f");
  EXPECT_EQ(out.request->objects, 1U);
  EXPECT_TRUE(out.request->ok);
  (void)client->on_pdu(out.send.at(0));

  req = client->write(ld0("XCBR1$ST$Pos$stVal"), Data(make_bit_string({0}, 2)));
  out = server->on_pdu(req->pdu);
  ASSERT_TRUE(out.request);
  EXPECT_EQ(out.request->service, service::kWrite);
  EXPECT_FALSE(out.request->ok);
  EXPECT_EQ(out.request->result, "object-access-denied");
  (void)client->on_pdu(out.send.at(0));

  req = client->get_variable_access_attributes(ld0("Nope"));
  out = server->on_pdu(req->pdu);
  ASSERT_TRUE(out.request);
  EXPECT_FALSE(out.request->ok);
  EXPECT_EQ(out.request->result, "access: object-non-existent");
  (void)client->on_pdu(out.send.at(0));

  out = server->on_pdu(hex("a0 05 02 01 07 83 00"));  // rename: fails to decode, no record
  EXPECT_FALSE(out.request);
  EXPECT_TRUE(out.error);
}

TEST_F(ServerTest, RequestRecordsAreOffByDefault) {
  establish();
  auto out = server->on_pdu(client->identify()->pdu);
  EXPECT_FALSE(out.request);
}

TEST_F(ServerTest, PduLargerThanNegotiatedIsRejectedUndecoded) {
  ServerOptions so;
  so.max_pdu_size = 300;
  establish(so);
  std::vector<ObjectName> many;
  for (int i = 0; i < 30; ++i) many.push_back(ld0("GGIO1$ST$Ind1$stVal"));
  ReadRequest rr;
  ListOfVariable l;
  for (auto& n : many) l.items.push_back(VariableDef{n, std::nullopt});
  rr.variables = l;
  const Bytes big = encode_pdu(Pdu{ConfirmedRequestPdu{99, rr}});
  ASSERT_GT(big.size(), 300U);
  auto out = server->on_pdu(big);
  ASSERT_EQ(out.send.size(), 1U);
  const Pdu p = decode(out.send[0]);
  const auto* rj = p.get<RejectPdu>();
  ASSERT_NE(rj, nullptr);
  EXPECT_EQ(rj->reject_class, RejectClass::pdu_error);
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->code, code(SessionErrc::pdu_too_large));
}

// ---------------------------------------------------------------------------------------------
// Rejects
// ---------------------------------------------------------------------------------------------

// Confirmed-RequestPDU invokeID 7 with service [3] rename (not implemented):
//   a0 05 02 01 07 83 00  -> RejectPDU a4 06 80 01 07 81 01 01 (unrecognized-service)
TEST_F(ServerTest, UnknownServiceIsRejectedAsUnrecognized) {
  establish();
  auto out = server->on_pdu(hex("a0 05 02 01 07 83 00"));
  ASSERT_EQ(out.send.size(), 1U);
  EXPECT_EQ(to_hex(out.send[0]),
            "a40680010781010"
            "1");
  ASSERT_TRUE(out.error);
}

TEST_F(ServerTest, ServiceWeDoNotOfferIsRejectedAsUnrecognized) {
  ServerOptions so;
  so.services_supported = make_bit_string({service_bit::kRead}, service_bit::kCount);
  establish(so);
  auto req = client->identify();
  ASSERT_TRUE(req.ok());
  auto out = server->on_pdu(req->pdu);
  ASSERT_EQ(out.send.size(), 1U);
  auto got = client->on_pdu(out.send[0]);
  ASSERT_TRUE(got.completion);
  ASSERT_NE(got.completion->reject(), nullptr);
  EXPECT_EQ(got.completion->reject()->code, reject_code::kRequestUnrecognizedService);
  EXPECT_EQ(client->outstanding(), 0U);
}

TEST_F(ServerTest, GarbageIsRejectedAsPduError) {
  establish();
  auto out = server->on_pdu(hex("ff 01 00"));
  ASSERT_EQ(out.send.size(), 1U);
  const Pdu rj_pdu = decode(out.send[0]);
  const auto* rj = rj_pdu.get<RejectPdu>();
  ASSERT_NE(rj, nullptr);
  EXPECT_EQ(rj->reject_class, RejectClass::pdu_error);
  EXPECT_TRUE(out.error);
}

TEST_F(ServerTest, TruncatedRequestIsRejectedWithItsInvokeId) {
  establish();
  auto req = client->read(ld0("MMXU1$MX$TotW$mag$f"));
  ASSERT_TRUE(req.ok());
  Bytes cut = req->pdu;
  cut.resize(cut.size() - 3);
  cut[1] = static_cast<std::uint8_t>(cut.size() - 2);  // outer length consistent, inner truncated
  auto out = server->on_pdu(cut);
  ASSERT_EQ(out.send.size(), 1U);
  const Pdu rj_pdu = decode(out.send[0]);
  const auto* rj = rj_pdu.get<RejectPdu>();
  ASSERT_NE(rj, nullptr);
  EXPECT_EQ(rj->reject_class, RejectClass::confirmed_request);
  EXPECT_EQ(rj->original_invoke_id, req->invoke_id);
  // The client gets its request completed by the reject.
  auto got = client->on_pdu(out.send[0]);
  ASSERT_TRUE(got.completion);
  EXPECT_NE(got.completion->reject(), nullptr);
}

TEST_F(ServerTest, RequestsBeyondNegotiatedOutstandingAreRejected) {
  ServerOptions so;
  so.max_outstanding_calling = 2;
  establish(so);
  server->hold(true);
  // The client would refuse the third request itself; send a raw one to test the server.
  auto r1 = client->identify();
  auto r2 = client->status();
  ASSERT_TRUE(r1.ok());
  ASSERT_TRUE(r2.ok());
  auto r3 = client->identify();
  ASSERT_FALSE(r3.ok());
  EXPECT_EQ(r3.error().code, code(SessionErrc::too_many_outstanding));
  EXPECT_TRUE(server->on_pdu(r1->pdu).send.empty());
  EXPECT_TRUE(server->on_pdu(r2->pdu).send.empty());
  EXPECT_EQ(server->outstanding(), 2U);
  auto out = server->on_pdu(encode_pdu(Pdu{ConfirmedRequestPdu{99, IdentifyRequest{}}}));
  ASSERT_EQ(out.send.size(), 1U);
  const Pdu rj_pdu = decode(out.send[0]);
  const auto* rj = rj_pdu.get<RejectPdu>();
  ASSERT_NE(rj, nullptr);
  EXPECT_EQ(rj->original_invoke_id, 99U);
  EXPECT_EQ(rj->code, reject_code::kRequestMaxServOutstandingExceeded);
  EXPECT_EQ(out.error->code, code(SessionErrc::too_many_outstanding));

  auto released = server->release();
  ASSERT_EQ(released.size(), 2U);
  EXPECT_EQ(server->outstanding(), 0U);
  auto c1 = client->on_pdu(released[0]);
  auto c2 = client->on_pdu(released[1]);
  ASSERT_TRUE(c1.completion);
  ASSERT_TRUE(c2.completion);
  EXPECT_NE(c1.completion->get<IdentifyResponse>(), nullptr);
  EXPECT_NE(c2.completion->get<StatusResponse>(), nullptr);
  EXPECT_EQ(client->outstanding(), 0U);
}

TEST_F(ServerTest, DuplicateOutstandingInvokeIdIsRejected) {
  establish();
  server->hold(true);
  const Bytes req = encode_pdu(Pdu{ConfirmedRequestPdu{5, StatusRequest{}}});
  EXPECT_TRUE(server->on_pdu(req).send.empty());
  auto out = server->on_pdu(req);
  ASSERT_EQ(out.send.size(), 1U);
  const Pdu rj_pdu = decode(out.send[0]);
  const auto* rj = rj_pdu.get<RejectPdu>();
  ASSERT_NE(rj, nullptr);
  EXPECT_EQ(rj->code, reject_code::kRequestInvalidInvokeId);
  EXPECT_EQ(out.error->code, code(SessionErrc::duplicate_invoke_id));
}

TEST_F(ServerTest, CancelOfHeldRequestIsNotPossible) {
  establish();
  server->hold(true);
  EXPECT_TRUE(server->on_pdu(encode_pdu(Pdu{ConfirmedRequestPdu{5, StatusRequest{}}})).send.empty());
  const Pdu p = answer_raw(encode_pdu(Pdu{CancelRequestPdu{5}}));
  const auto* ce = p.get<CancelErrorPdu>();
  ASSERT_NE(ce, nullptr);
  EXPECT_EQ(ce->original_invoke_id, 5U);
  EXPECT_EQ(ce->error.code, error_code::kCancelNotPossible);
}

TEST_F(ServerTest, CancelOfUnknownRequestIsRejected) {
  establish();
  const Pdu p = answer_raw(encode_pdu(Pdu{CancelRequestPdu{42}}));
  const auto* rj = p.get<RejectPdu>();
  ASSERT_NE(rj, nullptr);
  EXPECT_EQ(rj->reject_class, RejectClass::cancel_request);
  EXPECT_EQ(rj->code, reject_code::kCancelRequestInvalidInvokeId);
}

TEST_F(ServerTest, ResponsesAndErrorsFromTheClientAreRejected) {
  establish();
  Pdu p = answer_raw(encode_pdu(Pdu{ConfirmedResponsePdu{3, StatusResponse{}}}));
  ASSERT_NE(p.get<RejectPdu>(), nullptr);
  EXPECT_EQ(p.get<RejectPdu>()->reject_class, RejectClass::confirmed_response);
  p = answer_raw(encode_pdu(Pdu{ConfirmedErrorPdu{3, std::nullopt, ServiceError{}}}));
  ASSERT_NE(p.get<RejectPdu>(), nullptr);
  EXPECT_EQ(p.get<RejectPdu>()->reject_class, RejectClass::confirmed_error);
  p = answer_raw(encode_pdu(Pdu{CancelResponsePdu{3}}));
  ASSERT_NE(p.get<RejectPdu>(), nullptr);
  EXPECT_EQ(p.get<RejectPdu>()->reject_class, RejectClass::cancel_response);
  p = answer_raw(encode_pdu(Pdu{CancelErrorPdu{3, ServiceError{}}}));
  ASSERT_NE(p.get<RejectPdu>(), nullptr);
  EXPECT_EQ(p.get<RejectPdu>()->reject_class, RejectClass::cancel_error);
  UnconfirmedPdu u;
  u.report.variables = VariableListName{dataset1()};
  p = answer_raw(encode_pdu(Pdu{u}));
  ASSERT_NE(p.get<RejectPdu>(), nullptr);
  EXPECT_EQ(p.get<RejectPdu>()->reject_class, RejectClass::unconfirmed);
  p = answer_raw(encode_pdu(Pdu{ConcludeResponsePdu{}}));
  ASSERT_NE(p.get<RejectPdu>(), nullptr);
  EXPECT_EQ(p.get<RejectPdu>()->reject_class, RejectClass::pdu_error);
}

TEST_F(ServerTest, RejectFromTheClientIsNotAnswered) {
  establish();
  auto out = server->on_pdu(encode_pdu(Pdu{RejectPdu{1, RejectClass::confirmed_response, 1}}));
  EXPECT_TRUE(out.send.empty());
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->code, code(SessionErrc::peer_rejected));
}

// ---------------------------------------------------------------------------------------------
// Conclude
// ---------------------------------------------------------------------------------------------

TEST_F(ServerTest, Conclude) {
  establish();
  auto req = client->conclude();
  ASSERT_TRUE(req.ok());
  EXPECT_EQ(to_hex(*req), "8b00");  // conclude-RequestPDU [11] NULL
  auto out = server->on_pdu(*req);
  ASSERT_EQ(out.send.size(), 1U);
  EXPECT_EQ(to_hex(out.send[0]), "8c00");  // conclude-ResponsePDU [12] NULL
  EXPECT_TRUE(out.conclude);
  EXPECT_TRUE(server->concluded());
  auto got = client->on_pdu(out.send[0]);
  ASSERT_TRUE(got.completion);
  EXPECT_TRUE(got.completion->conclude);
  EXPECT_TRUE(client->concluded());
  // Nothing after the conclude.
  auto after = server->on_pdu(encode_pdu(Pdu{ConfirmedRequestPdu{1, StatusRequest{}}}));
  EXPECT_TRUE(after.send.empty());
  EXPECT_EQ(after.error->code, code(SessionErrc::concluded));
  auto c2 = client->identify();
  ASSERT_FALSE(c2.ok());
  EXPECT_EQ(c2.error().code, code(SessionErrc::concluded));
}

TEST_F(ServerTest, ConcludeWithOutstandingRequestIsRefused) {
  establish();
  server->hold(true);
  EXPECT_TRUE(server->on_pdu(encode_pdu(Pdu{ConfirmedRequestPdu{5, StatusRequest{}}})).send.empty());
  auto out = server->on_pdu(encode_pdu(Pdu{ConcludeRequestPdu{}}));
  ASSERT_EQ(out.send.size(), 1U);
  const Pdu ce_pdu = decode(out.send[0]);
  const auto* ce = ce_pdu.get<ConcludeErrorPdu>();
  ASSERT_NE(ce, nullptr);
  EXPECT_EQ(ce->error.error_class, ErrorClass::conclude);
  EXPECT_EQ(ce->error.code, error_code::kConcludeFurtherCommunicationRequired);
  EXPECT_FALSE(out.conclude);
  EXPECT_FALSE(server->concluded());
}

TEST_F(ServerTest, NoReportsAfterConclude) {
  establish();
  ASSERT_TRUE(server->enable_report(dataset1()).ok());
  auto req = client->conclude();
  ASSERT_TRUE(req.ok());
  (void)server->on_pdu(*req);
  ASSERT_FALSE(vmd.update(ld0("GGIO1$ST$Ind1$stVal"), Data(true)));
  EXPECT_TRUE(server->take_reports().empty());
}

TEST_F(ServerTest, SessionDestructorUnsubscribes) {
  establish();
  ASSERT_TRUE(server->enable_report(dataset1()).ok());
  server.reset();
  // Would touch a destroyed session (ASan) if still subscribed.
  EXPECT_FALSE(vmd.update(ld0("GGIO1$ST$Ind1$stVal"), Data(true)));
}

TEST(MmsSessionErrors, CategoryIsTheLayerName) {
  EXPECT_STREQ(session_category().name(), "mms");
  EXPECT_EQ(make_error_code(SessionErrc::unknown_invoke_id).message(), "unknown invokeID");
}

}  // namespace mmssec::mms
