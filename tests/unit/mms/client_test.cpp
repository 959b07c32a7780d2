// SPDX-License-Identifier: Apache-2.0
// ClientSession on its own, against hand-made server PDUs: the Initiate request it builds,
// negotiated values, invokeID allocation (sequence, wrap, skipping outstanding identifiers),
// matching by invokeID, protocol errors (unknown invokeID, wrong service, undecodable PDUs),
// the outstanding budget, reports and Conclude.
#include "mmssec/mms/client.hpp"

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

Pdu decode(const Bytes& b) {
  auto r = decode_pdu(b);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().describe()) << " for " << to_hex(b);
  return r.ok() ? *r : Pdu{};
}

std::error_code code(SessionErrc e) { return make_error_code(e); }

ObjectName ld0(std::string item) { return ObjectName::domain_specific("LD0", std::move(item)); }

InitiateParameters response_params(std::int16_t calling = 5, std::int16_t called = 5) {
  InitiateParameters p;
  p.local_detail = 65000;
  p.max_serv_outstanding_calling = calling;
  p.max_serv_outstanding_called = called;
  p.data_structure_nesting_level = 10;
  p.version_number = 1;
  p.parameter_cbb = iec61850_parameter_cbb();
  p.services_supported = server_services();
  return p;
}

Bytes response_bytes(const InitiateParameters& p) { return encode_pdu(Pdu{InitiateResponsePdu{p}}); }

class ClientTest : public ::testing::Test {
 protected:
  void establish(InitiateParameters p = response_params()) {
    auto r = client.on_initiate_response(response_bytes(p));
    ASSERT_TRUE(r.ok()) << r.error().describe();
  }
  ClientSession client;
};

}  // namespace

// The request a default client sends is exactly libiec61850's, except the outstanding counts
// (16/16 from Limits) :
//   a8 26 80 03 00 fd e8        localDetailCalling 65000
//   81 01 10 82 01 10           proposedMaxServOutstandingCalling/Called 16
//   83 01 0a                    nesting level 10
//   a4 16 80 01 01 81 03 05 f1 00 82 0c 03 ee 1c 00 00 04 08 00 00 79 ef 18
TEST_F(ClientTest, GoldenInitiateRequest) {
  EXPECT_EQ(to_hex(client.initiate_request()),
            to_hex(hex("a8 26 80 03 00 fd e8 81 01 10 82 01 10 83 01 0a a4 16 80 01 01 81 03 05 f1 00"
                       " 82 0c 03 ee 1c 00 00 04 08 00 00 79 ef 18")));
}

TEST_F(ClientTest, OptionsFromLimits) {
  Limits l;
  l.mms_max_outstanding = 3;
  l.mms_max_pdu_size = 4000;
  ClientSession c(ClientOptions::from(l));
  const Pdu req_pdu = decode(c.initiate_request());
  const auto* req = req_pdu.get<InitiateRequestPdu>();
  ASSERT_NE(req, nullptr);
  EXPECT_EQ(req->params.max_serv_outstanding_calling, 3);
  EXPECT_EQ(req->params.local_detail, 4000);
}

TEST_F(ClientTest, InitiateResponseGivesNegotiatedValues) {
  auto r = client.on_initiate_response(response_bytes(response_params(2, 3)));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(client.established());
  EXPECT_EQ(client.negotiated().max_serv_outstanding_calling, 2);
  EXPECT_EQ(client.max_outstanding(), 2U);
}

TEST_F(ClientTest, InitiateResponseAboveProposalIsRefused) {
  auto r = client.on_initiate_response(response_bytes(response_params(17, 5)));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, make_error_code(Errc::value_out_of_range));
  EXPECT_FALSE(client.established());
}

TEST_F(ClientTest, InitiateResponseWithZeroOutstandingIsRefused) {
  auto r = client.on_initiate_response(response_bytes(response_params(5, 0)));
  ASSERT_FALSE(r.ok());
  EXPECT_FALSE(client.established());
}

TEST_F(ClientTest, InitiateResponseWithVersionZeroIsRefused) {
  InitiateParameters p = response_params();
  p.version_number = 0;
  auto r = client.on_initiate_response(response_bytes(p));
  ASSERT_FALSE(r.ok());
}

// Initiate-ErrorPDU [10] carrying ServiceError { errorClass initiate [8]: version-incompatible (1) }
TEST_F(ClientTest, InitiateErrorIsReported) {
  const Bytes wire = encode_pdu(Pdu{InitiateErrorPdu{ServiceError{ErrorClass::initiate, 1, {}, {}, {}}}});
  auto r = client.on_initiate_response(wire);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code(SessionErrc::initiate_refused));
  ASSERT_TRUE(client.initiate_error());
  EXPECT_EQ(client.initiate_error()->error_class, ErrorClass::initiate);
}

