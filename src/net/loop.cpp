// SPDX-License-Identifier: Apache-2.0
// net::Loop and the connection object: a fixed pool of single-threaded event loops. A connection
// belongs to one worker for its whole life, so its socket, timers and handler are touched by that
// worker's thread only; other threads reach it through Link (post), which hops onto that thread.
//
// Reading: one async_read_some at a time into the connection's buffer (read_buffer_size, 4 KiB
// by default: small enough for thousands of idle associations, see docs/performance.md; larger
// PDUs arrive in several chunks, which every handler accepts). Writing: directly while the
// socket takes the bytes, asynchronously for the rest.
#include <algorithm>
#include <cassert>
#include <utility>

#include "loop_internal.hpp"

namespace mmssec::net {

namespace {
using SteadyTime = std::chrono::steady_clock::time_point;
constexpr SteadyTime kNever = SteadyTime::max();

SteadyTime deadline_after(std::chrono::milliseconds d) {
  return d.count() > 0 ? std::chrono::steady_clock::now() + d : kNever;
}
}  // namespace

// ---------------------------------------------------------------------------------------------
// Loop
// ---------------------------------------------------------------------------------------------

namespace {
/// One worker's event loop. After the last ready handler it keeps polling for `spin` before it
/// blocks in the kernel: a request/response peer usually answers within tens of microseconds,
/// and catching that answer while still awake saves the wake-up latency of a sleeping thread
/// (on virtual machines often larger than the whole round trip). spin = 0 blocks at once.
void run_worker(asio::io_context& io, std::chrono::microseconds spin) {
  if (spin.count() <= 0) {
    io.run();
    return;
  }
  for (;;) {
    if (io.poll() > 0) continue;
    const auto until = std::chrono::steady_clock::now() + spin;
    std::size_t ran = 0;
    while (ran == 0 && !io.stopped() && std::chrono::steady_clock::now() < until) ran = io.poll();
    if (ran > 0) continue;
    if (io.run_one() == 0) return;  // stopped: no work left
  }
}
}  // namespace

Loop::Impl::Impl(std::size_t threads, std::chrono::microseconds busy_poll) {
  if (threads == 0) threads = std::thread::hardware_concurrency();
  threads = std::max<std::size_t>(threads, 1);
  workers.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i) {
    auto w = std::make_unique<Worker>();
    w->work.emplace(w->io.get_executor());
    workers.push_back(std::move(w));
  }
  for (auto& w : workers) {
    Worker* wp = w.get();
    wp->thread = std::thread([wp, spin = busy_poll] {
      for (;;) {
        try {
          run_worker(wp->io, spin);
          return;
        } catch (...) {  // NOLINT(bugprone-empty-catch): handlers catch their own; keep serving
        }
      }
    });
  }
}

Loop::Impl::Worker& Loop::Impl::next_worker() {
  return *workers[next.fetch_add(1, std::memory_order_relaxed) % workers.size()];
}

void Loop::Impl::add(const std::shared_ptr<Conn>& c) {
  bool refuse = false;
  {
    const std::lock_guard lock(mu);
    if (stopping) {
      refuse = true;
    } else {
      conns.emplace(c.get(), c);
    }
  }
  if (refuse) asio::post(c->executor(), [c] { c->close_now(); });
}

void Loop::Impl::remove(Conn* c) {
  std::shared_ptr<Conn> keep;  // released outside the lock
  const std::lock_guard lock(mu);
  auto it = conns.find(c);
  if (it == conns.end()) return;
  keep = std::move(it->second);
  conns.erase(it);
}

