// SPDX-License-Identifier: Apache-2.0
// AsyncClient: one stack::Association + one mms::ClientSession on a net::Loop connection.
//
// Threads. Public calls run on any thread: they append an operation to a mutex-protected inbox
// and post a drain to the connection (net::Link). Everything else — the association, the MMS
// session, the request queue, the timers — lives on the connection's thread and is touched only
// by the handler callbacks, the posted drains and the posted timer checks, which net serialises.
// The inbox and the "closed" flag are checked under one lock, so an operation is either drained
// by the connection or failed by on_closed(), never lost.
//
// Timeouts are deadlines checked when a Link::post_after() wake-up runs; one wake-up is pending
// at a time (re-armed to the earliest deadline), stale ones are harmless.
//
// Callbacks are collected while the state is updated and run afterwards, so that a callback
// always sees a consistent client (and may call it again: that posts).
#include "mmssec/endpoint/client.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "mmssec/endpoint/reference.hpp"
#include "mmssec/net/connection.hpp"
#include "mmssec/net/error.hpp"
#include "mmssec/net/loop.hpp"

namespace mmssec::endpoint {
namespace {

using SteadyClock = std::chrono::steady_clock;
using TimePoint = SteadyClock::time_point;

/// "10 s", "250 ms".
std::string duration_text(std::chrono::milliseconds d) {
  if (d.count() % 1000 == 0) return std::to_string(d.count() / 1000) + " s";
  return std::to_string(d.count()) + " ms";
}

std::string access_error_text(mms::DataAccessError e) {
  const std::string_view name = mms::data_access_error_name(e);
  if (name == "unknown") return "data access error " + std::to_string(static_cast<std::uint32_t>(e));
  return std::string(name);
}

std::string service_text(std::uint32_t tag) { return std::string(mms::confirmed_service_name(tag)); }

struct RequestOp {
  mms::ConfirmedServiceRequest service;
  Callback<mms::ConfirmedServiceResponse> done;
};
struct ReleaseOp {
  Callback<void> done;
};
struct AbortOp {};
using Op = std::variant<RequestOp, ReleaseOp, AbortOp>;

struct InFlight {
  Callback<mms::ConfirmedServiceResponse> done;
  std::uint32_t service = 0;
  TimePoint deadline;
};

}  // namespace

// ---------------------------------------------------------------------------------------------
// Core: state shared by the AsyncClient handle and the connection handler
// ---------------------------------------------------------------------------------------------

struct AsyncClient::Core : std::enable_shared_from_this<AsyncClient::Core> {
  enum class Life : std::uint8_t { idle, open, closed };
  enum class Phase : std::uint8_t { connecting, associating, associated, releasing, closed };

  Core(net::Loop& l, ClientConfig c)
      : loop(l), cfg(std::move(c)), assoc(stack::Association::client(cfg.stack)), session(cfg.mms) {}

  net::Loop& loop;
  const ClientConfig cfg;

  // ---- shared between threads (mu)
  mutable std::mutex mu;
  Life life = Life::idle;
  std::deque<Op> inbox;
  net::Link link;
  std::function<void(const mms::InformationReport&)> report_fn;
  std::function<void(const std::optional<Failure>&)> closed_fn;
  std::optional<Failure> final_reason;  ///< set once the connection is gone (closed_fn's argument)

  std::atomic<bool> is_associated{false};
  std::atomic<std::uint64_t> n_sent{0}, n_answered{0}, n_reports{0}, n_protocol_errors{0},
      n_max_outstanding{0};

  // ---- the connection's thread only
  Phase phase = Phase::connecting;
  stack::Association assoc;
  stack::Output rx;  ///< reused for every receive (its events are live while they are handled)
  stack::Output tx;  ///< reused for every send
  mms::ClientSession session;
  std::string peer;
  Callback<AssociationInfo> connect_cb;
  Callback<void> release_cb;
  bool release_wanted = false;
  bool conclude_sent = false;
  bool released = false;
  std::optional<Failure> end_reason;  ///< why the association ended (first cause wins)
  std::deque<RequestOp> waiting;      ///< not yet sent (beyond the outstanding limit)
  std::map<mms::InvokeId, InFlight> in_flight;
  std::optional<TimePoint> association_deadline;
  std::optional<TimePoint> release_deadline;
  std::optional<TimePoint> wake_at;  ///< the pending timer wake-up
  std::vector<std::function<void()>> deferred;

  // ---- any thread --------------------------------------------------------------------------

  /// Run `fn` on a loop thread (for operations that cannot reach the connection).
  void post_to_loop(std::function<void()> fn) { loop.post(std::move(fn)); }

  template <class T>
  void fail_soon(Callback<T> cb, Failure f) {
    if (!cb) return;
    post_to_loop([cb = std::move(cb), f = std::move(f)]() mutable { cb(std::move(f)); });
  }

