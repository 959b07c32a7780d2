// SPDX-License-Identifier: Apache-2.0
// Decoder support: layer names, failure text, text/JSON rendering, value formatting and the
// generic BER dump (`mmssec decode --layer ber`).
#include <array>
#include <cstdio>
#include <string>

#include "decode_internal.hpp"
#include "mmssec/ber/ber.hpp"
#include "mmssec/stack/decode.hpp"

namespace mmssec::stack {

namespace {
constexpr std::array<std::string_view, 7> kLayerNames = {"tpkt", "cotp", "session", "presentation",
                                                         "acse", "mms",  "ber"};
}  // namespace

const Node* Node::find(std::string_view l) const {
  if (label == l) return this;
  for (const Node& c : children) {
    if (const Node* n = c.find(l)) return n;
  }
  return nullptr;
}

std::optional<Layer> parse_layer(std::string_view name) {
  for (std::size_t i = 0; i < kLayerNames.size(); ++i) {
    if (kLayerNames[i] == name) return static_cast<Layer>(i);
  }
  return std::nullopt;
}

std::string_view layer_name(Layer l) {
  const auto i = static_cast<std::size_t>(l);
  return i < kLayerNames.size() ? kLayerNames[i] : std::string_view("unknown");
}

std::string Failure::describe() const {
  std::string s = layer;
  s += ": ";
  s += error.code.message();
  const std::string_view category = error.code.category().name();
  if (category != layer) {
    s += " (";
    s += category;
    s += ")";
  }
  s += " at offset ";
  s += std::to_string(error.offset);
  return s;
}

// ---------------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------------

namespace {

void render_text_node(const Node& n, bool with_offsets, int depth, std::string& out) {
  if (with_offsets) {
    char buf[24];
    if (n.offset == kNoOffset) {
      std::snprintf(buf, sizeof buf, "%8s  ", "");
    } else {
      std::snprintf(buf, sizeof buf, "%8zu  ", n.offset);
    }
    out += buf;
  }
  out.append(static_cast<std::size_t>(depth) * 2, ' ');
  out += n.label;
  if (!n.value.empty()) {
    out += ": ";
    out += n.value;
  }
  out += '\n';
  for (const Node& c : n.children) render_text_node(c, with_offsets, depth + 1, out);
}

/// Length of the valid UTF-8 sequence starting at s[i], or 0 if invalid.
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  std::size_t n = 0;
  std::uint32_t min = 0;
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0) {
    n = 2;
    min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3;
    min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4;
    min = 0x10000;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  std::uint32_t cp = c & (0x7FU >> n);
  for (std::size_t k = 1; k < n; ++k) {
    const auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3FU);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

void render_json_node(const Node& n, std::string& out) {
  out += "{\"label\":";
  out += json_string(n.label);
  out += ",\"value\":";
  out += json_string(n.value);
  out += ",\"offset\":";
  out += n.offset == kNoOffset ? std::string("null") : std::to_string(n.offset);
  out += ",\"size\":";
  out += std::to_string(n.size);
  out += ",\"children\":[";
  for (std::size_t i = 0; i < n.children.size(); ++i) {
    if (i != 0) out += ',';
    render_json_node(n.children[i], out);
  }
  out += "]}";
}

}  // namespace

std::string render_text(const Node& root, bool with_offsets) {
  std::string out;
  render_text_node(root, with_offsets, 0, out);
  return out;
}

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
      ++i;
    } else if (c < 0x20 || c == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
      ++i;
    } else if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
    } else if (const std::size_t n = utf8_sequence(s, i); n != 0) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      out += "\\ufffd";
      ++i;
    }
  }
  out += '"';
  return out;
}

std::string render_json(const Node& root) {
  std::string out;
  render_json_node(root, out);
  return out;
}

std::string render_json(const std::vector<Failure>& failures) {
  std::string out = "[";
  for (std::size_t i = 0; i < failures.size(); ++i) {
    const Failure& f = failures[i];
    if (i != 0) out += ',';
    out += "{\"layer\":" + json_string(f.layer);
    out += ",\"category\":" + json_string(f.error.code.category().name());
    out += ",\"code\":" + std::to_string(f.error.code.value());
    out += ",\"message\":" + json_string(f.error.code.message());
    out += ",\"offset\":" + std::to_string(f.error.offset);
    out += ",\"text\":" + json_string(f.describe()) + "}";
  }
  out += "]";
  return out;
}

// ---------------------------------------------------------------------------------------------
// Helpers shared by the decoder files
// ---------------------------------------------------------------------------------------------

namespace detail {

void fail(Ctx& ctx, Node& at, std::string_view layer, const Error& error) {
  Failure f{std::string(layer), error};
  at.add("error", f.describe(), error.offset, 0);
  ctx.failures->push_back(std::move(f));
}

std::string hex_summary(ByteView bytes, std::size_t max_octets) {
  if (bytes.empty()) return "(empty)";
  std::string s = to_hex(bytes.first(std::min(bytes.size(), max_octets)));
  if (bytes.size() > max_octets) s += "...";
  s += " (" + std::to_string(bytes.size()) + (bytes.size() == 1 ? " octet)" : " octets)");
  return s;
}

std::string quoted(std::string_view s) {
  std::string out = "\"";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c >= 0x20 && c < 0x7F) {
      out += ch;
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  out += '"';
  return out;
}

std::string iso8601(std::int64_t unix_seconds, std::uint32_t nanos, int digits) {
  const ber::Time t = ber::Time::from_unix(unix_seconds, nanos);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", t.year, t.month, t.day, t.hour, t.minute,
                t.second);
  std::string s = buf;
  if (digits > 0) {
    char frac[16];
    std::snprintf(frac, sizeof frac, "%09u", static_cast<unsigned>(t.nanos % 1000000000U));
    s += '.';
    s.append(frac, static_cast<std::size_t>(std::min(digits, 9)));
  }
  s += 'Z';
  return s;
}