void Loop::Impl::stop() {
  std::call_once(stopped, [this] {
    // Joining a worker from its own thread would deadlock (documented precondition).
    assert(std::none_of(workers.begin(), workers.end(),
                        [](const auto& w) { return w->thread.get_id() == std::this_thread::get_id(); }));
    std::vector<std::shared_ptr<Conn>> open;
    {
      const std::lock_guard lock(mu);
      stopping = true;
      open.reserve(conns.size());
      for (auto& [key, c] : conns) open.push_back(c);
    }
    for (auto& c : open) asio::post(c->executor(), [c] { c->close_now(); });
    open.clear();
    for (auto& w : workers) w->work.reset();
    for (auto& w : workers) {
      if (w->thread.joinable()) w->thread.join();
    }
  });
}

Loop::Loop(std::size_t threads, std::chrono::microseconds busy_poll)
    : impl_(std::make_unique<Impl>(threads, busy_poll)) {}
Loop::~Loop() { stop(); }
void Loop::stop() { impl_->stop(); }
std::size_t Loop::threads() const noexcept { return impl_->workers.size(); }
std::size_t Loop::connections() const noexcept {
  const std::lock_guard lock(impl_->mu);
  return impl_->conns.size();
}

void Loop::post(std::function<void()> fn) { asio::post(impl_->next_worker().io, std::move(fn)); }

Link Loop::connect(std::string host, std::uint16_t port, std::unique_ptr<ConnectionHandler> handler,
                   ConnectOptions options) {
  Impl::Worker& w = impl_->next_worker();
  auto c = std::make_shared<Conn>(*impl_, w, Conn::Tcp::socket(w.io), std::move(handler), options.connection,
                                  nullptr, nullptr);
  impl_->add(c);
  Link link{std::weak_ptr<detail::LinkTarget>(c)};
  asio::post(c->executor(), [c, host = std::move(host), port, t = options.connect_timeout]() mutable {
    c->start_connect(std::move(host), port, t);
  });
  return link;
}

// ---------------------------------------------------------------------------------------------
// Conn
// ---------------------------------------------------------------------------------------------

Conn::Conn(Loop::Impl& loop, Loop::Impl::Worker& worker, Tcp::socket socket,
           std::unique_ptr<ConnectionHandler> handler, const ConnectionOptions& options,
           ConnectionCounters* counters, OnGone on_gone)
    : loop_(loop),
      worker_(worker),
      socket_(std::move(socket)),
      timer_(worker.io),
      handler_(std::move(handler)),
      options_(options),
      counters_(counters),
      on_gone_(std::move(on_gone)) {
  options_.read_buffer_size = std::max<std::size_t>(options_.read_buffer_size, 1);
  read_buf_ = std::make_unique_for_overwrite<std::uint8_t[]>(options_.read_buffer_size);
}

void Conn::start_accepted(const PeerInfo& peer) {
  if (closed_) return;  // shut down before it started
  std::error_code ignored;
  socket_.set_option(Tcp::no_delay(true), ignored);
  socket_.non_blocking(true, ignored);
  opened(peer);
}

void Conn::opened(const PeerInfo& peer) {
  connected_ = true;
  // Before the first byte the first-byte timeout applies (the idle timeout if that is off).
  const auto first =
      options_.first_byte_timeout.count() > 0 ? options_.first_byte_timeout : options_.idle_timeout;
  set_deadline(deadline_after(first));
  Reply reply;
  try {
    reply = handler_->on_open(Link{std::weak_ptr<detail::LinkTarget>(shared_from_this())}, peer);
  } catch (...) {
    close_now();
    return;
  }
  apply(std::move(reply));
  write_next();  // bytes posted before the connection was up
  if (!closed_ && !closing_) read_next();
}

