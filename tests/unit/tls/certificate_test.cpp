// SPDX-License-Identifier: Apache-2.0
// Peer certificate checks: each refused certificate raises exactly one alarm naming the reason,
// and the inner handler never sees a byte of plaintext. CRL gaps are warnings, not failures.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "tls_test_support.hpp"

namespace mmssec::tls {
namespace {

using namespace std::chrono_literals;
using events::Id;
using testing::base_config;
using testing::connect_client;
using testing::EchoServer;
using testing::field;
using testing::first;
using testing::make_context;
using testing::OpensslPki;
using testing::PkiCredential;
using testing::RawClient;
using testing::RawOptions;
using testing::Seen;

const OpensslPki& pki() { return OpensslPki::shared(); }

class TlsCertificate : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(pki().ok()) << pki().error(); }

  /// A server with `sc` and one client with `client` (max_certificate_size raised so that our
  /// client may present an oversized certificate); waits for the server's verdict.
  void connect(const Config& sc, const PkiCredential& client, Version max = Version::tls1_3) {
    server = std::make_unique<EchoServer>(make_context(Role::server, sc));
    Config cc = base_config(client, client_sink);
    cc.max_certificate_size = 64 * 1024;
    cc.max_version = max;
    auto ctx = make_context(Role::client, cc);
    ASSERT_TRUE(ctx);
    client_seen = connect_client(loop, ctx, server->port(), "secret");
  }
  /// The handshake failed on the server with `id` only, and no plaintext got through.
  void expect_refused(Id id) {
    ASSERT_TRUE(server_sink->wait_for(id, 3s)) << "events: " << dump();
    ASSERT_TRUE(server->seen().wait([](const Seen& s) { return s.closed == 1; }));
    EXPECT_EQ(testing::failure_events(*server_sink), 1U) << dump();
    EXPECT_EQ(server->seen().text(), "");
    EXPECT_EQ(server->seen().get<int>([](const Seen& s) { return s.data_calls; }), 0);
    EXPECT_EQ(server->ctx().stats().handshake_failures, 1U);
    EXPECT_EQ(server->ctx().stats().handshakes, 0U);
    EXPECT_TRUE(client_seen->wait([](const Seen& s) { return s.closed == 1; }));
    EXPECT_EQ(client_seen->text(), "");
  }
  void expect_accepted() {
    ASSERT_TRUE(client_seen->wait([](const Seen& s) { return s.received == "secret"; })) << dump();
    EXPECT_EQ(testing::failure_events(*server_sink), 0U) << dump();
  }
  std::string dump() const {
    std::string s;
    for (const auto& e : server_sink->events()) s += events::format_text(e) + "\n";
    return s;
  }

  std::shared_ptr<events::MemorySink> server_sink = std::make_shared<events::MemorySink>();
  std::shared_ptr<events::MemorySink> client_sink = std::make_shared<events::MemorySink>();
  net::Loop loop{1};
  std::unique_ptr<EchoServer> server;
  std::shared_ptr<Seen> client_seen;
};

TEST_F(TlsCertificate, UntrustedIssuer) {
  connect(base_config(pki().server_rsa, server_sink), pki().client_untrusted);
  expect_refused(Id::tls_cert_untrusted);
  EXPECT_NE(first(*server_sink, Id::tls_cert_untrusted).detail.find("issuer"), std::string::npos);
}

TEST_F(TlsCertificate, Expired) {
  connect(base_config(pki().server_rsa, server_sink), pki().client_expired);
  expect_refused(Id::tls_cert_expired);
  const auto e = first(*server_sink, Id::tls_cert_expired);
  EXPECT_NE(e.detail.find("notAfter 2021-01-01"), std::string::npos) << e.detail;
  EXPECT_NE(field(e, "subject").find("CN=client-expired"), std::string::npos);
}

TEST_F(TlsCertificate, NotYetValid) {
  connect(base_config(pki().server_rsa, server_sink), pki().client_not_yet_valid);
  expect_refused(Id::tls_cert_not_yet_valid);
}

TEST_F(TlsCertificate, Revoked) {
  Config sc = base_config(pki().server_rsa, server_sink);
  sc.crl_files = {pki().crl_revoked};
  connect(sc, pki().client_revoked, Version::tls1_2);
  expect_refused(Id::tls_cert_revoked);
}

TEST_F(TlsCertificate, RevokedAtTls13) {
  Config sc = base_config(pki().server_rsa, server_sink);
  sc.crl_files = {pki().crl_revoked};
  connect(sc, pki().client_revoked);
  expect_refused(Id::tls_cert_revoked);
  // The TLS 1.3 client finished first: it learns of the refusal from the server's alert.
  EXPECT_TRUE(client_sink->wait_for(Id::tls_handshake_failed, 2s));
  EXPECT_EQ(client_sink->count(Id::tls_established), 0U);
}

