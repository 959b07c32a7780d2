// SPDX-License-Identifier: Apache-2.0
// The MMS server endpoint: the OSI association (stack::Association), the MMS session
// (mms::ServerSession) over a shared model (ModelHost) and the network (net::Server) wired
// together. docs/server.md describes threads, locking, report delivery, limits and the events.
//
//   auto model = std::make_shared<endpoint::ModelHost>();
//   model->update([](mms::Vmd& vmd) { return mms::make_default_ied_model(vmd); });
//   endpoint::ServerSettings s;
//   s.session.report_controls = mms::default_report_controls();
//   s.on_event = [](const endpoint::ServerEvent& e) { std::puts(endpoint::format_text(e).c_str()); };
//   endpoint::MmsServer server(s, model);
//   if (auto st = server.start(); !st) ...;
//   model->update([&](mms::Vmd& vmd) { return mms::update_measurements(vmd, t); });  // reports go out
//
// One ServerConnection per TCP connection; it is a net::ConnectionHandler, so it can also be
// driven without sockets (tests feed it bytes).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "mmssec/core/bytes.hpp"
#include "mmssec/core/clock.hpp"
#include "mmssec/core/result.hpp"
#include "mmssec/endpoint/model_host.hpp"
#include "mmssec/mms/server.hpp"
#include "mmssec/net/connection.hpp"
#include "mmssec/net/server.hpp"
#include "mmssec/stack/association.hpp"

namespace mmssec::endpoint {

// ---------------------------------------------------------------------------------------------
// Events (log records)
// ---------------------------------------------------------------------------------------------

/// What happened. The names (event_kind_name()) are stable: log consumers match on them.
enum class ServerEventKind : std::uint8_t {
  connection_opened,     ///< a TCP connection was accepted
  connection_refused,    ///< closed at once: the connection limit was reached
  associated,            ///< the association was accepted (AARE accepted sent)
  association_rejected,  ///< the AARQ or its Initiate was refused (AARE rejected sent)
  request,               ///< a confirmed request was answered (ServerSettings::log_requests)
  report_sent,           ///< an InformationReport was sent (ServerSettings::log_requests)
  released,              ///< orderly release (RLRQ answered)
  aborted,               ///< the association was aborted (by the peer, or on a protocol error)
  protocol_error,        ///< an MMS PDU was rejected; the association goes on
  timeout,               ///< association, first-byte or idle timeout: the association is aborted
  connection_closed,     ///< the TCP connection is gone (always the last event of a connection)
};
/// "connection_opened", "associated", ...
[[nodiscard]] std::string_view event_kind_name(ServerEventKind kind) noexcept;

enum class EventSeverity : std::uint8_t { info, warning, error };
/// "info", "warning", "error"
[[nodiscard]] std::string_view severity_name(EventSeverity s) noexcept;

/// One log record. Fields not relevant to the kind stay empty/zero and are not printed.
struct ServerEvent {
  ServerEventKind kind = ServerEventKind::connection_opened;
  EventSeverity severity = EventSeverity::info;
  std::chrono::system_clock::time_point time{};
  std::uint64_t connection = 0;  ///< per-server connection id (from 1); 0 for connection_refused
  net::PeerInfo peer;

  // associated
  std::string calling_ap_title;      ///< "1.1.1.999" (form 2), or the printable form
  std::string calling_ae_qualifier;  ///< "12"
  std::int32_t max_pdu_size = 0;     ///< negotiated
  std::int16_t max_outstanding = 0;  ///< negotiated max-serv-outstanding-calling

  // request, report_sent
  std::string service;  ///< "read", "write", ...; report_sent: "informationReport"
  std::uint32_t invoke_id = 0;
  std::string object;       ///< first object named ("LD0/MMXU1$MX$TotW"); report: the data set
  std::size_t objects = 0;  ///< number of objects named
  std::string result;       ///< request: "ok" or why it failed

