// SPDX-License-Identifier: Apache-2.0
// The TLS connection handler: OpenSSL in memory around an inner plaintext handler.
//
// Bytes: a small custom BIO reads ciphertext straight from the view on_data() received and
// appends what OpenSSL writes straight to the Reply being built, so nothing is buffered between
// calls; SSL_MODE_RELEASE_BUFFERS frees OpenSSL's record buffers while a session is idle.
//
// Inner handler: on_open() at once, with a Link of our own (InnerLink) so that work it posts from
// other threads is encrypted before it reaches the socket; its output is held back until the
// handshake completes. It only ever sees plaintext of an authenticated session.
//
// Timers (Link::post_after of the outer connection, tagged with generation numbers so that a
// re-armed timer makes the older one a no-op): the handshake deadline; every resumption_interval
// an abbreviated renegotiation (TLS 1.2) or a KeyUpdate that requests the peer's (TLS 1.3);
// every renegotiation_interval a full renegotiation (TLS 1.2, re-verifies the peer with the
// current store) or a re-verification in code + KeyUpdate (TLS 1.3); a watchdog for what we
// started (renegotiation_timeout). A renegotiation the peer completes resets our timers.
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/tls1.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>
#include <string>
#include <utility>

#include "mmssec/tls/tls.hpp"
#include "tls_internal.hpp"

namespace mmssec::tls {
namespace {

using Ms = std::chrono::milliseconds;

/// Largest plaintext chunk handed to the inner handler (one TLS record).
constexpr std::size_t kReadChunk = 16U * 1024U;
/// A peer may start at most two TLS 1.2 renegotiations within this window (a server refuses more
/// with a no_renegotiation warning): a full handshake costs us a signature and a verification.
/// Two, because a peer whose abbreviated and full timers coincide runs them back to back.
constexpr Ms kPeerRenegotiationWindow{1000};

constexpr int kAlertNoRenegotiation = 100;

bool is_crl_gap(int err) {
  switch (err) {
    case X509_V_ERR_UNABLE_TO_GET_CRL:
    case X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER:
    case X509_V_ERR_CRL_HAS_EXPIRED:
    case X509_V_ERR_CRL_NOT_YET_VALID:
    case X509_V_ERR_ERROR_IN_CRL_LAST_UPDATE_FIELD:
    case X509_V_ERR_ERROR_IN_CRL_NEXT_UPDATE_FIELD:
    case X509_V_ERR_CRL_SIGNATURE_FAILURE:
    case X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE:
    case X509_V_ERR_KEYUSAGE_NO_CRL_SIGN:
    case X509_V_ERR_DIFFERENT_CRL_SCOPE:
    case X509_V_ERR_CRL_PATH_VALIDATION_ERROR: return true;
    default: return false;
  }
}

events::Id event_for_x509(int err) {
  switch (err) {
    case X509_V_ERR_CERT_HAS_EXPIRED: return events::Id::tls_cert_expired;
    case X509_V_ERR_CERT_NOT_YET_VALID: return events::Id::tls_cert_not_yet_valid;
    case X509_V_ERR_CERT_REVOKED: return events::Id::tls_cert_revoked;
    case X509_V_ERR_EE_KEY_TOO_SMALL:
    case X509_V_ERR_CA_KEY_TOO_SMALL:
    case X509_V_ERR_CA_MD_TOO_WEAK:
    case X509_V_ERR_EC_KEY_EXPLICIT_PARAMS: return events::Id::tls_cert_weak_key;
    case X509_V_ERR_INVALID_PURPOSE:
    case X509_V_ERR_KEYUSAGE_NO_DIGITAL_SIGNATURE:
    case X509_V_ERR_KEYUSAGE_NO_CERTSIGN: return events::Id::tls_cert_bad_usage;
    default: return events::Id::tls_cert_untrusted;  // no path to an anchor, bad signature, not a CA, ...
  }
}

bool has_reason(const std::vector<unsigned long>& codes, int lib, int reason) {
  return std::any_of(codes.begin(), codes.end(),
                     [&](unsigned long e) { return ERR_GET_LIB(e) == lib && ERR_GET_REASON(e) == reason; });
}

std::string protocol_name(int v) {
  switch (v) {
    case TLS1_VERSION: return "TLSv1.0";
    case TLS1_1_VERSION: return "TLSv1.1";
    case TLS1_2_VERSION: return "TLSv1.2";
    case TLS1_3_VERSION: return "TLSv1.3";
    default: return "protocol " + std::to_string(v);
  }
}

BIO_METHOD* bio_method();

}  // namespace

class Handler;

/// The Link the inner handler gets: everything it posts runs through the TLS handler on the
/// connection's thread, so replies produced on other threads are encrypted too. The outer Link
/// drops posts once the connection is gone, so the raw handler pointer is never used late.
class InnerLink final : public net::detail::LinkTarget {
 public:
  InnerLink(net::Link outer, Handler* h) : outer_(std::move(outer)), h_(h) {}
  void post(std::function<net::Reply()> fn) override;
  void post_after(std::chrono::milliseconds delay, std::function<net::Reply()> fn) override;
  void close() override;

 private:
  net::Link outer_;
  Handler* h_;
};

class Handler final : public net::ConnectionHandler {
 public:
  Handler(std::shared_ptr<Context> ctx, std::unique_ptr<net::ConnectionHandler> inner, std::string peer_key)
      : ctx_(std::move(ctx)), impl_(ctx_->impl()), inner_(std::move(inner)), peer_key_(std::move(peer_key)) {}
  ~Handler() override = default;
  Handler(const Handler&) = delete;
  Handler& operator=(const Handler&) = delete;

  net::Reply on_open(const net::Link& link, const net::PeerInfo& peer) override;
  void on_connect_failed(const Error& error) override { inner_->on_connect_failed(error); }
  net::Reply on_data(ByteView data) override;
  net::Reply on_timeout() override;
  void on_closed() override;