void Conn::start_connect(std::string host, std::uint16_t port, std::chrono::milliseconds timeout) {
  if (closed_) return;
  auto resolver = std::make_shared<Tcp::resolver>(worker_.io);
  auto fail = [self = shared_from_this(), resolver](Errc e) {
    if (self->closed_) return;
    try {
      self->handler_->on_connect_failed(Error{e});
    } catch (...) {  // NOLINT(bugprone-empty-catch): closing anyway
    }
    self->close_now();
  };
  // One deadline for resolve + connect: cancel both when it expires.
  timer_armed_ = true;
  timer_.expires_after(timeout);
  timer_.async_wait([self = shared_from_this(), resolver, fail](const std::error_code& ec) {
    self->timer_armed_ = false;
    if (ec == asio::error::operation_aborted || self->closed_ || self->connected_) return;
    resolver->cancel();
    fail(Errc::timeout);
  });
  resolver->async_resolve(host, std::to_string(port), Tcp::resolver::numeric_service,
                          [self = shared_from_this(), resolver, fail](const std::error_code& ec,
                                                                      Tcp::resolver::results_type results) {
                            if (self->closed_) return;
                            if (ec == asio::error::operation_aborted) return;  // the deadline fired
                            if (ec || results.empty()) {
                              self->timer_.cancel();
                              fail(Errc::resolve_failed);
                              return;
                            }
                            asio::async_connect(
                                self->socket_, results,
                                [self, fail](const std::error_code& cec, const Tcp::endpoint& remote) {
                                  if (self->closed_) return;
                                  self->timer_.cancel();
                                  self->timer_armed_ = false;
                                  if (cec) {
                                    const Errc e = detail::classify(cec);
                                    fail(cec == asio::error::operation_aborted ? Errc::timeout
                                         : e == Errc::refused                  ? Errc::refused
                                                                               : Errc::io);
                                    return;
                                  }
                                  std::error_code ignored;
                                  self->socket_.set_option(Tcp::no_delay(true), ignored);
                                  self->socket_.non_blocking(true, ignored);
                                  self->opened(PeerInfo{remote.address().to_string(), remote.port()});
                                });
                          });
}