std::string bits_text(ByteView bytes, std::uint8_t unused_bits) {
  std::string s;
  const std::size_t n = bytes.size() * 8 - std::min<std::size_t>(unused_bits, bytes.size() * 8);
  s.reserve(n);
  for (std::size_t i = 0; i < n; ++i) s += ((bytes[i / 8] >> (7 - i % 8)) & 1U) != 0 ? '1' : '0';
  return s;
}

std::string_view oid_name(const ber::Oid& oid) {
  struct Known {
    std::initializer_list<std::uint64_t> arcs;
    std::string_view name;
  };
  static const Known kKnown[] = {
      {{2, 2, 1, 0, 1}, "acse-abstract-syntax"},
      {{1, 0, 9506, 2, 1}, "mms-abstract-syntax"},
      {{1, 0, 9506, 2, 3}, "mms basic-AC"},
      {{2, 1, 1}, "basic-encoding"},
      {{2, 2, 3, 1, 1}, "acse-authentication-password"},
      {{1, 0, 840, 0, 1, 0, 1, 1}, "mms-authentication / IEC 62351-4 A-profile"},
      {{1, 0, 840, 0, 1, 1, 4, 1}, "mmsAuthenticationAS"},
  };
  for (const Known& k : kKnown) {
    if (oid.arcs().size() == k.arcs.size() && std::equal(k.arcs.begin(), k.arcs.end(), oid.arcs().begin()))
      return k.name;
  }
  return {};
}

std::string oid_text(const ber::Oid& oid) {
  std::string s = oid.to_string();
  const std::string_view name = oid_name(oid);
  if (!name.empty()) {
    s += " (";
    s += name;
    s += ")";
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Generic BER dump
// ---------------------------------------------------------------------------------------------

namespace {

std::string universal_value(const ber::Tlv& tlv, const ber::ReaderOptions& opts) {
  ber::Reader r(tlv.encoded, opts, tlv.offset);
  const ber::Tag t = tlv.tag;
  if (t == ber::tags::kBoolean) {
    if (auto v = r.read_boolean()) return *v ? "TRUE" : "FALSE";
  } else if (t == ber::tags::kInteger || t == ber::tags::kEnumerated) {
    if (auto v = r.read_int64(t)) return std::to_string(*v);
  } else if (t == ber::tags::kNull) {
    if (r.read_null()) return "NULL";
  } else if (t == ber::tags::kOid) {
    if (auto v = r.read_oid()) return oid_text(*v);
  } else if (t == ber::tags::kBitString) {
    if (auto v = r.read_bit_string()) return "'" + bits_text(v->bytes, v->unused_bits) + "'B";
  } else if (t == ber::tags::kVisibleString || t == ber::tags::kPrintableString ||
             t == ber::tags::kIa5String || t == ber::tags::kUtf8String || t == ber::tags::kObjectDescriptor) {
    return quoted(std::string_view(reinterpret_cast<const char*>(tlv.content.data()), tlv.content.size()));
  } else if (t == ber::tags::kGeneralizedTime) {
    if (auto v = r.read_generalized_time())
      return iso8601(v->to_unix_seconds(), v->nanos, v->fraction_digits);
  } else if (t == ber::tags::kUtcTime) {
    if (auto v = r.read_utc_time()) return iso8601(v->to_unix_seconds(), 0, 0);
  }
  return hex_summary(tlv.content);
}

// Walks every element of `r`; returns false after a failure was recorded.
bool dump(Ctx& ctx, Node& parent, ber::Reader& r) {
  while (!r.empty()) {
    auto tlv = r.read_any();
    if (!tlv) {
      fail(ctx, parent, "ber", tlv.error());
      return false;
    }
    const bool universal = tlv->tag.cls == ber::TagClass::universal;
    std::string value;
    if (!tlv->tag.constructed) {
      value = universal ? universal_value(*tlv, r.options()) : hex_summary(tlv->content);
    } else {
      value = std::to_string(tlv->content.size()) + " octets";
    }
    Node n{tlv->tag.to_string(), std::move(value), tlv->offset, tlv->total_size, {}};
    bool ok = true;
    if (tlv->tag.constructed) {
      auto inner = r.enter(*tlv);
      if (!inner) {
        fail(ctx, n, "ber", inner.error());
        ok = false;
      } else {
        ok = dump(ctx, n, *inner);
      }
    }
    parent.children.push_back(std::move(n));
    if (!ok) return false;
  }
  return true;
}

}  // namespace

void decode_ber(Ctx& ctx, Node& parent, ByteView data, std::size_t off) {
  ber::Reader r(data, ber::ReaderOptions::from(ctx.limits), off);
  if (data.empty()) {
    fail(ctx, parent, "ber", Error{CoreErrc::truncated, off});
    return;
  }
  (void)dump(ctx, parent, r);
}

}  // namespace detail
}  // namespace mmssec::stack
