// SPDX-License-Identifier: Apache-2.0
// ISO 8823-1 PPDU codecs (normal mode). Decode and encode of each PPDU sit side by side; the
// production is written above the code that reads and writes it. Clause references are to
// ISO 8823-1 / X.226 (clause 8 defines the PPDU structure, clause 6 the procedures).
#include "mmssec/presentation/ppdu.hpp"

#include <algorithm>
#include <span>
#include <utility>

namespace mmssec::presentation {

namespace oids {
const ber::Oid& acse_abstract_syntax() {
  static const ber::Oid oid{2, 2, 1, 0, 1};
  return oid;
}
const ber::Oid& mms_abstract_syntax() {
  static const ber::Oid oid{1, 0, 9506, 2, 1};
  return oid;
}
const ber::Oid& ber_transfer_syntax() {
  static const ber::Oid oid{2, 1, 1};
  return oid;
}
}  // namespace oids

bool BitField::bit(std::size_t i) const noexcept {
  const std::size_t total = bytes.size() * 8;
  if (unused_bits > total || i >= total - unused_bits) return false;
  return ((bytes[i / 8] >> (7 - (i % 8))) & 1U) != 0;
}

BitField BitField::of(std::initializer_list<std::size_t> bits) {
  auto nb = ber::NamedBits::from_bits(std::span<const std::size_t>(bits.begin(), bits.size()));
  return BitField{std::move(nb.bytes), nb.unused_bits};
}

namespace {

using ber::Reader;
using ber::Tag;
using ber::Tlv;
using ber::Writer;

// ------------------------------------------------------------------------------------------
// Decoding helpers
// ------------------------------------------------------------------------------------------

/// True if the next element exists and has tag `t`. Unlike Reader::next_is, a malformed next
/// element is an error (so a broken optional field is not silently taken for "absent").
Result<bool> next_has(const Reader& r, Tag t) {
  if (r.empty()) return false;
  Reader probe = r;
  MMSSEC_TRY_ASSIGN(const Tlv tlv, probe.read_any());
  return tlv.tag == t;
}

/// Every component of a SEQUENCE must have been recognised: what remains is an unexpected
/// (unknown, duplicate or out-of-order) parameter.
Status end_of(const Reader& r) {
  if (!r.empty()) return Error{Errc::unexpected_parameter, r.offset()};
  return {};
}

/// Skip the EXPLICIT context-tagged parameters we tolerate but do not use (protocol-options
/// [11], initiators-/responders-nominated-context [12]/[13], extensions [14]).
Status skip_tolerated(Reader& r, std::initializer_list<std::uint32_t> numbers) {
  for (const std::uint32_t n : numbers) {
    if (r.empty()) return {};
    Reader probe = r;
    MMSSEC_TRY_ASSIGN(const Tlv tlv, probe.read_any());
    if (tlv.tag.cls == ber::TagClass::context && tlv.tag.number == n) r = probe;
  }
  return {};
}

// presentation-context-identifier ::= INTEGER (1..127, ..., 128..MAX)
Result<ContextId> read_context_id(Reader& r) {
  const std::size_t at = r.offset();
  MMSSEC_TRY_ASSIGN(const std::int64_t v, r.read_int64());
  if (v < 1 || v > static_cast<std::int64_t>(kMaxContextId)) return Error{Errc::bad_context_id, at};
  return static_cast<ContextId>(v);
}

/// An INTEGER with named values 0..max, mapped onto enum E.
template <class E>
Result<E> read_named(Reader& r, Tag t, std::int64_t max) {
  const std::size_t at = r.offset();
  MMSSEC_TRY_ASSIGN(const std::int64_t v, r.read_int64(t));
  if (v < 0 || v > max) return Error{Errc::bad_parameter_value, at};
  return static_cast<E>(v);
}

template <class E>
Result<std::optional<E>> read_named_optional(Reader& r, Tag t, std::int64_t max) {
  MMSSEC_TRY_ASSIGN(const bool here, next_has(r, t));
  if (!here) return std::optional<E>{};
  MMSSEC_TRY_ASSIGN(E v, read_named<E>(r, t, max));
  return std::optional<E>{v};
}

Result<std::optional<BitField>> read_bits_optional(Reader& r, Tag t) {
  MMSSEC_TRY_ASSIGN(const bool here, next_has(r, t));
  if (!here) return std::optional<BitField>{};
  MMSSEC_TRY_ASSIGN(const ber::BitString b, r.read_bit_string(t));
  return std::optional<BitField>{BitField{Bytes(b.bytes.begin(), b.bytes.end()), b.unused_bits}};
}

// Presentation-selector ::= OCTET STRING (IMPLICIT [1] calling, [2] called, [3] responding)
Result<std::optional<Bytes>> read_selector_optional(Reader& r, Tag t) {
  MMSSEC_TRY_ASSIGN(const bool here, next_has(r, t));
  if (!here) return std::optional<Bytes>{};
  MMSSEC_TRY_ASSIGN(const ByteView v, r.read_octet_string(t));
  return std::optional<Bytes>{Bytes(v.begin(), v.end())};
}

// PDV-list ::= SEQUENCE {
//   transfer-syntax-name            Transfer-syntax-name OPTIONAL,
//   presentation-context-identifier Presentation-context-identifier,
//   presentation-data-values CHOICE {
//     single-ASN1-type [0] ABSTRACT-SYNTAX.&Type,       -- explicit: wraps one complete element
//     octet-aligned    [1] IMPLICIT OCTET STRING,
//     arbitrary        [2] IMPLICIT BIT STRING } }
Result<Pdv> read_pdv(Reader& list) {
  MMSSEC_TRY_ASSIGN(Reader r, list.enter(ber::tags::kSequence));
  Pdv pdv;
  MMSSEC_TRY_ASSIGN(const bool has_ts, next_has(r, ber::tags::kOid));
  if (has_ts) {
    MMSSEC_TRY_ASSIGN(pdv.transfer_syntax, r.read_oid());
  }
  if (r.empty()) return Error{Errc::missing_parameter, r.offset()};
  MMSSEC_TRY_ASSIGN(pdv.context_id, read_context_id(r));
  if (r.empty()) return Error{Errc::missing_parameter, r.offset()};
  MMSSEC_TRY_ASSIGN(const Tlv v, r.read_any());
  if (v.tag == tags::kSingleAsn1Type) {
    // The open type must be exactly one complete BER element (the APDU of the layer above).
    MMSSEC_TRY_ASSIGN(Reader inner, r.enter(v));
    if (inner.empty()) return Error{Errc::bad_pdv, v.content_offset};
    MMSSEC_TRY_ASSIGN(const Tlv element, inner.read_any());
    (void)element;
    if (!inner.empty()) return Error{Errc::bad_pdv, inner.offset()};
    pdv.encoding = PdvEncoding::single_asn1_type;
    pdv.data.assign(v.content.begin(), v.content.end());
  } else if (v.tag == tags::kOctetAligned) {
    pdv.encoding = PdvEncoding::octet_aligned;
    pdv.data.assign(v.content.begin(), v.content.end());
  } else if (v.tag == tags::kArbitrary) {
    // X.690 8.6.2: initial octet = number of unused bits (0..7), 0 when no further octets.
    ByteReader bits(v.content, v.content_offset);
    MMSSEC_TRY_ASSIGN(const std::uint8_t unused, bits.read_u8());
    if (unused > 7 || (bits.empty() && unused != 0))
      return Error{ber::Errc::bad_bit_string, v.content_offset};
    pdv.encoding = PdvEncoding::arbitrary;
    pdv.unused_bits = unused;
    const ByteView rest = bits.rest();
    pdv.data.assign(rest.begin(), rest.end());
    pdv.data_offset = bits.offset();
    MMSSEC_TRY(end_of(r));
    return pdv;
  } else {
    return Error{Errc::bad_pdv, v.offset};
  }
  pdv.data_offset = v.content_offset;
  MMSSEC_TRY(end_of(r));
  return pdv;
}

// User-data ::= CHOICE {
//   simply-encoded-data [APPLICATION 0] IMPLICIT OCTET STRING,
//   fully-encoded-data  [APPLICATION 1] IMPLICIT SEQUENCE SIZE (1, ..., 2..MAX) OF PDV-list }
// Precondition: the next element has one of the two tags.
Result<UserData> read_user_data(Reader& r, const Limits& limits) {
  MMSSEC_TRY_ASSIGN(const Tlv tlv, r.read_any());
  UserData ud;
  if (tlv.tag == tags::kSimplyEncodedData) {
    ud.kind = UserData::Kind::simply_encoded;
    ud.simply_encoded.assign(tlv.content.begin(), tlv.content.end());
    ud.simply_encoded_offset = tlv.content_offset;
    return ud;
  }
  MMSSEC_TRY_ASSIGN(Reader list, r.enter(tlv));
  if (list.empty()) return Error{Errc::bad_pdv, tlv.offset};
  while (!list.empty()) {
    if (ud.pdvs.size() >= limits.presentation_max_pdvs) return Error{Errc::too_many_pdvs, list.offset()};
    MMSSEC_TRY_ASSIGN(Pdv pdv, read_pdv(list));
    ud.pdvs.push_back(std::move(pdv));
  }
  return ud;
}

Result<std::optional<UserData>> read_user_data_optional(Reader& r, const Limits& limits) {
  MMSSEC_TRY_ASSIGN(const bool simply, next_has(r, tags::kSimplyEncodedData));
  MMSSEC_TRY_ASSIGN(const bool fully, next_has(r, tags::kFullyEncodedData));
  if (!simply && !fully) return std::optional<UserData>{};
  MMSSEC_TRY_ASSIGN(UserData ud, read_user_data(r, limits));
  return std::optional<UserData>{std::move(ud)};
}

// Context-list ::= SEQUENCE OF SEQUENCE {
//   presentation-context-identifier Presentation-context-identifier,
//   abstract-syntax-name            Abstract-syntax-name,        -- OBJECT IDENTIFIER
//   transfer-syntax-name-list       SEQUENCE OF Transfer-syntax-name }
// Identifiers are unique within the list (clause 6.2.2: each context is named by its identifier).
Result<std::vector<ContextDefinition>> read_context_list(Reader list, const Limits& limits) {
  std::vector<ContextDefinition> out;
  while (!list.empty()) {
    if (out.size() >= limits.presentation_max_contexts) return Error{Errc::too_many_contexts, list.offset()};
    const std::size_t item_at = list.offset();
    MMSSEC_TRY_ASSIGN(Reader item, list.enter(ber::tags::kSequence));
    ContextDefinition def;
    MMSSEC_TRY_ASSIGN(def.id, read_context_id(item));
    MMSSEC_TRY_ASSIGN(def.abstract_syntax, item.read_oid());
    MMSSEC_TRY_ASSIGN(Reader ts, item.enter(ber::tags::kSequence));
    while (!ts.empty()) {
      if (def.transfer_syntaxes.size() >= limits.presentation_max_transfer_syntaxes)
        return Error{Errc::too_many_transfer_syntaxes, ts.offset()};
      MMSSEC_TRY_ASSIGN(ber::Oid oid, ts.read_oid());
      def.transfer_syntaxes.push_back(std::move(oid));
    }
    MMSSEC_TRY(end_of(item));
    const bool duplicate =
        std::any_of(out.begin(), out.end(), [&](const ContextDefinition& d) { return d.id == def.id; });
    if (duplicate) return Error{Errc::duplicate_context_id, item_at};
    out.push_back(std::move(def));
  }
  return out;
}

// Result-list ::= SEQUENCE OF SEQUENCE {
//   result               [0] IMPLICIT Result,
//   transfer-syntax-name [1] IMPLICIT Transfer-syntax-name OPTIONAL,
//   provider-reason      [2] IMPLICIT INTEGER { ... } OPTIONAL }
Result<std::vector<ContextResult>> read_result_list(Reader list, const Limits& limits) {
  std::vector<ContextResult> out;
  while (!list.empty()) {
    if (out.size() >= limits.presentation_max_contexts) return Error{Errc::too_many_contexts, list.offset()};
    MMSSEC_TRY_ASSIGN(Reader item, list.enter(ber::tags::kSequence));
    ContextResult res;
    if (item.empty()) return Error{Errc::missing_parameter, item.offset()};
    MMSSEC_TRY_ASSIGN(res.outcome, read_named<ContextOutcome>(item, tags::kResult, 2));
    MMSSEC_TRY_ASSIGN(const bool has_ts, next_has(item, tags::kResultTransferSyntax));
    if (has_ts) {
      MMSSEC_TRY_ASSIGN(res.transfer_syntax, item.read_oid(tags::kResultTransferSyntax));
    }
    MMSSEC_TRY_ASSIGN(res.provider_reason,
                      read_named_optional<ContextRejectReason>(item, tags::kResultProviderReason, 3));
    MMSSEC_TRY(end_of(item));
    out.push_back(std::move(res));
  }
  return out;
}

// Default-context-name ::= SEQUENCE { abstract-syntax-name [0] IMPLICIT, transfer-syntax-name [1] IMPLICIT }
Result<DefaultContextName> read_default_context(Reader r) {
  DefaultContextName d;
  MMSSEC_TRY_ASSIGN(d.abstract_syntax, r.read_oid(tags::kDefaultAbstractSyntax));
  MMSSEC_TRY_ASSIGN(d.transfer_syntax, r.read_oid(tags::kDefaultTransferSyntax));
  MMSSEC_TRY(end_of(r));
  return d;
}

// Mode-selector ::= SET { mode-value [0] IMPLICIT INTEGER { x410-1984-mode (0), normal-mode (1) } }
Status read_mode_selector(const Reader& parent, const Tlv& tlv) {
  MMSSEC_TRY_ASSIGN(Reader m, parent.enter(tlv));
  if (m.empty()) return Error{Errc::missing_parameter, tlv.offset};
  const std::size_t at = m.offset();
  MMSSEC_TRY_ASSIGN(const std::int64_t mode, m.read_int64(tags::kModeValue));
  MMSSEC_TRY(end_of(m));
  if (mode == 0) return Error{Errc::unsupported_mode, at};
  if (mode != 1) return Error{Errc::bad_parameter_value, at};
  return {};
}

/// Opens the outermost element of a PPDU, which must carry `expected` and fill `data` exactly.
Result<Reader> open_ppdu(const Reader& top_in, Tag expected, Tlv* out_tlv = nullptr) {
  Reader top = top_in;
  if (top.empty()) return Error{CoreErrc::truncated, top.offset()};
  MMSSEC_TRY_ASSIGN(const Tlv tlv, top.read_any());
  if (!(tlv.tag == expected)) return Error{Errc::unknown_ppdu, tlv.offset};
  MMSSEC_TRY(top.expect_end());
  if (out_tlv != nullptr) *out_tlv = tlv;
  return top.enter(tlv);
}

/// CP-type and CPA-PPDU share their SET shell: mode-selector [0], x410-mode-parameters [1]
/// (refused: normal mode only), normal-mode-parameters [2] OPTIONAL; any order, each at most once.
Result<std::optional<Reader>> read_mode_set(Reader set, const Tlv& outer) {
  bool have_mode = false;
  std::optional<Tlv> normal;
  while (!set.empty()) {
    MMSSEC_TRY_ASSIGN(const Tlv c, set.read_any());
    if (c.tag == tags::kModeSelector && !have_mode) {
      MMSSEC_TRY(read_mode_selector(set, c));
      have_mode = true;
    } else if (c.tag == tags::kX410ModeParameters) {
      return Error{Errc::unsupported_mode, c.offset};
    } else if (c.tag == tags::kNormalModeParameters && !normal) {
      normal = c;
    } else {
      return Error{Errc::unexpected_parameter, c.offset};
    }
  }
  if (!have_mode) return Error{Errc::missing_parameter, outer.offset};
  if (!normal) return std::optional<Reader>{};
  MMSSEC_TRY_ASSIGN(Reader params, set.enter(*normal));
  return std::optional<Reader>{params};
}

Result<std::vector<ContextResult>> read_result_list_optional(Reader& p, const Limits& limits) {
  MMSSEC_TRY_ASSIGN(const bool here, next_has(p, tags::kContextDefinitionResultList));
  if (!here) return std::vector<ContextResult>{};
  MMSSEC_TRY_ASSIGN(const Reader list, p.enter(tags::kContextDefinitionResultList));
  return read_result_list(list, limits);
}

// ------------------------------------------------------------------------------------------
// Encoding helpers
// ------------------------------------------------------------------------------------------

void write_mode_selector(Writer& w) {
  w.constructed(tags::kModeSelector, [&] { w.integer(1, tags::kModeValue); });
}

void write_bits(Writer& w, const std::optional<BitField>& b, Tag t) {
  if (b) w.bit_string(b->bytes, b->unused_bits, t);
}

void write_selector(Writer& w, const std::optional<Bytes>& s, Tag t) {
  if (s) w.octet_string(*s, t);
}

void write_user_data(Writer& w, const UserData& ud) {
  if (ud.kind == UserData::Kind::simply_encoded) {
    w.octet_string(ud.simply_encoded, tags::kSimplyEncodedData);
    return;
  }
  w.constructed(tags::kFullyEncodedData, [&] {
    for (const Pdv& pdv : ud.pdvs) {
      w.constructed(ber::tags::kSequence, [&] {
        if (pdv.transfer_syntax) w.oid(*pdv.transfer_syntax);
        w.unsigned_integer(pdv.context_id);
        switch (pdv.encoding) {
          case PdvEncoding::single_asn1_type:
            w.constructed(tags::kSingleAsn1Type, [&] { w.raw(pdv.data); });
            break;
          case PdvEncoding::octet_aligned: w.octet_string(pdv.data, tags::kOctetAligned); break;
          case PdvEncoding::arbitrary: w.bit_string(pdv.data, pdv.unused_bits, tags::kArbitrary); break;
        }
      });
    }
  });
}

void write_result_list(Writer& w, const std::vector<ContextResult>& results) {
  if (results.empty()) return;
  w.constructed(tags::kContextDefinitionResultList, [&] {
    for (const ContextResult& r : results) {
      w.constructed(ber::tags::kSequence, [&] {
        w.integer(static_cast<std::int64_t>(r.outcome), tags::kResult);
        if (r.transfer_syntax) w.oid(*r.transfer_syntax, tags::kResultTransferSyntax);
        if (r.provider_reason)
          w.integer(static_cast<std::int64_t>(*r.provider_reason), tags::kResultProviderReason);
      });
    }
  });
}

}  // namespace

// ------------------------------------------------------------------------------------------
// CP-type
// ------------------------------------------------------------------------------------------
// CP-type ::= SET {
//   mode-selector          [0] IMPLICIT Mode-selector,
//   x410-mode-parameters   [1] IMPLICIT RTORQapdu OPTIONAL,          -- refused
//   normal-mode-parameters [2] IMPLICIT SEQUENCE {
//     protocol-version                     [0] IMPLICIT BIT STRING DEFAULT { version-1 },
//     calling-presentation-selector        [1] IMPLICIT OCTET STRING OPTIONAL,
//     called-presentation-selector         [2] IMPLICIT OCTET STRING OPTIONAL,
//     presentation-context-definition-list [4] IMPLICIT Context-list OPTIONAL,
//     default-context-name                 [6] IMPLICIT Default-context-name OPTIONAL,
//     presentation-requirements            [8] IMPLICIT BIT STRING OPTIONAL,
//     user-session-requirements            [9] IMPLICIT BIT STRING OPTIONAL,
//     protocol-options [11], initiators-nominated-context [12], extensions [14]  -- skipped
//     user-data                            User-data OPTIONAL } OPTIONAL }

Result<ConnectPpdu> decode_cp(ByteView data, const Limits& limits, std::size_t base_offset) {
  const Reader top(data, ber::ReaderOptions::from(limits), base_offset);
  Tlv outer;
  MMSSEC_TRY_ASSIGN(const Reader set, open_ppdu(top, tags::kCpType, &outer));
  MMSSEC_TRY_ASSIGN(std::optional<Reader> params, read_mode_set(set, outer));
  ConnectPpdu cp;
  if (!params) return cp;
  Reader& p = *params;
  MMSSEC_TRY_ASSIGN(cp.protocol_version, read_bits_optional(p, tags::kProtocolVersion));
  MMSSEC_TRY_ASSIGN(cp.calling_selector, read_selector_optional(p, tags::kCallingSelector));
  MMSSEC_TRY_ASSIGN(cp.called_selector, read_selector_optional(p, tags::kCalledSelector));
  MMSSEC_TRY_ASSIGN(const bool has_list, next_has(p, tags::kContextDefinitionList));
  if (has_list) {
    MMSSEC_TRY_ASSIGN(const Reader list, p.enter(tags::kContextDefinitionList));
    MMSSEC_TRY_ASSIGN(cp.contexts, read_context_list(list, limits));
  }
  MMSSEC_TRY_ASSIGN(const bool has_default, next_has(p, tags::kDefaultContextName));
  if (has_default) {
    MMSSEC_TRY_ASSIGN(const Reader d, p.enter(tags::kDefaultContextName));
    MMSSEC_TRY_ASSIGN(cp.default_context, read_default_context(d));
  }
  MMSSEC_TRY_ASSIGN(cp.presentation_requirements, read_bits_optional(p, tags::kPresentationRequirements));
  MMSSEC_TRY_ASSIGN(cp.user_session_requirements, read_bits_optional(p, tags::kUserSessionRequirements));
  MMSSEC_TRY(skip_tolerated(p, {11, 12, 14}));
  MMSSEC_TRY_ASSIGN(cp.user_data, read_user_data_optional(p, limits));
  MMSSEC_TRY(end_of(p));
  return cp;
}

void encode(const ConnectPpdu& cp, Bytes& out) {
  Writer w(out);
  w.constructed(tags::kCpType, [&] {
    write_mode_selector(w);
    w.constructed(tags::kNormalModeParameters, [&] {
      write_bits(w, cp.protocol_version, tags::kProtocolVersion);
      write_selector(w, cp.calling_selector, tags::kCallingSelector);
      write_selector(w, cp.called_selector, tags::kCalledSelector);
      if (!cp.contexts.empty()) {
        w.constructed(tags::kContextDefinitionList, [&] {
          for (const ContextDefinition& def : cp.contexts) {
            w.constructed(ber::tags::kSequence, [&] {
              w.unsigned_integer(def.id);
              w.oid(def.abstract_syntax);
              w.constructed(ber::tags::kSequence, [&] {
                for (const ber::Oid& ts : def.transfer_syntaxes) w.oid(ts);
              });
            });
          }
        });
      }
      if (cp.default_context) {
        w.constructed(tags::kDefaultContextName, [&] {
          w.oid(cp.default_context->abstract_syntax, tags::kDefaultAbstractSyntax);
          w.oid(cp.default_context->transfer_syntax, tags::kDefaultTransferSyntax);
        });
      }
      write_bits(w, cp.presentation_requirements, tags::kPresentationRequirements);
      write_bits(w, cp.user_session_requirements, tags::kUserSessionRequirements);
      if (cp.user_data) write_user_data(w, *cp.user_data);
    });
  });
}

// ------------------------------------------------------------------------------------------
// CPA-PPDU
// ------------------------------------------------------------------------------------------
// CPA-PPDU ::= SET {
//   mode-selector          [0] IMPLICIT Mode-selector,
//   x410-mode-parameters   [1] IMPLICIT RTOACapdu OPTIONAL,          -- refused
//   normal-mode-parameters [2] IMPLICIT SEQUENCE {
//     protocol-version                            [0] IMPLICIT BIT STRING DEFAULT { version-1 },
//     responding-presentation-selector            [3] IMPLICIT OCTET STRING OPTIONAL,
//     presentation-context-definition-result-list [5] IMPLICIT Result-list OPTIONAL,
//     presentation-requirements                   [8] IMPLICIT BIT STRING OPTIONAL,
//     user-session-requirements                   [9] IMPLICIT BIT STRING OPTIONAL,
//     protocol-options [11], responders-nominated-context [13]  -- skipped
//     user-data                                   User-data OPTIONAL } OPTIONAL }

Result<AcceptPpdu> decode_cpa(ByteView data, const Limits& limits, std::size_t base_offset) {
  const Reader top(data, ber::ReaderOptions::from(limits), base_offset);
  Tlv outer;
  MMSSEC_TRY_ASSIGN(const Reader set, open_ppdu(top, tags::kCpaPpdu, &outer));
  MMSSEC_TRY_ASSIGN(std::optional<Reader> params, read_mode_set(set, outer));
  AcceptPpdu cpa;
  if (!params) return cpa;
  Reader& p = *params;
  MMSSEC_TRY_ASSIGN(cpa.protocol_version, read_bits_optional(p, tags::kProtocolVersion));
  MMSSEC_TRY_ASSIGN(cpa.responding_selector, read_selector_optional(p, tags::kRespondingSelector));
  MMSSEC_TRY_ASSIGN(cpa.results, read_result_list_optional(p, limits));
  MMSSEC_TRY_ASSIGN(cpa.presentation_requirements, read_bits_optional(p, tags::kPresentationRequirements));
  MMSSEC_TRY_ASSIGN(cpa.user_session_requirements, read_bits_optional(p, tags::kUserSessionRequirements));
  MMSSEC_TRY(skip_tolerated(p, {11, 13}));
  MMSSEC_TRY_ASSIGN(cpa.user_data, read_user_data_optional(p, limits));
  MMSSEC_TRY(end_of(p));
  return cpa;
}

void encode(const AcceptPpdu& cpa, Bytes& out) {
  Writer w(out);
  w.constructed(tags::kCpaPpdu, [&] {
    write_mode_selector(w);
    w.constructed(tags::kNormalModeParameters, [&] {
      write_bits(w, cpa.protocol_version, tags::kProtocolVersion);
      write_selector(w, cpa.responding_selector, tags::kRespondingSelector);
      write_result_list(w, cpa.results);
      write_bits(w, cpa.presentation_requirements, tags::kPresentationRequirements);
      write_bits(w, cpa.user_session_requirements, tags::kUserSessionRequirements);
      if (cpa.user_data) write_user_data(w, *cpa.user_data);
    });
  });
}

// ------------------------------------------------------------------------------------------
// CPR-PPDU
// ------------------------------------------------------------------------------------------
// CPR-PPDU ::= CHOICE {
//   x400-mode-parameters   RTORJapdu,                                -- a SET: refused
//   normal-mode-parameters SEQUENCE {
//     protocol-version                            [0] IMPLICIT BIT STRING DEFAULT { version-1 },
//     responding-presentation-selector            [3] IMPLICIT OCTET STRING OPTIONAL,
//     presentation-context-definition-result-list [5] IMPLICIT Result-list OPTIONAL,
//     default-context-result                      [7] IMPLICIT Result OPTIONAL,
//     provider-reason                             [10] IMPLICIT Provider-reason OPTIONAL,
//     user-data                                   User-data OPTIONAL } }

Result<RefusePpdu> decode_cpr(ByteView data, const Limits& limits, std::size_t base_offset) {
  const Reader top(data, ber::ReaderOptions::from(limits), base_offset);
  if (top.next_is(tags::kX410ModeAlternative)) return Error{Errc::unsupported_mode, base_offset};
  MMSSEC_TRY_ASSIGN(Reader p, open_ppdu(top, tags::kCprPpdu));
  RefusePpdu cpr;
  MMSSEC_TRY_ASSIGN(cpr.protocol_version, read_bits_optional(p, tags::kProtocolVersion));
  MMSSEC_TRY_ASSIGN(cpr.responding_selector, read_selector_optional(p, tags::kRespondingSelector));
  MMSSEC_TRY_ASSIGN(cpr.results, read_result_list_optional(p, limits));
  MMSSEC_TRY_ASSIGN(cpr.default_context_result,
                    read_named_optional<ContextOutcome>(p, tags::kDefaultContextResult, 2));
  MMSSEC_TRY_ASSIGN(cpr.provider_reason, read_named_optional<ProviderReason>(p, tags::kCprProviderReason, 7));
  MMSSEC_TRY_ASSIGN(cpr.user_data, read_user_data_optional(p, limits));
  MMSSEC_TRY(end_of(p));
  return cpr;
}

void encode(const RefusePpdu& cpr, Bytes& out) {
  Writer w(out);
  w.constructed(tags::kCprPpdu, [&] {
    write_bits(w, cpr.protocol_version, tags::kProtocolVersion);
    write_selector(w, cpr.responding_selector, tags::kRespondingSelector);
    write_result_list(w, cpr.results);
    if (cpr.default_context_result)
      w.integer(static_cast<std::int64_t>(*cpr.default_context_result), tags::kDefaultContextResult);
    if (cpr.provider_reason)
      w.integer(static_cast<std::int64_t>(*cpr.provider_reason), tags::kCprProviderReason);
    if (cpr.user_data) write_user_data(w, *cpr.user_data);
  });
}

// ------------------------------------------------------------------------------------------
// Abort-type: ARU-PPDU / ARP-PPDU
// ------------------------------------------------------------------------------------------
// Abort-type ::= CHOICE { aru-ppdu ARU-PPDU, arp-ppdu ARP-PPDU }
// ARU-PPDU ::= CHOICE {
//   x400-mode-parameters   RTABapdu,                                 -- a SET: refused
//   normal-mode-parameters [0] IMPLICIT SEQUENCE {
//     presentation-context-identifier-list [0] IMPLICIT SEQUENCE OF SEQUENCE {
//         presentation-context-identifier, transfer-syntax-name } OPTIONAL,
//     user-data User-data OPTIONAL } }
// ARP-PPDU ::= SEQUENCE {
//   provider-reason  [0] IMPLICIT Abort-reason OPTIONAL,
//   event-identifier [1] IMPLICIT Event-identifier OPTIONAL }

Result<AbortPpdu> decode_abort(ByteView data, const Limits& limits, std::size_t base_offset) {
  const Reader top(data, ber::ReaderOptions::from(limits), base_offset);
  if (top.next_is(tags::kX410ModeAlternative)) return Error{Errc::unsupported_mode, base_offset};
  if (top.next_is(tags::kArpPpdu)) {
    MMSSEC_TRY_ASSIGN(Reader p, open_ppdu(top, tags::kArpPpdu));
    ProviderAbortPpdu arp;
    MMSSEC_TRY_ASSIGN(arp.reason, read_named_optional<AbortReason>(p, tags::kAbortReason, 6));
    MMSSEC_TRY_ASSIGN(arp.event,
                      read_named_optional<EventIdentifier>(p, tags::kEventIdentifier, kMaxEventIdentifier));
    MMSSEC_TRY(end_of(p));
    return AbortPpdu{arp};
  }
  MMSSEC_TRY_ASSIGN(Reader p, open_ppdu(top, tags::kAruNormalMode));
  UserAbortPpdu aru;
  MMSSEC_TRY_ASSIGN(const bool has_list, next_has(p, tags::kContextIdentifierList));
  if (has_list) {
    MMSSEC_TRY_ASSIGN(Reader list, p.enter(tags::kContextIdentifierList));
    while (!list.empty()) {
      if (aru.contexts.size() >= limits.presentation_max_contexts)
        return Error{Errc::too_many_contexts, list.offset()};
      MMSSEC_TRY_ASSIGN(Reader item, list.enter(ber::tags::kSequence));
      ContextIdentifierItem entry;
      MMSSEC_TRY_ASSIGN(entry.id, read_context_id(item));
      MMSSEC_TRY_ASSIGN(entry.transfer_syntax, item.read_oid());
      MMSSEC_TRY(end_of(item));
      aru.contexts.push_back(std::move(entry));
    }
  }
  MMSSEC_TRY_ASSIGN(aru.user_data, read_user_data_optional(p, limits));
  MMSSEC_TRY(end_of(p));
  return AbortPpdu{std::move(aru)};
}

void encode(const UserAbortPpdu& aru, Bytes& out) {
  Writer w(out);
  w.constructed(tags::kAruNormalMode, [&] {
    if (!aru.contexts.empty()) {
      w.constructed(tags::kContextIdentifierList, [&] {
        for (const ContextIdentifierItem& item : aru.contexts) {
          w.constructed(ber::tags::kSequence, [&] {
            w.unsigned_integer(item.id);
            w.oid(item.transfer_syntax);
          });
        }
      });
    }
    if (aru.user_data) write_user_data(w, *aru.user_data);
  });
}

void encode(const ProviderAbortPpdu& arp, Bytes& out) {
  Writer w(out);
  w.constructed(tags::kArpPpdu, [&] {
    if (arp.reason) w.integer(static_cast<std::int64_t>(*arp.reason), tags::kAbortReason);
    if (arp.event) w.integer(static_cast<std::int64_t>(*arp.event), tags::kEventIdentifier);
  });
}

// ------------------------------------------------------------------------------------------
// User-data (TD-PPDU; session DT, FN, DN)
// ------------------------------------------------------------------------------------------

Result<UserData> decode_user_data(ByteView data, const Limits& limits, std::size_t base_offset) {
  Reader top(data, ber::ReaderOptions::from(limits), base_offset);
  if (top.empty()) return Error{CoreErrc::truncated, base_offset};
  MMSSEC_TRY_ASSIGN(const bool simply, next_has(top, tags::kSimplyEncodedData));
  MMSSEC_TRY_ASSIGN(const bool fully, next_has(top, tags::kFullyEncodedData));
  if (!simply && !fully) return Error{Errc::unknown_ppdu, base_offset};
  MMSSEC_TRY_ASSIGN(UserData ud, read_user_data(top, limits));
  MMSSEC_TRY(top.expect_end());
  return ud;
}

// The same checks as decode_user_data() / read_user_data() / read_pdv() for the one shape the
// data path carries; any other shape, valid or not, is left to decode_user_data().
std::optional<PdvView> decode_single_pdv(ByteView data, const Limits& limits, std::size_t base_offset) {
  if (limits.presentation_max_pdvs < 1) return std::nullopt;
  Reader top(data, ber::ReaderOptions::from(limits), base_offset);
  auto outer = top.read_any();
  if (!outer || outer->tag != tags::kFullyEncodedData || !top.expect_end()) return std::nullopt;
  auto list = top.enter(*outer);
  if (!list || list->empty()) return std::nullopt;
  auto r = list->enter(ber::tags::kSequence);
  if (!r || !list->empty()) return std::nullopt;  // more than one PDV-list: the general decoder
  auto has_ts = next_has(*r, ber::tags::kOid);
  if (!has_ts || *has_ts || r->empty()) return std::nullopt;
  auto id = read_context_id(*r);
  if (!id || r->empty()) return std::nullopt;
  auto v = r->read_any();
  if (!v || v->tag != tags::kSingleAsn1Type) return std::nullopt;
  auto inner = r->enter(*v);
  if (!inner || inner->empty()) return std::nullopt;
  if (!inner->read_any() || !inner->empty() || !end_of(*r)) return std::nullopt;
  return PdvView{*id, v->content, v->content_offset};
}

void encode_single_pdv(ContextId context_id, ByteView element, Bytes& out) {
  // Mirrors write_user_data() for one PDV, so that both give the same octets.
  Writer w(out);
  w.constructed(tags::kFullyEncodedData, [&] {
    w.constructed(ber::tags::kSequence, [&] {
      w.unsigned_integer(context_id);
      w.constructed(tags::kSingleAsn1Type, [&] { w.raw(element); });
    });
  });
}

void encode(const UserData& user_data, Bytes& out) {
  Writer w(out);
  write_user_data(w, user_data);
}

}  // namespace mmssec::presentation
