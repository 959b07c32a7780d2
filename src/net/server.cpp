// SPDX-License-Identifier: Apache-2.0
// net::Server: a listening socket on a net::Loop. Accepted connections are spread round-robin
// over the loop's workers (one thread and one event loop each); the acceptor lives on the first.
#include "mmssec/net/server.hpp"

#include <algorithm>
#include <atomic>
#include <cassert>
#include <future>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "loop_internal.hpp"

namespace mmssec::net {

namespace {
using Tcp = asio::ip::tcp;
/// Pause before accepting again after accept() itself failed (e.g. out of file descriptors),
/// so that the loop does not spin.
constexpr std::chrono::milliseconds kAcceptRetryDelay{50};

}  // namespace

struct Server::Impl {
  Impl(ServerConfig c, HandlerFactory f) : config(std::move(c)), factory(std::move(f)) {
    options.first_byte_timeout = config.first_byte_timeout;
    options.idle_timeout = config.idle_timeout;
    options.close_linger = config.close_linger;
    options.max_outgoing_bytes = config.max_outgoing_bytes;
    options.read_buffer_size = std::max<std::size_t>(config.read_buffer_size, 1);
  }

  void accept_next();
  void on_accept(Loop::Impl::Worker& worker, const std::error_code& ec, Tcp::socket socket);

  ServerConfig config;
  ConnectionOptions options;
  HandlerFactory factory;

  std::unique_ptr<Loop> loop;             // created by start()
  std::optional<Tcp::acceptor> acceptor;  // on the first worker's thread
  std::optional<asio::steady_timer> accept_retry;

  std::mutex mu;  // guards started, stopping
  bool started = false;
  bool stopping = false;

  std::atomic<std::uint16_t> bound_port{0};
  std::atomic<std::uint64_t> accepted{0};
  std::atomic<std::uint64_t> active{0};
  std::atomic<std::uint64_t> rejected{0};
  ConnectionCounters counters;
};

void Server::Impl::accept_next() {
  Loop::Impl::Worker& worker = loop->impl().next_worker();
  acceptor->async_accept(worker.io, [this, &worker](const std::error_code& ec, Tcp::socket socket) {
    on_accept(worker, ec, std::move(socket));
  });
}

void Server::Impl::on_accept(Loop::Impl::Worker& worker, const std::error_code& ec, Tcp::socket socket) {
  if (ec == asio::error::operation_aborted || !acceptor->is_open()) return;
  if (ec) {  // e.g. out of file descriptors: pause instead of spinning
    accept_retry->expires_after(kAcceptRetryDelay);
    accept_retry->async_wait([this](const std::error_code& wait_ec) {
      if (!wait_ec && acceptor->is_open()) accept_next();
    });
    return;
  }
  std::error_code ignored;
  const bool full = active.load(std::memory_order_relaxed) >= config.max_connections;
  std::unique_ptr<ConnectionHandler> handler;
  PeerInfo peer;
  if (!full) {
    const auto remote = socket.remote_endpoint(ignored);
    if (!ignored) {
      peer.address = remote.address().to_string();
      peer.port = remote.port();
    }
    try {
      handler = factory(peer);
    } catch (...) {
      handler = nullptr;
    }
  }
  if (!handler) {  // over the limit, or refused by the factory: accepted, then closed at once
    rejected.fetch_add(1, std::memory_order_relaxed);
    socket.shutdown(Tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
    accept_next();
    return;
  }
  auto conn =
      std::make_shared<Conn>(loop->impl(), worker, std::move(socket), std::move(handler), options, &counters,
                             [this](Conn*) { active.fetch_sub(1, std::memory_order_relaxed); });
  accepted.fetch_add(1, std::memory_order_relaxed);
  active.fetch_add(1, std::memory_order_relaxed);
  loop->impl().add(conn);  // during shutdown this closes it at once (on_closed() still runs)
  asio::post(conn->executor(), [conn, peer] { conn->start_accepted(peer); });
  accept_next();
}

Server::Server(ServerConfig config, HandlerFactory factory)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(factory))) {}

Server::~Server() { stop(); }

Status Server::start() {
  Impl& s = *impl_;
  {
    const std::lock_guard lock(s.mu);
    if (s.started || s.stopping) return Error{Errc::invalid_state};
    s.started = true;
  }
  std::error_code ec;
  const auto address = asio::ip::make_address(s.config.host, ec);
  if (ec) return Error{Errc::resolve_failed};
  const Tcp::endpoint endpoint(address, s.config.port);
  s.loop = std::make_unique<Loop>(s.config.threads, s.config.busy_poll);
  asio::io_context& io = s.loop->impl().workers.front()->io;
  s.acceptor.emplace(io);
  s.accept_retry.emplace(io);
  // The acceptor is set up here, before any handler that uses it can run.
  const auto fail = [&s] {
    s.accept_retry.reset();
    s.acceptor.reset();  // closes the socket; before the loop that owns its io_context
    s.loop.reset();      // stops and joins
    return Error{Errc::bind_failed};
  };
  s.acceptor->open(endpoint.protocol(), ec);
  if (ec) return fail();
  s.acceptor->set_option(Tcp::acceptor::reuse_address(true), ec);
  if (ec) return fail();
  s.acceptor->bind(endpoint, ec);
  if (ec) return fail();
  s.acceptor->listen(s.config.backlog, ec);
  if (ec) return fail();
  const auto local = s.acceptor->local_endpoint(ec);
  if (ec) return fail();
  s.bound_port.store(local.port());
  asio::post(io, [&s] { s.accept_next(); });
  return {};
}

void Server::stop() {
  Impl& s = *impl_;
  {
    const std::lock_guard lock(s.mu);
    if (s.stopping) return;
    s.stopping = true;
  }
  if (!s.loop) return;
  std::promise<void> closed;
  asio::post(s.loop->impl().workers.front()->io, [&s, &closed] {
    std::error_code ignored;
    s.acceptor->close(ignored);
    s.accept_retry->cancel();
    closed.set_value();
  });
  closed.get_future().wait();
  s.loop->stop();  // closes every connection (handlers get on_closed()) and joins the threads
}

std::uint16_t Server::port() const noexcept { return impl_->bound_port.load(); }

ServerStats Server::stats() const noexcept {
  const Impl& s = *impl_;
  ServerStats out;
  out.accepted = s.accepted.load(std::memory_order_relaxed);
  out.active = s.active.load(std::memory_order_relaxed);
  out.rejected = s.rejected.load(std::memory_order_relaxed);
  out.timeouts = s.counters.timeouts.load(std::memory_order_relaxed);
  out.slow_readers = s.counters.slow_readers.load(std::memory_order_relaxed);
  out.bytes_in = s.counters.bytes_in.load(std::memory_order_relaxed);
  out.bytes_out = s.counters.bytes_out.load(std::memory_order_relaxed);
  return out;
}

}  // namespace mmssec::net
