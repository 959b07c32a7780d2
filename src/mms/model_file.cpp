// SPDX-License-Identifier: Apache-2.0
// The model file loader (format: docs/model-format.md). One pass over the lines: each line is
// checked (length, UTF-8, control characters), split into tokens, and parsed by the statement
// its first word names. Objects are defined in a copy of the caller's Vmd as soon as their
// statement is complete (an `ln` block at its `end`), so later statements may refer to earlier
// ones; the copy replaces the caller's Vmd only when the whole file is good.
#include "mmssec/mms/model_file.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace mmssec::mms {
namespace {

using K = TypeSpecification::Kind;

/// Estimated octets of one value node (a Data and its share of the containing vector).
constexpr std::size_t kValueNodeCost = 64;
/// The format version this loader reads (`format 1`).
constexpr std::string_view kFormatVersion = "1";
/// Longest piece of user text echoed in a message.
constexpr std::size_t kEchoChars = 48;

class ModelFileCategory final : public std::error_category {
 public:
  [[nodiscard]] const char* name() const noexcept override { return "mms"; }
  [[nodiscard]] std::string message(int ev) const override {
    switch (static_cast<ModelFileErrc>(ev)) {
      case ModelFileErrc::syntax_error: return "model file syntax error";
      case ModelFileErrc::unknown_keyword: return "unknown model file statement";
      case ModelFileErrc::unknown_type: return "unknown type in model file";
      case ModelFileErrc::bad_value: return "initial value does not fit its type";
      case ModelFileErrc::invalid_name: return "invalid name in model file";
      case ModelFileErrc::duplicate: return "object defined twice in model file";
      case ModelFileErrc::undefined: return "model file refers to an undefined object";
      case ModelFileErrc::unterminated_block: return "model file block not terminated";
      case ModelFileErrc::unsupported_format: return "unsupported model file format version";
      case ModelFileErrc::limit_exceeded: return "model file limit exceeded";
      case ModelFileErrc::file_unreadable: return "model file unreadable";
      case ModelFileErrc::rejected: return "model refused a model file definition";
    }
    return "model file error " + std::to_string(ev);
  }
};

// ---------------------------------------------------------------------------------------------
// Small text helpers
// ---------------------------------------------------------------------------------------------

bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0U) == 0x80U; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_identifier_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c) || c == '_' || c == '$';
}
bool is_printable_ascii(char c) { return c >= 0x20 && c <= 0x7E; }
bool is_punct(char c) { return c == '{' || c == '}' || c == '[' || c == ']' || c == ',' || c == '='; }

std::size_t utf8_chars(std::string_view s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return !is_continuation(c); }));
}

/// `s` cut after kEchoChars characters (at a character boundary), "..." marking the cut.
std::string cut(std::string_view s) {
  std::size_t chars = 0;
  std::size_t end = 0;
  while (end < s.size()) {
    if (!is_continuation(s[end]) && ++chars > kEchoChars) break;
    ++end;
  }
  std::string out(s.substr(0, end));
  if (end < s.size()) out += "...";
  return out;
}

/// User text in messages: cut, in single quotes.
std::string echo(std::string_view s) { return "'" + cut(s) + "'"; }

/// Offset of the first octet that breaks UTF-8 (overlong forms, surrogates and code points
/// above U+10FFFF included), or npos.
std::size_t utf8_error(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (b < 0x80U) {
      ++i;
      continue;
    }
    if (b >= 0xC2U && b <= 0xDFU) {
      len = 2;
      cp = b & 0x1FU;
    } else if (b >= 0xE0U && b <= 0xEFU) {
      len = 3;
      cp = b & 0x0FU;
    } else if (b >= 0xF0U && b <= 0xF4U) {
      len = 4;
      cp = b & 0x07U;
    } else {
      return i;
    }
    if (s.size() - i < len) return i;
    for (std::size_t k = 1; k < len; ++k) {
      if (!is_continuation(s[i + k])) return i;
      cp = (cp << 6U) | (static_cast<unsigned char>(s[i + k]) & 0x3FU);
    }
    const bool overlong = (len == 3 && cp < 0x800U) || (len == 4 && cp < 0x10000U);
    if (overlong || (cp >= 0xD800U && cp <= 0xDFFFU) || cp > 0x10FFFFU) return i;
    i += len;
  }
  return std::string_view::npos;
}

/// Levenshtein distance, for "did you mean" hints (both strings are short).
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0U : 1U)});
      diag = up;
    }
  }
  return row[b.size()];
}

/// "a, b, c".
template <class Range>
std::string joined(const Range& words) {
  std::string out;
  for (std::string_view w : words) {
    if (!out.empty()) out += ", ";
    out.append(w);
  }
  return out;
}

/// "; did you mean 'b'?" when a candidate is within edit distance 2 of `word`, else "".
template <class Range>
std::string suggestion(std::string_view word, const Range& candidates) {
  if (word.size() > 32) return {};
  std::string_view best;
  std::size_t best_distance = 3;
  for (std::string_view c : candidates) {
    const std::size_t d = edit_distance(word, c);
    if (d < best_distance && d < c.size()) {
      best_distance = d;
      best = c;
    }
  }
  return best.empty() ? std::string() : "; did you mean '" + std::string(best) + "'?";
}

/// Why `s` is not an MMS Identifier (empty when it is one).
std::string identifier_problem(std::string_view s, bool allow_dollar, std::size_t max) {
  if (s.empty()) return "is empty";
  if (s.size() > max) {
    return "is " + std::to_string(s.size()) + " characters long (limit " + std::to_string(max) +
           ", Limits::mms_max_identifier)";
  }
  if (is_digit(s[0])) return "starts with a digit";
  for (char c : s) {
    if (c == '$' && !allow_dollar) return "contains '$', which is not allowed here";
    if (!is_identifier_char(c)) {
      if (is_printable_ascii(c)) return std::string("contains the character '") + c + "'";
      return "contains a character outside A-Z a-z 0-9 _";
    }
  }
  return {};
}

std::size_t saturating_add(std::size_t a, std::size_t b) {
  return a > std::numeric_limits<std::size_t>::max() - b ? std::numeric_limits<std::size_t>::max() : a + b;
}
std::size_t saturating_mul(std::size_t a, std::size_t b) {
  if (a != 0 && b > std::numeric_limits<std::size_t>::max() / a)
    return std::numeric_limits<std::size_t>::max();
  return a * b;
}

/// Estimated memory of a value of type `t` (see ModelFileOptions::max_value_bytes). Recursion
/// is bounded by the type's depth, which the parser has already limited.
std::size_t value_cost(const TypeSpecification& t) {
  const std::size_t fixed = t.size > 0 ? static_cast<std::size_t>(t.size) : 0;
  switch (t.kind) {
    case K::array:
      return saturating_add(kValueNodeCost, saturating_mul(t.number_of_elements,
                                                           t.element_type ? value_cost(*t.element_type) : 0));
    case K::structure: {
      std::size_t sum = kValueNodeCost;
      for (const TypeComponent& c : t.components) sum = saturating_add(sum, c.type ? value_cost(*c.type) : 0);
      return sum;
    }
    case K::bit_string: return kValueNodeCost + (fixed + 7) / 8;
    case K::octet_string:
    case K::visible_string:
    case K::mms_string: return kValueNodeCost + fixed;
    default: return kValueNodeCost;
  }
}

std::string sized_name(std::string_view base, std::int32_t size) {
  const std::string n = std::to_string(size < 0 ? -static_cast<std::int64_t>(size) : size);
  return std::string(base) + (size < 0 ? " <=" : " ") + n;
}

/// The type as the file writes it, for messages.
std::string type_text(const TypeSpecification& t) {
  switch (t.kind) {
    case K::boolean: return "boolean";
    case K::integer: return "int" + std::to_string(t.size);
    case K::unsigned_: return "uint" + std::to_string(t.size);
    case K::floating_point: return t.format_width == 64 ? "float64" : "float32";
    case K::bit_string: return sized_name("bit-string", t.size);
    case K::octet_string: return sized_name("octet-string", t.size);
    case K::visible_string: return sized_name("visible-string", t.size);
    case K::mms_string: return sized_name("mms-string", t.size);
    case K::utc_time: return "utc-time";
    case K::array:
      return "array " + std::to_string(t.number_of_elements) + " of " +
             (t.element_type ? type_text(*t.element_type) : std::string("?"));
    case K::structure: return "a structure";
    default: return "an unsupported type";
  }
}

// ---------------------------------------------------------------------------------------------
// The type names of the format
// ---------------------------------------------------------------------------------------------

struct BasicType {
  std::string_view name;
  TypeSpecificationPtr (*make)();                    // types without a size
  TypeSpecificationPtr (*make_sized)(std::int32_t);  // string types: `name N` or `name <=N`
};

