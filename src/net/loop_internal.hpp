// SPDX-License-Identifier: Apache-2.0
// Private to src/net/: the event-loop workers and the connection object shared by accepted
// (net::Server) and outgoing (Loop::connect) connections.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "mmssec/net/loop.hpp"
#include "net_internal.hpp"

namespace mmssec::net {

/// Counters a connection updates (the server's; outgoing connections have none).
struct ConnectionCounters {
  std::atomic<std::uint64_t> timeouts{0};
  std::atomic<std::uint64_t> slow_readers{0};
  std::atomic<std::uint64_t> bytes_in{0};
  std::atomic<std::uint64_t> bytes_out{0};
};

class Conn;

struct Loop::Impl {
  /// One thread running one io_context (concurrency hint 1: no cross-thread scheduling).
  struct Worker {
    asio::io_context io{1};
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
    std::thread thread;
  };

  Impl(std::size_t threads, std::chrono::microseconds busy_poll);

  /// The worker for the next connection (round-robin).
  Worker& next_worker();
  void add(const std::shared_ptr<Conn>& c);
  void remove(Conn* c);
  void stop();

  std::vector<std::unique_ptr<Worker>> workers;
  std::atomic<std::size_t> next{0};

  mutable std::mutex mu;  // guards conns, stopping
  std::unordered_map<Conn*, std::shared_ptr<Conn>> conns;
  bool stopping = false;
  std::once_flag stopped;
};

/// One connection. Every member function except post()/post_after()/close() (the LinkTarget
/// interface, which hop onto the connection's thread) runs on the thread of its worker.
class Conn final : public detail::LinkTarget, public std::enable_shared_from_this<Conn> {
 public:
  using Tcp = asio::ip::tcp;
  using OnGone = std::function<void(Conn*)>;

  Conn(Loop::Impl& loop, Loop::Impl::Worker& worker, Tcp::socket socket,
       std::unique_ptr<ConnectionHandler> handler, const ConnectionOptions& options,
       ConnectionCounters* counters, OnGone on_gone);

  [[nodiscard]] asio::io_context::executor_type executor() { return worker_.io.get_executor(); }

  /// Accepted connection: start reading (on the worker's thread).
  void start_accepted(const PeerInfo& peer);
  /// Outgoing connection: resolve and connect, then start.
  void start_connect(std::string host, std::uint16_t port, std::chrono::milliseconds timeout);
  /// Close at once: socket, timers, then on_closed(). Idempotent.
  void close_now();

  // LinkTarget
  void post(std::function<Reply()> fn) override;
  void post_after(std::chrono::milliseconds delay, std::function<Reply()> fn) override;
  void close() override;

 private:
  void opened(const PeerInfo& peer);
  void read_next();
  void on_read(const std::error_code& ec, std::size_t n);
  void apply(Reply&& reply);
  void enqueue(Bytes&& bytes);
  void write_next();
  void on_write(const std::error_code& ec, std::size_t n);
  void begin_close();
  void set_deadline(std::chrono::steady_clock::time_point when);
  void on_timer(const std::error_code& ec);
  void run_posted(const std::function<Reply()>& fn);

  Loop::Impl& loop_;
  Loop::Impl::Worker& worker_;
  Tcp::socket socket_;
  asio::steady_timer timer_;
  std::unique_ptr<ConnectionHandler> handler_;
  ConnectionOptions options_;
  ConnectionCounters* counters_;
  OnGone on_gone_;
  std::vector<std::shared_ptr<asio::steady_timer>> timers_;  ///< pending post_after() timers
  std::unique_ptr<std::uint8_t[]> read_buf_;
  std::deque<Bytes> out_;
  std::size_t out_offset_ = 0;  ///< bytes of out_.front() already written
  std::size_t out_bytes_ = 0;
  std::chrono::steady_clock::time_point deadline_ = std::chrono::steady_clock::time_point::max();
  bool connected_ = false;
  bool timer_armed_ = false;
  bool writing_ = false;
  bool closing_ = false;
  bool closed_ = false;
};

}  // namespace mmssec::net
