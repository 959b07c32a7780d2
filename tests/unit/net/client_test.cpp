// SPDX-License-Identifier: Apache-2.0
// net::Client and the "net" error category: refused, time-outs that leave the connection
// usable, operations on a closed connection.
#include "mmssec/net/client.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "mmssec/net/error.hpp"
#include "mmssec/net/server.hpp"
#include "net_test_support.hpp"

namespace mmssec::net {
namespace {

using namespace std::chrono_literals;
using testing::bytes_of;
using testing::connect_ok;
using testing::Probe;
using testing::receive_exactly;
using testing::scripted;
using testing::test_config;

bool is(const Error& e, Errc c) { return e.code == make_error_code(c); }

/// A port on which nothing listens: bound by a server that is then stopped.
std::uint16_t closed_port() {
  Server s(test_config(1), scripted(std::make_shared<Probe>()));
  EXPECT_TRUE(s.start().ok());
  const std::uint16_t port = s.port();
  s.stop();
  return port;
}

TEST(NetClient, ConnectToClosedPortIsRefused) {
  const std::uint16_t port = closed_port();
  ASSERT_NE(port, 0);
  auto c = Client::connect("127.0.0.1", port, 2s);
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(is(c.error(), Errc::refused)) << c.error().describe();
  EXPECT_EQ(c.error().describe().rfind("net: ", 0), 0U) << c.error().describe();
}

TEST(NetClient, ConnectToClosedIpv6PortIsRefused) {
  const std::uint16_t port = closed_port();
  auto c = Client::connect("::1", port, 2s);
  ASSERT_FALSE(c.ok());
  // Without IPv6 on loopback the socket cannot even be opened (io); otherwise refused.
  EXPECT_TRUE(is(c.error(), Errc::refused) || is(c.error(), Errc::io)) << c.error().describe();
}

TEST(NetClient, ReceiveTimeoutKeepsConnectionUsable) {
  auto probe = std::make_shared<Probe>();
  Server server(test_config(), scripted(probe));
  ASSERT_TRUE(server.start().ok());
  Client c = connect_ok(server.port());
  const auto t0 = std::chrono::steady_clock::now();
  auto r = c.receive(100ms);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(is(r.error(), Errc::timeout));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 90ms);
  EXPECT_TRUE(c.is_open());
  ASSERT_TRUE(c.send(bytes_of("after")).ok());
  EXPECT_EQ(receive_exactly(c, 5), bytes_of("after"));
}

TEST(NetClient, ReceiveRespectsMaxBytes) {
  auto probe = std::make_shared<Probe>();
  Server server(test_config(), scripted(probe));
  ASSERT_TRUE(server.start().ok());
  Client c = connect_ok(server.port());
  ASSERT_TRUE(c.send(bytes_of("abcdef")).ok());
  auto first = c.receive(2s, 4);
  ASSERT_TRUE(first.ok());
  EXPECT_LE(first->size(), 4U);
  EXPECT_FALSE(first->empty());
  Bytes all = *first;
  const Bytes rest = receive_exactly(c, 6 - all.size());
  all.insert(all.end(), rest.begin(), rest.end());
  EXPECT_EQ(all, bytes_of("abcdef"));
}

TEST(NetClient, OperationsAfterCloseReportClosed) {
  auto probe = std::make_shared<Probe>();
  Server server(test_config(), scripted(probe));
  ASSERT_TRUE(server.start().ok());
  Client c = connect_ok(server.port());
  c.close();
  c.close();  // idempotent
  EXPECT_FALSE(c.is_open());
  const Status s = c.send(bytes_of("x"));
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(is(s.error(), Errc::closed));
  auto r = c.receive(100ms);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(is(r.error(), Errc::closed));
}

TEST(NetClient, PeerCloseIsReportedAsClosed) {
  auto probe = std::make_shared<Probe>();
  Server server(test_config(), scripted(probe, [](ByteView) { return Reply{bytes_of("end"), true}; }));
  ASSERT_TRUE(server.start().ok());
  Client c = connect_ok(server.port());
  ASSERT_TRUE(c.send(bytes_of("q")).ok());
  EXPECT_EQ(receive_exactly(c, 3), bytes_of("end"));
  auto r = c.receive(2s);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(is(r.error(), Errc::closed));
  EXPECT_FALSE(c.is_open());
}

TEST(NetClient, MovedFromClientIsClosed) {
  auto probe = std::make_shared<Probe>();
  Server server(test_config(), scripted(probe));
  ASSERT_TRUE(server.start().ok());
  Client a = connect_ok(server.port());
  Client b = std::move(a);
  EXPECT_FALSE(a.is_open());  // NOLINT(bugprone-use-after-move): documented moved-from state
  EXPECT_TRUE(b.is_open());
  ASSERT_TRUE(b.send(bytes_of("m")).ok());
  EXPECT_EQ(receive_exactly(b, 1), bytes_of("m"));
}

TEST(NetErrc, CategoryIsNamedNetAndDescribesEveryCode) {
  EXPECT_STREQ(net_category().name(), "net");
  for (Errc e : {Errc::refused, Errc::timeout, Errc::resolve_failed, Errc::closed, Errc::io,
                 Errc::bind_failed, Errc::invalid_state}) {
    const std::error_code ec = make_error_code(e);
    EXPECT_EQ(&ec.category(), &net_category());
    EXPECT_NE(ec.message(), "unknown net error") << static_cast<int>(e);
  }
  EXPECT_EQ(make_error_code(static_cast<Errc>(999)).message(), "unknown net error");
  EXPECT_EQ(Error(Errc::refused).describe().rfind("net: connection refused", 0), 0U);
}

}  // namespace
}  // namespace mmssec::net
