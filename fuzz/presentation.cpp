// SPDX-License-Identifier: Apache-2.0
// Presentation (ISO 8823) entry points: every PPDU decoder on the raw input (each must succeed
// or fail cleanly; whatever decodes must re-encode and decode to the same value), then a
// responder connection fed the input as a CP followed by the same bytes as TD / FN / AB, and an
// initiator fed it as a CPA.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "mmssec/presentation/connection.hpp"
#include "mmssec/presentation/ppdu.hpp"

namespace {
using namespace mmssec;
using namespace mmssec::presentation;

template <class Ppdu>
void check_round_trip(const Ppdu& value, Result<Ppdu> (*decode)(ByteView, const Limits&, std::size_t)) {
  const Bytes again = encode(value);
  auto back = decode(again, default_limits(), 0);
  if (!back || !(*back == value)) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView input(data, size);

  if (auto cp = decode_cp(input); cp) check_round_trip<ConnectPpdu>(*cp, &decode_cp);
  if (auto cpa = decode_cpa(input); cpa) check_round_trip<AcceptPpdu>(*cpa, &decode_cpa);
  if (auto cpr = decode_cpr(input); cpr) check_round_trip<RefusePpdu>(*cpr, &decode_cpr);
  if (auto ud = decode_user_data(input); ud) check_round_trip<UserData>(*ud, &decode_user_data);
  if (auto ab = decode_abort(input); ab) {
    const Bytes again = std::visit([](const auto& p) { return encode(p); }, *ab);
    auto back = decode_abort(again);
    if (!back || !(*back == *ab)) std::abort();
  }

  // Responder: the input as CP, then as TD, FN and AB.
  {
    auto conn = Connection::responder();
    (void)conn.on_session(SessionService::connect, input);
    if (conn.state() == Connection::State::awaiting_response) {
      auto cpa = conn.accept({});
      if (!cpa) std::abort();
      (void)conn.on_session(SessionService::data, input);
      (void)conn.on_session(SessionService::release, input);
      (void)conn.on_session(SessionService::abort, input);
    }
  }
  // Responder past a fixed connect: the input as TD.
  {
    auto conn = Connection::responder();
    ConnectPpdu cp;
    cp.contexts = default_contexts();
    const Bytes cp_bytes = encode(cp);
    (void)conn.on_session(SessionService::connect, cp_bytes);
    if (conn.state() != Connection::State::awaiting_response) std::abort();
    (void)conn.accept({});
    (void)conn.on_session(SessionService::data, input);
  }
  // Initiator: the input as CPA, then as CPR / AB on a fresh connection.
  {
    auto conn = Connection::initiator();
    ConnectRequest req;
    req.contexts = default_contexts();
    if (!conn.connect(req)) std::abort();
    (void)conn.on_session(SessionService::accept, input);
    auto conn2 = Connection::initiator();
    (void)conn2.connect(req);
    (void)conn2.on_session(SessionService::refuse, input);
  }
  return 0;
}