void Conn::close_now() {
  if (closed_) return;
  closed_ = true;
  std::error_code ignored;
  socket_.shutdown(Tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  timer_.cancel();
  for (auto& t : timers_) t->cancel();
  timers_.clear();
  out_.clear();
  out_bytes_ = 0;
  // Unregistered before on_closed(), so that a handler observing its own close sees consistent
  // counters. The caller's completion handler still holds a reference to *this.
  if (on_gone_) on_gone_(this);
  loop_.remove(this);
  try {
    handler_->on_closed();
  } catch (...) {  // NOLINT(bugprone-empty-catch): the connection is gone either way
  }
}

void Conn::post(std::function<Reply()> fn) {
  asio::post(worker_.io, [self = shared_from_this(), fn = std::move(fn)] { self->run_posted(fn); });
}

void Conn::post_after(std::chrono::milliseconds delay, std::function<Reply()> fn) {
  asio::post(worker_.io, [self = shared_from_this(), delay, fn = std::move(fn)]() mutable {
    if (self->closed_) return;
    auto t = std::make_shared<asio::steady_timer>(self->worker_.io, delay);
    self->timers_.push_back(t);
    // The timer holds only a weak reference: a closed connection is not kept alive by it, and
    // close_now() cancels it so that a stopping loop does not wait for it.
    t->async_wait(
        [weak = std::weak_ptr<Conn>(self), raw = t.get(), fn = std::move(fn)](const std::error_code& ec) {
          auto s = weak.lock();
          if (!s) return;
          std::erase_if(s->timers_, [raw](const auto& p) { return p.get() == raw; });
          if (!ec) s->run_posted(fn);
        });
  });
}

void Conn::close() {
  asio::post(worker_.io, [self = shared_from_this()] {
    if (!self->closed_ && !self->closing_) self->begin_close();
  });
}

void Conn::run_posted(const std::function<Reply()>& fn) {
  if (closed_ || closing_) return;
  Reply reply;
  try {
    reply = fn();
  } catch (...) {
    close_now();
    return;
  }
  apply(std::move(reply));
}

void Conn::apply(Reply&& reply) {
  enqueue(std::move(reply.send));
  if (closed_) return;
  if (reply.close && !closing_) begin_close();
}

void Conn::read_next() {
  socket_.async_read_some(
      asio::buffer(read_buf_.get(), options_.read_buffer_size),
      [self = shared_from_this()](const std::error_code& ec, std::size_t n) { self->on_read(ec, n); });
}

void Conn::on_read(const std::error_code& ec, std::size_t n) {
  if (closed_) return;
  if (ec) {  // end of stream, reset, or cancelled
    close_now();
    return;
  }
  if (closing_) return;  // a close is pending: nothing more is read or handed to the handler
  if (counters_ != nullptr) counters_->bytes_in.fetch_add(n, std::memory_order_relaxed);
  set_deadline(deadline_after(options_.idle_timeout));
  Reply reply;
  try {
    reply = handler_->on_data(ByteView(read_buf_.get(), n));
  } catch (...) {
    close_now();
    return;
  }
  apply(std::move(reply));
  if (closed_ || closing_) return;
  read_next();
}

void Conn::enqueue(Bytes&& bytes) {
  if (bytes.empty() || closed_) return;
  if (bytes.size() > options_.max_outgoing_bytes - std::min(out_bytes_, options_.max_outgoing_bytes)) {
    if (counters_ != nullptr) counters_->slow_readers.fetch_add(1, std::memory_order_relaxed);
    close_now();
    return;
  }
  out_bytes_ += bytes.size();
  out_.push_back(std::move(bytes));
  write_next();
}

void Conn::write_next() {
  if (!connected_ || writing_ || closed_) return;
  // Write directly while the socket takes the bytes (the common case: no completion handler,
  // no extra turn of the event loop); only what the socket does not take goes through
  // async_write.
  while (!out_.empty()) {
    Bytes& front = out_.front();
    std::error_code ec;
    const std::size_t n =
        socket_.write_some(asio::buffer(front.data() + out_offset_, front.size() - out_offset_), ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) break;
    if (ec) {
      close_now();
      return;
    }
    if (counters_ != nullptr) counters_->bytes_out.fetch_add(n, std::memory_order_relaxed);
    out_offset_ += n;
    if (out_offset_ < front.size()) break;  // the socket buffer is full
    out_bytes_ -= front.size();
    out_offset_ = 0;
    out_.pop_front();
  }
  if (out_.empty()) {
    if (closing_) close_now();
    return;
  }
  writing_ = true;
  Bytes& front = out_.front();
  asio::async_write(
      socket_, asio::buffer(front.data() + out_offset_, front.size() - out_offset_),
      [self = shared_from_this()](const std::error_code& ec, std::size_t n) { self->on_write(ec, n); });
}

void Conn::on_write(const std::error_code& ec, std::size_t n) {
  writing_ = false;
  if (counters_ != nullptr) counters_->bytes_out.fetch_add(n, std::memory_order_relaxed);
  if (closed_) return;
  if (ec) {
    close_now();
    return;
  }
  out_bytes_ -= out_.front().size();
  out_offset_ = 0;
  out_.pop_front();
  write_next();
}

void Conn::begin_close() {
  closing_ = true;
  if (!connected_ || (out_.empty() && !writing_)) {
    close_now();
    return;
  }
  set_deadline(deadline_after(options_.close_linger));
}

void Conn::set_deadline(SteadyTime when) {
  deadline_ = when;
  if (when == kNever) return;
  if (timer_armed_ && timer_.expiry() <= when) return;
  timer_armed_ = true;
  timer_.expires_at(when);  // cancels an armed wait, whose handler then sees operation_aborted
  timer_.async_wait([self = shared_from_this()](const std::error_code& ec) { self->on_timer(ec); });
}

void Conn::on_timer(const std::error_code& ec) {
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
  if (counters_ != nullptr) counters_->timeouts.fetch_add(1, std::memory_order_relaxed);
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

}  // namespace mmssec::net
