// SPDX-License-Identifier: Apache-2.0
// A server-side TLS handler (tls::Context::wrap around a plaintext inner handler) fed the bytes
// of one input as if they came from a peer, with no connection behind it (a default Link: posts
// and timers are dropped). Input: one octet giving the chunk size of the on_data() calls (0 = all
// at once, otherwise 1..255 octets each), then the peer's bytes.
// Invariants: no crash or sanitizer report; the inner handler never receives plaintext (no input
// can complete a handshake without the server's key exchange); it gets on_open and on_closed
// exactly once; at most one handshake-failure alarm per connection.
//
// The server credential (a self-signed P-256 certificate, also the trust anchor) is made at
// start-up with OpenSSL and written to a private temporary directory.
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "mmssec/core/bytes.hpp"
#include "mmssec/events/event.hpp"
#include "mmssec/net/connection.hpp"
#include "mmssec/tls/tls.hpp"

namespace {
using namespace mmssec;

struct Counts {
  int opened = 0;
  int closed = 0;
  int data = 0;
};

class Inner final : public net::ConnectionHandler {
 public:
  explicit Inner(Counts& c) : c_(c) {}
  net::Reply on_open(const net::Link& /*link*/, const net::PeerInfo& /*peer*/) override {
    ++c_.opened;
    return net::Reply{Bytes{'h', 'i'}, false};
  }
  net::Reply on_data(ByteView /*data*/) override {
    ++c_.data;
    return {};
  }
  void on_closed() override { ++c_.closed; }

 private:
  Counts& c_;
};

/// Counts handshake-failure alarms (the events of a failed first handshake).
class AlarmCounter final : public events::Sink {
 public:
  void emit(const events::Event& e) override {
    if (e.severity == events::Severity::alarm) alarms.fetch_add(1);
  }
  std::atomic<int> alarms{0};
};

bool write_pem(const std::string& path, EVP_PKEY* key, X509* cert) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) return false;
  const bool ok = key != nullptr ? PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr) == 1
                                 : PEM_write_X509(f, cert) == 1;
  return std::fclose(f) == 0 && ok;
}

/// A self-signed P-256 server certificate in a temporary directory: {cert, key}.
std::pair<std::string, std::string> make_credential() {
  char tmpl[] = "/tmp/mmssec-fuzz-tls-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) std::abort();
  const std::string dir = tmpl;
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* cert = X509_new();
  if (key == nullptr || cert == nullptr) std::abort();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600L * 24 * 365);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("fuzz server"),
                             -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509_set_pubkey(cert, key);
  if (X509_sign(cert, key, EVP_sha256()) <= 0) std::abort();
  const std::string cert_path = dir + "/server.pem";
  const std::string key_path = dir + "/server.key";
  if (!write_pem(cert_path, nullptr, cert) || !write_pem(key_path, key, nullptr)) std::abort();
  X509_free(cert);
  EVP_PKEY_free(key);
  return {cert_path, key_path};
}

struct Setup {
  std::shared_ptr<AlarmCounter> sink = std::make_shared<AlarmCounter>();
  std::shared_ptr<tls::Context> ctx;
  Setup() {
    const auto [cert, key] = make_credential();
    tls::Config c;
    c.certificate_file = cert;
    c.private_key_file = key;
    c.trust_anchor_files = {cert};
    c.events = sink;
    std::string why;
    auto r = tls::Context::create(tls::Role::server, c, &why);
    if (!r) {
      std::fprintf(stderr, "tls context: %s\n", why.c_str());
      std::abort();
    }
    ctx = *r;
    // The files are loaded: remove them.
    ::unlink(cert.c_str());
    ::unlink(key.c_str());
    ::rmdir(cert.substr(0, cert.rfind('/')).c_str());
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Setup setup;
  if (size == 0) return 0;
  const std::size_t chunk = data[0] == 0 ? size : data[0];
  ByteView peer(data + 1, size - 1);

  Counts counts;
  const int alarms_before = setup.sink->alarms.load();
  {
    auto handler = setup.ctx->wrap(std::make_unique<Inner>(counts));
    net::Reply r = handler->on_open(net::Link{}, net::PeerInfo{"127.0.0.1", 40000});
    if (!r.send.empty()) std::abort();  // a server speaks only after the ClientHello
    while (!peer.empty() && !r.close) {
      const std::size_t n = std::min(chunk, peer.size());
      r = handler->on_data(peer.first(n));
      peer = peer.subspan(n);
    }
    if (!r.close) (void)handler->on_timeout();
    handler->on_closed();
  }
  if (counts.opened != 1 || counts.closed != 1 || counts.data != 0) std::abort();
  if (setup.sink->alarms.load() - alarms_before > 1) std::abort();
  return 0;
}
