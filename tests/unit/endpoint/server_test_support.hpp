// SPDX-License-Identifier: Apache-2.0
// Helpers of the MMS server endpoint tests: a test client built from the sans-I/O pieces
// (stack::Association::client + mms::ClientSession), driven either directly against a
// ServerConnection (no sockets) or over loopback TCP with net::Client; a thread-safe event
// recorder that tests wait on (condition variable, bounded waits, no sleeps).
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

#include "mmssec/endpoint/model_host.hpp"
#include "mmssec/endpoint/server.hpp"
#include "mmssec/mms/client.hpp"
#include "mmssec/mms/default_model.hpp"
#include "mmssec/net/client.hpp"
#include "mmssec/stack/association.hpp"

namespace mmssec::endpoint::testing {

using namespace std::chrono_literals;

inline mms::ObjectName ld0(std::string item) {
  return mms::ObjectName::domain_specific("LD0", std::move(item));
}
inline mms::ObjectName rpt_ena() { return ld0(std::string(mms::kDefaultReportControl) + "$RptEna"); }
inline mms::ObjectName dataset1() { return ld0(std::string(mms::kDefaultDataSet)); }

/// A model host holding the default IED.
inline std::shared_ptr<ModelHost> default_model() {
  auto host = std::make_shared<ModelHost>();
  const Status st = host->update([](mms::Vmd& vmd) { return mms::make_default_ied_model(vmd); });
  EXPECT_TRUE(st.ok());
  return host;
}

/// Collects events from any thread; tests wait for a condition on them.
class EventLog {
 public:
  EventSink sink() {
    return [this](const ServerEvent& e) {
      {
        const std::lock_guard lock(mu_);
        events_.push_back(e);
      }
      cv_.notify_all();
    };
  }
  [[nodiscard]] std::vector<ServerEvent> all() const {
    const std::lock_guard lock(mu_);
    return events_;
  }
  [[nodiscard]] std::size_t count(ServerEventKind kind) const {
    const std::lock_guard lock(mu_);
    std::size_t n = 0;
    for (const auto& e : events_) n += e.kind == kind ? 1 : 0;
    return n;
  }
  /// Wait (at most `limit`) until at least `n` events of `kind` arrived.
  bool wait_count(ServerEventKind kind, std::size_t n, std::chrono::milliseconds limit = 4s) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, limit, [&] {
      std::size_t k = 0;
      for (const auto& e : events_) k += e.kind == kind ? 1 : 0;
      return k >= n;
    });
  }
  /// The first event of `kind` (and connection, when non-zero); nullopt when there is none.
  [[nodiscard]] std::optional<ServerEvent> first(ServerEventKind kind, std::uint64_t conn = 0) const {
    const std::lock_guard lock(mu_);
    for (const auto& e : events_) {
      if (e.kind == kind && (conn == 0 || e.connection == conn)) return e;
    }
    return std::nullopt;
  }
  void clear() {
    const std::lock_guard lock(mu_);
    events_.clear();
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<ServerEvent> events_;
};

/// The client side of one association, sans-I/O: bytes to send accumulate in `outgoing`, bytes
/// from the server go to feed(); completions and reports are collected.
class Peer {
 public:
  explicit Peer(stack::Config config = {}, mms::ClientOptions options = {})
      : assoc_(stack::Association::client(std::move(config))), session_(std::move(options)) {}

  /// Send the CR (the AARQ follows the CC); `initiate` overrides the Initiate-RequestPDU.
  bool start(std::optional<Bytes> initiate = std::nullopt) {
    auto o = assoc_.connect(initiate ? *initiate : session_.initiate_request());
    if (!o) return false;
    absorb(std::move(*o));
    return true;
  }
  /// Send one encoded request; its invokeID, or nullopt when it cannot be sent.
  std::optional<mms::InvokeId> send(Result<mms::ClientRequest> req) {
    if (!req) return std::nullopt;
    if (!send_raw(req->pdu)) return std::nullopt;
    return req->invoke_id;
  }
  /// Send any octets as one MMS PDU (P-DATA on the MMS context).
  bool send_raw(const Bytes& pdu) {
    auto o = assoc_.send(pdu);
    if (!o) return false;
    absorb(std::move(*o));
    return true;
  }
  bool conclude() {
    auto c = session_.conclude();
    return c.ok() && send_raw(*c);
  }
  bool release() {
    auto o = assoc_.release();
    if (!o) return false;
    absorb(std::move(*o));
    return true;
  }
  void feed(ByteView bytes) {
    if (!bytes.empty()) absorb(assoc_.receive(bytes));
  }
  Bytes take_outgoing() { return std::exchange(outgoing_, {}); }

