// SPDX-License-Identifier: Apache-2.0
// TPKT framer fed in chunk sizes taken from the input.
//
// Input layout: octet 0 = n (low 4 bits) chunk-size octets follow; bit 4 selects a small
// packet limit (64) instead of the default; then n chunk sizes (each 1..256, cycled); the rest
// is the TCP byte stream. Invariants: the framer never crashes, never buffers more than one
// maximal packet plus the current chunk, every payload it returns re-encodes to a TPKT the
// one-shot decoder accepts, and after an error every call fails.
#include "mmssec/tpkt/tpkt.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

using namespace mmssec;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ByteReader in(ByteView(data, size));
  auto head = in.read_u8();
  if (!head) return 0;
  Limits limits;
  if ((*head & 0x10) != 0) limits.tpkt_max_packet = 64;
  std::vector<std::size_t> chunks;
  for (int i = 0; i < (*head & 0x0F); ++i) {
    auto c = in.read_u8();
    if (!c) break;
    chunks.push_back(std::size_t{*c} + 1);
  }
  if (chunks.empty()) chunks.push_back(size);  // whole stream in one feed
  const ByteView stream = in.rest();

  tpkt::Framer framer(limits);
  std::size_t pos = 0;
  std::size_t turn = 0;
  bool failed = false;
  while (pos < stream.size() && !failed) {
    const std::size_t n = std::min(chunks[turn++ % chunks.size()], stream.size() - pos);
    if (!framer.feed(stream.subspan(pos, n))) {
      failed = true;
      break;
    }
    pos += n;
    if (framer.pending() > limits.tpkt_max_packet + n) std::abort();
    for (;;) {
      auto next = framer.next();
      if (!next) {
        failed = true;
        break;
      }
      if (!next->has_value()) break;
      const ByteView payload = **next;
      if (payload.size() < 3 || payload.size() + tpkt::kHeaderSize > limits.tpkt_max_packet) std::abort();
      Bytes again;
      if (!tpkt::encode(payload, again)) std::abort();
      auto decoded = tpkt::decode(again, limits);
      if (!decoded || decoded->size() != payload.size()) std::abort();
    }
  }
  if (failed) {
    // Out of step for good.
    if (framer.next().ok() || framer.feed(stream).ok()) std::abort();
  }
  // The one-shot decoder on the raw stream must fail or succeed cleanly.
  (void)tpkt::decode(stream, limits);
  return 0;
}
