// SPDX-License-Identifier: Apache-2.0
// net::Loop (outgoing connections) and Link (posting work onto a connection from other threads),
// against a net::Server on loopback.
#include "mmssec/net/loop.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <string>

#include "net_test_support.hpp"

namespace mmssec::net::testing {
namespace {

/// A client-side handler that records what happens and exposes its Link.
class ClientProbeHandler final : public ConnectionHandler {
 public:
  struct Shared {
    std::mutex mu;
    std::condition_variable cv;
    bool opened = false;
    bool closed = false;
    int closed_calls = 0;
    std::optional<Error> connect_error;
    std::string received;
    PeerInfo peer;
    Link link;
    std::thread::id thread;

    bool wait(const std::function<bool()>& pred, std::chrono::milliseconds limit = 4s) {
      std::unique_lock lock(mu);
      return cv.wait_for(lock, limit, pred);
    }
    void update(const std::function<void()>& f) {
      {
        const std::lock_guard lock(mu);
        f();
      }
      cv.notify_all();
    }
  };

  ClientProbeHandler(std::shared_ptr<Shared> s, Bytes hello) : s_(std::move(s)), hello_(std::move(hello)) {}

  Reply on_open(const Link& link, const PeerInfo& peer) override {
    s_->update([&] {
      s_->opened = true;
      s_->link = link;
      s_->peer = peer;
      s_->thread = std::this_thread::get_id();
    });
    return Reply{hello_, false};
  }
  void on_connect_failed(const Error& e) override {
    s_->update([&] { s_->connect_error = e; });
  }
  Reply on_data(ByteView data) override {
    s_->update([&] {
      s_->received.append(data.begin(), data.end());
      EXPECT_EQ(s_->thread, std::this_thread::get_id()) << "handler calls hop threads";
    });
    return {};
  }
  void on_closed() override {
    s_->update([&] {
      s_->closed = true;
      ++s_->closed_calls;
    });
  }

