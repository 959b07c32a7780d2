// SPDX-License-Identifier: Apache-2.0
// net::Server on loopback: echo, concurrency on a small fixed pool, every limit and timeout,
// peer behaviour (closing mid-stream, garbage, not reading) and shutdown. Each test is bounded
// in connections and in time; waits are on conditions (Probe), not on sleeps.
#include "mmssec/net/server.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "mmssec/net/client.hpp"
#include "net_test_support.hpp"

namespace mmssec::net {
namespace {

using namespace std::chrono_literals;
using testing::bytes_of;
using testing::connect_ok;
using testing::Probe;
using testing::receive_exactly;
using testing::receive_until_closed;
using testing::scripted;
using testing::test_config;

bool is(const Error& e, Errc c) { return e.code == make_error_code(c); }

TEST(NetServer, EchoRoundTripAndCounters) {
  auto probe = std::make_shared<Probe>();
  Server server(test_config(), scripted(probe));
  ASSERT_TRUE(server.start().ok());
  ASSERT_NE(server.port(), 0);
  {
    Client c = connect_ok(server.port());
    ASSERT_TRUE(c.send(bytes_of("hello")).ok());
    EXPECT_EQ(receive_exactly(c, 5), bytes_of("hello"));
    ASSERT_TRUE(c.send(bytes_of("MMS")).ok());
    EXPECT_EQ(receive_exactly(c, 3), bytes_of("MMS"));
    EXPECT_EQ(server.stats().active, 1U);
  }  // client closes
  ASSERT_TRUE(probe->wait_closed(1));
  const ServerStats s = server.stats();
  EXPECT_EQ(s.accepted, 1U);
  EXPECT_EQ(s.active, 0U);
  EXPECT_EQ(s.rejected, 0U);
  EXPECT_EQ(s.timeouts, 0U);
  EXPECT_EQ(s.bytes_in, 8U);
  EXPECT_TRUE(testing::eventually([&] { return server.stats().bytes_out == 8U; }))
      << server.stats().bytes_out;
  EXPECT_EQ(probe->get().bytes, 8U);
}

TEST(NetServer, PeerInfoNamesTheClient) {
  std::mutex mu;
  std::optional<PeerInfo> seen;
  auto probe = std::make_shared<Probe>();
  auto inner = scripted(probe);
  Server server(test_config(1), [&](const PeerInfo& peer) {
    {
      const std::lock_guard lock(mu);
      seen = peer;
    }
    return inner(peer);
  });
  ASSERT_TRUE(server.start().ok());
  Client c = connect_ok(server.port());
  ASSERT_TRUE(c.send(bytes_of("x")).ok());
  EXPECT_EQ(receive_exactly(c, 1), bytes_of("x"));
  const std::lock_guard lock(mu);
  ASSERT_TRUE(seen.has_value());
  EXPECT_EQ(seen->address, "127.0.0.1");
  EXPECT_NE(seen->port, 0);
}

TEST(NetServer, Ipv6LoopbackEcho) {
  auto probe = std::make_shared<Probe>();
  ServerConfig cfg = test_config();
  cfg.host = "::1";
  Server server(cfg, scripted(probe));
  const Status started = server.start();
  if (!started.ok()) GTEST_SKIP() << "no IPv6 loopback here: " << started.error().describe();
  Client c = connect_ok(server.port(), "::1");
  ASSERT_TRUE(c.send(bytes_of("v6")).ok());
  EXPECT_EQ(receive_exactly(c, 2), bytes_of("v6"));
}

TEST(NetServer, TwoHundredConcurrentConnectionsOnTwoThreads) {
  constexpr std::size_t kClients = 200;
  auto probe = std::make_shared<Probe>();
  ServerConfig cfg = test_config(2);
  cfg.max_connections = kClients;
  Server server(cfg, scripted(probe));
  ASSERT_TRUE(server.start().ok());

  std::vector<Client> clients;
  clients.reserve(kClients);
  for (std::size_t i = 0; i < kClients; ++i) clients.push_back(connect_ok(server.port()));
  // Every connection is open at once; each gets its own 4-byte message back.
  for (std::size_t i = 0; i < kClients; ++i) {
    const Bytes msg{static_cast<std::uint8_t>(i >> 8), static_cast<std::uint8_t>(i), 0xa5, 0x5a};
    ASSERT_TRUE(clients[i].send(msg).ok()) << i;
  }
  for (std::size_t i = 0; i < kClients; ++i) {
    const Bytes want{static_cast<std::uint8_t>(i >> 8), static_cast<std::uint8_t>(i), 0xa5, 0x5a};
    ASSERT_EQ(receive_exactly(clients[i], 4), want) << i;
  }
  EXPECT_EQ(server.stats().active, kClients);
  EXPECT_EQ(server.stats().accepted, kClients);
  EXPECT_EQ(server.stats().rejected, 0U);
  clients.clear();
  ASSERT_TRUE(probe->wait_closed(kClients));
  EXPECT_EQ(server.stats().active, 0U);
  EXPECT_EQ(server.stats().bytes_in, 4 * kClients);
  EXPECT_EQ(probe->get().created, kClients);
}

TEST(NetServer, MaxConnectionsAcceptsThenClosesExtraOnes) {
  auto probe = std::make_shared<Probe>();
  ServerConfig cfg = test_config();
  cfg.max_connections = 2;
  Server server(cfg, scripted(probe));
  ASSERT_TRUE(server.start().ok());

  Client a = connect_ok(server.port());
  Client b = connect_ok(server.port());
  for (Client* c : {&a, &b}) {  // both are served (and therefore registered)
    ASSERT_TRUE(c->send(bytes_of("ok")).ok());
    ASSERT_EQ(receive_exactly(*c, 2), bytes_of("ok"));
  }
  Client extra = connect_ok(server.port());  // the TCP handshake completes...
  auto r = receive_until_closed(extra);      // ...and the server closes at once
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_TRUE(r->empty());
  EXPECT_EQ(server.stats().rejected, 1U);
  EXPECT_EQ(server.stats().accepted, 2U);
  EXPECT_EQ(probe->get().created, 2U);  // no handler for the rejected one

  // A freed slot is available again.
  a.close();
  ASSERT_TRUE(probe->wait_closed(1));
  Client again = connect_ok(server.port());
  ASSERT_TRUE(again.send(bytes_of("re")).ok());
  EXPECT_EQ(receive_exactly(again, 2), bytes_of("re"));
  EXPECT_EQ(server.stats().accepted, 3U);
}

TEST(NetServer, FactoryReturningNullRejects) {
  Server server(test_config(1), [](const PeerInfo&) { return std::unique_ptr<ConnectionHandler>(); });
  ASSERT_TRUE(server.start().ok());
  Client c = connect_ok(server.port());
  auto r = receive_until_closed(c);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(server.stats().rejected, 1U);
  EXPECT_EQ(server.stats().accepted, 0U);
}

TEST(NetServer, IdleTimeoutSendsTimeoutReplyAndCloses) {
  auto probe = std::make_shared<Probe>();
  ServerConfig cfg = test_config();
  cfg.idle_timeout = 200ms;
  Server server(cfg, scripted(probe, testing::echo, bytes_of("bye")));
  ASSERT_TRUE(server.start().ok());
  Client c = connect_ok(server.port());
  ASSERT_TRUE(c.send(bytes_of("hi")).ok());
  ASSERT_EQ(receive_exactly(c, 2), bytes_of("hi"));
  const auto t0 = std::chrono::steady_clock::now();
  auto rest = receive_until_closed(c, 3s);
  const auto waited = std::chrono::steady_clock::now() - t0;
  ASSERT_TRUE(rest.ok()) << rest.error().describe();
  EXPECT_EQ(*rest, bytes_of("bye"));  // the handler's on_timeout() reply, then the close
  EXPECT_GE(waited, 150ms);
  ASSERT_TRUE(probe->wait_closed(1));
  EXPECT_EQ(server.stats().timeouts, 1U);
  EXPECT_EQ(probe->get().timeouts, 1U);
}

TEST(NetServer, IdleTimeoutIsRestartedByTraffic) {
  auto probe = std::make_shared<Probe>();
  ServerConfig cfg = test_config();
  cfg.idle_timeout = 300ms;
  Server server(cfg, scripted(probe));
  ASSERT_TRUE(server.start().ok());
  Client c = connect_ok(server.port());
  // 6 exchanges 100 ms apart: 600 ms in all, never 300 ms of silence. (The sleep paces traffic;
  // it does not synchronise anything.)
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(c.send(bytes_of("k")).ok());
    ASSERT_EQ(receive_exactly(c, 1), bytes_of("k")) << i;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(server.stats().timeouts, 0U);
  EXPECT_EQ(probe->get().closed, 0U);
}

TEST(NetServer, FirstByteTimeoutClosesSilentConnection) {
  auto probe = std::make_shared<Probe>();
  ServerConfig cfg = test_config();
  cfg.first_byte_timeout = 150ms;
  cfg.idle_timeout = std::chrono::milliseconds(0);  // no idle timeout: only the first byte matters
  Server server(cfg, scripted(probe));
  ASSERT_TRUE(server.start().ok());

  Client silent = connect_ok(server.port());
  auto r = receive_until_closed(silent, 3s);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_TRUE(r->empty());
  ASSERT_TRUE(probe->wait_closed(1));
  EXPECT_EQ(server.stats().timeouts, 1U);

  // A connection that sends in time is not timed out afterwards (idle timeout off).
  Client talker = connect_ok(server.port());
  ASSERT_TRUE(talker.send(bytes_of("a")).ok());
  ASSERT_EQ(receive_exactly(talker, 1), bytes_of("a"));
  auto nothing = talker.receive(400ms);
  ASSERT_FALSE(nothing.ok());
  EXPECT_TRUE(is(nothing.error(), Errc::timeout));
  EXPECT_EQ(server.stats().timeouts, 1U);
}

TEST(NetServer, PeerClosingMidStreamCallsOnClosed) {
  auto probe = std::make_shared<Probe>();
  // A handler waiting for a 100-byte message that never completes: it replies nothing.
  Server server(test_config(), scripted(probe, [](ByteView) { return Reply{}; }));
  ASSERT_TRUE(server.start().ok());
  Client c = connect_ok(server.port());
  ASSERT_TRUE(c.send(Bytes(10, 0x42)).ok());
  ASSERT_TRUE(probe->wait_for([](const Probe::Counts& n) { return n.bytes == 10; }));
  c.close();
  ASSERT_TRUE(probe->wait_closed(1));
  EXPECT_EQ(probe->get().created, 1U);
  EXPECT_EQ(server.stats().active, 0U);
}

TEST(NetServer, HandlerClosesOnGarbageFromHugeWrite) {
  auto probe = std::make_shared<Probe>();
  // Accepts messages starting with 0x03 (like a TPKT); anything else ends the connection.
  Server server(test_config(), scripted(probe, [](ByteView d) {
                  if (!d.empty() && d[0] == 0x03) return testing::echo(d);
                  return Reply{bytes_of("ERR"), true};
                }));
  ASSERT_TRUE(server.start().ok());
  Client c = connect_ok(server.port());
  const Bytes garbage(4U << 20, 0xff);  // 4 MiB
  const Status sent = c.send(garbage, 3s);
  // Depending on timing the server's close arrives during the write (reset) or after it.
  if (!sent.ok()) {
    EXPECT_TRUE(is(sent.error(), Errc::closed)) << sent.error().describe();
  }
  ASSERT_TRUE(probe->wait_closed(1));
  auto r = receive_until_closed(c);
  if (!r.ok()) {
    EXPECT_TRUE(is(r.error(), Errc::closed) || is(r.error(), Errc::io)) << r.error().describe();
  }
  EXPECT_EQ(probe->get().data_calls, 1U);  // nothing is handed to a handler that asked to close
  // The server is unaffected.
  Client good = connect_ok(server.port());
  ASSERT_TRUE(good.send(Bytes{0x03, 0x00}).ok());
  EXPECT_EQ(receive_exactly(good, 2), (Bytes{0x03, 0x00}));
}

TEST(NetServer, HandlerExceptionClosesOnlyThatConnection) {
  auto probe = std::make_shared<Probe>();
  Server server(test_config(), scripted(probe, [](ByteView d) -> Reply {
                  if (!d.empty() && d[0] == 'x') throw std::runtime_error("handler bug");
                  return testing::echo(d);
                }));
  ASSERT_TRUE(server.start().ok());
  Client bad = connect_ok(server.port());
  ASSERT_TRUE(bad.send(bytes_of("x")).ok());
  ASSERT_TRUE(probe->wait_closed(1));
  Client good = connect_ok(server.port());
  ASSERT_TRUE(good.send(bytes_of("y")).ok());
  EXPECT_EQ(receive_exactly(good, 1), bytes_of("y"));
}

TEST(NetServer, SingleReplyAboveOutgoingLimitCloses) {
  auto probe = std::make_shared<Probe>();
  ServerConfig cfg = test_config();
  cfg.max_outgoing_bytes = 64U * 1024U;
  Server server(cfg, scripted(probe, [](ByteView) { return Reply{Bytes(64U * 1024U + 1U, 0x11), false}; }));
  ASSERT_TRUE(server.start().ok());
  Client c = connect_ok(server.port());
  ASSERT_TRUE(c.send(bytes_of("q")).ok());
  auto r = receive_until_closed(c);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_TRUE(r->empty());  // nothing of the oversized reply is sent
  EXPECT_EQ(server.stats().slow_readers, 1U);
}

TEST(NetServer, ReplyExactlyAtOutgoingLimitIsSent) {
  auto probe = std::make_shared<Probe>();
  ServerConfig cfg = test_config();
  cfg.max_outgoing_bytes = 64U * 1024U;
  Server server(cfg, scripted(probe, [](ByteView) { return Reply{Bytes(64U * 1024U, 0x11), false}; }));
  ASSERT_TRUE(server.start().ok());
  Client c = connect_ok(server.port());
  ASSERT_TRUE(c.send(bytes_of("q")).ok());
  EXPECT_EQ(receive_exactly(c, 64U * 1024U).size(), 64U * 1024U);
  EXPECT_EQ(server.stats().slow_readers, 0U);
}

TEST(NetServer, SlowReaderIsClosedWhenQueueExceedsLimit) {
  auto probe = std::make_shared<Probe>();
  ServerConfig cfg = test_config();
  cfg.max_outgoing_bytes = 1U << 20;
  constexpr std::size_t kReply = 256U * 1024U;
  Server server(cfg, scripted(probe, [](ByteView) { return Reply{Bytes(kReply, 0x22), false}; }));
  ASSERT_TRUE(server.start().ok());
  Client c = connect_ok(server.port());
  // One request at a time, each answered with 256 KiB that the client never reads: once the
  // kernel buffers are full the server's queue grows past 1 MiB and the server gives up.
  bool closed = false;
  for (std::size_t i = 1; i <= 400 && !closed; ++i) {
    if (!c.send(bytes_of("r"), 1s).ok()) break;
    ASSERT_TRUE(probe->wait_for([i](const Probe::Counts& n) { return n.data_calls >= i || n.closed > 0; }));
    closed = probe->get().closed > 0;
  }
  ASSERT_TRUE(probe->wait_closed(1));
  EXPECT_EQ(server.stats().slow_readers, 1U);
}

TEST(NetServer, StopWithOpenConnectionsClosesThemAll) {
  constexpr std::size_t kClients = 5;
  auto probe = std::make_shared<Probe>();
  Server server(test_config(), scripted(probe));
  ASSERT_TRUE(server.start().ok());
  std::vector<Client> clients;
  for (std::size_t i = 0; i < kClients; ++i) {
    clients.push_back(connect_ok(server.port()));
    ASSERT_TRUE(clients.back().send(bytes_of("s")).ok());
    ASSERT_EQ(receive_exactly(clients.back(), 1), bytes_of("s"));
  }
  const auto t0 = std::chrono::steady_clock::now();
  server.stop();  // returns after every handler's on_closed() and the pool's join
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
  EXPECT_EQ(probe->get().closed, kClients);
  EXPECT_EQ(server.stats().active, 0U);
  for (auto& c : clients) {
    auto r = receive_until_closed(c);
    EXPECT_TRUE(r.ok()) << r.error().describe();
  }
  // No longer listening.
  auto refused = Client::connect("127.0.0.1", server.port(), 1s);
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(is(refused.error(), Errc::refused));
  server.stop();  // idempotent
}

TEST(NetServer, DestructorStopsARunningServer) {
  auto probe = std::make_shared<Probe>();
  std::optional<Client> c;
  {
    Server server(test_config(), scripted(probe));
    ASSERT_TRUE(server.start().ok());
    c.emplace(connect_ok(server.port()));
    ASSERT_TRUE(c->send(bytes_of("d")).ok());
    ASSERT_EQ(receive_exactly(*c, 1), bytes_of("d"));
  }
  EXPECT_EQ(probe->get().closed, 1U);
}

TEST(NetServer, StartTwiceIsInvalidState) {
  Server server(test_config(1), scripted(std::make_shared<Probe>()));
  ASSERT_TRUE(server.start().ok());
  const Status again = server.start();
  ASSERT_FALSE(again.ok());
  EXPECT_TRUE(is(again.error(), Errc::invalid_state));
}

TEST(NetServer, StartAfterStopIsInvalidState) {
  Server server(test_config(1), scripted(std::make_shared<Probe>()));
  server.stop();
  const Status s = server.start();
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(is(s.error(), Errc::invalid_state));
}

TEST(NetServer, HostThatIsNotAnAddressLiteralFails) {
  ServerConfig cfg = test_config(1);
  cfg.host = "not-an-address";
  Server server(cfg, scripted(std::make_shared<Probe>()));
  const Status s = server.start();
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(is(s.error(), Errc::resolve_failed));
}

TEST(NetServer, PortInUseIsBindFailed) {
  Server first(test_config(1), scripted(std::make_shared<Probe>()));
  ASSERT_TRUE(first.start().ok());
  ServerConfig cfg = test_config(1);
  cfg.port = first.port();
  Server second(cfg, scripted(std::make_shared<Probe>()));
  const Status s = second.start();
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(is(s.error(), Errc::bind_failed));
}

TEST(NetServer, PortIsZeroBeforeStart) {
  Server server(test_config(1), scripted(std::make_shared<Probe>()));
  EXPECT_EQ(server.port(), 0);
}

}  // namespace
}  // namespace mmssec::net