  // On the connection's thread, from InnerLink / Context.
  net::Reply run_inner_posted(const std::function<net::Reply()>& fn);
  net::Reply inner_close();
  net::Reply crl_reloaded();

  // OpenSSL callbacks (during our own SSL_* calls, on the connection's thread).
  int verify(int ok, X509_STORE_CTX* sctx);
  void handshake_done() { hs_done_ = true; }
  void message(int write_p, int content_type, const unsigned char* buf, std::size_t len);
  int new_session(SSL_SESSION* sess);
  bool bio_read(char* buf, std::size_t len, std::size_t* got);
  void bio_write(const char* data, std::size_t len) { out_.insert(out_.end(), data, data + len); }

 private:
  enum class State : std::uint8_t { idle, handshaking, open, closed };
  struct Failure {
    events::Id id;
    std::string detail;
    std::string subject;
  };

  [[nodiscard]] bool is_server() const noexcept { return impl_.role == Role::server; }
  [[nodiscard]] bool tls13() const noexcept { return version_ == TLS1_3_VERSION; }
  void emit(events::Id id, std::string detail, std::vector<std::pair<std::string, std::string>> fields = {});
  net::Reply take_reply();

  void handshake_step();
  void handshake_completed();
  void report_established();
  void read_records();
  void after_ssl_call();
  void handle_inner_reply(net::Reply r);
  void write_plain(const Bytes& data);
  void flush_plain();
  void shutdown();
  void fail_handshake(std::string why, std::vector<unsigned long> codes);
  void fail_open(std::string why, const std::vector<unsigned long>& codes);
  void cut(events::Id id, std::string detail, std::string subject = {});
  void cut_for_verify_failure(std::string fallback);
  void finish_closed();

  bool reverify_peer();
  void arm_timers(bool full);
  net::Reply on_timer(std::uint64_t gen, bool full);
  /// `crl`: asked for by a CRL reload (then it runs even right after another full one).
  void start_renegotiation(bool full, bool crl = false);
  void renegotiation_completed();
  void key_update_completed(bool peer_initiated);
  void run_due(bool just_full);
  void arm_watchdog();

  std::shared_ptr<Context> ctx_;
  Context::Impl& impl_;
  std::unique_ptr<net::ConnectionHandler> inner_;
  std::string peer_key_;
  std::unique_ptr<SSL, SslFree> ssl_;
  net::Link outer_;
  std::shared_ptr<InnerLink> inner_link_;
  std::string peer_;
  std::uint64_t id_ = 0;
  State state_ = State::idle;
  bool inner_closed_ = false;
  bool counted_failure_ = false;

  // Bytes of the current call.
  ByteView in_;
  Bytes out_;
  bool close_ = false;
  Bytes pending_plain_;  ///< inner output not yet encrypted (handshake or renegotiation running)
  bool inner_close_pending_ = false;

  // Handshake and session facts.
  std::optional<Failure> verify_failure_;
  bool no_crl_reported_ = false;
  bool reported_ = false;  ///< established event emitted (a TLS 1.3 client waits for the server)
  bool peer_spoke_ = false;
  int version_ = 0;
  int offered_version_ = 0;  ///< client: protocol version of the session offered for resumption

  // Renegotiation / key update.
  bool hs_done_ = false;  ///< info callback: a handshake finished during the last SSL call
  bool our_reneg_ = false;
  bool our_full_ = false;
  bool full_due_ = false;
  bool resume_due_ = false;
  bool awaiting_key_update_ = false;
  bool key_update_seen_ = false;
  bool key_update_requested_ = false;
  bool no_reneg_alert_ = false;
  bool we_refused_ = false;   ///< we answered a client's renegotiation with no_renegotiation
  bool crl_recheck_ = false;  ///< the running re-check was started by a CRL reload
  bool recheck_due_ = false;  ///< a CRL reload came while a handshake ran: re-check after it
  std::array<std::chrono::steady_clock::time_point, 2> peer_renegotiations_{};  ///< the last two
  std::uint64_t resume_gen_ = 0;
  std::uint64_t reneg_gen_ = 0;
  std::uint64_t watch_gen_ = 0;
  std::uint64_t peer_gap_gen_ = 0;
};

// ---------------------------------------------------------------------------------------------
// InnerLink
// ---------------------------------------------------------------------------------------------

void InnerLink::post(std::function<net::Reply()> fn) {
  outer_.post([h = h_, fn = std::move(fn)] { return h->run_inner_posted(fn); });
}

void InnerLink::post_after(std::chrono::milliseconds delay, std::function<net::Reply()> fn) {
  outer_.post_after(delay, [h = h_, fn = std::move(fn)] { return h->run_inner_posted(fn); });
}

void InnerLink::close() {
  outer_.post([h = h_] { return h->inner_close(); });
}

// ---------------------------------------------------------------------------------------------
// The BIO between OpenSSL and the current call's bytes
// ---------------------------------------------------------------------------------------------

namespace {

int bio_write_ex(BIO* b, const char* data, std::size_t len, std::size_t* written) {
  BIO_clear_retry_flags(b);
  auto* h = static_cast<Handler*>(BIO_get_data(b));
  if (h == nullptr) return 0;
  h->bio_write(data, len);
  *written = len;
  return 1;
}

int bio_read_ex(BIO* b, char* buf, std::size_t len, std::size_t* got) {
  BIO_clear_retry_flags(b);
  auto* h = static_cast<Handler*>(BIO_get_data(b));
  if (h == nullptr || !h->bio_read(buf, len, got)) {
    BIO_set_retry_read(b);
    return 0;
  }
  return 1;
}

long bio_ctrl(BIO* /*b*/, int cmd, long /*num*/, void* /*ptr*/) { return cmd == BIO_CTRL_FLUSH ? 1 : 0; }

int bio_create(BIO* b) {
  BIO_set_init(b, 1);
  return 1;
}

BIO_METHOD* bio_method() {
  static BIO_METHOD* const method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "mmssec-tls");
    if (m != nullptr) {
      BIO_meth_set_write_ex(m, bio_write_ex);
      BIO_meth_set_read_ex(m, bio_read_ex);
      BIO_meth_set_ctrl(m, bio_ctrl);
      BIO_meth_set_create(m, bio_create);
    }
    return m;
  }();
  return method;
}