  /// Queue an operation for the connection (or fail it at once when there is none).
  void submit(Op op) {
    std::unique_lock lock(mu);
    if (life != Life::open) {
      const Failure f = life == Life::idle
                            ? Failure{Errc::invalid_state, "not connected (call connect() first)"}
                            : final_reason.value_or(Failure{Errc::closed, "association released"});
      lock.unlock();
      fail_op(std::move(op), f, true);
      return;
    }
    inbox.push_back(std::move(op));
    // Called from a callback inside one of this client's own handler calls (the usual way to
    // keep requests flowing): that call drains the inbox before it returns, so the request goes
    // out in the same write, without a trip through the event loop.
    if (active_core == this) return;
    const net::Link l = link;
    lock.unlock();
    l.post([self = shared_from_this()] { return self->drain(); });
  }

  /// The core whose handler call runs on this thread (see submit()).
  static thread_local const Core* active_core;

  /// Marks a handler call of `core` on this thread for its duration.
  class Active {
   public:
    explicit Active(const Core* core) : saved_(active_core) { active_core = core; }
    ~Active() { active_core = saved_; }
    Active(const Active&) = delete;
    Active& operator=(const Active&) = delete;

   private:
    const Core* saved_;
  };

  /// End of a handler call: run the collected callbacks, then take what they submitted.
  void settle(net::Reply& reply) {
    run_deferred();
    for (;;) {
      {
        const std::lock_guard lock(mu);
        if (inbox.empty()) return;
      }
      take_inbox(reply);
      pump(reply);
      run_deferred();
    }
  }

  /// Fail an operation (posted to the loop when `soon`, else deferred on this thread).
  void fail_op(Op op, const Failure& f, bool soon) {
    if (auto* r = std::get_if<RequestOp>(&op)) {
      if (soon) {
        fail_soon(std::move(r->done), f);
      } else {
        defer_fail(std::move(r->done), f);
      }
    } else if (auto* rel = std::get_if<ReleaseOp>(&op)) {
      if (soon) {
        fail_soon(std::move(rel->done), f);
      } else {
        defer_fail(std::move(rel->done), f);
      }
    }
  }

  // ---- the connection's thread -------------------------------------------------------------

  template <class T>
  void defer_fail(Callback<T> cb, Failure f) {
    if (!cb) return;
    deferred.emplace_back([cb = std::move(cb), f = std::move(f)]() mutable { cb(std::move(f)); });
  }

  void run_deferred() {
    while (!deferred.empty()) {
      std::vector<std::function<void()>> now;
      now.swap(deferred);
      for (auto& fn : now) fn();
    }
  }

  std::string target() const { return cfg.host + ":" + std::to_string(cfg.port); }

  /// Apply a stack output: bytes, events, close.
  void handle(stack::Output&& out, net::Reply& reply) {
    reply.send.insert(reply.send.end(), out.send.begin(), out.send.end());
    handle_events(out, reply);
  }

  /// Send one MMS PDU: its bytes are appended straight to the reply, its events (if any) wait
  /// in `tx` for handle_events(tx, reply). `tx` keeps its buffers from one PDU to the next.
  [[nodiscard]] bool send_pdu(ByteView pdu, net::Reply& reply) {
    tx.clear();
    tx.send.swap(reply.send);
    const Status st = assoc.send(pdu, tx);
    tx.send.swap(reply.send);
    return static_cast<bool>(st);
  }

  /// Apply the events and close flag of an output whose bytes are already in the reply.
  void handle_events(stack::Output& out, net::Reply& reply) {
    for (auto& ev : out.events) {
      if (auto* a = std::get_if<stack::Associated>(&ev)) {
        on_associated(*a, reply);
      } else if (auto* rj = std::get_if<stack::AssociateRejected>(&ev)) {
        on_rejected(*rj);
      } else if (auto* d = std::get_if<stack::MmsData>(&ev)) {
        on_mms(d->pdu, reply);
      } else if (std::get_if<stack::Released>(&ev) != nullptr) {
        released = true;
        if (release_cb) {
          deferred.emplace_back([cb = std::move(release_cb)] { cb(Outcome<void>{}); });
          release_cb = nullptr;
        }
        end(Failure{Errc::closed, "association released"});
      } else if (auto* ab = std::get_if<stack::Aborted>(&ev)) {
        std::string detail = ab->reason;
        if (ab->failure) detail += " (" + ab->failure->describe() + ")";
        end(Failure{Errc::aborted, std::move(detail)});
      }
      // AssociateIndication and ReleaseIndication are server-side events.
    }
    if (out.close) reply.close = true;
  }

  void on_associated(const stack::Associated& a, net::Reply& reply) {
    if (phase != Phase::associating) return;
    auto params = session.on_initiate_response(a.mms_pdu);
    if (!params) {
      Failure f =
          params.error().code == mms::SessionErrc::initiate_refused && session.initiate_error()
              ? Failure{Errc::initiate_refused, mms::describe(*session.initiate_error())}
              : Failure{Errc::protocol_error, "unusable MMS Initiate-Response: " + params.error().describe()};
      end(f);
      handle(assoc.abort(), reply);
      reply.close = true;
      return;
    }
    phase = Phase::associated;
    association_deadline.reset();
    is_associated = true;
    if (connect_cb) {
      AssociationInfo info{peer, *params, a.aare};
      deferred.emplace_back(
          [cb = std::move(connect_cb), info = std::move(info)]() mutable { cb(std::move(info)); });
      connect_cb = nullptr;
    }
  }