 private:
  std::shared_ptr<Shared> s_;
  Bytes hello_;
};

TEST(NetLoop, ConnectSendsOpenReplyAndReceivesEcho) {
  auto probe = std::make_shared<Probe>();
  Server server(test_config(), scripted(probe));
  ASSERT_TRUE(server.start().ok());
  Loop loop(2);
  auto s = std::make_shared<ClientProbeHandler::Shared>();
  loop.connect("127.0.0.1", server.port(), std::make_unique<ClientProbeHandler>(s, bytes_of("hello")));
  ASSERT_TRUE(s->wait([&] { return s->received == "hello"; }));
  EXPECT_TRUE(s->opened);
  EXPECT_EQ(s->peer.address, "127.0.0.1");
  EXPECT_EQ(s->peer.port, server.port());
  EXPECT_EQ(loop.connections(), 1U);
  loop.stop();
  EXPECT_TRUE(s->closed);
  EXPECT_EQ(s->closed_calls, 1);
  EXPECT_EQ(loop.connections(), 0U);
}

TEST(NetLoop, LinkPostFromAnotherThreadRunsOnTheConnectionThread) {
  auto probe = std::make_shared<Probe>();
  Server server(test_config(), scripted(probe));
  ASSERT_TRUE(server.start().ok());
  Loop loop(2);
  auto s = std::make_shared<ClientProbeHandler::Shared>();
  loop.connect("127.0.0.1", server.port(), std::make_unique<ClientProbeHandler>(s, Bytes{}));
  ASSERT_TRUE(s->wait([&] { return s->opened; }));
  Link link;
  std::thread::id conn_thread;
  s->update([&] {
    link = s->link;
    conn_thread = s->thread;
  });
  std::promise<std::thread::id> ran_on;
  link.post([&] {
    ran_on.set_value(std::this_thread::get_id());
    return Reply{bytes_of("posted"), false};
  });
  EXPECT_EQ(ran_on.get_future().get(), conn_thread);
  ASSERT_TRUE(s->wait([&] { return s->received == "posted"; }));
}

TEST(NetLoop, PostBeforeConnectedIsWrittenOnceConnected) {
  auto probe = std::make_shared<Probe>();
  Server server(test_config(), scripted(probe));
  ASSERT_TRUE(server.start().ok());
  Loop loop(1);
  auto s = std::make_shared<ClientProbeHandler::Shared>();
  const Link link =
      loop.connect("127.0.0.1", server.port(), std::make_unique<ClientProbeHandler>(s, Bytes{}));
  link.post([] { return Reply{bytes_of("early"), false}; });
  ASSERT_TRUE(s->wait([&] { return s->received == "early"; }));
}

TEST(NetLoop, PostAfterRunsLaterAndIsDroppedAfterClose) {
  auto probe = std::make_shared<Probe>();
  Server server(test_config(), scripted(probe));
  ASSERT_TRUE(server.start().ok());
  Loop loop(1);
  auto s = std::make_shared<ClientProbeHandler::Shared>();
  const Link link =
      loop.connect("127.0.0.1", server.port(), std::make_unique<ClientProbeHandler>(s, Bytes{}));
  ASSERT_TRUE(s->wait([&] { return s->opened; }));
  const auto t0 = std::chrono::steady_clock::now();
  std::atomic<bool> late_ran{false};
  link.post_after(50ms, [] { return Reply{bytes_of("timer"), false}; });
  ASSERT_TRUE(s->wait([&] { return s->received == "timer"; }));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 50ms);
  // A timer still pending when the connection closes never runs.
  link.post_after(200ms, [&] {
    late_ran = true;
    return Reply{};
  });
  link.close();
  ASSERT_TRUE(s->wait([&] { return s->closed; }));
  std::this_thread::sleep_for(300ms);
  EXPECT_FALSE(late_ran.load());
  EXPECT_FALSE(link.alive());
  link.post([] { return Reply{bytes_of("x"), false}; });  // harmless on a dead link
}

TEST(NetLoop, ReplyWithCloseFromPostClosesTheConnection) {
  auto probe = std::make_shared<Probe>();
  Server server(test_config(), scripted(probe));
  ASSERT_TRUE(server.start().ok());
  Loop loop(1);
  auto s = std::make_shared<ClientProbeHandler::Shared>();
  const Link link =
      loop.connect("127.0.0.1", server.port(), std::make_unique<ClientProbeHandler>(s, Bytes{}));
  ASSERT_TRUE(s->wait([&] { return s->opened; }));
  link.post([] { return Reply{bytes_of("bye"), true}; });
  ASSERT_TRUE(s->wait([&] { return s->closed; }));
  ASSERT_TRUE(probe->wait_for([](const Probe::Counts& c) { return c.bytes >= 3 && c.closed == 1; }));
}

TEST(NetLoop, ConnectToClosedPortReportsRefusedThenClosed) {
  std::uint16_t port = 0;
  {
    Server probe_server(test_config(1), scripted(std::make_shared<Probe>()));
    ASSERT_TRUE(probe_server.start().ok());
    port = probe_server.port();
  }  // nothing listens there any more
  Loop loop(1);
  auto s = std::make_shared<ClientProbeHandler::Shared>();
  loop.connect("127.0.0.1", port, std::make_unique<ClientProbeHandler>(s, Bytes{}));
  ASSERT_TRUE(s->wait([&] { return s->closed; }));
  ASSERT_TRUE(s->connect_error.has_value());
  EXPECT_EQ(s->connect_error->code, make_error_code(Errc::refused));
  EXPECT_FALSE(s->opened);
  EXPECT_EQ(s->closed_calls, 1);
}

TEST(NetLoop, UnresolvableHostReportsResolveFailed) {
  Loop loop(1);
  auto s = std::make_shared<ClientProbeHandler::Shared>();
  loop.connect("no-such-host.invalid", 102, std::make_unique<ClientProbeHandler>(s, Bytes{}),
               ConnectOptions{.connect_timeout = 3s});
  ASSERT_TRUE(s->wait([&] { return s->closed; }, 5s));
  ASSERT_TRUE(s->connect_error.has_value());
  // Without a resolver the lookup may also run into the deadline; either names the cause.
  EXPECT_TRUE(s->connect_error->code == make_error_code(Errc::resolve_failed) ||
              s->connect_error->code == make_error_code(Errc::timeout));
}

TEST(NetLoop, IdleTimeoutOnOutgoingConnection) {
  auto probe = std::make_shared<Probe>();
  Server server(test_config(), scripted(probe, [](ByteView) { return Reply{}; }));
  ASSERT_TRUE(server.start().ok());
  Loop loop(1);
  auto s = std::make_shared<ClientProbeHandler::Shared>();
  ConnectOptions opts;
  opts.connection.idle_timeout = 100ms;
  loop.connect("127.0.0.1", server.port(), std::make_unique<ClientProbeHandler>(s, bytes_of("x")), opts);
  ASSERT_TRUE(s->wait([&] { return s->closed; }));
  EXPECT_TRUE(s->opened);
}

TEST(NetLoop, ManyConnectionsSpreadOverWorkersAllServed) {
  auto probe = std::make_shared<Probe>();
  Server server(test_config(2), scripted(probe));
  ASSERT_TRUE(server.start().ok());
  Loop loop(3);
  EXPECT_EQ(loop.threads(), 3U);
  std::vector<std::shared_ptr<ClientProbeHandler::Shared>> all;
  for (int i = 0; i < 50; ++i) {
    auto s = std::make_shared<ClientProbeHandler::Shared>();
    loop.connect("127.0.0.1", server.port(),
                 std::make_unique<ClientProbeHandler>(s, bytes_of(std::to_string(i))));
    all.push_back(s);
  }
  for (std::size_t i = 0; i < all.size(); ++i) {
    auto& s = all[i];
    ASSERT_TRUE(s->wait([&] { return s->received == std::to_string(i); })) << i;
  }
  EXPECT_TRUE(eventually([&] { return server.stats().active == 50; }));
  loop.stop();
  EXPECT_TRUE(eventually([&] { return server.stats().active == 0; }));
}

}  // namespace
}  // namespace mmssec::net::testing

