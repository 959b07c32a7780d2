// SPDX-License-Identifier: Apache-2.0
// Live sessions: renegotiation and KeyUpdate on schedule (real timers, 1 s / 2 s intervals),
// resumption on the next connection, version change on resumption, CRL reload cutting a revoked
// peer while another stays, peers that stall or refuse a renegotiation, the handshake deadline.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

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
using testing::RawClient;
using testing::RawOptions;
using testing::Seen;

const OpensslPki& pki() { return OpensslPki::shared(); }

/// Sends `text` through the client's inner Link (from this thread) and waits for the echo.
bool ping(Seen& client, const std::string& text, std::chrono::milliseconds limit = 3s) {
  const std::size_t before = client.text().size();
  client.link().post([text] { return net::Reply{testing::bytes_of(text), false}; });
  return client.wait([&](const Seen& s) { return s.received.size() >= before + text.size(); }, limit) &&
         client.text().substr(before) == text;
}

Config fast(Config c) {
  c.resumption_interval = std::chrono::seconds{1};
  c.renegotiation_interval = std::chrono::seconds{2};
  c.renegotiation_timeout = 500ms;
  return c;
}

std::string dump(const events::MemorySink& sink) {
  std::string s;
  for (const auto& e : sink.events()) s += events::format_text(e) + "\n";
  return s;
}

/// tls_renegotiated events of this kind ("full" / "abbreviated").
std::size_t renegotiations(const events::MemorySink& sink, std::string_view kind) {
  std::size_t n = 0;
  for (const auto& e : sink.events()) {
    if (e.id == Id::tls_renegotiated && field(e, "handshake") == kind) ++n;
  }
  return n;
}

class TlsSession : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(pki().ok()) << pki().error(); }
  std::shared_ptr<events::MemorySink> server_sink = std::make_shared<events::MemorySink>();
  std::shared_ptr<events::MemorySink> client_sink = std::make_shared<events::MemorySink>();
  net::Loop loop{1};
};

TEST_F(TlsSession, Tls12RenegotiatesOnSchedule) {
  Config sc = fast(base_config(pki().server_rsa, server_sink));
  sc.max_version = Version::tls1_2;
  EchoServer server(make_context(Role::server, sc));
  auto client_ctx = make_context(Role::client, fast(base_config(pki().client_rsa, client_sink)));
  auto client = connect_client(loop, client_ctx, server.port(), "a");
  ASSERT_TRUE(client->wait([](const Seen& s) { return s.received == "a"; }));
  // ~1 s: abbreviated; ~2 s: full (the peer is verified again). Either side may start them.
  EXPECT_TRUE(testing::eventually([&] { return renegotiations(*server_sink, "abbreviated") >= 1; }, 4s))
      << dump(*server_sink);
  EXPECT_TRUE(testing::eventually([&] { return renegotiations(*server_sink, "full") >= 1; }, 4s))
      << dump(*server_sink);
  EXPECT_TRUE(ping(*client, "-after")) << client->text() << "\n" << dump(*server_sink) << dump(*client_sink);
  EXPECT_EQ(testing::failure_events(*server_sink) + testing::failure_events(*client_sink), 0U)
      << dump(*server_sink) << dump(*client_sink);
  EXPECT_GE(client_ctx->stats().renegotiations, 2U);
  EXPECT_GE(server.ctx().stats().renegotiations, 2U);
}

TEST_F(TlsSession, Tls13KeyUpdateOnSchedule) {
  EchoServer server(make_context(Role::server, fast(base_config(pki().server_rsa, server_sink))));
  auto client_ctx = make_context(Role::client, fast(base_config(pki().client_rsa, client_sink)));
  auto client = connect_client(loop, client_ctx, server.port(), "a");
  ASSERT_TRUE(client->wait([](const Seen& s) { return s.received == "a"; }));
  // ~1 s and ~2 s: each side's KeyUpdate (or its answer to the peer's) is an event on both sides.
  EXPECT_TRUE(testing::eventually([&] { return server_sink->count(Id::tls_key_updated) >= 2; }, 4s))
      << dump(*server_sink);
  EXPECT_TRUE(testing::eventually([&] { return client_sink->count(Id::tls_key_updated) >= 2; }, 4s))
      << dump(*client_sink);
  EXPECT_GE(server.ctx().stats().key_updates + client_ctx->stats().key_updates, 2U);
  EXPECT_TRUE(ping(*client, "-after"));
  EXPECT_EQ(testing::failure_events(*server_sink) + testing::failure_events(*client_sink), 0U)
      << dump(*server_sink) << dump(*client_sink);
}