  void on_rejected(const stack::AssociateRejected& r) {
    std::string detail = r.reason;
    Errc code = Errc::association_rejected;
    if (!r.mms_pdu.empty()) {
      auto pdu = mms::decode_pdu(r.mms_pdu, cfg.mms.limits);
      if (pdu) {
        if (const auto* ie = pdu->get<mms::InitiateErrorPdu>()) {
          code = Errc::initiate_refused;
          detail += "; MMS initiate error: " + mms::describe(ie->error);
        }
      }
    }
    end(Failure{code, std::move(detail)});
  }

  void on_mms(const Bytes& pdu, net::Reply& reply) {
    if (phase != Phase::associated && phase != Phase::releasing) return;
    mms::ClientOutput out = session.on_pdu(pdu);
    for (const Bytes& b : out.send) {
      if (send_pdu(b, reply)) handle_events(tx, reply);
    }
    if (out.error && !out.completion) ++n_protocol_errors;
    if (out.completion) complete(std::move(*out.completion), reply);
    auto reports = session.take_reports();
    if (!reports.empty()) {
      n_reports += reports.size();
      std::function<void(const mms::InformationReport&)> fn;
      {
        const std::lock_guard lock(mu);
        fn = report_fn;
      }
      if (fn) {
        deferred.emplace_back([fn = std::move(fn), reports = std::move(reports)] {
          for (const auto& r : reports) fn(r);
        });
      }
    }
  }

  void complete(mms::Completion c, net::Reply& reply) {
    if (c.conclude) {
      on_conclude_answer(c, reply);
      return;
    }
    auto it = in_flight.find(c.invoke_id);
    if (it == in_flight.end()) return;
    InFlight f = std::move(it->second);
    in_flight.erase(it);
    ++n_answered;
    Outcome<mms::ConfirmedServiceResponse> result =
        c.response() != nullptr
            ? Outcome<mms::ConfirmedServiceResponse>(std::move(*std::get_if<0>(&c.outcome)))
        : c.service_error() != nullptr ? Outcome<mms::ConfirmedServiceResponse>(
                                             Failure{Errc::service_error, mms::describe(*c.service_error())})
        : c.reject() != nullptr
            ? Outcome<mms::ConfirmedServiceResponse>(Failure{Errc::rejected, mms::describe(*c.reject())})
            : Outcome<mms::ConfirmedServiceResponse>(Failure{Errc::protocol_error, "unexpected answer"});
    deferred.emplace_back([cb = std::move(f.done), r = std::move(result)]() mutable { cb(std::move(r)); });
  }

  void on_conclude_answer(const mms::Completion& c, net::Reply& reply) {
    if (!conclude_sent) return;
    conclude_sent = false;
    release_deadline.reset();
    if (std::holds_alternative<mms::ConcludeResponsePdu>(c.outcome)) {
      // Conclude accepted: now the ACSE release (RLRQ/RLRE), still under the release deadline.
      auto r = assoc.release();
      if (!r) {
        end(Failure{Errc::protocol_error, "cannot release the association: " + r.error().describe()});
        handle(assoc.abort(), reply);
        reply.close = true;
        return;
      }
      release_deadline = SteadyClock::now() + cfg.release_timeout;
      arm(*release_deadline);
      handle(std::move(*r), reply);
      return;
    }
    // Refused: the association stays up.
    phase = Phase::associated;
    release_wanted = false;
    Failure f = c.service_error() != nullptr
                    ? Failure{Errc::service_error, "conclude refused: " + mms::describe(*c.service_error())}
                : c.reject() != nullptr
                    ? Failure{Errc::rejected, "conclude rejected: " + mms::describe(*c.reject())}
                    : Failure{Errc::protocol_error, "unexpected answer to the conclude"};
    defer_fail(std::move(release_cb), std::move(f));
    release_cb = nullptr;
  }

  /// The association is over because of `why` (the first cause wins): fail everything still
  /// pending with it, or with `pending` when given (e.g. "aborted" after another request's
  /// timeout).
  void end(Failure why, std::optional<Failure> pending = std::nullopt) {
    if (!end_reason) end_reason = std::move(why);
    const Failure f = pending ? std::move(*pending) : *end_reason;
    phase = Phase::closed;
    is_associated = false;
    association_deadline.reset();
    release_deadline.reset();
    defer_fail(std::move(connect_cb), f);
    connect_cb = nullptr;
    defer_fail(std::move(release_cb), f);
    release_cb = nullptr;
    for (auto& [id, r] : in_flight) defer_fail(std::move(r.done), f);
    in_flight.clear();
    for (auto& r : waiting) defer_fail(std::move(r.done), f);
    waiting.clear();
  }