const std::array<BasicType, 17>& basic_types() {
  static const std::array<BasicType, 17> table = {{
      {"boolean", [] { return types::boolean(); }, nullptr},
      {"int8", [] { return types::integer(8); }, nullptr},
      {"int16", [] { return types::integer(16); }, nullptr},
      {"int32", [] { return types::integer(32); }, nullptr},
      {"int64", [] { return types::integer(64); }, nullptr},
      {"uint8", [] { return types::unsigned_integer(8); }, nullptr},
      {"uint16", [] { return types::unsigned_integer(16); }, nullptr},
      {"uint32", [] { return types::unsigned_integer(32); }, nullptr},
      {"float32", [] { return types::float32(); }, nullptr},
      {"float64", [] { return types::float64(); }, nullptr},
      {"utc-time", [] { return types::timestamp(); }, nullptr},
      {"timestamp", [] { return types::timestamp(); }, nullptr},
      {"quality", [] { return types::quality(); }, nullptr},
      {"bit-string", nullptr, [](std::int32_t n) { return types::bit_string(n); }},
      {"octet-string", nullptr, [](std::int32_t n) { return types::octet_string(n); }},
      {"visible-string", nullptr, [](std::int32_t n) { return types::visible_string(n); }},
      {"mms-string", nullptr, [](std::int32_t n) { return types::mms_string(n); }},
  }};
  return table;
}

std::vector<std::string_view> type_names() {
  std::vector<std::string_view> out;
  for (const BasicType& b : basic_types()) out.push_back(b.name);
  return out;
}

constexpr std::array<std::string_view, 10> kKeywords = {"format",   "identity", "type",   "domain", "ln",
                                                        "variable", "dataset",  "access", "set",    "report"};

bool is_keyword(std::string_view w) {
  return std::find(kKeywords.begin(), kKeywords.end(), w) != kKeywords.end();
}

// ---------------------------------------------------------------------------------------------
// Literals
// ---------------------------------------------------------------------------------------------

enum class IntParse : std::uint8_t { ok, malformed, overflow };

/// [+|-] decimal digits, or [+|-] 0x hex digits.
IntParse parse_int_literal(std::string_view s, bool& negative, std::uint64_t& magnitude) {
  negative = false;
  magnitude = 0;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  }
  if (s.empty()) return IntParse::malformed;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), magnitude, base);
  if (ptr != s.data() + s.size()) return IntParse::malformed;
  if (ec == std::errc::result_out_of_range) return IntParse::overflow;
  if (ec != std::errc()) return IntParse::malformed;
  return IntParse::ok;
}

