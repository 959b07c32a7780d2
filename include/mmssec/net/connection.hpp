// SPDX-License-Identifier: Apache-2.0
// The sans-I/O side of a network connection: a ConnectionHandler (one per connection, server or
// client side) only ever sees bytes and returns bytes to send. A Link is a thread-safe handle to
// a live connection through which code outside the connection's thread (a model update that
// produces a report, an application thread issuing a request) hands work to it.
//
// The byte stream is a seam: a handler may wrap another handler (e.g. a TLS handler decrypting
// on_data() before passing it to the MMS stack handler, encrypting what the inner one returns),
// so a security layer plugs in without the protocol cores or the I/O adapter knowing.
//
// No Asio type appears here; only src/net/ includes Asio.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "mmssec/core/bytes.hpp"
#include "mmssec/core/error.hpp"

namespace mmssec::net {

/// What a handler wants done after an event: bytes to queue for sending (moved, not copied, into
/// the write queue) and whether to close the connection once they have been written.
struct Reply {
  Bytes send;
  bool close = false;
};

/// The remote end of a connection (for logging and per-peer policies).
struct PeerInfo {
  std::string address;  ///< "127.0.0.1", "::1"
  std::uint16_t port = 0;
};

namespace detail {
/// Implemented by the connection (src/net); Link holds it weakly.
class LinkTarget {
 public:
  virtual ~LinkTarget() = default;
  virtual void post(std::function<Reply()> fn) = 0;
  virtual void post_after(std::chrono::milliseconds delay, std::function<Reply()> fn) = 0;
  virtual void close() = 0;
};
}  // namespace detail

/// A copyable, thread-safe handle to one connection. Every call is harmless once the connection
/// is gone (it then does nothing). A default-constructed Link refers to no connection.
class Link {
 public:
  Link() = default;
  explicit Link(std::weak_ptr<detail::LinkTarget> target) : target_(std::move(target)) {}

  /// Run `fn` on the connection's thread, serialised with the handler's calls, and send what it
  /// returns (closing afterwards if it says so). Dropped without being run when the connection
  /// has closed (or closes before it runs): `fn` may capture the handler by pointer.
  void post(std::function<Reply()> fn) const {
    if (auto t = target_.lock()) t->post(std::move(fn));
  }
  /// Like post(), but after `delay` (a one-shot timer on the connection's thread; for request
  /// timeouts and periodic work). Dropped when the connection closes first.
  void post_after(std::chrono::milliseconds delay, std::function<Reply()> fn) const {
    if (auto t = target_.lock()) t->post_after(delay, std::move(fn));
  }
  /// Close the connection once queued bytes are written (bounded by the close linger).
  void close() const {
    if (auto t = target_.lock()) t->close();
  }
  /// Whether the connection object still exists (it may be closing).
  [[nodiscard]] bool alive() const noexcept { return !target_.expired(); }

 private:
  std::weak_ptr<detail::LinkTarget> target_;
};

/// One per connection. Calls on one handler are serialised (never concurrent with each other),
/// on the thread that owns the connection. An exception escaping a handler closes its connection.
///
/// Order: on_open() first (server: accepted; client: connected) or, for a client connection that
/// could not be established, on_connect_failed(); then any number of on_data()/on_timeout();
/// on_closed() exactly once, last.
class ConnectionHandler {
 public:
  virtual ~ConnectionHandler() = default;
  /// The connection is established. `link` stays usable for the connection's lifetime (keep a
  /// copy to post work from other threads). The returned bytes are sent first (a client's
  /// connect request, for instance).
  virtual Reply on_open(const Link& /*link*/, const PeerInfo& /*peer*/) { return {}; }
  /// Client connections only: resolving or connecting failed (net::Errc::refused, timeout,
  /// resolve_failed, io). on_closed() follows.
  virtual void on_connect_failed(const Error& /*error*/) {}
  /// Bytes received (any split: a TCP stream has no message boundaries). The view is valid
  /// only during the call.
  virtual Reply on_data(ByteView data) = 0;
  /// The first-byte or idle timeout expired. The returned bytes (e.g. a disconnect PDU) are sent
  /// if possible; the connection is closed afterwards whatever `close` says.
  virtual Reply on_timeout() { return {}; }
  /// The connection is gone (peer closed, error, limit, timeout, shutdown, connect failure).
  /// Called exactly once, last.
  virtual void on_closed() {}
};

/// Wraps the handler of a connection in another one that transforms the byte stream (the TLS
/// handler around the MMS handler). Servers apply it to every accepted connection, clients to
/// every connection they open; an empty decorator means plaintext.
using HandlerDecorator =
    std::function<std::unique_ptr<ConnectionHandler>(std::unique_ptr<ConnectionHandler> inner)>;

}  // namespace mmssec::net