TEST_F(ClientTest, InitiateResponseUndecodableOrWrongPdu) {
  EXPECT_FALSE(client.on_initiate_response(hex("a9 02 80")).ok());
  auto r = client.on_initiate_response(encode_pdu(Pdu{ConcludeResponsePdu{}}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code(SessionErrc::unexpected_pdu));
}

TEST_F(ClientTest, SecondInitiateResponseIsAnError) {
  establish();
  auto r = client.on_initiate_response(response_bytes(response_params()));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code(SessionErrc::already_initiated));
}

TEST_F(ClientTest, RequestBeforeInitiateFails) {
  auto r = client.identify();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code(SessionErrc::not_initiated));
  auto out = client.on_pdu(encode_pdu(Pdu{ConfirmedResponsePdu{1, StatusResponse{}}}));
  EXPECT_EQ(out.error->code, code(SessionErrc::not_initiated));
  EXPECT_FALSE(client.conclude().ok());
}

// Identify with invokeID 1: a0 05 02 01 01 82 00 (confirmed-RequestPDU, identify [2] NULL)
TEST_F(ClientTest, GoldenIdentifyRequestAndSequentialInvokeIds) {
  establish();
  auto r1 = client.identify();
  ASSERT_TRUE(r1.ok());
  EXPECT_EQ(r1->invoke_id, 1U);
  EXPECT_EQ(to_hex(r1->pdu),
            "a005020101820"
            "0");
  auto r2 = client.status();
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2->invoke_id, 2U);
  EXPECT_EQ(client.outstanding(), 2U);
}

TEST_F(ClientTest, InvokeIdWrapsAndSkipsOutstanding) {
  establish();
  client.set_next_invoke_id(0xffffffffU);
  auto a = client.identify();
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->invoke_id, 0xffffffffU);
  auto b = client.identify();
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->invoke_id, 0U);  // wrapped
  client.set_next_invoke_id(0xffffffffU);
  auto c = client.identify();  // 0xffffffff and 0 outstanding: next free is 1
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->invoke_id, 1U);
}

TEST_F(ClientTest, OutstandingBudgetIsEnforced) {
  establish(response_params(2, 2));
  ASSERT_TRUE(client.identify().ok());
  ASSERT_TRUE(client.identify().ok());
  auto third = client.identify();
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.error().code, code(SessionErrc::too_many_outstanding));
  // An answer frees a slot.
  auto out = client.on_pdu(encode_pdu(Pdu{ConfirmedResponsePdu{1, IdentifyResponse{"a", "b", "c", {}}}}));
  ASSERT_TRUE(out.completion);
  EXPECT_TRUE(client.identify().ok());
}

TEST_F(ClientTest, RequestLargerThanServerPduSizeIsRefused) {
  InitiateParameters p = response_params();
  p.local_detail = 40;
  establish(p);
  auto r = client.write(ld0("LLN0$DC$NamPlt$d"), Data(VisibleStringValue{std::string(60, 'x')}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code(SessionErrc::pdu_too_large));
  EXPECT_EQ(client.outstanding(), 0U);
}

TEST_F(ClientTest, ResponseMatchedByInvokeId) {
  establish();
  auto a = client.read(ld0("A"));
  auto b = client.identify();
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  // Answers arrive out of order.
  auto ob =
      client.on_pdu(encode_pdu(Pdu{ConfirmedResponsePdu{b->invoke_id, IdentifyResponse{"v", "m", "r", {}}}}));
  ASSERT_TRUE(ob.completion);
  EXPECT_EQ(ob.completion->invoke_id, b->invoke_id);
  EXPECT_EQ(ob.completion->service, service::kIdentify);
  ReadResponse rr;
  rr.results.emplace_back(Data(true));
  auto oa = client.on_pdu(encode_pdu(Pdu{ConfirmedResponsePdu{a->invoke_id, rr}}));
  ASSERT_TRUE(oa.completion);
  ASSERT_NE(oa.completion->get<ReadResponse>(), nullptr);
  EXPECT_EQ(oa.completion->get<ReadResponse>()->results[0], AccessResult(Data(true)));
  EXPECT_EQ(client.outstanding(), 0U);
}

// A response with an invokeID nothing is waiting for: protocol error and RejectPDU
// a4 06 80 01 63 82 01 02 (confirmed-responsePDU invalid-invokeID, invokeID 99).
TEST_F(ClientTest, UnknownInvokeIdIsAProtocolError) {
  establish();
  auto out = client.on_pdu(encode_pdu(Pdu{ConfirmedResponsePdu{99, StatusResponse{}}}));
  EXPECT_FALSE(out.completion);
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->code, code(SessionErrc::unknown_invoke_id));
  ASSERT_EQ(out.send.size(), 1U);
  EXPECT_EQ(to_hex(out.send[0]), "a406800163820102");
}