bool leap_year(std::uint32_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
std::uint32_t days_in_month(std::uint32_t y, std::uint32_t m) {
  static constexpr std::array<std::uint32_t, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap_year(y) ? 29 : kDays[m - 1];
}

/// YYYY-MM-DDTHH:MM:SS[.fraction]Z (UTC, 1970-01-01T00:00:00Z .. 2106-02-07T06:28:15Z, up to
/// nine fraction digits) -> seconds since the Unix epoch and a 24-bit binary fraction.
/// Returns an empty string on success, otherwise what is wrong.
std::string parse_utc(std::string_view s, UtcTime& out) {
  constexpr std::string_view kShape = "expected YYYY-MM-DDTHH:MM:SS[.fraction]Z";
  auto number = [&](std::size_t pos, std::size_t len, std::uint32_t& v) {
    v = 0;
    if (pos + len > s.size()) return false;
    for (std::size_t i = pos; i < pos + len; ++i) {
      if (!is_digit(s[i])) return false;
      v = v * 10 + static_cast<std::uint32_t>(s[i] - '0');
    }
    return true;
  };
  std::uint32_t year = 0;
  std::uint32_t month = 0;
  std::uint32_t day = 0;
  std::uint32_t hour = 0;
  std::uint32_t minute = 0;
  std::uint32_t second = 0;
  if (s.size() < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' ||
      s.back() != 'Z' || !number(0, 4, year) || !number(5, 2, month) || !number(8, 2, day) ||
      !number(11, 2, hour) || !number(14, 2, minute) || !number(17, 2, second)) {
    return std::string(kShape);
  }
  std::uint64_t fraction = 0;
  if (s.size() > 20) {
    const std::size_t digits = s.size() - 21;
    if (s[19] != '.' || digits == 0 || digits > 9)
      return std::string(kShape) + " with 1 to 9 fraction digits";
    std::uint32_t f = 0;
    if (!number(20, digits, f)) return std::string(kShape);
    std::uint64_t scale = 1;
    for (std::size_t i = 0; i < digits; ++i) scale *= 10;
    // Round to the nearest 1/2^24 second; .99999999 rounds up to 2^24, kept just below.
    fraction = std::min<std::uint64_t>(((std::uint64_t{f} << 24U) + scale / 2) / scale, 0xFFFFFFU);
  }
  if (year < 1970 || year > 2106) return "year out of range (1970..2106)";
  if (month < 1 || month > 12) return "month out of range";
  if (day < 1 || day > days_in_month(year, month)) return "day out of range for its month";
  if (hour > 23 || minute > 59 || second > 59) return "time of day out of range";
  std::uint64_t days = 0;
  for (std::uint32_t y = 1970; y < year; ++y) days += leap_year(y) ? 366 : 365;
  for (std::uint32_t m = 1; m < month; ++m) days += days_in_month(year, m);
  days += day - 1;
  const std::uint64_t secs = days * 86400 + hour * 3600ULL + minute * 60ULL + second;
  if (secs > 0xFFFFFFFFULL) return "time beyond 2106-02-07T06:28:15Z (32-bit seconds)";
  out.seconds = static_cast<std::uint32_t>(secs);
  out.fraction = static_cast<std::uint32_t>(fraction);
  return {};
}

// ---------------------------------------------------------------------------------------------
// Tokens
// ---------------------------------------------------------------------------------------------

struct Token {
  enum class Kind : std::uint8_t { word, string, bits, hex, punct, end };
  Kind kind = Kind::end;
  std::string text;        ///< word, decoded string, bit or hex digits, or the punctuation mark
  std::size_t column = 0;  ///< 1-based, in characters
  std::size_t offset = 0;  ///< octets from the start of the text
  [[nodiscard]] bool is_punct(char c) const { return kind == Kind::punct && text[0] == c; }
  [[nodiscard]] bool is_word(std::string_view w) const { return kind == Kind::word && text == w; }
};

std::string describe(const Token& t) {
  switch (t.kind) {
    case Token::Kind::word:
    case Token::Kind::punct: return echo(t.text);
    case Token::Kind::string: return "the string \"" + cut(t.text) + "\"";
    case Token::Kind::bits: return "the bit string '" + cut(t.text) + "'B";
    case Token::Kind::hex: return "the octet string '" + cut(t.text) + "'H";
    case Token::Kind::end: break;
  }
  return "the end of the line";
}

/// The tokens of one line, ending with a Kind::end sentinel; next() never moves past it.
class Cursor {
 public:
  explicit Cursor(const std::vector<Token>& tokens) : tokens_(tokens) {}
  [[nodiscard]] const Token& peek() const { return tokens_[i_]; }
  const Token& next() {
    const Token& t = tokens_[i_];
    if (t.kind != Token::Kind::end) ++i_;
    return t;
  }
  [[nodiscard]] bool at_end() const { return peek().kind == Token::Kind::end; }

 private:
  const std::vector<Token>& tokens_;
  std::size_t i_ = 0;
};

// ---------------------------------------------------------------------------------------------
// The loader
// ---------------------------------------------------------------------------------------------

/// A place in the text, kept for errors reported after its line (an `ln` block at `end`).
struct Pos {
  std::size_t line = 0;
  std::size_t column = 0;
  std::size_t offset = 0;
};

/// One node of an `ln` block: the logical node (root), a functional constraint, a data object
/// or a (possibly nested) data attribute. Leaves carry a type and value, inner nodes children.
struct Node {
  std::string name;
  std::size_t line = 0;
  TypeSpecificationPtr type;
  Data value;
  std::vector<Node> children;  ///< in the order first mentioned
  std::map<std::string, std::size_t, std::less<>> index;
};

struct AccessSetting {
  std::string path;  ///< below the logical node, `$` separated (FC$DO$DA)
  Access access = Access::read_only;
  Pos pos;
};

class Loader {
 public:
  Loader(Vmd& vmd, const ModelFileOptions& options) : vmd_(vmd), opts_(options), lim_(vmd.limits()) {}

  bool run(std::string_view text) {
    std::size_t start = 0;
    std::vector<Token> tokens;
    while (true) {
      const std::size_t nl = text.find('\n', start);
      std::string_view line =
          text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
      ++line_;
      line_offset_ = start;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      tokens.clear();
      if (!check_line(line) || !tokenize(line, tokens)) return false;
      Cursor c(tokens);
      if (!statement(c)) return false;
      if (nl == std::string_view::npos) break;
      start = nl + 1;
    }
    if (block_ != Block::none) {
      const std::string what =
          block_ == Block::ln ? "ln " + ln_name_.to_string() : "dataset " + ds_name_.to_string();
      return fail(block_pos_, ModelFileErrc::unterminated_block,
                  "'" + what + "' is not closed with 'end' before the end of the file");
    }
    return true;
  }

  ModelFileError error_;
  LoadedModel result_;

 private:
  enum class Block : std::uint8_t { none, ln, dataset };

  // ---- errors
  bool fail(const Pos& p, ModelFileErrc code, std::string message) {
    error_.error = Error(code, p.offset);
    error_.line = p.line;
    error_.column = p.column;
    error_.message = std::move(message);
    return false;
  }
  [[nodiscard]] Pos pos(const Token& t) const { return {line_, t.column, t.offset}; }
  bool fail(const Token& t, ModelFileErrc code, std::string message) {
    return fail(pos(t), code, std::move(message));
  }
  bool rejected(const Pos& p, const std::string& what, const Status& st) {
    return fail(p, ModelFileErrc::rejected, "the model refused " + what + ": " + st.error().code.message());
  }

  bool count_object(const Token& t) {
    if (++objects_ > opts_.max_objects) {
      return fail(
          t, ModelFileErrc::limit_exceeded,
          "more than " + std::to_string(opts_.max_objects) + " objects (ModelFileOptions::max_objects)");
    }
    return true;
  }
  bool charge(const Token& t, const TypeSpecification& type) {
    value_bytes_ = saturating_add(value_bytes_, value_cost(type));
    return charge_check(t);
  }
  bool charge_check(const Token& t) {
    if (value_bytes_ > opts_.max_value_bytes) {
      return fail(t, ModelFileErrc::limit_exceeded,
                  "the initial values need more than " + std::to_string(opts_.max_value_bytes) +
                      " octets (estimated; ModelFileOptions::max_value_bytes)");
    }
    return true;
  }
  bool expect_end(Cursor& c, std::string_view after) {
    if (c.at_end()) return true;
    return fail(c.peek(), ModelFileErrc::syntax_error,
                "unexpected " + describe(c.peek()) + " after " + std::string(after) +
                    " (expected the end of the line)");
  }
  bool check_identifier(const Token& t, std::string_view s, bool allow_dollar, std::string_view what) {
    const std::string problem = identifier_problem(s, allow_dollar, lim_.mms_max_identifier);
    if (problem.empty()) return true;
    return fail(t, ModelFileErrc::invalid_name,
                std::string(what) + " " + echo(s) + " " + problem +
                    " (an MMS identifier: letters, digits and '_', not starting with a digit)");
  }

  // ---- lines and tokens
  bool check_line(std::string_view line) {
    if (line.size() > opts_.max_line_length) {
      return fail(Pos{line_, 1, line_offset_}, ModelFileErrc::limit_exceeded,
                  "line is " + std::to_string(line.size()) + " octets long (limit " +
                      std::to_string(opts_.max_line_length) + ", ModelFileOptions::max_line_length)");
    }
    if (const std::size_t bad = utf8_error(line); bad != std::string_view::npos) {
      return fail(Pos{line_, utf8_chars(line.substr(0, bad)) + 1, line_offset_ + bad},
                  ModelFileErrc::syntax_error, "invalid UTF-8 (model files are UTF-8 text)");
    }
    for (std::size_t i = 0; i < line.size(); ++i) {
      const auto b = static_cast<unsigned char>(line[i]);
      if ((b < 0x20U && b != '\t') || b == 0x7FU) {
        return fail(Pos{line_, utf8_chars(line.substr(0, i)) + 1, line_offset_ + i},
                    ModelFileErrc::syntax_error,
                    "control character " + std::to_string(b) +
                        " is not allowed (only tab and space separate tokens)");
      }
    }
    return true;
  }

  bool tokenize(std::string_view line, std::vector<Token>& out) {
    std::size_t cur = 0;
    std::size_t counted = 0;  // octets of `line` whose characters are in `chars`
    std::size_t chars = 0;
    auto column = [&](std::size_t p) {
      for (; counted < p; ++counted) {
        if (!is_continuation(line[counted])) ++chars;
      }
      return chars + 1;
    };
    while (cur < line.size()) {
      const char c = line[cur];
      if (c == ' ' || c == '\t') {
        ++cur;
        continue;
      }
      if (c == '#') break;
      Token t;
      t.column = column(cur);
      t.offset = line_offset_ + cur;
      if (c == '"') {
        t.kind = Token::Kind::string;
        ++cur;
        bool closed = false;
        while (cur < line.size()) {
          const char s = line[cur++];
          if (s == '"') {
            closed = true;
            break;
          }
          if (s == '\\') {
            if (cur < line.size() && (line[cur] == '\\' || line[cur] == '"')) {
              t.text.push_back(line[cur++]);
              continue;
            }
            return fail(Pos{line_, column(cur - 1), line_offset_ + cur - 1}, ModelFileErrc::syntax_error,
                        "unknown escape in string (only \\\\ and \\\" are escapes)");
          }
          t.text.push_back(s);
        }
        if (!closed) return fail(pos(t), ModelFileErrc::syntax_error, "string not closed with '\"'");
      } else if (c == '\'') {
        const std::size_t close = line.find('\'', cur + 1);
        if (close == std::string_view::npos || close + 1 >= line.size() ||
            (line[close + 1] != 'B' && line[close + 1] != 'H')) {
          return fail(pos(t), ModelFileErrc::syntax_error,
                      "expected a bit string '0101'B or an octet string '0a1b'H");
        }
        t.kind = line[close + 1] == 'B' ? Token::Kind::bits : Token::Kind::hex;
        t.text = std::string(line.substr(cur + 1, close - cur - 1));
        const bool digits_ok = std::all_of(t.text.begin(), t.text.end(), [&](char d) {
          if (t.kind == Token::Kind::bits) return d == '0' || d == '1';
          return is_digit(d) || (d >= 'a' && d <= 'f') || (d >= 'A' && d <= 'F');
        });
        if (!digits_ok) {
          return fail(pos(t), ModelFileErrc::syntax_error,
                      t.kind == Token::Kind::bits ? "a bit string '...'B holds only 0 and 1"
                                                  : "an octet string '...'H holds only hex digits");
        }
        cur = close + 2;
      } else if (is_punct(c)) {
        t.kind = Token::Kind::punct;
        t.text = std::string(1, c);
        ++cur;
      } else {
        t.kind = Token::Kind::word;
        const std::size_t begin = cur;
        if (line.substr(cur, 2) == "<=") cur += 2;  // the size prefix of `visible-string <=255`
        while (cur < line.size()) {
          const char w = line[cur];
          if (w == ' ' || w == '\t' || w == '#' || w == '"' || w == '\'' || is_punct(w)) break;
          ++cur;
        }
        t.text = std::string(line.substr(begin, cur - begin));
      }
      out.push_back(std::move(t));
    }
    Token end;
    end.column = column(line.size());
    end.offset = line_offset_ + line.size();
    out.push_back(std::move(end));
    return true;
  }

  // ---- statements
  bool statement(Cursor& c) {
    const Token& first = c.peek();
    if (first.kind == Token::Kind::end) return true;  // blank or comment line
    if (block_ == Block::ln) return ln_line(c);
    if (block_ == Block::dataset) return dataset_line(c);
    if (first.kind != Token::Kind::word) {
      return fail(first, ModelFileErrc::syntax_error,
                  "expected a statement keyword, found " + describe(first));
    }
    const bool is_first = statements_++ == 0;
    const std::string& kw = first.text;
    if (kw == "format") return format(c, is_first);
    if (kw == "identity") return identity(c);
    if (kw == "domain") return domain(c);
    if (kw == "ln") return ln_header(c);
    if (kw == "variable") return variable(c);
    if (kw == "dataset") return dataset(c);
    if (kw == "access") return access(c);
    if (kw == "type") return type_definition(c);
    if (kw == "set") return set_value(c);
    if (kw == "report") return report(c);
    if (kw == "end") {
      return fail(first, ModelFileErrc::unterminated_block, "'end' without an open 'ln' or 'dataset' block");
    }
    std::string hint;
    if (first.text[0] >= 'A' && first.text[0] <= 'Z')
      hint = " (data attribute lines belong inside an 'ln' block)";
    return fail(first, ModelFileErrc::unknown_keyword,
                "unknown statement " + echo(kw) + " (expected one of: " + joined(kKeywords) + ")" + hint +
                    suggestion(kw, kKeywords));
  }

  // format VERSION
  bool format(Cursor& c, bool is_first) {
    const Token& kw = c.next();
    if (!is_first)
      return fail(kw, ModelFileErrc::syntax_error, "'format' must be the first statement of the file");
    const Token& v = c.next();
    if (v.kind != Token::Kind::word) {
      return fail(v, ModelFileErrc::syntax_error,
                  "expected a version number after 'format', found " + describe(v));
    }
    if (v.text != kFormatVersion) {
      return fail(v, ModelFileErrc::unsupported_format,
                  "format version " + echo(v.text) + " is not supported (this loader reads version 1)");
    }
    return expect_end(c, "the format version");
  }

  // identity vendor|model|revision "TEXT"
  bool identity(Cursor& c) {
    c.next();
    const Token& field = c.next();
    static constexpr std::array<std::string_view, 3> kFields = {"vendor", "model", "revision"};
    const auto it = std::find(kFields.begin(), kFields.end(), field.text);
    if (field.kind != Token::Kind::word || it == kFields.end()) {
      return fail(field, ModelFileErrc::syntax_error,
                  "expected 'vendor', 'model' or 'revision' after 'identity', found " + describe(field));
    }
    const auto index = static_cast<std::size_t>(it - kFields.begin());
    const Token& value = c.next();
    if (value.kind != Token::Kind::string) {
      return fail(value, ModelFileErrc::syntax_error,
                  "expected a quoted string after 'identity " + field.text + "', found " + describe(value));
    }
    if (!std::all_of(value.text.begin(), value.text.end(), is_printable_ascii)) {
      return fail(value, ModelFileErrc::bad_value, "the identity is a VisibleString: printable ASCII only");
    }
    if (value.text.size() > lim_.mms_max_string) {
      return fail(value, ModelFileErrc::limit_exceeded, "identity string longer than Limits::mms_max_string");
    }
    if (identity_lines_[index] != 0) {
      return fail(
          field, ModelFileErrc::duplicate,
          "identity " + field.text + " is already set at line " + std::to_string(identity_lines_[index]));
    }
    identity_lines_[index] = line_;
    if (!result_.identity) result_.identity.emplace();
    std::string& target = index == 0   ? result_.identity->vendor
                          : index == 1 ? result_.identity->model
                                       : result_.identity->revision;
    target = value.text;
    return expect_end(c, "the identity string");
  }

  bool domain_exists(std::string_view d) const {
    return vmd_.name_list(ObjectClass::named_variable, d, std::nullopt, 1).ok();
  }

  // domain NAME
  bool domain(Cursor& c) {
    c.next();
    const Token& name = c.next();
    if (name.kind != Token::Kind::word) {
      return fail(name, ModelFileErrc::syntax_error,
                  "expected a domain name after 'domain', found " + describe(name));
    }
    if (!check_identifier(name, name.text, false, "domain name")) return false;
    if (domain_exists(name.text)) {
      return fail(name, ModelFileErrc::duplicate, "domain " + echo(name.text) + " is already defined");
    }
    if (!count_object(name) || !expect_end(c, "the domain name")) return false;
    if (const Status st = vmd_.define_domain(name.text); !st)
      return rejected(pos(name), "domain " + name.text, st);
    ++result_.domains;
    return true;
  }

  enum class RefKind : std::uint8_t { variable, list, component };

  /// [DOMAIN/]ITEM. The domain must exist. `variable` items have no `$`; `list` and `component`
  /// items may.
  bool reference(const Token& t, RefKind kind, std::string_view what, ObjectName& out) {
    if (t.kind != Token::Kind::word) {
      return fail(t, ModelFileErrc::syntax_error,
                  "expected " + std::string(what) + " (DOMAIN/NAME or NAME), found " + describe(t));
    }
    const std::string_view text = t.text;
    const std::size_t slash = text.find('/');
    if (slash != std::string_view::npos && text.find('/', slash + 1) != std::string_view::npos) {
      return fail(t, ModelFileErrc::invalid_name,
                  echo(text) + " has more than one '/' (expected DOMAIN/NAME)");
    }
    const std::string_view item = slash == std::string_view::npos ? text : text.substr(slash + 1);
    if (slash != std::string_view::npos) {
      const std::string_view dom = text.substr(0, slash);
      if (!check_identifier(t, dom, false, "domain name")) return false;
      if (!domain_exists(dom)) {
        return fail(t, ModelFileErrc::undefined,
                    "domain " + echo(dom) + " is not defined (declare it with 'domain " + std::string(dom) +
                        "' first)");
      }
      out = ObjectName::domain_specific(std::string(dom), std::string(item));
    } else {
      out = ObjectName::vmd_specific(std::string(item));
    }
    return check_identifier(t, item, kind != RefKind::variable,
                            kind == RefKind::list ? "data set name" : "name");
  }

  bool variable_exists(const ObjectName& n) const { return vmd_.lookup(n).ok(); }

  /// Optional trailing `rw` / `ro`.
  bool access_flag(Cursor& c, std::optional<Access>& out, std::string_view expected) {
    const Token& t = c.peek();
    if (t.is_word("rw") || t.is_word("ro")) {
      out = t.text == "rw" ? Access::read_write : Access::read_only;
      c.next();
    } else if (!c.at_end()) {
      return fail(t, ModelFileErrc::syntax_error,
                  "unexpected " + describe(t) + " (expected " + std::string(expected) + ")");
    }
    return expect_end(c, "the access right");
  }

  /// TYPE [= VALUE] [rw|ro] (the rest of a `variable` or data attribute line). `depth` is the
  /// nesting of the type inside its variable, `name_len` the length of its flattened name.
  bool typed_rest(Cursor& c, std::size_t depth, std::size_t name_len, TypeSpecificationPtr& type, Data& value,
                  std::optional<Access>& acc) {
    const Token& type_start = c.peek();
    if (!parse_type(c, depth, name_len, type) || !charge(type_start, *type)) return false;
    if (c.peek().is_punct('=')) {
      c.next();
      if (!parse_value(c, *type, value)) return false;
      return access_flag(c, acc, "'rw', 'ro' or the end of the line");
    }
    value = default_value(*type, lim_);
    return access_flag(c, acc, "'=', 'rw', 'ro' or the end of the line");
  }

  // variable [DOMAIN/]NAME TYPE [= VALUE] [rw|ro]
  bool variable(Cursor& c) {
    c.next();
    const Token& ref = c.next();
    ObjectName name;
    if (!reference(ref, RefKind::variable, "a variable reference", name)) return false;
    if (variable_exists(name)) {
      return fail(ref, ModelFileErrc::duplicate,
                  "variable " + echo(name.to_string()) + " is already defined");
    }
    if (!count_object(ref)) return false;
    if (c.at_end())
      return fail(c.peek(), ModelFileErrc::syntax_error, "expected a type after " + echo(ref.text));
    TypeSpecificationPtr type;
    Data value;
    std::optional<Access> acc;
    if (!typed_rest(c, 0, name.item.size(), type, value, acc)) return false;
    if (const Status st = vmd_.define_variable(name, type, std::move(value), acc.value_or(Access::read_only));
        !st) {
      return rejected(pos(ref), "variable " + name.to_string(), st);
    }
    ++result_.variables;
    return true;
  }

  // ln DOMAIN/NAME, then data attribute lines, then `end`
  bool ln_header(Cursor& c) {
    c.next();
    const Token& ref = c.next();
    if (!reference(ref, RefKind::variable, "a logical node reference", ln_name_)) return false;
    if (ln_name_.scope != ObjectName::Scope::domain) {
      return fail(
          ref, ModelFileErrc::syntax_error,
          "a logical node lives in a domain (logical device): expected DOMAIN/NAME, found " + echo(ref.text));
    }
    if (variable_exists(ln_name_)) {
      return fail(ref, ModelFileErrc::duplicate,
                  "variable " + echo(ln_name_.to_string()) + " is already defined");
    }
    if (!count_object(ref) || !expect_end(c, "the logical node reference")) return false;
    block_ = Block::ln;
    block_pos_ = pos(ref);
    ln_root_ = Node{};
    ln_root_.name = ln_name_.item;
    ln_access_.clear();
    return true;
  }

  bool keyword_in_block(const Token& t) {
    const std::string what =
        block_ == Block::ln ? "ln " + ln_name_.to_string() : "dataset " + ds_name_.to_string();
    return fail(t, ModelFileErrc::unterminated_block,
                echo(t.text) + " inside the block '" + what + "' opened at line " +
                    std::to_string(block_pos_.line) + " (close the block with 'end' first)");
  }

  // FC PATH TYPE [= VALUE] [rw|ro]   |   end
  bool ln_line(Cursor& c) {
    const Token& fc = c.next();
    if (fc.is_word("end")) {
      if (!expect_end(c, "'end'")) return false;
      return close_ln();
    }
    if (fc.kind == Token::Kind::word && is_keyword(fc.text)) return keyword_in_block(fc);
    if (fc.kind != Token::Kind::word) {
      return fail(
          fc, ModelFileErrc::syntax_error,
          "expected a data attribute line 'FC DataObject.attribute TYPE' or 'end', found " + describe(fc));
    }
    if (!check_identifier(fc, fc.text, false, "functional constraint")) return false;
    const Token& path = c.next();
    if (path.kind != Token::Kind::word) {
      return fail(path, ModelFileErrc::syntax_error,
                  "expected a data object path (DataObject.attribute...) after " + echo(fc.text) +
                      ", found " + describe(path));
    }
    std::vector<std::string_view> segments = {fc.text};
    std::size_t flat_len = ln_name_.item.size() + 1 + fc.text.size();
    for (std::size_t start = 0;;) {
      const std::size_t dot = path.text.find('.', start);
      const std::string_view seg = std::string_view(path.text).substr(
          start, dot == std::string::npos ? std::string::npos : dot - start);
      if (!check_identifier(path, seg, false, "path segment")) return false;
      segments.push_back(seg);
      flat_len += 1 + seg.size();
      if (segments.size() > lim_.mms_max_data_depth) {
        return fail(path, ModelFileErrc::limit_exceeded,
                    "path nested deeper than " + std::to_string(lim_.mms_max_data_depth) +
                        " levels (Limits::mms_max_data_depth)");
      }
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    if (flat_len > lim_.mms_max_identifier) {
      return fail(path, ModelFileErrc::invalid_name,
                  "the flattened name '" + ln_name_.item + "$" + fc.text + "$...' is " +
                      std::to_string(flat_len) + " characters long (limit " +
                      std::to_string(lim_.mms_max_identifier) + ", Limits::mms_max_identifier)");
    }
    if (!count_object(path)) return false;
    if (c.at_end())
      return fail(c.peek(), ModelFileErrc::syntax_error, "expected a type after " + echo(path.text));
    TypeSpecificationPtr type;
    Data value;
    std::optional<Access> acc;
    if (!typed_rest(c, segments.size(), flat_len, type, value, acc)) return false;
    if (!insert(path, segments, std::move(type), std::move(value))) return false;
    if (acc) {
      std::string p;
      for (std::string_view s : segments) {
        if (!p.empty()) p += '$';
        p.append(s);
      }
      ln_access_.push_back({std::move(p), *acc, pos(path)});
    }
    return true;
  }

  /// Add a leaf to the tree of the open `ln` block, creating inner nodes as needed.
  bool insert(const Token& at, const std::vector<std::string_view>& segments, TypeSpecificationPtr type,
              Data value) {
    Node* n = &ln_root_;
    std::string shown;  // "FC DO.DA" so far, for messages
    for (std::size_t i = 0; i < segments.size(); ++i) {
      const std::string_view seg = segments[i];
      shown += i == 0 ? "" : (i == 1 ? " " : ".");
      shown.append(seg);
      const bool last = i + 1 == segments.size();
      auto it = n->index.find(seg);
      if (it == n->index.end()) {
        if (n->children.size() >= lim_.mms_max_list_elements) {
          return fail(at, ModelFileErrc::limit_exceeded,
                      "more than " + std::to_string(lim_.mms_max_list_elements) +
                          " components in one structure (Limits::mms_max_list_elements)");
        }
        if (!last) {
          value_bytes_ = saturating_add(value_bytes_, kValueNodeCost);
          if (!charge_check(at)) return false;
        }
        n->index.emplace(std::string(seg), n->children.size());
        n->children.push_back(Node{});
        n->children.back().name = std::string(seg);
        n->children.back().line = line_;
        n = &n->children.back();
        continue;
      }
      Node& child = n->children[it->second];
      if (last) {
        if (child.type) {
          return fail(at, ModelFileErrc::duplicate,
                      echo(shown) + " is already defined at line " + std::to_string(child.line));
        }
        return fail(at, ModelFileErrc::duplicate,
                    echo(shown) + " already has components (from line " + std::to_string(child.line) +
                        "); it cannot also have a type");
      }
      if (child.type) {
        return fail(at, ModelFileErrc::duplicate,
                    echo(shown) + " is defined with a type at line " + std::to_string(child.line) +
                        " and cannot have components");
      }
      n = &child;
    }
    n->type = std::move(type);
    n->value = std::move(value);
    return true;
  }

  static TypeSpecificationPtr tree_type(const Node& n) {
    if (n.type) return n.type;
    std::vector<std::pair<std::string, TypeSpecificationPtr>> comps;
    comps.reserve(n.children.size());
    for (const Node& child : n.children) comps.emplace_back(child.name, tree_type(child));
    return types::structure(std::move(comps));
  }
  static Data tree_value(Node& n) {
    if (n.type) return std::move(n.value);
    DataStructure s;
    s.members.reserve(n.children.size());
    for (Node& child : n.children) s.members.push_back(tree_value(child));
    return s;
  }

  /// `end` of an `ln` block: the LN type through LogicalNodeBuilder (functional constraints,
  /// then data objects, in the order first mentioned), its value, then the access rights.
  bool close_ln() {
    block_ = Block::none;
    if (ln_root_.children.empty()) {
      return fail(block_pos_, ModelFileErrc::syntax_error,
                  "ln " + echo(ln_name_.to_string()) + " has no data attributes");
    }
    LogicalNodeBuilder builder;
    DataStructure value;
    value.members.reserve(ln_root_.children.size());
    for (Node& fc : ln_root_.children) {
      DataStructure fc_value;
      fc_value.members.reserve(fc.children.size());
      for (Node& data_object : fc.children) {
        builder.add(fc.name, data_object.name, tree_type(data_object));
        fc_value.members.push_back(tree_value(data_object));
      }
      value.members.emplace_back(std::move(fc_value));
    }
    const Status st =
        vmd_.define_variable(ln_name_, builder.build(), Data(std::move(value)), Access::read_only);
    if (!st) return rejected(block_pos_, "logical node " + ln_name_.to_string(), st);
    for (const AccessSetting& a : ln_access_) {
      const ObjectName target = ObjectName::domain_specific(ln_name_.domain, ln_name_.item + "$" + a.path);
      if (const Status s = vmd_.set_access(target, a.access); !s) {
        return rejected(a.pos, "the access right of " + target.to_string(), s);
      }
    }
    ln_root_ = Node{};
    ++result_.logical_nodes;
    return true;
  }

  // dataset [DOMAIN/]NAME = MEMBER, MEMBER...   |   dataset [DOMAIN/]NAME, then members, then `end`
  bool dataset(Cursor& c) {
    c.next();
    const Token& ref = c.next();
    if (!reference(ref, RefKind::list, "a data set reference", ds_name_)) return false;
    if (vmd_.named_variable_list_attributes(ds_name_).ok()) {
      return fail(ref, ModelFileErrc::duplicate,
                  "data set " + echo(ds_name_.to_string()) + " is already defined");
    }
    if (!count_object(ref)) return false;
    ds_members_.clear();
    if (c.peek().is_punct('=')) {
      c.next();
      while (true) {
        if (!member(c.next())) return false;
        const Token& sep = c.next();
        if (sep.kind == Token::Kind::end) break;
        if (!sep.is_punct(',')) {
          return fail(sep, ModelFileErrc::syntax_error,
                      "expected ',' or the end of the line after a data set member, found " + describe(sep));
        }
      }
      return define_dataset(pos(ref));
    }
    if (!c.at_end()) {
      return fail(c.peek(), ModelFileErrc::syntax_error,
                  "unexpected " + describe(c.peek()) +
                      " after the data set reference (expected '=' and the members, or the end of the line "
                      "and then one member per line)");
    }
    block_ = Block::dataset;
    block_pos_ = pos(ref);
    return true;
  }

  bool member(const Token& t) {
    ObjectName m;
    if (!reference(t, RefKind::component, "a data set member reference", m)) return false;
    if (!variable_exists(m)) {
      return fail(t, ModelFileErrc::undefined, "data set member " + echo(m.to_string()) + " does not exist");
    }
    if (ds_members_.size() >= lim_.mms_max_list_elements) {
      return fail(t, ModelFileErrc::limit_exceeded,
                  "more than " + std::to_string(lim_.mms_max_list_elements) +
                      " data set members (Limits::mms_max_list_elements)");
    }
    if (!count_object(t)) return false;
    ds_members_.push_back(std::move(m));
    return true;
  }

  // MEMBER   |   end
  bool dataset_line(Cursor& c) {
    const Token& t = c.next();
    if (t.is_word("end")) {
      if (!expect_end(c, "'end'")) return false;
      block_ = Block::none;
      if (ds_members_.empty()) {
        return fail(block_pos_, ModelFileErrc::syntax_error,
                    "data set " + echo(ds_name_.to_string()) + " has no members");
      }
      return define_dataset(block_pos_);
    }
    if (t.kind == Token::Kind::word && is_keyword(t.text)) return keyword_in_block(t);
    if (!member(t)) return false;
    return expect_end(c, "a data set member (one member per line)");
  }

  bool define_dataset(const Pos& p) {
    if (const Status st = vmd_.define_named_variable_list(ds_name_, std::move(ds_members_), false); !st) {
      return rejected(p, "data set " + ds_name_.to_string(), st);
    }
    ds_members_.clear();
    ++result_.data_sets;
    return true;
  }

  // access REFERENCE rw|ro
  bool access(Cursor& c) {
    c.next();
    const Token& ref = c.next();
    ObjectName target;
    if (!reference(ref, RefKind::component, "a variable or component reference", target)) return false;
    if (!variable_exists(target)) {
      return fail(ref, ModelFileErrc::undefined, echo(target.to_string()) + " does not exist");
    }
    const Token& right = c.next();
    if (!right.is_word("rw") && !right.is_word("ro")) {
      return fail(right, ModelFileErrc::syntax_error,
                  "expected 'rw' or 'ro' after the reference, found " + describe(right));
    }
    if (!count_object(ref) || !expect_end(c, "the access right")) return false;
    const Access a = right.text == "rw" ? Access::read_write : Access::read_only;
    if (const Status st = vmd_.set_access(target, a); !st) {
      return rejected(pos(ref), "the access right of " + target.to_string(), st);
    }
    return true;
  }

  // report ENABLE-REFERENCE dataset DATASET-REFERENCE
  bool report(Cursor& c) {
    c.next();
    const Token& ref = c.next();
    ReportControl rc;
    if (!reference(ref, RefKind::component, "the reference of a boolean report enable", rc.rpt_ena))
      return false;
    const auto enable = vmd_.lookup(rc.rpt_ena);
    if (!enable) return fail(ref, ModelFileErrc::undefined, echo(rc.rpt_ena.to_string()) + " does not exist");
    if (enable->type->kind != K::boolean) {
      return fail(ref, ModelFileErrc::bad_value,
                  "the report enable " + echo(rc.rpt_ena.to_string()) + " is " + type_text(*enable->type) +
                      ", not boolean");
    }
    for (const ReportControl& other : result_.report_controls) {
      if (other.rpt_ena == rc.rpt_ena) {
        return fail(ref, ModelFileErrc::duplicate,
                    "the report enable " + echo(rc.rpt_ena.to_string()) + " already has a report");
      }
    }
    const Token& kw = c.next();
    if (!kw.is_word("dataset")) {
      return fail(kw, ModelFileErrc::syntax_error,
                  "expected 'dataset' after the report enable, found " + describe(kw));
    }
    const Token& ds = c.next();
    if (!reference(ds, RefKind::list, "a data set reference", rc.dataset)) return false;
    if (!vmd_.named_variable_list_attributes(rc.dataset).ok()) {
      return fail(ds, ModelFileErrc::undefined,
                  "data set " + echo(rc.dataset.to_string()) + " does not exist");
    }
    if (!count_object(ref) || !expect_end(c, "the data set reference")) return false;
    result_.report_controls.push_back(std::move(rc));
    return true;
  }

  // ---- types

  /// A type defined with `type NAME = TYPE`.
  struct NamedType {
    TypeSpecificationPtr type;
    std::size_t nesting = 0;      ///< structure/array levels (a basic type has 0)
    std::size_t name_suffix = 0;  ///< longest `$component...` it adds to a flattened name
    std::size_t line = 0;
  };

  static std::size_t nesting(const TypeSpecification& t) {
    std::size_t inner = 0;
    if (t.kind == K::array && t.element_type) inner = nesting(*t.element_type);
    if (t.kind == K::structure) {
      for (const TypeComponent& c : t.components) inner = std::max(inner, c.type ? nesting(*c.type) : 0);
    }
    return t.kind == K::array || t.kind == K::structure ? inner + 1 : 0;
  }
  static std::size_t name_suffix(const TypeSpecification& t) {
    std::size_t longest = 0;
    if (t.kind != K::structure) return 0;  // array elements are not listed by GetNameList
    for (const TypeComponent& c : t.components) {
      const std::size_t own = 1 + (c.name ? c.name->size() : 0);
      longest = std::max(longest, own + (c.type ? name_suffix(*c.type) : 0));
    }
    return longest;
  }

  // type NAME = TYPE
  bool type_definition(Cursor& c) {
    c.next();
    const Token& name = c.next();
    if (name.kind != Token::Kind::word) {
      return fail(name, ModelFileErrc::syntax_error,
                  "expected a type name after 'type', found " + describe(name));
    }
    if (!check_identifier(name, name.text, false, "type name")) return false;
    const auto& table = basic_types();
    if (name.text == "array" ||
        std::any_of(table.begin(), table.end(), [&](const BasicType& b) { return b.name == name.text; })) {
      return fail(name, ModelFileErrc::duplicate, echo(name.text) + " is a built-in type");
    }
    if (const auto it = named_types_.find(name.text); it != named_types_.end()) {
      return fail(
          name, ModelFileErrc::duplicate,
          "type " + echo(name.text) + " is already defined at line " + std::to_string(it->second.line));
    }
    const Token& eq = c.next();
    if (!eq.is_punct('=')) {
      return fail(eq, ModelFileErrc::syntax_error, "expected '=' after the type name, found " + describe(eq));
    }
    if (!count_object(name)) return false;
    NamedType nt;
    if (!parse_type(c, 0, 0, nt.type) || !expect_end(c, "the type")) return false;
    nt.nesting = nesting(*nt.type);
    nt.name_suffix = name_suffix(*nt.type);
    nt.line = line_;
    named_types_.emplace(name.text, std::move(nt));
    return true;
  }

  /// A named type used `depth` levels deep in a variable whose flattened name is `name_len`
  /// long: the limits are checked for the whole, as for an inline type.
  bool use_named_type(const Token& t, const NamedType& nt, std::size_t depth, std::size_t name_len,
                      TypeSpecificationPtr& out) {
    if (depth + nt.nesting > lim_.mms_max_data_depth) {
      return fail(t, ModelFileErrc::limit_exceeded,
                  "type " + echo(t.text) + " used here nests deeper than " +
                      std::to_string(lim_.mms_max_data_depth) + " levels (Limits::mms_max_data_depth)");
    }
    if (name_len + nt.name_suffix > lim_.mms_max_identifier) {
      return fail(t, ModelFileErrc::invalid_name,
                  "type " + echo(t.text) + " used here makes a flattened name " +
                      std::to_string(name_len + nt.name_suffix) + " characters long (limit " +
                      std::to_string(lim_.mms_max_identifier) + ", Limits::mms_max_identifier)");
    }
    out = nt.type;
    return true;
  }

  // set REFERENCE = VALUE
  bool set_value(Cursor& c) {
    c.next();
    const Token& ref = c.next();
    ObjectName target;
    if (!reference(ref, RefKind::component, "a variable or component reference", target)) return false;
    auto component = vmd_.lookup(target);
    if (!component) return fail(ref, ModelFileErrc::undefined, echo(target.to_string()) + " does not exist");
    const Token& eq = c.next();
    if (!eq.is_punct('=')) {
      return fail(eq, ModelFileErrc::syntax_error, "expected '=' after the reference, found " + describe(eq));
    }
    if (!count_object(ref)) return false;
    Data value;
    if (!parse_value(c, *component->type, value) || !expect_end(c, "the value")) return false;
    // Assigned in place, not through Vmd::update: loading a file fires no change hooks.
    *component->value = std::move(value);
    return true;
  }
  bool depth_check(const Token& t, std::size_t depth) {
    if (depth < lim_.mms_max_data_depth) return true;
    return fail(t, ModelFileErrc::limit_exceeded,
                "type nested deeper than " + std::to_string(lim_.mms_max_data_depth) +
                    " levels (Limits::mms_max_data_depth)");
  }

  /// boolean | int8 ... | bit-string N | bit-string <=N ... | array N of TYPE | { NAME TYPE, ... }
  bool parse_type(Cursor& c, std::size_t depth, std::size_t name_len, TypeSpecificationPtr& out) {
    const Token& t = c.next();
    if (t.is_punct('{')) {
      if (!depth_check(t, depth)) return false;
      std::vector<std::pair<std::string, TypeSpecificationPtr>> comps;
      std::set<std::string, std::less<>> seen;
      while (true) {
        const Token& name = c.next();
        if (name.kind != Token::Kind::word) {
          return fail(name, ModelFileErrc::syntax_error,
                      "expected a component name in a structure type, found " + describe(name));
        }
        if (!check_identifier(name, name.text, false, "component name")) return false;
        if (!seen.insert(name.text).second) {
          return fail(name, ModelFileErrc::duplicate, "component " + echo(name.text) + " appears twice");
        }
        const std::size_t len = name_len + 1 + name.text.size();
        if (len > lim_.mms_max_identifier) {
          return fail(name, ModelFileErrc::invalid_name,
                      "the flattened name ending in '$" + name.text + "' is " + std::to_string(len) +
                          " characters long (limit " + std::to_string(lim_.mms_max_identifier) +
                          ", Limits::mms_max_identifier)");
        }
        if (comps.size() >= lim_.mms_max_list_elements) {
          return fail(name, ModelFileErrc::limit_exceeded,
                      "more than " + std::to_string(lim_.mms_max_list_elements) +
                          " components in one structure (Limits::mms_max_list_elements)");
        }
        TypeSpecificationPtr ct;
        if (!parse_type(c, depth + 1, len, ct)) return false;
        comps.emplace_back(name.text, std::move(ct));
        const Token& sep = c.next();
        if (sep.is_punct('}')) break;
        if (!sep.is_punct(',')) {
          return fail(sep, ModelFileErrc::syntax_error,
                      "expected ',' or '}' in a structure type, found " + describe(sep));
        }
      }
      out = types::structure(std::move(comps));
      return true;
    }
    if (t.kind != Token::Kind::word) {
      return fail(t, ModelFileErrc::syntax_error, "expected a type, found " + describe(t));
    }
    if (t.text == "array") {
      if (!depth_check(t, depth)) return false;
      const Token& n = c.next();
      bool negative = false;
      std::uint64_t count = 0;
      const IntParse p =
          n.kind == Token::Kind::word ? parse_int_literal(n.text, negative, count) : IntParse::malformed;
      if (p == IntParse::malformed || negative || (p == IntParse::ok && count == 0)) {
        return fail(n, ModelFileErrc::syntax_error,
                    "expected the number of elements (1 or more) after 'array', found " + describe(n));
      }
      if (p == IntParse::overflow || count > lim_.mms_max_list_elements ||
          count > std::numeric_limits<std::uint32_t>::max()) {
        return fail(n, ModelFileErrc::limit_exceeded,
                    "array of more than " + std::to_string(lim_.mms_max_list_elements) +
                        " elements (Limits::mms_max_list_elements)");
      }
      const Token& of = c.next();
      if (!of.is_word("of")) {
        return fail(of, ModelFileErrc::syntax_error,
                    "expected 'of' after the array size, found " + describe(of));
      }
      TypeSpecificationPtr element;
      // Array elements are not listed by GetNameList, so their component names do not add to
      // the flattened name length.
      if (!parse_type(c, depth + 1, 0, element)) return false;
      out = types::array(static_cast<std::uint32_t>(count), std::move(element));
      return true;
    }
    const auto& table = basic_types();
    const auto it =
        std::find_if(table.begin(), table.end(), [&](const BasicType& b) { return b.name == t.text; });
    if (it == table.end()) {
      if (const auto named = named_types_.find(t.text); named != named_types_.end()) {
        return use_named_type(t, named->second, depth, name_len, out);
      }
      std::vector<std::string_view> candidates = type_names();
      for (const auto& [name, unused] : named_types_) candidates.emplace_back(name);
      return fail(t, ModelFileErrc::unknown_type,
                  "unknown type " + echo(t.text) + " (expected " + joined(type_names()) +
                      ", 'array N of TYPE', '{ NAME TYPE, ... }' or a name defined with 'type')" +
                      suggestion(t.text, candidates));
    }
    if (it->make != nullptr) {
      out = it->make();
      return true;
    }
    const Token& size = c.next();
    std::string_view digits =
        size.kind == Token::Kind::word ? std::string_view(size.text) : std::string_view();
    const bool variable = digits.substr(0, 2) == "<=";
    if (variable) digits.remove_prefix(2);
    std::uint64_t n = 0;
    bool negative = false;
    const IntParse p = digits.empty() || digits[0] == '-' || digits[0] == '+'
                           ? IntParse::malformed
                           : parse_int_literal(digits, negative, n);
    if (p == IntParse::malformed || (p == IntParse::ok && n == 0)) {
      return fail(size, ModelFileErrc::syntax_error,
                  "expected a size after " + echo(t.text) + ": N (exactly N) or <=N (at most N), found " +
                      describe(size));
    }
    if (p == IntParse::overflow || n > lim_.mms_max_string ||
        n > static_cast<std::uint64_t>(std::numeric_limits<std::int32_t>::max())) {
      return fail(size, ModelFileErrc::limit_exceeded,
                  "size above " + std::to_string(lim_.mms_max_string) + " (Limits::mms_max_string)");
    }
    const auto s = static_cast<std::int32_t>(n);
    out = it->make_sized(variable ? -s : s);
    return true;
  }

  // ---- values
  bool bad_value(const Token& t, const TypeSpecification& type, const std::string& expected) {
    return fail(t, ModelFileErrc::bad_value,
                "expected " + expected + " for " + type_text(type) + ", found " + describe(t));
  }
  bool size_mismatch(const Token& t, const TypeSpecification& type, std::size_t n, std::string_view unit) {
    const std::size_t want = type.size < 0 ? static_cast<std::size_t>(-static_cast<std::int64_t>(type.size))
                                           : static_cast<std::size_t>(type.size);
    return fail(t, ModelFileErrc::bad_value,
                type_text(type) + " holds " + (type.size < 0 ? "at most " : "exactly ") +
                    std::to_string(want) + " " + std::string(unit) + "; " + describe(t) + " has " +
                    std::to_string(n));
  }
  static bool size_fits(std::int32_t size, std::size_t n) {
    if (size >= 0) return n == static_cast<std::size_t>(size);
    return n <= static_cast<std::size_t>(-static_cast<std::int64_t>(size));
  }

  bool parse_integer(const Token& t, const TypeSpecification& type, Data& out) {
    const bool is_signed = type.kind == K::integer;
    bool negative = false;
    std::uint64_t mag = 0;
    const IntParse p =
        t.kind == Token::Kind::word ? parse_int_literal(t.text, negative, mag) : IntParse::malformed;
    if (p == IntParse::malformed) return bad_value(t, type, "an integer (decimal or 0x hex)");
    const auto bits = static_cast<unsigned>(std::clamp<std::int32_t>(type.size, 1, 64));
    std::string range;
    bool ok = p == IntParse::ok;
    if (is_signed) {
      const std::uint64_t limit = std::uint64_t{1} << (bits - 1);  // |min|; max is limit - 1
      ok = ok && (negative ? mag <= limit : mag < limit);
      range = "-" + std::to_string(limit) + ".." + std::to_string(limit - 1);
      if (ok) {
        // -2^63 has no positive int64 counterpart: negate in unsigned arithmetic.
        out = negative ? static_cast<std::int64_t>(~mag + 1) : static_cast<std::int64_t>(mag);
      }
    } else {
      const std::uint64_t max = bits >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << bits) - 1;
      ok = ok && (!negative || mag == 0) && mag <= max;
      range = "0.." + std::to_string(max);
      if (ok) out = Unsigned{mag};
    }
    if (ok) return true;
    return fail(t, ModelFileErrc::bad_value,
                "value " + echo(t.text) + " is out of range for " + type_text(type) + " (" + range + ")");
  }

  bool parse_float(const Token& t, const TypeSpecification& type, Data& out) {
    if (t.kind != Token::Kind::word) return bad_value(t, type, "a number");
    std::string_view s = t.text;
    if (!s.empty() && s[0] == '+') s.remove_prefix(1);
    double d = 0.0;
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), d, std::chars_format::general);
    if (s.empty() || ptr != s.data() + s.size() ||
        (ec != std::errc() && ec != std::errc::result_out_of_range)) {
      return bad_value(t, type, "a number");
    }
    const bool is_double = type.format_width == 64;
    const bool in_range =
        ec == std::errc() && (is_double || !std::isfinite(d) ||
                              std::fabs(d) <= static_cast<double>(std::numeric_limits<float>::max()));
    if (!in_range) {
      return fail(t, ModelFileErrc::bad_value,
                  "value " + echo(t.text) + " is out of range for " + type_text(type));
    }
    // A float32 holds the value rounded to single precision, as the server encodes it.
    out = FloatingPoint{is_double ? d : static_cast<double>(static_cast<float>(d)), is_double};
    return true;
  }

  /// A value of `type`, written as the format describes for each kind.
  bool parse_value(Cursor& c, const TypeSpecification& type, Data& out) {
    const Token& t = c.next();
    switch (type.kind) {
      case K::boolean:
        if (!t.is_word("true") && !t.is_word("false")) return bad_value(t, type, "true or false");
        out = t.text == "true";
        return true;
      case K::integer:
      case K::unsigned_: return parse_integer(t, type, out);
      case K::floating_point: return parse_float(t, type, out);
      case K::bit_string: {
        if (t.kind != Token::Kind::bits) return bad_value(t, type, "a bit string '0101'B");
        if (!size_fits(type.size, t.text.size())) return size_mismatch(t, type, t.text.size(), "bits");
        BitStringValue b;
        b.bytes.assign((t.text.size() + 7) / 8, 0);
        b.unused_bits = static_cast<std::uint8_t>(b.bytes.size() * 8 - t.text.size());
        for (std::size_t i = 0; i < t.text.size(); ++i) {
          if (t.text[i] == '1') b.set(i, true);
        }
        out = std::move(b);
        return true;
      }
      case K::octet_string: {
        if (t.kind != Token::Kind::hex) return bad_value(t, type, "an octet string '0a1b'H");
        if (t.text.size() % 2 != 0) {
          return fail(t, ModelFileErrc::bad_value, "an octet string needs an even number of hex digits");
        }
        if (!size_fits(type.size, t.text.size() / 2))
          return size_mismatch(t, type, t.text.size() / 2, "octets");
        OctetStringValue o;
        o.bytes.reserve(t.text.size() / 2);
        for (std::size_t i = 0; i < t.text.size(); i += 2) {
          std::uint8_t byte = 0;
          // Both characters are hex digits (checked by the tokenizer).
          (void)std::from_chars(t.text.data() + i, t.text.data() + i + 2, byte, 16);
          o.bytes.push_back(byte);
        }
        out = std::move(o);
        return true;
      }
      case K::visible_string: {
        if (t.kind != Token::Kind::string) return bad_value(t, type, "a quoted string");
        if (!std::all_of(t.text.begin(), t.text.end(), is_printable_ascii)) {
          return fail(t, ModelFileErrc::bad_value, "a visible-string holds printable ASCII only");
        }
        if (!size_fits(type.size, t.text.size())) return size_mismatch(t, type, t.text.size(), "characters");
        out = VisibleStringValue{t.text};
        return true;
      }
      case K::mms_string: {
        if (t.kind != Token::Kind::string) return bad_value(t, type, "a quoted string");
        const std::size_t n = utf8_chars(t.text);
        if (!size_fits(type.size, n)) return size_mismatch(t, type, n, "characters");
        out = MmsStringValue{t.text};
        return true;
      }
      case K::utc_time: return parse_utc_value(c, t, type, out);
      case K::array: {
        if (!t.is_punct('[')) return bad_value(t, type, "'[' starting the array elements");
        DataArray a;
        a.items.reserve(type.number_of_elements);
        while (true) {
          if (c.peek().is_punct(']') && a.items.empty()) {
            c.next();
            break;
          }
          if (a.items.size() == type.number_of_elements) {
            return fail(c.peek(), ModelFileErrc::bad_value,
                        type_text(type) + " has " + std::to_string(type.number_of_elements) +
                            " elements; found more");
          }
          Data item;
          if (!parse_value(c, *type.element_type, item)) return false;
          a.items.push_back(std::move(item));
          const Token& sep = c.next();
          if (sep.is_punct(']')) break;
          if (!sep.is_punct(',')) {
            return fail(sep, ModelFileErrc::syntax_error,
                        "expected ',' or ']' in an array value, found " + describe(sep));
          }
        }
        if (a.items.size() != type.number_of_elements) {
          return fail(t, ModelFileErrc::bad_value,
                      type_text(type) + " needs " + std::to_string(type.number_of_elements) +
                          " elements, found " + std::to_string(a.items.size()));
        }
        out = std::move(a);
        return true;
      }
      case K::structure: {
        if (!t.is_punct('{')) return bad_value(t, type, "'{' starting the component values");
        DataStructure s;
        s.members.reserve(type.components.size());
        while (true) {
          if (c.peek().is_punct('}') && s.members.empty()) {
            c.next();
            break;
          }
          if (s.members.size() == type.components.size()) {
            return fail(c.peek(), ModelFileErrc::bad_value,
                        "the structure has " + std::to_string(type.components.size()) +
                            " components; found more values");
          }
          Data member;
          if (!parse_value(c, *type.components[s.members.size()].type, member)) return false;
          s.members.push_back(std::move(member));
          const Token& sep = c.next();
          if (sep.is_punct('}')) break;
          if (!sep.is_punct(',')) {
            return fail(sep, ModelFileErrc::syntax_error,
                        "expected ',' or '}' in a structure value, found " + describe(sep));
          }
        }
        if (s.members.size() != type.components.size()) {
          return fail(t, ModelFileErrc::bad_value,
                      "the structure needs " + std::to_string(type.components.size()) +
                          " component values, found " + std::to_string(s.members.size()));
        }
        out = std::move(s);
        return true;
      }
      default: break;
    }
    return fail(t, ModelFileErrc::bad_value,
                "values of " + type_text(type) + " cannot be written in a model file");
  }

  /// 2024-05-01T12:00:00.5Z   or   { 2024-05-01T12:00:00.5Z, QUALITY }
  bool parse_utc_value(Cursor& c, const Token& t, const TypeSpecification& type, Data& out) {
    UtcTime u;
    const Token* time = &t;
    const bool braced = t.is_punct('{');
    if (braced) time = &c.next();
    if (time->kind != Token::Kind::word) {
      return bad_value(*time, type, "a UTC time YYYY-MM-DDTHH:MM:SS[.fraction]Z or { time, quality }");
    }
    if (const std::string problem = parse_utc(time->text, u); !problem.empty()) {
      return fail(*time, ModelFileErrc::bad_value, "bad UTC time " + echo(time->text) + ": " + problem);
    }
    if (braced) {
      const Token& comma = c.next();
      if (!comma.is_punct(',')) {
        return fail(comma, ModelFileErrc::syntax_error,
                    "expected ',' and the time quality octet after the time, found " + describe(comma));
      }
      const Token& q = c.next();
      bool negative = false;
      std::uint64_t quality = 0;
      if (q.kind != Token::Kind::word || parse_int_literal(q.text, negative, quality) != IntParse::ok ||
          negative || quality > 0xFF) {
        return fail(q, ModelFileErrc::bad_value,
                    "expected the time quality octet (0..255), found " + describe(q));
      }
      u.quality = static_cast<std::uint8_t>(quality);
      const Token& close = c.next();
      if (!close.is_punct('}')) {
        return fail(close, ModelFileErrc::syntax_error,
                    "expected '}' after the time quality, found " + describe(close));
      }
    }
    out = u;
    return true;
  }

  Vmd& vmd_;
  const ModelFileOptions& opts_;
  const Limits& lim_;
  std::size_t line_ = 0;
  std::size_t line_offset_ = 0;
  std::size_t statements_ = 0;
  std::size_t objects_ = 0;
  std::size_t value_bytes_ = 0;
  std::array<std::size_t, 3> identity_lines_{};  // vendor, model, revision: line set, 0 = not set
  Block block_ = Block::none;
  Pos block_pos_;
  ObjectName ln_name_;
  Node ln_root_;
  std::vector<AccessSetting> ln_access_;
  ObjectName ds_name_;
  std::vector<ObjectName> ds_members_;
  std::map<std::string, NamedType, std::less<>> named_types_;
};

