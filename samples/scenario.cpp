// SPDX-License-Identifier: Apache-2.0
#include "scenario.hpp"

#include "mmssec/mms/pdu.hpp"
#include "mmssec/stack/association.hpp"

namespace mmssec::samples {
namespace {

mms::InitiateParameters iec61850_params() {
  mms::InitiateParameters p;
  p.local_detail = 65000;
  p.max_serv_outstanding_calling = 5;
  p.max_serv_outstanding_called = 5;
  p.data_structure_nesting_level = 10;
  p.version_number = 1;
  p.parameter_cbb = mms::iec61850_parameter_cbb();
  p.services_supported = mms::iec61850_client_services();
  return p;
}

Bytes request(mms::InvokeId id, mms::ConfirmedServiceRequest svc) {
  return mms::encode_pdu(mms::Pdu{mms::ConfirmedRequestPdu{id, std::move(svc)}});
}
Bytes response(mms::InvokeId id, mms::ConfirmedServiceResponse svc) {
  return mms::encode_pdu(mms::Pdu{mms::ConfirmedResponsePdu{id, std::move(svc)}});
}

class Runner {
 public:
  Runner()
      : client_(stack::Association::client()),
        server_(stack::Association::server({}, [](const stack::AssociateIndication&) {
          stack::Decision d;
          d.mms_pdu = mms::encode_pdu(mms::Pdu{mms::InitiateResponsePdu{iec61850_params()}});
          return d;
        })) {}

  void from_client(stack::Output o) { pump(std::move(o), true); }
  void from_server(stack::Output o) { pump(std::move(o), false); }
  stack::Association& client() { return client_; }
  stack::Association& server() { return server_; }
  Scenario& wire() { return wire_; }

 private:
  void pump(stack::Output o, bool client_sent) {
    if (o.send.empty()) return;
    wire_.messages.push_back(capture::Message{
        client_sent ? capture::Direction::client_to_server : capture::Direction::server_to_client, o.send});
    if (client_sent) wire_.client_stream.insert(wire_.client_stream.end(), o.send.begin(), o.send.end());
    stack::Output next = client_sent ? server_.receive(o.send) : client_.receive(o.send);
    pump(std::move(next), !client_sent);
  }
  stack::Association client_;
  stack::Association server_;
  Scenario wire_;
};

}  // namespace

Result<Scenario> run_sample_association() {
  Runner r;
  auto c = r.client().connect(mms::encode_pdu(mms::Pdu{mms::InitiateRequestPdu{iec61850_params()}}));
  if (!c) return c.error();
  r.from_client(std::move(*c));
  if (r.client().state() != stack::State::associated) return Error{CoreErrc::invalid_argument};
  r.wire().handshake_client_stream = r.wire().client_stream;

  auto send_c = [&](const Bytes& pdu) { r.from_client(*r.client().send(pdu)); };
  auto send_s = [&](const Bytes& pdu) { r.from_server(*r.server().send(pdu)); };

  send_c(request(1, mms::IdentifyRequest{}));
  send_s(response(1, mms::IdentifyResponse{"mmssec", "sample IED", "0.1", std::nullopt}));

  mms::GetNameListRequest gnl;
  gnl.object_class = mms::object_class::kDomain;
  send_c(request(2, gnl));
  send_s(response(2, mms::GetNameListResponse{{"LD0"}, false}));

  const auto totw = mms::ObjectName::domain_specific("LD0", "MMXU1$MX$TotW$mag$f");
  send_c(request(3, mms::ReadRequest{false, mms::single_variable(totw)}));
  send_s(response(
      3, mms::ReadResponse{std::nullopt, {mms::AccessResult{mms::Data{mms::FloatingPoint{1234.5, false}}}}}));

  const auto pos = mms::ObjectName::domain_specific("LD0", "XCBR1$CO$Pos$Oper");
  send_c(request(4, mms::WriteRequest{mms::single_variable(pos), {mms::Data{true}}}));
  send_s(response(4, mms::WriteResponse{{mms::WriteResult{mms::DataAccessError::object_access_denied}}}));

  mms::InformationReport rpt{
      mms::VariableAccessSpecification{mms::VariableListName{mms::ObjectName::vmd_specific("RPT")}},
      {mms::AccessResult{mms::Data{mms::VisibleStringValue{"LD0/LLN0$BR$brcb01"}}}}};
  send_s(mms::encode_pdu(mms::Pdu{mms::UnconfirmedPdu{rpt}}));

  send_c(mms::encode_pdu(mms::Pdu{mms::ConcludeRequestPdu{}}));
  send_s(mms::encode_pdu(mms::Pdu{mms::ConcludeResponsePdu{}}));
  auto rel = r.client().release();
  if (!rel) return rel.error();
  r.from_client(std::move(*rel));
  if (r.client().state() != stack::State::closed || r.server().state() != stack::State::closed)
    return Error{CoreErrc::invalid_argument};
  return std::move(r.wire());
}

}  // namespace mmssec::samples