Handler* handler_of(const SSL* ssl) {
  return ssl != nullptr ? static_cast<Handler*>(SSL_get_app_data(ssl)) : nullptr;
}

}  // namespace

bool Handler::bio_read(char* buf, std::size_t len, std::size_t* got) {
  if (in_.empty()) return false;
  const std::size_t n = std::min(len, in_.size());
  std::memcpy(buf, in_.data(), n);
  in_ = in_.subspan(n);
  *got = n;
  return true;
}

// ---------------------------------------------------------------------------------------------
// OpenSSL callbacks
// ---------------------------------------------------------------------------------------------

int verify_peer_callback(int ok, X509_STORE_CTX* sctx) {
  auto* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(sctx, SSL_get_ex_data_X509_STORE_CTX_idx()));
  Handler* h = handler_of(ssl);
  if (h == nullptr) return 0;
  try {
    return h->verify(ok, sctx);
  } catch (...) {
    return 0;
  }
}

void info_callback(const SSL* ssl, int where, int /*ret*/) {
  if ((where & SSL_CB_HANDSHAKE_DONE) == 0) return;
  if (Handler* h = handler_of(ssl)) h->handshake_done();
}

void msg_callback(int write_p, int /*version*/, int content_type, const void* buf, std::size_t len, SSL* ssl,
                  void* /*arg*/) {
  if (Handler* h = handler_of(ssl))
    h->message(write_p, content_type, static_cast<const unsigned char*>(buf), len);
}

int client_session_callback(SSL* ssl, SSL_SESSION* sess) {
  Handler* h = handler_of(ssl);
  if (h == nullptr) return 0;
  try {
    return h->new_session(sess);
  } catch (...) {
    return 0;
  }
}

bool verify_in_code(SSL* ssl, X509_STORE* store, X509* leaf, STACK_OF(X509) * chain) {
  X509_STORE_CTX* sctx = X509_STORE_CTX_new();
  if (sctx == nullptr) return false;
  bool ok = false;
  if (X509_STORE_CTX_init(sctx, store, leaf, chain) == 1) {
    X509_STORE_CTX_set_ex_data(sctx, SSL_get_ex_data_X509_STORE_CTX_idx(), ssl);
    X509_STORE_CTX_set_default(sctx, SSL_is_server(ssl) != 0 ? "ssl_client" : "ssl_server");
    X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(sctx);
    X509_VERIFY_PARAM_set1(param, SSL_get0_param(ssl));
    X509_VERIFY_PARAM_set_auth_level(param, SSL_get_security_level(ssl));
    X509_STORE_CTX_set_verify_cb(sctx, verify_peer_callback);
    ok = X509_verify_cert(sctx) == 1;
  }
  X509_STORE_CTX_free(sctx);
  ERR_clear_error();
  return ok;
}

net::Reply recheck_after_crl_reload(Handler& h) { return h.crl_reloaded(); }

// ---------------------------------------------------------------------------------------------
// Handler: connection events
// ---------------------------------------------------------------------------------------------

net::Reply Handler::on_open(const net::Link& link, const net::PeerInfo& peer) {
  outer_ = link;
  peer_ = peer.address.find(':') != std::string::npos ? "[" + peer.address + "]:" + std::to_string(peer.port)
                                                      : peer.address + ":" + std::to_string(peer.port);
  id_ = impl_.next_connection.fetch_add(1, std::memory_order_relaxed);
  impl_.live.fetch_add(1, std::memory_order_relaxed);
  state_ = State::handshaking;

  ERR_clear_error();
  ssl_.reset(SSL_new(impl_.ctx.get()));
  BIO* bio = ssl_ && bio_method() != nullptr ? BIO_new(bio_method()) : nullptr;
  if (!ssl_ || bio == nullptr) {
    fail_handshake("cannot create the TLS session: " + drain_openssl_errors(), {});
    // The inner handler still gets on_open/on_closed in order, but nothing else.
    inner_link_ = std::make_shared<InnerLink>(outer_, this);
    (void)inner_->on_open(net::Link(std::weak_ptr<net::detail::LinkTarget>(inner_link_)), peer);
    return take_reply();
  }
  BIO_set_data(bio, this);
  SSL_set_bio(ssl_.get(), bio, bio);
  SSL_set_app_data(ssl_.get(), this);
  SSL_set1_verify_cert_store(ssl_.get(), impl_.store().get());
  if (is_server()) {
    SSL_set_accept_state(ssl_.get());
  } else {
    SSL_set_connect_state(ssl_.get());
    if (!peer_key_.empty()) {
      if (SSL_SESSION* s = impl_.recall_session(peer_key_)) {
        if (SSL_set_session(ssl_.get(), s) == 1) offered_version_ = SSL_SESSION_get_protocol_version(s);
        SSL_SESSION_free(s);
      }
    }
  }
  impl_.enroll(id_, outer_, this);

  outer_.post_after(impl_.config.handshake_timeout, [this] {
    if (state_ != State::handshaking) return net::Reply{};
    fail_handshake(
        "handshake not completed within " + std::to_string(impl_.config.handshake_timeout.count()) + " ms",
        {});
    return take_reply();
  });

  inner_link_ = std::make_shared<InnerLink>(outer_, this);
  handle_inner_reply(inner_->on_open(net::Link(std::weak_ptr<net::detail::LinkTarget>(inner_link_)), peer));
  if (!is_server() && state_ == State::handshaking) handshake_step();  // ClientHello
  return take_reply();
}

