// SPDX-License-Identifier: Apache-2.0
// ClientSession: Initiate proposal and negotiated values, invokeID allocation within the
// negotiated outstanding budget, matching of responses/errors/rejects by invokeID, reports.
#include "mmssec/mms/client.hpp"

#include <algorithm>
#include <utility>

namespace mmssec::mms {
namespace {

Bytes reject_bytes(std::optional<InvokeId> id, RejectClass cls, std::int64_t code) {
  return encode_pdu(Pdu{RejectPdu{id, cls, code}});
}

}  // namespace

ClientOptions ClientOptions::from(const Limits& limits) {
  ClientOptions o;
  const auto outstanding = std::clamp<std::uint32_t>(limits.mms_max_outstanding, 1, 0x7fff);
  o.max_outstanding_calling = static_cast<std::int16_t>(outstanding);
  o.max_outstanding_called = static_cast<std::int16_t>(outstanding);
  o.max_pdu_size = static_cast<std::int32_t>(std::min<std::uint32_t>(limits.mms_max_pdu_size, 0x7fffffff));
  o.limits = limits;
  return o;
}

ClientSession::ClientSession(ClientOptions options) : options_(std::move(options)) {}

std::size_t ClientSession::max_outstanding() const noexcept {
  return static_cast<std::size_t>(std::max<std::int16_t>(negotiated_.max_serv_outstanding_calling, 1));
}

std::size_t ClientSession::pdu_limit() const noexcept {
  return static_cast<std::size_t>(
      std::max<std::int32_t>(negotiated_.local_detail.value_or(options_.max_pdu_size), 0));
}

// ---------------------------------------------------------------------------------------------
// Initiate
// ---------------------------------------------------------------------------------------------

Bytes ClientSession::initiate_request() const {
  InitiateParameters p;
  p.local_detail = options_.max_pdu_size;
  p.max_serv_outstanding_calling = options_.max_outstanding_calling;
  p.max_serv_outstanding_called = options_.max_outstanding_called;
  p.data_structure_nesting_level = options_.nesting_level;
  p.version_number = kMmsVersion;
  p.parameter_cbb = options_.parameter_cbb;
  p.services_supported = options_.services_supported;
  return encode_pdu(Pdu{InitiateRequestPdu{std::move(p)}});
}

Result<InitiateParameters> ClientSession::on_initiate_response(ByteView bytes) {
  if (concluded_) return Error{SessionErrc::concluded};
  if (established_) return Error{SessionErrc::already_initiated};
  MMSSEC_TRY_ASSIGN(Pdu pdu, decode_pdu(bytes, options_.limits));
  if (auto* err = pdu.get<InitiateErrorPdu>()) {
    initiate_error_ = err->error;
    return Error{SessionErrc::initiate_refused};
  }
  auto* resp = pdu.get<InitiateResponsePdu>();
  if (resp == nullptr) return Error{SessionErrc::unexpected_pdu};
  const InitiateParameters& p = resp->params;
  // The responder may only negotiate downwards (ISO 9506-2 Initiate): outstanding counts in
  // 1..proposed, a version in 1..proposed, a positive PDU size.
  const bool ok = p.max_serv_outstanding_calling >= 1 &&
                  p.max_serv_outstanding_calling <= options_.max_outstanding_calling &&
                  p.max_serv_outstanding_called >= 1 &&
                  p.max_serv_outstanding_called <= options_.max_outstanding_called && p.version_number >= 1 &&
                  p.version_number <= kMmsVersion && (!p.local_detail || *p.local_detail > 0);
  if (!ok) return Error{Errc::value_out_of_range};
  negotiated_ = p;
  established_ = true;
  return negotiated_;
}

// ---------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------

Result<InvokeId> ClientSession::allocate() {
  // Skip identifiers still outstanding (after a wrap a long-lived association could otherwise
  // match an answer to the wrong request). outstanding_ is smaller than the budget, so this ends.
  InvokeId id = next_invoke_id_;
  for (std::size_t tries = 0; tries <= outstanding_.size(); ++tries, ++id) {
    if (outstanding_.count(id) == 0) return id;
  }
  return Error{SessionErrc::too_many_outstanding};
}

Result<ClientRequest> ClientSession::request(ConfirmedServiceRequest service) {
  if (concluded_ || conclude_pending_) return Error{SessionErrc::concluded};
  if (!established_) return Error{SessionErrc::not_initiated};
  if (outstanding_.size() >= max_outstanding()) return Error{SessionErrc::too_many_outstanding};
  MMSSEC_TRY_ASSIGN(const InvokeId id, allocate());
  const std::uint32_t tag = service_tag(service);
  Bytes pdu = encode_pdu(Pdu{ConfirmedRequestPdu{id, std::move(service)}});
  // The server accepts PDUs up to its localDetailCalled.
  if (pdu.size() > pdu_limit()) return Error{SessionErrc::pdu_too_large};
  outstanding_.emplace(id, tag);
  next_invoke_id_ = id + 1;  // wraps at 2^32
  return ClientRequest{id, std::move(pdu)};
}

Result<ClientRequest> ClientSession::identify() { return request(IdentifyRequest{}); }
Result<ClientRequest> ClientSession::status() { return request(StatusRequest{}); }
Result<ClientRequest> ClientSession::get_name_list(GetNameListRequest req) { return request(std::move(req)); }
Result<ClientRequest> ClientSession::read(ReadRequest req) { return request(std::move(req)); }
Result<ClientRequest> ClientSession::read(ObjectName name) {
  return request(ReadRequest{false, single_variable(std::move(name))});
}
Result<ClientRequest> ClientSession::write(WriteRequest req) {
  if (const auto* list = std::get_if<ListOfVariable>(&req.variables)) {
    if (list->items.size() != req.data.size()) return Error{SessionErrc::invalid_argument};
  }
  return request(std::move(req));
}
Result<ClientRequest> ClientSession::write(ObjectName name, Data value) {
  return write(WriteRequest{single_variable(std::move(name)), {std::move(value)}});
}
Result<ClientRequest> ClientSession::get_variable_access_attributes(ObjectName name) {
  return request(GetVariableAccessAttributesRequest{std::move(name)});
}
Result<ClientRequest> ClientSession::define_named_variable_list(ObjectName name,
                                                                std::vector<ObjectName> members) {
  DefineNamedVariableListRequest req;
  req.name = std::move(name);
  req.variables.reserve(members.size());
  for (ObjectName& m : members) req.variables.push_back(VariableDef{std::move(m), std::nullopt});
  return request(std::move(req));
}
Result<ClientRequest> ClientSession::get_named_variable_list_attributes(ObjectName name) {
  return request(GetNamedVariableListAttributesRequest{std::move(name)});
}
Result<ClientRequest> ClientSession::delete_named_variable_list(std::vector<ObjectName> names) {
  DeleteNamedVariableListRequest req;
  req.scope_of_delete = 0;  // specific
  req.names = std::move(names);
  return request(std::move(req));
}

Result<Bytes> ClientSession::conclude() {
  if (concluded_ || conclude_pending_) return Error{SessionErrc::concluded};
  if (!established_) return Error{SessionErrc::not_initiated};
  if (!outstanding_.empty()) return Error{SessionErrc::too_many_outstanding};
  conclude_pending_ = true;
  return encode_pdu(Pdu{ConcludeRequestPdu{}});
}

// ---------------------------------------------------------------------------------------------
// Incoming PDUs
// ---------------------------------------------------------------------------------------------

ClientSession::Output ClientSession::on_pdu(ByteView bytes) {
  namespace rc = reject_code;
  Output out;
  if (concluded_) {
    out.error = Error{SessionErrc::concluded};
    return out;
  }
  if (!established_) {
    out.error = Error{SessionErrc::not_initiated};
    return out;
  }
  PduError failure;
  Result<Pdu> decoded = decode_pdu(bytes, options_.limits, &failure);
  if (!decoded) {
    if (auto reject = reject_for(failure)) out.send.push_back(encode_pdu(Pdu{*reject}));
    out.error = decoded.error();
    // A response we could not decode still ends its request: complete it with our reject.
    if (failure.invoke_id && failure.kind &&
        (*failure.kind == PduKind::confirmed_response || *failure.kind == PduKind::confirmed_error)) {
      auto it = outstanding_.find(*failure.invoke_id);
      if (it != outstanding_.end()) {
        const auto reject = reject_for(failure);
        out.completion =
            Completion{it->first, it->second, false,
                       reject ? *reject : RejectPdu{it->first, RejectClass::pdu_error, rc::kPduInvalidPdu}};
        outstanding_.erase(it);
      }
    }
    return out;
  }
  Pdu& pdu = *decoded;
  auto unexpected = [&](Bytes reject) {
    out.send.push_back(std::move(reject));
    out.error = Error{SessionErrc::unexpected_pdu};
  };

  switch (pdu.kind()) {
    case PduKind::confirmed_response: {
      auto& resp = *pdu.get<ConfirmedResponsePdu>();
      auto it = outstanding_.find(resp.invoke_id);
      if (it == outstanding_.end()) {
        out.send.push_back(
            reject_bytes(resp.invoke_id, RejectClass::confirmed_response, rc::kResponseInvalidInvokeId));
        out.error = Error{SessionErrc::unknown_invoke_id};
        break;
      }
      const std::uint32_t expected = it->second;
      outstanding_.erase(it);
      if (service_tag(resp.service) != expected) {
        // The answer is for another service: reject it and end the request with that reject.
        RejectPdu reject{resp.invoke_id, RejectClass::confirmed_response, rc::kResponseInvalidResult};
        out.send.push_back(encode_pdu(Pdu{reject}));
        out.error = Error{SessionErrc::response_mismatch};
        out.completion = Completion{resp.invoke_id, expected, false, reject};
        break;
      }
      out.completion = Completion{resp.invoke_id, expected, false, std::move(resp.service)};
      break;
    }
    case PduKind::confirmed_error: {
      auto& err = *pdu.get<ConfirmedErrorPdu>();
      auto it = outstanding_.find(err.invoke_id);
      if (it == outstanding_.end()) {
        out.send.push_back(
            reject_bytes(err.invoke_id, RejectClass::confirmed_error, rc::kErrorInvalidInvokeId));
        out.error = Error{SessionErrc::unknown_invoke_id};
        break;
      }
      out.completion = Completion{err.invoke_id, it->second, false, std::move(err.error)};
      outstanding_.erase(it);
      break;
    }
    case PduKind::reject: {
      const RejectPdu& reject = *pdu.get<RejectPdu>();
      out.error = Error{SessionErrc::peer_rejected};
      if (reject.reject_class == RejectClass::conclude_request && conclude_pending_) {
        conclude_pending_ = false;
        out.completion = Completion{0, 0, true, reject};
        break;
      }
      if (reject.original_invoke_id) {
        auto it = outstanding_.find(*reject.original_invoke_id);
        if (it != outstanding_.end()) {
          out.completion = Completion{it->first, it->second, false, reject};
          outstanding_.erase(it);
        }
      }
      break;  // a reject is never answered with a reject
    }
    case PduKind::unconfirmed:
      if (options_.max_pending_reports == 0) break;
      if (reports_.size() >= options_.max_pending_reports) reports_.pop_front();
      reports_.push_back(std::move(pdu.get<UnconfirmedPdu>()->report));
      break;
    case PduKind::conclude_response:
      if (!conclude_pending_) {
        unexpected(
            reject_bytes(std::nullopt, RejectClass::conclude_response, rc::kConcludeResponseInvalidResult));
        break;
      }
      conclude_pending_ = false;
      concluded_ = true;
      out.completion = Completion{0, 0, true, ConcludeResponsePdu{}};
      break;
    case PduKind::conclude_error:
      if (!conclude_pending_) {
        unexpected(
            reject_bytes(std::nullopt, RejectClass::conclude_error, rc::kConcludeErrorInvalidServiceError));
        break;
      }
      conclude_pending_ = false;
      out.completion = Completion{0, 0, true, std::move(pdu.get<ConcludeErrorPdu>()->error)};
      break;
    case PduKind::confirmed_request:
      // This client offers no server services.
      unexpected(reject_bytes(pdu.get<ConfirmedRequestPdu>()->invoke_id, RejectClass::confirmed_request,
                              rc::kRequestUnrecognizedService));
      break;
    case PduKind::conclude_request:
      // A server that concludes: accepted when nothing is pending.
      if (outstanding_.empty() && !conclude_pending_) {
        out.send.push_back(encode_pdu(Pdu{ConcludeResponsePdu{}}));
        concluded_ = true;
      } else {
        out.send.push_back(encode_pdu(Pdu{ConcludeErrorPdu{
            ServiceError{ErrorClass::conclude, error_code::kConcludeFurtherCommunicationRequired,
                         std::nullopt, std::nullopt, std::nullopt}}}));
      }
      break;
    case PduKind::cancel_request:
    case PduKind::cancel_response:
    case PduKind::cancel_error:
    case PduKind::initiate_request:
    case PduKind::initiate_response:
    case PduKind::initiate_error:
      unexpected(reject_bytes(std::nullopt, RejectClass::pdu_error, rc::kPduInvalidPdu));
      break;
  }
  return out;
}

std::vector<InformationReport> ClientSession::take_reports() {
  std::vector<InformationReport> out(std::make_move_iterator(reports_.begin()),
                                     std::make_move_iterator(reports_.end()));
  reports_.clear();
  return out;
}

}  // namespace mmssec::mms