  /// Send waiting requests while the negotiated budget allows; conclude when asked and idle.
  void pump(net::Reply& reply) {
    while (phase == Phase::associated && !waiting.empty() &&
           session.outstanding() < session.max_outstanding()) {
      RequestOp op = std::move(waiting.front());
      waiting.pop_front();
      const std::uint32_t tag = mms::service_tag(op.service);
      auto req = session.request(std::move(op.service));
      if (!req) {
        const bool bad_arg = req.error().code == mms::SessionErrc::pdu_too_large ||
                             req.error().code == mms::SessionErrc::invalid_argument;
        defer_fail(std::move(op.done), Failure{bad_arg ? Errc::invalid_argument : Errc::invalid_state,
                                               service_text(tag) + ": " + req.error().describe()});
        continue;
      }
      if (!send_pdu(req->pdu, reply)) {
        defer_fail(std::move(op.done), Failure{Errc::invalid_state, "the association cannot send"});
        continue;
      }
      const TimePoint deadline = SteadyClock::now() + cfg.request_timeout;
      in_flight.emplace(req->invoke_id, InFlight{std::move(op.done), tag, deadline});
      ++n_sent;
      const auto n = static_cast<std::uint64_t>(in_flight.size());
      if (n > n_max_outstanding) n_max_outstanding = n;
      arm(deadline);
      handle_events(tx, reply);
    }
    if (phase == Phase::associated && release_wanted && !conclude_sent && waiting.empty() &&
        in_flight.empty()) {
      auto pdu = session.conclude();
      if (!pdu) {
        release_wanted = false;
        defer_fail(std::move(release_cb),
                   Failure{Errc::invalid_state, "cannot conclude: " + pdu.error().describe()});
        release_cb = nullptr;
        return;
      }
      if (!send_pdu(*pdu, reply)) return;
      conclude_sent = true;
      phase = Phase::releasing;
      release_deadline = SteadyClock::now() + cfg.release_timeout;
      arm(*release_deadline);
      handle_events(tx, reply);
    }
  }

  /// Move the inbox into the machine.
  void take_inbox(net::Reply& reply) {
    std::deque<Op> ops;
    {
      const std::lock_guard lock(mu);
      ops.swap(inbox);
    }
    for (Op& op : ops) {
      if (auto* r = std::get_if<RequestOp>(&op)) {
        if (phase == Phase::closed) {
          defer_fail(std::move(r->done), end_reason.value_or(Failure{Errc::closed, "connection closed"}));
        } else if (release_wanted) {
          defer_fail(std::move(r->done), Failure{Errc::invalid_state, "the association is being released"});
        } else {
          // Make room first by sending what the outstanding budget allows.
          if (waiting.size() >= cfg.max_queued_requests) pump(reply);
          if (waiting.size() >= cfg.max_queued_requests) {
            defer_fail(std::move(r->done),
                       Failure{Errc::invalid_state,
                               "more than " + std::to_string(cfg.max_queued_requests) + " requests queued"});
          } else {
            waiting.push_back(std::move(*r));
          }
        }
      } else if (auto* rel = std::get_if<ReleaseOp>(&op)) {
        if (phase == Phase::closed) {
          defer_fail(std::move(rel->done), end_reason.value_or(Failure{Errc::closed, "connection closed"}));
        } else if (release_wanted) {
          defer_fail(std::move(rel->done), Failure{Errc::invalid_state, "a release is already in progress"});
        } else if (phase != Phase::associated) {
          defer_fail(std::move(rel->done), Failure{Errc::invalid_state, "not associated"});
        } else {
          release_wanted = true;
          release_cb = std::move(rel->done);
        }
      } else {
        do_abort(reply);
      }
    }
  }

  void do_abort(net::Reply& reply) {
    if (phase == Phase::closed) return;
    const bool started = phase != Phase::connecting;  // no association to abort before on_open
    end(Failure{Errc::aborted, "aborted locally"});
    if (started) handle(assoc.abort(), reply);
    reply.close = true;
  }

  net::Reply drain() {
    const Active active(this);
    net::Reply reply;
    take_inbox(reply);
    pump(reply);
    settle(reply);
    return reply;
  }

  // ---- timers

  void arm(TimePoint deadline) {
    if (wake_at && *wake_at <= deadline) return;
    wake_at = deadline;
    const auto delay = std::chrono::ceil<std::chrono::milliseconds>(
        std::max(deadline - SteadyClock::now(), SteadyClock::duration{0}));
    net::Link l;
    {
      const std::lock_guard lock(mu);
      l = link;
    }
    l.post_after(delay + std::chrono::milliseconds{1},
                 [self = shared_from_this()] { return self->on_wake(); });
  }

