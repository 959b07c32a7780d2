// SPDX-License-Identifier: Apache-2.0
// SPDU decoders and encoders (X.225 clause 8). Decode and encode of each SPDU sit side by side.
#include <bitset>
#include <utility>

#include "mmssec/session/session.hpp"

namespace mmssec::session {
namespace {

// ------------------------------------------------------------------------------------------
// Length indicator and parameter units
// ------------------------------------------------------------------------------------------

// LI ::= one octet 0..254 | 0xFF, two octets (big-endian length up to 65535)   (X.225 8.2.5)
// The extended form is accepted for any value on input and emitted only for values >= 255.
constexpr std::uint8_t kExtendedLength = 0xFF;

Result<std::size_t> read_length(ByteReader& r) {
  const std::size_t at = r.offset();
  auto first = r.read_u8();
  if (!first) return Error(Errc::truncated, at);
  if (*first != kExtendedLength) return static_cast<std::size_t>(*first);
  auto ext = r.read_u16be();
  if (!ext) return Error(Errc::truncated, at);
  return static_cast<std::size_t>(*ext);
}

void write_length(ByteWriter& w, std::size_t n) {
  if (n < kExtendedLength) {
    w.u8(static_cast<std::uint8_t>(n));
  } else {
    w.u8(kExtendedLength);
    w.u16be(static_cast<std::uint16_t>(n));
  }
}

// Every PI/PGI code X.225 defines (any SPDU). Codes outside this set are skipped on input.
bool is_defined_code(std::uint8_t c) noexcept {
  switch (c) {
    case 1:
    case 5:
    case 9:
    case 10:
    case 11:
    case 12:
    case 15:
    case 16:
    case 17:
    case 19:
    case 20:
    case 21:
    case 22:
    case 23:
    case 24:
    case 25:
    case 26:
    case 27:
    case 33:
    case 42:
    case 49:
    case 50:
    case 51:
    case 52:
    case 53:
    case 54:
    case 55:
    case 56:
    case 57:
    case 58:
    case 60:
    case 193:
    case 194: return true;
    default: return false;
  }
}

// PGI codes whose value is a sequence of PI units.
bool is_group_code(std::uint8_t c) noexcept {
  return c == pi::kConnectionIdentifier || c == pi::kConnectAcceptItem || c == pi::kLinkingInformation;
}

/// One PI or PGI unit: code, value (a sub-reader over exactly LI octets), offset of the code.
struct Unit {
  std::uint8_t code = 0;
  ByteReader value;
  std::size_t offset = 0;
};

/// Decoding context shared by all units of one TSDU.
struct Ctx {
  const Limits& limits;
  std::size_t units = 0;  ///< PI/PGI units walked so far (whole TSDU, groups included)
};

// unit ::= code LI value, with LI bounded by the enclosing SPDU or group.
// Returns false at the end of `r`.
Result<bool> next_unit(ByteReader& r, Ctx& ctx, Unit& u) {
  if (r.empty()) return false;
  const std::size_t at = r.offset();
  if (++ctx.units > ctx.limits.session_max_parameters) return Error(Errc::too_many_parameters, at);
  auto code = r.read_u8();
  if (!code) return Error(Errc::truncated, at);
  MMSSEC_TRY_ASSIGN(const std::size_t len, read_length(r));
  if (len > r.remaining()) return Error(Errc::parameter_length_overflow, at);
  auto sub = r.sub(len);
  if (!sub) return Error(Errc::parameter_length_overflow, at);
  u = Unit{*code, *sub, at};
  return true;
}

/// Duplicate detection: each code at most once per SPDU (and per group).
Status mark(std::bitset<256>& seen, const Unit& u) {
  if (seen.test(u.code)) return Error(Errc::duplicate_parameter, u.offset);
  seen.set(u.code);
  return {};
}

/// A code we do not take here: skip it if X.225 does not define it, error otherwise.
Status other(const Unit& u) {
  if (is_defined_code(u.code)) return Error(Errc::unexpected_parameter, u.offset);
  return {};
}

// A one-octet parameter (Token Item, Transport Disconnect, Version Number ...).
Result<std::uint8_t> octet(Unit& u) {
  if (u.value.remaining() != 1) return Error(Errc::bad_parameter_length, u.offset);
  return u.value.read_u8();
}

Result<std::uint16_t> u16(Unit& u) {
  if (u.value.remaining() != 2) return Error(Errc::bad_parameter_length, u.offset);
  return u.value.read_u16be();
}

Result<Bytes> octets(Unit& u, std::size_t min, std::size_t max) {
  const std::size_t n = u.value.remaining();
  if (n < min || n > max) return Error(Errc::bad_parameter_length, u.offset);
  auto v = u.value.read_bytes(n);
  return Bytes(v->begin(), v->end());
}

// Enclosure Item ::= one octet; bit 1 = beginning of SSDU, bit 2 = end of SSDU (X.225 8.3.x).
// Segmenting is not negotiated by this implementation, so only a complete SSDU (both bits) is
// accepted.
Result<std::uint8_t> enclosure(Unit& u) {
  MMSSEC_TRY_ASSIGN(const std::uint8_t v, octet(u));
  if (v != kEnclosureComplete) return Error(Errc::segmentation_unsupported, u.offset);
  return v;
}

// Session selector ::= 0..16 octets (X.225: calling, called and responding selectors).
Result<Bytes> selector(Unit& u) { return octets(u, 0, kMaxSelector); }

// Version Number ::= one octet; bit 1 = version 1, bit 2 = version 2; others reserved.
Result<std::uint8_t> version_number(Unit& u) {
  MMSSEC_TRY_ASSIGN(const std::uint8_t v, octet(u));
  if (v == 0 || (v & ~(kVersion1 | kVersion2)) != 0) return Error(Errc::bad_parameter_value, u.offset);
  return v;
}

/// User data as decoded: where it came from and its octets.
struct UserDataSlot {
  std::optional<Bytes>* data;
  UserDataForm* form;
};

// User Data ::= PGI 193 LI octets | Extended User Data ::= PGI 194 LI octets.
// At most one of the two; size checked against the limit before copying.
Status user_data(Unit& u, std::bitset<256>& seen, const Ctx& ctx, UserDataSlot slot) {
  if (seen.test(pi::kUserData) || seen.test(pi::kExtendedUserData))
    return Error(Errc::duplicate_parameter, u.offset);
  seen.set(u.code);
  const std::size_t n = u.value.remaining();
  if (n > ctx.limits.session_max_user_data) return Error(Errc::user_data_limit, u.offset);
  auto v = u.value.read_bytes(n);
  *slot.data = Bytes(v->begin(), v->end());
  if (slot.form != nullptr)
    *slot.form = u.code == pi::kUserData ? UserDataForm::normal : UserDataForm::extended;
  return {};
}

// ------------------------------------------------------------------------------------------
// Parameter groups
// ------------------------------------------------------------------------------------------

// Connection Identifier (PGI 1) ::= { Called SS-user Reference (9, <= 64 octets),
//   Calling SS-user Reference (10, <= 64), Common Reference (11, <= 64),
//   Additional Reference Information (12, <= 4) }, each optional. Kept verbatim.
Result<Bytes> decode_connection_identifier(Unit& g, Ctx& ctx) {
  const ByteView content = g.value.rest();
  std::bitset<256> seen;
  Unit u;
  for (;;) {
    MMSSEC_TRY_ASSIGN(const bool more, next_unit(g.value, ctx, u));
    if (!more) break;
    if (is_group_code(u.code) || u.code >= pi::kUserData) return Error(Errc::nested_group, u.offset);
    switch (u.code) {
      case pi::kCalledSsUserReference:
      case pi::kCallingSsUserReference:
      case pi::kCommonReference:
        MMSSEC_TRY(mark(seen, u));
        if (u.value.remaining() > 64) return Error(Errc::bad_parameter_length, u.offset);
        break;
      case pi::kAdditionalReferenceInformation:
        MMSSEC_TRY(mark(seen, u));
        if (u.value.remaining() > 4) return Error(Errc::bad_parameter_length, u.offset);
        break;
      default: MMSSEC_TRY(other(u)); break;
    }
  }
  return Bytes(content.begin(), content.end());
}

// Connect/Accept Item (PGI 5) ::= { Protocol Options (19, 1 octet), TSDU Maximum Size (21,
//   4 octets), Version Number (22, 1 octet), Initial Serial Number (23, 1..6 digits),
//   Token Setting Item (26, 1 octet), Second Initial Serial Number (55), Upper Limit Serial
//   Number (56), Large Initial Serial Number (57), Large Second Initial Serial Number (58) }.
// 55..58 belong to functional units we do not offer; they are tolerated and dropped.
// Version Number absent means version 1 (X.225 default).
Result<ConnectAcceptItem> decode_connect_accept_item(Unit& g, Ctx& ctx) {
  if (g.value.empty()) return Error(Errc::bad_parameter_length, g.offset);
  ConnectAcceptItem item;
  item.version_number = kVersion1;
  std::bitset<256> seen;
  Unit u;
  for (;;) {
    MMSSEC_TRY_ASSIGN(const bool more, next_unit(g.value, ctx, u));
    if (!more) break;
    if (is_group_code(u.code) || u.code >= pi::kUserData) return Error(Errc::nested_group, u.offset);
    switch (u.code) {
      case pi::kProtocolOptions: {
        MMSSEC_TRY(mark(seen, u));
        MMSSEC_TRY_ASSIGN(item.protocol_options, octet(u));
        break;
      }
      case pi::kTsduMaximumSize: {
        MMSSEC_TRY(mark(seen, u));
        if (u.value.remaining() != 4) return Error(Errc::bad_parameter_length, u.offset);
        TsduMaximumSize t;
        t.initiator_to_responder = *u.value.read_u16be();
        t.responder_to_initiator = *u.value.read_u16be();
        item.tsdu_maximum_size = t;
        break;
      }
      case pi::kVersionNumber: {
        MMSSEC_TRY(mark(seen, u));
        MMSSEC_TRY_ASSIGN(item.version_number, version_number(u));
        break;
      }
      case pi::kInitialSerialNumber: {
        MMSSEC_TRY(mark(seen, u));
        MMSSEC_TRY_ASSIGN(Bytes isn, octets(u, 1, 6));
        for (const std::uint8_t c : isn)
          if (c < '0' || c > '9') return Error(Errc::bad_parameter_value, u.offset);
        item.initial_serial_number = std::move(isn);
        break;
      }
      case pi::kTokenSettingItem: {
        MMSSEC_TRY(mark(seen, u));
        MMSSEC_TRY_ASSIGN(const std::uint8_t v, octet(u));
        item.token_setting_item = v;
        break;
      }
      case pi::kSecondInitialSerialNumber:
      case pi::kUpperLimitSerialNumber:
      case pi::kLargeInitialSerialNumber:
      case pi::kLargeSecondInitialSerialNumber: MMSSEC_TRY(mark(seen, u)); break;
      default: MMSSEC_TRY(other(u)); break;
    }
  }
  return item;
}

void put_octet(Bytes& b, std::uint8_t code, std::uint8_t v) {
  ByteWriter w(b);
  w.u8(code);
  w.u8(1);
  w.u8(v);
}

Status put_param(Bytes& b, std::uint8_t code, ByteView v) {
  if (v.size() > kMaxLength) return Error(Errc::invalid_argument);
  ByteWriter w(b);
  w.u8(code);
  write_length(w, v.size());
  w.bytes(v);
  return {};
}

void put_u16(Bytes& b, std::uint8_t code, std::uint16_t v) {
  ByteWriter w(b);
  w.u8(code);
  w.u8(2);
  w.u16be(v);
}

Status put_selector(Bytes& b, std::uint8_t code, const std::optional<Bytes>& sel) {
  if (!sel) return {};
  if (sel->size() > kMaxSelector) return Error(Errc::invalid_argument);
  return put_param(b, code, *sel);
}

Status put_connect_accept_item(Bytes& b, const ConnectAcceptItem& item) {
  Bytes g;
  put_octet(g, pi::kProtocolOptions, item.protocol_options);
  if (item.tsdu_maximum_size) {
    ByteWriter w(g);
    w.u8(pi::kTsduMaximumSize);
    w.u8(4);
    w.u16be(item.tsdu_maximum_size->initiator_to_responder);
    w.u16be(item.tsdu_maximum_size->responder_to_initiator);
  }
  if (item.version_number == 0 || (item.version_number & ~(kVersion1 | kVersion2)) != 0)
    return Error(Errc::invalid_argument);
  put_octet(g, pi::kVersionNumber, item.version_number);
  if (item.initial_serial_number) {
    if (item.initial_serial_number->empty() || item.initial_serial_number->size() > 6)
      return Error(Errc::invalid_argument);
    MMSSEC_TRY(put_param(g, pi::kInitialSerialNumber, *item.initial_serial_number));
  }
  if (item.token_setting_item) put_octet(g, pi::kTokenSettingItem, *item.token_setting_item);
  return put_param(b, pi::kConnectAcceptItem, g);
}

/// Emit user data in the requested form. `max_normal` bounds PGI 193; `extended_ok` says
/// whether PGI 194 may be used (version 2 proposed/selected).
Status put_user_data(Bytes& b, const std::optional<Bytes>& ud, UserDataForm form, std::size_t max_normal,
                     bool extended_ok) {
  if (!ud) return {};
  const std::size_t n = ud->size();
  if (form == UserDataForm::automatic)
    form = n <= kMaxUserData ? UserDataForm::normal : UserDataForm::extended;
  if (form == UserDataForm::normal) {
    if (n > max_normal) return Error(Errc::invalid_argument);
    return put_param(b, pi::kUserData, *ud);
  }
  if (!extended_ok || n > kMaxExtendedUserData) return Error(Errc::invalid_argument);
  return put_param(b, pi::kExtendedUserData, *ud);
}

/// SPDU ::= SI LI parameters
Status finish_spdu(Bytes& out, std::uint8_t si_code, const Bytes& params) {
  if (params.size() > kMaxLength) return Error(Errc::invalid_argument);
  ByteWriter w(out);
  w.u8(si_code);
  write_length(w, params.size());
  w.bytes(params);
  return {};
}

// ------------------------------------------------------------------------------------------
// CONNECT (SI 13), X.225 8.3.1:
//   Connection Identifier (PGI 1), Connect/Accept Item (PGI 5), Session User Requirements
//   (PI 20), Calling Session Selector (PI 51), Called Session Selector (PI 52), Data Overflow
//   (PI 60), User Data (PGI 193, <= 512 octets) | Extended User Data (PGI 194, <= 10240
//   octets, only when version 2 is proposed)
// ------------------------------------------------------------------------------------------

Result<Connect> decode_connect(ByteReader p, Ctx& ctx) {
  Connect cn;
  std::bitset<256> seen;
  std::size_t ud_offset = 0;
  Unit u;
  for (;;) {
    MMSSEC_TRY_ASSIGN(const bool more, next_unit(p, ctx, u));
    if (!more) break;
    switch (u.code) {
      case pi::kConnectionIdentifier: {
        MMSSEC_TRY(mark(seen, u));
        MMSSEC_TRY_ASSIGN(cn.connection_identifier, decode_connection_identifier(u, ctx));
        break;
      }
      case pi::kConnectAcceptItem: {
        MMSSEC_TRY(mark(seen, u));
        MMSSEC_TRY_ASSIGN(cn.connect_accept_item, decode_connect_accept_item(u, ctx));
        break;
      }
      case pi::kSessionUserRequirements: {
        MMSSEC_TRY(mark(seen, u));
        MMSSEC_TRY_ASSIGN(cn.session_user_requirements, u16(u));
        break;
      }
      case pi::kCallingSessionSelector: {
        MMSSEC_TRY(mark(seen, u));
        MMSSEC_TRY_ASSIGN(cn.calling_session_selector, selector(u));
        break;
      }
      case pi::kCalledSessionSelector: {
        MMSSEC_TRY(mark(seen, u));
        MMSSEC_TRY_ASSIGN(cn.called_session_selector, selector(u));
        break;
      }
      case pi::kDataOverflow: {
        MMSSEC_TRY(mark(seen, u));
        MMSSEC_TRY_ASSIGN(cn.data_overflow, octet(u));
        break;
      }
      case pi::kUserData:
      case pi::kExtendedUserData: {
        ud_offset = u.offset;
        const std::size_t n = u.value.remaining();
        if (u.code == pi::kUserData && n > kMaxUserData) return Error(Errc::user_data_too_long, u.offset);
        if (u.code == pi::kExtendedUserData && n > kMaxExtendedUserData)
          return Error(Errc::user_data_too_long, u.offset);
        MMSSEC_TRY(user_data(u, seen, ctx, {&cn.user_data, &cn.user_data_form}));
        break;
      }
      default: MMSSEC_TRY(other(u)); break;
    }
  }
  if (cn.user_data_form == UserDataForm::extended && (cn.versions() & kVersion2) == 0)
    return Error(Errc::extended_user_data_requires_v2, ud_offset);
  return cn;
}

Status encode_connect(const Connect& cn, Bytes& out) {
  Bytes b;
  if (cn.connection_identifier)
    MMSSEC_TRY(put_param(b, pi::kConnectionIdentifier, *cn.connection_identifier));
  if (cn.connect_accept_item) MMSSEC_TRY(put_connect_accept_item(b, *cn.connect_accept_item));
  if (cn.session_user_requirements) put_u16(b, pi::kSessionUserRequirements, *cn.session_user_requirements);
  MMSSEC_TRY(put_selector(b, pi::kCallingSessionSelector, cn.calling_session_selector));
  MMSSEC_TRY(put_selector(b, pi::kCalledSessionSelector, cn.called_session_selector));
  if (cn.data_overflow) put_octet(b, pi::kDataOverflow, *cn.data_overflow);
  MMSSEC_TRY(
      put_user_data(b, cn.user_data, cn.user_data_form, kMaxUserData, (cn.versions() & kVersion2) != 0));
  return finish_spdu(out, si::kConnect, b);
}

// ------------------------------------------------------------------------------------------
// ACCEPT (SI 14), X.225 8.3.2:
//   Connection Identifier (PGI 1), Connect/Accept Item (PGI 5), Token Item (PI 16), Session
//   User Requirements (PI 20), Enclosure Item (PI 25), Calling Session Selector (PI 51),
//   Responding Session Selector (PI 52), User Data (PGI 193) | Extended User Data (PGI 194)
// With version 1 selected the user data is limited to 512 octets; PGI 194 needs version 2.
// ------------------------------------------------------------------------------------------

Result<Accept> decode_accept(ByteReader p, Ctx& ctx) {
  Accept ac;
  std::bitset<256> seen;
  std::size_t ud_offset = 0;
  Unit u;
  for (;;) {
    MMSSEC_TRY_ASSIGN(const bool more, next_unit(p, ctx, u));
    if (!more) break;
    switch (u.code) {
      case pi::kConnectionIdentifier: {
        MMSSEC_TRY(mark(seen, u));
        MMSSEC_TRY_ASSIGN(ac.connection_identifier, decode_connection_identifier(u, ctx));
        break;
      }
      case pi::kConnectAcceptItem: {
        MMSSEC_TRY(mark(seen, u));
        MMSSEC_TRY_ASSIGN(ac.connect_accept_item, decode_connect_accept_item(u, ctx));
        break;
      }
      case pi::kTokenItem: {
        MMSSEC_TRY(mark(seen, u));
        MMSSEC_TRY_ASSIGN(ac.token_item, octet(u));
        break;
      }
      case pi::kSessionUserRequirements: {
        MMSSEC_TRY(mark(seen, u));
        MMSSEC_TRY_ASSIGN(ac.session_user_requirements, u16(u));
        break;
      }
      case pi::kEnclosureItem: {
        MMSSEC_TRY(mark(seen, u));
        MMSSEC_TRY_ASSIGN(ac.enclosure_item, enclosure(u));
        break;
      }
      case pi::kCallingSessionSelector: {
        MMSSEC_TRY(mark(seen, u));
        MMSSEC_TRY_ASSIGN(ac.calling_session_selector, selector(u));
        break;
      }
      case pi::kCalledSessionSelector: {
        MMSSEC_TRY(mark(seen, u));
        MMSSEC_TRY_ASSIGN(ac.responding_session_selector, selector(u));
        break;
      }
      case pi::kUserData:
      case pi::kExtendedUserData: {
        ud_offset = u.offset;
        MMSSEC_TRY(user_data(u, seen, ctx, {&ac.user_data, &ac.user_data_form}));
        break;
      }
      default: MMSSEC_TRY(other(u)); break;
    }
  }
  const bool v2 = (ac.version() & kVersion2) != 0;
  if (ac.user_data_form == UserDataForm::extended && !v2)
    return Error(Errc::extended_user_data_requires_v2, ud_offset);
  if (ac.user_data && !v2 && ac.user_data->size() > kMaxUserData)
    return Error(Errc::user_data_too_long, ud_offset);
  return ac;
}

Status encode_accept(const Accept& ac, Bytes& out) {
  Bytes b;
  if (ac.connection_identifier)
    MMSSEC_TRY(put_param(b, pi::kConnectionIdentifier, *ac.connection_identifier));
  if (ac.connect_accept_item) MMSSEC_TRY(put_connect_accept_item(b, *ac.connect_accept_item));
  if (ac.token_item) put_octet(b, pi::kTokenItem, *ac.token_item);
  if (ac.session_user_requirements) put_u16(b, pi::kSessionUserRequirements, *ac.session_user_requirements);
  if (ac.enclosure_item) put_octet(b, pi::kEnclosureItem, *ac.enclosure_item);
  MMSSEC_TRY(put_selector(b, pi::kCallingSessionSelector, ac.calling_session_selector));
  MMSSEC_TRY(put_selector(b, pi::kCalledSessionSelector, ac.responding_session_selector));
  const bool v2 = (ac.version() & kVersion2) != 0;
  MMSSEC_TRY(put_user_data(b, ac.user_data, ac.user_data_form, v2 ? kMaxLength : kMaxUserData, v2));
  return finish_spdu(out, si::kAccept, b);
}

// ------------------------------------------------------------------------------------------
// REFUSE (SI 12), X.225 8.3.5:
//   Connection Identifier (PGI 1), Transport Disconnect (PI 17), Session User Requirements
//   (PI 20), Version Number (PI 22), Enclosure Item (PI 25), Reason Code (PI 50, mandatory:
//   one reason octet, then user data only when the reason is 2)
// ------------------------------------------------------------------------------------------

Result<Refuse> decode_refuse(ByteReader p, std::size_t spdu_offset, Ctx& ctx) {
  Refuse rf;
  std::bitset<256> seen;
  Unit u;
  for (;;) {
    MMSSEC_TRY_ASSIGN(const bool more, next_unit(p, ctx, u));
    if (!more) break;
    switch (u.code) {
      case pi::kConnectionIdentifier: {
        MMSSEC_TRY(mark(seen, u));
        MMSSEC_TRY_ASSIGN(rf.connection_identifier, decode_connection_identifier(u, ctx));
        break;
      }
      case pi::kTransportDisconnect: {
        MMSSEC_TRY(mark(seen, u));
        MMSSEC_TRY_ASSIGN(rf.transport_disconnect, octet(u));
        break;
      }
      case pi::kSessionUserRequirements: {
        MMSSEC_TRY(mark(seen, u));
        MMSSEC_TRY_ASSIGN(rf.session_user_requirements, u16(u));
        break;
      }
      case pi::kVersionNumber: {
        MMSSEC_TRY(mark(seen, u));
        MMSSEC_TRY_ASSIGN(rf.version_number, version_number(u));
        break;
      }
      case pi::kEnclosureItem: {
        MMSSEC_TRY(mark(seen, u));
        MMSSEC_TRY_ASSIGN(rf.enclosure_item, enclosure(u));
        break;
      }
      case pi::kReasonCode: {
        MMSSEC_TRY(mark(seen, u));
        auto code = u.value.read_u8();
        if (!code) return Error(Errc::bad_parameter_length, u.offset);
        rf.reason_code = *code;
        if (!u.value.empty()) {
          if (rf.reason_code != reason::kUserWithData) return Error(Errc::bad_parameter_length, u.offset);
          const std::size_t n = u.value.remaining();
          if (n > ctx.limits.session_max_user_data) return Error(Errc::user_data_limit, u.offset);
          auto v = u.value.read_bytes(n);
          rf.user_data = Bytes(v->begin(), v->end());
        }
        break;
      }
      default: MMSSEC_TRY(other(u)); break;
    }
  }
  if (!seen.test(pi::kReasonCode)) return Error(Errc::missing_parameter, spdu_offset);
  return rf;
}

Status encode_refuse(const Refuse& rf, Bytes& out) {
  Bytes b;
  if (rf.connection_identifier)
    MMSSEC_TRY(put_param(b, pi::kConnectionIdentifier, *rf.connection_identifier));
  if (rf.transport_disconnect) put_octet(b, pi::kTransportDisconnect, *rf.transport_disconnect);
  if (rf.session_user_requirements) put_u16(b, pi::kSessionUserRequirements, *rf.session_user_requirements);
  if (rf.version_number) put_octet(b, pi::kVersionNumber, *rf.version_number);
  if (rf.enclosure_item) put_octet(b, pi::kEnclosureItem, *rf.enclosure_item);
  if (rf.user_data && rf.reason_code != reason::kUserWithData) return Error(Errc::invalid_argument);
  Bytes reason_value{rf.reason_code};
  if (rf.user_data) reason_value.insert(reason_value.end(), rf.user_data->begin(), rf.user_data->end());
  MMSSEC_TRY(put_param(b, pi::kReasonCode, reason_value));
  return finish_spdu(out, si::kRefuse, b);
}

// ------------------------------------------------------------------------------------------
// FINISH (SI 9): Transport Disconnect (PI 17), Enclosure Item (PI 25), User Data
// DISCONNECT (SI 10): Enclosure Item (PI 25), User Data
// ABORT (SI 25): Transport Disconnect (PI 17, mandatory), Enclosure Item (PI 25), Reflect
//   Parameter Values (PI 49, <= 9 octets), User Data
// ABORT ACCEPT (SI 26): no parameters
// (X.225 8.3.9, 8.3.10, 8.3.11, 8.3.12). User Data may be PGI 193 or 194.
// ------------------------------------------------------------------------------------------

Result<Finish> decode_finish(ByteReader p, Ctx& ctx) {
  Finish fn;
  std::bitset<256> seen;
  Unit u;
  for (;;) {
    MMSSEC_TRY_ASSIGN(const bool more, next_unit(p, ctx, u));
    if (!more) break;
    switch (u.code) {
      case pi::kTransportDisconnect: {
        MMSSEC_TRY(mark(seen, u));
        MMSSEC_TRY_ASSIGN(fn.transport_disconnect, octet(u));
        break;
      }
      case pi::kEnclosureItem: {
        MMSSEC_TRY(mark(seen, u));
        MMSSEC_TRY_ASSIGN(fn.enclosure_item, enclosure(u));
        break;
      }
      case pi::kUserData:
      case pi::kExtendedUserData:
        MMSSEC_TRY(user_data(u, seen, ctx, {&fn.user_data, &fn.user_data_form}));
        break;
      default: MMSSEC_TRY(other(u)); break;
    }
  }
  return fn;
}

Status encode_finish(const Finish& fn, Bytes& out) {
  Bytes b;
  if (fn.transport_disconnect) put_octet(b, pi::kTransportDisconnect, *fn.transport_disconnect);
  if (fn.enclosure_item) put_octet(b, pi::kEnclosureItem, *fn.enclosure_item);
  MMSSEC_TRY(put_user_data(b, fn.user_data, fn.user_data_form, kMaxLength, true));
  return finish_spdu(out, si::kFinish, b);
}

Result<Disconnect> decode_disconnect(ByteReader p, Ctx& ctx) {
  Disconnect dn;
  std::bitset<256> seen;
  Unit u;
  for (;;) {
    MMSSEC_TRY_ASSIGN(const bool more, next_unit(p, ctx, u));
    if (!more) break;
    switch (u.code) {
      case pi::kEnclosureItem: {
        MMSSEC_TRY(mark(seen, u));
        MMSSEC_TRY_ASSIGN(dn.enclosure_item, enclosure(u));
        break;
      }
      case pi::kUserData:
      case pi::kExtendedUserData:
        MMSSEC_TRY(user_data(u, seen, ctx, {&dn.user_data, &dn.user_data_form}));
        break;
      default: MMSSEC_TRY(other(u)); break;
    }
  }
  return dn;
}

Status encode_disconnect(const Disconnect& dn, Bytes& out) {
  Bytes b;
  if (dn.enclosure_item) put_octet(b, pi::kEnclosureItem, *dn.enclosure_item);
  MMSSEC_TRY(put_user_data(b, dn.user_data, dn.user_data_form, kMaxLength, true));
  return finish_spdu(out, si::kDisconnect, b);
}

Result<Abort> decode_abort(ByteReader p, std::size_t spdu_offset, Ctx& ctx) {
  Abort ab;
  std::bitset<256> seen;
  Unit u;
  for (;;) {
    MMSSEC_TRY_ASSIGN(const bool more, next_unit(p, ctx, u));
    if (!more) break;
    switch (u.code) {
      case pi::kTransportDisconnect: {
        MMSSEC_TRY(mark(seen, u));
        MMSSEC_TRY_ASSIGN(ab.transport_disconnect, octet(u));
        break;
      }
      case pi::kEnclosureItem: {
        MMSSEC_TRY(mark(seen, u));
        MMSSEC_TRY_ASSIGN(ab.enclosure_item, enclosure(u));
        break;
      }
      case pi::kReflectParameterValues: {
        MMSSEC_TRY(mark(seen, u));
        MMSSEC_TRY_ASSIGN(ab.reflect_parameter_values, octets(u, 0, 9));
        break;
      }
      case pi::kUserData:
      case pi::kExtendedUserData:
        MMSSEC_TRY(user_data(u, seen, ctx, {&ab.user_data, &ab.user_data_form}));
        break;
      default: MMSSEC_TRY(other(u)); break;
    }
  }
  if (!seen.test(pi::kTransportDisconnect)) return Error(Errc::missing_parameter, spdu_offset);
  return ab;
}

Status encode_abort(const Abort& ab, Bytes& out) {
  Bytes b;
  put_octet(b, pi::kTransportDisconnect, ab.transport_disconnect);
  if (ab.enclosure_item) put_octet(b, pi::kEnclosureItem, *ab.enclosure_item);
  if (ab.reflect_parameter_values) {
    if (ab.reflect_parameter_values->size() > 9) return Error(Errc::invalid_argument);
    MMSSEC_TRY(put_param(b, pi::kReflectParameterValues, *ab.reflect_parameter_values));
  }
  MMSSEC_TRY(put_user_data(b, ab.user_data, ab.user_data_form, kMaxLength, true));
  return finish_spdu(out, si::kAbort, b);
}

Result<AbortAccept> decode_abort_accept(ByteReader p, Ctx& ctx) {
  Unit u;
  for (;;) {
    MMSSEC_TRY_ASSIGN(const bool more, next_unit(p, ctx, u));
    if (!more) break;
    MMSSEC_TRY(other(u));
  }
  return AbortAccept{};
}

// ------------------------------------------------------------------------------------------
// GIVE TOKENS (SI 1, category 0): Token Item (PI 16), Enclosure Item (PI 25)
// DATA TRANSFER (SI 1, category 2): Enclosure Item (PI 25); user information after the
//   parameter field, up to the end of the TSDU (X.225 8.3.14, 8.3.15)
// ------------------------------------------------------------------------------------------

Result<GiveTokens> decode_give_tokens(ByteReader p, Ctx& ctx) {
  GiveTokens gt;
  std::bitset<256> seen;
  Unit u;
  for (;;) {
    MMSSEC_TRY_ASSIGN(const bool more, next_unit(p, ctx, u));
    if (!more) break;
    switch (u.code) {
      case pi::kTokenItem: {
        MMSSEC_TRY(mark(seen, u));
        MMSSEC_TRY_ASSIGN(gt.token_item, octet(u));
        break;
      }
      case pi::kEnclosureItem: {
        MMSSEC_TRY(mark(seen, u));
        MMSSEC_TRY_ASSIGN(gt.enclosure_item, enclosure(u));
        break;
      }
      default: MMSSEC_TRY(other(u)); break;
    }
  }
  return gt;
}

Result<DataTransfer> decode_data_transfer(ByteReader p, ByteView user_information, Ctx& ctx) {
  DataTransfer dt;
  std::bitset<256> seen;
  Unit u;
  for (;;) {
    MMSSEC_TRY_ASSIGN(const bool more, next_unit(p, ctx, u));
    if (!more) break;
    switch (u.code) {
      case pi::kEnclosureItem: {
        MMSSEC_TRY(mark(seen, u));
        MMSSEC_TRY_ASSIGN(dt.enclosure_item, enclosure(u));
        break;
      }
      default: MMSSEC_TRY(other(u)); break;
    }
  }
  dt.user_information.assign(user_information.begin(), user_information.end());
  return dt;
}

Status encode_give_tokens(const GiveTokens& gt, Bytes& out) {
  Bytes b;
  if (gt.token_item) put_octet(b, pi::kTokenItem, *gt.token_item);
  if (gt.enclosure_item) put_octet(b, pi::kEnclosureItem, *gt.enclosure_item);
  return finish_spdu(out, si::kGiveTokens, b);
}

Status encode_data_transfer(const DataTransfer& dt, Bytes& out) {
  Bytes b;
  if (dt.enclosure_item) put_octet(b, pi::kEnclosureItem, *dt.enclosure_item);
  MMSSEC_TRY(finish_spdu(out, si::kDataTransfer, b));
  ByteWriter(out).bytes(dt.user_information);
  return {};
}

/// SPDU header: SI, LI and a reader over exactly LI parameter octets.
struct Header {
  std::uint8_t si = 0;
  ByteReader params;
  std::size_t offset = 0;
};

// SPDU ::= SI LI parameter-field, LI bounded by the rest of the TSDU.
Result<Header> read_header(ByteReader& r) {
  const std::size_t at = r.offset();
  auto code = r.read_u8();
  if (!code) return Error(Errc::truncated, at);
  MMSSEC_TRY_ASSIGN(const std::size_t len, read_length(r));
  if (len > r.remaining()) return Error(Errc::spdu_length_overflow, at);
  auto params = r.sub(len);
  if (!params) return Error(Errc::spdu_length_overflow, at);
  return Header{*code, *params, at};
}

template <class T>
Result<Tsdu> alone(Result<T> spdu, const ByteReader& r) {
  if (!spdu) return spdu.error();
  if (!r.empty()) return Error(Errc::trailing_data, r.offset());
  return Tsdu{std::nullopt, Spdu(std::move(*spdu))};
}

}  // namespace

Result<Tsdu> decode_tsdu(ByteView tsdu, const Limits& limits, std::size_t base_offset) {
  if (tsdu.empty()) return Error(Errc::empty_tsdu, base_offset);
  ByteReader r(tsdu, base_offset);
  Ctx ctx{limits};
  MMSSEC_TRY_ASSIGN(Header h, read_header(r));
  switch (h.si) {
    case si::kConnect: return alone(decode_connect(h.params, ctx), r);
    case si::kAccept: return alone(decode_accept(h.params, ctx), r);
    case si::kRefuse: return alone(decode_refuse(h.params, h.offset, ctx), r);
    case si::kFinish: return alone(decode_finish(h.params, ctx), r);
    case si::kDisconnect: return alone(decode_disconnect(h.params, ctx), r);
    case si::kAbort: return alone(decode_abort(h.params, h.offset, ctx), r);
    case si::kAbortAccept: return alone(decode_abort_accept(h.params, ctx), r);
    case si::kGiveTokens: break;  // GT or DT, resolved below
    default: return Error(Errc::unsupported_spdu, h.offset);
  }
  // SI 1 first. Nothing after it: a lone GT (category 0 alone).
  if (r.empty()) {
    MMSSEC_TRY_ASSIGN(GiveTokens gt, decode_give_tokens(h.params, ctx));
    return Tsdu{std::nullopt, Spdu(std::move(gt))};
  }
  // SI 1 again: GT followed by DT (category 0 + category 2).
  if (*r.peek_u8() == si::kDataTransfer) {
    MMSSEC_TRY_ASSIGN(GiveTokens gt, decode_give_tokens(h.params, ctx));
    MMSSEC_TRY_ASSIGN(Header d, read_header(r));
    MMSSEC_TRY_ASSIGN(DataTransfer dt, decode_data_transfer(d.params, r.rest(), ctx));
    return Tsdu{std::move(gt), Spdu(std::move(dt))};
  }
  // Otherwise a lone DT whose user information is the rest. A Token Item proves the first
  // SPDU was a GT, which may only be followed by a DT.
  {
    ByteReader probe = h.params;
    Ctx probe_ctx{limits, ctx.units};
    auto as_gt = decode_give_tokens(probe, probe_ctx);
    if (as_gt && as_gt->token_item) return Error(Errc::bad_concatenation, r.offset());
  }
  MMSSEC_TRY_ASSIGN(DataTransfer dt, decode_data_transfer(h.params, r.rest(), ctx));
  return Tsdu{std::nullopt, Spdu(std::move(dt))};
}

Status encode_spdu(const Spdu& spdu, Bytes& out) {
  // Encode into a scratch buffer so a failure leaves `out` untouched.
  Bytes tmp;
  Status st = std::visit(
      [&tmp](const auto& s) -> Status {
        using T = std::decay_t<decltype(s)>;
        if constexpr (std::is_same_v<T, Connect>)
          return encode_connect(s, tmp);
        else if constexpr (std::is_same_v<T, Accept>)
          return encode_accept(s, tmp);
        else if constexpr (std::is_same_v<T, Refuse>)
          return encode_refuse(s, tmp);
        else if constexpr (std::is_same_v<T, Finish>)
          return encode_finish(s, tmp);
        else if constexpr (std::is_same_v<T, Disconnect>)
          return encode_disconnect(s, tmp);
        else if constexpr (std::is_same_v<T, Abort>)
          return encode_abort(s, tmp);
        else if constexpr (std::is_same_v<T, AbortAccept>)
          return finish_spdu(tmp, si::kAbortAccept, Bytes{});
        else if constexpr (std::is_same_v<T, GiveTokens>)
          return encode_give_tokens(s, tmp);
        else
          return encode_data_transfer(s, tmp);
      },
      spdu);
  if (!st) return st;
  out.insert(out.end(), tmp.begin(), tmp.end());
  return {};
}

Result<Bytes> encode_spdu(const Spdu& spdu) {
  Bytes out;
  MMSSEC_TRY(encode_spdu(spdu, out));
  return out;
}

Bytes encode_data_tsdu(ByteView user_information) {
  // GT ::= 01 00 (no parameters); DT ::= 01 00 (no parameters) user-information
  Bytes out;
  out.reserve(4 + user_information.size());
  ByteWriter w(out);
  w.u8(si::kGiveTokens);
  w.u8(0);
  w.u8(si::kDataTransfer);
  w.u8(0);
  w.bytes(user_information);
  return out;
}

const char* spdu_name(const Spdu& spdu) noexcept {
  static constexpr const char* kNames[] = {"CN", "AC", "RF", "FN", "DN", "AB", "AA", "GT", "DT"};
  return kNames[spdu.index()];
}

}  // namespace mmssec::session
