// SPDX-License-Identifier: Apache-2.0
// Injectable time and randomness, so that timers, signatures and nonces are reproducible in tests.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>

namespace mmssec {

class Clock {
 public:
  virtual ~Clock() = default;
  /// Wall-clock UTC (signed times, certificate validity).
  [[nodiscard]] virtual std::chrono::system_clock::time_point now_utc() const = 0;
  /// Monotonic time (timeouts).
  [[nodiscard]] virtual std::chrono::steady_clock::time_point now_steady() const = 0;
};

class SystemClock final : public Clock {
 public:
  [[nodiscard]] std::chrono::system_clock::time_point now_utc() const override;
  [[nodiscard]] std::chrono::steady_clock::time_point now_steady() const override;
  static const SystemClock& instance();
};

/// A clock that only moves when told to.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(std::chrono::system_clock::time_point utc = {}) : utc_(utc) {}
  [[nodiscard]] std::chrono::system_clock::time_point now_utc() const override { return utc_; }
  [[nodiscard]] std::chrono::steady_clock::time_point now_steady() const override { return steady_; }
  void advance(std::chrono::nanoseconds d) {
    utc_ += std::chrono::duration_cast<std::chrono::system_clock::duration>(d);
    steady_ += d;
  }
  void set_utc(std::chrono::system_clock::time_point t) { utc_ = t; }

 private:
  std::chrono::system_clock::time_point utc_;
  std::chrono::steady_clock::time_point steady_{};
};

/// "2026-11-23T18:04:05.123Z": UTC with milliseconds, for logs and events (also a valid RFC 5424
/// TIMESTAMP and RFC 3339 date-time).
[[nodiscard]] std::string format_utc_ms(std::chrono::system_clock::time_point t);

class RandomSource {
 public:
  virtual ~RandomSource() = default;
  /// Fill `out` with random bytes. Implementations for production use a CSPRNG.
  virtual void fill(std::span<std::uint8_t> out) = 0;
};

/// The operating system CSPRNG (getrandom). Aborts if the kernel cannot supply randomness:
/// continuing without it would be a silent security failure.
class SystemRandom final : public RandomSource {
 public:
  void fill(std::span<std::uint8_t> out) override;
  static SystemRandom& instance();
};

/// Deterministic generator for tests only (xorshift64*; NOT cryptographic).
class DeterministicRandom final : public RandomSource {
 public:
  explicit DeterministicRandom(std::uint64_t seed = 0x9E3779B97F4A7C15ULL) : state_(seed ? seed : 1) {}
  void fill(std::span<std::uint8_t> out) override;

 private:
  std::uint64_t state_;
};

}  // namespace mmssec
