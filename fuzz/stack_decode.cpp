// SPDX-License-Identifier: Apache-2.0
// Layered decoder fuzz target (`mmssec decode`): the input as a TPKT byte stream, then as one PDU
// of every layer. Each decode must yield a tree whose text and JSON renderings can be produced,
// every failure must name a layer and point inside (or just past the end of) the input, and a
// clean decode must carry no failure.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "mmssec/stack/decode.hpp"

namespace {
using namespace mmssec;

void check(bool ok) {
  if (!ok) std::abort();
}

void verify(const stack::Decoded& d, std::size_t size) {
  for (const stack::Failure& f : d.failures) {
    check(!f.layer.empty());
    check(f.error.offset <= size);
    check(!f.describe().empty());
  }
  check(d.ok() == d.failures.empty());
  check(!stack::render_text(d.tree).empty());
  check(!stack::render_json(d.tree).empty());
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView input(data, size);
  stack::DecodeOptions small;
  small.limits.cotp_max_reassembly = 4096;
  verify(stack::decode_tpkt_stream(input), size);
  verify(stack::decode_tpkt_stream(input, small), size);
  for (stack::Layer l :
       {stack::Layer::tpkt, stack::Layer::cotp, stack::Layer::session, stack::Layer::presentation,
        stack::Layer::acse, stack::Layer::mms, stack::Layer::ber}) {
    verify(stack::decode_pdu(l, input), size);
  }
  return 0;
}