TEST_F(TlsSession, ClientInitiatedRenegotiationIsAccepted) {
  // The client's timers are shorter: it renegotiates first.
  Config sc = base_config(pki().server_rsa, server_sink);
  sc.max_version = Version::tls1_2;
  EchoServer server(make_context(Role::server, sc));
  auto client_ctx = make_context(Role::client, fast(base_config(pki().client_rsa, client_sink)));
  auto client = connect_client(loop, client_ctx, server.port(), "a");
  ASSERT_TRUE(client->wait([](const Seen& s) { return s.received == "a"; }));
  ASSERT_TRUE(server_sink->wait_for(Id::tls_renegotiated, 3s)) << dump(*client_sink);
  EXPECT_EQ(field(first(*server_sink, Id::tls_renegotiated), "initiator"), "peer");
  // ~2 s: the client's full renegotiation (the server verifies the client again).
  EXPECT_TRUE(testing::eventually([&] { return renegotiations(*server_sink, "full") >= 1; }, 3s))
      << dump(*server_sink) << dump(*client_sink);
  EXPECT_TRUE(ping(*client, "-after")) << client->text() << "\n" << dump(*server_sink) << dump(*client_sink);
  EXPECT_EQ(testing::failure_events(*server_sink) + testing::failure_events(*client_sink), 0U)
      << dump(*server_sink) << dump(*client_sink);
}

void resume_once(TlsSession& t, Version max, net::Loop& loop, events::MemorySink& server_sink,
                 const std::shared_ptr<events::MemorySink>& client_sink) {
  Config sc = base_config(pki().server_rsa, nullptr);
  sc.events = std::shared_ptr<events::Sink>(&server_sink, [](events::Sink*) {});
  sc.max_version = max;
  EchoServer server(make_context(Role::server, sc));
  auto client_ctx = make_context(Role::client, base_config(pki().client_rsa, client_sink));
  for (int i = 0; i < 2; ++i) {
    auto client = connect_client(loop, client_ctx, server.port(), "r", "server-a");
    ASSERT_TRUE(client->wait([](const Seen& s) { return s.received == "r"; }));
    client->link().close();
    ASSERT_TRUE(client->wait([](const Seen& s) { return s.closed == 1; }));
  }
  EXPECT_EQ(server.ctx().stats().handshakes, 2U);
  EXPECT_EQ(server.ctx().stats().resumed, 1U) << dump(server_sink);
  EXPECT_EQ(client_ctx->stats().resumed, 1U);
  EXPECT_EQ(server_sink.count(Id::tls_resumed), 1U);
  EXPECT_EQ(field(first(server_sink, Id::tls_resumed), "resumed"), "yes");
  (void)t;
}

TEST_F(TlsSession, ResumptionOnNextConnectionTls12) {
  resume_once(*this, Version::tls1_2, loop, *server_sink, client_sink);
}

TEST_F(TlsSession, ResumptionOnNextConnectionTls13) {
  resume_once(*this, Version::tls1_3, loop, *server_sink, client_sink);
}

