// SPDX-License-Identifier: Apache-2.0
// BER primitives: encode and decode throughput and allocations per element.
#include <benchmark/benchmark.h>

#include "alloc_counter.hpp"
#include "mmssec/ber/ber.hpp"

namespace {
using namespace mmssec;

Bytes sample_sequence() {
  Bytes out;
  ber::Writer w(out);
  w.constructed(ber::tags::kSequence, [&] {
    for (int i = 0; i < 32; ++i) w.integer(1000 + i);
    w.oid(ber::Oid{1, 0, 9506, 2, 3});
    w.visible_string("LD0/MMXU1$MX$TotW$mag$f");
  });
  return out;
}

void BM_BerDecodeSequence(benchmark::State& state) {
  const Bytes in = sample_sequence();
  const auto a0 = bench::allocation_count();
  std::int64_t sum = 0;
  for (auto _ : state) {
    ber::Reader r(in);
    auto seq = r.enter(ber::tags::kSequence);
    for (int i = 0; i < 32; ++i) sum += *seq->read_int64();
    benchmark::DoNotOptimize(seq->read_oid());
    benchmark::DoNotOptimize(seq->read_visible_string());
  }
  benchmark::DoNotOptimize(sum);
  state.counters["allocs/op"] = benchmark::Counter(static_cast<double>(bench::allocation_count() - a0),
                                                   benchmark::Counter::kAvgIterations);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * in.size()));
}
BENCHMARK(BM_BerDecodeSequence);

void BM_BerEncodeSequence(benchmark::State& state) {
  Bytes out;
  out.reserve(512);
  const ber::Oid oid{1, 0, 9506, 2, 3};
  const auto a0 = bench::allocation_count();
  for (auto _ : state) {
    out.clear();
    ber::Writer w(out);
    w.constructed(ber::tags::kSequence, [&] {
      for (int i = 0; i < 32; ++i) w.integer(1000 + i);
      w.oid(oid);
      w.visible_string("LD0/MMXU1$MX$TotW$mag$f");
    });
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["allocs/op"] = benchmark::Counter(static_cast<double>(bench::allocation_count() - a0),
                                                   benchmark::Counter::kAvgIterations);
}
BENCHMARK(BM_BerEncodeSequence);

}  // namespace
