// SPDX-License-Identifier: Apache-2.0
// Layer-by-layer decoding of MMS traffic into a readable tree, for `mmssec decode`, tests and
// logs. Decoding never stops at the first layer it understands: TPKT → COTP (with reassembly) →
// session → presentation → ACSE / MMS. A failure names the layer and the absolute byte offset.
//
// Failures name the layer whose decoder refused the bytes ("acse" for a truncated AARQ), not the
// category of the error code: the code keeps its own category (ber, core, acse, ...), so
// Failure::describe() reads "acse: length exceeds remaining bytes (ber) at offset 57".
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mmssec/core/bytes.hpp"
#include "mmssec/core/error.hpp"
#include "mmssec/core/limits.hpp"

namespace mmssec::stack {

/// Node::offset of a field that has no position of its own in the input (a decoded value that
/// the lower layer hands over without offsets, a summary line).
inline constexpr std::size_t kNoOffset = static_cast<std::size_t>(-1);

/// One line of the tree: a field or a PDU, with the bytes it came from.
struct Node {
  std::string label;
  std::string value;
  std::size_t offset = kNoOffset;  ///< absolute offset in the decoded input, or kNoOffset
  std::size_t size = 0;            ///< encoded size in octets (0 when not meaningful)
  std::vector<Node> children;

  /// Append a child and return it. The reference is invalidated by the next add() on this node.
  Node& add(std::string l, std::string v = {}, std::size_t off = kNoOffset, std::size_t sz = 0) {
    children.push_back(Node{std::move(l), std::move(v), off, sz, {}});
    return children.back();
  }
  /// First descendant (depth first, this node included) with this label; nullptr if none.
  [[nodiscard]] const Node* find(std::string_view l) const;
};

/// The layers `decode_pdu` can start at. `ber` dumps any BER element as a generic TLV tree.
enum class Layer { tpkt, cotp, session, presentation, acse, mms, ber };

/// Layer names as the CLI spells them ("tpkt", "cotp", ...); nullopt for unknown names.
std::optional<Layer> parse_layer(std::string_view name);
std::string_view layer_name(Layer l);

struct Failure {
  std::string layer;  ///< "tpkt", "cotp", "session", "presentation", "acse", "mms", "ber", "capture"
  Error error;        ///< code (any category) and absolute offset
  /// "session: SPDU length exceeds the TSDU at offset 27"; when the code's category differs
  /// from the layer: "acse: length exceeds remaining bytes (ber) at offset 57".
  [[nodiscard]] std::string describe() const;
};

struct Decoded {
  Node tree;
  std::vector<Failure> failures;  ///< empty when everything decoded cleanly
  [[nodiscard]] bool ok() const noexcept { return failures.empty(); }
};

struct DecodeOptions {
  Limits limits{};
};

/// Decode one direction of a connection: a byte stream of TPKT packets. The root node is
/// "TPKT stream" with one "TPKT" child per packet (in stream order). COTP DT segments are
/// reassembled up to the one with EOT; the TSDU is decoded at the EOT segment. A presentation
/// context table learnt from a CP-type earlier in the same stream selects ACSE or MMS for each
/// PDV; without it, [APPLICATION 0..4] marks ACSE. A failure stops the descent into that packet;
/// the walk goes on with the next TPKT unless the TPKT framing itself is broken.
Decoded decode_tpkt_stream(ByteView stream, const DecodeOptions& opts = {});

/// Decode a single PDU of the given layer and everything it carries. For `presentation` the
/// PPDU type is taken from the outer tag: SET = CP-type (or CPA-PPDU when it is not a valid
/// CP-type), SEQUENCE = CPR-PPDU (or ARP-PPDU), [0] = ARU-PPDU, [APPLICATION 0/1] = User-data
/// (TD). For `tpkt` the input must be exactly one TPKT; for `cotp` one TPDU (a DT with EOT is
/// decoded further as a TSDU).
Decoded decode_pdu(Layer layer, ByteView pdu, const DecodeOptions& opts = {});

/// Render as an indented text tree, one node per line: "<offset>  <indent><label>: <value>".
/// `with_offsets` prefixes the absolute offset (blank for kNoOffset).
std::string render_text(const Node& root, bool with_offsets = true);
/// Render as JSON ({"label":..,"value":..,"offset":..|null,"size":..,"children":[..]}); strings
/// are escaped and always valid UTF-8.
std::string render_json(const Node& root);
/// JSON for a list of failures: [{"layer":..,"code":..,"category":..,"message":..,"offset":..}].
std::string render_json(const std::vector<Failure>& failures);
/// A JSON string literal (quotes included) for `s`, invalid UTF-8 replaced by U+FFFD.
std::string json_string(std::string_view s);

}  // namespace mmssec::stack
