// SPDX-License-Identifier: Apache-2.0
// Object references, values and types as text (the syntax is described in
// include/mmssec/endpoint/reference.hpp and docs/client.md). Values are parsed against the type
// the server reported for the variable, so every range and length check happens here, before a
// request is built.
#include "mmssec/endpoint/reference.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <variant>
#include <vector>

#include "mmssec/ber/ber.hpp"
#include "mmssec/mms/pdu.hpp"

namespace mmssec::endpoint {
namespace {

using mms::Data;
using mms::TypeSpecification;
using Kind = mms::TypeSpecification::Kind;

/// Nesting of braces accepted in a value (types from the network are already bounded by
/// Limits::mms_max_data_depth; this guards hand-made types).
constexpr std::size_t kMaxValueDepth = 64;
/// Longest excerpt of user text repeated in an error message.
constexpr std::size_t kMaxEcho = 40;

Failure invalid(std::string detail) { return Failure{Errc::invalid_argument, std::move(detail)}; }

/// `s` quoted for an error message, shortened and with control characters escaped.
std::string echo(std::string_view s) {
  std::string out = "'";
  const bool cut = s.size() > kMaxEcho;
  if (cut) s = s.substr(0, kMaxEcho);
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  if (cut) out += "...";
  return out + "'";
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    const char a = s[i] >= 'A' && s[i] <= 'Z' ? static_cast<char>(s[i] - 'A' + 'a') : s[i];
    if (a != prefix[i]) return false;
  }
  return true;
}

bool equals_ci(std::string_view a, std::string_view b) {
  return a.size() == b.size() && starts_with_ci(a, b);
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

constexpr char kHex[] = "0123456789abcdef";

// ---------------------------------------------------------------------------------------------
// References
// ---------------------------------------------------------------------------------------------

bool identifier_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '$';
}

/// Check one Identifier `part` of `text` that starts at `offset` in it.
std::optional<Failure> check_identifier(std::string_view part, std::string_view what, std::string_view text,
                                        std::size_t offset, std::size_t max_identifier) {
  if (part.empty()) return invalid("empty " + std::string(what) + " in " + echo(text));
  for (std::size_t i = 0; i < part.size(); ++i) {
    if (!identifier_char(part[i])) {
      return invalid("invalid character " + echo(part.substr(i, 1)) + " at position " +
                     std::to_string(offset + i) + " in " + echo(text) + " (identifiers use A-Z a-z 0-9 _ $)");
    }
  }
  if (part.front() >= '0' && part.front() <= '9')
    return invalid(std::string(what) + " " + echo(part) + " starts with a digit");
  if (part.size() > max_identifier) {
    return invalid(std::string(what) + " " + echo(part) + " is " + std::to_string(part.size()) +
                   " characters long (at most " + std::to_string(max_identifier) + ")");
  }
  if (part.front() == '$' || part.back() == '$' || part.find("$$") != std::string_view::npos)
    return invalid("empty component in " + echo(part) + " (leading, trailing or doubled '$')");
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// Times
// ---------------------------------------------------------------------------------------------

constexpr std::int64_t kUnix1984 = 441763200;  // 1984-01-01T00:00:00Z (binary-time epoch)

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
int days_in_month(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : kDays[m - 1];
}

/// Reads exactly `n` decimal digits at `pos`.
bool digits(std::string_view s, std::size_t& pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  pos += n;
  return true;
}

bool expect_char(std::string_view s, std::size_t& pos, char c) {
  if (pos >= s.size() || s[pos] != c) return false;
  ++pos;
  return true;
}

/// hh:mm:ss[.f{1,9}] at `pos`; fills the time fields of `t`.
bool parse_clock(std::string_view s, std::size_t& pos, ber::Time& t) {
  if (!digits(s, pos, 2, t.hour) || !expect_char(s, pos, ':') || !digits(s, pos, 2, t.minute) ||
      !expect_char(s, pos, ':') || !digits(s, pos, 2, t.second))
    return false;
  if (t.hour > 23 || t.minute > 59 || t.second > 59) return false;
  t.nanos = 0;
  t.fraction_digits = 0;
  if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
    ++pos;
    std::uint32_t nanos = 0;
    int n = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (n == 9) return false;
      nanos = nanos * 10 + static_cast<std::uint32_t>(s[pos] - '0');
      ++n;
      ++pos;
    }
    if (n == 0) return false;
    for (int i = n; i < 9; ++i) nanos *= 10;
    t.nanos = nanos;
    t.fraction_digits = n;
  }
  return true;
}