net::Reply Handler::on_data(ByteView data) {
  in_ = data;
  if (state_ == State::handshaking) handshake_step();
  if (state_ == State::open) read_records();
  in_ = {};
  return take_reply();
}

net::Reply Handler::on_timeout() {
  net::Reply r = inner_->on_timeout();
  if (state_ == State::open) {
    write_plain(r.send);
    shutdown();
  } else if (state_ == State::handshaking) {
    fail_handshake("peer idle during the handshake (connection timeout)", {});
  }
  return take_reply();
}

void Handler::on_closed() {
  if (state_ == State::handshaking || (state_ == State::open && !reported_)) {
    fail_handshake("connection closed during the handshake", {});
  }
  state_ = State::closed;
  finish_closed();
  if (!inner_closed_) {
    inner_closed_ = true;
    inner_->on_closed();
  }
}

void Handler::finish_closed() {
  if (id_ != 0) {
    impl_.withdraw(id_);
    impl_.live.fetch_sub(1, std::memory_order_relaxed);
    id_ = 0;
  }
  inner_link_.reset();  // the inner handler's Link now does nothing
  if (ssl_) {
    if (BIO* b = SSL_get_rbio(ssl_.get())) BIO_set_data(b, nullptr);
    ssl_.reset();  // frees the session's memory at once
  }
}

net::Reply Handler::run_inner_posted(const std::function<net::Reply()>& fn) {
  handle_inner_reply(fn());
  return take_reply();
}

net::Reply Handler::inner_close() {
  if (state_ == State::handshaking) {
    inner_close_pending_ = true;
  } else if (state_ == State::open) {
    shutdown();
  }
  return take_reply();
}

net::Reply Handler::crl_reloaded() {
  if (!ssl_ || state_ == State::closed) return {};
  SSL_set1_verify_cert_store(ssl_.get(), impl_.store().get());
  if (state_ == State::open) {
    start_renegotiation(true, true);
  } else {
    recheck_due_ = true;  // the running handshake may have verified with the old store
  }
  return take_reply();
}

// ---------------------------------------------------------------------------------------------
// Handler: plumbing
// ---------------------------------------------------------------------------------------------

void Handler::emit(events::Id id, std::string detail,
                   std::vector<std::pair<std::string, std::string>> fields) {
  if (!impl_.config.events) return;
  events::Event e = events::make_event(id, std::move(detail), peer_, id_);
  e.fields = std::move(fields);
  impl_.config.events->emit(e);
}

net::Reply Handler::take_reply() {
  net::Reply r{std::move(out_), close_};
  out_ = Bytes{};
  return r;
}

void Handler::handle_inner_reply(net::Reply r) {
  switch (state_) {
    case State::idle:
    case State::handshaking:
      pending_plain_.insert(pending_plain_.end(), r.send.begin(), r.send.end());
      inner_close_pending_ = inner_close_pending_ || r.close;
      break;
    case State::open:
      write_plain(r.send);
      if (r.close) shutdown();
      break;
    case State::closed: break;
  }
}

void Handler::write_plain(const Bytes& data) {
  if (data.empty()) return;
  if (pending_plain_.empty()) {
    // Fast path: encrypt from the inner handler's buffer.
    ERR_clear_error();
    std::size_t written = 0;
    std::size_t done = 0;
    while (done < data.size() &&
           SSL_write_ex(ssl_.get(), data.data() + done, data.size() - done, &written) == 1) {
      done += written;
    }
    if (done == data.size()) return;
    const int err = SSL_get_error(ssl_.get(), 0);
    pending_plain_.assign(data.begin() + static_cast<std::ptrdiff_t>(done), data.end());
    if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) {
      auto [codes, text] = take_openssl_errors();
      fail_open("encrypting failed: " + text, codes);
    }
    return;
  }
  pending_plain_.insert(pending_plain_.end(), data.begin(), data.end());
  flush_plain();
}

void Handler::flush_plain() {
  if (state_ != State::open || pending_plain_.empty()) return;
  ERR_clear_error();
  std::size_t done = 0;
  std::size_t written = 0;
  int r = 1;
  while (done < pending_plain_.size() && (r = SSL_write_ex(ssl_.get(), pending_plain_.data() + done,
                                                           pending_plain_.size() - done, &written)) == 1) {
    done += written;
  }
  pending_plain_.erase(pending_plain_.begin(), pending_plain_.begin() + static_cast<std::ptrdiff_t>(done));
  if (pending_plain_.empty()) {
    Bytes{}.swap(pending_plain_);  // idle sessions hold no buffer
    return;
  }
  const int err = SSL_get_error(ssl_.get(), r);
  if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) {
    auto [codes, text] = take_openssl_errors();
    fail_open("encrypting failed: " + text, codes);
  }
}

void Handler::shutdown() {
  if (state_ == State::closed) return;
  if (state_ == State::open && ssl_) {
    flush_plain();
    ERR_clear_error();
    if (SSL_in_init(ssl_.get()) == 0) SSL_shutdown(ssl_.get());  // close_notify
    ERR_clear_error();
  }
  state_ = State::closed;
  close_ = true;
}

// ---------------------------------------------------------------------------------------------
// Handler: handshake
// ---------------------------------------------------------------------------------------------

void Handler::handshake_step() {
  ERR_clear_error();
  const int r = SSL_do_handshake(ssl_.get());
  if (r == 1) {
    handshake_completed();
    return;
  }
  const int err = SSL_get_error(ssl_.get(), r);
  if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) return;
  auto [codes, text] = take_openssl_errors();
  fail_handshake(text.empty() ? "handshake failed (SSL error " + std::to_string(err) + ")" : text,
                 std::move(codes));
}