TEST_F(ClientTest, UnknownInvokeIdInErrorIsAProtocolError) {
  establish();
  auto out = client.on_pdu(encode_pdu(Pdu{ConfirmedErrorPdu{7, std::nullopt, ServiceError{}}}));
  EXPECT_FALSE(out.completion);
  EXPECT_EQ(out.error->code, code(SessionErrc::unknown_invoke_id));
  ASSERT_EQ(out.send.size(), 1U);
  EXPECT_EQ(decode(out.send[0]).get<RejectPdu>()->reject_class, RejectClass::confirmed_error);
}

TEST_F(ClientTest, ResponseOfAnotherServiceIsRejected) {
  establish();
  auto a = client.identify();
  ASSERT_TRUE(a.ok());
  auto out = client.on_pdu(encode_pdu(Pdu{ConfirmedResponsePdu{a->invoke_id, StatusResponse{}}}));
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->code, code(SessionErrc::response_mismatch));
  ASSERT_TRUE(out.completion);
  ASSERT_NE(out.completion->reject(), nullptr);
  EXPECT_EQ(out.completion->reject()->code, reject_code::kResponseInvalidResult);
  ASSERT_EQ(out.send.size(), 1U);
  EXPECT_EQ(client.outstanding(), 0U);
}

TEST_F(ClientTest, ServiceErrorCompletesTheRequest) {
  establish();
  auto a = client.get_variable_access_attributes(ld0("X"));
  ASSERT_TRUE(a.ok());
  ServiceError e{ErrorClass::access, 2, {}, {}, {}};
  auto out = client.on_pdu(encode_pdu(Pdu{ConfirmedErrorPdu{a->invoke_id, std::nullopt, e}}));
  ASSERT_TRUE(out.completion);
  ASSERT_NE(out.completion->service_error(), nullptr);
  EXPECT_EQ(*out.completion->service_error(), e);
  EXPECT_EQ(out.completion->service, service::kGetVariableAccessAttributes);
}

TEST_F(ClientTest, RejectWithInvokeIdCompletesTheRequest) {
  establish();
  auto a = client.status();
  ASSERT_TRUE(a.ok());
  auto out = client.on_pdu(encode_pdu(Pdu{RejectPdu{a->invoke_id, RejectClass::confirmed_request, 1}}));
  ASSERT_TRUE(out.completion);
  ASSERT_NE(out.completion->reject(), nullptr);
  EXPECT_TRUE(out.send.empty());  // never answer a reject
  EXPECT_EQ(out.error->code, code(SessionErrc::peer_rejected));
  EXPECT_EQ(client.outstanding(), 0U);
}

TEST_F(ClientTest, RejectWithoutInvokeIdCompletesNothing) {
  establish();
  ASSERT_TRUE(client.status().ok());
  auto out = client.on_pdu(encode_pdu(Pdu{RejectPdu{std::nullopt, RejectClass::pdu_error, 1}}));
  EXPECT_FALSE(out.completion);
  EXPECT_EQ(out.error->code, code(SessionErrc::peer_rejected));
  EXPECT_EQ(client.outstanding(), 1U);
}

TEST_F(ClientTest, UndecodableResponseIsRejectedAndCompletesItsRequest) {
  establish();
  auto a = client.identify();
  ASSERT_TRUE(a.ok());
  // a1 07 02 01 01 a2 02 80 00: identify response whose vendorName is cut short.
  auto out = client.on_pdu(hex("a1 07 02 01 01 a2 02 80 00"));
  ASSERT_TRUE(out.error);
  ASSERT_EQ(out.send.size(), 1U);
  const Pdu rj_pdu = decode(out.send[0]);
  const auto* rj = rj_pdu.get<RejectPdu>();
  ASSERT_NE(rj, nullptr);
  EXPECT_EQ(rj->reject_class, RejectClass::confirmed_response);
  ASSERT_TRUE(out.completion);
  EXPECT_EQ(out.completion->invoke_id, a->invoke_id);
  EXPECT_EQ(client.outstanding(), 0U);
}

TEST_F(ClientTest, GarbageIsRejected) {
  establish();
  auto out = client.on_pdu(hex("05 00"));
  ASSERT_TRUE(out.error);
  ASSERT_EQ(out.send.size(), 1U);
  EXPECT_EQ(decode(out.send[0]).get<RejectPdu>()->reject_class, RejectClass::pdu_error);
}

