// SPDX-License-Identifier: Apache-2.0
// net::Server: one io_context run by a fixed pool of threads. The acceptor and every connection
// live on their own strand, so each connection's reads, writes, timer and handler calls are
// serialised without locks while different connections run in parallel.
#include "mmssec/net/server.hpp"

#include <algorithm>
#include <atomic>
#include <cassert>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "net_internal.hpp"

namespace mmssec::net {

namespace {
using Tcp = asio::ip::tcp;
using SteadyTime = std::chrono::steady_clock::time_point;
constexpr SteadyTime kNever = SteadyTime::max();
/// Pause before accepting again after accept() itself failed (e.g. out of file descriptors),
/// so that the loop does not spin.
constexpr std::chrono::milliseconds kAcceptRetryDelay{50};

SteadyTime deadline_after(std::chrono::milliseconds d) {
  return d.count() > 0 ? std::chrono::steady_clock::now() + d : kNever;
}
}  // namespace

struct Server::Impl {
  class Connection;

  Impl(ServerConfig c, HandlerFactory f) : config(std::move(c)), factory(std::move(f)) {
    config.read_buffer_size = std::max<std::size_t>(config.read_buffer_size, 1);
  }

  void accept_next();
  void on_accept(const std::error_code& ec, Tcp::socket socket);
  void unregister(Connection* c);

  ServerConfig config;
  HandlerFactory factory;

  asio::io_context io;
  asio::strand<asio::io_context::executor_type> accept_strand{asio::make_strand(io)};
  Tcp::acceptor acceptor{accept_strand};
  asio::steady_timer accept_retry{accept_strand};
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::vector<std::thread> pool;

  std::mutex mu;  // guards connections, started, stopping
  std::unordered_map<Connection*, std::shared_ptr<Connection>> connections;
  bool started = false;
  bool stopping = false;

  std::atomic<std::uint16_t> bound_port{0};
  std::atomic<std::uint64_t> accepted{0};
  std::atomic<std::uint64_t> active{0};
  std::atomic<std::uint64_t> rejected{0};
  std::atomic<std::uint64_t> timeouts{0};
  std::atomic<std::uint64_t> slow_readers{0};
  std::atomic<std::uint64_t> bytes_in{0};
  std::atomic<std::uint64_t> bytes_out{0};
};

/// One accepted connection. Every member function runs on the connection's strand (the
/// executor of its socket); completion handlers keep the object alive through shared_from_this.
class Server::Impl::Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(Impl& server, Tcp::socket socket, std::unique_ptr<ConnectionHandler> handler)
      : server_(server),
        socket_(std::move(socket)),
        timer_(socket_.get_executor()),
        handler_(std::move(handler)),
        read_buf_(server.config.read_buffer_size) {}

  [[nodiscard]] Tcp::socket::executor_type executor() { return socket_.get_executor(); }

  void start() {
    if (closed_) return;  // shut down before it started
    // Before the first byte the first-byte timeout applies (the idle timeout if that is off).
    const auto first = server_.config.first_byte_timeout.count() > 0 ? server_.config.first_byte_timeout
                                                                     : server_.config.idle_timeout;
    set_deadline(deadline_after(first));
    read_next();
  }

