// SPDX-License-Identifier: Apache-2.0
// TLS sessions over loopback: TLS 1.2 and 1.3, every default suite, brainpool, the data path
// (posted replies are encrypted), and the events of every handshake outcome.
#include <gtest/gtest.h>

#include <cctype>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <thread>

#include "mmssec/net/client.hpp"
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

class TlsHandshake : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(pki().ok()) << pki().error(); }
  static const OpensslPki& pki() { return OpensslPki::shared(); }

  std::shared_ptr<events::MemorySink> server_sink = std::make_shared<events::MemorySink>();
  std::shared_ptr<events::MemorySink> client_sink = std::make_shared<events::MemorySink>();
};

bool got_echo(Seen& client, std::string_view text) {
  return client.wait([&](const Seen& s) { return s.received == text; });
}

TEST_F(TlsHandshake, Tls12EchoAndEvents) {
  Config sc = base_config(pki().server_rsa, server_sink);
  sc.max_version = Version::tls1_2;
  EchoServer server(make_context(Role::server, sc));
  auto client_ctx = make_context(Role::client, base_config(pki().client_rsa, client_sink));
  net::Loop loop(1);
  auto client = connect_client(loop, client_ctx, server.port(), "hello");
  ASSERT_TRUE(got_echo(*client, "hello")) << client->text();
  EXPECT_EQ(server.seen().text(), "hello");
  ASSERT_TRUE(server_sink->wait_for(Id::tls_established, 2s));
  const auto e = first(*server_sink, Id::tls_established);
  EXPECT_EQ(field(e, "version"), "TLSv1.2");
  EXPECT_EQ(field(e, "suite"), "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
  EXPECT_NE(field(e, "subject").find("CN=client-rsa"), std::string::npos) << field(e, "subject");
  EXPECT_EQ(field(e, "resumed"), "no");
  EXPECT_NE(e.connection, 0U);
  EXPECT_EQ(e.peer.rfind("127.0.0.1:", 0), 0U) << e.peer;
  ASSERT_TRUE(client_sink->wait_for(Id::tls_established, 2s));
  EXPECT_NE(field(first(*client_sink, Id::tls_established), "subject").find("CN=server-rsa"),
            std::string::npos);
  EXPECT_EQ(server.ctx().stats().handshakes, 1U);
  EXPECT_EQ(server.ctx().stats().live, 1U);
  EXPECT_EQ(client_ctx->stats().handshakes, 1U);
  EXPECT_EQ(testing::failure_events(*server_sink), 0U);
  loop.stop();
  ASSERT_TRUE(server.seen().wait([](const Seen& s) { return s.closed == 1; }));
  EXPECT_EQ(client->closed_count(), 1);
  EXPECT_TRUE(testing::eventually([&] { return server.ctx().stats().live == 0; }));
}

TEST_F(TlsHandshake, Tls13EchoAndEvents) {
  EchoServer server(make_context(Role::server, base_config(pki().server_p256, server_sink)));
  auto client_ctx = make_context(Role::client, base_config(pki().client_p256, client_sink));
  net::Loop loop(1);
  auto client = connect_client(loop, client_ctx, server.port(), "hello 1.3");
  ASSERT_TRUE(got_echo(*client, "hello 1.3"));
  ASSERT_TRUE(server_sink->wait_for(Id::tls_established, 2s));
  ASSERT_TRUE(client_sink->wait_for(Id::tls_established, 2s));
  const auto e = first(*client_sink, Id::tls_established);
  EXPECT_EQ(field(e, "version"), "TLSv1.3");
  EXPECT_EQ(field(e, "suite"), "TLS_AES_128_GCM_SHA256");
  EXPECT_EQ(testing::failure_events(*server_sink) + testing::failure_events(*client_sink), 0U);
}

TEST_F(TlsHandshake, LargeTransferBothWays) {
  EchoServer server(make_context(Role::server, base_config(pki().server_rsa, server_sink)));
  auto client_ctx = make_context(Role::client, base_config(pki().client_rsa, client_sink));
  net::Loop loop(1);
  std::string big(100'000, 'x');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);
  auto client = connect_client(loop, client_ctx, server.port(), big);
  ASSERT_TRUE(client->wait([&](const Seen& s) { return s.received.size() >= big.size(); }));
  EXPECT_EQ(client->text(), big);
}

/// The inner handler's Link posts from another thread: what it returns must arrive encrypted
/// (the client decrypts it), including post_after and close (close_notify, then the end).
TEST_F(TlsHandshake, PostedRepliesAreEncrypted) {
  EchoServer server(make_context(Role::server, base_config(pki().server_rsa, server_sink)));
  auto client_ctx = make_context(Role::client, base_config(pki().client_rsa, client_sink));
  net::Loop loop(1);
  auto client = connect_client(loop, client_ctx, server.port(), "x");
  ASSERT_TRUE(got_echo(*client, "x"));
  const net::Link link = server.seen().link();
  ASSERT_TRUE(link.alive());
  std::thread other([link] {
    link.post([] { return net::Reply{testing::bytes_of("-report"), false}; });
    link.post_after(20ms, [] { return net::Reply{testing::bytes_of("-later"), false}; });
  });
  other.join();
  ASSERT_TRUE(got_echo(*client, "x-report-later")) << client->text();
  link.close();
  ASSERT_TRUE(client->wait([](const Seen& s) { return s.closed == 1; }));
  EXPECT_TRUE(server.seen().wait([](const Seen& s) { return s.closed == 1; }));
  EXPECT_EQ(testing::failure_events(*client_sink), 0U);
}

struct SuiteCase {
  const char* suite;  ///< as configured
  const char* iana;   ///< as reported
  bool ecdsa;
  friend void PrintTo(const SuiteCase& c, std::ostream* os) { *os << c.suite; }
};

class TlsDefaultSuites : public TlsHandshake, public ::testing::WithParamInterface<SuiteCase> {};

TEST_P(TlsDefaultSuites, EachDefaultServerSuiteIsNegotiable) {
  const SuiteCase c = GetParam();
  EchoServer server(
      make_context(Role::server, base_config(c.ecdsa ? pki().server_p256 : pki().server_rsa, server_sink)));
  Config cc = base_config(c.ecdsa ? pki().client_p256 : pki().client_rsa, client_sink);
  cc.max_version = Version::tls1_2;
  cc.cipher_suites = {c.suite};
  auto client_ctx = make_context(Role::client, cc);
  net::Loop loop(1);
  auto client = connect_client(loop, client_ctx, server.port(), "suite");
  ASSERT_TRUE(got_echo(*client, "suite")) << c.suite;
  ASSERT_TRUE(server_sink->wait_for(Id::tls_established, 2s));
  EXPECT_EQ(field(first(*server_sink, Id::tls_established), "suite"), c.iana);
}

INSTANTIATE_TEST_SUITE_P(
    Suites, TlsDefaultSuites,
    ::testing::Values(
        SuiteCase{"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", true},
        SuiteCase{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", false},
        SuiteCase{"TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", false},
        SuiteCase{"TLS_RSA_WITH_AES_128_CBC_SHA256", "TLS_RSA_WITH_AES_128_CBC_SHA256", false},
        SuiteCase{"0xC02F", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", false},
        SuiteCase{"ECDHE-ECDSA-AES128-GCM-SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", true}),
    [](const ::testing::TestParamInfo<SuiteCase>& p) {
      std::string name(p.param.suite);
      for (char& ch : name) {
        if (std::isalnum(static_cast<unsigned char>(ch)) == 0) ch = '_';
      }
      return name;
    });

/// Our client reaches a server that offers only the libiec61850 suites.
TEST_F(TlsHandshake, ClientDefaultsReachCompatibilityOnlyServer) {
  Config sc = base_config(pki().server_rsa, server_sink);
  sc.max_version = Version::tls1_2;
  sc.cipher_suites = {"TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_AES_256_CBC_SHA"};
  EchoServer server(make_context(Role::server, sc));
  auto client_ctx = make_context(Role::client, base_config(pki().client_rsa, client_sink));
  net::Loop loop(1);
  auto client = connect_client(loop, client_ctx, server.port(), "compat");
  ASSERT_TRUE(got_echo(*client, "compat"));
  EXPECT_EQ(field(first(*server_sink, Id::tls_established), "suite"), "TLS_RSA_WITH_AES_128_CBC_SHA");
}

TEST_F(TlsHandshake, BrainpoolCredentialsAtTls12) {
  Config sc = base_config(pki().server_brainpool, server_sink);
  sc.max_version = Version::tls1_2;
  EchoServer server(make_context(Role::server, sc));
  Config cc = base_config(pki().client_brainpool, client_sink);
  cc.max_version = Version::tls1_2;
  auto client_ctx = make_context(Role::client, cc);
  net::Loop loop(1);
  auto client = connect_client(loop, client_ctx, server.port(), "bp");
  ASSERT_TRUE(got_echo(*client, "bp"));
  EXPECT_EQ(field(first(*server_sink, Id::tls_established), "suite"),
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
}

TEST_F(TlsHandshake, NoSharedSuiteIsNoCipher) {
  Config sc = base_config(pki().server_rsa, server_sink);
  sc.max_version = Version::tls1_2;
  sc.cipher_suites = {"TLS_RSA_WITH_AES_128_CBC_SHA256"};
  EchoServer server(make_context(Role::server, sc));
  Config cc = base_config(pki().client_rsa, client_sink);
  cc.max_version = Version::tls1_2;
  cc.cipher_suites = {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"};
  auto client_ctx = make_context(Role::client, cc);
  net::Loop loop(1);
  auto client = connect_client(loop, client_ctx, server.port());
  ASSERT_TRUE(server_sink->wait_for(Id::tls_no_cipher, 3s));
  ASSERT_TRUE(client->wait([](const Seen& s) { return s.closed == 1; }));
  EXPECT_EQ(testing::failure_events(*server_sink), 1U);
  EXPECT_TRUE(client_sink->wait_for(Id::tls_handshake_failed, 2s));
  EXPECT_EQ(server.seen().get<int>([](const Seen& s) { return s.data_calls; }), 0);
  EXPECT_EQ(server.ctx().stats().handshake_failures, 1U);
}

TEST_F(TlsHandshake, MissingClientCertificateIsCertUnavailable) {
  for (const int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
    server_sink->clear();
    EchoServer server(make_context(Role::server, base_config(pki().server_rsa, server_sink)));
    RawOptions o;
    o.min_version = o.max_version = version;
    RawClient raw(server.port(), o);
    (void)raw.handshake(2s);  // TLS 1.3: the client finishes before the server checks
    (void)raw.write("plaintext?");
    (void)raw.read(1, 1s);
    ASSERT_TRUE(server_sink->wait_for(Id::tls_cert_unavailable, 3s)) << version;
    EXPECT_EQ(testing::failure_events(*server_sink), 1U);
    EXPECT_EQ(server.seen().text(), "");
  }
}

TEST_F(TlsHandshake, GarbageInsteadOfClientHello) {
  EchoServer server(make_context(Role::server, base_config(pki().server_rsa, server_sink)));
  auto c = net::Client::connect("127.0.0.1", server.port(), 2s);
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c->send(testing::bytes_of("GET / HTTP/1.0\r\n\r\n\x03\x00\x00\x16garbage")).ok());
  ASSERT_TRUE(server_sink->wait_for(Id::tls_handshake_failed, 3s));
  const auto e = first(*server_sink, Id::tls_handshake_failed);
  EXPECT_FALSE(e.detail.empty());
  EXPECT_EQ(testing::failure_events(*server_sink), 1U);
  EXPECT_TRUE(server.seen().wait([](const Seen& s) { return s.closed == 1; }));
  EXPECT_EQ(server.seen().get<int>([](const Seen& s) { return s.data_calls; }), 0);
}

TEST_F(TlsHandshake, Tls11ClientRefusedByDefault) {
  EchoServer server(make_context(Role::server, base_config(pki().server_rsa, server_sink)));
  RawOptions o;
  o.min_version = TLS1_VERSION;
  o.max_version = TLS1_1_VERSION;
  o.security_level = 0;
  RawClient raw(server.port(), o);
  EXPECT_FALSE(raw.handshake(2s));
  ASSERT_TRUE(server_sink->wait_for(Id::tls_handshake_failed, 3s));
  EXPECT_NE(first(*server_sink, Id::tls_handshake_failed).detail.find("protocol"), std::string::npos)
      << first(*server_sink, Id::tls_handshake_failed).detail;
  EXPECT_EQ(server_sink->count(Id::tls_established), 0U);
}

TEST_F(TlsHandshake, Tls11AllowedByConfigWarns) {
  const std::vector<std::string> suites{"TLS_RSA_WITH_AES_128_CBC_SHA"};
  Config sc = base_config(pki().server_rsa, server_sink);
  sc.min_version = Version::tls1_1;
  sc.cipher_suites = suites;
  EchoServer server(make_context(Role::server, sc));
  Config cc = base_config(pki().client_rsa, client_sink);
  cc.min_version = Version::tls1_1;
  cc.max_version = Version::tls1_1;
  cc.cipher_suites = suites;
  auto client_ctx = make_context(Role::client, cc);
  net::Loop loop(1);
  auto client = connect_client(loop, client_ctx, server.port(), "old");
  ASSERT_TRUE(got_echo(*client, "old"));
  ASSERT_TRUE(server_sink->wait_for(Id::tls_weak_version, 2s));
  EXPECT_EQ(field(first(*server_sink, Id::tls_weak_version), "version"), "TLSv1.1");
  EXPECT_TRUE(client_sink->wait_for(Id::tls_weak_version, 2s));
}

TEST_F(TlsHandshake, NullCipherOnlyBehindSwitchAndWarns) {
  const std::vector<std::string> suites{"TLS_RSA_WITH_NULL_SHA256"};
  Config sc = base_config(pki().server_rsa, server_sink);
  sc.max_version = Version::tls1_2;
  sc.cipher_suites = suites;
  sc.allow_null_cipher = true;
  EchoServer server(make_context(Role::server, sc));
  Config cc = base_config(pki().client_rsa, client_sink);
  cc.max_version = Version::tls1_2;
  cc.cipher_suites = {"0x003B"};
  cc.allow_null_cipher = true;
  auto client_ctx = make_context(Role::client, cc);
  net::Loop loop(1);
  auto client = connect_client(loop, client_ctx, server.port(), "clear");
  ASSERT_TRUE(got_echo(*client, "clear"));
  ASSERT_TRUE(server_sink->wait_for(Id::tls_null_cipher, 2s));
  EXPECT_EQ(field(first(*server_sink, Id::tls_established), "suite"), "TLS_RSA_WITH_NULL_SHA256");
}

TEST_F(TlsHandshake, KeylogWritesSecretsAndIsFlagged) {
  test_support::ScratchDir dir("mmssec-tls-keylog");
  const auto log = dir.path() / "keys.log";
  EchoServer server(make_context(Role::server, base_config(pki().server_rsa, server_sink)));
  Config cc = base_config(pki().client_rsa, client_sink);
  cc.keylog_file = log.string();
  auto client_ctx = make_context(Role::client, cc);
  EXPECT_EQ(client_sink->count(Id::tls_keylog_enabled), 1U);
  net::Loop loop(1);
  auto client = connect_client(loop, client_ctx, server.port(), "k");
  ASSERT_TRUE(got_echo(*client, "k"));
  ASSERT_TRUE(client_sink->wait_for(Id::tls_established, 2s));
  EXPECT_EQ(field(first(*client_sink, Id::tls_established), "keylog"), "on");
  EXPECT_EQ(field(first(*server_sink, Id::tls_established), "keylog"), "");
  std::ifstream in(log);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("CLIENT_HANDSHAKE_TRAFFIC_SECRET "), std::string::npos) << text;
  EXPECT_NE(text.find("CLIENT_TRAFFIC_SECRET_0 "), std::string::npos) << text;
}

}  // namespace
}  // namespace mmssec::tls
