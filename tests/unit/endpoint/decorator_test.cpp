// SPDX-License-Identifier: Apache-2.0
// The byte-stream seam (net::HandlerDecorator) through the MMS server and client: both sides wrap
// their connections in a decorator that scrambles every byte (XOR with a key) and wraps the Link
// it hands to the inner handler, exactly as the TLS handler does. If any byte bypassed the
// decorator (a report posted from the model thread, a request posted by the application thread,
// the release), the peer would see garbage and the association would fail.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <vector>

#include "mmssec/endpoint/client.hpp"
#include "mmssec/endpoint/server.hpp"
#include "mmssec/net/loop.hpp"
#include "server_test_support.hpp"

namespace mmssec::endpoint {
namespace {

using namespace std::chrono_literals;

/// Counts what went through a decorator.
struct Traffic {
  std::atomic<std::size_t> in{0}, out{0}, wrapped{0};
};

/// XORs both directions with `key`; the inner handler gets a Link that scrambles posted replies.
class Scrambler final : public net::ConnectionHandler {
 public:
  Scrambler(std::unique_ptr<net::ConnectionHandler> inner, std::uint8_t key, Traffic& t)
      : inner_(std::move(inner)), key_(key), traffic_(t), target_(std::make_shared<Target>(this)) {
    traffic_.wrapped.fetch_add(1);
  }

  net::Reply on_open(const net::Link& link, const net::PeerInfo& peer) override {
    outer_ = link;
    return scramble(inner_->on_open(net::Link(target_), peer));
  }
  void on_connect_failed(const Error& e) override { inner_->on_connect_failed(e); }
  net::Reply on_data(ByteView data) override {
    traffic_.in.fetch_add(data.size());
    Bytes plain(data.begin(), data.end());
    for (auto& b : plain) b ^= key_;
    return scramble(inner_->on_data(plain));
  }
  net::Reply on_timeout() override { return scramble(inner_->on_timeout()); }
  void on_closed() override { inner_->on_closed(); }

 private:
  /// The Link the inner handler uses: every posted reply goes through scramble().
  struct Target final : net::detail::LinkTarget {
    explicit Target(Scrambler* s) : self(s) {}
    void post(std::function<net::Reply()> fn) override {
      self->outer_.post([s = self, fn = std::move(fn)] { return s->scramble(fn()); });
    }
    void post_after(std::chrono::milliseconds d, std::function<net::Reply()> fn) override {
      self->outer_.post_after(d, [s = self, fn = std::move(fn)] { return s->scramble(fn()); });
    }
    void close() override { self->outer_.close(); }
    Scrambler* self;
  };

  net::Reply scramble(net::Reply r) {
    for (auto& b : r.send) b ^= key_;
    traffic_.out.fetch_add(r.send.size());
    return r;
  }

  std::unique_ptr<net::ConnectionHandler> inner_;
  std::uint8_t key_;
  Traffic& traffic_;
  net::Link outer_;
  std::shared_ptr<Target> target_;
};

net::HandlerDecorator scrambling(std::uint8_t key, Traffic& t) {
  return [key, &t](std::unique_ptr<net::ConnectionHandler> inner) {
    return std::make_unique<Scrambler>(std::move(inner), key, t);
  };
}

template <class T>
Outcome<T> await(const std::function<void(Callback<T>)>& start) {
  auto p = std::make_shared<std::promise<Outcome<T>>>();
  auto f = p->get_future();
  start([p](Outcome<T> r) { p->set_value(std::move(r)); });
  if (f.wait_for(10s) != std::future_status::ready) return Failure{Errc::timeout, "test wait"};
  return f.get();
}

TEST(HandlerDecorator, EveryByteOfServerAndClientGoesThroughTheDecorator) {
  Traffic server_side, client_side;
  ServerSettings s = testing::test_settings();
  s.wrap_connection = scrambling(0x5a, server_side);
  auto model = testing::default_model();
  MmsServer server(s, model);
  ASSERT_TRUE(server.start().ok());

  net::Loop loop(1);
  ClientConfig cfg;
  cfg.port = server.port();
  cfg.wrap_connection = scrambling(0x5a, client_side);
  auto client = AsyncClient::create(loop, cfg);
  std::mutex mu;
  std::condition_variable cv;
  int reports = 0;
  client->on_report([&](const mms::InformationReport&) {
    {
      const std::lock_guard lock(mu);
      ++reports;
    }
    cv.notify_all();
  });

  // A request issued while the connection is still being set up waits for it and then goes
  // through the decorator too.
  auto conn_promise = std::make_shared<std::promise<Outcome<AssociationInfo>>>();
  auto conn_future = conn_promise->get_future();
  client->connect([conn_promise](Outcome<AssociationInfo> r) { conn_promise->set_value(std::move(r)); });
  const auto id = await<mms::IdentifyResponse>([&](auto cb) { client->identify(std::move(cb)); });
  ASSERT_TRUE(id.ok()) << id.failure().describe();
  EXPECT_EQ(id->model_name, "mmssec server");
  ASSERT_EQ(conn_future.wait_for(10s), std::future_status::ready);
  const auto conn = conn_future.get();
  ASSERT_TRUE(conn.ok()) << conn.failure().describe();

  // A request posted from this (application) thread.
  const auto value =
      await<mms::Data>([&](auto cb) { client->read(testing::ld0("XCBR1$ST$Pos$stVal"), std::move(cb)); });
  ASSERT_TRUE(value.ok()) << value.failure().describe();
  const auto ena =
      await<void>([&](auto cb) { client->write(testing::rpt_ena(), mms::Data{true}, std::move(cb)); });
  ASSERT_TRUE(ena.ok()) << ena.failure().describe();

  // A report produced on the model-updating thread and posted to the connection.
  model->update(
      [](mms::Vmd& vmd) { return vmd.update(testing::ld0("GGIO1$ST$Ind1$stVal"), mms::Data{true}); });
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, 10s, [&] { return reports > 0; }));
  }
  const auto rel = await<void>([&](auto cb) { client->release(std::move(cb)); });
  ASSERT_TRUE(rel.ok()) << rel.failure().describe();

  EXPECT_EQ(server_side.wrapped.load(), 1U);
  EXPECT_EQ(client_side.wrapped.load(), 1U);
  EXPECT_GT(server_side.in.load(), 0U);
  // What one side sent through its decorator is what the other received through its own.
  EXPECT_TRUE(testing::eventually([&] { return client_side.out.load() == server_side.in.load(); }));
  EXPECT_TRUE(testing::eventually([&] { return server_side.out.load() == client_side.in.load(); }));
  server.stop();
}

TEST(HandlerDecorator, MismatchedDecoratorsFailTheAssociationCleanly) {
  Traffic server_side;
  ServerSettings s = testing::test_settings();
  s.wrap_connection = scrambling(0x5a, server_side);
  MmsServer server(s, testing::default_model());
  ASSERT_TRUE(server.start().ok());
  net::Loop loop(1);
  ClientConfig cfg;
  cfg.port = server.port();
  cfg.association_timeout = 3s;
  auto client = AsyncClient::create(loop, cfg);  // no decorator: the server sees garbage
  const auto conn = await<AssociationInfo>([&](auto cb) { client->connect(std::move(cb)); });
  EXPECT_FALSE(conn.ok());
  EXPECT_TRUE(testing::eventually([&] { return server.stats().network.active == 0; }));
  server.stop();
}

}  // namespace
}  // namespace mmssec::endpoint
