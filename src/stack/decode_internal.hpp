// SPDX-License-Identifier: Apache-2.0
// Internal interface between the decoder's source files (src/stack/decode*.cpp). Not installed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "mmssec/ber/ber.hpp"
#include "mmssec/core/bytes.hpp"
#include "mmssec/mms/pdu.hpp"
#include "mmssec/stack/decode.hpp"

namespace mmssec::stack::detail {

/// What one decode walk shares between layers.
struct Ctx {
  const Limits& limits;
  std::vector<Failure>* failures;
  /// Presentation context table learnt from a CP-type (id → abstract syntax).
  std::map<std::uint32_t, ber::Oid> contexts;
};

/// Record a failure of `layer` and put an "error" node under `at`.
void fail(Ctx& ctx, Node& at, std::string_view layer, const Error& error);

// ---- formatting helpers (decode_render.cpp) ----
std::string hex_summary(ByteView bytes, std::size_t max_octets = 32);
/// Printable ASCII as is, everything else as \xNN, in double quotes.
std::string quoted(std::string_view s);
/// "2024-01-02T03:04:05.123Z" with `digits` fraction digits (0..9).
std::string iso8601(std::int64_t unix_seconds, std::uint32_t nanos, int digits);
/// Bits of a BIT STRING as '0'/'1' characters.
std::string bits_text(ByteView bytes, std::uint8_t unused_bits);
/// Readable name of a well-known OID ("mms-abstract-syntax"), empty when unknown.
std::string_view oid_name(const ber::Oid& oid);
/// "1.0.9506.2.1 (mms-abstract-syntax)".
std::string oid_text(const ber::Oid& oid);

// ---- MMS (decode_mms.cpp) ----
/// Decode one MMS PDU at absolute offset `off` into a node under `parent`.
void decode_mms(Ctx& ctx, Node& parent, ByteView pdu, std::size_t off);
/// The tree of an already decoded MMS PDU.
Node mms_pdu_node(const mms::Pdu& pdu, std::size_t off, std::size_t size);

// ---- generic BER (decode_render.cpp) ----
void decode_ber(Ctx& ctx, Node& parent, ByteView data, std::size_t off);

}  // namespace mmssec::stack::detail