ModelFileError whole_file_error(ModelFileErrc code, std::string message, const std::string& path = {}) {
  ModelFileError e;
  e.error = Error(code);
  e.message = std::move(message);
  e.path = path;
  return e;
}

}  // namespace

const std::error_category& model_file_category() noexcept {
  static const ModelFileCategory cat;
  return cat;
}

std::string ModelFileError::describe() const {
  std::string out;
  if (!path.empty()) {
    out = path + ":";
    if (line != 0) out += std::to_string(line) + ":" + std::to_string(column) + ":";
    out += " ";
  } else if (line != 0) {
    out = "line " + std::to_string(line) + ", column " + std::to_string(column) + ": ";
  }
  return out + message;
}

LoadResult load_model(std::string_view text, Vmd& vmd, const ModelFileOptions& options) {
  if (text.size() > options.max_file_size) {
    return whole_file_error(ModelFileErrc::limit_exceeded,
                            "the model is " + std::to_string(text.size()) + " octets, more than the limit " +
                                std::to_string(options.max_file_size) + " (ModelFileOptions::max_file_size)");
  }
  Vmd scratch = vmd;
  Loader loader(scratch, options);
  if (!loader.run(text)) return std::move(loader.error_);
  vmd = std::move(scratch);
  return std::move(loader.result_);
}