TEST_F(TlsSession, VersionChangeOnResumptionIsAnAlarm) {
  Config old_sc = base_config(pki().server_rsa, server_sink);
  old_sc.max_version = Version::tls1_2;
  EchoServer old_server(make_context(Role::server, old_sc));
  EchoServer new_server(make_context(Role::server, base_config(pki().server_rsa, server_sink)));
  auto client_ctx = make_context(Role::client, base_config(pki().client_rsa, client_sink));
  auto first_conn = connect_client(loop, client_ctx, old_server.port(), "v", "the-peer");
  ASSERT_TRUE(first_conn->wait([](const Seen& s) { return s.received == "v"; }));
  // Same peer key, but now the peer negotiates TLS 1.3.
  auto second = connect_client(loop, client_ctx, new_server.port(), "v", "the-peer");
  ASSERT_TRUE(client_sink->wait_for(Id::tls_version_change, 3s)) << dump(*client_sink);
  ASSERT_TRUE(second->wait([](const Seen& s) { return s.closed == 1; }));
  EXPECT_EQ(second->text(), "");
  // The cached session was dropped: the next connection starts afresh and works.
  auto third = connect_client(loop, client_ctx, new_server.port(), "v", "the-peer");
  EXPECT_TRUE(third->wait([](const Seen& s) { return s.received == "v"; }));
}

void crl_reload_cuts_revoked_peer(Version max, net::Loop& loop,
                                  const std::shared_ptr<events::MemorySink>& server_sink,
                                  const std::shared_ptr<events::MemorySink>& client_sink) {
  test_support::ScratchDir dir("mmssec-tls-crl");
  const auto crl = dir.path() / "ca.crl";
  std::filesystem::copy_file(pki().crl_empty, crl);
  Config sc = base_config(pki().server_rsa, server_sink);
  sc.crl_files = {crl.string()};
  sc.max_version = max;
  EchoServer server(make_context(Role::server, sc));
  auto revoked_ctx = make_context(Role::client, base_config(pki().client_revoked, client_sink));
  auto good_ctx = make_context(Role::client, base_config(pki().client_rsa_b, client_sink));
  auto revoked = connect_client(loop, revoked_ctx, server.port(), "r");
  auto good = connect_client(loop, good_ctx, server.port(), "g");
  ASSERT_TRUE(revoked->wait([](const Seen& s) { return s.received == "r"; }));
  ASSERT_TRUE(good->wait([](const Seen& s) { return s.received == "g"; }));

  std::filesystem::copy_file(pki().crl_revoked, crl, std::filesystem::copy_options::overwrite_existing);
  std::string why;
  ASSERT_TRUE(server.ctx().reload_crls(&why).ok()) << why;
  EXPECT_EQ(server_sink->count(Id::tls_crl_reloaded), 1U);
  ASSERT_TRUE(server_sink->wait_for(Id::tls_peer_revoked, 3s)) << dump(*server_sink);
  EXPECT_NE(field(first(*server_sink, Id::tls_peer_revoked), "subject").find("CN=client-revoked"),
            std::string::npos);
  ASSERT_TRUE(revoked->wait([](const Seen& s) { return s.closed == 1; }));
  EXPECT_TRUE(ping(*good, "-still-here"));
  EXPECT_EQ(good->closed_count(), 0);
  EXPECT_EQ(server_sink->count(Id::tls_peer_revoked), 1U);
  EXPECT_EQ(server.ctx().stats().peers_cut, 1U);
  // New connections see the new CRL too.
  auto again = connect_client(loop, revoked_ctx, server.port(), "r");
  EXPECT_TRUE(server_sink->wait_for(Id::tls_cert_revoked, 3s));
}

TEST_F(TlsSession, CrlReloadCutsRevokedPeerTls12) {
  crl_reload_cuts_revoked_peer(Version::tls1_2, loop, server_sink, client_sink);
}

TEST_F(TlsSession, CrlReloadCutsRevokedPeerTls13) {
  crl_reload_cuts_revoked_peer(Version::tls1_3, loop, server_sink, client_sink);
}

