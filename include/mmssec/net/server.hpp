// SPDX-License-Identifier: Apache-2.0
// TCP server adapter for the sans-I/O protocol cores. The server owns the sockets, a fixed pool
// of threads and the timers; a ConnectionHandler (one per connection) owns the protocol state
// and only ever sees bytes: on_data() gets what the socket delivered and returns what to send.
//
// Threading: the server runs a net::Loop of `threads` workers, each one thread with its own event
// loop; accepted connections are spread over them round-robin. A connection never has its own
// thread: its reads, writes, timers and handler calls run on its worker, so a handler is never
// called concurrently with itself and needs no locking of its own. Different connections run in
// parallel. Other threads reach a connection through the Link given to on_open().
//
// No Asio type appears here (pimpl); only src/net/ includes Asio.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "mmssec/core/bytes.hpp"
#include "mmssec/core/result.hpp"
#include "mmssec/net/connection.hpp"
#include "mmssec/net/error.hpp"
#include "mmssec/net/loop.hpp"

namespace mmssec::net {

/// Returns the handler of a new connection, or nullptr to refuse it (counted as rejected).
/// Called on a server thread; must be thread-safe.
using HandlerFactory = std::function<std::unique_ptr<ConnectionHandler>(const PeerInfo&)>;

struct ServerConfig {
  /// IPv4 or IPv6 address literal to listen on ("0.0.0.0" / "::" for all interfaces).
  std::string host = "127.0.0.1";
  /// ISO transport over TCP (RFC 1006) listens on 102. 0 picks an ephemeral port (see port()).
  std::uint16_t port = 102;
  /// Size of the fixed thread pool; 0 = std::thread::hardware_concurrency() (at least 1).
  std::size_t threads = 0;
  /// How long a worker polls for new events before sleeping (net::Loop); 0 = never spin.
  std::chrono::microseconds busy_poll = kDefaultBusyPoll;
  /// Connections served at once. Further connections are accepted and closed at once
  /// (counted in ServerStats::rejected) so that they do not linger in the listen backlog.
  std::size_t max_connections = 256;
  /// Time from accept until the first byte arrives (protects against idle connects). 0 = none.
  std::chrono::milliseconds first_byte_timeout{10'000};
  /// Time without received bytes after which the connection times out. 0 = none.
  std::chrono::milliseconds idle_timeout{120'000};
  /// Longest wait for queued bytes to be written after a handler asked to close (or after a
  /// timeout) before the socket is closed anyway.
  std::chrono::milliseconds close_linger{2'000};
  /// Bytes queued for sending but not yet written. A peer that does not read while replies
  /// pile up beyond this is closed (slow-reader protection).
  std::size_t max_outgoing_bytes = 1U << 20;  // 1 MiB
  /// Size of each connection's (reused) receive buffer = the largest on_data() chunk. Small,
  /// because every idle connection holds one; larger messages arrive in several chunks.
  std::size_t read_buffer_size = 4U * 1024U;
  /// listen() backlog.
  int backlog = 128;
};

/// A consistent-per-field snapshot of the server's counters.
struct ServerStats {
  std::uint64_t accepted = 0;      ///< connections handed to a handler
  std::uint64_t active = 0;        ///< connections currently open
  std::uint64_t rejected = 0;      ///< closed at once: max_connections reached, or factory refused
  std::uint64_t timeouts = 0;      ///< first-byte or idle timeouts
  std::uint64_t slow_readers = 0;  ///< closed because max_outgoing_bytes was exceeded
  std::uint64_t bytes_in = 0;
  std::uint64_t bytes_out = 0;
};

class Server {
 public:
  Server(ServerConfig config, HandlerFactory factory);
  /// Calls stop().
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Bind, listen and start the thread pool. Errc::resolve_failed for a host that is not an IP
  /// literal, Errc::bind_failed when the address cannot be bound, Errc::invalid_state when
  /// called twice.
  [[nodiscard]] Status start();

  /// Graceful shutdown: stop accepting, close every connection (each handler gets on_closed()),
  /// let the pool drain and join it. Idempotent. Must not be called from a handler.
  void stop();

  /// The bound port (the ephemeral one when ServerConfig::port was 0); 0 before start().
  [[nodiscard]] std::uint16_t port() const noexcept;

  /// Counters; each field is read atomically.
  [[nodiscard]] ServerStats stats() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mmssec::net
