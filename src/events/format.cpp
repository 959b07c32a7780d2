// SPDX-License-Identifier: Apache-2.0
// Event formatting: readable text, JSON and RFC 5424 syslog. Event text comes partly from peers
// (certificate subjects, alert strings), so every formatter walks it as UTF-8 and neutralises
// whatever could break a line or the enclosing syntax: control characters (C0, DEL, C1) and
// octets that are not valid UTF-8.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "mmssec/core/clock.hpp"
#include "mmssec/events/event.hpp"

namespace mmssec::events {
namespace {

/// Length of the valid UTF-8 sequence at s[i] (RFC 3629: no overlongs, no surrogates, at most
/// U+10FFFF), 0 when the octet there does not start one.
std::size_t utf8_length(std::string_view s, std::size_t i) {
  const auto at = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned b = at(i);
  if (b < 0x80) return 1;
  std::size_t n = 0;
  unsigned lo = 0x80, hi = 0xBF;  // allowed range of the second octet
  if (b >= 0xC2 && b <= 0xDF) {
    n = 2;
  } else if (b >= 0xE0 && b <= 0xEF) {
    n = 3;
    if (b == 0xE0) lo = 0xA0;
    if (b == 0xED) hi = 0x9F;
  } else if (b >= 0xF0 && b <= 0xF4) {
    n = 4;
    if (b == 0xF0) lo = 0x90;
    if (b == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (s.size() - i < n) return 0;
  if (at(i + 1) < lo || at(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < n; ++k) {
    if (at(i + k) < 0x80 || at(i + k) > 0xBF) return 0;
  }
  return n;
}

/// True for U+0000..U+001F, U+007F and U+0080..U+009F (the C1 controls, 0xC2 0x80..0x9F).
bool is_control(std::string_view seq) {
  const auto b0 = static_cast<unsigned char>(seq[0]);
  if (seq.size() == 1) return b0 < 0x20 || b0 == 0x7F;
  return seq.size() == 2 && b0 == 0xC2 && static_cast<unsigned char>(seq[1]) < 0xA0;
}

/// Calls keep(sequence) for each printable UTF-8 character and bad(octet) for each octet of a
/// control character or of an invalid sequence.
template <class Keep, class Bad>
void walk(std::string_view s, Keep&& keep, Bad&& bad) {
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = utf8_length(s, i);
    if (n == 0) {
      bad(static_cast<unsigned char>(s[i]));
      ++i;
      continue;
    }
    const std::string_view seq = s.substr(i, n);
    if (is_control(seq)) {
      for (const char c : seq) bad(static_cast<unsigned char>(c));
    } else {
      keep(seq);
    }
    i += n;
  }
}

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

void append_hex(std::string& out, std::string_view prefix, unsigned v, int digits) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.*s%0*x", static_cast<int>(prefix.size()), prefix.data(), digits, v);
  out += buf;
}

// ---- text

void append_text(std::string& out, std::string_view s) {
  walk(
      s,
      [&](std::string_view seq) {
        if (seq == "\\") {
          out += "\\\\";
        } else {
          out += seq;
        }
      },
      [&](unsigned char b) {
        switch (b) {
          case '\n': out += "\\n"; break;
          case '\r': out += "\\r"; break;
          case '\t': out += "\\t"; break;
          default: append_hex(out, "\\x", b, 2);
        }
      });
}

/// "ALARM", "WARNING", "INFO"
std::string_view severity_upper(Severity s) {
  switch (s) {
    case Severity::info: return "INFO";
    case Severity::warning: return "WARNING";
    case Severity::alarm: return "ALARM";
  }
  return "UNKNOWN";
}

// ---- JSON

void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  // A control character is one valid sequence: escape the code point, not its octets.
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = utf8_length(s, i);
    const std::string_view seq = s.substr(i, std::max<std::size_t>(n, 1));
    if (n == 0) {
      out += kReplacement;
    } else if (is_control(seq)) {
      const unsigned cp = n == 1 ? static_cast<unsigned char>(seq[0]) : static_cast<unsigned char>(seq[1]);
      append_hex(out, "\\u", cp, 4);
    } else if (seq == "\"" || seq == "\\") {
      out += '\\';
      out += seq;
    } else {
      out += seq;
    }
    i += seq.size();
  }
  out += '"';
}

// ---- syslog (RFC 5424)

/// A header field (HOSTNAME, APP-NAME, PROCID, MSGID): 1*max PRINTUSASCII, "-" when empty.
std::string header_token(std::string_view s, std::size_t max) {
  if (s.empty()) return "-";
  std::string out(s.substr(0, max));
  for (char& c : out) {
    if (c < 33 || c > 126) c = '_';
  }
  return out;
}

/// SD-NAME (§6.3.2): 1*32 PRINTUSASCII except '=', SP, ']' and '"'.
std::string sd_name(std::string_view s) {
  std::string out = header_token(s.empty() ? std::string_view("_") : s, 32);
  for (char& c : out) {
    if (c == '=' || c == ']' || c == '"') c = '_';
  }
  return out;
}

/// UTF-8 with control characters and invalid octets replaced by U+FFFD; with `param`, the three
/// PARAM-VALUE specials '"', '\' and ']' are escaped with a backslash (§6.3.3).
void append_syslog_text(std::string& out, std::string_view s, bool param) {
  walk(
      s,
      [&](std::string_view seq) {
        if (param && (seq == "\"" || seq == "\\" || seq == "]")) out += '\\';
        out += seq;
      },
      [&](unsigned char) { out += kReplacement; });
}

void append_param(std::string& out, std::string_view name, std::string_view value) {
  out += ' ';
  out += sd_name(name);
  out += "=\"";
  append_syslog_text(out, value, true);
  out += '"';
}

int syslog_severity(Severity s) {
  switch (s) {
    case Severity::alarm: return 2;    // crit
    case Severity::warning: return 4;  // warning
    case Severity::info: return 6;     // informational
  }
  return 2;
}

}  // namespace