namespace mmssec::net::testing {
namespace {

/// Server side: on_open hands out the Link, so the application can push bytes unprompted.
TEST(NetServerLink, ServerPushesThroughLinkFromOnOpen) {
  std::mutex mu;
  std::condition_variable cv;
  Link server_link;
  PeerInfo seen;
  class PushHandler final : public ConnectionHandler {
   public:
    PushHandler(std::mutex& m, std::condition_variable& c, Link& l, PeerInfo& p)
        : m_(m), c_(c), l_(l), p_(p) {}
    Reply on_open(const Link& link, const PeerInfo& peer) override {
      {
        const std::lock_guard lock(m_);
        l_ = link;
        p_ = peer;
      }
      c_.notify_all();
      return Reply{bytes_of("welcome"), false};
    }
    Reply on_data(ByteView) override { return {}; }

   private:
    std::mutex& m_;
    std::condition_variable& c_;
    Link& l_;
    PeerInfo& p_;
  };
  Server server(test_config(1),
                [&](const PeerInfo&) { return std::make_unique<PushHandler>(mu, cv, server_link, seen); });
  ASSERT_TRUE(server.start().ok());
  auto client = Client::connect("127.0.0.1", server.port(), 2s);
  ASSERT_TRUE(client.ok());
  EXPECT_EQ(receive_exactly(*client, 7), bytes_of("welcome"));
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, 2s, [&] { return server_link.alive(); }));
  }
  EXPECT_EQ(seen.address, "127.0.0.1");
  server_link.post([] { return Reply{bytes_of("report"), false}; });
  EXPECT_EQ(receive_exactly(*client, 6), bytes_of("report"));
  server.stop();
  EXPECT_FALSE(server_link.alive());
}

}  // namespace
}  // namespace mmssec::net::testing

namespace mmssec::net::testing {
namespace {

TEST(NetLoop, StopDoesNotWaitForPendingPostAfterTimers) {
  auto probe = std::make_shared<Probe>();
  Server server(test_config(), scripted(probe));
  ASSERT_TRUE(server.start().ok());
  auto loop = std::make_unique<Loop>(1);
  auto s = std::make_shared<ClientProbeHandler::Shared>();
  const Link link =
      loop->connect("127.0.0.1", server.port(), std::make_unique<ClientProbeHandler>(s, Bytes{}));
  ASSERT_TRUE(s->wait([&] { return s->opened; }));
  link.post_after(std::chrono::hours(1), [] { return Reply{}; });
  const auto t0 = std::chrono::steady_clock::now();
  loop->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);
  EXPECT_TRUE(s->closed);
}

}  // namespace
}  // namespace mmssec::net::testing
