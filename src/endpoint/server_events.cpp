// SPDX-License-Identifier: Apache-2.0
// Server events as log lines: one readable text line or one JSON object per event.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "mmssec/core/clock.hpp"
#include "mmssec/endpoint/server.hpp"
#include "mmssec/stack/decode.hpp"  // json_string

namespace mmssec::endpoint {
namespace {

/// "127.0.0.1:51234", "[::1]:51234", "-" when unknown.
std::string peer_text(const net::PeerInfo& p) {
  if (p.address.empty()) return "-";
  const bool v6 = p.address.find(':') != std::string::npos;
  return (v6 ? "[" + p.address + "]" : p.address) + ":" + std::to_string(p.port);
}

/// A text value as is when it is plain printable ASCII without spaces, quotes, backslashes or
/// '='; otherwise quoted with C-style escapes (\" \\ \n \t \xNN), so that a record stays one
/// line and a value cannot pose as another field.
std::string text_value(std::string_view v) {
  const bool plain = !v.empty() && v.find_first_of(" \"\\=") == std::string_view::npos &&
                     std::all_of(v.begin(), v.end(), [](char c) {
                       const auto u = static_cast<unsigned char>(c);
                       return u > 0x20 && u < 0x7f;
                     });
  if (plain) return std::string(v);
  std::string out = "\"";
  for (const char c : v) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (u < 0x20 || u >= 0x7f) {
          char hex[8];
          std::snprintf(hex, sizeof hex, "\\x%02x", static_cast<unsigned>(u));
          out += hex;
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

/// Visits the fields an event carries, in a fixed order: f(text key, json key, value, is_number).
template <class F>
void for_each_field(const ServerEvent& e, F&& f) {
  auto str = [&](std::string_view text_key, std::string_view json_key, const std::string& v) {
    if (!v.empty()) f(text_key, json_key, v, false);
  };
  auto num = [&](std::string_view text_key, std::string_view json_key, std::uint64_t v) {
    f(text_key, json_key, std::to_string(v), true);
  };
  str("calling-ap", "calling_ap_title", e.calling_ap_title);
  str("ae", "calling_ae_qualifier", e.calling_ae_qualifier);
  if (e.max_pdu_size > 0) num("max-pdu", "max_pdu_size", static_cast<std::uint64_t>(e.max_pdu_size));
  if (e.max_outstanding > 0)
    num("outstanding", "max_outstanding", static_cast<std::uint64_t>(e.max_outstanding));
  str("service", "service", e.service);
  if (e.kind == ServerEventKind::request) num("invoke", "invoke_id", e.invoke_id);
  str("object", "object", e.object);
  if (e.objects > 1) num("objects", "objects", e.objects);
  str("result", "result", e.result);
  str("layer", "layer", e.layer);
  str("reason", "reason", e.reason);
  if (e.kind == ServerEventKind::connection_closed) {
    num("requests", "requests", e.requests);
    num("duration-ms", "duration_ms",
        static_cast<std::uint64_t>(std::max<std::int64_t>(e.duration.count(), 0)));
  }
}

}  // namespace

std::string_view event_kind_name(ServerEventKind kind) noexcept {
  switch (kind) {
    case ServerEventKind::connection_opened: return "connection_opened";
    case ServerEventKind::connection_refused: return "connection_refused";
    case ServerEventKind::associated: return "associated";
    case ServerEventKind::association_rejected: return "association_rejected";
    case ServerEventKind::request: return "request";
    case ServerEventKind::report_sent: return "report_sent";
    case ServerEventKind::released: return "released";
    case ServerEventKind::aborted: return "aborted";
    case ServerEventKind::protocol_error: return "protocol_error";
    case ServerEventKind::timeout: return "timeout";
    case ServerEventKind::connection_closed: return "connection_closed";
  }
  return "unknown";
}

std::string_view severity_name(EventSeverity s) noexcept {
  switch (s) {
    case EventSeverity::info: return "info";
    case EventSeverity::warning: return "warning";
    case EventSeverity::error: return "error";
  }
  return "unknown";
}

std::string format_text(const ServerEvent& e) {
  std::string out = format_utc_ms(e.time);
  out += ' ';
  out += severity_name(e.severity);
  out += " conn=";
  out += e.connection == 0 ? std::string("-") : std::to_string(e.connection);
  out += ' ';
  out += text_value(peer_text(e.peer));
  out += ' ';
  out += event_kind_name(e.kind);
  for_each_field(e, [&](std::string_view key, std::string_view, const std::string& value, bool number) {
    out += ' ';
    out += key;
    out += '=';
    out += number ? value : text_value(value);
  });
  return out;
}

std::string format_json(const ServerEvent& e) {
  std::string out = "{\"time\":\"" + format_utc_ms(e.time) + "\",\"severity\":\"";
  out += severity_name(e.severity);
  out += "\",\"event\":\"";
  out += event_kind_name(e.kind);
  out += "\",\"conn\":";
  out += std::to_string(e.connection);
  out += ",\"peer\":";
  out += stack::json_string(e.peer.address.empty() ? std::string() : peer_text(e.peer));
  for_each_field(e, [&](std::string_view, std::string_view key, const std::string& value, bool number) {
    out += ",\"";
    out += key;
    out += "\":";
    out += number ? value : stack::json_string(value);
  });
  out += '}';
  return out;
}

}  // namespace mmssec::endpoint
