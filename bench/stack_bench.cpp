// SPDX-License-Identifier: Apache-2.0
// The whole per-request CPU path of an MMS read, without sockets: the client association
// encodes a Read (MMS -> presentation -> session -> COTP -> TPKT), the server association
// decodes it, the MMS server session reads the default IED model and answers, and the client
// decodes the response. This is the protocol work `mmssec bench` pays per read on top of the
// system calls (docs/performance.md).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <variant>

#include "alloc_counter.hpp"
#include "mmssec/mms/client.hpp"
#include "mmssec/mms/default_model.hpp"
#include "mmssec/mms/model.hpp"
#include "mmssec/mms/server.hpp"
#include "mmssec/stack/association.hpp"

namespace {
using namespace mmssec;

template <class E>
const E* find_event(const stack::Output& out) {
  for (const auto& e : out.events) {
    if (const auto* p = std::get_if<E>(&e)) return p;
  }
  return nullptr;
}

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "stack_bench setup failed: %s\n", what);
  std::abort();
}

/// A client and a server association, associated, with the server's MMS session on the default
/// model.
struct Pair {
  mms::Vmd vmd;
  std::optional<mms::ServerSession> server_session;
  mms::ClientSession client_session;
  stack::Association client = stack::Association::client();
  stack::Association server = stack::Association::server();

  Pair() {
    if (!mms::make_default_ied_model(vmd)) fail("model");
    server_session.emplace(vmd);
    auto c = client.connect(client_session.initiate_request());
    if (!c) fail("connect");
    Bytes to_server = std::move(c->send);
    // The client's CR goes first; the server answers CC, then the client sends the AARQ.
    for (int round = 0; round < 8 && client.state() != stack::State::associated; ++round) {
      auto s = server.receive(to_server);
      if (const auto* ind = find_event<stack::AssociateIndication>(s)) {
        auto resp = server_session->on_initiate(ind->mms_pdu);
        if (!resp) fail("initiate");
        auto acc = server.accept(*resp);
        if (!acc) fail("accept");
        s.send.insert(s.send.end(), acc->send.begin(), acc->send.end());
      }
      auto cl = client.receive(s.send);
      if (const auto* a = find_event<stack::Associated>(cl)) {
        if (!client_session.on_initiate_response(a->mms_pdu)) fail("initiate response");
      }
      to_server = std::move(cl.send);
    }
    if (client.state() != stack::State::associated) fail("not associated");
  }
};

// The data path as the endpoints drive it: each association appends into Outputs that are
// cleared and reused, so their buffers are allocated once.
void BM_StackReadRoundTrip(benchmark::State& state) {
  Pair p;
  const auto name = mms::ObjectName::domain_specific("LD0", "MMXU1$MX$TotW$mag$f");
  stack::Output to_server;
  stack::Output at_server;
  stack::Output to_client;
  stack::Output at_client;
  const std::uint64_t before = bench::allocation_count();
  for (auto _ : state) {
    auto req = p.client_session.read(name);
    to_server.clear();
    if (!p.client.send(req->pdu, to_server)) state.SkipWithError("send");
    at_server.clear();
    p.server.receive(to_server.send, at_server);
    const auto* data = find_event<stack::MmsData>(at_server);
    auto answer = p.server_session->on_pdu(data->pdu);
    to_client.clear();
    if (!p.server.send(answer.send.front(), to_client)) state.SkipWithError("send");
    at_client.clear();
    p.client.receive(to_client.send, at_client);
    const auto* rdata = find_event<stack::MmsData>(at_client);
    auto done = p.client_session.on_pdu(rdata->pdu);
    if (!done.completion) state.SkipWithError("no completion");
    benchmark::DoNotOptimize(done);
  }
  state.counters["allocs/op"] = benchmark::Counter(static_cast<double>(bench::allocation_count() - before),
                                                   benchmark::Counter::kAvgIterations);
}
BENCHMARK(BM_StackReadRoundTrip);

// The same with the Output-returning calls (a fresh Output per call).
void BM_StackReadRoundTripFreshOutputs(benchmark::State& state) {
  Pair p;
  const auto name = mms::ObjectName::domain_specific("LD0", "MMXU1$MX$TotW$mag$f");
  const std::uint64_t before = bench::allocation_count();
  for (auto _ : state) {
    auto req = p.client_session.read(name);
    auto out = p.client.send(req->pdu);
    auto in = p.server.receive(out->send);
    const auto* data = find_event<stack::MmsData>(in);
    auto answer = p.server_session->on_pdu(data->pdu);
    auto resp = p.server.send(answer.send.front());
    auto back = p.client.receive(resp->send);
    const auto* rdata = find_event<stack::MmsData>(back);
    auto done = p.client_session.on_pdu(rdata->pdu);
    if (!done.completion) state.SkipWithError("no completion");
    benchmark::DoNotOptimize(done);
  }
  state.counters["allocs/op"] = benchmark::Counter(static_cast<double>(bench::allocation_count() - before),
                                                   benchmark::Counter::kAvgIterations);
}
BENCHMARK(BM_StackReadRoundTripFreshOutputs);

}  // namespace