TEST_F(TlsSession, UnreadableCrlOnReloadKeepsTheOldOnes) {
  test_support::ScratchDir dir("mmssec-tls-crl");
  const auto crl = dir.path() / "ca.crl";
  std::filesystem::copy_file(pki().crl_revoked, crl);
  Config sc = base_config(pki().server_rsa, server_sink);
  sc.crl_files = {crl.string()};
  EchoServer server(make_context(Role::server, sc));
  auto good_ctx = make_context(Role::client, base_config(pki().client_rsa, client_sink));
  auto good = connect_client(loop, good_ctx, server.port(), "g");
  ASSERT_TRUE(good->wait([](const Seen& s) { return s.received == "g"; }));
  std::filesystem::remove(crl);
  std::string why;
  const Status st = server.ctx().reload_crls(&why);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, make_error_code(Errc::crl_file));
  EXPECT_NE(why.find("ca.crl"), std::string::npos);
  EXPECT_EQ(server_sink->count(Id::tls_no_crl), 1U);
  EXPECT_TRUE(ping(*good, "-alive"));
  // The old CRL still applies to new sessions.
  auto revoked_ctx = make_context(Role::client, base_config(pki().client_revoked, client_sink));
  auto revoked = connect_client(loop, revoked_ctx, server.port(), "r");
  EXPECT_TRUE(server_sink->wait_for(Id::tls_cert_revoked, 3s));
}

/// A raw client renegotiating as fast as it can: two within a second pass, the third is refused.
TEST_F(TlsSession, ClientRenegotiationIsRateLimited) {
  Config sc = base_config(pki().server_rsa, server_sink);
  sc.max_version = Version::tls1_2;
  EchoServer server(make_context(Role::server, sc));
  RawOptions o;
  o.cert = pki().client_rsa.cert;
  o.key = pki().client_rsa.key;
  o.max_version = TLS1_2_VERSION;
  RawClient raw(server.port(), o);
  ASSERT_TRUE(raw.handshake());
  const auto renegotiate = [&] {
    if (SSL_renegotiate(raw.ssl()) != 1) return false;
    const auto deadline = std::chrono::steady_clock::now() + 2s;
    while (std::chrono::steady_clock::now() < deadline) {
      const int r = SSL_do_handshake(raw.ssl());
      if (r == 1) return true;
      const int e = SSL_get_error(raw.ssl(), r);
      if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) break;
    }
    ERR_clear_error();
    return false;
  };
  EXPECT_TRUE(renegotiate());
  EXPECT_TRUE(renegotiate());
  EXPECT_FALSE(renegotiate());
  EXPECT_TRUE(testing::eventually([&] { return server.ctx().stats().renegotiations == 2; }))
      << dump(*server_sink);
  EXPECT_EQ(server_sink->count(Id::tls_renegotiated), 2U);
  ASSERT_EQ(server_sink->count(Id::tls_no_reneg), 1U) << dump(*server_sink);
  EXPECT_EQ(first(*server_sink, Id::tls_no_reneg).severity, events::Severity::warning);
}

/// A raw TLS 1.2 peer that completes the handshake, then stops reading: the renegotiation we
/// start is never answered.
TEST_F(TlsSession, StalledRenegotiationIsCut) {
  for (const int version : {TLS1_2_VERSION}) {
    server_sink->clear();
    EchoServer server(make_context(Role::server, fast(base_config(pki().server_rsa, server_sink))));
    RawOptions o;
    o.cert = pki().client_rsa.cert;
    o.key = pki().client_rsa.key;
    o.min_version = o.max_version = version;
    RawClient raw(server.port(), o);
    ASSERT_TRUE(raw.handshake());
    ASSERT_TRUE(raw.write("x"));
    ASSERT_EQ(raw.read(1), "x");
    // Stop reading: the server's HelloRequest / KeyUpdate stays unanswered.
    ASSERT_TRUE(server_sink->wait_for(Id::tls_no_reneg, 3s)) << version << "\n" << dump(*server_sink);
    EXPECT_TRUE(server.seen().wait([](const Seen& s) { return s.closed == 1; }));
    EXPECT_EQ(server.ctx().stats().peers_cut, 1U);
  }
}

