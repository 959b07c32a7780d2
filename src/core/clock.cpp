// SPDX-License-Identifier: Apache-2.0
#include "mmssec/core/clock.hpp"

#include <sys/random.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace mmssec {

std::chrono::system_clock::time_point SystemClock::now_utc() const {
  return std::chrono::system_clock::now();
}

std::chrono::steady_clock::time_point SystemClock::now_steady() const {
  return std::chrono::steady_clock::now();
}

const SystemClock& SystemClock::instance() {
  static const SystemClock clock;
  return clock;
}

std::string format_utc_ms(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  const auto ms = floor<milliseconds>(t);
  const auto day = floor<days>(ms);
  const year_month_day ymd{day};
  const hh_mm_ss hms{ms - day};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()), static_cast<int>(hms.subseconds().count()));
  return buf;
}

void SystemRandom::fill(std::span<std::uint8_t> out) {
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::getrandom(out.data() + done, out.size() - done, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::fputs("mmssec: getrandom failed; refusing to continue without randomness\n", stderr);
      std::abort();
    }
    done += static_cast<std::size_t>(n);
  }
}

SystemRandom& SystemRandom::instance() {
  static SystemRandom rng;
  return rng;
}

void DeterministicRandom::fill(std::span<std::uint8_t> out) {
  for (auto& b : out) {
    state_ ^= state_ >> 12;
    state_ ^= state_ << 25;
    state_ ^= state_ >> 27;
    b = static_cast<std::uint8_t>((state_ * 0x2545F4914F6CDD1DULL) >> 56);
  }
}

}  // namespace mmssec
