// SPDX-License-Identifier: Apache-2.0
// ServerConnection (one association over one TCP connection, sans-I/O behind
// net::ConnectionHandler) and MmsServer (net::Server handing out ServerConnections).
// Threads, locking and report delivery are described in docs/server.md.
#include "mmssec/endpoint/server.hpp"

#include <atomic>
#include <condition_variable>
#include <limits>
#include <mutex>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "mmssec/core/overloaded.hpp"
#include "mmssec/mms/pdu.hpp"

namespace mmssec::endpoint {

// ---------------------------------------------------------------------------------------------
// Server-wide state shared by the connections
// ---------------------------------------------------------------------------------------------

struct ServerConnection::Shared {
  Shared(std::shared_ptr<const ServerSettings> s, std::shared_ptr<ModelHost> m)
      : settings(std::move(s)),
        model(std::move(m)),
        clock(settings->clock ? *settings->clock : static_cast<const Clock&>(SystemClock::instance())) {}

  /// Hand an event to the sink. A throwing sink must not take the connection down with it.
  void emit(const ServerEvent& e) const noexcept {
    try {
      settings->on_event(e);
    } catch (...) {  // NOLINT(bugprone-empty-catch): logging is best effort
    }
  }
  [[nodiscard]] bool logging() const noexcept { return static_cast<bool>(settings->on_event); }

  /// Open connections are enrolled so that a stopping server can abort their associations
  /// (ABRT) before the sockets close.
  void enroll(std::uint64_t id, const net::Link& link, Impl* impl) {
    const std::lock_guard lock(mu);
    open.emplace(id, std::make_pair(link, impl));
  }
  void leave(std::uint64_t id) {
    {
      const std::lock_guard lock(mu);
      open.erase(id);
    }
    cv.notify_all();
  }
  /// Abort every association on its own thread and wait (at most `wait`) for the connections to
  /// close. New connections are refused from now on.
  void stop_all(std::chrono::milliseconds wait);

  std::shared_ptr<const ServerSettings> settings;
  std::shared_ptr<ModelHost> model;
  const Clock& clock;

  std::atomic<std::uint64_t> next_id{1};
  std::atomic<std::uint64_t> live{0};  ///< connections with a handler that has not closed yet
  std::atomic<std::uint64_t> refused{0};
  std::atomic<std::uint64_t> associations{0};
  std::atomic<std::uint64_t> associations_active{0};
  std::atomic<std::uint64_t> associations_rejected{0};
  std::atomic<std::uint64_t> released{0};
  std::atomic<std::uint64_t> aborted{0};
  std::atomic<std::uint64_t> timeouts{0};
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> protocol_errors{0};
  std::atomic<std::uint64_t> reports_sent{0};