  net::Reply on_wake() {
    const Active active(this);
    net::Reply reply;
    const TimePoint now = SteadyClock::now();
    if (wake_at && *wake_at <= now) wake_at.reset();
    check_deadlines(now, reply);
    // Re-arm for the earliest deadline left.
    std::optional<TimePoint> next = association_deadline;
    auto earliest = [&next](TimePoint t) {
      if (!next || t < *next) next = t;
    };
    if (release_deadline) earliest(*release_deadline);
    for (const auto& [id, r] : in_flight) earliest(r.deadline);
    if (next && phase != Phase::closed) arm(*next);
    settle(reply);
    return reply;
  }

  void check_deadlines(TimePoint now, net::Reply& reply) {
    if (phase == Phase::closed) return;
    if (association_deadline && now >= *association_deadline) {
      timeout_abort(Failure{Errc::timeout, "no response to the association request within " +
                                               duration_text(cfg.association_timeout)},
                    reply);
      return;
    }
    if (release_deadline && now >= *release_deadline) {
      timeout_abort(
          Failure{Errc::timeout, "no response to the release within " + duration_text(cfg.release_timeout)},
          reply);
      return;
    }
    for (auto it = in_flight.begin(); it != in_flight.end(); ++it) {
      if (now < it->second.deadline) continue;
      const std::string why = "no response to " + service_text(it->second.service) + " within " +
                              duration_text(cfg.request_timeout);
      defer_fail(std::move(it->second.done), Failure{Errc::timeout, why});
      in_flight.erase(it);
      end(Failure{Errc::timeout, why}, Failure{Errc::aborted, "association aborted: " + why});
      handle(assoc.abort(), reply);
      reply.close = true;
      return;
    }
  }

  void timeout_abort(Failure f, net::Reply& reply) {
    end(std::move(f));
    handle(assoc.abort(), reply);
    reply.close = true;
  }

  // ---- connection events

  net::Reply on_open(const net::Link& l, const net::PeerInfo& p) {
    {
      const std::lock_guard lock(mu);
      link = l;
    }
    peer = p.address + ":" + std::to_string(p.port);
    const Active active(this);
    net::Reply reply;
    take_inbox(reply);
    if (phase == Phase::connecting) {
      auto out = assoc.connect(session.initiate_request());
      if (!out) {
        end(Failure{Errc::protocol_error, "cannot start the association: " + out.error().describe()});
        reply.close = true;
      } else {
        phase = Phase::associating;
        association_deadline = SteadyClock::now() + cfg.association_timeout;
        arm(*association_deadline);
        handle(std::move(*out), reply);
      }
    }
    settle(reply);
    return reply;
  }

  void on_connect_failed(const Error& e) {
    std::string detail;
    if (e.code == net::Errc::refused) {
      detail = "connection refused by " + target();
    } else if (e.code == net::Errc::timeout) {
      detail = "no connection to " + target() + " within " + duration_text(cfg.connect_timeout);
    } else if (e.code == net::Errc::resolve_failed) {
      detail = "cannot resolve '" + cfg.host + "'";
    } else {
      detail = "cannot connect to " + target() + ": " + e.code.message();
    }
    end(Failure{Errc::connect_failed, std::move(detail)});
    run_deferred();
  }

  net::Reply on_data(ByteView data) {
    const Active active(this);
    net::Reply reply;
    if (phase == Phase::closed) return reply;
    rx.clear();
    rx.send.swap(reply.send);
    assoc.receive(data, rx);
    rx.send.swap(reply.send);
    handle_events(rx, reply);
    pump(reply);
    settle(reply);
    return reply;
  }

  net::Reply on_timeout() {
    const Active active(this);
    net::Reply reply;
    if (phase != Phase::closed)
      timeout_abort(Failure{Errc::timeout, "the connection was idle too long"}, reply);
    settle(reply);
    return reply;
  }

  void on_closed() {
    if (phase != Phase::closed) {
      // A vanished transport is a close, not an abort (set first: the first cause wins).
      end_reason =
          Failure{Errc::closed, phase == Phase::connecting ? "connection closed before it was established"
                                                           : "connection closed by the peer"};
      if (assoc.state() != stack::State::closed) {
        net::Reply ignored;
        handle(assoc.transport_closed(), ignored);
      }
    }
    end(Failure{Errc::closed, "connection closed"});
    std::deque<Op> ops;
    std::function<void(const std::optional<Failure>&)> fn;
    const std::optional<Failure> reason = released ? std::nullopt : end_reason;
    {
      const std::lock_guard lock(mu);
      life = Life::closed;
      final_reason = end_reason;
      ops.swap(inbox);
      fn = std::move(closed_fn);
      closed_fn = nullptr;
    }
    for (Op& op : ops) fail_op(std::move(op), *end_reason, false);
    if (fn) deferred.emplace_back([fn = std::move(fn), reason] { fn(reason); });
    run_deferred();
  }
};

thread_local const AsyncClient::Core* AsyncClient::Core::active_core = nullptr;

// ---------------------------------------------------------------------------------------------
// The connection handler (owned by net; keeps the core alive until on_closed)
// ---------------------------------------------------------------------------------------------

namespace {

class Handler final : public net::ConnectionHandler {
 public:
  explicit Handler(std::shared_ptr<AsyncClient::Core> core) : core_(std::move(core)) {}
  net::Reply on_open(const net::Link& link, const net::PeerInfo& peer) override {
    return core_->on_open(link, peer);
  }
  void on_connect_failed(const Error& error) override { core_->on_connect_failed(error); }
  net::Reply on_data(ByteView data) override { return core_->on_data(data); }
  net::Reply on_timeout() override { return core_->on_timeout(); }
  void on_closed() override { core_->on_closed(); }

