// SPDX-License-Identifier: Apache-2.0
// net::Loop: a fixed pool of event-loop threads. Each thread runs its own event loop; every
// connection (accepted by a net::Server or opened by Loop::connect) belongs to one of them,
// chosen round-robin, so a connection's reads, writes, timers and handler calls are serialised
// without locks and never get a thread of their own.
//
// No Asio type appears here (pimpl); only src/net/ includes Asio.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "mmssec/net/connection.hpp"

namespace mmssec::net {

/// Per-connection I/O settings, shared by accepted and outgoing connections.
struct ConnectionOptions {
  /// Time from accept/connect until the first byte arrives. 0 = none.
  std::chrono::milliseconds first_byte_timeout{10'000};
  /// Time without received bytes after which the handler's on_timeout() runs and the connection
  /// closes. 0 = none.
  std::chrono::milliseconds idle_timeout{120'000};
  /// Longest wait for queued bytes to be written after a close was asked for.
  std::chrono::milliseconds close_linger{2'000};
  /// Bytes queued for sending but not yet written. A peer that does not read while replies pile
  /// up beyond this is closed (slow-reader protection).
  std::size_t max_outgoing_bytes = 1U << 20;  // 1 MiB
  /// Each connection's receive buffer = the largest on_data() chunk. Small, because every idle
  /// connection holds one; larger messages simply arrive in several chunks.
  std::size_t read_buffer_size = 4U * 1024U;
};

/// Settings of an outgoing connection.
struct ConnectOptions {
  /// Resolve + TCP connect must complete within this.
  std::chrono::milliseconds connect_timeout{5'000};
  ConnectionOptions connection{.first_byte_timeout = std::chrono::milliseconds{0},
                               .idle_timeout = std::chrono::milliseconds{0}};
};

/// Default of Loop's busy_poll (and ServerConfig::busy_poll).
inline constexpr std::chrono::microseconds kDefaultBusyPoll{50};

class Loop {
 public:
  /// Start `threads` event-loop threads (0 = std::thread::hardware_concurrency(), at least 1).
  /// `busy_poll`: how long a worker keeps polling for new events after its last one before it
  /// sleeps in the kernel. Trades a little CPU right after activity for the wake-up latency of a
  /// sleeping thread; 0 sleeps at once (see docs/performance.md).
  explicit Loop(std::size_t threads = 0, std::chrono::microseconds busy_poll = kDefaultBusyPoll);
  /// Calls stop().
  ~Loop();
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;

  /// Open an outgoing TCP connection to an IP literal or host name, driven by `handler` on one of
  /// the loop's threads (see ConnectionHandler for the order of calls). Returns at once; the
  /// Link accepts posts right away (bytes they return are written once connected).
  Link connect(std::string host, std::uint16_t port, std::unique_ptr<ConnectionHandler> handler,
               ConnectOptions options = {});

  /// Run `fn` on one of the loop's threads.
  void post(std::function<void()> fn);

  /// Close every connection of this loop (each handler gets on_closed()), then stop and join the
  /// threads. Idempotent. Must not be called from a loop thread.
  void stop();

  [[nodiscard]] std::size_t threads() const noexcept;
  /// Connections of this loop currently open (outgoing and accepted).
  [[nodiscard]] std::size_t connections() const noexcept;

  struct Impl;
  /// For net::Server (same library).
  [[nodiscard]] Impl& impl() noexcept { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace mmssec::net