void Handler::fail_handshake(std::string why, std::vector<unsigned long> codes) {
  if (state_ == State::closed) return;
  events::Id id = events::Id::tls_handshake_failed;
  std::vector<std::pair<std::string, std::string>> fields;
  if (verify_failure_) {
    id = verify_failure_->id;
    why = verify_failure_->detail;
    if (!verify_failure_->subject.empty()) fields.emplace_back("subject", verify_failure_->subject);
  } else if (has_reason(codes, ERR_LIB_SSL, SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE)) {
    id = events::Id::tls_cert_unavailable;
    why = "peer sent no certificate (mutual authentication is mandatory)";
  } else if (has_reason(codes, ERR_LIB_SSL, SSL_R_NO_SHARED_CIPHER) ||
             has_reason(codes, ERR_LIB_SSL, SSL_R_NO_CIPHERS_AVAILABLE)) {
    id = events::Id::tls_no_cipher;
    why = "no cipher suite in common with the peer: " + why;
  } else if (!is_server() && state_ == State::open) {
    why = "server refused the session after our Finished: " + why;
  }
  if (!counted_failure_) {
    counted_failure_ = true;
    impl_.handshake_failures.fetch_add(1, std::memory_order_relaxed);
  }
  emit(id, std::move(why), std::move(fields));
  state_ = State::closed;
  close_ = true;
  ERR_clear_error();
}

void Handler::handshake_completed() {
  state_ = State::open;
  hs_done_ = false;  // this very handshake, not a renegotiation
  version_ = SSL_version(ssl_.get());
  const bool resumed = SSL_session_reused(ssl_.get()) == 1;
  if (offered_version_ != 0 && offered_version_ != version_) {
    // Resumption offered a session of another version: the negotiation moved (downgrade or
    // upgrade); the cached session is dropped so that the next connection starts afresh.
    impl_.forget_session(peer_key_);
    if (!counted_failure_) {
      counted_failure_ = true;
      impl_.handshake_failures.fetch_add(1, std::memory_order_relaxed);
    }
    cut(events::Id::tls_version_change, "version change on resumption: the cached session is " +
                                            protocol_name(offered_version_) + ", the peer negotiated " +
                                            protocol_name(version_));
    return;
  }
  if (resumed && !reverify_peer()) {
    // The peer was verified when the session was made; it must still pass with today's store.
    if (!counted_failure_) {
      counted_failure_ = true;
      impl_.handshake_failures.fetch_add(1, std::memory_order_relaxed);
    }
    cut_for_verify_failure("resumed session: peer certificate no longer valid");
    return;
  }
  // A TLS 1.3 server verifies our certificate after we consider the handshake done: the client
  // reports the session when the server's first record (ticket or data) arrives.
  if (is_server() || !tls13()) report_established();
  flush_plain();
  if (state_ != State::open) return;
  arm_timers(true);
  if (inner_close_pending_) {
    shutdown();
    return;
  }
  if (recheck_due_) {
    recheck_due_ = false;
    start_renegotiation(true, true);
  }
}

void Handler::report_established() {
  if (reported_) return;
  reported_ = true;
  const bool resumed = SSL_session_reused(ssl_.get()) == 1;
  impl_.handshakes.fetch_add(1, std::memory_order_relaxed);
  if (resumed) impl_.resumed.fetch_add(1, std::memory_order_relaxed);
  const SSL_CIPHER* ci = SSL_get_current_cipher(ssl_.get());
  const char* std_name = ci != nullptr ? SSL_CIPHER_standard_name(ci) : nullptr;
  const std::string suite = std_name != nullptr ? std_name : (ci != nullptr ? SSL_CIPHER_get_name(ci) : "?");
  const std::string version = SSL_get_version(ssl_.get());
  const std::string subject = subject_of(SSL_get0_peer_certificate(ssl_.get()));
  std::vector<std::pair<std::string, std::string>> fields{
      {"version", version}, {"suite", suite}, {"subject", subject}, {"resumed", resumed ? "yes" : "no"}};
  if (impl_.keylog) fields.emplace_back("keylog", "on");
  emit(resumed ? events::Id::tls_resumed : events::Id::tls_established,
       version + " " + suite + (resumed ? " (resumed)" : "") + ", peer " + subject +
           (impl_.keylog ? ", session keys logged to " + impl_.config.keylog_file : ""),
       fields);
  if (version_ < TLS1_2_VERSION) {
    emit(events::Id::tls_weak_version,
         version + " negotiated (enabled by configuration; TLS 1.2 is the minimum of IEC 62351-3)",
         {{"version", version}});
  }
  if (ci != nullptr && SSL_CIPHER_get_cipher_nid(ci) == NID_undef) {
    emit(events::Id::tls_null_cipher, suite + ": the session is integrity-protected but not encrypted",
         {{"suite", suite}});
  }
}

// ---------------------------------------------------------------------------------------------
// Handler: established session
// ---------------------------------------------------------------------------------------------

void Handler::read_records() {
  std::array<std::uint8_t, kReadChunk>
      buf;  // NOLINT(cppcoreguidelines-pro-type-member-init): filled by SSL_read
  while (state_ == State::open) {
    const std::size_t before = in_.size();
    ERR_clear_error();
    std::size_t n = 0;
    const int r = SSL_read_ex(ssl_.get(), buf.data(), buf.size(), &n);
    if (r == 1) {
      peer_spoke_ = true;
      after_ssl_call();
      if (state_ != State::open) return;
      handle_inner_reply(inner_->on_data(ByteView(buf.data(), n)));
      continue;
    }
    const int err = SSL_get_error(ssl_.get(), r);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
      after_ssl_call();
      if (in_.empty() || in_.size() == before) break;
      continue;
    }
    if (err == SSL_ERROR_ZERO_RETURN) {  // close_notify: answer it and close
      after_ssl_call();
      shutdown();
      return;
    }
    auto [codes, text] = take_openssl_errors();
    fail_open(text.empty() ? "record layer failure (SSL error " + std::to_string(err) + ")" : text, codes);
    return;
  }
  flush_plain();  // output held back while a renegotiation ran
}

