// SPDX-License-Identifier: Apache-2.0
// The layered decoder behind `mmssec decode`: TPKT → COTP (DT reassembly up to EOT, as the real
// connection does) → session → presentation (the PPDU type follows from the session SPDU type,
// as in the protocol: CN carries CP-type, AC CPA-PPDU, RF CPR-PPDU, AB Abort-type, DT/FN/DN
// User-data) → each PDV to ACSE or MMS (and the MMS PDU inside ACSE user-information).
//
// Every layer's own decoder validates its PDU completely; this file only turns decoded values
// into Nodes and remembers absolute offsets. A decoder that fails is recorded as a Failure named
// after that layer, and the descent stops there.
#include "mmssec/stack/decode.hpp"

#include <algorithm>
#include <cstdio>
#include <string>
#include <variant>

#include "decode_internal.hpp"
#include "mmssec/acse/acse.hpp"
#include "mmssec/ber/ber.hpp"
#include "mmssec/cotp/cotp.hpp"
#include "mmssec/presentation/ppdu.hpp"
#include "mmssec/session/session.hpp"
#include "mmssec/tpkt/tpkt.hpp"

namespace mmssec::stack {
namespace detail {
namespace {

std::string octets(std::size_t n) { return std::to_string(n) + (n == 1 ? " octet" : " octets"); }

std::string hex8(std::uint8_t v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02x", v);
  return buf;
}
std::string hex16(std::uint16_t v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%04x", v);
  return buf;
}

// =============================================================================================
// Offsets of a reassembled TSDU
// =============================================================================================

/// One DT segment's user data and where it sits in the input.
struct Segment {
  std::size_t offset = 0;
  ByteView data;
};

/// A TSDU made of several segments is decoded at base offset 0 (offsets relative to the
/// reassembled buffer) and then mapped back to the input.
std::size_t map_offset(const std::vector<Segment>& segs, std::size_t v) {
  std::size_t start = 0;
  for (const Segment& s : segs) {
    if (v < start + s.data.size()) return s.offset + (v - start);
    start += s.data.size();
  }
  if (segs.empty()) return v;
  return segs.back().offset + segs.back().data.size() + (v - start);
}

void remap(Node& n, const std::vector<Segment>& segs) {
  if (n.offset != kNoOffset) {
    const std::size_t mapped = map_offset(segs, n.offset);
    if (n.label == "error") {
      // The failure text ends with " at offset <n>": restate it with the absolute offset.
      const std::string marker = " at offset ";
      const std::size_t at = n.value.rfind(marker);
      if (at != std::string::npos) n.value = n.value.substr(0, at + marker.size()) + std::to_string(mapped);
    }
    n.offset = mapped;
  }
  for (Node& c : n.children) remap(c, segs);
}

// =============================================================================================
// Names (X.224, X.225, X.226 named values)
// =============================================================================================

const char* cotp_reason_name(std::uint8_t r) {
  switch (r) {
    case cotp::reason::kNotSpecified: return "reason-not-specified";
    case cotp::reason::kCongestionAtTsap: return "congestion-at-TSAP";
    case cotp::reason::kSessionNotAttached: return "session-entity-not-attached";
    case cotp::reason::kAddressUnknown: return "address-unknown";
    case cotp::reason::kNormal: return "normal-disconnect";
    case cotp::reason::kRemoteCongestion: return "remote-transport-entity-congestion";
    case cotp::reason::kNegotiationFailed: return "connection-negotiation-failed";
    case cotp::reason::kDuplicateReference: return "duplicate-source-reference";
    case cotp::reason::kMismatchedReferences: return "mismatched-references";
    case cotp::reason::kProtocolError: return "protocol-error";
    case cotp::reason::kReferenceOverflow: return "reference-overflow";
    case cotp::reason::kRefused: return "connection-request-refused";
    case cotp::reason::kHeaderLengthInvalid: return "header-or-parameter-length-invalid";
    default: return "unknown";
  }
}

const char* cotp_cause_name(std::uint8_t c) {
  switch (c) {
    case cotp::cause::kNotSpecified: return "reason-not-specified";
    case cotp::cause::kInvalidParameterCode: return "invalid-parameter-code";
    case cotp::cause::kInvalidTpduType: return "invalid-TPDU-type";
    case cotp::cause::kInvalidParameterValue: return "invalid-parameter-value";
    default: return "unknown";
  }
}

const char* session_reason_name(std::uint8_t r) {
  switch (r) {
    case session::reason::kUserNotSpecified: return "rejection by called SS-user, no reason";
    case session::reason::kUserCongestion: return "rejection by called SS-user, congestion";
    case session::reason::kUserWithData: return "rejection by called SS-user (user data)";
    case session::reason::kSelectorUnknown: return "session selector unknown";
    case session::reason::kUserNotAttached: return "SS-user not attached to SSAP";
    case session::reason::kSpmCongestion: return "SPM congestion at connect time";
    case session::reason::kVersionsNotSupported: return "proposed protocol versions not supported";
    case session::reason::kSpmNotSpecified: return "rejection by the SPM, no reason";
    case session::reason::kSpmImplementationRestriction:
      return "rejection by the SPM, implementation restriction";
    default: return "unknown";
  }
}

std::string transport_disconnect_text(std::uint8_t v) {
  std::string s = hex8(v);
  s += (v & session::kTdReleased) != 0 ? " (transport connection released" : " (transport connection kept";
  if ((v & session::kTdUserAbort) != 0) s += ", user abort";
  if ((v & session::kTdProtocolError) != 0) s += ", protocol error";
  if ((v & session::kTdNoReason) != 0) s += ", no reason";
  if ((v & session::kTdImplementationRestriction) != 0) s += ", implementation restriction";
  s += ")";
  return s;
}

std::string versions_text(std::uint8_t v) {
  std::string s = hex8(v) + " (";
  bool any = false;
  if ((v & session::kVersion1) != 0) {
    s += "version 1";
    any = true;
  }
  if ((v & session::kVersion2) != 0) {
    s += any ? ", version 2" : "version 2";
    any = true;
  }
  if (!any) s += "none";
  return s + ")";
}

std::string requirements_text(std::uint16_t v) {
  std::string s = hex16(v);
  if ((v & session::kFuDuplex) != 0) s += " (duplex)";
  if ((v & session::kFuHalfDuplex) != 0) s += " (half-duplex)";
  return s;
}

const char* outcome_name(presentation::ContextOutcome o) {
  switch (o) {
    case presentation::ContextOutcome::acceptance: return "acceptance";
    case presentation::ContextOutcome::user_rejection: return "user-rejection";
    case presentation::ContextOutcome::provider_rejection: return "provider-rejection";
  }
  return "unknown";
}

const char* context_reason_name(presentation::ContextRejectReason r) {
  switch (r) {
    case presentation::ContextRejectReason::reason_not_specified: return "reason-not-specified";
    case presentation::ContextRejectReason::abstract_syntax_not_supported:
      return "abstract-syntax-not-supported";
    case presentation::ContextRejectReason::proposed_transfer_syntaxes_not_supported:
      return "proposed-transfer-syntaxes-not-supported";
    case presentation::ContextRejectReason::local_limit_on_dcs_exceeded: return "local-limit-on-DCS-exceeded";
  }
  return "unknown";
}

const char* provider_reason_name(presentation::ProviderReason r) {
  switch (r) {
    case presentation::ProviderReason::reason_not_specified: return "reason-not-specified";
    case presentation::ProviderReason::temporary_congestion: return "temporary-congestion";
    case presentation::ProviderReason::local_limit_exceeded: return "local-limit-exceeded";
    case presentation::ProviderReason::called_presentation_address_unknown:
      return "called-presentation-address-unknown";
    case presentation::ProviderReason::protocol_version_not_supported:
      return "protocol-version-not-supported";
    case presentation::ProviderReason::default_context_not_supported: return "default-context-not-supported";
    case presentation::ProviderReason::user_data_not_readable: return "user-data-not-readable";
    case presentation::ProviderReason::no_psap_available: return "no-PSAP-available";
  }
  return "unknown";
}

const char* abort_reason_name(presentation::AbortReason r) {
  switch (r) {
    case presentation::AbortReason::reason_not_specified: return "reason-not-specified";
    case presentation::AbortReason::unrecognized_ppdu: return "unrecognized-ppdu";
    case presentation::AbortReason::unexpected_ppdu: return "unexpected-ppdu";
    case presentation::AbortReason::unexpected_session_service_primitive:
      return "unexpected-session-service-primitive";
    case presentation::AbortReason::unrecognized_ppdu_parameter: return "unrecognized-ppdu-parameter";
    case presentation::AbortReason::unexpected_ppdu_parameter: return "unexpected-ppdu-parameter";
    case presentation::AbortReason::invalid_ppdu_parameter_value: return "invalid-ppdu-parameter-value";
  }
  return "unknown";
}

std::string event_text(presentation::EventIdentifier e) {
  const auto v = static_cast<unsigned>(e);
  switch (e) {
    case presentation::EventIdentifier::cp_ppdu: return "0 (cp-PPDU)";
    case presentation::EventIdentifier::cpa_ppdu: return "1 (cpa-PPDU)";
    case presentation::EventIdentifier::cpr_ppdu: return "2 (cpr-PPDU)";
    case presentation::EventIdentifier::aru_ppdu: return "3 (aru-PPDU)";
    case presentation::EventIdentifier::arp_ppdu: return "4 (arp-PPDU)";
    case presentation::EventIdentifier::td_ppdu: return "7 (td-PPDU)";
    case presentation::EventIdentifier::s_release_indication: return "14 (s-release-indication)";
    case presentation::EventIdentifier::s_release_confirm: return "15 (s-release-confirm)";
  }
  return std::to_string(v);
}

// =============================================================================================
// ACSE
// =============================================================================================

std::string ap_title_text(const acse::ApTitle& t) {
  switch (t.form) {
    case acse::ApTitle::Form::form1: return "form1 (Name) " + hex_summary(t.name);
    case acse::ApTitle::Form::form2: return "form2 " + oid_text(t.oid);
    case acse::ApTitle::Form::form3: return "form3 " + quoted(t.text);
  }
  return "unknown";
}

std::string ae_qualifier_text(const acse::AeQualifier& q) {
  switch (q.form) {
    case acse::AeQualifier::Form::form1: return "form1 (RDN) " + hex_summary(q.rdn);
    case acse::AeQualifier::Form::form2: return "form2 " + std::to_string(q.value);
    case acse::AeQualifier::Form::form3: return "form3 " + quoted(q.text);
  }
  return "unknown";
}

std::string acse_bits_text(const acse::BitField& b, std::initializer_list<std::string_view> names) {
  std::string s = "'" + bits_text(b.bytes, b.unused_bits) + "'B";
  std::string set;
  std::size_t i = 0;
  for (const std::string_view n : names) {
    if (b.bit(i)) {
      if (!set.empty()) set += ", ";
      set += n;
    }
    ++i;
  }
  if (!set.empty()) s += " (" + set + ")";
  return s;
}

/// MMS-Authentication-value ::= CHOICE { certificate-based [0] IMPLICIT SEQUENCE {
///   authentication-Certificate [0] IMPLICIT OCTET STRING, time [1] IMPLICIT GeneralizedTime,
///   signature [2] IMPLICIT OCTET STRING } }   (IEC 62351-4 A-profile, PROFILE.md §4)
/// Summarised, not verified: sizes, the signed time, the first octets of the certificate.
void mms_authentication_value(Node& n, ByteView encoded, const Limits& limits) {
  constexpr ber::Tag kCertificateBased = ber::Tag::context_cons(0);
  constexpr ber::Tag kCertificate = ber::Tag::context(0);
  constexpr ber::Tag kTime = ber::Tag::context(1);
  constexpr ber::Tag kSignature = ber::Tag::context(2);
  ber::Reader outer(encoded, ber::ReaderOptions::from(limits));
  auto seq = outer.enter(kCertificateBased);
  if (!seq || !outer.expect_end()) {
    n.add("mms-authentication-value", "not certificate-based: " + hex_summary(encoded));
    return;
  }
  auto cert = seq->read_octet_string(kCertificate);
  auto time = cert ? seq->read_generalized_time(kTime) : Result<ber::Time>(cert.error());
  auto sig = time ? seq->read_octet_string(kSignature) : Result<ByteView>(time.error());
  if (!cert || !time || !sig || !seq->expect_end()) {
    n.add("mms-authentication-value", "malformed certificate-based value: " + hex_summary(encoded));
    return;
  }
  Node& v = n.add("mms-authentication-value", "certificate-based");
  v.add("authentication-certificate", hex_summary(*cert, 8));
  v.add("time", iso8601(time->to_unix_seconds(), time->nanos, time->fraction_digits));
  v.add("signature", hex_summary(*sig, 8));
}

std::string external_refs(const ber::External& e) {
  std::string s;
  if (e.direct_reference) s += "direct-reference " + oid_text(*e.direct_reference);
  if (e.indirect_reference) {
    if (!s.empty()) s += ", ";
    s += "indirect-reference " + std::to_string(*e.indirect_reference);
  }
  if (s.empty()) s = "no reference";
  return s;
}

void authentication_value(Node& parent, const char* label, const acse::AuthenticationValue& a,
                          const Limits& limits) {
  using K = acse::AuthenticationValue::Kind;
  switch (a.kind) {
    case K::charstring:
      parent.add(label, "charstring " + octets(a.charstring.size()) + " (not shown)");
      return;
    case K::bitstring:
      parent.add(label, "bitstring " +
                            std::to_string(a.bitstring.bytes.size() * 8 - a.bitstring.unused_bits) + " bits");
      return;
    case K::other: {
      Node& n = parent.add(label, "other");
      n.add("other-mechanism-name", oid_text(a.other_mechanism_name));
      n.add("other-mechanism-value", hex_summary(a.other_mechanism_value));
      return;
    }
    case K::external: {
      Node& n = parent.add(label, "external, " + external_refs(a.external));
      if (a.external.encoding == ber::External::Encoding::single_asn1_type) {
        mms_authentication_value(n, a.external.data, limits);
      } else {
        n.add("data", hex_summary(a.external.data));
      }
      return;
    }
  }
}

/// Absolute offsets of the single-ASN1-type contents of each user-information EXTERNAL:
///   user-information [30] IMPLICIT SEQUENCE OF EXTERNAL, EXTERNAL ::= [UNIVERSAL 8] IMPLICIT
///   SEQUENCE { ..., encoding CHOICE { single-ASN1-type [0] ANY, ... } }
/// The APDU already decoded, so this walk only fails on inputs it cannot have accepted; a slot
/// it cannot locate is kNoOffset.
std::vector<std::size_t> user_information_offsets(ByteView apdu, std::size_t off, const Limits& limits) {
  constexpr ber::Tag kUserInformation = ber::Tag::context_cons(30);
  constexpr ber::Tag kSingleAsn1Type = ber::Tag::context_cons(0);
  std::vector<std::size_t> out;
  ber::Reader top(apdu, ber::ReaderOptions::from(limits), off);
  auto outer = top.read_any();
  if (!outer || !outer->tag.constructed) return out;
  auto fields = top.enter(*outer);
  if (!fields) return out;
  while (!fields->empty()) {
    auto f = fields->read_any();
    if (!f) return out;
    if (f->tag != kUserInformation) continue;
    auto list = fields->enter(*f);
    if (!list) return out;
    while (!list->empty()) {
      auto ext = list->enter(ber::tags::kExternal);
      if (!ext) return out;
      std::size_t at = kNoOffset;
      while (!ext->empty()) {
        auto e = ext->read_any();
        if (!e) break;
        if (e->tag == kSingleAsn1Type) {
          auto inner = ext->enter(*e);
          if (inner) at = inner->offset();
        }
      }
      out.push_back(at);
    }
  }
  return out;
}

void user_information(Ctx& ctx, Node& parent, const acse::UserInformation& ui, ByteView apdu,
                      std::size_t off) {
  const std::vector<std::size_t> at = user_information_offsets(apdu, off, ctx.limits);
  Node& list = parent.add("user-information", std::to_string(ui.size()) + " EXTERNAL");
  for (std::size_t i = 0; i < ui.size(); ++i) {
    const ber::External& e = ui[i];
    const std::size_t data_off = i < at.size() ? at[i] : kNoOffset;
    Node n{"EXTERNAL", external_refs(e), kNoOffset, 0, {}};
    switch (e.encoding) {
      case ber::External::Encoding::single_asn1_type:
        // The MMS PDU (Initiate) travels here in an AARQ/AARE; it has no offset only if the
        // offset walk above could not find it, which it always can for a decoded APDU.
        decode_mms(ctx, n, e.data, data_off == kNoOffset ? 0 : data_off);
        break;
      case ber::External::Encoding::octet_aligned: n.add("octet-aligned", hex_summary(e.data)); break;
      case ber::External::Encoding::arbitrary: n.add("arbitrary", hex_summary(e.data)); break;
    }
    list.children.push_back(std::move(n));
  }
}

void decode_acse(Ctx& ctx, Node& parent, ByteView data, std::size_t off) {
  auto r = acse::decode_apdu(data, ctx.limits, off);
  if (!r) {
    Node& n = parent.add("ACSE", "undecodable APDU", off, data.size());
    fail(ctx, n, "acse", r.error());
    return;
  }
  const std::initializer_list<std::string_view> kRequirementNames = {
      "authentication", "aSO-context-negotiation", "higher-level-association", "nested-association"};
  Node n{"ACSE", std::string(acse::apdu_name(*r)), off, data.size(), {}};
  if (const auto* q = std::get_if<acse::Aarq>(&*r)) {
    n.value += " (A-ASSOCIATE request)";
    if (q->protocol_version) n.add("protocol-version", acse_bits_text(*q->protocol_version, {"version1"}));
    n.add("application-context-name", oid_text(q->application_context_name));
    if (q->called_ap_title) n.add("called-AP-title", ap_title_text(*q->called_ap_title));
    if (q->called_ae_qualifier) n.add("called-AE-qualifier", ae_qualifier_text(*q->called_ae_qualifier));
    if (q->called_ap_invocation_id)
      n.add("called-AP-invocation-id", std::to_string(*q->called_ap_invocation_id));
    if (q->called_ae_invocation_id)
      n.add("called-AE-invocation-id", std::to_string(*q->called_ae_invocation_id));
    if (q->calling_ap_title) n.add("calling-AP-title", ap_title_text(*q->calling_ap_title));
    if (q->calling_ae_qualifier) n.add("calling-AE-qualifier", ae_qualifier_text(*q->calling_ae_qualifier));
    if (q->calling_ap_invocation_id)
      n.add("calling-AP-invocation-id", std::to_string(*q->calling_ap_invocation_id));
    if (q->calling_ae_invocation_id)
      n.add("calling-AE-invocation-id", std::to_string(*q->calling_ae_invocation_id));
    if (q->sender_acse_requirements)
      n.add("sender-acse-requirements", acse_bits_text(*q->sender_acse_requirements, kRequirementNames));
    if (q->mechanism_name) n.add("mechanism-name", oid_text(*q->mechanism_name));
    if (q->calling_authentication_value)
      authentication_value(n, "calling-authentication-value", *q->calling_authentication_value, ctx.limits);
    if (q->application_context_name_list)
      n.add("application-context-name-list",
            std::to_string(q->application_context_name_list->size()) + " names");
    if (q->implementation_information)
      n.add("implementation-information", quoted(*q->implementation_information));
    if (q->user_information) user_information(ctx, n, *q->user_information, data, off);
  } else if (const auto* e = std::get_if<acse::Aare>(&*r)) {
    n.value += " (A-ASSOCIATE response)";
    if (e->protocol_version) n.add("protocol-version", acse_bits_text(*e->protocol_version, {"version1"}));
    n.add("application-context-name", oid_text(e->application_context_name));
    n.add("result", acse::result_name(e->result));
    n.add("result-source-diagnostic", acse::describe(e->diagnostic));
    if (e->responding_ap_title) n.add("responding-AP-title", ap_title_text(*e->responding_ap_title));
    if (e->responding_ae_qualifier)
      n.add("responding-AE-qualifier", ae_qualifier_text(*e->responding_ae_qualifier));
    if (e->responding_ap_invocation_id)
      n.add("responding-AP-invocation-id", std::to_string(*e->responding_ap_invocation_id));
    if (e->responding_ae_invocation_id)
      n.add("responding-AE-invocation-id", std::to_string(*e->responding_ae_invocation_id));
    if (e->responder_acse_requirements)
      n.add("responder-acse-requirements",
            acse_bits_text(*e->responder_acse_requirements, kRequirementNames));
    if (e->mechanism_name) n.add("mechanism-name", oid_text(*e->mechanism_name));
    if (e->responding_authentication_value)
      authentication_value(n, "responding-authentication-value", *e->responding_authentication_value,
                           ctx.limits);
    if (e->application_context_name_list)
      n.add("application-context-name-list",
            std::to_string(e->application_context_name_list->size()) + " names");
    if (e->implementation_information)
      n.add("implementation-information", quoted(*e->implementation_information));
    if (e->user_information) user_information(ctx, n, *e->user_information, data, off);
  } else if (const auto* rq = std::get_if<acse::Rlrq>(&*r)) {
    n.value += " (A-RELEASE request)";
    if (rq->reason) {
      const auto v = static_cast<unsigned>(*rq->reason);
      n.add("reason", v == 0 ? "normal" : v == 1 ? "urgent" : v == 30 ? "user-defined" : std::to_string(v));
    }
    if (rq->user_information) user_information(ctx, n, *rq->user_information, data, off);
  } else if (const auto* re = std::get_if<acse::Rlre>(&*r)) {
    n.value += " (A-RELEASE response)";
    if (re->reason) {
      const auto v = static_cast<unsigned>(*re->reason);
      n.add("reason", v == 0    ? "normal"
                      : v == 1  ? "not-finished"
                      : v == 30 ? "user-defined"
                                : std::to_string(v));
    }
    if (re->user_information) user_information(ctx, n, *re->user_information, data, off);
  } else if (const auto* ab = std::get_if<acse::Abrt>(&*r)) {
    n.value += " (A-ABORT)";
    n.add("abort-source", acse::abort_source_name(ab->source));
    if (ab->diagnostic) n.add("abort-diagnostic", acse::abort_diagnostic_name(*ab->diagnostic));
    if (ab->user_information) user_information(ctx, n, *ab->user_information, data, off);
  }
  parent.children.push_back(std::move(n));
}

// =============================================================================================
// Presentation
// =============================================================================================

enum class PKind { cp, cpa, cpr, abort, user_data };

std::string pres_bits_text(const presentation::BitField& b, std::initializer_list<std::string_view> names) {
  std::string s = "'" + bits_text(b.bytes, b.unused_bits) + "'B";
  std::string set;
  std::size_t i = 0;
  for (const std::string_view n : names) {
    if (b.bit(i)) {
      if (!set.empty()) set += ", ";
      set += n;
    }
    ++i;
  }
  if (!set.empty()) s += " (" + set + ")";
  return s;
}

const std::initializer_list<std::string_view> kUserSessionRequirementNames = {
    "half-duplex",       "duplex",        "expedited-data",      "minor-synchronize",
    "major-synchronize", "resynchronize", "activity-management", "negotiated-release",
    "capability-data",   "exceptions",    "typed-data",          "symmetric-synchronize",
    "data-separation"};

enum class Syntax { acse, mms, other };

/// Which decoder a PDV's content goes to: by the context table of a CP seen in this stream; for
/// an unknown context, ACSE APDUs are recognised by their [APPLICATION 0..4] tag, everything
/// else is taken to be MMS (whose PDUs are context-tagged).
Syntax syntax_of(const Ctx& ctx, presentation::ContextId id, ByteView data) {
  if (auto it = ctx.contexts.find(id); it != ctx.contexts.end()) {
    if (it->second == presentation::oids::acse_abstract_syntax()) return Syntax::acse;
    if (it->second == presentation::oids::mms_abstract_syntax()) return Syntax::mms;
    return Syntax::other;
  }
  ber::Reader r(data);
  const auto tag = r.peek_tag();
  if (tag && tag->cls == ber::TagClass::application && tag->constructed && tag->number <= 4)
    return Syntax::acse;
  return Syntax::mms;
}

std::string context_text(const Ctx& ctx, presentation::ContextId id) {
  std::string s = "context " + std::to_string(id);
  if (auto it = ctx.contexts.find(id); it != ctx.contexts.end()) s += ", " + oid_text(it->second);
  return s;
}

void user_data(Ctx& ctx, Node& parent, const presentation::UserData& ud) {
  if (ud.kind == presentation::UserData::Kind::simply_encoded) {
    parent.add("simply-encoded-data", hex_summary(ud.simply_encoded), ud.simply_encoded_offset,
               ud.simply_encoded.size());
    return;
  }
  Node& list = parent.add("fully-encoded-data", std::to_string(ud.pdvs.size()) + " PDV-list");
  for (const presentation::Pdv& pdv : ud.pdvs) {
    Node n{"PDV", context_text(ctx, pdv.context_id), pdv.data_offset, pdv.data.size(), {}};
    if (pdv.transfer_syntax) n.add("transfer-syntax-name", oid_text(*pdv.transfer_syntax));
    switch (pdv.encoding) {
      case presentation::PdvEncoding::single_asn1_type:
        switch (syntax_of(ctx, pdv.context_id, pdv.data)) {
          case Syntax::acse: decode_acse(ctx, n, pdv.data, pdv.data_offset); break;
          case Syntax::mms: decode_mms(ctx, n, pdv.data, pdv.data_offset); break;
          case Syntax::other:
            n.add("single-ASN1-type", hex_summary(pdv.data), pdv.data_offset, pdv.data.size());
        }
        break;
      case presentation::PdvEncoding::octet_aligned:
        n.add("octet-aligned", hex_summary(pdv.data), pdv.data_offset, pdv.data.size());
        break;
      case presentation::PdvEncoding::arbitrary:
        n.add("arbitrary", hex_summary(pdv.data), pdv.data_offset, pdv.data.size());
        break;
    }
    list.children.push_back(std::move(n));
  }
}

void context_results(Node& parent, const std::vector<presentation::ContextResult>& results) {
  if (results.empty()) return;
  Node& list =
      parent.add("presentation-context-definition-result-list", std::to_string(results.size()) + " results");
  for (const auto& cr : results) {
    Node& item = list.add("result", outcome_name(cr.outcome));
    if (cr.transfer_syntax) item.add("transfer-syntax-name", oid_text(*cr.transfer_syntax));
    if (cr.provider_reason) item.add("provider-reason", context_reason_name(*cr.provider_reason));
  }
}

void decode_presentation(Ctx& ctx, Node& parent, PKind kind, ByteView data, std::size_t off) {
  Node n{"Presentation", {}, off, data.size(), {}};
  const char* failed_layer = "presentation";
  Status st;
  switch (kind) {
    case PKind::cp: {
      auto r = presentation::decode_cp(data, ctx.limits, off);
      n.value = "CP-type (connect presentation)";
      if (!r) {
        st = r.error();
        break;
      }
      n.add("mode-selector", "normal-mode");
      if (r->protocol_version) n.add("protocol-version", pres_bits_text(*r->protocol_version, {"version-1"}));
      if (r->calling_selector) n.add("calling-presentation-selector", hex_summary(*r->calling_selector));
      if (r->called_selector) n.add("called-presentation-selector", hex_summary(*r->called_selector));
      if (!r->contexts.empty()) {
        ctx.contexts.clear();
        Node& list =
            n.add("presentation-context-definition-list", std::to_string(r->contexts.size()) + " contexts");
        for (const auto& c : r->contexts) {
          ctx.contexts[c.id] = c.abstract_syntax;
          Node& item = list.add("context " + std::to_string(c.id), oid_text(c.abstract_syntax));
          for (const auto& ts : c.transfer_syntaxes) item.add("transfer-syntax-name", oid_text(ts));
        }
      }
      if (r->default_context) {
        Node& d = n.add("default-context-name");
        d.add("abstract-syntax-name", oid_text(r->default_context->abstract_syntax));
        d.add("transfer-syntax-name", oid_text(r->default_context->transfer_syntax));
      }
      if (r->presentation_requirements)
        n.add("presentation-requirements",
              pres_bits_text(*r->presentation_requirements, {"context-management", "restoration"}));
      if (r->user_session_requirements)
        n.add("user-session-requirements",
              pres_bits_text(*r->user_session_requirements, kUserSessionRequirementNames));
      if (r->user_data) user_data(ctx, n, *r->user_data);
      break;
    }
    case PKind::cpa: {
      auto r = presentation::decode_cpa(data, ctx.limits, off);
      n.value = "CPA-PPDU (connect presentation accept)";
      if (!r) {
        st = r.error();
        break;
      }
      n.add("mode-selector", "normal-mode");
      if (r->protocol_version) n.add("protocol-version", pres_bits_text(*r->protocol_version, {"version-1"}));
      if (r->responding_selector)
        n.add("responding-presentation-selector", hex_summary(*r->responding_selector));
      context_results(n, r->results);
      if (r->presentation_requirements)
        n.add("presentation-requirements",
              pres_bits_text(*r->presentation_requirements, {"context-management", "restoration"}));
      if (r->user_session_requirements)
        n.add("user-session-requirements",
              pres_bits_text(*r->user_session_requirements, kUserSessionRequirementNames));
      if (r->user_data) user_data(ctx, n, *r->user_data);
      break;
    }
    case PKind::cpr: {
      auto r = presentation::decode_cpr(data, ctx.limits, off);
      n.value = "CPR-PPDU (connect presentation reject)";
      if (!r) {
        st = r.error();
        break;
      }
      if (r->protocol_version) n.add("protocol-version", pres_bits_text(*r->protocol_version, {"version-1"}));
      if (r->responding_selector)
        n.add("responding-presentation-selector", hex_summary(*r->responding_selector));
      context_results(n, r->results);
      if (r->default_context_result)
        n.add("default-context-result", outcome_name(*r->default_context_result));
      if (r->provider_reason) n.add("provider-reason", provider_reason_name(*r->provider_reason));
      if (r->user_data) user_data(ctx, n, *r->user_data);
      break;
    }
    case PKind::abort: {
      auto r = presentation::decode_abort(data, ctx.limits, off);
      n.value = "Abort-type";
      if (!r) {
        st = r.error();
        break;
      }
      if (const auto* aru = std::get_if<presentation::UserAbortPpdu>(&*r)) {
        n.value = "ARU-PPDU (abort user)";
        if (!aru->contexts.empty()) {
          Node& list =
              n.add("presentation-context-identifier-list", std::to_string(aru->contexts.size()) + " items");
          for (const auto& c : aru->contexts)
            list.add("context " + std::to_string(c.id), oid_text(c.transfer_syntax));
        }
        if (aru->user_data) user_data(ctx, n, *aru->user_data);
      } else if (const auto* arp = std::get_if<presentation::ProviderAbortPpdu>(&*r)) {
        n.value = "ARP-PPDU (abort provider)";
        if (arp->reason) n.add("provider-reason", abort_reason_name(*arp->reason));
        if (arp->event) n.add("event-identifier", event_text(*arp->event));
      }
      break;
    }
    case PKind::user_data: {
      auto r = presentation::decode_user_data(data, ctx.limits, off);
      n.value = "User-data (TD)";
      if (!r) {
        st = r.error();
        break;
      }
      user_data(ctx, n, *r);
      break;
    }
  }
  if (!st) fail(ctx, n, failed_layer, st.error());
  parent.children.push_back(std::move(n));
}

// =============================================================================================
// Session
// =============================================================================================

void connect_accept_item(Node& parent, const session::ConnectAcceptItem& c) {
  Node& n = parent.add("connect-accept-item");
  n.add("protocol-options", hex8(c.protocol_options));
  if (c.tsdu_maximum_size)
    n.add("tsdu-maximum-size", std::to_string(c.tsdu_maximum_size->initiator_to_responder) + " / " +
                                   std::to_string(c.tsdu_maximum_size->responder_to_initiator));
  n.add("version-number", versions_text(c.version_number));
  if (c.initial_serial_number) n.add("initial-serial-number", hex_summary(*c.initial_serial_number));
  if (c.token_setting_item) n.add("token-setting-item", hex8(*c.token_setting_item));
}

const char* form_text(session::UserDataForm f) {
  return f == session::UserDataForm::extended ? "extended user data (PGI 194)" : "user data (PGI 193)";
}

/// Where `user` sits inside `tsdu`: every SPDU carries its user data as one contiguous run of
/// octets (a PGI 193/194 value, the tail of a Reason Code, or the user information after a DT's
/// parameters), and X.225 places it last, so the last occurrence is it.
std::size_t locate(ByteView tsdu, ByteView user, std::size_t off) {
  if (user.empty()) return off + tsdu.size();
  const auto it = std::find_end(tsdu.begin(), tsdu.end(), user.begin(), user.end());
  if (it == tsdu.end()) return off;
  return off + static_cast<std::size_t>(it - tsdu.begin());
}

void decode_session(Ctx& ctx, Node& parent, ByteView tsdu, std::size_t off) {
  auto r = session::decode_tsdu(tsdu, ctx.limits, off);
  if (!r) {
    Node& n = parent.add("Session", "undecodable TSDU", off, tsdu.size());
    fail(ctx, n, "session", r.error());
    return;
  }
  Node n{"Session", {}, off, tsdu.size(), {}};
  std::optional<PKind> kind;
  const Bytes* ud = nullptr;
  const session::Spdu& s = r->spdu;
  if (const auto* cn = std::get_if<session::Connect>(&s)) {
    n.value = "CN (CONNECT)";
    if (cn->connection_identifier) n.add("connection-identifier", hex_summary(*cn->connection_identifier));
    if (cn->connect_accept_item) connect_accept_item(n, *cn->connect_accept_item);
    if (cn->session_user_requirements)
      n.add("session-user-requirements", requirements_text(*cn->session_user_requirements));
    if (cn->calling_session_selector)
      n.add("calling-session-selector", hex_summary(*cn->calling_session_selector));
    if (cn->called_session_selector)
      n.add("called-session-selector", hex_summary(*cn->called_session_selector));
    if (cn->data_overflow) n.add("data-overflow", hex8(*cn->data_overflow));
    if (cn->user_data) {
      n.add("user-data", std::string(form_text(cn->user_data_form)) + ", " + octets(cn->user_data->size()));
      ud = &*cn->user_data;
      kind = PKind::cp;
    }
  } else if (const auto* ac = std::get_if<session::Accept>(&s)) {
    n.value = "AC (ACCEPT)";
    if (ac->connection_identifier) n.add("connection-identifier", hex_summary(*ac->connection_identifier));
    if (ac->connect_accept_item) connect_accept_item(n, *ac->connect_accept_item);
    if (ac->token_item) n.add("token-item", hex8(*ac->token_item));
    if (ac->session_user_requirements)
      n.add("session-user-requirements", requirements_text(*ac->session_user_requirements));
    if (ac->enclosure_item) n.add("enclosure-item", hex8(*ac->enclosure_item));
    if (ac->calling_session_selector)
      n.add("calling-session-selector", hex_summary(*ac->calling_session_selector));
    if (ac->responding_session_selector)
      n.add("responding-session-selector", hex_summary(*ac->responding_session_selector));
    if (ac->user_data) {
      n.add("user-data", std::string(form_text(ac->user_data_form)) + ", " + octets(ac->user_data->size()));
      ud = &*ac->user_data;
      kind = PKind::cpa;
    }
  } else if (const auto* rf = std::get_if<session::Refuse>(&s)) {
    n.value = "RF (REFUSE)";
    if (rf->connection_identifier) n.add("connection-identifier", hex_summary(*rf->connection_identifier));
    if (rf->transport_disconnect)
      n.add("transport-disconnect", transport_disconnect_text(*rf->transport_disconnect));
    if (rf->session_user_requirements)
      n.add("session-user-requirements", requirements_text(*rf->session_user_requirements));
    if (rf->version_number) n.add("version-number", versions_text(*rf->version_number));
    if (rf->enclosure_item) n.add("enclosure-item", hex8(*rf->enclosure_item));
    n.add("reason-code", std::to_string(rf->reason_code) + " (" + session_reason_name(rf->reason_code) + ")");
    if (rf->user_data) {
      n.add("user-data", octets(rf->user_data->size()));
      ud = &*rf->user_data;
      kind = PKind::cpr;
    }
  } else if (const auto* fn = std::get_if<session::Finish>(&s)) {
    n.value = "FN (FINISH)";
    if (fn->transport_disconnect)
      n.add("transport-disconnect", transport_disconnect_text(*fn->transport_disconnect));
    if (fn->enclosure_item) n.add("enclosure-item", hex8(*fn->enclosure_item));
    if (fn->user_data) {
      n.add("user-data", std::string(form_text(fn->user_data_form)) + ", " + octets(fn->user_data->size()));
      ud = &*fn->user_data;
      kind = PKind::user_data;
    }
  } else if (const auto* dn = std::get_if<session::Disconnect>(&s)) {
    n.value = "DN (DISCONNECT)";
    if (dn->enclosure_item) n.add("enclosure-item", hex8(*dn->enclosure_item));
    if (dn->user_data) {
      n.add("user-data", std::string(form_text(dn->user_data_form)) + ", " + octets(dn->user_data->size()));
      ud = &*dn->user_data;
      kind = PKind::user_data;
    }
  } else if (const auto* ab = std::get_if<session::Abort>(&s)) {
    n.value = "AB (ABORT)";
    n.add("transport-disconnect", transport_disconnect_text(ab->transport_disconnect));
    if (ab->enclosure_item) n.add("enclosure-item", hex8(*ab->enclosure_item));
    if (ab->reflect_parameter_values)
      n.add("reflect-parameter-values", hex_summary(*ab->reflect_parameter_values));
    if (ab->user_data) {
      n.add("user-data", std::string(form_text(ab->user_data_form)) + ", " + octets(ab->user_data->size()));
      ud = &*ab->user_data;
      kind = PKind::abort;
    }
  } else if (std::holds_alternative<session::AbortAccept>(s)) {
    n.value = "AA (ABORT ACCEPT)";
  } else if (const auto* gt = std::get_if<session::GiveTokens>(&s)) {
    n.value = "GT (GIVE TOKENS)";
    if (gt->token_item) n.add("token-item", hex8(*gt->token_item));
  } else if (const auto* dt = std::get_if<session::DataTransfer>(&s)) {
    n.value = r->give_tokens ? "GT + DT (give tokens, data transfer)" : "DT (DATA TRANSFER)";
    if (dt->enclosure_item) n.add("enclosure-item", hex8(*dt->enclosure_item));
    n.add("user-information", octets(dt->user_information.size()));
    ud = &dt->user_information;
    kind = PKind::user_data;
  }
  if (kind && ud != nullptr) {
    const std::size_t at = locate(tsdu, *ud, off);
    decode_presentation(ctx, n, *kind, *ud, at);
  }
  parent.children.push_back(std::move(n));
}

// =============================================================================================
// COTP
// =============================================================================================

void connect_fields(Node& n, const cotp::ConnectTpdu& c) {
  n.add("credit", std::to_string(c.credit));
  n.add("dst-ref", hex16(c.dst_ref));
  n.add("src-ref", hex16(c.src_ref));
  n.add("class", std::to_string(c.protocol_class));
  n.add("options", hex8(c.options));
  if (c.tpdu_size_code)
    n.add("tpdu-size", std::to_string(c.tpdu_size()) + " (code " + std::to_string(*c.tpdu_size_code) + ")");
  if (c.calling_tsap) n.add("calling-tsap", hex_summary(*c.calling_tsap));
  if (c.called_tsap) n.add("called-tsap", hex_summary(*c.called_tsap));
  if (c.preferred_max_tpdu_size)
    n.add("preferred-max-tpdu-size",
          std::to_string(std::uint64_t{*c.preferred_max_tpdu_size} * 128) + " octets");
  if (c.additional_options) n.add("additional-options", hex8(*c.additional_options));
}

/// DT segments waiting for the one with EOT.
struct Reassembly {
  std::vector<Segment> segments;
  std::size_t total = 0;
};

/// Decode one TPDU. `reasm` = nullptr: a lone DT is decoded as a TSDU only when it has EOT.
void decode_cotp(Ctx& ctx, Node& parent, ByteView tpdu, std::size_t off, Reassembly* reasm) {
  auto r = cotp::decode_tpdu(tpdu, off);
  if (!r) {
    Node& n = parent.add("COTP", "undecodable TPDU", off, tpdu.size());
    fail(ctx, n, "cotp", r.error());
    return;
  }
  Node n{"COTP", {}, off, tpdu.size(), {}};
  if (const auto* cr = std::get_if<cotp::Cr>(&*r)) {
    n.value = "CR (connection request)";
    connect_fields(n, *cr);
  } else if (const auto* cc = std::get_if<cotp::Cc>(&*r)) {
    n.value = "CC (connection confirm)";
    connect_fields(n, *cc);
  } else if (const auto* dr = std::get_if<cotp::Dr>(&*r)) {
    n.value = "DR (disconnect request)";
    n.add("dst-ref", hex16(dr->dst_ref));
    n.add("src-ref", hex16(dr->src_ref));
    n.add("reason", std::to_string(dr->reason) + " (" + cotp_reason_name(dr->reason) + ")");
    if (dr->additional_info) n.add("additional-information", hex_summary(*dr->additional_info));
  } else if (const auto* er = std::get_if<cotp::Er>(&*r)) {
    n.value = "ER (TPDU error)";
    n.add("dst-ref", hex16(er->dst_ref));
    n.add("reject-cause", std::to_string(er->cause) + " (" + cotp_cause_name(er->cause) + ")");
    if (er->invalid_tpdu) n.add("invalid-tpdu", hex_summary(*er->invalid_tpdu));
  } else if (const auto* dt = std::get_if<cotp::Dt>(&*r)) {
    n.value = "DT (data)";
    n.add("eot", dt->eot ? "yes (last segment)" : "no (more segments follow)");
    n.add("tpdu-nr", std::to_string(dt->nr));
    const std::size_t data_off = off + (tpdu.size() - dt->user_data.size());
    n.add("user-data", octets(dt->user_data.size()), data_off, dt->user_data.size());
    Reassembly local;
    Reassembly& ra = reasm != nullptr ? *reasm : local;
    if (ra.total + dt->user_data.size() > ctx.limits.cotp_max_reassembly) {
      // Limits::cotp_max_reassembly: the connection would disconnect; drop what was collected.
      fail(ctx, n, "cotp", Error{cotp::Errc::reassembly_limit, data_off});
      ra = Reassembly{};
    } else {
      ra.segments.push_back(Segment{data_off, dt->user_data});
      ra.total += dt->user_data.size();
      if (dt->eot) {
        if (ra.segments.size() == 1) {
          decode_session(ctx, n, ra.segments.front().data, ra.segments.front().offset);
        } else {
          Bytes tsdu;
          tsdu.reserve(ra.total);
          for (const Segment& s : ra.segments) tsdu.insert(tsdu.end(), s.data.begin(), s.data.end());
          Node t{
              "TSDU",
              "reassembled from " + std::to_string(ra.segments.size()) + " DT segments, " + octets(ra.total),
              kNoOffset,
              ra.total,
              {}};
          const std::size_t first_failure = ctx.failures->size();
          decode_session(ctx, t, tsdu, 0);
          for (Node& c : t.children) remap(c, ra.segments);
          for (std::size_t i = first_failure; i < ctx.failures->size(); ++i) {
            Error& e = (*ctx.failures)[i].error;
            e.offset = map_offset(ra.segments, e.offset);
          }
          n.children.push_back(std::move(t));
        }
        ra = Reassembly{};
      }
    }
  }
  parent.children.push_back(std::move(n));
}

/// One whole TPKT (header and payload) at `off`.
void decode_tpkt(Ctx& ctx, Node& parent, ByteView packet, std::size_t off, Reassembly* reasm) {
  auto payload = tpkt::decode(packet, ctx.limits, off);
  if (!payload) {
    Node& n = parent.add("TPKT", "undecodable packet", off, packet.size());
    fail(ctx, n, "tpkt", payload.error());
    return;
  }
  Node n{"TPKT", "version 3, length " + std::to_string(packet.size()), off, packet.size(), {}};
  decode_cotp(ctx, n, *payload, off + tpkt::kHeaderSize, reasm);
  parent.children.push_back(std::move(n));
}

}  // namespace
}  // namespace detail

// =============================================================================================
// Entry points
// =============================================================================================

Decoded decode_tpkt_stream(ByteView stream, const DecodeOptions& opts) {
  Decoded out;
  out.tree = Node{"TPKT stream", std::to_string(stream.size()) + " octets", 0, stream.size(), {}};
  detail::Ctx ctx{opts.limits, &out.failures, {}};
  detail::Reassembly reasm;
  std::size_t pos = 0;
  std::size_t packets = 0;
  while (pos < stream.size()) {
    const ByteView rest = stream.subspan(pos);
    // RFC 1006: version, reserved, 16-bit length that counts the header.
    ByteReader header(rest, pos);
    std::optional<std::size_t> length;
    if (rest.size() >= tpkt::kHeaderSize) {
      (void)header.skip(2);
      auto l = header.read_u16be();
      if (l) length = *l;
    }
    if (!length || *length < tpkt::kMinPacket || *length > rest.size()) {
      // Not a complete packet: let the TPKT decoder name the problem (bad version, length below
      // 7 or above the limit, or the stream ends inside the packet). Framing is lost here.
      auto bad = tpkt::decode(rest, opts.limits, pos);
      Node& n = out.tree.add("TPKT", "undecodable packet", pos, rest.size());
      detail::fail(ctx, n, "tpkt", bad ? Error{CoreErrc::truncated, pos} : bad.error());
      break;
    }
    const std::size_t before = out.failures.size();
    detail::decode_tpkt(ctx, out.tree, rest.first(*length), pos, &reasm);
    ++packets;
    const bool framing_broken = out.failures.size() > before && out.failures.back().layer == "tpkt";
    if (framing_broken) break;
    pos += *length;
  }
  if (!reasm.segments.empty()) {
    // The stream ended inside a TSDU: the DT with EOT never came.
    Node& n = out.tree.add(
        "TSDU",
        "incomplete: " + std::to_string(reasm.segments.size()) + " DT segments without EOT at end of stream",
        reasm.segments.front().offset, reasm.total);
    detail::fail(ctx, n, "cotp", Error{CoreErrc::truncated, stream.size()});
  }
  out.tree.value += ", " + std::to_string(packets) + (packets == 1 ? " TPKT" : " TPKTs");
  return out;
}

namespace {

/// presentation: the PPDU type from its outer tag (see decode.hpp).
detail::PKind guess_ppdu(ByteView pdu, const Limits& limits) {
  ber::Reader r(pdu);
  const auto tag = r.peek_tag();
  if (!tag) return detail::PKind::user_data;
  if (*tag == ber::tags::kSet) {
    if (presentation::decode_cp(pdu, limits).ok()) return detail::PKind::cp;
    if (presentation::decode_cpa(pdu, limits).ok()) return detail::PKind::cpa;
    return detail::PKind::cp;
  }
  if (*tag == ber::tags::kSequence) {
    if (presentation::decode_cpr(pdu, limits).ok()) return detail::PKind::cpr;
    if (presentation::decode_abort(pdu, limits).ok()) return detail::PKind::abort;
    return detail::PKind::cpr;
  }
  if (*tag == presentation::tags::kAruNormalMode) return detail::PKind::abort;
  return detail::PKind::user_data;
}

}  // namespace

Decoded decode_pdu(Layer layer, ByteView pdu, const DecodeOptions& opts) {
  Decoded out;
  out.tree = Node{
      std::string(layer_name(layer)) + " PDU", std::to_string(pdu.size()) + " octets", 0, pdu.size(), {}};
  detail::Ctx ctx{opts.limits, &out.failures, {}};
  switch (layer) {
    case Layer::tpkt: detail::decode_tpkt(ctx, out.tree, pdu, 0, nullptr); break;
    case Layer::cotp: detail::decode_cotp(ctx, out.tree, pdu, 0, nullptr); break;
    case Layer::session: detail::decode_session(ctx, out.tree, pdu, 0); break;
    case Layer::presentation:
      detail::decode_presentation(ctx, out.tree, guess_ppdu(pdu, opts.limits), pdu, 0);
      break;
    case Layer::acse: detail::decode_acse(ctx, out.tree, pdu, 0); break;
    case Layer::mms: detail::decode_mms(ctx, out.tree, pdu, 0); break;
    case Layer::ber: detail::decode_ber(ctx, out.tree, pdu, 0); break;
  }
  return out;
}

}  // namespace mmssec::stack
