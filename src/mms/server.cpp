// SPDX-License-Identifier: Apache-2.0
// ServerSession: Initiate negotiation, confirmed-service dispatch onto the Vmd, Reject and
// Conclude handling, InformationReports for enabled named variable lists (ISO 9506-1/-2 as
// IEC 61850-8-1 uses them).
#include "mmssec/mms/server.hpp"

#include <algorithm>
#include <string>
#include <type_traits>
#include <utility>

#include "mmssec/core/overloaded.hpp"

namespace mmssec::mms {
namespace {

class SessionCategory final : public std::error_category {
 public:
  [[nodiscard]] const char* name() const noexcept override { return "mms"; }
  [[nodiscard]] std::string message(int ev) const override {
    switch (static_cast<SessionErrc>(ev)) {
      case SessionErrc::not_initiated: return "PDU before the Initiate exchange";
      case SessionErrc::already_initiated: return "association already initiated";
      case SessionErrc::initiate_refused: return "initiate refused";
      case SessionErrc::unexpected_pdu: return "unexpected PDU";
      case SessionErrc::unknown_invoke_id: return "unknown invokeID";
      case SessionErrc::duplicate_invoke_id: return "invokeID already outstanding";
      case SessionErrc::too_many_outstanding: return "too many outstanding requests";
      case SessionErrc::response_mismatch: return "response does not match the request";
      case SessionErrc::concluded: return "association concluded";
      case SessionErrc::pdu_too_large: return "PDU exceeds the negotiated size";
      case SessionErrc::peer_rejected: return "peer sent a RejectPDU";
      case SessionErrc::invalid_argument: return "invalid request argument";
    }
    return "mms session error " + std::to_string(ev);
  }
};

ServiceError make_service_error(ErrorClass cls, std::int64_t code) {
  ServiceError e;
  e.error_class = cls;
  e.code = code;
  return e;
}

/// The ServiceError for a DataAccessError met outside a Read/Write result list
/// (GetVariableAccessAttributes, GetNameList scope).
ServiceError access_service_error(DataAccessError e) {
  namespace ec = error_code;
  switch (e) {
    case DataAccessError::object_non_existent:
    case DataAccessError::object_undefined:
      return make_service_error(ErrorClass::access, ec::kAccessObjectNonExistent);
    case DataAccessError::object_access_denied:
      return make_service_error(ErrorClass::access, ec::kAccessObjectAccessDenied);
    case DataAccessError::invalid_address:
      return make_service_error(ErrorClass::definition, ec::kDefinitionInvalidAddress);
    default: return make_service_error(ErrorClass::access, ec::kAccessObjectAccessUnsupported);
  }
}

/// A model failure (ModelErrc inside an Error) as the ServiceError to answer with.
ServiceError model_service_error(const Error& e) {
  if (e.code.category() == model_category()) return service_error_for(static_cast<ModelErrc>(e.code.value()));
  return make_service_error(ErrorClass::others, 0);
}

Pdu error_pdu(InvokeId id, ServiceError e) { return Pdu{ConfirmedErrorPdu{id, std::nullopt, std::move(e)}}; }
Pdu response_pdu(InvokeId id, ConfirmedServiceResponse r) {
  return Pdu{ConfirmedResponsePdu{id, std::move(r)}};
}
Pdu reject_pdu(std::optional<InvokeId> id, RejectClass cls, std::int64_t code) {
  return Pdu{RejectPdu{id, cls, code}};
}

/// Bits set in both strings, as a string of `bits` bits.
BitStringValue intersect(const BitStringValue& a, const BitStringValue& b, std::size_t bits) {
  BitStringValue out = make_bit_string({}, bits);
  for (std::size_t i = 0; i < bits; ++i) {
    if (a.bit(i) && b.bit(i)) out.set(i, true);
  }
  return out;
}

/// Octets of a BER definite length field for `n` content octets.
std::size_t length_octets(std::size_t n) {
  std::size_t k = 1;
  if (n >= 0x80) {
    for (std::size_t v = n; v != 0; v >>= 8) ++k;
  }
  return k;
}

/// True when one `$` path names the other or a component of it ("A$B" and "A$B$c").
bool overlaps(std::string_view a, std::string_view b) {
  if (a.size() > b.size()) std::swap(a, b);
  return b.substr(0, a.size()) == a && (b.size() == a.size() || b[a.size()] == '$');
}

bool same_scope(const ObjectName& a, const ObjectName& b) {
  return a.scope == b.scope && (a.scope != ObjectName::Scope::domain || a.domain == b.domain);
}

/// The model name a VariableDef addresses. IEC 61850 clients name components with `$` in the
/// item; a chain of single component/index selections in alternateAccess is mapped onto the
/// same `$` path (other selections are not supported: object-access-unsupported).
ModelResult<ObjectName> target_name(const VariableDef& def) {
  const auto* name = std::get_if<ObjectName>(&def.spec);
  if (name == nullptr) {
    return std::holds_alternative<Invalidated>(def.spec) ? DataAccessError::object_invalidated
                                                         : DataAccessError::object_access_unsupported;
  }
  if (!def.alternate_access) return *name;
  ObjectName out = *name;
  const AlternateAccess* aa = &*def.alternate_access;
  while (aa != nullptr) {
    if (aa->size() != 1 || (*aa)[0].component_name) return DataAccessError::object_access_unsupported;
    const AlternateAccessSelection& sel = (*aa)[0].access;
    if (const auto* c = std::get_if<AlternateAccessSelection::Component>(&sel.selection)) {
      out.item += '$';
      out.item += c->name;
    } else if (const auto* i = std::get_if<AlternateAccessSelection::Index>(&sel.selection)) {
      out.item += '$';
      out.item += std::to_string(i->value);
    } else {
      return DataAccessError::object_access_unsupported;
    }
    aa = sel.nested ? &*sel.nested : nullptr;
  }
  return out;
}

/// "LD0/LLN0$ST$Mod" for a named variable (with its alternate access folded into the `$` path),
/// a placeholder for the other variable specifications.
std::string describe_variable(const VariableDef& def) {
  if (auto name = target_name(def)) return name->to_string();
  if (const auto* n = std::get_if<ObjectName>(&def.spec)) return n->to_string();
  return std::holds_alternative<Address>(def.spec) ? "(address)" : "(invalidated)";
}

/// The objects a request names, for RequestRecord: the first one and how many.
void describe_objects(const ConfirmedServiceRequest& service, RequestRecord& rec) {
  auto from_spec = [&](const VariableAccessSpecification& spec) {
    if (const auto* list = std::get_if<ListOfVariable>(&spec)) {
      rec.objects = list->items.size();
      if (!list->items.empty()) rec.object = describe_variable(list->items.front());
    } else {
      rec.objects = 1;
      rec.object = std::get<VariableListName>(spec).name.to_string();
    }
  };
  auto one = [&](const ObjectName& n) {
    rec.objects = 1;
    rec.object = n.to_string();
  };
  std::visit(Overloaded{
                 [](const StatusRequest&) {},
                 [](const IdentifyRequest&) {},
                 [&](const GetNameListRequest& r) {
                   if (r.scope == GetNameListRequest::Scope::domain) {
                     rec.objects = 1;
                     rec.object = r.domain;
                   }
                 },
                 [&](const ReadRequest& r) { from_spec(r.variables); },
                 [&](const WriteRequest& r) { from_spec(r.variables); },
                 [&](const GetVariableAccessAttributesRequest& r) {
                   if (const auto* n = std::get_if<ObjectName>(&r.object)) one(*n);
                 },
                 [&](const DefineNamedVariableListRequest& r) { one(r.name); },
                 [&](const GetNamedVariableListAttributesRequest& r) { one(r.name); },
                 [&](const DeleteNamedVariableListRequest& r) {
                   if (r.names && !r.names->empty()) {
                     rec.objects = r.names->size();
                     rec.object = r.names->front().to_string();
                   } else if (r.domain_name) {
                     rec.objects = 1;
                     rec.object = *r.domain_name;
                   }
                 },
             },
             service);
}

/// How a request ended, from the PDU answering it.
void describe_outcome(const Pdu& answer, RequestRecord& rec) {
  if (const auto* resp = answer.get<ConfirmedResponsePdu>()) {
    // Read and Write answer item by item: count the failed items.
    std::size_t total = 0;
    std::size_t failed = 0;
    std::optional<DataAccessError> first;
    auto count = [&](const auto& results) {
      total = results.size();
      for (const auto& r : results) {
        if (const auto* e = std::get_if<DataAccessError>(&r)) {
          ++failed;
          if (!first) first = *e;
        }
      }
    };
    if (const auto* read = std::get_if<ReadResponse>(&resp->service)) count(read->results);
    if (const auto* write = std::get_if<WriteResponse>(&resp->service)) count(write->results);
    if (failed == 0) return;
    rec.ok = false;
    rec.result = std::string(data_access_error_name(*first));
    if (total > 1)
      rec.result = std::to_string(failed) + " of " + std::to_string(total) + " failed: " + rec.result;
  } else if (const auto* err = answer.get<ConfirmedErrorPdu>()) {
    rec.ok = false;
    rec.result = describe(err->error);
  } else if (const auto* rej = answer.get<RejectPdu>()) {
    rec.ok = false;
    rec.result = "reject: " + describe(*rej);
  }
}

/// True when the octets start like a Confirmed-RequestPDU of a service that changes the model.
/// Any reading failure answers true (see ServerSession::may_modify_model).
bool peek_modifying(ByteView pdu) {
  ber::Reader r(pdu);
  auto outer = r.read_any();
  if (!outer) return true;
  // MMSpdu alternatives other than confirmed-RequestPDU [0] never touch the model.
  if (outer->tag.cls != ber::TagClass::context) return true;
  if (outer->tag.number != static_cast<std::uint32_t>(PduKind::confirmed_request)) return false;
  if (!outer->tag.constructed) return true;
  auto body = r.enter(*outer);
  if (!body) return true;
  // Confirmed-RequestPDU ::= SEQUENCE { invokeID Unsigned32, listOfModifier OPTIONAL, service ... }
  if (!body->read_any()) return true;
  auto service = body->read_any();
  if (!service || service->tag.cls != ber::TagClass::context) return true;
  switch (service->tag.number) {
    case service::kStatus:
    case service::kGetNameList:
    case service::kIdentify:
    case service::kRead:
    case service::kGetVariableAccessAttributes:
    case service::kGetNamedVariableListAttributes: return false;
    default: return true;  // write, define/delete list, and anything unknown
  }
}

}  // namespace

const std::error_category& session_category() noexcept {
  static const SessionCategory cat;
  return cat;
}

BitStringValue server_services() {
  namespace sb = service_bit;
  return make_bit_string(
      {sb::kStatus, sb::kGetNameList, sb::kIdentify, sb::kRead, sb::kWrite, sb::kGetVariableAccessAttributes,
       sb::kDefineNamedVariableList, sb::kGetNamedVariableListAttributes, sb::kDeleteNamedVariableList,
       sb::kInformationReport, sb::kConclude},
      sb::kCount);
}

ServerOptions ServerOptions::from(const Limits& limits) {
  ServerOptions o;
  const auto outstanding = std::clamp<std::uint32_t>(limits.mms_max_outstanding, 1, 0x7fff);
  o.max_outstanding_calling = static_cast<std::int16_t>(outstanding);
  o.max_outstanding_called = static_cast<std::int16_t>(outstanding);
  o.max_pdu_size = static_cast<std::int32_t>(std::min<std::uint32_t>(limits.mms_max_pdu_size, 0x7fffffff));
  o.limits = limits;
  return o;
}

ServerSession::ServerSession(Vmd& vmd, ServerIdentity identity, ServerOptions options)
    : vmd_(&vmd), identity_(std::move(identity)), options_(std::move(options)) {
  subscription_ = vmd_->subscribe([this](const ObjectName& variable, std::string_view path, const Data&,
                                         const Data&, ChangeSource) { on_change(variable, path); });
}

ServerSession::~ServerSession() { vmd_->unsubscribe(subscription_); }

std::size_t ServerSession::pdu_limit() const noexcept {
  return static_cast<std::size_t>(std::max<std::int32_t>(negotiated_.local_detail.value_or(0), 0));
}

// ---------------------------------------------------------------------------------------------
// Initiate (ISO 9506-2 Initiate service; the responder negotiates every value downwards)
// ---------------------------------------------------------------------------------------------

Result<Bytes> ServerSession::on_initiate(ByteView initiate_request) {
  namespace ec = error_code;
  if (concluded_) return Error{SessionErrc::concluded};
  if (established_) return Error{SessionErrc::already_initiated};
  MMSSEC_TRY_ASSIGN(const Pdu pdu, decode_pdu(initiate_request, options_.limits));
  const auto* req = pdu.get<InitiateRequestPdu>();
  if (req == nullptr) return Error{SessionErrc::unexpected_pdu};
  const InitiateParameters& p = req->params;

  auto refuse = [](std::int64_t code) {
    return encode_pdu(Pdu{InitiateErrorPdu{make_service_error(ErrorClass::initiate, code)}});
  };
  // Version: the responder answers with a version it supports that is not above the proposal.
  if (p.version_number < kMmsVersion) return refuse(ec::kInitiateVersionIncompatible);
  if (p.max_serv_outstanding_calling < 1) return refuse(ec::kInitiateMaxOutstandingCallingInsufficient);
  if (p.max_serv_outstanding_called < 1) return refuse(ec::kInitiateMaxOutstandingCalledInsufficient);
  if (p.local_detail && *p.local_detail < options_.min_pdu_size) {
    return refuse(ec::kInitiateMaxSegmentInsufficient);
  }
  if (p.data_structure_nesting_level && *p.data_structure_nesting_level < 0) {
    return refuse(ec::kInitiateNestingLevelInsufficient);
  }
  for (const std::size_t bit : options_.required_parameter_bits) {
    if (!p.parameter_cbb.bit(bit) || !options_.parameter_cbb.bit(bit)) {
      return refuse(ec::kInitiateParameterCbbInsufficient);
    }
  }

  InitiateParameters n;
  n.local_detail = p.local_detail ? std::min(*p.local_detail, options_.max_pdu_size) : options_.max_pdu_size;
  n.max_serv_outstanding_calling = std::min(p.max_serv_outstanding_calling, options_.max_outstanding_calling);
  n.max_serv_outstanding_called = std::min(p.max_serv_outstanding_called, options_.max_outstanding_called);
  n.data_structure_nesting_level = p.data_structure_nesting_level
                                       ? std::min(*p.data_structure_nesting_level, options_.max_nesting_level)
                                       : options_.max_nesting_level;
  n.version_number = kMmsVersion;
  n.parameter_cbb = intersect(p.parameter_cbb, options_.parameter_cbb, parameter_bit::kCount);
  n.services_supported = options_.services_supported;
  negotiated_ = n;
  established_ = true;
  return encode_pdu(Pdu{InitiateResponsePdu{std::move(n)}});
}

// ---------------------------------------------------------------------------------------------
// PDUs after the Initiate
// ---------------------------------------------------------------------------------------------

ServerSession::Output ServerSession::on_pdu(ByteView bytes) {
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
  // The negotiated size bounds what we decode as well as what we send.
  if (bytes.size() > pdu_limit()) {
    out.send.push_back(encode_pdu(reject_pdu(std::nullopt, RejectClass::pdu_error, rc::kPduInvalidPdu)));
    out.error = Error{SessionErrc::pdu_too_large};
    return out;
  }
  PduError failure;
  Result<Pdu> decoded = decode_pdu(bytes, options_.limits, &failure);
  if (!decoded) {
    // ISO 9506-2: a PDU that cannot be decoded is answered with the RejectPDU for its class.
    if (auto reject = reject_for(failure)) out.send.push_back(encode_pdu(Pdu{*reject}));
    out.error = decoded.error();
    return out;
  }
  const Pdu& pdu = *decoded;
  auto send = [&](const Pdu& p) { out.send.push_back(encode_pdu(p)); };
  auto is_held = [&](InvokeId id) {
    return std::any_of(held_.begin(), held_.end(), [&](const Held& h) { return h.invoke_id == id; });
  };

  switch (pdu.kind()) {
    case PduKind::confirmed_request: handle_confirmed(*pdu.get<ConfirmedRequestPdu>(), out); break;
    case PduKind::conclude_request:
      // Conclude is refused while requests are still outstanding.
      if (!held_.empty()) {
        send(Pdu{ConcludeErrorPdu{
            make_service_error(ErrorClass::conclude, error_code::kConcludeFurtherCommunicationRequired)}});
      } else {
        send(Pdu{ConcludeResponsePdu{}});
        concluded_ = true;
        out.conclude = true;
      }
      break;
    case PduKind::cancel_request: {
      const InvokeId id = pdu.get<CancelRequestPdu>()->invoke_id;
      if (is_held(id)) {
        // The responses are already computed: cancelling is not possible any more.
        send(Pdu{CancelErrorPdu{id, make_service_error(ErrorClass::cancel, error_code::kCancelNotPossible)}});
      } else {
        send(reject_pdu(id, RejectClass::cancel_request, rc::kCancelRequestInvalidInvokeId));
        out.error = Error{SessionErrc::unknown_invoke_id};
      }
      break;
    }
    // We never send requests: every response names an invokeID we did not use.
    case PduKind::confirmed_response:
      send(reject_pdu(pdu.get<ConfirmedResponsePdu>()->invoke_id, RejectClass::confirmed_response,
                      rc::kResponseInvalidInvokeId));
      out.error = Error{SessionErrc::unknown_invoke_id};
      break;
    case PduKind::confirmed_error:
      send(reject_pdu(pdu.get<ConfirmedErrorPdu>()->invoke_id, RejectClass::confirmed_error,
                      rc::kErrorInvalidInvokeId));
      out.error = Error{SessionErrc::unknown_invoke_id};
      break;
    case PduKind::cancel_response:
      send(reject_pdu(pdu.get<CancelResponsePdu>()->invoke_id, RejectClass::cancel_response,
                      rc::kCancelResponseInvalidInvokeId));
      out.error = Error{SessionErrc::unknown_invoke_id};
      break;
    case PduKind::cancel_error:
      send(reject_pdu(pdu.get<CancelErrorPdu>()->original_invoke_id, RejectClass::cancel_error,
                      rc::kCancelErrorInvalidInvokeId));
      out.error = Error{SessionErrc::unknown_invoke_id};
      break;
    case PduKind::unconfirmed:
      // A server does not take InformationReports from its client.
      send(reject_pdu(std::nullopt, RejectClass::unconfirmed, rc::kUnconfirmedUnrecognizedService));
      out.error = Error{SessionErrc::unexpected_pdu};
      break;
    case PduKind::reject:
      // A reject is never answered with a reject.
      out.error = Error{SessionErrc::peer_rejected};
      break;
    case PduKind::initiate_request:
      send(reject_pdu(std::nullopt, RejectClass::pdu_error, rc::kPduInvalidPdu));
      out.error = Error{SessionErrc::already_initiated};
      break;
    case PduKind::initiate_response:
    case PduKind::initiate_error:
    case PduKind::conclude_response:
    case PduKind::conclude_error:
      send(reject_pdu(std::nullopt, RejectClass::pdu_error, rc::kPduInvalidPdu));
      out.error = Error{SessionErrc::unexpected_pdu};
      break;
  }
  return out;
}

void ServerSession::handle_confirmed(const ConfirmedRequestPdu& req, Output& out) {
  namespace rc = reject_code;
  const InvokeId id = req.invoke_id;
  auto record = [&](const Pdu& answer) {
    if (!options_.record_requests) return;
    RequestRecord rec;
    rec.invoke_id = id;
    rec.service = service_tag(req.service);
    describe_objects(req.service, rec);
    describe_outcome(answer, rec);
    out.request = std::move(rec);
  };
  auto reject = [&](std::int64_t code, SessionErrc why) {
    const Pdu p = reject_pdu(id, RejectClass::confirmed_request, code);
    record(p);
    out.send.push_back(encode_pdu(p));
    out.error = Error{why};
  };
  if (std::any_of(held_.begin(), held_.end(), [&](const Held& h) { return h.invoke_id == id; })) {
    reject(rc::kRequestInvalidInvokeId, SessionErrc::duplicate_invoke_id);
    return;
  }
  // The client may have at most negotiatedMaxServOutstandingCalling requests open.
  if (held_.size() >=
      static_cast<std::size_t>(std::max<std::int16_t>(negotiated_.max_serv_outstanding_calling, 1))) {
    reject(rc::kRequestMaxServOutstandingExceeded, SessionErrc::too_many_outstanding);
    return;
  }
  if (!options_.services_supported.bit(service_tag(req.service))) {
    const Pdu p = reject_pdu(id, RejectClass::confirmed_request, rc::kRequestUnrecognizedService);
    record(p);
    out.send.push_back(encode_pdu(p));
    out.error = Error{Errc::unknown_service};
    return;
  }
  Pdu answer_pdu = dispatch(req);
  Bytes encoded = encode_pdu(answer_pdu);
  if (encoded.size() > pdu_limit()) {
    // The answer does not fit the negotiated PDU size: service error pdu-size instead.
    answer_pdu = error_pdu(id, make_service_error(ErrorClass::service, error_code::kServicePduSize));
    encoded = encode_pdu(answer_pdu);
  }
  record(answer_pdu);
  if (hold_) {
    held_.push_back(Held{id, std::move(encoded)});
  } else {
    out.send.push_back(std::move(encoded));
  }
}

bool ServerSession::may_modify_model(ByteView pdu) noexcept {
  try {
    return peek_modifying(pdu);
  } catch (...) {  // allocation failure inside the reader: be on the safe side
    return true;
  }
}

std::vector<Bytes> ServerSession::release() {
  std::vector<Bytes> out;
  out.reserve(held_.size());
  for (Held& h : held_) out.push_back(std::move(h.pdu));
  held_.clear();
  return out;
}

Pdu ServerSession::dispatch(const ConfirmedRequestPdu& req) {
  namespace rc = reject_code;
  const InvokeId id = req.invoke_id;
  auto invalid_argument = [&] {
    return reject_pdu(id, RejectClass::confirmed_request, rc::kRequestInvalidArgument);
  };
  // One Write-Response entry: failure (DataAccessError) or success.
  auto write_one = [&](const ModelResult<ObjectName>& name, const Data& value) -> WriteResult {
    if (!name) return name.error();
    if (const AccessStatus st = vmd_->write(*name, value)) return *st;
    apply_report_controls(*name);
    return WriteSuccess{};
  };

  return std::visit(
      Overloaded{
          // Status-Request ::= BOOLEAN: we are always operational and allow state changes.
          [&](const StatusRequest&) -> Pdu {
            return response_pdu(id, StatusResponse{0, 0, std::nullopt});
          },
          [&](const IdentifyRequest&) -> Pdu {
            return response_pdu(
                id, IdentifyResponse{identity_.vendor, identity_.model, identity_.revision, std::nullopt});
          },
          [&](const GetNameListRequest& r) -> Pdu { return get_name_list(id, r); },
          [&](const ReadRequest& r) -> Pdu {
            ReadResponse resp;
            if (r.specification_with_result) resp.variables = r.variables;
            if (const auto* list = std::get_if<ListOfVariable>(&r.variables)) {
              resp.results.reserve(list->items.size());
              for (const VariableDef& def : list->items) {
                auto name = target_name(def);
                resp.results.push_back(name ? to_access_result(vmd_->read(*name))
                                            : AccessResult{name.error()});
              }
            } else {
              const auto& nvl = std::get<VariableListName>(r.variables).name;
              auto values = vmd_->read_list(nvl);
              if (!values) return error_pdu(id, model_service_error(values.error()));
              resp.results.reserve(values->size());
              for (auto& v : *values) resp.results.push_back(to_access_result(std::move(v)));
            }
            return response_pdu(id, std::move(resp));
          },
          [&](const WriteRequest& r) -> Pdu {
            WriteResponse resp;
            if (const auto* list = std::get_if<ListOfVariable>(&r.variables)) {
              if (list->items.size() != r.data.size()) return invalid_argument();
              resp.results.reserve(r.data.size());
              for (std::size_t i = 0; i < r.data.size(); ++i) {
                resp.results.push_back(write_one(target_name(list->items[i]), r.data[i]));
              }
              return response_pdu(id, std::move(resp));
            }
            const auto& nvl = std::get<VariableListName>(r.variables).name;
            auto attrs = vmd_->named_variable_list_attributes(nvl);
            if (!attrs) return error_pdu(id, model_service_error(attrs.error()));
            if (attrs->members.size() != r.data.size()) return invalid_argument();
            resp.results.reserve(r.data.size());
            for (std::size_t i = 0; i < r.data.size(); ++i) {
              resp.results.push_back(write_one(attrs->members[i], r.data[i]));
            }
            return response_pdu(id, std::move(resp));
          },
          [&](const GetVariableAccessAttributesRequest& r) -> Pdu {
            const auto* name = std::get_if<ObjectName>(&r.object);
            if (name == nullptr) {
              return error_pdu(
                  id, make_service_error(ErrorClass::access, error_code::kAccessObjectAccessUnsupported));
            }
            auto type = vmd_->type_of(*name);
            if (!type) return error_pdu(id, access_service_error(type.error()));
            GetVariableAccessAttributesResponse resp;
            resp.mms_deletable = false;
            resp.type = *type;
            return response_pdu(id, std::move(resp));
          },
          [&](const DefineNamedVariableListRequest& r) -> Pdu {
            std::vector<ObjectName> members;
            members.reserve(r.variables.size());
            for (const VariableDef& def : r.variables) {
              const auto* name = std::get_if<ObjectName>(&def.spec);
              if (name == nullptr || def.alternate_access) {
                return error_pdu(
                    id, make_service_error(ErrorClass::access, error_code::kAccessObjectAccessUnsupported));
              }
              members.push_back(*name);
            }
            const Status st = vmd_->define_named_variable_list(r.name, std::move(members), true);
            if (!st) return error_pdu(id, model_service_error(st.error()));
            return response_pdu(id, DefineNamedVariableListResponse{});
          },
          [&](const GetNamedVariableListAttributesRequest& r) -> Pdu {
            auto attrs = vmd_->named_variable_list_attributes(r.name);
            if (!attrs) return error_pdu(id, model_service_error(attrs.error()));
            GetNamedVariableListAttributesResponse resp;
            resp.mms_deletable = attrs->deletable;
            resp.variables.reserve(attrs->members.size());
            for (ObjectName& m : attrs->members)
              resp.variables.push_back(VariableDef{std::move(m), std::nullopt});
            return response_pdu(id, std::move(resp));
          },
          [&](const DeleteNamedVariableListRequest& r) -> Pdu {
            // scopeOfDelete: specific(0) the listed names, aa-specific(1), domain(2), vmd(3).
            std::size_t matched = 0;
            std::size_t deleted = 0;
            switch (r.scope_of_delete) {
              case 0:
                if (r.names) {
                  for (const ObjectName& n : *r.names) {
                    if (!vmd_->named_variable_list_attributes(n)) continue;
                    ++matched;
                    if (vmd_->delete_named_variable_list(n)) ++deleted;
                  }
                }
                break;
              case 1: break;  // AA-specific lists are not kept by this server
              case 2: {
                if (!r.domain_name) return invalid_argument();
                std::tie(matched, deleted) = vmd_->delete_named_variable_lists(*r.domain_name);
                break;
              }
              case 3: std::tie(matched, deleted) = vmd_->delete_named_variable_lists(""); break;
              default: return invalid_argument();
            }
            // Reports stop for lists that no longer exist.
            std::erase_if(reports_enabled_,
                          [&](const ObjectName& n) { return !vmd_->named_variable_list_attributes(n); });
            return response_pdu(id, DeleteNamedVariableListResponse{static_cast<std::uint32_t>(matched),
                                                                    static_cast<std::uint32_t>(deleted)});
          },
      },
      req.service);
}

// GetNameList: the names after continueAfter, as many as fit the negotiated PDU size;
// moreFollows tells the client to ask again with the last name received.
Pdu ServerSession::get_name_list(InvokeId id, const GetNameListRequest& req) const {
  using Scope = GetNameListRequest::Scope;
  std::optional<ObjectClass> cls;
  switch (req.object_class) {
    case object_class::kNamedVariable: cls = ObjectClass::named_variable; break;
    case object_class::kNamedVariableList: cls = ObjectClass::named_variable_list; break;
    case object_class::kDomain:
      if (req.scope == Scope::vmd) cls = ObjectClass::domain;  // domains exist only VMD-wide
      break;
    default: break;
  }
  // Object classes we do not hold and the AA scope (nothing kept per association): empty list.
  if (!cls || req.scope == Scope::aa) return response_pdu(id, GetNameListResponse{{}, false});
  const std::string_view domain =
      req.scope == Scope::domain ? std::string_view(req.domain) : std::string_view();
  if (req.scope == Scope::domain && domain.empty()) {
    return error_pdu(id, make_service_error(ErrorClass::access, error_code::kAccessObjectNonExistent));
  }
  std::optional<std::string_view> after;
  if (req.continue_after) after = *req.continue_after;
  auto list = vmd_->name_list(*cls, domain, after, options_.limits.mms_max_list_elements);
  if (!list) return error_pdu(id, access_service_error(list.error()));

  // Size: the PDU with an empty list and moreFollows FALSE, plus up to three octets of length
  // growth for each of the three enclosing constructed elements, plus each Identifier's TLV.
  const std::size_t base = encode_pdu(response_pdu(id, GetNameListResponse{{}, false})).size() + 9;
  const std::size_t limit = pdu_limit();
  GetNameListResponse resp;
  std::size_t used = base;
  for (std::string& name : list->names) {
    const std::size_t cost = 1 + length_octets(name.size()) + name.size();
    if (used + cost > limit) break;
    used += cost;
    resp.identifiers.push_back(std::move(name));
  }
  resp.more_follows = resp.identifiers.size() < list->names.size() || list->more_follows;
  if (resp.identifiers.empty() && resp.more_follows) {
    return error_pdu(id, make_service_error(ErrorClass::service, error_code::kServicePduSize));
  }
  return response_pdu(id, std::move(resp));
}

// ---------------------------------------------------------------------------------------------
// Reports
// ---------------------------------------------------------------------------------------------

Status ServerSession::enable_report(const ObjectName& nvl) {
  MMSSEC_TRY(vmd_->named_variable_list_attributes(nvl));
  if (std::find(reports_enabled_.begin(), reports_enabled_.end(), nvl) == reports_enabled_.end()) {
    reports_enabled_.push_back(nvl);
  }
  return {};
}

void ServerSession::disable_report(const ObjectName& nvl) { std::erase(reports_enabled_, nvl); }

void ServerSession::apply_report_controls(const ObjectName& written) {
  for (const ReportControl& rc : options_.report_controls) {
    if (!same_scope(rc.rpt_ena, written) || !overlaps(rc.rpt_ena.item, written.item)) continue;
    // The write may have named RptEna itself or a structure containing it: use the stored value.
    auto value = vmd_->read(rc.rpt_ena);
    if (!value) continue;
    const bool* on = value->get<bool>();
    if (on == nullptr) continue;
    if (*on) {
      (void)enable_report(rc.dataset);  // a missing data set simply enables nothing
    } else {
      disable_report(rc.dataset);
    }
  }
}

std::vector<Bytes> ServerSession::take_reports() {
  std::vector<Bytes> out(std::make_move_iterator(reports_.begin()), std::make_move_iterator(reports_.end()));
  reports_.clear();
  return out;
}

void ServerSession::on_change(const ObjectName& variable, std::string_view path) {
  if (!established_ || concluded_ || reports_enabled_.empty()) return;
  std::string changed = variable.item;
  if (!path.empty()) {
    changed += '$';
    changed += path;
  }
  for (const ObjectName& nvl : reports_enabled_) {
    auto attrs = vmd_->named_variable_list_attributes(nvl);
    if (!attrs) continue;  // deleted through another association
    const bool hit = std::any_of(attrs->members.begin(), attrs->members.end(), [&](const ObjectName& m) {
      return same_scope(m, variable) && overlaps(m.item, changed);
    });
    if (hit) queue_report(nvl);
  }
}

// InformationReport ::= SEQUENCE { variableAccessSpecification (here variableListName),
//   listOfAccessResult } carrying the current value of every member of the list.
void ServerSession::queue_report(const ObjectName& nvl) {
  auto values = vmd_->read_list(nvl);
  if (!values) return;
  InformationReport report;
  report.variables = VariableListName{nvl};
  report.results.reserve(values->size());
  for (auto& v : *values) report.results.push_back(to_access_result(std::move(v)));
  Bytes encoded = encode_pdu(Pdu{UnconfirmedPdu{std::move(report)}});
  if (encoded.size() > pdu_limit() || options_.max_pending_reports == 0) {
    ++dropped_reports_;
    return;
  }
  if (reports_.size() >= options_.max_pending_reports) {
    reports_.pop_front();
    ++dropped_reports_;
  }
  reports_.push_back(std::move(encoded));
  if (options_.on_report_queued) options_.on_report_queued();
}

}  // namespace mmssec::mms
