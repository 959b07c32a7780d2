// SPDX-License-Identifier: Apache-2.0
// Layer-by-layer decoding of MMS traffic into a readable tree, for `mmssec decode`, tests and
// logs. Decoding never stops at the first layer it understands: TPKT → COTP (with reassembly) →
// session → presentation → ACSE / MMS. A failure names the layer and the absolute byte offset.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "mmssec/core/bytes.hpp"
#include "mmssec/core/error.hpp"
#include "mmssec/core/limits.hpp"

namespace mmssec::stack {

/// One line of the tree: a field or a PDU, with the bytes it came from.
struct Node {
  std::string label;
  std::string value;
  std::size_t offset = 0;  ///< absolute offset in the decoded input
  std::size_t size = 0;    ///< encoded size in octets (0 when not meaningful)
  std::vector<Node> children;

  Node& add(std::string l, std::string v = {}, std::size_t off = 0, std::size_t sz = 0) {
    children.push_back(Node{std::move(l), std::move(v), off, sz, {}});
    return children.back();
  }
};

enum class Layer { tpkt, cotp, session, presentation, acse, mms, ber };

/// Layer names as the CLI spells them ("tpkt", "cotp", ...); nullopt for unknown names.
std::optional<Layer> parse_layer(std::string_view name);
std::string_view layer_name(Layer l);

struct Failure {
  std::string layer;  ///< "tpkt", "cotp", "session", "presentation", "acse", "mms", "ber", "core"
  Error error;        ///< code and absolute offset
  [[nodiscard]] std::string describe() const;  ///< "session: length exceeds ... at offset 27"
};

struct Decoded {
  Node tree;
  std::vector<Failure> failures;  ///< empty when everything decoded cleanly
  [[nodiscard]] bool ok() const noexcept { return failures.empty(); }
};

struct DecodeOptions {
  Limits limits{};
};

/// Decode one direction of a connection: a byte stream of TPKT packets.
Decoded decode_tpkt_stream(ByteView stream, const DecodeOptions& opts = {});

/// Decode a single PDU of the given layer and everything it carries.
Decoded decode_pdu(Layer layer, ByteView pdu, const DecodeOptions& opts = {});

/// Render as an indented text tree ("offset  label: value"); `with_offsets` prefixes byte offsets.
std::string render_text(const Node& root, bool with_offsets = true);
/// Render as JSON ({"label":..,"value":..,"offset":..,"size":..,"children":[..]}).
std::string render_json(const Node& root);

}  // namespace mmssec::stack