/// YYYY-MM-DDThh:mm:ss[.f{1,9}][Z], UTC.
Outcome<ber::Time> parse_iso(std::string_view s) {
  const Failure bad =
      invalid(echo(s) + " is not an ISO-8601 UTC time (expected e.g. 2024-01-02T03:04:05.123Z)");
  ber::Time t;
  std::size_t pos = 0;
  if (!digits(s, pos, 4, t.year) || !expect_char(s, pos, '-') || !digits(s, pos, 2, t.month) ||
      !expect_char(s, pos, '-') || !digits(s, pos, 2, t.day))
    return bad;
  if (pos >= s.size() || (s[pos] != 'T' && s[pos] != 't')) return bad;
  ++pos;
  if (!parse_clock(s, pos, t)) return bad;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) ++pos;
  if (pos != s.size()) return bad;
  if (t.month < 1 || t.month > 12 || t.day < 1 || t.day > days_in_month(t.year, t.month)) return bad;
  t.had_zone = true;
  return t;
}

/// "YYYY-MM-DDThh:mm:ss" + ".fraction" (nanos shown with `fraction_digits` digits) + "Z".
std::string iso_text(std::int64_t unix_seconds, std::uint32_t nanos, int fraction_digits) {
  const ber::Time t = ber::Time::from_unix(unix_seconds, 0);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", t.year, t.month, t.day, t.hour, t.minute,
                t.second);
  std::string out = buf;
  if (fraction_digits > 0) {
    std::snprintf(buf, sizeof buf, "%09u", static_cast<unsigned>(nanos));
    out += '.';
    out.append(buf, static_cast<std::size_t>(fraction_digits));
  }
  return out + "Z";
}

/// UtcTime fraction (24-bit binary fraction of a second) from nanoseconds, rounded.
std::uint32_t fraction_of(std::uint32_t nanos) {
  const std::uint64_t f = ((std::uint64_t{nanos} << 24) + 500'000'000ULL) / 1'000'000'000ULL;
  return static_cast<std::uint32_t>(std::min<std::uint64_t>(f, (1U << 24) - 1));
}