TEST_F(ClientTest, RequestsFromTheServerAreRejected) {
  establish();
  auto out = client.on_pdu(encode_pdu(Pdu{ConfirmedRequestPdu{4, IdentifyRequest{}}}));
  ASSERT_EQ(out.send.size(), 1U);
  const Pdu rj_pdu = decode(out.send[0]);
  const auto* rj = rj_pdu.get<RejectPdu>();
  ASSERT_NE(rj, nullptr);
  EXPECT_EQ(rj->code, reject_code::kRequestUnrecognizedService);
  EXPECT_EQ(out.error->code, code(SessionErrc::unexpected_pdu));
  out = client.on_pdu(encode_pdu(Pdu{CancelRequestPdu{4}}));
  ASSERT_EQ(out.send.size(), 1U);
  EXPECT_EQ(out.error->code, code(SessionErrc::unexpected_pdu));
}

TEST_F(ClientTest, ReportsAreQueuedSeparately) {
  establish();
  UnconfirmedPdu u;
  u.report.variables = VariableListName{ld0("LLN0$DataSet1")};
  u.report.results.emplace_back(Data(true));
  auto out = client.on_pdu(encode_pdu(Pdu{u}));
  EXPECT_FALSE(out.completion);
  EXPECT_FALSE(out.error);
  EXPECT_TRUE(out.send.empty());
  auto reports = client.take_reports();
  ASSERT_EQ(reports.size(), 1U);
  EXPECT_EQ(reports[0], u.report);
  EXPECT_TRUE(client.take_reports().empty());
}

TEST_F(ClientTest, ReportQueueKeepsTheNewest) {
  ClientOptions o;
  o.max_pending_reports = 2;
  ClientSession c(o);
  ASSERT_TRUE(c.on_initiate_response(response_bytes(response_params())).ok());
  for (int i = 0; i < 3; ++i) {
    UnconfirmedPdu u;
    u.report.variables = VariableListName{ld0("LLN0$DataSet1")};
    u.report.results.emplace_back(Data(std::int64_t{i}));
    (void)c.on_pdu(encode_pdu(Pdu{u}));
  }
  auto reports = c.take_reports();
  ASSERT_EQ(reports.size(), 2U);
  EXPECT_EQ(reports[0].results[0], AccessResult(Data(std::int64_t{1})));
  EXPECT_EQ(reports[1].results[0], AccessResult(Data(std::int64_t{2})));
}

TEST_F(ClientTest, ConcludeRefusedWhileOutstanding) {
  establish();
  ASSERT_TRUE(client.status().ok());
  auto c = client.conclude();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, code(SessionErrc::too_many_outstanding));
}

TEST_F(ClientTest, ConcludeErrorFromServer) {
  establish();
  ASSERT_TRUE(client.conclude().ok());
  EXPECT_FALSE(client.identify().ok());  // no requests while concluding
  auto out =
      client.on_pdu(encode_pdu(Pdu{ConcludeErrorPdu{ServiceError{ErrorClass::conclude, 1, {}, {}, {}}}}));
  ASSERT_TRUE(out.completion);
  EXPECT_TRUE(out.completion->conclude);
  ASSERT_NE(out.completion->service_error(), nullptr);
  EXPECT_FALSE(client.concluded());
  EXPECT_TRUE(client.identify().ok());  // the association goes on
}

TEST_F(ClientTest, UnsolicitedConcludeResponseIsRejected) {
  establish();
  auto out = client.on_pdu(encode_pdu(Pdu{ConcludeResponsePdu{}}));
  ASSERT_EQ(out.send.size(), 1U);
  EXPECT_EQ(decode(out.send[0]).get<RejectPdu>()->reject_class, RejectClass::conclude_response);
  EXPECT_FALSE(client.concluded());
  out = client.on_pdu(encode_pdu(Pdu{ConcludeErrorPdu{}}));
  ASSERT_EQ(out.send.size(), 1U);
  EXPECT_EQ(decode(out.send[0]).get<RejectPdu>()->reject_class, RejectClass::conclude_error);
}

TEST_F(ClientTest, ServerConcludeIsAcceptedWhenIdle) {
  establish();
  auto out = client.on_pdu(encode_pdu(Pdu{ConcludeRequestPdu{}}));
  ASSERT_EQ(out.send.size(), 1U);
  EXPECT_EQ(to_hex(out.send[0]), "8c00");
  EXPECT_TRUE(client.concluded());
  auto after = client.on_pdu(encode_pdu(Pdu{ConcludeRequestPdu{}}));
  EXPECT_EQ(after.error->code, code(SessionErrc::concluded));
}

TEST_F(ClientTest, ServerConcludeIsRefusedWhileOutstanding) {
  establish();
  ASSERT_TRUE(client.status().ok());
  auto out = client.on_pdu(encode_pdu(Pdu{ConcludeRequestPdu{}}));
  ASSERT_EQ(out.send.size(), 1U);
  EXPECT_NE(decode(out.send[0]).get<ConcludeErrorPdu>(), nullptr);
  EXPECT_FALSE(client.concluded());
}

}  // namespace mmssec::mms