  [[nodiscard]] bool has_completion(mms::InvokeId id) const { return completions_.count(id) != 0; }
  [[nodiscard]] std::optional<mms::Completion> completion(mms::InvokeId id) const {
    auto it = completions_.find(id);
    if (it == completions_.end()) return std::nullopt;
    return it->second;
  }

  mms::ClientSession& session() { return session_; }
  stack::Association& association() { return assoc_; }
  [[nodiscard]] bool ended() const { return rejected || aborted || released || closed; }

  bool associated = false;
  bool rejected = false;
  bool released = false;
  bool aborted = false;
  bool closed = false;  ///< the association asked to close the transport
  bool concluded = false;
  std::string reject_reason;
  std::vector<mms::InformationReport> reports;

 private:
  void absorb(stack::Output&& o) {
    outgoing_.insert(outgoing_.end(), o.send.begin(), o.send.end());
    closed = closed || o.close;
    for (auto& ev : o.events) {
      if (auto* a = std::get_if<stack::Associated>(&ev)) {
        associated = session_.on_initiate_response(a->mms_pdu).ok();
      } else if (auto* r = std::get_if<stack::AssociateRejected>(&ev)) {
        rejected = true;
        reject_reason = r->reason;
        if (!r->mms_pdu.empty()) (void)session_.on_initiate_response(r->mms_pdu);
      } else if (auto* d = std::get_if<stack::MmsData>(&ev)) {
        auto out = session_.on_pdu(d->pdu);
        if (out.completion) {
          if (out.completion->conclude) {
            concluded = true;
          } else {
            completions_.emplace(out.completion->invoke_id, *out.completion);
          }
        }
        for (auto& r2 : session_.take_reports()) reports.push_back(std::move(r2));
      } else if (std::holds_alternative<stack::Released>(ev)) {
        released = true;
      } else if (std::holds_alternative<stack::Aborted>(ev)) {
        aborted = true;
      }
    }
  }

  stack::Association assoc_;
  mms::ClientSession session_;
  Bytes outgoing_;
  std::map<mms::InvokeId, mms::Completion> completions_;
};

/// A Peer against a ServerConnection in memory: every exchange runs until neither side has
/// anything more to say.
class DirectWire {
 public:
  DirectWire(std::shared_ptr<const ServerSettings> settings, std::shared_ptr<ModelHost> model,
             stack::Config client_config = {})
      : conn(std::move(settings), std::move(model)), peer(std::move(client_config)) {
    deliver(conn.on_open(net::Link{}, net::PeerInfo{"127.0.0.1", 40000}));
  }

  /// Hand what the server answered to the peer.
  void deliver(const net::Reply& r) {
    server_closed = server_closed || r.close;
    peer.feed(r.send);
  }
  /// Client bytes to the server, answers back, until quiet (or the server closed).
  void run() {
    for (int i = 0; i < 100 && !server_closed; ++i) {
      const Bytes out = peer.take_outgoing();
      if (out.empty()) return;
      deliver(conn.on_data(out));
    }
  }
  bool associate() {
    if (!peer.start()) return false;
    run();
    return peer.associated;
  }
  std::optional<mms::Completion> call(Result<mms::ClientRequest> req) {
    auto id = peer.send(std::move(req));
    if (!id) return std::nullopt;
    run();
    return peer.completion(*id);
  }