LoadResult load_model_file(const std::string& path, Vmd& vmd, const ModelFileOptions& options) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) {
    return whole_file_error(
        ModelFileErrc::file_unreadable,
        "cannot read the model file: " + (ec ? ec.message() : std::string("no such file")), path);
  }
  if (!fs::is_regular_file(st)) {
    return whole_file_error(ModelFileErrc::file_unreadable, "the model file is not a regular file", path);
  }
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return whole_file_error(ModelFileErrc::file_unreadable, "cannot open the model file for reading", path);
  // Read at most one octet more than allowed: enough to tell that the file is too large
  // without trusting a size taken before opening it.
  std::string text;
  std::array<char, 65536> buf{};
  const std::size_t cap = saturating_add(options.max_file_size, 1);
  while (in && text.size() < cap) {
    const std::size_t want = std::min(buf.size(), cap - text.size());
    in.read(buf.data(), static_cast<std::streamsize>(want));
    text.append(buf.data(), static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad())
    return whole_file_error(ModelFileErrc::file_unreadable, "error while reading the model file", path);
  if (text.size() > options.max_file_size) {
    return whole_file_error(ModelFileErrc::limit_exceeded,
                            "the model file is larger than the limit " +
                                std::to_string(options.max_file_size) +
                                " octets (ModelFileOptions::max_file_size)",
                            path);
  }
  LoadResult r = load_model(text, vmd, options);
  if (!r) {
    ModelFileError e = r.error();
    e.path = path;
    return e;
  }
  return r;
}

}  // namespace mmssec::mms