/// TLS 1.3: a peer answers our KeyUpdate(update_requested) with its next record (RFC 8446
/// §4.6.3), which an idle peer may send much later; OpenSSL answers only when it next writes. An
/// idle peer that does not read is therefore not cut for an unanswered KeyUpdate.
TEST_F(TlsSession, Tls13IdlePeerIsKeptAfterOurKeyUpdate) {
  EchoServer server(make_context(Role::server, fast(base_config(pki().server_rsa, server_sink))));
  RawOptions o;
  o.cert = pki().client_rsa.cert;
  o.key = pki().client_rsa.key;
  o.min_version = o.max_version = TLS1_3_VERSION;
  RawClient raw(server.port(), o);
  ASSERT_TRUE(raw.handshake());
  ASSERT_TRUE(raw.write("x"));
  ASSERT_EQ(raw.read(1), "x");
  // Idle from here on: the server's KeyUpdate (after ~1 s) stays unanswered.
  ASSERT_TRUE(server_sink->wait_for(Id::tls_key_updated, 3s)) << dump(*server_sink);
  std::this_thread::sleep_for(800ms);  // beyond the 500 ms renegotiation timeout
  EXPECT_EQ(server_sink->count(Id::tls_no_reneg), 0U) << dump(*server_sink);
  EXPECT_EQ(server.ctx().stats().peers_cut, 0U);
  // The session still works in both directions, under the new keys.
  ASSERT_TRUE(raw.write("y"));
  EXPECT_EQ(raw.read(1), "y");
}

TEST_F(TlsSession, PeerRefusingRenegotiationIsCut) {
  Config sc = fast(base_config(pki().server_rsa, server_sink));
  sc.max_version = Version::tls1_2;
  EchoServer server(make_context(Role::server, sc));
  RawOptions o;
  o.cert = pki().client_rsa.cert;
  o.key = pki().client_rsa.key;
  o.max_version = TLS1_2_VERSION;
  o.options = SSL_OP_NO_RENEGOTIATION;
  RawClient raw(server.port(), o);
  ASSERT_TRUE(raw.handshake());
  ASSERT_TRUE(raw.write("x"));
  (void)raw.read(100, 3s);  // keeps reading: answers the HelloRequest with no_renegotiation
  ASSERT_TRUE(server_sink->wait_for(Id::tls_no_reneg, 3s)) << dump(*server_sink);
  EXPECT_NE(first(*server_sink, Id::tls_no_reneg).detail.find("refused"), std::string::npos)
      << dump(*server_sink);
  EXPECT_TRUE(server.seen().wait([](const Seen& s) { return s.closed == 1; }));
}

TEST_F(TlsSession, HandshakeDeadline) {
  Config sc = base_config(pki().server_rsa, server_sink);
  sc.handshake_timeout = 300ms;
  EchoServer server(make_context(Role::server, sc));
  auto c = net::Client::connect("127.0.0.1", server.port(), 2s);
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c->send(Bytes{0x16, 0x03, 0x01, 0x00, 0x80}).ok());  // a record header, then nothing
  ASSERT_TRUE(server_sink->wait_for(Id::tls_handshake_failed, 3s));
  EXPECT_NE(first(*server_sink, Id::tls_handshake_failed).detail.find("300 ms"), std::string::npos);
  EXPECT_EQ(testing::failure_events(*server_sink), 1U) << dump(*server_sink);
  EXPECT_TRUE(server.seen().wait([](const Seen& s) { return s.closed == 1; }));
}

TEST_F(TlsSession, PeerCloseNotifyClosesCleanly) {
  EchoServer server(make_context(Role::server, base_config(pki().server_rsa, server_sink)));
  RawOptions o;
  o.cert = pki().client_rsa.cert;
  o.key = pki().client_rsa.key;
  RawClient raw(server.port(), o);
  ASSERT_TRUE(raw.handshake());
  ASSERT_TRUE(raw.write("bye"));
  ASSERT_EQ(raw.read(3), "bye");
  SSL_shutdown(raw.ssl());
  EXPECT_TRUE(server.seen().wait([](const Seen& s) { return s.closed == 1; }));
  (void)raw.read(1, 1s);
  EXPECT_TRUE(raw.closed());
  EXPECT_EQ(testing::failure_events(*server_sink), 0U) << dump(*server_sink);
  EXPECT_TRUE(testing::eventually([&] { return server.ctx().stats().live == 0; }));
}

}  // namespace
}  // namespace mmssec::tls
