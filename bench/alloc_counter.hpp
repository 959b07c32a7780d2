// SPDX-License-Identifier: Apache-2.0
// Counts heap allocations made by the benchmark process (global operator new is replaced in
// alloc_counter.cpp), so benchmarks can report allocations per PDU next to time per PDU.
#pragma once

#include <cstdint>

namespace mmssec::bench {
std::uint64_t allocation_count() noexcept;
}  // namespace mmssec::bench