  std::atomic<bool> stopping{false};
  std::mutex mu;
  std::condition_variable cv;
  std::unordered_map<std::uint64_t, std::pair<net::Link, Impl*>> open;  ///< guarded by mu
};

namespace {

void bump(std::atomic<std::uint64_t>& c) { c.fetch_add(1, std::memory_order_relaxed); }

std::string ap_title_text(const acse::ApTitle& t) {
  switch (t.form) {
    case acse::ApTitle::Form::form2: return t.oid.to_string();
    case acse::ApTitle::Form::form3: return t.text;
    case acse::ApTitle::Form::form1: break;
  }
  return "form1:" + to_hex(t.name);
}

std::string ae_qualifier_text(const acse::AeQualifier& q) {
  switch (q.form) {
    case acse::AeQualifier::Form::form2: return std::to_string(q.value);
    case acse::AeQualifier::Form::form3: return q.text;
    case acse::AeQualifier::Form::form1: break;
  }
  return "form1:" + to_hex(q.rdn);
}

/// The data set an InformationReport names (for report_sent events).
std::string report_target(ByteView pdu) {
  auto decoded = mms::decode_pdu(pdu);
  if (!decoded) return {};
  const auto* u = decoded->get<mms::UnconfirmedPdu>();
  if (u == nullptr) return {};
  if (const auto* nvl = std::get_if<mms::VariableListName>(&u->report.variables))
    return nvl->name.to_string();
  return {};
}

/// "access: object-non-existent" from an Initiate-ErrorPDU.
std::string initiate_error_text(ByteView pdu) {
  auto decoded = mms::decode_pdu(pdu);
  if (decoded) {
    if (const auto* e = decoded->get<mms::InitiateErrorPdu>()) return mms::describe(e->error);
  }
  return "Initiate-ErrorPDU";
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// ServerConnection
// ---------------------------------------------------------------------------------------------

struct ServerConnection::Impl {
  Impl(std::shared_ptr<Shared> s, std::uint64_t connection_id)
      : shared(std::move(s)),
        settings(*shared->settings),
        model(*shared->model),
        clock(shared->clock),
        id(connection_id),
        log_requests(shared->logging() && settings.log_requests),
        assoc(stack::Association::server(
            settings.association, [this](const stack::AssociateIndication& ind) { return decide(ind); })) {
    bump(shared->live);
    opened_at = clock.now_steady();
  }

  ~Impl() {
    if (!closed) {
      drop_session();
      shared->leave(id);
      shared->live.fetch_sub(1, std::memory_order_relaxed);
    }
  }

  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  Impl(Impl&&) = delete;
  Impl& operator=(Impl&&) = delete;

  // ------------------------------------------------------------------ events

  [[nodiscard]] ServerEvent event(ServerEventKind kind, EventSeverity severity) const {
    ServerEvent e;
    e.kind = kind;
    e.severity = severity;
    e.time = clock.now_utc();
    e.connection = id;
    e.peer = peer;
    return e;
  }

  // ------------------------------------------------------------------ session lifetime

  /// The session subscribes to the Vmd: built and destroyed under the exclusive lock.
  void drop_session() {
    if (session) model.update([this](mms::Vmd&) { session.reset(); });
  }

  /// The server's decision on the AARQ (runs inside Association::receive()).
  stack::Decision decide(const stack::AssociateIndication& ind) {
    drop_session();
    mms::ServerOptions options = settings.session;
    options.record_requests = log_requests;
    options.on_report_queued = [this] { report_queued(); };
    model.update([&](mms::Vmd& vmd) {
      session = std::make_unique<mms::ServerSession>(vmd, settings.identity, std::move(options));
    });
    Result<Bytes> answer = model.shared_access([&](mms::Vmd&) { return session->on_initiate(ind.mms_pdu); });

    stack::Decision d;
    d.result = acse::AssociateResult::rejected_permanent;
    d.diagnostic = acse::UserDiagnostic::no_reason_given;
    if (!answer) {
      d.accept = false;
      reject_reason = ind.mms_pdu.empty() ? "no MMS Initiate in the AARQ"
                                          : "undecodable MMS Initiate: " + answer.error().describe();
      return d;
    }
    if (!session->established()) {  // Initiate-ErrorPDU: refuse the association with it
      d.accept = false;
      if (shared->logging()) reject_reason = "Initiate refused: " + initiate_error_text(*answer);
      d.mms_pdu = std::move(*answer);
      return d;
    }
    d.accept = true;
    d.mms_pdu = std::move(*answer);
    return d;
  }

  [[nodiscard]] bool establishing() const noexcept {
    const stack::State s = assoc.state();
    return s == stack::State::idle || s == stack::State::connecting || s == stack::State::awaiting_decision;
  }

  [[nodiscard]] std::chrono::steady_clock::duration since_open() const {
    return clock.now_steady() - opened_at;
  }

  [[nodiscard]] bool association_overdue() const {
    const auto limit = settings.association_timeout;
    return limit.count() > 0 && establishing() && since_open() >= limit;
  }

  // ------------------------------------------------------------------ stack output

  /// Queue the association's bytes and act on its events (which may produce more output).
  void absorb(stack::Output&& o, net::Reply& r) {
    r.send.insert(r.send.end(), o.send.begin(), o.send.end());
    absorb_events(o, r);
  }

  /// Act on the events of an output whose bytes are already in `r`.
  void absorb_events(stack::Output& o, net::Reply& r) {
    r.close = r.close || o.close;
    for (stack::Event& ev : o.events) {
      std::visit(Overloaded{
                     [](stack::AssociateIndication&) {},  // decided by the acceptor
                     [&](stack::Associated&) { on_associated(); },
                     [&](stack::AssociateRejected& e) { on_rejected(e); },
                     [&](stack::MmsData& e) { on_mms(e.pdu, r); },
                     [](stack::ReleaseIndication&) {},
                     [&](stack::Released&) {
                       end_association();
                       bump(shared->released);
                       if (shared->logging())
                         shared->emit(event(ServerEventKind::released, EventSeverity::info));
                     },
                     [&](stack::Aborted& e) { on_aborted(e); },
                 },
                 ev);
    }
  }

  void on_associated() {
    associated = true;
    bump(shared->associations);
    bump(shared->associations_active);
    if (!shared->logging()) return;
    ServerEvent e = event(ServerEventKind::associated, EventSeverity::info);
    if (const auto& aarq = assoc.aarq()) {
      if (aarq->calling_ap_title) e.calling_ap_title = ap_title_text(*aarq->calling_ap_title);
      if (aarq->calling_ae_qualifier) e.calling_ae_qualifier = ae_qualifier_text(*aarq->calling_ae_qualifier);
    }
    if (session) {
      e.max_pdu_size = session->negotiated().local_detail.value_or(0);
      e.max_outstanding = session->negotiated().max_serv_outstanding_calling;
    }
    shared->emit(e);
  }

  void on_rejected(const stack::AssociateRejected& rej) {
    bump(shared->associations_rejected);
    if (!shared->logging()) return;
    ServerEvent e = event(ServerEventKind::association_rejected, EventSeverity::warning);
    e.reason = reject_reason.empty() ? rej.reason : reject_reason + " (" + rej.reason + ")";
    if (const auto& aarq = assoc.aarq(); aarq && aarq->calling_ap_title) {
      e.calling_ap_title = ap_title_text(*aarq->calling_ap_title);
    }
    shared->emit(e);
  }

  void on_aborted(const stack::Aborted& ab) {
    end_association();
    if (local_abort) return;  // our own abort: the timeout event tells why
    bump(shared->aborted);
    if (!shared->logging()) return;
    ServerEvent e =
        event(ServerEventKind::aborted, ab.failure ? EventSeverity::error : EventSeverity::warning);
    e.reason = shared->stopping.load(std::memory_order_relaxed) ? "server stopped" : ab.reason;
    if (ab.failure) {
      e.layer = ab.failure->layer;
      e.reason += ": " + ab.failure->describe();
    }
    shared->emit(e);
  }

  void end_association() {
    if (associated && !ended) shared->associations_active.fetch_sub(1, std::memory_order_relaxed);
    ended = true;
  }

  // ------------------------------------------------------------------ MMS

  /// Send one MMS PDU on the association; false when it cannot carry data any more.
  bool send_pdu(const Bytes& pdu, net::Reply& r) {
    if (assoc.state() != stack::State::associated) return false;
    // The association appends its bytes straight to the reply; `tx` keeps its event buffer.
    tx.clear();
    tx.send.swap(r.send);
    const Status st = assoc.send(pdu, tx);
    tx.send.swap(r.send);
    if (!st) return false;
    absorb_events(tx, r);
    return true;
  }

  void on_mms(const Bytes& pdu, net::Reply& r) {
    if (!session) return;
    mms::ServerOutput out;
    std::vector<Bytes> reports;
    // Under the model lock (exclusive only when the PDU may change the model); the reports this
    // PDU caused for our own association are taken in the same critical section.
    auto call = [&](mms::Vmd&) {
      in_session_call = true;
      out = session->on_pdu(pdu);
      reports = session->take_reports();
      in_session_call = false;
    };
    if (mms::ServerSession::may_modify_model(pdu)) {
      model.update(call);
    } else {
      model.shared_access(call);
    }
    ++requests;
    bump(shared->requests);
    for (const Bytes& p : out.send) {
      if (!send_pdu(p, r)) break;
    }
    if (out.error) bump(shared->protocol_errors);
    if (out.request && log_requests) {
      const mms::RequestRecord& rec = *out.request;
      ServerEvent e = event(ServerEventKind::request, rec.ok ? EventSeverity::info : EventSeverity::warning);
      e.service = std::string(mms::confirmed_service_name(rec.service));
      e.invoke_id = rec.invoke_id;
      e.object = rec.object;
      e.objects = rec.objects;
      e.result = rec.ok ? "ok" : rec.result;
      shared->emit(e);
    } else if (out.error && shared->logging()) {
      ServerEvent e = event(ServerEventKind::protocol_error, EventSeverity::warning);
      e.layer = "mms";
      e.reason = out.error->describe();
      shared->emit(e);
    }
    send_reports(reports, r);
  }

  void send_reports(const std::vector<Bytes>& reports, net::Reply& r) {
    for (const Bytes& report : reports) {
      if (!send_pdu(report, r)) return;  // no longer associated: the rest is dropped
      bump(shared->reports_sent);
      if (log_requests) {
        ServerEvent e = event(ServerEventKind::report_sent, EventSeverity::info);
        e.service = "informationReport";
        e.object = report_target(report);
        e.objects = 1;
        shared->emit(e);
      }
    }
  }

  /// The session queued a report. Runs under the exclusive model lock on whatever thread
  /// changed the model: only schedule a flush on our own thread (one pending at a time).
  void report_queued() {
    if (in_session_call) return;  // our own PDU caused it: on_mms() takes it right away
    if (flush_pending.exchange(true, std::memory_order_acq_rel)) return;
    link.post([this] { return flush(); });
  }

  net::Reply flush() {
    std::vector<Bytes> reports;
    model.shared_access([&](mms::Vmd&) {
      flush_pending.store(false, std::memory_order_release);  // later reports post a new flush
      if (session) reports = session->take_reports();
    });
    net::Reply r;
    send_reports(reports, r);
    return r;
  }

  // ------------------------------------------------------------------ timeouts

  net::Reply abort_for_timeout(std::string reason) {
    bump(shared->timeouts);
    if (shared->logging()) {
      ServerEvent e = event(ServerEventKind::timeout, EventSeverity::warning);
      e.reason = std::move(reason);
      shared->emit(e);
    }
    net::Reply r;
    if (assoc.state() != stack::State::closed) {
      local_abort = true;
      absorb(assoc.abort(), r);
      local_abort = false;
    }
    r.close = true;
    return r;
  }

  net::Reply check_association_timeout() {
    const auto limit = settings.association_timeout;
    if (limit.count() <= 0 || !establishing() || assoc.state() == stack::State::closed) return {};
    const auto elapsed = since_open();
    if (elapsed >= limit) return abort_for_timeout("association timeout");
    // Woken early (the injected clock is not the timer's): look again when it is due.
    arm_association_timer(std::chrono::ceil<std::chrono::milliseconds>(limit - elapsed));
    return {};
  }

  /// One-shot timer on the connection's thread (cancelled when the connection closes).
  void arm_association_timer(std::chrono::milliseconds delay) {
    link.post_after(delay, [this] { return check_association_timeout(); });
  }

  /// A stopping server: abort the association (ABRT) and close.
  net::Reply shutdown() {
    net::Reply r;
    if (received && assoc.state() != stack::State::closed) {
      local_abort = true;
      absorb(assoc.abort(), r);
      local_abort = false;
      bump(shared->aborted);
      if (shared->logging()) {
        ServerEvent e = event(ServerEventKind::aborted, EventSeverity::info);
        e.reason = "server stopping";
        shared->emit(e);
      }
    }
    r.close = true;
    return r;
  }

  // ------------------------------------------------------------------ state

  std::shared_ptr<Shared> shared;
  const ServerSettings& settings;
  ModelHost& model;
  const Clock& clock;
  std::uint64_t id;
  bool log_requests;
  stack::Association assoc;
  stack::Output rx;  ///< reused for every receive (its events are live while they are handled)
  stack::Output tx;  ///< reused for every send
  std::unique_ptr<mms::ServerSession> session;
  net::Link link;
  net::PeerInfo peer;
  std::chrono::steady_clock::time_point opened_at;
  std::string reject_reason;
  std::uint64_t requests = 0;
  bool received = false;
  bool associated = false;
  bool ended = false;
  bool local_abort = false;
  bool closed = false;
  /// True while this connection's thread is inside the session; written and read only under the
  /// model lock (report_queued() runs under the exclusive lock).
  bool in_session_call = false;
  std::atomic<bool> flush_pending{false};
};

ServerConnection::ServerConnection(std::shared_ptr<const ServerSettings> settings,
                                   std::shared_ptr<ModelHost> model, std::uint64_t id)
    : ServerConnection(std::make_shared<Shared>(std::move(settings), std::move(model)), id) {}

ServerConnection::ServerConnection(std::shared_ptr<Shared> shared, std::uint64_t id)
    : impl_(std::make_unique<Impl>(std::move(shared), id)) {}

ServerConnection::~ServerConnection() = default;

std::uint64_t ServerConnection::id() const noexcept { return impl_->id; }
stack::State ServerConnection::state() const noexcept { return impl_->assoc.state(); }

net::Reply ServerConnection::on_open(const net::Link& link, const net::PeerInfo& peer) {
  Impl& m = *impl_;
  m.link = link;
  m.peer = peer;
  m.opened_at = m.clock.now_steady();
  m.shared->enroll(m.id, link, &m);
  if (m.shared->logging()) m.shared->emit(m.event(ServerEventKind::connection_opened, EventSeverity::info));
  if (m.settings.association_timeout.count() > 0) m.arm_association_timer(m.settings.association_timeout);
  return {};
}

net::Reply ServerConnection::on_data(ByteView data) {
  Impl& m = *impl_;
  net::Reply r;
  if (m.assoc.state() == stack::State::closed) return r;  // released or aborted: ignore the rest
  m.received = true;
  if (m.association_overdue()) return m.abort_for_timeout("association timeout");
  m.rx.clear();
  m.rx.send.swap(r.send);
  m.assoc.receive(data, m.rx);
  m.rx.send.swap(r.send);
  m.absorb_events(m.rx, r);
  return r;
}

net::Reply ServerConnection::on_timeout() {
  Impl& m = *impl_;
  const char* reason = !m.received               ? "first-byte timeout"
                       : m.association_overdue() ? "association timeout"
                                                 : "idle timeout";
  return m.abort_for_timeout(reason);
}

void ServerConnection::on_closed() {
  Impl& m = *impl_;
  if (m.closed) return;
  // A peer that sent anything and vanished before the association ended: say so.
  if (m.received && m.assoc.state() != stack::State::closed) {
    net::Reply ignored;  // nothing can be sent any more
    m.absorb(m.assoc.transport_closed(), ignored);
  }
  m.drop_session();
  m.closed = true;
  m.shared->leave(m.id);
  m.shared->live.fetch_sub(1, std::memory_order_relaxed);
  if (m.shared->logging()) {
    ServerEvent e = m.event(ServerEventKind::connection_closed, EventSeverity::info);
    e.requests = m.requests;
    e.duration = std::chrono::duration_cast<std::chrono::milliseconds>(m.since_open());
    m.shared->emit(e);
  }
}

net::Reply ServerConnection::check_association_timeout() { return impl_->check_association_timeout(); }

net::Reply ServerConnection::flush_reports() { return impl_->flush(); }

void ServerConnection::Shared::stop_all(std::chrono::milliseconds wait) {
  std::vector<std::pair<net::Link, Impl*>> targets;
  {
    const std::lock_guard lock(mu);
    stopping.store(true, std::memory_order_relaxed);
    targets.reserve(open.size());
    for (const auto& entry : open) targets.push_back(entry.second);
  }
  // A post to a connection that closed meanwhile is dropped, so `impl` is alive when it runs.
  for (const auto& [link, impl] : targets) link.post([impl = impl] { return impl->shutdown(); });
  std::unique_lock lock(mu);
  cv.wait_for(lock, wait, [this] { return open.empty(); });
}

// ---------------------------------------------------------------------------------------------
// MmsServer
// ---------------------------------------------------------------------------------------------

namespace {
/// net::Server gets a higher limit than ours, so that the factory (which emits the event) sees
/// the connections over the limit instead of net refusing them silently.
constexpr std::size_t kNetLimitSlack = 16;
}  // namespace

MmsServer::MmsServer(ServerSettings settings, std::shared_ptr<ModelHost> model) : model_(std::move(model)) {
  auto s = std::make_shared<const ServerSettings>(std::move(settings));
  shared_ = std::make_shared<ServerConnection::Shared>(s, model_);
  net::ServerConfig config = s->network;
  const std::size_t limit = config.max_connections;
  config.max_connections =
      limit > std::numeric_limits<std::size_t>::max() - kNetLimitSlack ? limit : limit + kNetLimitSlack;
  // The factory runs on the accepting thread only, so check-then-construct does not race.
  server_ = std::make_unique<net::Server>(
      std::move(config),
      [sh = shared_, limit](const net::PeerInfo& peer) -> std::unique_ptr<net::ConnectionHandler> {
        if (sh->stopping.load(std::memory_order_relaxed)) return nullptr;
        if (sh->live.load(std::memory_order_relaxed) >= limit) {
          bump(sh->refused);
          if (sh->logging()) {
            ServerEvent e;
            e.kind = ServerEventKind::connection_refused;
            e.severity = EventSeverity::warning;
            e.time = sh->clock.now_utc();
            e.peer = peer;
            e.reason = "connection limit " + std::to_string(limit) + " reached";
            sh->emit(e);
          }
          return nullptr;
        }
        std::unique_ptr<net::ConnectionHandler> handler =
            std::make_unique<ServerConnection>(sh, sh->next_id.fetch_add(1, std::memory_order_relaxed));
        if (sh->settings->wrap_connection) handler = sh->settings->wrap_connection(std::move(handler));
        return handler;
      });
}

MmsServer::~MmsServer() { stop(); }

Status MmsServer::start() { return server_->start(); }

void MmsServer::stop() {
  // Graceful: every association gets an ABRT (within the close linger), then the loop stops and
  // closes whatever is left.
  shared_->stop_all(shared_->settings->network.close_linger);
  server_->stop();
}

std::uint16_t MmsServer::port() const noexcept { return server_->port(); }

MmsServerStats MmsServer::stats() const noexcept {
  const auto get = [](const std::atomic<std::uint64_t>& c) { return c.load(std::memory_order_relaxed); };
  const ServerConnection::Shared& s = *shared_;
  MmsServerStats out;
  out.network = server_->stats();
  out.connections_refused = get(s.refused);
  out.associations = get(s.associations);
  out.associations_active = get(s.associations_active);
  out.associations_rejected = get(s.associations_rejected);
  out.released = get(s.released);
  out.aborted = get(s.aborted);
  out.timeouts = get(s.timeouts);
  out.requests = get(s.requests);
  out.protocol_errors = get(s.protocol_errors);
  out.reports_sent = get(s.reports_sent);
  return out;
}

}  // namespace mmssec::endpoint