void Handler::after_ssl_call() {
  if (state_ != State::open) return;
  if (!reported_ && peer_spoke_) report_established();
  if (tls13()) {
    // OpenSSL answers a peer's KeyUpdate request only with the next application write: an idle
    // session would never answer, so schedule the answer explicitly and send it now.
    if (const int pending = SSL_get_key_update_type(ssl_.get()); pending != SSL_KEY_UPDATE_NONE) {
      ERR_clear_error();
      if (SSL_key_update(ssl_.get(), pending) != 1 || SSL_do_handshake(ssl_.get()) != 1) ERR_clear_error();
    }
    if (key_update_seen_) {
      key_update_seen_ = false;
      if (awaiting_key_update_) {
        key_update_completed(false);
      } else if (key_update_requested_) {
        key_update_completed(true);
      }
    }
    return;
  }
  if (no_reneg_alert_ && our_reneg_) {
    no_reneg_alert_ = false;
    cut(events::Id::tls_no_reneg, "peer refused the renegotiation (no_renegotiation alert)");
    return;
  }
  if (hs_done_) {
    hs_done_ = false;
    if (we_refused_) {
      we_refused_ = false;
      // A warning, not the alarm of a peer failing our renegotiation: the session goes on.
      if (impl_.config.events) {
        events::Event e = events::make_event(
            events::Id::tls_no_reneg,
            "refused a client-initiated renegotiation (more than two within " +
                std::to_string(kPeerRenegotiationWindow.count()) + " ms); the session goes on",
            peer_, id_);
        e.severity = events::Severity::warning;
        e.fields.emplace_back("initiator", "peer");
        impl_.config.events->emit(e);
      }
      return;
    }
    renegotiation_completed();
  }
}

void Handler::fail_open(std::string why, const std::vector<unsigned long>& codes) {
  if (state_ != State::open) return;
  if (!reported_) {  // TLS 1.3 client: the server rejected the handshake (our certificate)
    fail_handshake(std::move(why), codes);
    return;
  }
  if (verify_failure_) {
    cut_for_verify_failure(std::move(why));
    return;
  }
  if (our_reneg_ && (no_reneg_alert_ || has_reason(codes, ERR_LIB_SSL, SSL_R_NO_RENEGOTIATION))) {
    cut(events::Id::tls_no_reneg, "peer refused the renegotiation: " + why);
    return;
  }
  const bool renegotiating = our_reneg_ || (ssl_ && SSL_in_init(ssl_.get()) != 0);
  if (renegotiating && (has_reason(codes, ERR_LIB_SSL, SSL_R_WRONG_SSL_VERSION) ||
                        has_reason(codes, ERR_LIB_SSL, SSL_R_WRONG_VERSION_NUMBER))) {
    cut(events::Id::tls_version_change, "peer changed the protocol version on renegotiation: " + why);
    return;
  }
  emit(events::Id::tls_protocol_error, std::move(why));
  state_ = State::closed;
  close_ = true;
}

void Handler::cut(events::Id id, std::string detail, std::string subject) {
  if (state_ == State::closed) return;
  std::vector<std::pair<std::string, std::string>> fields;
  if (!subject.empty()) fields.emplace_back("subject", std::move(subject));
  if (version_ != 0 && ssl_) fields.emplace_back("version", SSL_get_version(ssl_.get()));
  emit(id, std::move(detail), std::move(fields));
  impl_.peers_cut.fetch_add(1, std::memory_order_relaxed);
  if (ssl_ && SSL_in_init(ssl_.get()) == 0) {
    ERR_clear_error();
    SSL_shutdown(ssl_.get());
  }
  ERR_clear_error();
  state_ = State::closed;
  close_ = true;
}

void Handler::cut_for_verify_failure(std::string fallback) {
  if (!verify_failure_) {
    cut(events::Id::tls_cert_untrusted, std::move(fallback));
    return;
  }
  Failure f = std::move(*verify_failure_);
  verify_failure_.reset();
  if (f.id == events::Id::tls_cert_revoked) {
    cut(events::Id::tls_peer_revoked,
        std::string(crl_recheck_ ? "after a CRL reload: " : "") +
            "peer certificate revoked, session closed: " + f.detail,
        f.subject);
    return;
  }
  cut(f.id, "peer no longer passes verification, session closed: " + f.detail, f.subject);
}

// ---------------------------------------------------------------------------------------------
// Handler: peer verification
// ---------------------------------------------------------------------------------------------

