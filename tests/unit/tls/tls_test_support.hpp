// SPDX-License-Identifier: Apache-2.0
// Shared helpers of the TLS tests: inner handlers that record what they see (tests wait on a
// condition variable, never sleep), server/client set-ups on loopback port 0 with the test PKI,
// and a raw OpenSSL client (blocking socket with short timeouts) for peers our Context would
// never be: no certificate, TLS 1.1, a peer that stops reading, one that refuses renegotiation.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "mmssec/events/event.hpp"
#include "mmssec/net/loop.hpp"
#include "mmssec/net/server.hpp"
#include "mmssec/tls/tls.hpp"
#include "support/openssl_pki.hpp"

namespace mmssec::tls::testing {

using namespace std::chrono_literals;
using test_support::OpensslPki;
using test_support::PkiCredential;

inline Bytes bytes_of(std::string_view s) { return Bytes(s.begin(), s.end()); }

/// What the inner (plaintext) handlers of one side saw. Thread-safe; every change notifies.
class Seen {
 public:
  void update(const std::function<void(Seen&)>& f) {
    {
      const std::lock_guard lock(mu_);
      f(*this);
    }
    cv_.notify_all();
  }
  [[nodiscard]] bool wait(const std::function<bool(const Seen&)>& pred,
                          std::chrono::milliseconds limit = 4s) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, limit, [&] { return pred(*this); });
  }
  template <class T>
  T get(const std::function<T(const Seen&)>& f) const {
    const std::lock_guard lock(mu_);
    return f(*this);
  }
  [[nodiscard]] std::string text() const {
    return get<std::string>([](const Seen& s) { return s.received; });
  }
  [[nodiscard]] int closed_count() const {
    return get<int>([](const Seen& s) { return s.closed; });
  }
  [[nodiscard]] net::Link link(std::size_t i = 0) const {
    return get<net::Link>([i](const Seen& s) { return i < s.links.size() ? s.links[i] : net::Link{}; });
  }

  std::string received;  ///< plaintext delivered to the inner handlers (all connections)
  int opened = 0;
  int closed = 0;
  int data_calls = 0;
  std::vector<net::Link> links;  ///< each inner handler's Link (the TLS handler's wrapper)

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
};

/// Records, echoes (server) or greets (client): `greeting` is sent from on_open().
class RecordingHandler final : public net::ConnectionHandler {
 public:
  RecordingHandler(std::shared_ptr<Seen> seen, bool echo, std::string greeting = {})
      : seen_(std::move(seen)), echo_(echo), greeting_(std::move(greeting)) {}
  net::Reply on_open(const net::Link& link, const net::PeerInfo& /*peer*/) override {
    seen_->update([&](Seen& s) {
      ++s.opened;
      s.links.push_back(link);
    });
    return net::Reply{bytes_of(greeting_), false};
  }
  net::Reply on_data(ByteView data) override {
    seen_->update([&](Seen& s) {
      s.received.append(data.begin(), data.end());
      ++s.data_calls;
    });
    return echo_ ? net::Reply{Bytes(data.begin(), data.end()), false} : net::Reply{};
  }
  void on_closed() override {
    EXPECT_FALSE(closed_) << "inner on_closed twice";
    closed_ = true;
    seen_->update([](Seen& s) { ++s.closed; });
  }

 private:
  std::shared_ptr<Seen> seen_;
  bool echo_;
  std::string greeting_;
  bool closed_ = false;
};

inline Config base_config(const PkiCredential& cred, const std::shared_ptr<events::Sink>& sink) {
  const auto& pki = OpensslPki::shared();
  Config c;
  c.certificate_file = cred.cert;
  c.private_key_file = cred.key;
  c.trust_anchor_files = {pki.ca};
  c.crl_files = {pki.crl_empty};
  c.events = sink;
  return c;
}

inline std::shared_ptr<Context> make_context(Role role, Config cfg) {
  std::string why;
  auto r = Context::create(role, std::move(cfg), &why);
  EXPECT_TRUE(r.ok()) << (r.ok() ? std::string() : r.error().describe()) << ": " << why;
  return r.ok() ? *r : nullptr;
}

inline net::ServerConfig server_net_config() {
  net::ServerConfig c;
  c.host = "127.0.0.1";
  c.port = 0;
  c.threads = 1;
  c.busy_poll = std::chrono::microseconds{0};
  c.first_byte_timeout = 4s;
  c.idle_timeout = 8s;
  c.close_linger = 500ms;
  return c;
}

/// A TLS echo server on 127.0.0.1 (ephemeral port).
class EchoServer {
 public:
  EchoServer(std::shared_ptr<Context> ctx, std::shared_ptr<Seen> seen = std::make_shared<Seen>())
      : ctx_(std::move(ctx)),
        seen_(std::move(seen)),
        server_(server_net_config(), [this](const net::PeerInfo&) {
          return ctx_->wrap(std::make_unique<RecordingHandler>(seen_, true));
        }) {
    const Status s = server_.start();
    EXPECT_TRUE(s.ok());
  }
  [[nodiscard]] std::uint16_t port() const { return server_.port(); }
  [[nodiscard]] Seen& seen() { return *seen_; }
  [[nodiscard]] Context& ctx() { return *ctx_; }
  void stop() { server_.stop(); }

