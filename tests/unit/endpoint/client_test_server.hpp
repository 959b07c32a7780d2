// SPDX-License-Identifier: Apache-2.0
// A small MMS server for the client tests, built from net::Server + stack::Association::server +
// mms::ServerSession over the default IED model (one model per connection), with misbehaviours
// on demand: refuse the association, never answer the AARQ, swallow requests, abort or close on
// the first request, answer requests only in batches (to observe pipelining).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "mmssec/mms/default_model.hpp"
#include "mmssec/mms/model.hpp"
#include "mmssec/mms/server.hpp"
#include "mmssec/net/server.hpp"
#include "mmssec/stack/association.hpp"

namespace mmssec::endpoint::testing {

enum class Behaviour {
  serve,             ///< a normal server
  reject,            ///< refuse the association: rejected-permanent, authentication-failure
  silent,            ///< accept TCP, never answer anything
  swallow,           ///< accept the association, never answer a request
  abort_on_request,  ///< ABRT on the first MMS request
  close_on_request,  ///< drop the TCP connection on the first MMS request
};

struct TestServerOptions {
  Behaviour behaviour = Behaviour::serve;
  mms::ServerOptions session = [] {
    mms::ServerOptions o;
    o.report_controls = mms::default_report_controls();
    return o;
  }();
  /// > 0: hold responses until this many requests are outstanding, then answer them all.
  std::size_t batch = 0;
};

class TestServer {
 public:
  struct Shared {
    TestServerOptions options;
    std::atomic<std::size_t> max_outstanding{0};
    std::atomic<std::size_t> requests{0};
    std::atomic<std::size_t> session_errors{0};
    std::atomic<std::size_t> closed{0};
    std::atomic<std::size_t> aborted_by_client{0};
    std::atomic<std::size_t> released{0};
    std::mutex mu;
    std::vector<std::function<void(std::function<void(mms::Vmd&)>)>> updaters;
  };

  explicit TestServer(TestServerOptions options = {}) : shared_(std::make_shared<Shared>()) {
    shared_->options = std::move(options);
    net::ServerConfig cfg;
    cfg.host = "127.0.0.1";
    cfg.port = 0;
    cfg.threads = 1;
    cfg.first_byte_timeout = std::chrono::milliseconds{5'000};
    cfg.idle_timeout = std::chrono::milliseconds{10'000};
    server_ = std::make_unique<net::Server>(cfg, [s = shared_](const net::PeerInfo&) {
      return std::unique_ptr<net::ConnectionHandler>(new Handler(s));
    });
    const Status st = server_->start();
    EXPECT_TRUE(st.ok());
  }
  ~TestServer() { server_->stop(); }

  [[nodiscard]] std::uint16_t port() const { return server_->port(); }
  Shared& shared() { return *shared_; }

  /// Change the model of every live connection on its own thread (reports follow).
  void update(const std::function<void(mms::Vmd&)>& fn) {
    const std::lock_guard lock(shared_->mu);
    for (auto& u : shared_->updaters) u(fn);
  }

 private:
  class Handler final : public net::ConnectionHandler {
   public:
    explicit Handler(std::shared_ptr<Shared> s)
        : s_(std::move(s)),
          session_(vmd_, mms::ServerIdentity{}, s_->options.session),
          assoc_(stack::Association::server(
              {}, [this](const stack::AssociateIndication& ind) { return decide(ind); })) {}

    net::Reply on_open(const net::Link& link, const net::PeerInfo&) override {
      const std::lock_guard lock(s_->mu);
      s_->updaters.emplace_back([link, this](std::function<void(mms::Vmd&)> fn) {
        // Runs on this connection's thread; dropped if it is gone (then `this` is not touched).
        link.post([this, fn = std::move(fn)] {
          fn(vmd_);
          net::Reply r;
          send_reports(r);
          return r;
        });
      });
      return {};
    }

    net::Reply on_data(ByteView data) override {
      net::Reply reply;
      if (s_->options.behaviour == Behaviour::silent) return reply;
      apply(assoc_.receive(data), reply);
      return reply;
    }

    void on_closed() override { ++s_->closed; }

   private:
    stack::Decision decide(const stack::AssociateIndication& ind) {
      stack::Decision d;
      if (s_->options.behaviour == Behaviour::reject) {
        d.accept = false;
        d.result = acse::AssociateResult::rejected_permanent;
        d.diagnostic = acse::UserDiagnostic::authentication_failure;
        return d;
      }
      auto r = session_.on_initiate(ind.mms_pdu);
      d.accept = r.ok() && session_.established();
      if (r.ok()) d.mms_pdu = std::move(*r);
      return d;
    }

    void apply(stack::Output&& out, net::Reply& reply) {
      reply.send.insert(reply.send.end(), out.send.begin(), out.send.end());
      if (out.close) reply.close = true;
      for (auto& ev : out.events) {
        if (auto* d = std::get_if<stack::MmsData>(&ev)) {
          on_mms(d->pdu, reply);
        } else if (auto* a = std::get_if<stack::Aborted>(&ev)) {
          if (a->by_peer) ++s_->aborted_by_client;
        } else if (std::get_if<stack::Released>(&ev) != nullptr) {
          ++s_->released;
        }
      }
    }

    void on_mms(const Bytes& pdu, net::Reply& reply) {
      ++s_->requests;
      switch (s_->options.behaviour) {
        case Behaviour::swallow: return;
        case Behaviour::abort_on_request:
          apply(assoc_.abort(), reply);
          reply.close = true;
          return;
        case Behaviour::close_on_request: reply.close = true; return;
        default: break;
      }
      const std::size_t batch = s_->options.batch;
      session_.hold(batch > 0);
      mms::ServerOutput o = session_.on_pdu(pdu);
      if (o.error) ++s_->session_errors;
      for (const Bytes& b : o.send) send(b, reply);
      const std::size_t held = session_.outstanding();
      s_->max_outstanding = std::max<std::size_t>(s_->max_outstanding, held);
      if (batch > 0 && held >= batch) {
        for (const Bytes& b : session_.release()) send(b, reply);
      }
      send_reports(reply);
    }

    void send_reports(net::Reply& reply) {
      for (const Bytes& b : session_.take_reports()) send(b, reply);
    }

    void send(const Bytes& pdu, net::Reply& reply) {
      auto out = assoc_.send(pdu);
      if (out) apply(std::move(*out), reply);
    }

    std::shared_ptr<Shared> s_;
    /// Fills the model before the session (which checks its report controls against it) exists.
    struct DefaultModel {
      explicit DefaultModel(mms::Vmd& v) { EXPECT_TRUE(mms::make_default_ied_model(v).ok()); }
    };
    mms::Vmd vmd_;
    DefaultModel model_{vmd_};
    mms::ServerSession session_;
    stack::Association assoc_;
  };

  std::shared_ptr<Shared> shared_;
  std::unique_ptr<net::Server> server_;
};

/// A port nothing listens on: bound by a server that is then stopped.
inline std::uint16_t closed_port() {
  net::ServerConfig cfg;
  cfg.host = "127.0.0.1";
  cfg.port = 0;
  cfg.threads = 1;
  net::Server s(cfg, [](const net::PeerInfo&) { return std::unique_ptr<net::ConnectionHandler>{}; });
  EXPECT_TRUE(s.start().ok());
  const std::uint16_t port = s.port();
  s.stop();
  return port;
}

}  // namespace mmssec::endpoint::testing