  /// Close at once: the socket, the timer, then the handler's on_closed(). Idempotent.
  void close_now() {
    if (closed_) return;
    closed_ = true;
    std::error_code ignored;
    socket_.shutdown(Tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    timer_.cancel();
    out_.clear();
    out_bytes_ = 0;
    // Counted as inactive before on_closed(), so that a handler observing its own close sees
    // consistent counters. The caller's completion handler still holds a reference to *this.
    server_.unregister(this);
    try {
      handler_->on_closed();
    } catch (...) {  // NOLINT(bugprone-empty-catch): the connection is gone either way
    }
  }

 private:
  void read_next() {
    socket_.async_read_some(
        asio::buffer(read_buf_),
        [self = shared_from_this()](const std::error_code& ec, std::size_t n) { self->on_read(ec, n); });
  }

  void on_read(const std::error_code& ec, std::size_t n) {
    if (closed_) return;
    if (ec) {  // end of stream, reset, or cancelled
      close_now();
      return;
    }
    if (closing_) return;  // a close is pending: nothing more is read or handed to the handler
    server_.bytes_in.fetch_add(n, std::memory_order_relaxed);
    set_deadline(deadline_after(server_.config.idle_timeout));
    Reply reply;
    try {
      reply = handler_->on_data(ByteView(read_buf_.data(), n));
    } catch (...) {
      close_now();
      return;
    }
    enqueue(std::move(reply.send));
    if (closed_) return;
    if (reply.close) {
      begin_close();
    } else {
      read_next();
    }
  }

  /// Queue bytes for sending (moved, not copied). Closes the connection when the bytes waiting to
  /// be written would exceed max_outgoing_bytes (a peer that does not read).
  void enqueue(Bytes&& bytes) {
    if (bytes.empty()) return;
    if (bytes.size() >
        server_.config.max_outgoing_bytes - std::min(out_bytes_, server_.config.max_outgoing_bytes)) {
      server_.slow_readers.fetch_add(1, std::memory_order_relaxed);
      close_now();
      return;
    }
    out_bytes_ += bytes.size();
    out_.push_back(std::move(bytes));
    write_next();
  }

  /// One write in flight; the front of the queue is written straight from its buffer.
  void write_next() {
    if (writing_ || out_.empty()) return;
    writing_ = true;
    asio::async_write(
        socket_, asio::buffer(out_.front()),
        [self = shared_from_this()](const std::error_code& ec, std::size_t n) { self->on_write(ec, n); });
  }

  void on_write(const std::error_code& ec, std::size_t n) {
    writing_ = false;
    server_.bytes_out.fetch_add(n, std::memory_order_relaxed);
    if (closed_) return;
    if (ec) {
      close_now();
      return;
    }
    out_bytes_ -= out_.front().size();
    out_.pop_front();
    if (!out_.empty()) {
      write_next();
    } else if (closing_) {
      close_now();
    }
  }

  /// Close once the queued bytes are written, but wait at most close_linger for that.
  void begin_close() {
    closing_ = true;
    if (out_.empty() && !writing_) {
      close_now();
      return;
    }
    set_deadline(deadline_after(server_.config.close_linger));
  }

  /// Move the connection's single deadline. The timer is re-armed only when the new deadline is
  /// earlier than the armed one; a later deadline is picked up when the armed one fires.
  void set_deadline(SteadyTime when) {
    deadline_ = when;
    if (when == kNever) return;
    if (timer_armed_ && timer_.expiry() <= when) return;
    timer_armed_ = true;
    timer_.expires_at(when);  // cancels an armed wait, whose handler then sees operation_aborted
    timer_.async_wait([self = shared_from_this()](const std::error_code& ec) { self->on_timer(ec); });
  }

  void on_timer(const std::error_code& ec) {
    if (ec == asio::error::operation_aborted || closed_) return;
    timer_armed_ = false;
    if (deadline_ == kNever) return;
    if (std::chrono::steady_clock::now() < deadline_) {  // activity moved the deadline: wait on
      set_deadline(deadline_);
      return;
    }
    if (closing_) {  // the linger after a close request expired
      close_now();
      return;
    }
    server_.timeouts.fetch_add(1, std::memory_order_relaxed);
    Reply reply;
    try {
      reply = handler_->on_timeout();
    } catch (...) {
      close_now();
      return;
    }
    enqueue(std::move(reply.send));
    if (!closed_) begin_close();
  }

  Impl& server_;
  Tcp::socket socket_;
  asio::steady_timer timer_;
  std::unique_ptr<ConnectionHandler> handler_;
  Bytes read_buf_;  // reused for every read
  std::deque<Bytes> out_;
  std::size_t out_bytes_ = 0;
  SteadyTime deadline_ = kNever;
  bool timer_armed_ = false;
  bool writing_ = false;
  bool closing_ = false;
  bool closed_ = false;
};

void Server::Impl::accept_next() {
  acceptor.async_accept(asio::make_strand(io), [this](const std::error_code& ec, Tcp::socket socket) {
    on_accept(ec, std::move(socket));
  });
}

void Server::Impl::on_accept(const std::error_code& ec, Tcp::socket socket) {
  if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
  if (ec) {
    accept_retry.expires_after(kAcceptRetryDelay);
    accept_retry.async_wait([this](const std::error_code& wait_ec) {
      if (!wait_ec && acceptor.is_open()) accept_next();
    });
    return;
  }
  std::error_code ignored;
  bool full = false;
  {
    const std::lock_guard lock(mu);
    if (stopping) {
      socket.close(ignored);
      return;
    }
    full = connections.size() >= config.max_connections;
  }
  std::unique_ptr<ConnectionHandler> handler;
  if (!full) {
    PeerInfo peer;
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
  socket.set_option(Tcp::no_delay(true), ignored);
  auto conn = std::make_shared<Connection>(*this, std::move(socket), std::move(handler));
  {
    const std::lock_guard lock(mu);
    if (stopping) {  // stop() began after the check above: the handler still gets on_closed()
      asio::post(conn->executor(), [conn] { conn->close_now(); });
      return;
    }
    connections.emplace(conn.get(), conn);
    accepted.fetch_add(1, std::memory_order_relaxed);
    active.fetch_add(1, std::memory_order_relaxed);
    asio::post(conn->executor(), [conn] { conn->start(); });
  }
  accept_next();
}

void Server::Impl::unregister(Connection* c) {
  std::shared_ptr<Connection> keep;  // released outside the lock
  const std::lock_guard lock(mu);
  auto it = connections.find(c);
  if (it == connections.end()) return;
  keep = std::move(it->second);
  connections.erase(it);
  active.fetch_sub(1, std::memory_order_relaxed);
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
  // No thread runs yet, so the acceptor may be set up outside its strand.
  const auto fail = [&s] {
    std::error_code ignored;
    s.acceptor.close(ignored);
    return Error{Errc::bind_failed};
  };
  s.acceptor.open(endpoint.protocol(), ec);
  if (ec) return fail();
  s.acceptor.set_option(Tcp::acceptor::reuse_address(true), ec);
  if (ec) return fail();
  s.acceptor.bind(endpoint, ec);
  if (ec) return fail();
  s.acceptor.listen(s.config.backlog, ec);
  if (ec) return fail();
  const auto local = s.acceptor.local_endpoint(ec);
  if (ec) return fail();
  s.bound_port.store(local.port());

  s.work.emplace(s.io.get_executor());
  s.accept_next();
  std::size_t threads = s.config.threads != 0 ? s.config.threads : std::thread::hardware_concurrency();
  threads = std::max<std::size_t>(threads, 1);
  s.pool.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i) {
    s.pool.emplace_back([&s] {
      for (;;) {
        try {
          s.io.run();
          return;
        } catch (...) {  // NOLINT(bugprone-empty-catch): handlers catch their own; keep serving
        }
      }
    });
  }
  return {};
}

void Server::stop() {
  Impl& s = *impl_;
  // Joining the pool from one of its own threads would deadlock (documented precondition).
  assert(std::none_of(s.pool.begin(), s.pool.end(),
                      [](const std::thread& t) { return t.get_id() == std::this_thread::get_id(); }));
  std::vector<std::shared_ptr<Impl::Connection>> open;
  {
    const std::lock_guard lock(s.mu);
    s.stopping = true;
    open.reserve(s.connections.size());
    for (auto& [key, conn] : s.connections) open.push_back(conn);
  }
  asio::post(s.accept_strand, [&s] {
    std::error_code ignored;
    s.acceptor.close(ignored);
    s.accept_retry.cancel();
  });
  for (auto& conn : open) asio::post(conn->executor(), [conn] { conn->close_now(); });
  open.clear();
  s.work.reset();
  for (auto& t : s.pool) {
    if (t.joinable()) t.join();
  }
  s.pool.clear();
}

std::uint16_t Server::port() const noexcept { return impl_->bound_port.load(); }

ServerStats Server::stats() const noexcept {
  const Impl& s = *impl_;
  ServerStats out;
  out.accepted = s.accepted.load(std::memory_order_relaxed);
  out.active = s.active.load(std::memory_order_relaxed);
  out.rejected = s.rejected.load(std::memory_order_relaxed);
  out.timeouts = s.timeouts.load(std::memory_order_relaxed);
  out.slow_readers = s.slow_readers.load(std::memory_order_relaxed);
  out.bytes_in = s.bytes_in.load(std::memory_order_relaxed);
  out.bytes_out = s.bytes_out.load(std::memory_order_relaxed);
  return out;
}

}  // namespace mmssec::net