 private:
  std::shared_ptr<Context> ctx_;
  std::shared_ptr<Seen> seen_;
  net::Server server_;
};

/// Opens one TLS client connection (greeting sent once the session is up) on `loop`.
inline std::shared_ptr<Seen> connect_client(net::Loop& loop, const std::shared_ptr<Context>& ctx,
                                            std::uint16_t port, std::string greeting = "hello",
                                            std::string peer_key = {}) {
  auto seen = std::make_shared<Seen>();
  net::ConnectOptions opts;
  opts.connect_timeout = 2s;
  loop.connect(
      "127.0.0.1", port,
      ctx->wrap(std::make_unique<RecordingHandler>(seen, false, std::move(greeting)), std::move(peer_key)),
      opts);
  return seen;
}

/// The value of an event field ("" when absent).
inline std::string field(const events::Event& e, std::string_view key) {
  for (const auto& [k, v] : e.fields) {
    if (k == key) return v;
  }
  return {};
}

/// The first event with this id (a default Event when none).
inline events::Event first(const events::MemorySink& sink, events::Id id) {
  for (const auto& e : sink.events()) {
    if (e.id == id) return e;
  }
  return {};
}

/// For counters, which have no callback: poll `pred` until it holds or `limit` passes.
inline bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds limit = 3s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

/// Number of alarm events of the handshake-failure kinds (exactly one per failed handshake).
inline std::size_t failure_events(const events::MemorySink& sink) {
  std::size_t n = 0;
  for (const auto& e : sink.events()) {
    if (e.severity == events::Severity::alarm) ++n;
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// A raw OpenSSL client on a blocking socket (receive/send timeouts of 100 ms, so every loop
// below is bounded by its deadline).
// ---------------------------------------------------------------------------------------------

struct RawOptions {
  std::string cert;  ///< empty = no client certificate
  std::string key;
  int min_version = TLS1_2_VERSION;
  int max_version = TLS1_3_VERSION;
  std::string ciphers;  ///< TLS <= 1.2 cipher list; empty = OpenSSL default
  std::uint64_t options = 0;
  int security_level = 1;
};

class RawClient {
 public:
  RawClient(std::uint16_t port, const RawOptions& o) {
    ctx_ = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_security_level(ctx_, o.security_level);
    SSL_CTX_set_min_proto_version(ctx_, o.min_version);
    SSL_CTX_set_max_proto_version(ctx_, o.max_version);
    if (!o.ciphers.empty()) SSL_CTX_set_cipher_list(ctx_, o.ciphers.c_str());
    if (o.options != 0) SSL_CTX_set_options(ctx_, o.options);
    if (!o.cert.empty()) {
      EXPECT_EQ(SSL_CTX_use_certificate_chain_file(ctx_, o.cert.c_str()), 1);
      EXPECT_EQ(SSL_CTX_use_PrivateKey_file(ctx_, o.key.c_str(), SSL_FILETYPE_PEM), 1);
    }
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_NONE, nullptr);
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{0, 100'000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<const sockaddr*>(&a), sizeof a) == 0;
    ssl_ = SSL_new(ctx_);
    SSL_set_fd(ssl_, fd_);
  }
  ~RawClient() {
    SSL_free(ssl_);
    SSL_CTX_free(ctx_);
    if (fd_ >= 0) ::close(fd_);
    ERR_clear_error();
  }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  /// Runs the handshake until it completes (true), fails or the deadline passes (false).
  bool handshake(std::chrono::milliseconds limit = 3s) {
    if (!connected_) return false;
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      const int r = SSL_connect(ssl_);
      if (r == 1) return true;
      const int e = SSL_get_error(ssl_, r);
      if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) break;
    }
    ERR_clear_error();
    return false;
  }
  bool write(std::string_view s) { return SSL_write(ssl_, s.data(), static_cast<int>(s.size())) > 0; }
  /// Reads (processing renegotiation/KeyUpdate messages) until `n` bytes arrived, the peer closes
  /// or the deadline passes. Returns what arrived; closed() tells whether the peer ended it.
  std::string read(std::size_t n, std::chrono::milliseconds limit = 3s) {
    std::string got;
    const auto deadline = std::chrono::steady_clock::now() + limit;
    char buf[4096];
    while (got.size() < n && !closed_ && std::chrono::steady_clock::now() < deadline) {
      const int r = SSL_read(ssl_, buf, sizeof buf);
      if (r > 0) {
        got.append(buf, static_cast<std::size_t>(r));
        continue;
      }
      const int e = SSL_get_error(ssl_, r);
      if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) continue;
      closed_ = true;
    }
    ERR_clear_error();
    return got;
  }
  [[nodiscard]] bool closed() const noexcept { return closed_; }
  [[nodiscard]] SSL* ssl() const noexcept { return ssl_; }
  /// Sends raw bytes on the socket (no TLS).
  bool send_raw(std::string_view s) {
    return ::send(fd_, s.data(), s.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(s.size());
  }

 private:
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  int fd_ = -1;
  bool connected_ = false;
  bool closed_ = false;
};

}  // namespace mmssec::tls::testing