int Handler::verify(int ok, X509_STORE_CTX* sctx) {
  const int err = X509_STORE_CTX_get_error(sctx);
  const int depth = X509_STORE_CTX_get_error_depth(sctx);
  X509* cert = X509_STORE_CTX_get_current_cert(sctx);
  const auto where = [&] {
    return " (depth " + std::to_string(depth) + ", subject " + subject_of(cert) + ")";
  };
  if (ok == 0) {
    if (is_crl_gap(err)) {
      // No usable CRL for this issuer: revocation unknown. A warning, never a failure.
      if (!no_crl_reported_) {
        no_crl_reported_ = true;
        emit(events::Id::tls_no_crl,
             std::string("revocation not checked: ") + X509_verify_cert_error_string(err) + where(),
             {{"subject", subject_of(cert)}});
      }
      return 1;
    }
    if (!verify_failure_) {
      std::string detail = X509_verify_cert_error_string(err) + where();
      if (err == X509_V_ERR_CERT_HAS_EXPIRED && cert != nullptr) {
        detail += ", notAfter " + time_text(X509_get0_notAfter(cert));
      } else if (err == X509_V_ERR_CERT_NOT_YET_VALID && cert != nullptr) {
        detail += ", notBefore " + time_text(X509_get0_notBefore(cert));
      }
      verify_failure_ = Failure{event_for_x509(err), std::move(detail), subject_of(cert)};
    }
    return 0;
  }
  if (cert == nullptr) return 1;
  const auto reject = [&](events::Id id, std::string why) {
    if (!verify_failure_) verify_failure_ = Failure{id, why + where(), subject_of(cert)};
    X509_STORE_CTX_set_error(sctx, X509_V_ERR_APPLICATION_VERIFICATION);
    return 0;
  };
  const int der = i2d_X509(cert, nullptr);
  if (der <= 0 || static_cast<std::size_t>(der) > impl_.config.max_certificate_size) {
    return reject(events::Id::tls_cert_too_large, "certificate of " + std::to_string(der) +
                                                      " octets exceeds the limit of " +
                                                      std::to_string(impl_.config.max_certificate_size));
  }
  if (std::string weak = weak_key_reason(cert); !weak.empty())
    return reject(events::Id::tls_cert_weak_key, weak);
  if (depth != 0) return 1;
  // The end entity: usage for its role, then the allow-list.
  const std::uint32_t ku = X509_get_key_usage(cert);
  if (ku != UINT32_MAX && (ku & KU_DIGITAL_SIGNATURE) == 0) {
    return reject(events::Id::tls_cert_bad_usage, "key usage does not allow digitalSignature");
  }
  const std::uint32_t xku = X509_get_extended_key_usage(cert);
  const std::uint32_t need = is_server() ? XKU_SSL_CLIENT : XKU_SSL_SERVER;
  if (xku != UINT32_MAX && (xku & (need | XKU_ANYEKU)) == 0) {
    return reject(events::Id::tls_cert_bad_usage,
                  std::string("extended key usage lacks ") + (is_server() ? "clientAuth" : "serverAuth"));
  }
  if (!impl_.allowed.empty()) {
    Fingerprint fp{};
    if (!fingerprint_of(cert, fp))
      return reject(events::Id::tls_cert_not_allowed, "certificate digest failed");
    const bool listed = std::any_of(impl_.allowed.begin(), impl_.allowed.end(), [&](const Fingerprint& a) {
      return CRYPTO_memcmp(a.data(), fp.data(), fp.size()) == 0;
    });
    if (!listed) return reject(events::Id::tls_cert_not_allowed, "certificate is not on the allow-list");
  }
  return 1;
}

bool Handler::reverify_peer() {
  X509* leaf = SSL_get0_peer_certificate(ssl_.get());
  if (leaf == nullptr) {
    verify_failure_ = Failure{events::Id::tls_cert_unavailable, "no peer certificate in the session", {}};
    return false;
  }
  verify_failure_.reset();
  const StorePtr store = impl_.store();
  return verify_in_code(ssl_.get(), store.get(), leaf, SSL_get_peer_cert_chain(ssl_.get()));
}

int Handler::new_session(SSL_SESSION* sess) {
  if (peer_key_.empty() || state_ == State::closed) return 0;
  impl_.remember_session(peer_key_, sess);
  return 1;  // the cache keeps the reference
}

void Handler::message(int write_p, int content_type, const unsigned char* buf, std::size_t len) {
  if (buf == nullptr || len == 0) return;
  if (write_p != 0) {
    // We refused a client's renegotiation (rate limit): OpenSSL still reports a finished handshake.
    if (content_type == SSL3_RT_ALERT && len >= 2 && buf[1] == kAlertNoRenegotiation) we_refused_ = true;
    return;
  }
  if (content_type == SSL3_RT_HANDSHAKE) {
    if (buf[0] == SSL3_MT_KEY_UPDATE) {
      key_update_seen_ = true;
      key_update_requested_ = len >= 5 && buf[4] == SSL_KEY_UPDATE_REQUESTED;
    } else if (buf[0] == SSL3_MT_NEWSESSION_TICKET) {
      peer_spoke_ = true;
    }
  } else if (content_type == SSL3_RT_ALERT && len >= 2 && buf[1] == kAlertNoRenegotiation) {
    no_reneg_alert_ = true;
  }
}

// ---------------------------------------------------------------------------------------------
// Handler: renegotiation, key update, timers
// ---------------------------------------------------------------------------------------------

void Handler::arm_timers(bool full) {
  const std::uint64_t rg = ++resume_gen_;
  outer_.post_after(Ms(impl_.config.resumption_interval), [this, rg] { return on_timer(rg, false); });
  if (full) {
    const std::uint64_t fg = ++reneg_gen_;
    outer_.post_after(Ms(impl_.config.renegotiation_interval), [this, fg] { return on_timer(fg, true); });
  }
}

net::Reply Handler::on_timer(std::uint64_t gen, bool full) {
  if (state_ != State::open || gen != (full ? reneg_gen_ : resume_gen_)) return {};
  start_renegotiation(full);
  return take_reply();
}

void Handler::arm_watchdog() {
  const std::uint64_t g = ++watch_gen_;
  outer_.post_after(impl_.config.renegotiation_timeout, [this, g] {
    if (state_ != State::open || g != watch_gen_ || !(our_reneg_ || awaiting_key_update_))
      return net::Reply{};
    cut(events::Id::tls_no_reneg, std::string(tls13() ? "peer did not answer our KeyUpdate"
                                                      : "peer did not complete the renegotiation") +
                                      " within " +
                                      std::to_string(impl_.config.renegotiation_timeout.count()) + " ms");
    return take_reply();
  });
}