  // failures and endings
  std::string reason;          ///< readable: why refused, rejected, aborted, timed out; the MMS error
  std::string layer;           ///< aborted / protocol_error: the failing layer ("cotp", "mms") if known
  std::uint64_t requests = 0;  ///< connection_closed: MMS PDUs handled on it
  std::chrono::milliseconds duration{0};  ///< connection_closed: time since it was opened
};

/// One readable line, no newline:
/// `2026-11-23T15:01:02.123Z info conn=3 127.0.0.1:51234 associated calling-ap=1.1.1.999 ae=12
/// max-pdu=65000 outstanding=16`. Values with spaces, quotes or control characters are quoted
/// with C-style escapes, so a line is always one line.
[[nodiscard]] std::string format_text(const ServerEvent& e);
/// One JSON object, no newline: {"time":"...","severity":"info","event":"associated","conn":3,
/// "peer":"127.0.0.1:51234","calling_ap_title":"1.1.1.999",...}. Strings are escaped (invalid
/// UTF-8 replaced by U+FFFD).
[[nodiscard]] std::string format_json(const ServerEvent& e);

/// Receives every event. Called from the loop threads (several at once): must be thread-safe
/// and quick (it runs on the connection's thread). Never called with the model lock held, so it
/// may read the model (ModelHost::read()).
using EventSink = std::function<void(const ServerEvent&)>;

// ---------------------------------------------------------------------------------------------
// Settings
// ---------------------------------------------------------------------------------------------

struct ServerSettings {
  /// Listening address, threads, connection limit, first-byte/idle timeouts, slow-reader limit.
  /// max_connections is enforced by the MMS server itself so that each refusal is an event
  /// (net::Server gets a slightly higher limit as a backstop).
  net::ServerConfig network{};
  /// OSI addressing and the decoder limits of the association (Limits).
  stack::Config association{};
  /// MMS negotiation (max PDU size, outstanding requests), report controls, report queue.
  /// on_report_queued and record_requests are set per connection by the server.
  mms::ServerOptions session{};
  /// What Identify answers.
  mms::ServerIdentity identity{};
  /// From the accepted TCP connection until the association is established (AARE accepted).
  /// 0 = none.
  std::chrono::milliseconds association_timeout{10'000};
  /// Event sink; none = no events are built at all.
  EventSink on_event;
  /// Emit `request` and `report_sent` events (one per PDU; off for benchmarks). Needs on_event.
  bool log_requests = true;
  /// Time source for timestamps and the association timeout; null = the system clock.
  std::shared_ptr<const Clock> clock;
  /// Wraps every accepted connection's handler (the TLS T-profile: tls::Context::decorator()).
  /// Empty = plain RFC 1006.
  net::HandlerDecorator wrap_connection;
};

// ---------------------------------------------------------------------------------------------
// One connection
// ---------------------------------------------------------------------------------------------

/// One TCP connection = one stack::Association + one mms::ServerSession (created when the AARQ
/// arrives). All handler calls happen on the connection's thread; only the report notification
/// comes from other threads, through the Link.
class ServerConnection final : public net::ConnectionHandler {
 public:
  /// A connection outside an MmsServer (tests, other transports): its own counters, id `id`.
  ServerConnection(std::shared_ptr<const ServerSettings> settings, std::shared_ptr<ModelHost> model,
                   std::uint64_t id = 1);
  ~ServerConnection() override;
  ServerConnection(const ServerConnection&) = delete;
  ServerConnection& operator=(const ServerConnection&) = delete;
  ServerConnection(ServerConnection&&) = delete;
  ServerConnection& operator=(ServerConnection&&) = delete;

  /// Remembers the link and the peer, arms the association timeout (Link::post_after).
  net::Reply on_open(const net::Link& link, const net::PeerInfo& peer) override;
  /// Bytes from the client: the association's reaction, MMS responses and queued reports.
  net::Reply on_data(ByteView data) override;
  /// First-byte or idle timeout (net): abort the association.
  net::Reply on_timeout() override;
  /// The connection is gone: abort what is left, drop the session.
  void on_closed() override;

  /// Abort the association if it is not established within the association timeout (what the
  /// timer armed by on_open() runs; on_data() checks it too).
  net::Reply check_association_timeout();
  /// Send the InformationReports queued for this association (what a report notification posts).
  net::Reply flush_reports();

  [[nodiscard]] std::uint64_t id() const noexcept;
  [[nodiscard]] stack::State state() const noexcept;

  struct Shared;  ///< server-wide state (settings, model, counters), defined in src/endpoint
  ServerConnection(std::shared_ptr<Shared> shared, std::uint64_t id);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// ---------------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------------

struct MmsServerStats {
  net::ServerStats network;               ///< TCP level (accepted, active, rejected, bytes, ...)
  std::uint64_t connections_refused = 0;  ///< by the connection limit (also in network.rejected)
  std::uint64_t associations = 0;         ///< accepted associations
  std::uint64_t associations_active = 0;  ///< established and not yet ended
  std::uint64_t associations_rejected = 0;
  std::uint64_t released = 0;
  std::uint64_t aborted = 0;          ///< by the peer or on a protocol error (not timeouts)
  std::uint64_t timeouts = 0;         ///< association, first-byte and idle timeouts
  std::uint64_t requests = 0;         ///< MMS PDUs handled after the Initiate (requests, Conclude)
  std::uint64_t protocol_errors = 0;  ///< MMS PDUs rejected
  std::uint64_t reports_sent = 0;
};

class MmsServer {
 public:
  MmsServer(ServerSettings settings, std::shared_ptr<ModelHost> model);
  /// Calls stop().
  ~MmsServer();
  MmsServer(const MmsServer&) = delete;
  MmsServer& operator=(const MmsServer&) = delete;

  /// Bind, listen, start the loop threads (errors of net::Server::start()).
  [[nodiscard]] Status start();
  /// Graceful stop: refuse new connections, abort every association (ABRT, `aborted` event
  /// "server stopping") and wait up to network.close_linger for the connections to close; then
  /// close whatever is left (each gets on_closed(): sessions are dropped) and join the threads.
  /// Idempotent; not from a loop thread.
  void stop();
  /// The bound port (the ephemeral one when the configured port was 0); 0 before start().
  [[nodiscard]] std::uint16_t port() const noexcept;
  [[nodiscard]] MmsServerStats stats() const noexcept;
  [[nodiscard]] const std::shared_ptr<ModelHost>& model() const noexcept { return model_; }

 private:
  std::shared_ptr<ModelHost> model_;
  std::shared_ptr<ServerConnection::Shared> shared_;
  std::unique_ptr<net::Server> server_;
};

}  // namespace mmssec::endpoint
