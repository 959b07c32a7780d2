// SPDX-License-Identifier: Apache-2.0
// ISO 8073 / X.224 class 0 TPDU codecs. Encode and decode of each TPDU sit side by side; the
// layout of each TPDU is written above the code that handles it.
#include <string>

#include "mmssec/cotp/cotp.hpp"

namespace mmssec::cotp {
namespace {

class CotpCategory final : public std::error_category {
 public:
  [[nodiscard]] const char* name() const noexcept override { return "cotp"; }
  [[nodiscard]] std::string message(int ev) const override {
    switch (static_cast<Errc>(ev)) {
      case Errc::empty_tpdu: return "empty TPDU";
      case Errc::reserved_length_indicator: return "reserved length indicator 255";
      case Errc::length_indicator_underflow: return "length indicator below the fixed part size";
      case Errc::length_indicator_overflow: return "length indicator exceeds the bytes present";
      case Errc::invalid_tpdu_type: return "invalid TPDU type for class 0";
      case Errc::parameter_truncated: return "parameter code or length cut off";
      case Errc::parameter_length_overflow: return "parameter length exceeds the header";
      case Errc::invalid_parameter_code: return "parameter not allowed in this TPDU";
      case Errc::invalid_parameter_value: return "invalid parameter value";
      case Errc::duplicate_parameter: return "duplicate parameter";
      case Errc::unsupported_class: return "protocol class other than 0";
      case Errc::data_not_allowed: return "user data not allowed in this TPDU";
      case Errc::unexpected_tpdu: return "TPDU not expected in this state";
      case Errc::reference_mismatch: return "CC destination reference does not match";
      case Errc::tpdu_size_not_negotiable: return "CC TPDU size larger than proposed";
      case Errc::tpdu_too_large: return "DT larger than the negotiated TPDU size";
      case Errc::reassembly_limit: return "reassembled TSDU exceeds the configured limit";
      case Errc::peer_disconnected: return "peer sent a disconnect request";
      case Errc::peer_rejected: return "peer sent a TPDU error";
      case Errc::connection_refused: return "connection request refused";
      case Errc::invalid_state: return "operation not allowed in this state";
      case Errc::closed: return "connection closed";
    }
    return "unknown cotp error";
  }
};

// Fixed-part sizes counted by the LI (TPDU code octet included), class 0.
constexpr std::size_t kFixedConnect = 6;  // code+CDT, DST-REF(2), SRC-REF(2), class/option
constexpr std::size_t kFixedDr = 6;       // code, DST-REF(2), SRC-REF(2), reason
constexpr std::size_t kFixedDt = 2;       // code, EOT+TPDU-NR
constexpr std::size_t kFixedEr = 4;       // code, DST-REF(2), reject cause
constexpr std::uint8_t kEotBit = 0x80;
constexpr std::uint8_t kNrMask = 0x7F;

// ------------------------------------------------------------------------------------------
// Header framing shared by all TPDUs
// ------------------------------------------------------------------------------------------

/// Starts a TPDU: the LI placeholder; returns its position for finish_header().
std::size_t begin_header(ByteWriter& w) {
  const std::size_t at = w.size();
  w.u8(0);
  return at;
}

/// Patches the LI (octets after it up to the end of the header). Restores `out` on overflow.
Status finish_header(ByteWriter& w, std::size_t li_at) {
  const std::size_t li = w.size() - li_at - 1;
  if (li > kMaxLengthIndicator) {
    w.buffer().resize(li_at);
    return Error{CoreErrc::invalid_argument, 0};
  }
  w.patch_u8(li_at, static_cast<std::uint8_t>(li));
  return {};
}

/// One variable-part parameter: code, 1-octet length, value.
Status put_param(ByteWriter& w, std::uint8_t code, ByteView value) {
  if (value.size() > kMaxLengthIndicator) return Error{CoreErrc::invalid_argument, 0};
  w.u8(code);
  w.u8(static_cast<std::uint8_t>(value.size()));
  w.bytes(value);
  return {};
}

struct Param {
  std::uint8_t code = 0;
  ByteView value;
  std::size_t offset = 0;  ///< absolute offset of the parameter code octet
};

/// Walks the variable part: parameter = code (1) length (1) value (length), until the header
/// reader is exhausted. A parameter cut off by the LI is an error, never a read past it.
template <class OnParam>
Status walk_params(ByteReader& header, OnParam&& on_param) {
  while (!header.empty()) {
    Param p;
    p.offset = header.offset();
    MMSSEC_TRY_ASSIGN(p.code, header.read_u8());
    auto len = header.read_u8();
    if (!len) return Error{Errc::parameter_truncated, p.offset};
    auto value = header.read_bytes(*len);
    if (!value) return Error{Errc::parameter_length_overflow, p.offset + 1};
    p.value = *value;
    MMSSEC_TRY(on_param(p));
  }
  return {};
}

/// Unsigned big-endian integer of 1..4 octets.
Result<std::uint32_t> read_uint(const Param& p) {
  if (p.value.empty() || p.value.size() > 4) return Error{Errc::invalid_parameter_value, p.offset + 1};
  ByteReader r(p.value, p.offset + 2);
  std::uint32_t v = 0;
  while (!r.empty()) {
    MMSSEC_TRY_ASSIGN(const std::uint8_t b, r.read_u8());
    v = (v << 8) | b;
  }
  return v;
}

template <class T>
Status set_once(std::optional<T>& field, T value, const Param& p) {
  if (field) return Error{Errc::duplicate_parameter, p.offset};
  field = std::move(value);
  return {};
}

// ------------------------------------------------------------------------------------------
// CR / CC (X.224 clauses 13.3, 13.4)
//   LI | CR 1110 or CC 1101, CDT (4 bits) | DST-REF (2) | SRC-REF (2) | class (4 bits), options
//   (4 bits) | variable part: tpdu-size C0, called TSAP C2, calling TSAP C1, preferred maximum
//   TPDU size F0, additional option selection C6 ...
// ------------------------------------------------------------------------------------------

Status encode_connect(std::uint8_t code, const ConnectTpdu& t, Bytes& out) {
  if (t.credit > 0x0F || t.protocol_class > 0x0F || t.options > 0x0F) {
    return Error{CoreErrc::invalid_argument, 0};
  }
  if (t.tpdu_size_code && (*t.tpdu_size_code < kMinTpduSizeCode || *t.tpdu_size_code > kMaxTpduSizeCode)) {
    return Error{CoreErrc::invalid_argument, 0};
  }
  if (t.preferred_max_tpdu_size && *t.preferred_max_tpdu_size == 0)
    return Error{CoreErrc::invalid_argument, 0};
  const std::size_t start = out.size();
  ByteWriter w(out);
  const std::size_t li_at = begin_header(w);
  w.u8(static_cast<std::uint8_t>(code | t.credit));
  w.u16be(t.dst_ref);
  w.u16be(t.src_ref);
  w.u8(static_cast<std::uint8_t>((t.protocol_class << 4) | t.options));
  auto params = [&]() -> Status {
    if (t.tpdu_size_code) {
      const std::uint8_t v[] = {*t.tpdu_size_code};
      MMSSEC_TRY(put_param(w, params::kTpduSize, v));
    }
    if (t.called_tsap) MMSSEC_TRY(put_param(w, params::kCalledTsap, *t.called_tsap));
    if (t.calling_tsap) MMSSEC_TRY(put_param(w, params::kCallingTsap, *t.calling_tsap));
    if (t.preferred_max_tpdu_size) {
      // Minimal big-endian octets of the 128-octet unit count.
      Bytes v;
      ByteWriter vw(v);
      vw.u32be(*t.preferred_max_tpdu_size);
      std::size_t skip = 0;
      while (skip < 3 && v[skip] == 0) ++skip;
      MMSSEC_TRY(put_param(w, params::kPreferredMaxTpduSize, ByteView(v).subspan(skip)));
    }
    if (t.additional_options) {
      const std::uint8_t v[] = {*t.additional_options};
      MMSSEC_TRY(put_param(w, params::kAdditionalOptions, v));
    }
    return {};
  };
  if (auto st = params(); !st) {
    out.resize(start);
    return st;
  }
  return finish_header(w, li_at);
}

/// `strict`: CC refuses parameters it does not know; a CR ignores them (X.224 says a
/// responder ignores unknown CR parameters).
Status decode_connect(ByteReader& h, std::uint8_t code_octet, bool strict, ConnectTpdu& t) {
  t.credit = static_cast<std::uint8_t>(code_octet & 0x0F);
  MMSSEC_TRY_ASSIGN(t.dst_ref, h.read_u16be());
  MMSSEC_TRY_ASSIGN(t.src_ref, h.read_u16be());
  const std::size_t class_at = h.offset();
  MMSSEC_TRY_ASSIGN(const std::uint8_t class_octet, h.read_u8());
  t.protocol_class = static_cast<std::uint8_t>(class_octet >> 4);
  t.options = static_cast<std::uint8_t>(class_octet & 0x0F);
  MMSSEC_TRY(walk_params(h, [&](const Param& p) -> Status {
    switch (p.code) {
      case params::kTpduSize: {
        if (p.value.size() != 1) return Error{Errc::invalid_parameter_value, p.offset + 1};
        const std::uint8_t c = p.value[0];
        if (c < kMinTpduSizeCode || c > kMaxTpduSizeCode) {
          return Error{Errc::invalid_parameter_value, p.offset + 2};
        }
        return set_once(t.tpdu_size_code, c, p);
      }
      case params::kCallingTsap: return set_once(t.calling_tsap, Bytes(p.value.begin(), p.value.end()), p);
      case params::kCalledTsap: return set_once(t.called_tsap, Bytes(p.value.begin(), p.value.end()), p);
      case params::kPreferredMaxTpduSize: {
        MMSSEC_TRY_ASSIGN(const std::uint32_t units, read_uint(p));
        if (units == 0) return Error{Errc::invalid_parameter_value, p.offset + 2};
        return set_once(t.preferred_max_tpdu_size, units, p);
      }
      case params::kAdditionalOptions: {
        if (p.value.size() != 1) return Error{Errc::invalid_parameter_value, p.offset + 1};
        return set_once(t.additional_options, p.value[0], p);
      }
      default:
        if (strict) return Error{Errc::invalid_parameter_code, p.offset};
        return {};  // CR: unknown parameters (alternative classes, checksum, ...) are ignored
    }
  }));
  // Class 0 only: a CR for another class is refused by the Connection (DR), a CC is invalid.
  if (t.protocol_class != 0) return Error{Errc::unsupported_class, class_at};
  return {};
}

// ------------------------------------------------------------------------------------------
// DR (X.224 clause 13.5)
//   LI | 1000 0000 | DST-REF (2) | SRC-REF (2) | reason (1) | variable part: additional
//   information E0
// ------------------------------------------------------------------------------------------

Status encode_dr(const Dr& t, Bytes& out) {
  const std::size_t start = out.size();
  ByteWriter w(out);
  const std::size_t li_at = begin_header(w);
  w.u8(codes::kDr);
  w.u16be(t.dst_ref);
  w.u16be(t.src_ref);
  w.u8(t.reason);
  if (t.additional_info) {
    if (auto st = put_param(w, params::kAdditionalInfo, *t.additional_info); !st) {
      out.resize(start);
      return st;
    }
  }
  return finish_header(w, li_at);
}

Status decode_dr(ByteReader& h, Dr& t) {
  MMSSEC_TRY_ASSIGN(t.dst_ref, h.read_u16be());
  MMSSEC_TRY_ASSIGN(t.src_ref, h.read_u16be());
  MMSSEC_TRY_ASSIGN(t.reason, h.read_u8());
  return walk_params(h, [&](const Param& p) -> Status {
    if (p.code != params::kAdditionalInfo) return Error{Errc::invalid_parameter_code, p.offset};
    return set_once(t.additional_info, Bytes(p.value.begin(), p.value.end()), p);
  });
}

// ------------------------------------------------------------------------------------------
// DT, class 0 normal format (X.224 clause 13.7)
//   LI = 2 | 1111 0000 | EOT (1 bit), TPDU-NR (7 bits) | user data
// ------------------------------------------------------------------------------------------

Status encode_dt(const Dt& t, Bytes& out) {
  if (t.nr > kNrMask) return Error{CoreErrc::invalid_argument, 0};
  ByteWriter w(out);
  const std::size_t li_at = begin_header(w);
  w.u8(codes::kDt);
  w.u8(static_cast<std::uint8_t>((t.eot ? kEotBit : 0) | t.nr));
  MMSSEC_TRY(finish_header(w, li_at));
  w.bytes(t.user_data);
  return {};
}

Status decode_dt(ByteReader& h, Dt& t) {
  MMSSEC_TRY_ASSIGN(const std::uint8_t eot_nr, h.read_u8());
  t.eot = (eot_nr & kEotBit) != 0;
  t.nr = static_cast<std::uint8_t>(eot_nr & kNrMask);
  // Class 0 DT has no variable part (the checksum parameter is class 4 only).
  return walk_params(h, [](const Param& p) -> Status {
    return Error{Errc::invalid_parameter_code, p.offset};
  });
}

// ------------------------------------------------------------------------------------------
// ER (X.224 clause 13.12)
//   LI | 0111 0000 | DST-REF (2) | reject cause (1) | variable part: invalid TPDU C1 (the
//   header of the rejected TPDU, up to the octet that made it invalid)
// ------------------------------------------------------------------------------------------

Status encode_er(const Er& t, Bytes& out) {
  const std::size_t start = out.size();
  ByteWriter w(out);
  const std::size_t li_at = begin_header(w);
  w.u8(codes::kEr);
  w.u16be(t.dst_ref);
  w.u8(t.cause);
  if (t.invalid_tpdu) {
    if (auto st = put_param(w, params::kInvalidTpdu, *t.invalid_tpdu); !st) {
      out.resize(start);
      return st;
    }
  }
  return finish_header(w, li_at);
}

Status decode_er(ByteReader& h, Er& t) {
  MMSSEC_TRY_ASSIGN(t.dst_ref, h.read_u16be());
  MMSSEC_TRY_ASSIGN(t.cause, h.read_u8());
  return walk_params(h, [&](const Param& p) -> Status {
    if (p.code != params::kInvalidTpdu) return Error{Errc::invalid_parameter_code, p.offset};
    return set_once(t.invalid_tpdu, Bytes(p.value.begin(), p.value.end()), p);
  });
}

}  // namespace

const std::error_category& cotp_category() noexcept {
  static const CotpCategory cat;
  return cat;
}

std::uint8_t tpdu_size_code_for(std::size_t size) noexcept {
  std::uint8_t code = kMinTpduSizeCode;
  while (code < kMaxTpduSizeCode && tpdu_size_from_code(static_cast<std::uint8_t>(code + 1)) <= size) ++code;
  return code;
}

Status encode(const Cr& tpdu, Bytes& out) { return encode_connect(codes::kCr, tpdu, out); }
Status encode(const Cc& tpdu, Bytes& out) { return encode_connect(codes::kCc, tpdu, out); }
Status encode(const Dr& tpdu, Bytes& out) { return encode_dr(tpdu, out); }
Status encode(const Dt& tpdu, Bytes& out) { return encode_dt(tpdu, out); }
Status encode(const Er& tpdu, Bytes& out) { return encode_er(tpdu, out); }
Status encode(const Tpdu& tpdu, Bytes& out) {
  return std::visit([&out](const auto& t) { return encode(t, out); }, tpdu);
}

// TPDU = LI (1 octet, 0..254) | header of LI octets (fixed part, variable part) | user data
Result<Tpdu> decode_tpdu(ByteView tpdu, std::size_t base_offset) {
  ByteReader r(tpdu, base_offset);
  const std::size_t li_at = r.offset();
  auto li_read = r.read_u8();
  if (!li_read) return Error{Errc::empty_tpdu, li_at};
  const std::size_t li = *li_read;
  if (li > kMaxLengthIndicator) return Error{Errc::reserved_length_indicator, li_at};
  if (li > r.remaining()) return Error{Errc::length_indicator_overflow, li_at};
  // A TPDU needs at least its code octet before its type (and so its fixed part) is known.
  if (li == 0) return Error{Errc::length_indicator_underflow, li_at};
  MMSSEC_TRY_ASSIGN(ByteReader h, r.sub(li));
  const ByteView user_data = r.rest();
  const std::size_t code_at = h.offset();
  MMSSEC_TRY_ASSIGN(const std::uint8_t code_octet, h.read_u8());
  const std::uint8_t type = static_cast<std::uint8_t>(code_octet & 0xF0);
  const bool low_nibble_zero = (code_octet & 0x0F) == 0;

  // The LI must cover the whole fixed part of the type (the "COTP length underflow" class of
  // bugs: reading a fixed field the LI does not contain).
  auto need = [&](std::size_t fixed) -> Status {
    if (li < fixed) return Error{Errc::length_indicator_underflow, li_at};
    return {};
  };
  auto no_data = [&]() -> Status {
    if (!user_data.empty()) return Error{Errc::data_not_allowed, r.offset()};
    return {};
  };

  switch (type) {
    case codes::kCr: {
      MMSSEC_TRY(need(kFixedConnect));
      Cr t;
      MMSSEC_TRY(decode_connect(h, code_octet, /*strict=*/false, t));
      MMSSEC_TRY(no_data());
      return Tpdu{std::move(t)};
    }
    case codes::kCc: {
      MMSSEC_TRY(need(kFixedConnect));
      Cc t;
      MMSSEC_TRY(decode_connect(h, code_octet, /*strict=*/true, t));
      MMSSEC_TRY(no_data());
      return Tpdu{std::move(t)};
    }
    case codes::kDr: {
      if (!low_nibble_zero) break;
      MMSSEC_TRY(need(kFixedDr));
      Dr t;
      MMSSEC_TRY(decode_dr(h, t));
      MMSSEC_TRY(no_data());
      return Tpdu{std::move(t)};
    }
    case codes::kDt: {
      if (!low_nibble_zero) break;
      MMSSEC_TRY(need(kFixedDt));
      Dt t;
      MMSSEC_TRY(decode_dt(h, t));
      t.user_data = user_data;
      return Tpdu{t};
    }
    case codes::kEr: {
      if (!low_nibble_zero) break;
      MMSSEC_TRY(need(kFixedEr));
      Er t;
      MMSSEC_TRY(decode_er(h, t));
      MMSSEC_TRY(no_data());
      return Tpdu{std::move(t)};
    }
    default: break;
  }
  return Error{Errc::invalid_tpdu_type, code_at};
}

const char* tpdu_name(const Tpdu& tpdu) noexcept {
  static constexpr const char* kNames[] = {"CR", "CC", "DR", "DT", "ER"};
  return kNames[tpdu.index()];
}

}  // namespace mmssec::cotp