 private:
  std::shared_ptr<AsyncClient::Core> core_;
};

}  // namespace

// ---------------------------------------------------------------------------------------------
// AsyncClient
// ---------------------------------------------------------------------------------------------

std::shared_ptr<AsyncClient> AsyncClient::create(net::Loop& loop, ClientConfig config) {
  return std::shared_ptr<AsyncClient>(new AsyncClient(std::make_shared<Core>(loop, std::move(config))));
}

AsyncClient::AsyncClient(std::shared_ptr<Core> core) : core_(std::move(core)) {}

AsyncClient::~AsyncClient() {
  bool open = false;
  {
    const std::lock_guard lock(core_->mu);
    open = core_->life == Core::Life::open;
  }
  if (open) abort();
}

void AsyncClient::connect(Callback<AssociationInfo> done) {
  Core& c = *core_;
  {
    std::unique_lock lock(c.mu);
    if (c.life != Core::Life::idle) {
      lock.unlock();
      c.fail_soon(std::move(done), Failure{Errc::invalid_state, "connect() was already called"});
      return;
    }
    c.life = Core::Life::open;
  }
  // Only the connection's thread touches connect_cb afterwards; nothing runs there before
  // Loop::connect() below hands it the handler.
  c.connect_cb = std::move(done);
  net::ConnectOptions opts;
  opts.connect_timeout = c.cfg.connect_timeout;
  std::unique_ptr<net::ConnectionHandler> handler = std::make_unique<Handler>(core_);
  if (c.cfg.wrap_connection) {
    // A decorated connection hands the client its own Link in on_open(): work posted through
    // the raw connection's Link would bypass the decorator (plaintext under TLS).
    (void)c.loop.connect(c.cfg.host, c.cfg.port, c.cfg.wrap_connection(std::move(handler)), opts);
    return;
  }
  net::Link link = c.loop.connect(c.cfg.host, c.cfg.port, std::move(handler), opts);
  {
    const std::lock_guard lock(c.mu);
    if (c.life == Core::Life::open) c.link = link;
  }
  // Operations submitted before the link was known are drained now.
  link.post([core = core_] { return core->drain(); });
}

void AsyncClient::request(mms::ConfirmedServiceRequest service,
                          Callback<mms::ConfirmedServiceResponse> done) {
  core_->submit(RequestOp{std::move(service), std::move(done)});
}

namespace {

/// Adapts a generic response callback to one expecting alternative `R` of the response.
template <class R, class T, class Convert>
Callback<mms::ConfirmedServiceResponse> expect(Callback<T> done, Convert convert) {
  return [done = std::move(done),
          convert = std::move(convert)](Outcome<mms::ConfirmedServiceResponse> r) mutable {
    if (!r) {
      done(r.failure());
      return;
    }
    auto* resp = std::get_if<R>(&*r);
    if (resp == nullptr) {
      done(Failure{Errc::protocol_error, "the response is for another service"});
      return;
    }
    done(convert(std::move(*resp)));
  };
}

template <class R>
Callback<mms::ConfirmedServiceResponse> expect_same(Callback<R> done) {
  return expect<R>(std::move(done), [](R&& r) { return Outcome<R>(std::move(r)); });
}

Outcome<mms::Data> access_result(mms::AccessResult&& r, const std::string& what) {
  if (auto* e = std::get_if<mms::DataAccessError>(&r))
    return Failure{Errc::access_error, what + ": " + access_error_text(*e)};
  return std::move(*std::get_if<mms::Data>(&r));
}

/// Names for the per-variable failures of a multi-variable read/write.
std::vector<std::string> names_of(const std::vector<mms::ObjectName>& names) {
  std::vector<std::string> out;
  out.reserve(names.size());
  for (const auto& n : names) out.push_back(n.to_string());
  return out;
}

/// The callback of a one-variable write.
Callback<mms::ConfirmedServiceResponse> write_one(std::string what, Callback<void> done) {
  return expect<mms::WriteResponse>(
      std::move(done), [what = std::move(what)](mms::WriteResponse&& r) -> Outcome<void> {
        if (r.results.size() != 1) {
          return Failure{Errc::protocol_error, "write of " + what + " answered with " +
                                                   std::to_string(r.results.size()) + " results"};
        }
        if (const auto* e = std::get_if<mms::DataAccessError>(&r.results.front()))
          return Failure{Errc::access_error, what + ": " + access_error_text(*e)};
        return {};
      });
}

/// A list_names() walk over GetNameList pages: each page's callback asks for the next one.
/// The pending request's callback holds the walk; nothing else does.
struct NameWalk : std::enable_shared_from_this<NameWalk> {
  void page() {
    core->submit(RequestOp{req, expect_same<mms::GetNameListResponse>(
                                    [self = shared_from_this()](Outcome<mms::GetNameListResponse> r) {
                                      self->on_page(std::move(r));
                                    })});
  }
  void on_page(Outcome<mms::GetNameListResponse> r) {
    if (!r) {
      done(r.failure());
      return;
    }
    const bool progressed = !r->identifiers.empty();
    for (auto& n : r->identifiers) names.push_back(std::move(n));
    if (!r->more_follows) {
      done(std::move(names));
      return;
    }
    // moreFollows: continue after the last name, which must move the walk forward.
    if (!progressed || (req.continue_after && *req.continue_after == names.back())) {
      done(Failure{Errc::protocol_error, "the name list does not advance (moreFollows without new names)"});
      return;
    }
    if (names.size() > max_names) {
      done(Failure{Errc::protocol_error, "the name list exceeds " + std::to_string(max_names) + " names"});
      return;
    }
    req.continue_after = names.back();
    page();
  }

