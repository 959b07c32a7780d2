// SPDX-License-Identifier: Apache-2.0
// `mmssec decode`: decode a pcap capture, a raw TPKT byte stream or one PDU given in hex, layer
// by layer (stack/decode.hpp), as a text tree or JSON. Every argument is validated here (not by
// CLI11) so that bad arguments always exit with kUsage.
#include <CLI/CLI.hpp>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "commands.hpp"
#include "mmssec/capture/pcap.hpp"
#include "mmssec/capture/tcp_stream.hpp"
#include "mmssec/core/bytes.hpp"
#include "mmssec/stack/decode.hpp"

namespace mmssec::tool {
namespace {

struct DecodeArgs {
  std::string file;
  std::string hex;
  std::string layer;
  bool json = false;
  bool no_offsets = false;
  std::vector<std::string> ports;
};

constexpr const char* kDescription =
    "Decode MMS traffic layer by layer: TPKT, COTP (DT reassembly), session, presentation, ACSE "
    "(with IEC 62351-4 authentication) and MMS (services, Data values).\n"
    "Input: FILE, either a pcap capture (detected by its magic; every TCP conversation on the ISO "
    "ports 102 and 3782, or --port, is decoded in capture order) or a raw TPKT byte stream; or "
    "--hex HEX (a TPKT stream unless --layer names the layer of a single PDU; '-' reads the hex "
    "from standard input).\n"
    "Failures are printed to stderr as 'error: <layer>: <message> at offset N'.\n"
    "Exit codes: 0 decoded cleanly, 1 input malformed, 2 bad arguments, 3 file unreadable.";

int usage_error(const std::string& message) { return tool::usage_error("decode", message); }

void report(const std::vector<stack::Failure>& failures, const std::string& where) {
  for (const auto& f : failures) std::cerr << "error: " << f.describe() << where << '\n';
}

bool is_pcap(ByteView data) {
  if (data.size() < 4) return false;
  const std::uint32_t m = static_cast<std::uint32_t>(data[0]) << 24 |
                          static_cast<std::uint32_t>(data[1]) << 16 |
                          static_cast<std::uint32_t>(data[2]) << 8 | data[3];
  return m == 0xa1b2c3d4U || m == 0xd4c3b2a1U || m == 0xa1b23c4dU || m == 0x4d3cb2a1U;
}
bool is_pcapng(ByteView data) {
  return data.size() >= 4 && data[0] == 0x0a && data[1] == 0x0d && data[2] == 0x0d && data[3] == 0x0a;
}

const char* direction_text(capture::Direction d) {
  return d == capture::Direction::client_to_server ? "client -> server" : "server -> client";
}

/// One message (a top-level node of a direction's tree) ready to print.
struct Message {
  capture::Direction direction;
  std::size_t record;
  const stack::Node* node;
};

/// Interleave the messages of both directions in capture order: a message is printed once the
/// chunk that completed its last octet has been seen.
std::vector<Message> interleave(const capture::Conversation& c, const stack::Decoded (&d)[2]) {
  std::vector<Message> out;
  std::size_t next[2] = {0, 0};
  auto flush = [&](int dir, std::size_t upto, std::size_t record) {
    const auto& kids = d[dir].tree.children;
    while (next[dir] < kids.size()) {
      const stack::Node& n = kids[next[dir]];
      const bool positioned = n.offset != stack::kNoOffset;
      if (positioned && n.offset + n.size > upto) break;
      out.push_back(Message{static_cast<capture::Direction>(dir), record, &n});
      ++next[dir];
    }
  };
  for (const auto& chunk : c.chunks) {
    const int dir = static_cast<int>(chunk.direction);
    flush(dir, chunk.offset + chunk.size, chunk.record);
  }
  for (int dir = 0; dir < 2; ++dir) flush(dir, SIZE_MAX, SIZE_MAX);
  return out;
}

int decode_pcap(const DecodeArgs& args, ByteView file, const std::vector<std::uint16_t>& ports) {
  capture::ExtractOptions opts;
  if (!ports.empty()) opts.ports = ports;
  auto conversations = capture::extract_conversations(file, opts);
  if (!conversations) {
    report({stack::Failure{"capture", conversations.error()}}, "");
    return kMalformed;
  }
  bool failed = false;
  std::string json = "{\"conversations\":[";
  std::size_t index = 0;
  for (const capture::Conversation& c : *conversations) {
    ++index;
    const stack::Decoded d[2] = {stack::decode_tpkt_stream(c.to_server),
                                 stack::decode_tpkt_stream(c.to_client)};
    const std::string title = c.client.to_string() + " -> " + c.server.to_string();
    const std::vector<Message> messages = interleave(c, d);
    if (args.json) {
      if (index > 1) json += ',';
      json += "{\"client\":" + stack::json_string(c.client.to_string()) +
              ",\"server\":" + stack::json_string(c.server.to_string()) + ",\"messages\":[";
      for (std::size_t i = 0; i < messages.size(); ++i) {
        if (i != 0) json += ',';
        json +=
            "{\"direction\":" + stack::json_string(direction_text(messages[i].direction)) + ",\"record\":";
        json += messages[i].record == SIZE_MAX ? std::string("null") : std::to_string(messages[i].record);
        json += ",\"tree\":" + stack::render_json(*messages[i].node) + "}";
      }
      json += "],\"failures\":{\"client -> server\":" + stack::render_json(d[0].failures) +
              ",\"server -> client\":" + stack::render_json(d[1].failures) + "}}";
    } else {
      std::cout << "conversation " << index << ": " << title << (c.closed ? " (closed)" : "") << '\n';
      std::cout << "  " << c.to_server.size() << " octets client -> server, " << c.to_client.size()
                << " octets server -> client; offsets are per direction\n";
      for (const Message& m : messages) {
        std::cout << '\n' << direction_text(m.direction);
        if (m.record != SIZE_MAX) std::cout << " (pcap record " << m.record << ")";
        std::cout << ":\n" << stack::render_text(*m.node, !args.no_offsets);
      }
      std::cout << '\n';
    }
    for (int dir = 0; dir < 2; ++dir) {
      if (d[dir].ok()) continue;
      failed = true;
      report(d[dir].failures, " (conversation " + std::to_string(index) + ", " +
                                  direction_text(static_cast<capture::Direction>(dir)) + ")");
    }
  }
  if (args.json) {
    std::cout << json << "]}\n";
  } else if (index == 0) {
    std::cout << "no TCP conversation on the selected ports\n";
  }
  return failed ? kMalformed : kOk;
}

int decode_bytes(const DecodeArgs& args, ByteView data, std::optional<stack::Layer> layer) {
  const stack::Decoded d = layer ? stack::decode_pdu(*layer, data) : stack::decode_tpkt_stream(data);
  if (args.json) {
    std::cout << "{\"tree\":" << stack::render_json(d.tree)
              << ",\"failures\":" << stack::render_json(d.failures) << "}\n";
  } else {
    std::cout << stack::render_text(d.tree, !args.no_offsets);
  }
  report(d.failures, "");
  return d.ok() ? kOk : kMalformed;
}

int run(const DecodeArgs& args, const std::vector<std::string>& extras) {
  if (!extras.empty()) return usage_error("unexpected argument '" + extras.front() + "'");
  const bool have_file = !args.file.empty();
  const bool have_hex = !args.hex.empty();
  if (have_file == have_hex) return usage_error("give exactly one input: FILE or --hex HEX");

  std::optional<stack::Layer> layer;
  if (!args.layer.empty()) {
    layer = stack::parse_layer(args.layer);
    if (!layer)
      return usage_error("unknown layer '" + args.layer +
                         "' (expected tpkt, cotp, session, presentation, acse, mms or ber)");
  }
  std::vector<std::uint16_t> ports;
  for (const std::string& p : args.ports) {
    unsigned long v = 0;
    std::size_t used = 0;
    try {
      v = std::stoul(p, &used, 10);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != p.size() || p.empty() || v == 0 || v > 65535) return usage_error("invalid port '" + p + "'");
    ports.push_back(static_cast<std::uint16_t>(v));
  }

  Bytes data;
  if (have_hex) {
    std::string text = args.hex;
    if (text == "-") text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    // Line breaks and surrounding blanks are allowed around the hex digits.
    std::string clean;
    for (const char ch : text) {
      if (ch != '\n' && ch != '\r' && ch != '\t') clean += ch;
    }
    while (!clean.empty() && clean.back() == ' ') clean.pop_back();
    while (!clean.empty() && clean.front() == ' ') clean.erase(clean.begin());
    auto bytes = from_hex(clean);
    if (!bytes) return usage_error("--hex: not a hex string");
    data = std::move(*bytes);
    if (!ports.empty()) return usage_error("--port applies to pcap files only");
    return decode_bytes(args, data, layer);
  }

  auto file = capture::read_file(args.file);
  if (!file) {
    std::cerr << "error: cannot read '" << args.file << "': " << file.error().code.message() << '\n';
    return kIoError;
  }
  if (is_pcapng(*file)) {
    std::cerr << "error: capture: pcapng files are not supported (save as classic pcap) at offset 0\n";
    return kMalformed;
  }
  if (is_pcap(*file)) {
    if (layer) return usage_error("--layer applies to raw input, not to pcap files");
    return decode_pcap(args, *file, ports);
  }
  if (!ports.empty()) return usage_error("--port applies to pcap files only");
  return decode_bytes(args, *file, layer);
}

}  // namespace

void register_decode(CLI::App& app) {
  auto args = std::make_shared<DecodeArgs>();
  CLI::App* sub = app.add_subcommand("decode", kDescription);
  sub->add_option("FILE", args->file, "pcap capture or raw TPKT byte stream");
  sub->add_option("--hex", args->hex, "input as hex digits (spaces, ':' and '-' allowed); '-' reads stdin");
  sub->add_option(
      "--layer", args->layer,
      "decode the input as one PDU of this layer: tpkt, cotp, session, presentation, acse, mms, ber "
      "(default: a TPKT byte stream)");
  sub->add_flag("--json", args->json, "print JSON instead of a text tree");
  sub->add_flag("--no-offsets", args->no_offsets, "do not print byte offsets in the text tree");
  sub->add_option("--port", args->ports,
                  "TCP server port(s) of the conversations to decode in a pcap "
                  "(default: 102 and 3782); repeatable");
  sub->allow_extras();
  sub->callback([args, sub] { set_exit_code(run(*args, sub->remaining())); });
}

}  // namespace mmssec::tool
