// SPDX-License-Identifier: Apache-2.0
// A small synchronous TCP client: connect, send, receive with timeouts. Meant for tools and
// tests driving a sans-I/O client core; every call blocks at most its timeout. Not thread-safe:
// one Client is used by one thread at a time. No Asio type appears here (pimpl).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "mmssec/core/bytes.hpp"
#include "mmssec/core/result.hpp"
#include "mmssec/net/error.hpp"

namespace mmssec::net {

class Client {
 public:
  /// Connect to an IPv4/IPv6 literal or a host name. Errors: Errc::resolve_failed,
  /// Errc::refused, Errc::timeout (the whole resolve + connect took longer than `timeout`),
  /// Errc::io.
  [[nodiscard]] static Result<Client> connect(std::string_view host, std::uint16_t port,
                                              std::chrono::milliseconds timeout);

  Client(Client&&) noexcept;
  Client& operator=(Client&&) noexcept;
  ~Client();

  /// Write all of `data`. Errc::closed if the connection is (or becomes) closed, Errc::timeout
  /// if the peer does not take the bytes in time (the connection is closed then: how much was
  /// written is unknown), Errc::io otherwise.
  [[nodiscard]] Status send(ByteView data, std::chrono::milliseconds timeout = std::chrono::seconds(5));

  /// Whatever has arrived, at least one byte and at most `max_bytes`, waiting up to `timeout`.
  /// Errc::timeout if nothing arrived (the connection stays usable), Errc::closed when the peer
  /// closed the connection (end of stream or reset) or close() was called.
  [[nodiscard]] Result<Bytes> receive(std::chrono::milliseconds timeout, std::size_t max_bytes = 64U * 1024U);

  /// Close the socket (idempotent).
  void close() noexcept;
  [[nodiscard]] bool is_open() const noexcept;

 private:
  struct Impl;
  explicit Client(std::unique_ptr<Impl> impl) noexcept;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mmssec::net