  std::shared_ptr<AsyncClient::Core> core;
  mms::GetNameListRequest req;
  std::vector<std::string> names;
  Callback<std::vector<std::string>> done;
  std::size_t max_names = 0;
};

}  // namespace

void AsyncClient::identify(Callback<mms::IdentifyResponse> done) {
  request(mms::IdentifyRequest{}, expect_same<mms::IdentifyResponse>(std::move(done)));
}

void AsyncClient::get_name_list(mms::GetNameListRequest req, Callback<mms::GetNameListResponse> done) {
  request(std::move(req), expect_same<mms::GetNameListResponse>(std::move(done)));
}

void AsyncClient::list_names(mms::GetNameListRequest req, Callback<std::vector<std::string>> done) {
  auto w = std::make_shared<NameWalk>();
  w->core = core_;
  w->req = std::move(req);
  w->done = std::move(done);
  w->max_names = core_->cfg.stack.limits.mms_max_list_elements * 16;
  w->page();
}

void AsyncClient::list_domains(Callback<std::vector<std::string>> done) {
  mms::GetNameListRequest req;
  req.object_class = mms::object_class::kDomain;
  req.scope = mms::GetNameListRequest::Scope::vmd;
  list_names(std::move(req), std::move(done));
}

void AsyncClient::list_variables(std::string domain, Callback<std::vector<std::string>> done) {
  mms::GetNameListRequest req;
  req.object_class = mms::object_class::kNamedVariable;
  req.scope = mms::GetNameListRequest::Scope::domain;
  req.domain = std::move(domain);
  list_names(std::move(req), std::move(done));
}

void AsyncClient::list_variable_lists(std::string domain, Callback<std::vector<std::string>> done) {
  mms::GetNameListRequest req;
  req.object_class = mms::object_class::kNamedVariableList;
  req.scope = mms::GetNameListRequest::Scope::domain;
  req.domain = std::move(domain);
  list_names(std::move(req), std::move(done));
}

void AsyncClient::get_variable_access_attributes(mms::ObjectName name,
                                                 Callback<mms::GetVariableAccessAttributesResponse> done) {
  request(mms::GetVariableAccessAttributesRequest{std::move(name)},
          expect_same<mms::GetVariableAccessAttributesResponse>(std::move(done)));
}

void AsyncClient::read(mms::ObjectName name, Callback<mms::Data> done) {
  std::string what = name.to_string();
  request(mms::ReadRequest{false, mms::single_variable(std::move(name))},
          expect<mms::ReadResponse>(
              std::move(done), [what = std::move(what)](mms::ReadResponse&& r) -> Outcome<mms::Data> {
                if (r.results.size() != 1) {
                  return Failure{Errc::protocol_error, "read of " + what + " answered with " +
                                                           std::to_string(r.results.size()) + " results"};
                }
                return access_result(std::move(r.results.front()), what);
              }));
}

void AsyncClient::read(std::vector<mms::ObjectName> names, Callback<ReadResults> done) {
  std::vector<std::string> what = names_of(names);
  mms::ListOfVariable list;
  list.items.reserve(names.size());
  for (auto& n : names) list.items.push_back(mms::VariableDef{std::move(n), std::nullopt});
  request(mms::ReadRequest{false, std::move(list)},
          expect<mms::ReadResponse>(
              std::move(done), [what = std::move(what)](mms::ReadResponse&& r) -> Outcome<ReadResults> {
                if (r.results.size() != what.size()) {
                  return Failure{Errc::protocol_error, "read of " + std::to_string(what.size()) +
                                                           " variables answered with " +
                                                           std::to_string(r.results.size()) + " results"};
                }
                ReadResults out;
                out.reserve(what.size());
                for (std::size_t i = 0; i < what.size(); ++i)
                  out.push_back(access_result(std::move(r.results[i]), what[i]));
                return out;
              }));
}

void AsyncClient::read_list(mms::ObjectName list, Callback<ReadResults> done) {
  std::string what = list.to_string();
  request(mms::ReadRequest{false, mms::VariableListName{std::move(list)}},
          expect<mms::ReadResponse>(
              std::move(done), [what = std::move(what)](mms::ReadResponse&& r) -> Outcome<ReadResults> {
                ReadResults out;
                out.reserve(r.results.size());
                for (std::size_t i = 0; i < r.results.size(); ++i)
                  out.push_back(
                      access_result(std::move(r.results[i]), what + " member " + std::to_string(i + 1)));
                return out;
              }));
}

void AsyncClient::write(mms::ObjectName name, mms::Data value, Callback<void> done) {
  std::string what = name.to_string();
  request(mms::WriteRequest{mms::single_variable(std::move(name)), {std::move(value)}},
          write_one(std::move(what), std::move(done)));
}

void AsyncClient::write(std::vector<mms::ObjectName> names, std::vector<mms::Data> values,
                        Callback<WriteResults> done) {
  if (names.size() != values.size()) {
    core_->fail_soon(std::move(done),
                     Failure{Errc::invalid_argument, std::to_string(names.size()) + " names but " +
                                                         std::to_string(values.size()) + " values"});
    return;
  }
  std::vector<std::string> what = names_of(names);
  mms::ListOfVariable list;
  list.items.reserve(names.size());
  for (auto& n : names) list.items.push_back(mms::VariableDef{std::move(n), std::nullopt});
  request(mms::WriteRequest{std::move(list), std::move(values)},
          expect<mms::WriteResponse>(
              std::move(done), [what = std::move(what)](mms::WriteResponse&& r) -> Outcome<WriteResults> {
                if (r.results.size() != what.size()) {
                  return Failure{Errc::protocol_error, "write of " + std::to_string(what.size()) +
                                                           " variables answered with " +
                                                           std::to_string(r.results.size()) + " results"};
                }
                WriteResults out;
                out.reserve(what.size());
                for (std::size_t i = 0; i < what.size(); ++i) {
                  if (const auto* e = std::get_if<mms::DataAccessError>(&r.results[i])) {
                    out.emplace_back(Failure{Errc::access_error, what[i] + ": " + access_error_text(*e)});
                  } else {
                    out.emplace_back();
                  }
                }
                return out;
              }));
}

void AsyncClient::write_text(mms::ObjectName name, std::string text, Callback<void> done) {
  // Two requests: the type, then the write. The second is submitted from the first's callback.
  get_variable_access_attributes(name, [core = core_, name, text = std::move(text), done = std::move(done)](
                                           Outcome<mms::GetVariableAccessAttributesResponse> attrs) mutable {
    if (!attrs) {
      done(attrs.failure());
      return;
    }
    if (!attrs->type) {
      done(Failure{Errc::protocol_error, "no type for " + name.to_string()});
      return;
    }
    auto value = parse_value(text, *attrs->type);
    if (!value) {
      done(Failure{Errc::invalid_argument,
                   name.to_string() + " (" + format_type(*attrs->type) + "): " + value.failure().detail});
      return;
    }
    std::string what = name.to_string();
    core->submit(RequestOp{mms::WriteRequest{mms::single_variable(std::move(name)), {std::move(*value)}},
                           write_one(std::move(what), std::move(done))});
  });
}

void AsyncClient::release(Callback<void> done) { core_->submit(ReleaseOp{std::move(done)}); }

void AsyncClient::abort() { core_->submit(AbortOp{}); }

void AsyncClient::on_report(std::function<void(const mms::InformationReport&)> fn) {
  const std::lock_guard lock(core_->mu);
  core_->report_fn = std::move(fn);
}

void AsyncClient::on_closed(std::function<void(const std::optional<Failure>&)> fn) {
  std::unique_lock lock(core_->mu);
  if (core_->life == Core::Life::closed) {
    // Already gone: report it (once) on a loop thread.
    const std::optional<Failure> reason = core_->final_reason;
    lock.unlock();
    if (fn) core_->post_to_loop([fn = std::move(fn), reason] { fn(reason); });
    return;
  }
  core_->closed_fn = std::move(fn);
}

bool AsyncClient::associated() const noexcept { return core_->is_associated; }

ClientStats AsyncClient::stats() const noexcept {
  ClientStats s;
  s.requests_sent = core_->n_sent;
  s.requests_answered = core_->n_answered;
  s.reports = core_->n_reports;
  s.protocol_errors = core_->n_protocol_errors;
  s.max_outstanding_seen = core_->n_max_outstanding;
  return s;
}

const ClientConfig& AsyncClient::config() const noexcept { return core_->cfg; }

}  // namespace mmssec::endpoint
