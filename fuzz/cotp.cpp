// SPDX-License-Identifier: Apache-2.0
// COTP: decode_tpdu on every TPDU of the input (with a decode -> encode -> decode check), and a
// responder and an initiator Connection fed the same TPDU sequence.
//
// Input layout: a sequence of (length octet L, then L octets = one TPDU). Invariants: decoding
// never crashes; a decoded TPDU re-encodes and decodes to an equal value; every TPDU a
// Connection emits decodes cleanly; a reaction that releases the network connection leaves the
// connection closed; no reassembled TSDU exceeds the limit.
#include "mmssec/cotp/cotp.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "mmssec/cotp/connection.hpp"

using namespace mmssec;

namespace {

void check_output(const cotp::Connection& c, const cotp::Output& out, const Limits& limits) {
  for (const Bytes& tpdu : out.send) {
    if (!cotp::decode_tpdu(tpdu).ok()) std::abort();
    if (tpdu.size() > cotp::kMaxClass0TpduSize) std::abort();
  }
  for (const auto& ev : out.events) {
    if (const auto* d = std::get_if<cotp::Data>(&ev); d && d->tsdu.size() > limits.cotp_max_reassembly) {
      std::abort();
    }
  }
  if (out.close_network && c.state() != cotp::State::closed) std::abort();
}

void round_trip(ByteView tpdu) {
  auto decoded = cotp::decode_tpdu(tpdu);
  if (!decoded) return;
  Bytes encoded;
  if (!cotp::encode(*decoded, encoded)) std::abort();
  auto again = cotp::decode_tpdu(encoded);
  if (!again || !(*again == *decoded)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView input(data, size);
  round_trip(input);

  std::vector<ByteView> tpdus;
  ByteReader r(input);
  while (!r.empty()) {
    auto len = r.read_u8();
    if (!len) break;
    auto body = r.read_bytes(std::min<std::size_t>(*len, r.remaining()));
    if (!body) break;
    tpdus.push_back(*body);
  }

  Limits limits;
  limits.cotp_max_reassembly = 512;
  limits.cotp_max_tpdu_size = 256;

  cotp::Connection responder(cotp::Role::responder, {}, limits);
  cotp::Connection initiator(cotp::Role::initiator, {}, limits);
  {
    auto cr = initiator.connect();
    if (!cr) std::abort();
  }
  for (std::size_t i = 0; i < tpdus.size(); ++i) {
    round_trip(tpdus[i]);
    for (cotp::Connection* c : {&responder, &initiator}) {
      auto out = c->receive(tpdus[i], i);
      check_output(*c, out, limits);
      if (c->state() == cotp::State::open) {
        // Data flowing back must segment into valid DTs of the negotiated size.
        auto sent = c->send(tpdus[i]);
        if (!sent) std::abort();
        for (const Bytes& dt : sent->send) {
          if (dt.size() > c->tpdu_size()) std::abort();
        }
        check_output(*c, *sent, limits);
      }
    }
  }
  return 0;
}
