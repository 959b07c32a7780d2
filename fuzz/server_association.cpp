// SPDX-License-Identifier: Apache-2.0
// A whole server-side association (TPKT up to MMS) fed an attacker's byte stream. The first input
// byte chooses the chunk size the stream is delivered in (1..256), so framing across reads is
// exercised too. Every MMS PDU that reaches the top is decoded, and a Reject is built for every one
// that fails, as the server does. Invariants: no crash or sanitizer report; once closed, the
// association stays closed and silent; every byte sent is whole TPKTs.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "mmssec/mms/pdu.hpp"
#include "mmssec/stack/association.hpp"
#include "mmssec/tpkt/tpkt.hpp"

namespace {
using namespace mmssec;

void check_tpkts(const Bytes& sent) {
  tpkt::Framer f;
  if (!f.feed(sent)) std::abort();
  for (;;) {
    auto n = f.next();
    if (!n) std::abort();
    if (!n->has_value()) break;
  }
  if (f.pending() != 0) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t chunk = static_cast<std::size_t>(data[0]) + 1;
  const ByteView stream(data + 1, size - 1);
  auto server = stack::Association::server({}, [](const stack::AssociateIndication& ind) {
    stack::Decision d;
    // Decode the Initiate like a server would; accept with a fixed response if it parses.
    auto pdu = mms::decode_pdu(ind.mms_pdu);
    d.accept = pdu.ok() && pdu->get<mms::InitiateRequestPdu>() != nullptr;
    if (d.accept) {
      mms::InitiateResponsePdu rsp;
      rsp.params = pdu->get<mms::InitiateRequestPdu>()->params;
      d.mms_pdu = mms::encode_pdu(mms::Pdu{rsp});
    }
    return d;
  });
  bool closed = false;
  for (std::size_t i = 0; i < stream.size(); i += chunk) {
    const std::size_t n = std::min(chunk, stream.size() - i);
    stack::Output out = server.receive(stream.subspan(i, n));
    if (closed && (!out.send.empty() || !out.events.empty())) std::abort();
    check_tpkts(out.send);
    for (const auto& ev : out.events) {
      if (const auto* m = std::get_if<stack::MmsData>(&ev)) {
        mms::PduError failure;
        auto pdu = mms::decode_pdu(m->pdu, default_limits(), &failure);
        if (!pdu) (void)mms::reject_for(failure);
      }
    }
    closed = closed || out.close;
    if (closed && server.state() != stack::State::closed) std::abort();
  }
  return 0;
}