void Handler::start_renegotiation(bool full, bool crl) {
  if (state_ != State::open || !ssl_) return;
  if (our_reneg_ || awaiting_key_update_ || SSL_in_init(ssl_.get()) != 0) {
    // After the running one (which may have verified the peer before a CRL reload).
    (crl ? recheck_due_ : full ? full_due_ : resume_due_) = true;
    return;
  }
  crl_recheck_ = crl;
  no_reneg_alert_ = false;
  ERR_clear_error();
  if (tls13()) {
    if (full && !reverify_peer()) {
      cut_for_verify_failure("peer certificate no longer valid");
      return;
    }
    if (SSL_key_update(ssl_.get(), SSL_KEY_UPDATE_REQUESTED) != 1 || SSL_do_handshake(ssl_.get()) != 1) {
      auto [codes, text] = take_openssl_errors();
      fail_open("KeyUpdate failed: " + text, codes);
      return;
    }
    // RFC 8446 §4.6.3: the peer updates its own keys with its next record, which an idle peer
    // (one that only receives reports) may send much later; OpenSSL answers only when it next
    // writes. So no watchdog here: our direction is updated now, and OpenSSL refuses any record
    // the peer protects with keys it should have replaced.
    our_full_ = full;
    impl_.key_updates.fetch_add(1, std::memory_order_relaxed);
    key_update_completed(false);
    return;
  }
  if (is_server()) {
    // A full renegotiation must not resume: the client's certificate is verified afresh.
    if (full) {
      SSL_set_options(ssl_.get(), SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION);
    } else {
      SSL_clear_options(ssl_.get(), SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION);
    }
  }
  const int ok = full ? SSL_renegotiate(ssl_.get()) : SSL_renegotiate_abbreviated(ssl_.get());
  if (ok != 1) {
    auto [codes, text] = take_openssl_errors();
    cut(events::Id::tls_no_reneg, "renegotiation not possible with this peer: " + text);
    return;
  }
  our_reneg_ = true;
  our_full_ = full;
  const int r = SSL_do_handshake(ssl_.get());  // HelloRequest (server) or ClientHello (client)
  if (r != 1) {
    const int err = SSL_get_error(ssl_.get(), r);
    if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) {
      auto [codes, text] = take_openssl_errors();
      fail_open("renegotiation failed: " + text, codes);
      return;
    }
  }
  hs_done_ = false;
  arm_watchdog();
}

void Handler::renegotiation_completed() {
  if (SSL_version(ssl_.get()) != version_) {
    cut(events::Id::tls_version_change,
        std::string("renegotiation changed the version to ") + SSL_get_version(ssl_.get()));
    return;
  }
  const bool ours = our_reneg_;
  const bool full = SSL_session_reused(ssl_.get()) != 1;
  our_reneg_ = false;
  ++watch_gen_;
  impl_.renegotiations.fetch_add(1, std::memory_order_relaxed);
  if (is_server()) SSL_clear_options(ssl_.get(), SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION);
  // A full renegotiation we asked for that the server answered by resuming verified nobody:
  // verify the peer in code against the current store instead.
  if (ours && our_full_ && !full && !reverify_peer()) {
    cut_for_verify_failure("peer certificate no longer valid");
    return;
  }
  const bool after_crl = crl_recheck_;
  crl_recheck_ = false;
  emit(events::Id::tls_renegotiated,
       std::string(full ? "full" : "abbreviated") + " renegotiation started by " +
           (ours ? "us" : "the peer") + (after_crl ? " after a CRL reload" : "") + " completed",
       {{"initiator", ours ? "local" : "peer"}, {"handshake", full ? "full" : "abbreviated"}});
  if (!ours && is_server()) {
    // Rate limit: a third client-initiated renegotiation within the window is refused.
    const auto now = std::chrono::steady_clock::now();
    peer_renegotiations_ = {peer_renegotiations_[1], now};
    const auto older = peer_renegotiations_[0];
    if (older.time_since_epoch().count() != 0 && now - older < kPeerRenegotiationWindow) {
      SSL_clear_options(ssl_.get(), SSL_OP_ALLOW_CLIENT_RENEGOTIATION);
      const std::uint64_t g = ++peer_gap_gen_;
      outer_.post_after(std::chrono::duration_cast<Ms>(kPeerRenegotiationWindow - (now - older)) + Ms{1},
                        [this, g] {
                          if (state_ == State::open && g == peer_gap_gen_) {
                            SSL_set_options(ssl_.get(), SSL_OP_ALLOW_CLIENT_RENEGOTIATION);
                          }
                          return net::Reply{};
                        });
    }
  }
  arm_timers(full);
  run_due(full);
}

void Handler::key_update_completed(bool peer_initiated) {
  const bool was_full = our_full_ && !peer_initiated;
  if (!peer_initiated) {
    awaiting_key_update_ = false;
    ++watch_gen_;
  }
  emit(events::Id::tls_key_updated,
       peer_initiated
           ? "peer updated its keys and requested ours (answered)"
           : "our keys updated; update of the peer's requested (it follows with the peer's next record)",
       {{"initiator", peer_initiated ? "peer" : "local"}});
  // Our peer re-check timer (renegotiation_interval) is local and keeps running.
  arm_timers(was_full);
  crl_recheck_ = false;
  if (!peer_initiated) run_due(was_full);
}

void Handler::run_due(bool just_full) {
  // A full one that just ran covers a due full one, but not a CRL re-check that came after it
  // started; an abbreviated one due is covered by whatever just ran.
  const bool crl = recheck_due_;
  const bool full = crl || (full_due_ && !just_full);
  full_due_ = resume_due_ = recheck_due_ = false;
  if (full) start_renegotiation(true, crl);
}

// ---------------------------------------------------------------------------------------------
// Context::wrap
// ---------------------------------------------------------------------------------------------

std::unique_ptr<net::ConnectionHandler> Context::wrap(std::unique_ptr<net::ConnectionHandler> inner,
                                                      std::string peer_key) {
  return std::make_unique<Handler>(shared_from_this(), std::move(inner), std::move(peer_key));
}

}  // namespace mmssec::tls
