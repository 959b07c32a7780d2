// SPDX-License-Identifier: Apache-2.0
// Shared helpers of the net tests: a thread-safe probe that handlers report to (tests wait on
// its condition variable instead of sleeping), and a few ready-made handlers.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "mmssec/core/bytes.hpp"
#include "mmssec/net/client.hpp"
#include "mmssec/net/server.hpp"

namespace mmssec::net::testing {

using namespace std::chrono_literals;

/// Counts what the handlers saw. Every update notifies waiters.
class Probe {
 public:
  struct Counts {
    std::size_t created = 0;
    std::size_t data_calls = 0;
    std::size_t bytes = 0;
    std::size_t timeouts = 0;
    std::size_t closed = 0;
  };

  void update(const std::function<void(Counts&)>& f) {
    {
      const std::lock_guard lock(mu_);
      f(counts_);
    }
    cv_.notify_all();
  }
  [[nodiscard]] Counts get() const {
    const std::lock_guard lock(mu_);
    return counts_;
  }
  /// Wait (at most `limit`) until `pred` holds; returns whether it did.
  [[nodiscard]] bool wait_for(const std::function<bool(const Counts&)>& pred,
                              std::chrono::milliseconds limit = 4s) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, limit, [&] { return pred(counts_); });
  }
  [[nodiscard]] bool wait_closed(std::size_t n, std::chrono::milliseconds limit = 4s) {
    return wait_for([n](const Counts& c) { return c.closed >= n; }, limit);
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  Counts counts_;
};

/// Behaviour of a ScriptedHandler on each event, given the received chunk.
using OnData = std::function<Reply(ByteView)>;

/// Reports every event to the probe and answers on_data() through a script.
class ScriptedHandler final : public ConnectionHandler {
 public:
  ScriptedHandler(std::shared_ptr<Probe> probe, OnData on_data, Bytes timeout_reply)
      : probe_(std::move(probe)), on_data_(std::move(on_data)), timeout_reply_(std::move(timeout_reply)) {
    probe_->update([](Probe::Counts& c) { ++c.created; });
  }
  Reply on_data(ByteView data) override {
    Reply r = on_data_(data);
    probe_->update([&](Probe::Counts& c) {
      ++c.data_calls;
      c.bytes += data.size();
    });
    return r;
  }
  Reply on_timeout() override {
    probe_->update([](Probe::Counts& c) { ++c.timeouts; });
    return Reply{timeout_reply_, false};
  }
  void on_closed() override {
    EXPECT_FALSE(closed_) << "on_closed called twice";
    closed_ = true;
    probe_->update([](Probe::Counts& c) { ++c.closed; });
  }

 private:
  std::shared_ptr<Probe> probe_;
  OnData on_data_;
  Bytes timeout_reply_;
  bool closed_ = false;
};

inline Reply echo(ByteView data) { return Reply{Bytes(data.begin(), data.end()), false}; }

inline HandlerFactory scripted(const std::shared_ptr<Probe>& probe, OnData on_data = echo,
                               Bytes timeout_reply = {}) {
  return [probe, on_data = std::move(on_data), timeout_reply](const PeerInfo&) {
    return std::make_unique<ScriptedHandler>(probe, on_data, timeout_reply);
  };
}

/// For server counters, which have no callback: poll `pred` until it holds or `limit` passes.
/// (A write's completion may be counted just after the close the peer observed first.)
inline bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds limit = 3s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

/// A loopback configuration on an ephemeral port with small, test-friendly limits.
inline ServerConfig test_config(std::size_t threads = 2) {
  ServerConfig c;
  c.host = "127.0.0.1";
  c.port = 0;
  c.threads = threads;
  c.first_byte_timeout = 4s;
  c.idle_timeout = 4s;
  return c;
}

inline Bytes bytes_of(std::string_view s) { return Bytes(s.begin(), s.end()); }

/// Receive until exactly `n` bytes arrived (or fail the test).
inline Bytes receive_exactly(Client& client, std::size_t n, std::chrono::milliseconds limit = 3s) {
  Bytes got;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (got.size() < n) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    auto r = client.receive(left, n - got.size());
    if (!r) {
      ADD_FAILURE() << "receive failed: " << r.error().describe();
      break;
    }
    got.insert(got.end(), r->begin(), r->end());
  }
  return got;
}

/// Receive until the peer closes; returns what arrived before the end of the stream.
inline Result<Bytes> receive_until_closed(Client& client, std::chrono::milliseconds limit = 3s) {
  Bytes got;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return Error{Errc::timeout};
    auto r = client.receive(left);
    if (!r) {
      if (r.error().code == make_error_code(Errc::closed)) return got;
      return r.error();
    }
    got.insert(got.end(), r->begin(), r->end());
  }
}

inline Client connect_ok(std::uint16_t port, const char* host = "127.0.0.1") {
  auto c = Client::connect(host, port, 2s);
  if (!c.ok()) {  // the tests cannot go on without the connection
    std::fprintf(stderr, "connect to %s:%u failed: %s\n", host, unsigned{port}, c.error().describe().c_str());
    std::abort();
  }
  return std::move(c).value();
}

}  // namespace mmssec::net::testing