TEST_F(TlsCertificate, StaleCrlWarnsButStillRevokes) {
  Config sc = base_config(pki().server_rsa, server_sink);
  sc.crl_files = {pki().crl_stale};
  connect(sc, pki().client_revoked);
  expect_refused(Id::tls_cert_revoked);
}

TEST_F(TlsCertificate, StaleCrlIsOnlyAWarning) {
  Config sc = base_config(pki().server_rsa, server_sink);
  sc.crl_files = {pki().crl_stale};
  connect(sc, pki().client_rsa);
  expect_accepted();
  EXPECT_EQ(server_sink->count(Id::tls_no_crl), 1U) << dump();
  EXPECT_EQ(first(*server_sink, Id::tls_no_crl).severity, events::Severity::warning);
}

TEST_F(TlsCertificate, MissingCrlForIssuerIsOnlyAWarning) {
  // The CRL of another CA: nothing covers our client's issuer.
  Config sc = base_config(pki().server_rsa, server_sink);
  sc.trust_anchor_files = {pki().ca, pki().untrusted_ca};
  connect(sc, pki().client_untrusted);
  expect_accepted();
  EXPECT_EQ(server_sink->count(Id::tls_no_crl), 1U) << dump();
}

TEST_F(TlsCertificate, WeakRsaKey) {
  server =
      std::make_unique<EchoServer>(make_context(Role::server, base_config(pki().server_rsa, server_sink)));
  RawOptions o;
  o.cert = pki().client_rsa1024.cert;
  o.key = pki().client_rsa1024.key;
  o.security_level = 0;
  o.max_version = TLS1_2_VERSION;
  RawClient raw(server->port(), o);
  EXPECT_FALSE(raw.handshake(2s));
  ASSERT_TRUE(server_sink->wait_for(Id::tls_cert_weak_key, 3s)) << dump();
  EXPECT_EQ(testing::failure_events(*server_sink), 1U) << dump();
}

TEST_F(TlsCertificate, Oversized) {
  connect(base_config(pki().server_rsa, server_sink), pki().client_oversized);
  expect_refused(Id::tls_cert_too_large);
  EXPECT_NE(first(*server_sink, Id::tls_cert_too_large).detail.find("8192"), std::string::npos);
}

TEST_F(TlsCertificate, WithoutClientAuthEku) {
  connect(base_config(pki().server_rsa, server_sink), pki().client_no_client_auth);
  expect_refused(Id::tls_cert_bad_usage);
}

TEST_F(TlsCertificate, WithoutDigitalSignatureKeyUsage) {
  connect(base_config(pki().server_rsa, server_sink), pki().client_no_digital_signature, Version::tls1_2);
  expect_refused(Id::tls_cert_bad_usage);
}

TEST_F(TlsCertificate, ServerCertificateWithoutServerAuthIsRefusedByClient) {
  // A client certificate (EKU clientAuth) used as the server's.
  server =
      std::make_unique<EchoServer>(make_context(Role::server, base_config(pki().client_rsa_b, server_sink)));
  auto ctx = make_context(Role::client, base_config(pki().client_rsa, client_sink));
  client_seen = connect_client(loop, ctx, server->port(), "secret");
  ASSERT_TRUE(client_sink->wait_for(Id::tls_cert_bad_usage, 3s));
  EXPECT_TRUE(client_seen->wait([](const Seen& s) { return s.closed == 1; }));
  EXPECT_EQ(server->seen().text(), "");
}

TEST_F(TlsCertificate, NotOnAllowList) {
  Config sc = base_config(pki().server_rsa, server_sink);
  sc.allowed_peer_files = {pki().client_rsa_b.cert};
  connect(sc, pki().client_rsa);
  expect_refused(Id::tls_cert_not_allowed);
}

TEST_F(TlsCertificate, OnAllowList) {
  Config sc = base_config(pki().server_rsa, server_sink);
  sc.allowed_peer_files = {pki().client_rsa_b.cert, pki().client_p256.cert};
  connect(sc, pki().client_rsa_b);
  expect_accepted();
}

TEST_F(TlsCertificate, ExpiredButAllowListedIsStillRefused) {
  Config sc = base_config(pki().server_rsa, server_sink);
  sc.allowed_peer_files = {pki().client_expired.cert};
  connect(sc, pki().client_expired);
  expect_refused(Id::tls_cert_expired);
}

}  // namespace
}  // namespace mmssec::tls