  ServerConnection conn;
  Peer peer;
  bool server_closed = false;
};

/// A Peer over loopback TCP.
class NetPeer : public Peer {
 public:
  explicit NetPeer(std::uint16_t port, stack::Config config = {}, mms::ClientOptions options = {})
      : Peer(std::move(config), std::move(options)) {
    auto c = net::Client::connect("127.0.0.1", port, 2s);
    EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().describe());
    if (c.ok()) client_.emplace(std::move(c).value());
  }

  /// Write what the peer has to say. False when the connection is gone.
  bool flush() {
    Bytes out = take_outgoing();
    if (out.empty()) return true;
    if (!client_ || !client_->is_open()) return false;
    return client_->send(out, 3s).ok();
  }
  /// Exchange bytes until `pred` holds or the server closes or `limit` passes; returns pred().
  bool pump_until(const std::function<bool()>& pred, std::chrono::milliseconds limit = 4s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    (void)flush();
    while (!pred()) {
      if (!client_ || server_gone) return pred();
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      auto got = client_->receive(std::min<std::chrono::milliseconds>(left, 200ms));
      if (!got) {
        if (got.error().code == make_error_code(net::Errc::timeout)) continue;
        server_gone = true;
        continue;
      }
      feed(*got);
      (void)flush();
    }
    return true;
  }
  bool associate() {
    if (!start()) return false;
    pump_until([this] { return associated || ended(); });
    return associated;
  }
  std::optional<mms::Completion> call(Result<mms::ClientRequest> req) {
    auto id = send(std::move(req));
    if (!id) return std::nullopt;
    if (!pump_until([&] { return has_completion(*id) || ended(); })) return std::nullopt;
    return completion(*id);
  }
  /// Conclude, then release (A-RELEASE); true once released.
  bool conclude_and_release() {
    if (!conclude()) return false;
    if (!pump_until([this] { return concluded || ended(); }) || !concluded) return false;
    if (!release()) return false;
    pump_until([this] { return released || ended(); });
    return released;
  }
  /// Wait until the server closes the connection (end of stream).
  bool wait_closed(std::chrono::milliseconds limit = 4s) {
    pump_until([this] { return server_gone; }, limit);
    return server_gone;
  }
  /// Receive once (up to `limit`) and feed the peer without sending anything back.
  bool receive_some(std::chrono::milliseconds limit = 2s) {
    if (!client_) return false;
    auto got = client_->receive(limit);
    if (!got) return false;
    feed(*got);
    return true;
  }
  /// Raw bytes on the socket (no association involved).
  bool send_bytes(const Bytes& b) { return client_ && client_->send(b, 3s).ok(); }
  void close() {
    if (client_) client_->close();
  }
  [[nodiscard]] bool connected() const { return client_.has_value(); }

  bool server_gone = false;

 private:
  std::optional<net::Client> client_;
};

/// Read one variable; the Data or nullopt (an access error or no response).
inline std::optional<mms::Data> read_data(const std::optional<mms::Completion>& c) {
  if (!c) return std::nullopt;
  const auto* rr = c->get<mms::ReadResponse>();
  if (rr == nullptr || rr->results.size() != 1) return std::nullopt;
  const auto* d = std::get_if<mms::Data>(&rr->results[0]);
  if (d == nullptr) return std::nullopt;
  return *d;
}

/// Poll `pred` (for counters, which have no callback) until it holds or `limit` passes.
inline bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds limit = 4s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

/// Loopback settings on an ephemeral port with short, test-friendly timeouts.
inline ServerSettings test_settings(EventLog* log = nullptr) {
  ServerSettings s;
  s.network.host = "127.0.0.1";
  s.network.port = 0;
  s.network.threads = 2;
  s.network.first_byte_timeout = 4s;
  s.network.idle_timeout = 4s;
  s.network.close_linger = 1s;
  s.session.report_controls = mms::default_report_controls();
  s.association_timeout = 4s;
  if (log != nullptr) s.on_event = log->sink();
  return s;
}

}  // namespace mmssec::endpoint::testing
