// SPDX-License-Identifier: Apache-2.0
// net::Client: blocking calls with deadlines, built on one private io_context per client. Each
// call starts one asynchronous operation and runs the context until it completes or the time is
// up; on time-out the operation is cancelled and its handler drained before returning.
#include "mmssec/net/client.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>

#include "net_internal.hpp"

namespace mmssec::net {

namespace {
using Tcp = asio::ip::tcp;
}  // namespace

struct Client::Impl {
  asio::io_context io;
  Tcp::socket socket{io};

  /// Run the context until `done` or `timeout`; on time-out call `cancel` and drain the
  /// cancelled handler. Returns whether the operation completed (it may still have completed
  /// successfully in the race with the cancellation; callers look at its result).
  template <class Cancel>
  bool run(const bool& done, std::chrono::milliseconds timeout, Cancel cancel) {
    io.restart();
    io.run_for(std::max(timeout, std::chrono::milliseconds(0)));
    if (done) return true;
    cancel();
    io.restart();
    io.run();
    return false;
  }

  void close() noexcept {
    std::error_code ignored;
    if (!socket.is_open()) return;
    socket.shutdown(Tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
  }
};

Client::Client(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}
Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;
Client::~Client() { close(); }

Result<Client> Client::connect(std::string_view host, std::uint16_t port, std::chrono::milliseconds timeout) {
  auto impl = std::make_unique<Impl>();
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const auto remaining = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  };

  // Resolve (IP literals resolve without a lookup).
  Tcp::resolver resolver(impl->io);
  bool resolved = false;
  std::error_code resolve_ec;
  Tcp::resolver::results_type endpoints;
  resolver.async_resolve(std::string(host), std::to_string(port), Tcp::resolver::numeric_service,
                         [&](const std::error_code& ec, Tcp::resolver::results_type results) {
                           resolve_ec = ec;
                           endpoints = std::move(results);
                           resolved = true;
                         });
  if (!impl->run(resolved, remaining(), [&] { resolver.cancel(); }) ||
      resolve_ec == asio::error::operation_aborted) {
    return Error{Errc::timeout};
  }
  if (resolve_ec || endpoints.empty()) return Error{Errc::resolve_failed};

  // Connect to the first endpoint that accepts.
  bool connected = false;
  std::error_code connect_ec;
  asio::async_connect(impl->socket, endpoints, [&](const std::error_code& ec, const Tcp::endpoint&) {
    connect_ec = ec;
    connected = true;
  });
  if (!impl->run(connected, remaining(), [&] { impl->close(); }) ||
      connect_ec == asio::error::operation_aborted) {
    impl->close();
    return Error{Errc::timeout};
  }
  if (connect_ec) {
    impl->close();
    const Errc e = detail::classify(connect_ec);
    return Error{e == Errc::refused || e == Errc::timeout ? e : Errc::io};
  }
  std::error_code ignored;
  impl->socket.set_option(Tcp::no_delay(true), ignored);
  return Client(std::move(impl));
}

Status Client::send(ByteView data, std::chrono::milliseconds timeout) {
  if (!is_open()) return Error{Errc::closed};
  bool done = false;
  std::error_code write_ec;
  asio::async_write(impl_->socket, asio::buffer(data.data(), data.size()),
                    [&](const std::error_code& ec, std::size_t) {
                      write_ec = ec;
                      done = true;
                    });
  if (!impl_->run(done, timeout, [&] { impl_->close(); })) {
    return Error{Errc::timeout};  // the socket was closed to abandon the partial write
  }
  if (write_ec == asio::error::operation_aborted) {
    impl_->close();
    return Error{Errc::timeout};
  }
  if (write_ec) {
    const Errc e = detail::classify(write_ec);
    impl_->close();
    return Error{e == Errc::closed ? Errc::closed : Errc::io};
  }
  return {};
}

Result<Bytes> Client::receive(std::chrono::milliseconds timeout, std::size_t max_bytes) {
  if (!is_open()) return Error{Errc::closed};
  Bytes buf(std::max<std::size_t>(max_bytes, 1));
  bool done = false;
  std::error_code read_ec;
  std::size_t n = 0;
  impl_->socket.async_read_some(asio::buffer(buf), [&](const std::error_code& ec, std::size_t got) {
    read_ec = ec;
    n = got;
    done = true;
  });
  impl_->run(done, timeout, [&] {
    std::error_code ignored;
    impl_->socket.cancel(ignored);  // the connection stays usable after a receive time-out
  });
  if (read_ec == asio::error::operation_aborted) return Error{Errc::timeout};
  if (read_ec) {
    const Errc e = detail::classify(read_ec);
    impl_->close();
    return Error{e == Errc::closed ? Errc::closed : Errc::io};
  }
  // Take whatever else has already arrived, without waiting.
  std::error_code ec;
  while (n < buf.size()) {
    const std::size_t available = impl_->socket.available(ec);
    if (ec || available == 0) break;
    n += impl_->socket.read_some(asio::buffer(buf.data() + n, std::min(available, buf.size() - n)), ec);
    if (ec) break;
  }
  buf.resize(n);
  return buf;
}

void Client::close() noexcept {
  if (impl_) impl_->close();
}

bool Client::is_open() const noexcept { return impl_ && impl_->socket.is_open(); }

}  // namespace mmssec::net
