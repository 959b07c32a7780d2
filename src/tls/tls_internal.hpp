// SPDX-License-Identifier: Apache-2.0
// Private to src/tls/: the OpenSSL side of a tls::Context (SSL_CTX, trust store, session cache,
// registry of live sessions) shared by context.cpp and handler.cpp.
#pragma once

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "mmssec/events/event.hpp"
#include "mmssec/net/connection.hpp"
#include "mmssec/tls/tls.hpp"

namespace mmssec::tls {

struct SslCtxFree {
  void operator()(SSL_CTX* p) const noexcept { SSL_CTX_free(p); }
};
struct SslFree {
  void operator()(SSL* p) const noexcept { SSL_free(p); }
};
struct X509Free {
  void operator()(X509* p) const noexcept { X509_free(p); }
};
using StorePtr = std::shared_ptr<X509_STORE>;
using Fingerprint = std::array<unsigned char, 32>;  // SHA-256 of a certificate's DER

class Handler;

/// This thread's OpenSSL error queue (then cleared): the codes and one line of reasons.
struct OpenSslErrors {
  std::vector<unsigned long> codes;
  std::string text;  ///< "reason (data); reason", duplicates dropped; empty for an empty queue
};
OpenSslErrors take_openssl_errors();
/// take_openssl_errors().text, or "unknown OpenSSL error" when the queue was empty.
std::string drain_openssl_errors();
/// RFC 2253 form of a certificate's subject ("CN=client,O=test").
std::string subject_of(const X509* cert);
/// "2026-01-01 00:00:00Z" (empty for a null time).
std::string time_text(const ASN1_TIME* t);
/// SHA-256 of the DER encoding; false when it cannot be computed.
bool fingerprint_of(const X509* cert, Fingerprint& out);
/// Key strength rule (RSA >= 2048 bits; EC on P-256, P-384 or brainpoolP256r1). Empty = fine,
/// otherwise why not ("RSA 1024 bits").
std::string weak_key_reason(const X509* cert);

/// Checks the peer chain `leaf` + `chain` against `store` in code (TLS 1.3 re-checks, resumed
/// sessions), through the same verify callback as a handshake (so the same events result).
/// True when the peer passes.
bool verify_in_code(SSL* ssl, X509_STORE* store, X509* leaf, STACK_OF(X509) * chain);

/// Runs on the connection's thread: re-check the peer after a CRL reload.
net::Reply recheck_after_crl_reload(Handler& h);

// OpenSSL callbacks (handler.cpp), installed on the SSL_CTX by Context::create().
int verify_peer_callback(int ok, X509_STORE_CTX* sctx);
void info_callback(const SSL* ssl, int where, int ret);
void msg_callback(int write_p, int version, int content_type, const void* buf, std::size_t len, SSL* ssl,
                  void* arg);
int client_session_callback(SSL* ssl, SSL_SESSION* sess);

struct Context::Impl {
  Role role = Role::server;
  Config config;
  std::unique_ptr<SSL_CTX, SslCtxFree> ctx;
  std::vector<Fingerprint> allowed;  ///< allow-list fingerprints (empty = no allow-list)
  bool keylog = false;
  int keylog_fd = -1;

  // Counters (Stats).
  std::atomic<std::uint64_t> handshakes{0}, handshake_failures{0}, resumed{0}, renegotiations{0},
      key_updates{0}, peers_cut{0}, live{0};
  std::atomic<std::uint64_t> next_connection{1};

  Impl() = default;
  ~Impl();
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  /// The trust store (anchors + CRLs) every new session uses; replaced by reload_crls().
  [[nodiscard]] StorePtr store() const;
  void set_store(StorePtr s);
  /// Builds a store from the configured anchors and CRLs; `detail` names the failing file.
  [[nodiscard]] Result<StorePtr> build_store(std::string* detail) const;

  void emit(events::Event e) const;
  void emit(events::Id id, std::string detail) const { emit(events::make_event(id, std::move(detail))); }

  /// Live sessions (for reload_crls): registered at on_open, removed at on_closed.
  void enroll(std::uint64_t id, const net::Link& link, Handler* h);
  void withdraw(std::uint64_t id);
  [[nodiscard]] std::vector<std::pair<net::Link, Handler*>> enrolled() const;

  /// Client session cache, one session per peer key (SSL_SESSION reference owned here).
  void remember_session(const std::string& key, SSL_SESSION* s);  // takes the reference
  /// An up-ref'd session for `key` that has not expired, or nullptr.
  [[nodiscard]] SSL_SESSION* recall_session(const std::string& key) const;
  void forget_session(const std::string& key);

  void write_keylog(const char* line) const;

 private:
  mutable std::mutex store_mu_;
  StorePtr store_;
  mutable std::mutex reg_mu_;
  std::unordered_map<std::uint64_t, std::pair<net::Link, Handler*>> live_;
  mutable std::mutex sess_mu_;
  std::unordered_map<std::string, SSL_SESSION*> sessions_;
};

}  // namespace mmssec::tls