std::string format_text(const Event& e) {
  const Descriptor& d = describe(e.id);
  std::string out = format_utc_ms(e.time);
  out += ' ';
  out += severity_upper(e.severity);
  out += ' ';
  out += d.mnemonic;
  out += " [";
  out += d.code;
  out += ']';
  if (!e.peer.empty()) {
    out += " peer=";
    append_text(out, e.peer);
  }
  if (e.connection != 0) out += " conn=" + std::to_string(e.connection);
  out += ": ";
  append_text(out, e.detail.empty() ? d.summary : std::string_view(e.detail));
  if (!e.fields.empty()) {
    out += " (";
    for (std::size_t i = 0; i < e.fields.size(); ++i) {
      if (i > 0) out += ", ";
      append_text(out, e.fields[i].first);
      out += '=';
      append_text(out, e.fields[i].second);
    }
    out += ')';
  }
  return out;
}

std::string format_json(const Event& e) {
  const Descriptor& d = describe(e.id);
  std::string out = "{\"time\":\"" + format_utc_ms(e.time) + "\",\"severity\":\"";
  out += severity_name(e.severity);
  out += "\",\"id\":";
  append_json_string(out, d.code);
  out += ",\"mnemonic\":";
  append_json_string(out, d.mnemonic);
  out += ",\"summary\":";
  append_json_string(out, d.summary);
  out += ",\"peer\":";
  append_json_string(out, e.peer);
  out += ",\"connection\":" + std::to_string(e.connection) + ",\"detail\":";
  append_json_string(out, e.detail);
  out += ",\"fields\":{";
  for (std::size_t i = 0; i < e.fields.size(); ++i) {
    if (i > 0) out += ',';
    append_json_string(out, e.fields[i].first);
    out += ':';
    append_json_string(out, e.fields[i].second);
  }
  out += "}}";
  return out;
}

std::string format_syslog(const Event& e, const SyslogOptions& o) {
  const Descriptor& d = describe(e.id);
  const int facility = std::clamp(o.facility, 0, 23);
  std::string out = "<" + std::to_string(facility * 8 + syslog_severity(e.severity)) + ">1 ";
  out += format_utc_ms(e.time);
  out += ' ' + header_token(o.hostname, 255);
  out += ' ' + header_token(o.app_name, 48);
  out += ' ' + header_token(o.procid, 128);
  out += ' ' + header_token(d.mnemonic, 32);
  out += " [";
  out += sd_name(o.sd_id.empty() ? SyslogOptions{}.sd_id : o.sd_id);
  append_param(out, "id", d.code);
  append_param(out, "severity", severity_name(e.severity));
  if (!e.peer.empty()) append_param(out, "peer", e.peer);
  if (e.connection != 0) append_param(out, "connection", std::to_string(e.connection));
  for (const auto& [name, value] : e.fields) append_param(out, name, value);
  out += "] ";
  std::string msg;
  append_syslog_text(msg, e.detail.empty() ? d.summary : std::string_view(e.detail), false);
  // §6.4: a UTF-8 MSG starts with the BOM; pure ASCII goes as MSG-ANY without it.
  if (std::any_of(msg.begin(), msg.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; })) {
    out += "\xEF\xBB\xBF";
  }
  out += msg;
  return out;
}

std::optional<Format> parse_format(std::string_view s) noexcept {
  if (s == "text") return Format::text;
  if (s == "json") return Format::json;
  return std::nullopt;
}

std::string format(const Event& e, Format f) { return f == Format::json ? format_json(e) : format_text(e); }

}  // namespace mmssec::events