std::string utc_text(const mms::UtcTime& u) {
  const auto nanos =
      static_cast<std::uint32_t>((std::uint64_t{u.fraction & 0xFFFFFFU} * 1'000'000'000ULL) >> 24);
  // The fewest fraction digits that read back as the same 24-bit fraction.
  int digits_needed = 9;
  std::uint32_t shown = nanos;
  std::uint32_t unit = 1'000'000'000U;
  for (int d = 0; d <= 9; ++d, unit /= 10) {
    const std::uint32_t rounded = (nanos + unit / 2) / unit * unit;
    if (rounded >= 1'000'000'000U) continue;
    if (fraction_of(rounded) == (u.fraction & 0xFFFFFFU)) {
      digits_needed = d;
      shown = rounded;
      break;
    }
  }
  std::string out = iso_text(u.seconds, shown, digits_needed);
  if (u.quality != 0) {
    char buf[16];
    std::snprintf(buf, sizeof buf, " q=0x%02x", u.quality);
    out += buf;
  }
  return out;
}

std::string binary_time_text(const mms::BinaryTime& b) {
  const std::uint32_t ms = b.milliseconds;
  if (b.days) {
    const std::int64_t secs = kUnix1984 + std::int64_t{*b.days} * 86400 + ms / 1000;
    return iso_text(secs, (ms % 1000) * 1'000'000U, ms % 1000 == 0 ? 0 : 3);
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02u:%02u:%02u.%03u", ms / 3'600'000U, ms / 60'000U % 60U, ms / 1000U % 60U,
                ms % 1000U);
  return buf;
}

// ---------------------------------------------------------------------------------------------
// Formatting
// ---------------------------------------------------------------------------------------------

std::string quote(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7f) {
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 0xF];
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string bits_text(const mms::BitStringValue& b) {
  std::string out = "b";
  for (std::size_t i = 0; i < b.size(); ++i) out += b.bit(i) ? '1' : '0';
  return out;
}

std::string float_text(const mms::FloatingPoint& f) {
  char buf[64];
  const std::to_chars_result r = f.is_double
                                     ? std::to_chars(buf, buf + sizeof buf, f.value)
                                     : std::to_chars(buf, buf + sizeof buf, static_cast<float>(f.value));
  return std::string(buf, r.ec == std::errc() ? r.ptr : buf);
}

std::string size_text(std::int32_t size) {
  return size < 0 ? "(<=" + std::to_string(-static_cast<std::int64_t>(size)) + ")"
                  : "(" + std::to_string(size) + ")";
}

void format_data_to(std::string& out, const Data& d) {
  struct V {
    std::string& out;
    void operator()(bool b) const { out += b ? "true" : "false"; }
    void operator()(std::int64_t i) const { out += std::to_string(i); }
    void operator()(const mms::Unsigned& u) const { out += std::to_string(u.value); }
    void operator()(const mms::FloatingPoint& f) const { out += float_text(f); }
    void operator()(const mms::BitStringValue& b) const { out += bits_text(b); }
    void operator()(const mms::OctetStringValue& o) const {
      out += "0x";
      for (const std::uint8_t b : o.bytes) {
        out += kHex[b >> 4];
        out += kHex[b & 0xF];
      }
    }
    void operator()(const mms::VisibleStringValue& s) const { out += quote(s.text); }
    void operator()(const mms::MmsStringValue& s) const { out += quote(s.text); }
    void operator()(const mms::BinaryTime& t) const { out += binary_time_text(t); }
    void operator()(const mms::UtcTime& t) const { out += utc_text(t); }
    void operator()(const ber::Time& t) const {
      out += iso_text(t.to_unix_seconds(), t.nanos, t.fraction_digits);
    }
    void operator()(const mms::Bcd& b) const { out += std::to_string(b.value); }
    void operator()(const mms::BooleanArray& b) const { out += bits_text(b.bits); }
    void operator()(const ber::Oid& o) const { out += o.to_string(); }
    void operator()(const mms::DataArray& a) const { list(a.items); }
    void operator()(const mms::DataStructure& s) const { list(s.members); }
    void list(const std::vector<Data>& items) const {
      out += '{';
      for (std::size_t i = 0; i < items.size(); ++i) {
        if (i != 0) out += ", ";
        format_data_to(out, items[i]);
      }
      out += '}';
    }
  };
  std::visit(V{out}, d.value);
}

void format_type_to(std::string& out, const TypeSpecification* t) {
  if (t == nullptr) {
    out += "?";
    return;
  }
  switch (t->kind) {
    case Kind::type_name: out += "type " + t->type_name.to_string(); return;
    case Kind::array:
      out += "array[" + std::to_string(t->number_of_elements) + "] of ";
      format_type_to(out, t->element_type.get());
      return;
    case Kind::structure:
      out += '{';
      for (std::size_t i = 0; i < t->components.size(); ++i) {
        if (i != 0) out += ", ";
        if (t->components[i].name) out += *t->components[i].name + ": ";
        format_type_to(out, t->components[i].type.get());
      }
      out += '}';
      return;
    case Kind::boolean: out += "boolean"; return;
    case Kind::bit_string: out += "bit-string" + size_text(t->size); return;
    case Kind::integer: out += "integer(" + std::to_string(t->size) + ")"; return;
    case Kind::unsigned_: out += "unsigned(" + std::to_string(t->size) + ")"; return;
    case Kind::floating_point:
      if (t->format_width == 32 && t->exponent_width == 8) {
        out += "float32";
      } else if (t->format_width == 64 && t->exponent_width == 11) {
        out += "float64";
      } else {
        out += "floating-point(" + std::to_string(t->format_width) + ", " +
               std::to_string(t->exponent_width) + ")";
      }
      return;
    case Kind::octet_string: out += "octet-string" + size_text(t->size); return;
    case Kind::visible_string: out += "visible-string" + size_text(t->size); return;
    case Kind::generalized_time: out += "generalized-time"; return;
    case Kind::binary_time: out += t->binary_time_with_date ? "binary-time(date)" : "binary-time"; return;
    case Kind::bcd: out += "bcd(" + std::to_string(t->size) + ")"; return;
    case Kind::obj_id: out += "obj-id"; return;
    case Kind::mms_string: out += "mms-string" + size_text(t->size); return;
    case Kind::utc_time: out += "utc-time"; return;
  }
  out += "?";
}

std::string type_text(const TypeSpecification& t) {
  std::string out;
  format_type_to(out, &t);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Value parsing
// ---------------------------------------------------------------------------------------------

/// Checks a length against a string/bit-string size (negative: at most |size|; positive:
/// exactly; 0: any).
std::optional<std::string> length_problem(std::size_t n, std::int32_t size, std::string_view unit,
                                          const TypeSpecification& t) {
  if (size > 0 && n != static_cast<std::size_t>(size)) {
    return std::to_string(n) + " " + std::string(unit) + ", " + type_text(t) + " needs exactly " +
           std::to_string(size);
  }
  if (size < 0 && n > static_cast<std::size_t>(-static_cast<std::int64_t>(size))) {
    return std::to_string(n) + " " + std::string(unit) + ", " + type_text(t) + " allows at most " +
           std::to_string(-static_cast<std::int64_t>(size));
  }
  return std::nullopt;
}

std::optional<Bytes> parse_hex(std::string_view s) {
  if (starts_with_ci(s, "0x")) s.remove_prefix(2);
  Bytes out;
  int high = -1;
  for (const char c : s) {
    if (c == ':' || c == ' ' || c == '-') {
      if (high >= 0) return std::nullopt;  // a separator inside a byte
      continue;
    }
    const int v = hex_digit(c);
    if (v < 0) return std::nullopt;
    if (high < 0) {
      high = v;
    } else {
      out.push_back(static_cast<std::uint8_t>(high << 4 | v));
      high = -1;
    }
  }
  if (high >= 0) return std::nullopt;
  return out;
}

template <class T>
std::optional<T> parse_number(std::string_view s, std::errc& ec) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  T v{};
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  ec = r.ec;
  if (r.ec != std::errc() || r.ptr != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

std::optional<double> parse_float(std::string_view s) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  double v = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v, std::chars_format::general);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

std::size_t utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (const char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0U) != 0x80U) ++n;
  }
  return n;
}

class ValueParser {
 public:
  explicit ValueParser(std::string_view text) : s_(text) {}

  Outcome<Data> parse(const TypeSpecification& t) {
    skip_space();
    if (composite(t)) {
      auto d = parse_composite(t, "", 0);
      if (!d) return d;
      skip_space();
      if (pos_ != s_.size())
        return invalid("unexpected text after the value at offset " + std::to_string(pos_));
      return d;
    }
    if (pos_ < s_.size() && s_[pos_] == '"') {
      auto text = quoted("");
      if (!text) return text.failure();
      skip_space();
      if (pos_ != s_.size())
        return invalid("unexpected text after the string at offset " + std::to_string(pos_));
      return scalar(t, *text, "");
    }
    return scalar(t, trim(s_), "");
  }

 private:
  static bool composite(const TypeSpecification& t) {
    return t.kind == Kind::array || t.kind == Kind::structure;
  }

  static Failure fail(const std::string& path, const std::string& msg) {
    return invalid(path.empty() ? msg : path + ": " + msg);
  }

  void skip_space() {
    while (pos_ < s_.size() && is_space(s_[pos_])) ++pos_;
  }

  /// A "..." string at pos_ with \" \\ \xHH escapes.
  Outcome<std::string> quoted(const std::string& path) {
    const std::size_t start = pos_;
    ++pos_;  // opening quote
    std::string out;
    while (pos_ < s_.size()) {
      const char c = s_[pos_++];
      if (c == '"') return out;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= s_.size()) break;
      const char e = s_[pos_++];
      if (e == '"' || e == '\\') {
        out += e;
      } else if (e == 'x' && pos_ + 2 <= s_.size() && hex_digit(s_[pos_]) >= 0 &&
                 hex_digit(s_[pos_ + 1]) >= 0) {
        out += static_cast<char>(hex_digit(s_[pos_]) << 4 | hex_digit(s_[pos_ + 1]));
        pos_ += 2;
      } else {
        return fail(path, "invalid escape at offset " + std::to_string(pos_ - 2) + " (use \\\" \\\\ \\xHH)");
      }
    }
    return fail(path, "unterminated string starting at offset " + std::to_string(start));
  }

  Outcome<Data> parse_element(const TypeSpecification& t, const std::string& path, std::size_t depth) {
    skip_space();
    if (composite(t)) return parse_composite(t, path, depth);
    if (pos_ < s_.size() && s_[pos_] == '"') {
      auto text = quoted(path);
      if (!text) return text.failure();
      return scalar(t, *text, path);
    }
    const std::size_t start = pos_;
    while (pos_ < s_.size() && s_[pos_] != ',' && s_[pos_] != '}' && s_[pos_] != '{') ++pos_;
    if (pos_ < s_.size() && s_[pos_] == '{')
      return fail(path, "unexpected '{' at offset " + std::to_string(pos_) + ": " + type_text(t) +
                            " is not a structure or array");
    const std::string_view token = trim(s_.substr(start, pos_ - start));
    if (token.empty()) return fail(path, "missing value at offset " + std::to_string(start));
    return scalar(t, token, path);
  }

  Outcome<Data> parse_composite(const TypeSpecification& t, const std::string& path, std::size_t depth) {
    if (depth >= kMaxValueDepth) return fail(path, "value nested too deeply");
    if (pos_ >= s_.size() || s_[pos_] != '{')
      return fail(path, "expected '{' at offset " + std::to_string(pos_) + " for " + type_text(t));
    ++pos_;
    const bool is_struct = t.kind == Kind::structure;
    const std::size_t expected = is_struct ? t.components.size() : t.number_of_elements;
    std::vector<Data> items;
    skip_space();
    if (pos_ < s_.size() && s_[pos_] == '}') {
      ++pos_;
    } else {
      for (;;) {
        const std::size_t i = items.size();
        if (i >= expected) {
          return fail(path, "more than " + std::to_string(expected) + (is_struct ? " members" : " elements") +
                                " at offset " + std::to_string(pos_) + " for " + type_text(t));
        }
        const TypeSpecification* et = nullptr;
        std::string child;
        if (is_struct) {
          et = t.components[i].type.get();
          const std::string name = t.components[i].name ? *t.components[i].name : "#" + std::to_string(i + 1);
          child = path.empty() ? name : path + "." + name;
        } else {
          et = t.element_type.get();
          child = path + "[" + std::to_string(i) + "]";
        }
        if (et == nullptr) return fail(child, "the type has no specification here");
        auto d = parse_element(*et, child, depth + 1);
        if (!d) return d;
        items.push_back(std::move(d).value());
        skip_space();
        if (pos_ < s_.size() && s_[pos_] == ',') {
          ++pos_;
          continue;
        }
        if (pos_ < s_.size() && s_[pos_] == '}') {
          ++pos_;
          break;
        }
        return fail(path, "expected ',' or '}' at offset " + std::to_string(pos_));
      }
    }
    if (items.size() != expected) {
      return fail(path, std::to_string(items.size()) + (items.size() == 1 ? " value" : " values") +
                            " given, " + type_text(t) + " has " + std::to_string(expected) +
                            (is_struct ? " members" : " elements"));
    }
    if (is_struct) return Data{mms::DataStructure{std::move(items)}};
    return Data{mms::DataArray{std::move(items)}};
  }

  static Outcome<Data> scalar(const TypeSpecification& t, std::string_view v, const std::string& path) {
    switch (t.kind) {
      case Kind::boolean:
        if (equals_ci(v, "true") || v == "1") return Data{true};
        if (equals_ci(v, "false") || v == "0") return Data{false};
        return fail(path, echo(v) + " is not a boolean (true, false, 1, 0)");
      case Kind::integer: return integer(t, v, path);
      case Kind::unsigned_: return unsigned_value(t, v, path);
      case Kind::floating_point: return floating(t, v, path);
      case Kind::bit_string: return bit_string(t, v, path);
      case Kind::octet_string: {
        auto bytes = parse_hex(v);
        if (!bytes) return fail(path, echo(v) + " is not hex octets (e.g. 0x0a1b or 0a:1b)");
        if (auto p = length_problem(bytes->size(), t.size, "octets", t)) return fail(path, *p);
        return Data{mms::OctetStringValue{std::move(*bytes)}};
      }
      case Kind::visible_string: {
        for (std::size_t i = 0; i < v.size(); ++i) {
          const auto c = static_cast<unsigned char>(v[i]);
          if (c < 0x20 || c > 0x7e)
            return fail(path, "character " + std::to_string(i) + " of the string is not visible ASCII");
        }
        if (auto p = length_problem(v.size(), t.size, "characters", t)) return fail(path, *p);
        return Data{mms::VisibleStringValue{std::string(v)}};
      }
      case Kind::mms_string:
        if (auto p = length_problem(utf8_length(v), t.size, "characters", t)) return fail(path, *p);
        return Data{mms::MmsStringValue{std::string(v)}};
      case Kind::utc_time: return utc_time(v, path);
      case Kind::generalized_time: {
        auto tm = parse_iso(v);
        if (!tm) return fail(path, tm.failure().detail);
        return Data{*tm};
      }
      case Kind::binary_time: return binary_time(t, v, path);
      case Kind::bcd: {
        std::errc ec{};
        auto n = parse_number<std::int64_t>(v, ec);
        if (!n || *n < 0) return fail(path, echo(v) + " is not a non-negative decimal number");
        if (t.size > 0 && t.size < 19) {
          std::int64_t limit = 1;
          for (int i = 0; i < t.size; ++i) limit *= 10;
          if (*n >= limit)
            return fail(path, echo(v) + " has more than " + std::to_string(t.size) + " digits");
        }
        return Data{mms::Bcd{*n}};
      }
      case Kind::obj_id: {
        auto oid = ber::Oid::parse(v);
        if (!oid || !oid->valid())
          return fail(path, echo(v) + " is not an object identifier (e.g. 1.0.9506.2.3)");
        return Data{std::move(*oid)};
      }
      case Kind::type_name:
        return fail(path, "named types (" + t.type_name.to_string() + ") are not supported");
      case Kind::array:
      case Kind::structure: return fail(path, "expected '{' for " + type_text(t));
    }
    return fail(path, "unsupported type");
  }

  static unsigned width_of(const TypeSpecification& t) {
    return t.size <= 0 || t.size > 64 ? 64U : static_cast<unsigned>(t.size);
  }

  static Outcome<Data> integer(const TypeSpecification& t, std::string_view v, const std::string& path) {
    const unsigned w = width_of(t);
    const std::int64_t max = w == 64 ? std::numeric_limits<std::int64_t>::max()
                                     : static_cast<std::int64_t>((std::uint64_t{1} << (w - 1)) - 1);
    const std::int64_t min = -max - 1;
    const std::string range = " (" + std::to_string(min) + ".." + std::to_string(max) + ")";
    std::errc ec{};
    auto n = parse_number<std::int64_t>(v, ec);
    if (!n && ec == std::errc::result_out_of_range)
      return fail(path, echo(v) + " is out of range for " + type_text(t) + range);
    if (!n) return fail(path, echo(v) + " is not an integer");
    if (*n < min || *n > max) return fail(path, echo(v) + " is out of range for " + type_text(t) + range);
    return Data{*n};
  }

  static Outcome<Data> unsigned_value(const TypeSpecification& t, std::string_view v,
                                      const std::string& path) {
    const unsigned w = width_of(t);
    const std::uint64_t max =
        w == 64 ? std::numeric_limits<std::uint64_t>::max() : (std::uint64_t{1} << w) - 1;
    const std::string range = " (0.." + std::to_string(max) + ")";
    if (!v.empty() && v.front() == '-') {
      std::errc ec{};
      if (parse_number<std::int64_t>(v, ec) || ec == std::errc::result_out_of_range)
        return fail(path, echo(v) + " is out of range for " + type_text(t) + range);
      return fail(path, echo(v) + " is not an unsigned integer");
    }
    std::errc ec{};
    auto n = parse_number<std::uint64_t>(v, ec);
    if (!n && ec == std::errc::result_out_of_range)
      return fail(path, echo(v) + " is out of range for " + type_text(t) + range);
    if (!n) return fail(path, echo(v) + " is not an unsigned integer");
    if (*n > max) return fail(path, echo(v) + " is out of range for " + type_text(t) + range);
    return Data{mms::Unsigned{*n}};
  }

  static Outcome<Data> floating(const TypeSpecification& t, std::string_view v, const std::string& path) {
    const bool single = t.format_width == 32 && t.exponent_width == 8;
    const bool dbl = t.format_width == 64 && t.exponent_width == 11;
    if (!single && !dbl) return fail(path, "unsupported floating-point format " + type_text(t));
    auto f = parse_float(v);
    if (!f) return fail(path, echo(v) + " is not a number");
    if (single) {
      if (std::isfinite(*f) && std::fabs(*f) > static_cast<double>(std::numeric_limits<float>::max()))
        return fail(path, echo(v) + " is out of range for float32");
      return Data{mms::FloatingPoint{static_cast<double>(static_cast<float>(*f)), false}};
    }
    return Data{mms::FloatingPoint{*f, true}};
  }

  static Outcome<Data> bit_string(const TypeSpecification& t, std::string_view v, const std::string& path) {
    mms::BitStringValue bits;
    if (!v.empty() && (v.front() == 'b' || v.front() == 'B')) {
      std::size_t n = 0;
      for (std::size_t i = 1; i < v.size(); ++i) {
        if (v[i] != '0' && v[i] != '1')
          return fail(path, echo(v) + " is not a bit string (e.g. b0101 or 0xa0)");
        ++n;
      }
      if (auto p = length_problem(n, t.size, "bits", t)) return fail(path, echo(v) + " has " + *p);
      bits.bytes.assign((n + 7) / 8, 0);
      bits.unused_bits = static_cast<std::uint8_t>(bits.bytes.size() * 8 - n);
      for (std::size_t i = 0; i < n; ++i) {
        if (v[i + 1] == '1')
          bits.bytes[i / 8] = static_cast<std::uint8_t>(bits.bytes[i / 8] | (0x80U >> (i % 8)));
      }
      return Data{std::move(bits)};
    }
    if (!starts_with_ci(v, "0x")) return fail(path, echo(v) + " is not a bit string (e.g. b0101 or 0xa0)");
    auto bytes = parse_hex(v);
    if (!bytes) return fail(path, echo(v) + " is not a bit string (e.g. b0101 or 0xa0)");
    std::size_t n = bytes->size() * 8;
    // A fixed size that is not a multiple of 8: the padding bits of the last octet must be 0.
    if (t.size > 0 && static_cast<std::size_t>(t.size) < n && n - static_cast<std::size_t>(t.size) < 8) {
      const auto unused = static_cast<unsigned>(n - static_cast<std::size_t>(t.size));
      if ((bytes->back() & ((1U << unused) - 1U)) != 0)
        return fail(path,
                    echo(v) + " sets bits beyond the " + std::to_string(t.size) + " of " + type_text(t));
      n = static_cast<std::size_t>(t.size);
    }
    if (auto p = length_problem(n, t.size, "bits", t)) return fail(path, echo(v) + " has " + *p);
    bits.bytes = std::move(*bytes);
    bits.unused_bits = static_cast<std::uint8_t>(bits.bytes.size() * 8 - n);
    return Data{std::move(bits)};
  }

  static Outcome<Data> utc_time(std::string_view v, const std::string& path) {
    // "<iso>[ q=0xHH]"
    std::string_view iso = v;
    std::optional<std::uint8_t> quality;
    const std::size_t space = v.find_first_of(" \t");
    if (space != std::string_view::npos) {
      iso = v.substr(0, space);
      std::string_view q = trim(v.substr(space));
      if (!starts_with_ci(q, "q=")) return fail(path, "expected ' q=0xHH' after the time, found " + echo(q));
      q.remove_prefix(2);
      if (starts_with_ci(q, "0x")) q.remove_prefix(2);
      if (q.empty() || q.size() > 2 || hex_digit(q[0]) < 0 || (q.size() == 2 && hex_digit(q[1]) < 0))
        return fail(path, "time quality " + echo(q) + " is not one hex octet");
      quality =
          static_cast<std::uint8_t>(q.size() == 1 ? hex_digit(q[0]) : hex_digit(q[0]) << 4 | hex_digit(q[1]));
    }
    auto tm = parse_iso(iso);
    if (!tm) return fail(path, tm.failure().detail);
    const std::int64_t secs = tm->to_unix_seconds();
    if (secs < 0 || secs > static_cast<std::int64_t>(std::numeric_limits<std::uint32_t>::max()))
      return fail(path, echo(iso) + " is outside the utc-time range (1970 to 2106)");
    return Data{mms::UtcTime{static_cast<std::uint32_t>(secs), fraction_of(tm->nanos), quality.value_or(0)}};
  }

  static Outcome<Data> binary_time(const TypeSpecification& t, std::string_view v, const std::string& path) {
    if (!t.binary_time_with_date) {
      ber::Time tm;
      std::size_t pos = 0;
      if (!parse_clock(v, pos, tm) || pos != v.size())
        return fail(path, echo(v) + " is not a time of day (hh:mm:ss.mmm)");
      if (tm.nanos % 1'000'000U != 0) return fail(path, echo(v) + ": binary-time has millisecond resolution");
      const auto ms = static_cast<std::uint32_t>(((tm.hour * 60 + tm.minute) * 60 + tm.second) * 1000) +
                      tm.nanos / 1'000'000U;
      return Data{mms::BinaryTime{ms, std::nullopt}};
    }
    auto tm = parse_iso(v);
    if (!tm) return fail(path, tm.failure().detail);
    if (tm->nanos % 1'000'000U != 0) return fail(path, echo(v) + ": binary-time has millisecond resolution");
    const std::int64_t secs = tm->to_unix_seconds() - kUnix1984;
    const std::int64_t days = secs / 86400;
    if (secs < 0 || days > 0xFFFF)
      return fail(path, echo(v) + " is outside the binary-time range (1984 to 2163)");
    const auto ms = static_cast<std::uint32_t>((secs % 86400) * 1000) + tm->nanos / 1'000'000U;
    return Data{mms::BinaryTime{ms, static_cast<std::uint16_t>(days)}};
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

}  // namespace

Outcome<mms::ObjectName> parse_reference(std::string_view text, std::size_t max_identifier) {
  const std::string_view t = trim(text);
  if (t.empty()) return invalid("empty reference");
  const std::size_t lead = static_cast<std::size_t>(t.data() - text.data());
  if (t.substr(0, 4) == "@aa/") {
    const std::string_view item = t.substr(4);
    if (auto f = check_identifier(item, "name", t, lead + 4, max_identifier)) return *f;
    return mms::ObjectName{mms::ObjectName::Scope::aa, {}, std::string(item)};
  }
  const std::size_t slash = t.find('/');
  if (slash == std::string_view::npos) {
    if (auto f = check_identifier(t, "name", t, lead, max_identifier)) return *f;
    return mms::ObjectName::vmd_specific(std::string(t));
  }
  if (t.find('/', slash + 1) != std::string_view::npos) return invalid("more than one '/' in " + echo(t));
  const std::string_view item = t.substr(slash + 1);
  if (slash == 0) {
    if (auto f = check_identifier(item, "name", t, lead + 1, max_identifier)) return *f;
    return mms::ObjectName::vmd_specific(std::string(item));
  }
  const std::string_view domain = t.substr(0, slash);
  if (auto f = check_identifier(domain, "domain name", t, lead, max_identifier)) return *f;
  if (auto f = check_identifier(item, "item name", t, lead + slash + 1, max_identifier)) return *f;
  return mms::ObjectName::domain_specific(std::string(domain), std::string(item));
}

std::string format_reference(const mms::ObjectName& name) { return name.to_string(); }

Outcome<mms::Data> parse_value(std::string_view text, const mms::TypeSpecification& type) {
  return ValueParser(text).parse(type);
}

std::string format_data(const mms::Data& data) {
  std::string out;
  format_data_to(out, data);
  return out;
}

std::string format_access_result(const mms::AccessResult& result) {
  if (const auto* e = std::get_if<mms::DataAccessError>(&result))
    return "error: " + std::string(mms::data_access_error_name(*e));
  return format_data(std::get<mms::Data>(result));
}

std::string format_type(const mms::TypeSpecification& type) { return type_text(type); }

std::string format_failure(const Failure& failure) {
  if (!failure.code) return failure.detail.empty() ? "unknown failure" : failure.detail;
  return failure.describe();
}

}  // namespace mmssec::endpoint
