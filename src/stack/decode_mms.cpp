// SPDX-License-Identifier: Apache-2.0
// The MMS part of the decoder: an MMSpdu (decoded by the mms layer) as a readable tree. Data
// values are shown as values (floats in shortest round-trip form, bit strings as bits, utc-time
// and binary-time as ISO-8601), object names as "domain/item", error classes, codes and reject
// reasons by their ISO 9506-2 names.
#include <charconv>
#include <cstdio>
#include <string>
#include <variant>

#include "decode_internal.hpp"
#include "mmssec/mms/data.hpp"
#include "mmssec/mms/pdu.hpp"

namespace mmssec::stack::detail {
namespace {

std::string str(std::string_view s) { return std::string(s); }

std::string float_text(const mms::FloatingPoint& f) {
  char buf[64];
  std::to_chars_result r{};
  if (f.is_double) {
    r = std::to_chars(buf, buf + sizeof buf, f.value);
  } else {
    r = std::to_chars(buf, buf + sizeof buf, static_cast<float>(f.value));
  }
  std::string s(buf, r.ec == std::errc() ? r.ptr : buf);
  s += f.is_double ? " (double)" : " (single)";
  return s;
}

std::string bit_string_text(const mms::BitStringValue& b) {
  return "'" + bits_text(b.bytes, b.unused_bits) + "'B (" + std::to_string(b.size()) + " bits)";
}

/// UtcTime quality octet (IEC 61850-8-1): LeapSecondsKnown, ClockFailure, ClockNotSynchronized,
/// then 5 bits of time accuracy (31 = unspecified).
std::string utc_quality_text(std::uint8_t q) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02x", q);
  std::string s = std::string("quality ") + buf;
  std::string flags;
  auto flag = [&flags](const char* f) {
    if (!flags.empty()) flags += ", ";
    flags += f;
  };
  if ((q & 0x80U) != 0) flag("leap-seconds-known");
  if ((q & 0x40U) != 0) flag("clock-failure");
  if ((q & 0x20U) != 0) flag("clock-not-synchronized");
  const unsigned accuracy = q & 0x1FU;
  flag(accuracy == 31 ? "accuracy unspecified" : ("accuracy " + std::to_string(accuracy) + " bits").c_str());
  return s + " (" + flags + ")";
}

std::string utc_time_text(const mms::UtcTime& t) {
  // 24-bit binary fraction of a second → nanoseconds.
  const auto nanos = static_cast<std::uint32_t>((std::uint64_t{t.fraction} * 1000000000ULL) >> 24);
  return iso8601(t.seconds, nanos, 6) + ", " + utc_quality_text(t.quality);
}

/// TimeOfDay: milliseconds since midnight; with 6 octets, days since 1984-01-01.
std::string binary_time_text(const mms::BinaryTime& t) {
  constexpr std::int64_t k1984 = 441763200;  // 1984-01-01T00:00:00Z in Unix seconds
  const std::uint32_t ms = t.milliseconds;
  if (t.days) {
    const std::int64_t secs = k1984 + std::int64_t{*t.days} * 86400 + ms / 1000;
    return iso8601(secs, (ms % 1000) * 1000000U, 3);
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02u:%02u:%02u.%03u (time of day)", ms / 3600000U, ms / 60000U % 60U,
                ms / 1000U % 60U, ms % 1000U);
  return buf;
}

Node data_node(const mms::Data& d);

Node data_node(const mms::Data& d) {
  struct V {
    Node operator()(bool b) const { return {"boolean", b ? "true" : "false", kNoOffset, 0, {}}; }
    Node operator()(std::int64_t i) const { return {"integer", std::to_string(i), kNoOffset, 0, {}}; }
    Node operator()(const mms::Unsigned& u) const {
      return {"unsigned", std::to_string(u.value), kNoOffset, 0, {}};
    }
    Node operator()(const mms::FloatingPoint& f) const {
      return {"floating-point", float_text(f), kNoOffset, 0, {}};
    }
    Node operator()(const mms::BitStringValue& b) const {
      return {"bit-string", bit_string_text(b), kNoOffset, 0, {}};
    }
    Node operator()(const mms::OctetStringValue& o) const {
      return {"octet-string", hex_summary(o.bytes, 64), kNoOffset, 0, {}};
    }
    Node operator()(const mms::VisibleStringValue& s) const {
      return {"visible-string", quoted(s.text), kNoOffset, 0, {}};
    }
    Node operator()(const mms::MmsStringValue& s) const {
      return {"mMSString", quoted(s.text), kNoOffset, 0, {}};
    }
    Node operator()(const mms::BinaryTime& t) const {
      return {"binary-time", binary_time_text(t), kNoOffset, 0, {}};
    }
    Node operator()(const mms::UtcTime& t) const { return {"utc-time", utc_time_text(t), kNoOffset, 0, {}}; }
    Node operator()(const ber::Time& t) const {
      return {"generalized-time", iso8601(t.to_unix_seconds(), t.nanos, t.fraction_digits), kNoOffset, 0, {}};
    }
    Node operator()(const mms::Bcd& b) const { return {"bcd", std::to_string(b.value), kNoOffset, 0, {}}; }
    Node operator()(const mms::BooleanArray& b) const {
      return {"booleanArray", bit_string_text(b.bits), kNoOffset, 0, {}};
    }
    Node operator()(const ber::Oid& o) const { return {"objId", oid_text(o), kNoOffset, 0, {}}; }
    Node operator()(const mms::DataArray& a) const {
      Node n{"array", std::to_string(a.items.size()) + " elements", kNoOffset, 0, {}};
      for (const mms::Data& x : a.items) n.children.push_back(data_node(x));
      return n;
    }
    Node operator()(const mms::DataStructure& s) const {
      Node n{"structure", std::to_string(s.members.size()) + " members", kNoOffset, 0, {}};
      for (const mms::Data& x : s.members) n.children.push_back(data_node(x));
      return n;
    }
  };
  return std::visit(V{}, d.value);
}

std::string address_text(const mms::Address& a) {
  if (const auto* n = std::get_if<std::uint32_t>(&a.value)) return "numericAddress " + std::to_string(*n);
  if (const auto* s = std::get_if<mms::Address::Symbolic>(&a.value))
    return "symbolicAddress " + quoted(s->text);
  if (const auto* b = std::get_if<Bytes>(&a.value)) return "unconstrainedAddress " + hex_summary(*b);
  return "unknown";
}

void alternate_access(Node& parent, const mms::AlternateAccess& aa) {
  for (const mms::AlternateAccessElement& e : aa) {
    std::string v;
    const auto& sel = e.access.selection;
    if (const auto* c = std::get_if<mms::AlternateAccessSelection::Component>(&sel)) {
      v = "component " + c->name;
    } else if (const auto* i = std::get_if<mms::AlternateAccessSelection::Index>(&sel)) {
      v = "index " + std::to_string(i->value);
    } else if (const auto* r = std::get_if<mms::AlternateAccessSelection::IndexRange>(&sel)) {
      v = "indexRange " + std::to_string(r->low_index) + " (" + std::to_string(r->number_of_elements) +
          " elements)";
    } else {
      v = "allElements";
    }
    if (e.component_name) v = "named " + *e.component_name + ": " + v;
    Node& n = parent.add("alternateAccess", v);
    if (e.access.nested) alternate_access(n, *e.access.nested);
  }
}

void variable_def(Node& parent, const mms::VariableDef& d) {
  Node* n = nullptr;
  if (const auto* name = std::get_if<mms::ObjectName>(&d.spec)) {
    n = &parent.add("variable", name->to_string());
  } else if (const auto* a = std::get_if<mms::Address>(&d.spec)) {
    n = &parent.add("variable", address_text(*a));
  } else {
    n = &parent.add("variable", "invalidated");
  }
  if (d.alternate_access) alternate_access(*n, *d.alternate_access);
}

void access_spec(Node& parent, const mms::VariableAccessSpecification& v) {
  if (const auto* list = std::get_if<mms::ListOfVariable>(&v)) {
    Node& n = parent.add("listOfVariable", std::to_string(list->items.size()) + " variables");
    for (const auto& d : list->items) variable_def(n, d);
  } else if (const auto* name = std::get_if<mms::VariableListName>(&v)) {
    parent.add("variableListName", name->name.to_string());
  }
}

void access_results(Node& parent, const std::vector<mms::AccessResult>& results) {
  Node& n = parent.add("listOfAccessResult", std::to_string(results.size()) + " results");
  for (const auto& r : results) {
    if (const auto* e = std::get_if<mms::DataAccessError>(&r)) {
      n.add("failure",
            str(mms::data_access_error_name(*e)) + " (" + std::to_string(static_cast<unsigned>(*e)) + ")");
    } else if (const auto* d = std::get_if<mms::Data>(&r)) {
      Node s = data_node(*d);
      s.label = "success: " + s.label;
      n.children.push_back(std::move(s));
    }
  }
}

void service_error(Node& parent, const mms::ServiceError& e) {
  Node& n = parent.add("serviceError", mms::describe(e));
  n.add("errorClass", str(mms::error_class_name(e.error_class)));
  n.add("code", std::to_string(e.code) + " (" + str(mms::error_code_name(e.error_class, e.code)) + ")");
  if (e.additional_code) n.add("additionalCode", std::to_string(*e.additional_code));
  if (e.additional_description) n.add("additionalDescription", quoted(*e.additional_description));
  if (e.service_specific_info) n.add("serviceSpecificInfo", hex_summary(*e.service_specific_info));
}

const char* type_kind_name(mms::TypeSpecification::Kind k) {
  using K = mms::TypeSpecification::Kind;
  switch (k) {
    case K::type_name: return "typeName";
    case K::array: return "array";
    case K::structure: return "structure";
    case K::boolean: return "boolean";
    case K::bit_string: return "bit-string";
    case K::integer: return "integer";
    case K::unsigned_: return "unsigned";
    case K::floating_point: return "floating-point";
    case K::octet_string: return "octet-string";
    case K::visible_string: return "visible-string";
    case K::generalized_time: return "generalized-time";
    case K::binary_time: return "binary-time";
    case K::bcd: return "bcd";
    case K::obj_id: return "objId";
    case K::mms_string: return "mMSString";
    case K::utc_time: return "utc-time";
  }
  return "unknown";
}

Node type_node(std::string label, const mms::TypeSpecificationPtr& t) {
  using K = mms::TypeSpecification::Kind;
  if (!t) return {std::move(label), "(none)", kNoOffset, 0, {}};
  Node n{std::move(label), type_kind_name(t->kind), kNoOffset, 0, {}};
  auto size_text = [](std::int32_t s) {
    return s < 0 ? "variable, up to " + std::to_string(-static_cast<std::int64_t>(s))
                 : "fixed " + std::to_string(s);
  };
  switch (t->kind) {
    case K::type_name: n.value += " " + t->type_name.to_string(); break;
    case K::array:
      n.value += "[" + std::to_string(t->number_of_elements) + "]" + (t->packed ? " packed" : "");
      n.children.push_back(type_node("elementType", t->element_type));
      break;
    case K::structure:
      n.value += " (" + std::to_string(t->components.size()) + " components)" + (t->packed ? " packed" : "");
      for (const auto& c : t->components)
        n.children.push_back(type_node(c.name ? *c.name : "(unnamed)", c.type));
      break;
    case K::bit_string:
    case K::octet_string:
    case K::visible_string:
    case K::mms_string: n.value += " (" + size_text(t->size) + ")"; break;
    case K::integer:
    case K::unsigned_:
    case K::bcd: n.value += " (" + std::to_string(t->size) + " bits)"; break;
    case K::floating_point:
      n.value += " (format-width " + std::to_string(t->format_width) + ", exponent-width " +
                 std::to_string(t->exponent_width) + ")";
      break;
    case K::binary_time: n.value += t->binary_time_with_date ? " (with date)" : " (time of day)"; break;
    case K::boolean:
    case K::generalized_time:
    case K::obj_id:
    case K::utc_time: break;
  }
  return n;
}

void initiate(Node& n, const mms::InitiateParameters& p, bool request) {
  if (p.local_detail)
    n.add(request ? "localDetailCalling" : "localDetailCalled", std::to_string(*p.local_detail));
  const char* prefix = request ? "proposed" : "negotiated";
  n.add(str(prefix) + "MaxServOutstandingCalling", std::to_string(p.max_serv_outstanding_calling));
  n.add(str(prefix) + "MaxServOutstandingCalled", std::to_string(p.max_serv_outstanding_called));
  if (p.data_structure_nesting_level)
    n.add(str(prefix) + "DataStructureNestingLevel", std::to_string(*p.data_structure_nesting_level));
  Node& d = n.add(request ? "initRequestDetail" : "initResponseDetail");
  d.add(str(prefix) + "VersionNumber", std::to_string(p.version_number));
  std::string cbb;
  for (std::size_t i = 0; i < p.parameter_cbb.size(); ++i) {
    if (!p.parameter_cbb.bit(i)) continue;
    if (!cbb.empty()) cbb += ", ";
    cbb += str(mms::parameter_support_name(i));
  }
  Node& c = d.add(str(prefix) + "ParameterCBB", bit_string_text(p.parameter_cbb));
  if (!cbb.empty()) c.add("set", cbb);
  std::string services;
  std::size_t count = 0;
  for (std::size_t i = 0; i < p.services_supported.size(); ++i) {
    if (!p.services_supported.bit(i)) continue;
    if (!services.empty()) services += ", ";
    services += str(mms::service_support_name(i));
    ++count;
  }
  Node& s = d.add(request ? "servicesSupportedCalling" : "servicesSupportedCalled",
                  std::to_string(count) + " of " + std::to_string(p.services_supported.size()) + " services");
  if (!services.empty()) s.add("set", services);
}

void request_service(Node& n, const mms::ConfirmedServiceRequest& s) {
  n.add("service", str(mms::confirmed_service_name(mms::service_tag(s))));
  if (const auto* st = std::get_if<mms::StatusRequest>(&s)) {
    n.add("extendedDerivation", st->extended_derivation ? "true" : "false");
  } else if (const auto* g = std::get_if<mms::GetNameListRequest>(&s)) {
    n.add("objectClass", str(mms::object_class_name(g->object_class)));
    switch (g->scope) {
      case mms::GetNameListRequest::Scope::vmd: n.add("objectScope", "vmdSpecific"); break;
      case mms::GetNameListRequest::Scope::domain: n.add("objectScope", "domainSpecific " + g->domain); break;
      case mms::GetNameListRequest::Scope::aa: n.add("objectScope", "aaSpecific"); break;
    }
    if (g->continue_after) n.add("continueAfter", *g->continue_after);
  } else if (const auto* r = std::get_if<mms::ReadRequest>(&s)) {
    n.add("specificationWithResult", r->specification_with_result ? "true" : "false");
    access_spec(n, r->variables);
  } else if (const auto* w = std::get_if<mms::WriteRequest>(&s)) {
    access_spec(n, w->variables);
    Node& list = n.add("listOfData", std::to_string(w->data.size()) + " values");
    for (const auto& d : w->data) list.children.push_back(data_node(d));
  } else if (const auto* ga = std::get_if<mms::GetVariableAccessAttributesRequest>(&s)) {
    if (const auto* name = std::get_if<mms::ObjectName>(&ga->object)) {
      n.add("name", name->to_string());
    } else if (const auto* a = std::get_if<mms::Address>(&ga->object)) {
      n.add("address", address_text(*a));
    }
  } else if (const auto* dl = std::get_if<mms::DefineNamedVariableListRequest>(&s)) {
    n.add("variableListName", dl->name.to_string());
    Node& list = n.add("listOfVariable", std::to_string(dl->variables.size()) + " variables");
    for (const auto& d : dl->variables) variable_def(list, d);
  } else if (const auto* gl = std::get_if<mms::GetNamedVariableListAttributesRequest>(&s)) {
    n.add("variableListName", gl->name.to_string());
  } else if (const auto* del = std::get_if<mms::DeleteNamedVariableListRequest>(&s)) {
    static constexpr const char* kScopes[] = {"specific", "aa-specific", "domain", "vmd"};
    n.add("scopeOfDelete", del->scope_of_delete >= 0 && del->scope_of_delete <= 3
                               ? kScopes[del->scope_of_delete]
                               : std::to_string(del->scope_of_delete));
    if (del->names) {
      Node& list = n.add("listOfVariableListName", std::to_string(del->names->size()) + " names");
      for (const auto& name : *del->names) list.add("name", name.to_string());
    }
    if (del->domain_name) n.add("domainName", *del->domain_name);
  }
}

void response_service(Node& n, const mms::ConfirmedServiceResponse& s) {
  n.add("service", str(mms::confirmed_service_name(mms::service_tag(s))));
  if (const auto* st = std::get_if<mms::StatusResponse>(&s)) {
    n.add("vmdLogicalStatus", std::to_string(st->vmd_logical_status));
    n.add("vmdPhysicalStatus", std::to_string(st->vmd_physical_status));
    if (st->local_detail) n.add("localDetail", bit_string_text(*st->local_detail));
  } else if (const auto* g = std::get_if<mms::GetNameListResponse>(&s)) {
    Node& list = n.add("listOfIdentifier", std::to_string(g->identifiers.size()) + " identifiers");
    for (const auto& id : g->identifiers) list.add("identifier", id);
    n.add("moreFollows", g->more_follows ? "true" : "false");
  } else if (const auto* id = std::get_if<mms::IdentifyResponse>(&s)) {
    n.add("vendorName", quoted(id->vendor_name));
    n.add("modelName", quoted(id->model_name));
    n.add("revision", quoted(id->revision));
    if (id->abstract_syntaxes) {
      Node& list =
          n.add("listOfAbstractSyntaxes", std::to_string(id->abstract_syntaxes->size()) + " syntaxes");
      for (const auto& o : *id->abstract_syntaxes) list.add("abstractSyntax", oid_text(o));
    }
  } else if (const auto* r = std::get_if<mms::ReadResponse>(&s)) {
    if (r->variables) access_spec(n, *r->variables);
    access_results(n, r->results);
  } else if (const auto* w = std::get_if<mms::WriteResponse>(&s)) {
    Node& list = n.add("results", std::to_string(w->results.size()) + " results");
    for (const auto& wr : w->results) {
      if (const auto* e = std::get_if<mms::DataAccessError>(&wr)) {
        list.add("failure", str(mms::data_access_error_name(*e)) + " (" +
                                std::to_string(static_cast<unsigned>(*e)) + ")");
      } else {
        list.add("success");
      }
    }
  } else if (const auto* ga = std::get_if<mms::GetVariableAccessAttributesResponse>(&s)) {
    n.add("mmsDeletable", ga->mms_deletable ? "true" : "false");
    if (ga->address) n.add("address", address_text(*ga->address));
    n.children.push_back(type_node("typeSpecification", ga->type));
  } else if (const auto* gl = std::get_if<mms::GetNamedVariableListAttributesResponse>(&s)) {
    n.add("mmsDeletable", gl->mms_deletable ? "true" : "false");
    Node& list = n.add("listOfVariable", std::to_string(gl->variables.size()) + " variables");
    for (const auto& d : gl->variables) variable_def(list, d);
  } else if (const auto* del = std::get_if<mms::DeleteNamedVariableListResponse>(&s)) {
    n.add("numberMatched", std::to_string(del->number_matched));
    n.add("numberDeleted", std::to_string(del->number_deleted));
  }
}

}  // namespace

Node mms_pdu_node(const mms::Pdu& pdu, std::size_t off, std::size_t size) {
  Node n{"MMS", str(mms::pdu_name(pdu.kind())), off, size, {}};
  if (const auto* rq = pdu.get<mms::ConfirmedRequestPdu>()) {
    n.add("invokeID", std::to_string(rq->invoke_id));
    request_service(n, rq->service);
  } else if (const auto* rs = pdu.get<mms::ConfirmedResponsePdu>()) {
    n.add("invokeID", std::to_string(rs->invoke_id));
    response_service(n, rs->service);
  } else if (const auto* er = pdu.get<mms::ConfirmedErrorPdu>()) {
    n.add("invokeID", std::to_string(er->invoke_id));
    if (er->modifier_position) n.add("modifierPosition", std::to_string(*er->modifier_position));
    service_error(n, er->error);
  } else if (const auto* u = pdu.get<mms::UnconfirmedPdu>()) {
    n.add("service", str(mms::unconfirmed_service_name(mms::service::kInformationReport)));
    access_spec(n, u->report.variables);
    access_results(n, u->report.results);
  } else if (const auto* rj = pdu.get<mms::RejectPdu>()) {
    if (rj->original_invoke_id) n.add("originalInvokeID", std::to_string(*rj->original_invoke_id));
    n.add("rejectReason", str(mms::reject_class_name(rj->reject_class)) + ": " +
                              str(mms::reject_code_name(rj->reject_class, rj->code)) + " (" +
                              std::to_string(rj->code) + ")");
  } else if (const auto* cq = pdu.get<mms::CancelRequestPdu>()) {
    n.add("invokeID", std::to_string(cq->invoke_id));
  } else if (const auto* cr = pdu.get<mms::CancelResponsePdu>()) {
    n.add("invokeID", std::to_string(cr->invoke_id));
  } else if (const auto* ce = pdu.get<mms::CancelErrorPdu>()) {
    n.add("originalInvokeID", std::to_string(ce->original_invoke_id));
    service_error(n, ce->error);
  } else if (const auto* iq = pdu.get<mms::InitiateRequestPdu>()) {
    initiate(n, iq->params, true);
  } else if (const auto* ir = pdu.get<mms::InitiateResponsePdu>()) {
    initiate(n, ir->params, false);
  } else if (const auto* ie = pdu.get<mms::InitiateErrorPdu>()) {
    service_error(n, ie->error);
  } else if (const auto* ke = pdu.get<mms::ConcludeErrorPdu>()) {
    service_error(n, ke->error);
  }
  return n;
}

void decode_mms(Ctx& ctx, Node& parent, ByteView pdu, std::size_t off) {
  mms::PduError why;
  auto r = mms::decode_pdu(pdu, ctx.limits, &why, off);
  if (!r) {
    Node& n = parent.add("MMS", "undecodable PDU", off, pdu.size());
    if (why.kind) n.add("pdu", str(mms::pdu_name(*why.kind)));
    if (why.invoke_id) n.add("invokeID", std::to_string(*why.invoke_id));
    if (why.service) n.add("service", str(mms::confirmed_service_name(*why.service)));
    if (const auto reject = mms::reject_for(why)) n.add("reaction", "RejectPDU " + mms::describe(*reject));
    fail(ctx, n, "mms", r.error());
    return;
  }
  parent.children.push_back(mms_pdu_node(*r, off, pdu.size()));
}

}  // namespace mmssec::stack::detail
