// SPDX-License-Identifier: Apache-2.0
// Security events (PROFILE.md §7, IEC 62351-14 style): every security-relevant outcome is an
// Event with a stable Id, a catalogue row (mnemonic, IEC62351-4:g.n code, severity, summary) and
// per-occurrence details; Sinks deliver them (stderr text/JSON, RFC 5424 syslog, memory).
// docs/SECURITY.md lists the catalogue and when each event is raised.
//
//   auto sink = std::make_shared<events::StreamSink>(stderr, events::Format::json);
//   auto e = events::make_event(events::Id::tls_cert_revoked, "certificate revoked", "127.0.0.1:40022", 3);
//   e.fields.emplace_back("subject", "CN=client");
//   sink->emit(e);
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mmssec/core/result.hpp"
#include "mmssec/events/error.hpp"

namespace mmssec::events {

/// Ordered: info < warning < alarm (FanoutSink filters on it).
enum class Severity : std::uint8_t { info, warning, alarm };
/// "info", "warning", "alarm"
[[nodiscard]] std::string_view severity_name(Severity) noexcept;

/// Stable identifiers. NEVER renumber or reorder; append only. Each has one row in the catalogue.
enum class Id : std::uint16_t {
  tls_established = 1,     ///< info: TLS session established (version, suite, peer subject)
  tls_resumed,             ///< info: abbreviated handshake (session resumed)
  tls_renegotiated,        ///< info: TLS 1.2 renegotiation completed
  tls_key_updated,         ///< info: TLS 1.3 KeyUpdate sent/received
  tls_weak_version,        ///< warning: TLS_WEAK_VERSION, a session at TLS 1.0/1.1 (enabled by configuration)
  tls_version_change,      ///< alarm: TLS_VERSION_CHANGE on resumption or renegotiation
  tls_no_reneg,            ///< alarm: TLS_NO_RENEG, peer did not complete a renegotiation in time
  tls_no_crl,              ///< warning: TLS_NO_CRL, no CRL configured / CRL unreadable / stale
  tls_cert_unavailable,    ///< alarm: peer sent no certificate
  tls_cert_expired,        ///< alarm
  tls_cert_not_yet_valid,  ///< alarm
  tls_cert_revoked,        ///< alarm
  tls_cert_untrusted,      ///< alarm: chain does not lead to a trust anchor / bad signature
  tls_cert_too_large,      ///< alarm: > configured max (8192 octets)
  tls_cert_weak_key,       ///< alarm: RSA < 2048 or curve not allowed
  tls_cert_bad_usage,      ///< alarm: key usage / extended key usage does not allow the role
  tls_cert_not_allowed,    ///< alarm: not on the configured peer allow-list
  tls_no_cipher,           ///< alarm: no matching cipher suite
  tls_handshake_failed,    ///< alarm: any other handshake failure (alert received, protocol error)
  tls_protocol_error,      ///< alarm: record-layer failure on an established session (bad MAC, unexpected
                           ///< message)
  tls_peer_revoked,        ///< alarm: a live session was cut because a CRL reload revoked the peer
  tls_crl_reloaded,        ///< info
  tls_null_cipher,         ///< warning: a session with TLS_RSA_WITH_NULL_SHA256 (no encryption)
  tls_keylog_enabled,      ///< warning: the SSLKEYLOGFILE-style key log is on
  tls_plaintext,           ///< warning: the endpoint runs without TLS (explicit configuration)
};

/// One catalogue row (src/events/catalogue.cpp is the single table).
struct Descriptor {
  Id id;
  std::string_view mnemonic;  ///< "TLS_WEAK_VERSION" (PROFILE.md §7 names where they exist, ours otherwise)
  std::string_view code;      ///< "IEC62351-4:15.5": group 15 = OSI environment, n = the Id's value
  Severity severity;          ///< default severity of the event
  std::string_view summary;   ///< one line, e.g. "peer certificate revoked"
};
/// Every Id has a row; an out-of-range value yields a row with mnemonic "UNKNOWN".
[[nodiscard]] const Descriptor& describe(Id id) noexcept;
/// All rows, ordered by Id.
[[nodiscard]] std::span<const Descriptor> catalogue() noexcept;

/// One security event. severity defaults to the catalogue's.
struct Event {
  Id id = Id::tls_established;
  Severity severity = Severity::info;
  std::chrono::system_clock::time_point time{};
  std::string peer;              ///< "127.0.0.1:40022" or empty
  std::uint64_t connection = 0;  ///< id of the connection within its server/client, 0 = none
  std::string
      detail;  ///< human-readable specifics ("certificate has expired (notAfter ...), subject CN=client")
  /// Machine-readable extras, in order: {"version","TLSv1.2"}, {"suite","ECDHE-RSA-AES128-GCM-SHA256"},
  /// {"subject","CN=..."}. Keys should be unique, short [A-Za-z0-9_.-] names.
  std::vector<std::pair<std::string, std::string>> fields;
};
/// Event with severity from the catalogue and time = now (system clock); set e.time to override.
[[nodiscard]] Event make_event(Id id, std::string detail = {}, std::string peer = {},
                               std::uint64_t connection = 0);

// ---------------------------------------------------------------------------------------------
// Formatting: pure functions, deterministic given the event. Untrusted text (certificate
// subjects, alert strings) can never break a line or the enclosing syntax.
// ---------------------------------------------------------------------------------------------

/// One line, no newline:
/// `2026-11-23T18:04:05.123Z ALARM TLS_CERT_REVOKED [IEC62351-4:15.12] peer=127.0.0.1:40022 conn=3:
/// <detail> (subject=CN=x, serial=01)`. peer/conn are left out when empty/0, the field list when
/// there are no fields; an empty detail prints the catalogue summary. Control characters,
/// backslashes and invalid UTF-8 octets are written as \n, \t, \\, \xNN.
[[nodiscard]] std::string format_text(const Event&);
/// One JSON object, no newline: {"time":"...","severity":"alarm","id":"IEC62351-4:15.12",
/// "mnemonic":"TLS_CERT_REVOKED","summary":"...","peer":"...","connection":3,"detail":"...",
/// "fields":{"subject":"CN=x"}}. Control characters as \u00XX, invalid UTF-8 replaced by U+FFFD.
[[nodiscard]] std::string format_json(const Event&);

struct SyslogOptions {
  std::string hostname;  ///< "-" when empty
  std::string app_name = "mmssec";
  std::string procid;                  ///< "-" when empty
  int facility = 10;                   ///< authpriv; values outside 0..23 are clamped
  std::string sd_id = "mmssec@32473";  ///< 32473: the enterprise number reserved for documentation (RFC 5612)
};
/// RFC 5424: `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD-ID id="..." severity="..." peer="..."
/// connection="..." k="v" ...] MSG`, MSGID = mnemonic, PRI = facility*8 + (alarm 2 crit, warning 4,
/// info 6). peer/connection are left out when empty/0. PARAM-VALUEs escape '"', '\' and ']'
/// (§6.3.3); SD-NAMEs keep only the allowed characters (others become '_', at most 32). MSG = detail
/// (the summary when empty); it carries the UTF-8 BOM only when it holds non-ASCII characters
/// (pure ASCII is valid MSG-ANY and stays readable by receivers that do not strip the BOM).
/// Control characters and invalid UTF-8 in values and MSG become U+FFFD; header fields keep only
/// printable US-ASCII.
[[nodiscard]] std::string format_syslog(const Event&, const SyslogOptions&);

// ---------------------------------------------------------------------------------------------
// Sinks
// ---------------------------------------------------------------------------------------------

/// Where events go. emit() must be thread-safe and must never block for long or throw.
class Sink {
 public:
  virtual ~Sink() = default;
  virtual void emit(const Event& e) = 0;
};

enum class Format : std::uint8_t { text, json };
/// Parses "text" / "json" (for CLI flags).
[[nodiscard]] std::optional<Format> parse_format(std::string_view) noexcept;
/// format_text() or format_json().
[[nodiscard]] std::string format(const Event& e, Format f);

/// Writes one line per event to a stdio stream (flushed after each line, serialised by a mutex).
/// The stream is not owned.
class StreamSink final : public Sink {
 public:
  explicit StreamSink(std::FILE* out = stderr, Format f = Format::text);
  void emit(const Event& e) override;

 private:
  std::FILE* out_;
  Format format_;
  std::mutex mu_;
};

/// Sends each event as one RFC 5424 datagram. Destination: a UNIX datagram socket path (default
/// "/dev/log") or UDP host:port (numeric IPv4/IPv6 literal). Non-blocking; a failed send is
/// counted (dropped()), never thrown. The UNIX path is resolved at each send, so a syslog daemon
/// that starts (or restarts) later is reached.
class SyslogSink final : public Sink {
 public:
  struct Target {
    std::string unix_path;  ///< used when udp_host is empty; "/dev/log" when both are empty
    std::string udp_host;   ///< "127.0.0.1", "::1" or "[::1]"
    std::uint16_t udp_port = 0;
  };
  /// "/dev/log" (starts with '/': a UNIX path), "127.0.0.1:514", "[::1]:514" (for CLI flags).
  [[nodiscard]] static Result<Target> parse_target(std::string_view s);
  /// Errc::invalid_target for a bad address, Errc::socket_failed when socket() fails.
  [[nodiscard]] static Result<std::unique_ptr<SyslogSink>> open(const Target&, SyslogOptions = {});

  ~SyslogSink() override;
  SyslogSink(const SyslogSink&) = delete;
  SyslogSink& operator=(const SyslogSink&) = delete;
  SyslogSink(SyslogSink&&) = delete;
  SyslogSink& operator=(SyslogSink&&) = delete;

  void emit(const Event& e) override;
  /// Datagrams handed to the kernel.
  [[nodiscard]] std::uint64_t sent() const noexcept { return sent_.load(std::memory_order_relaxed); }
  /// Events that could not be sent (no receiver, buffer full, too large).
  [[nodiscard]] std::uint64_t dropped() const noexcept { return dropped_.load(std::memory_order_relaxed); }

 private:
  struct Address;
  SyslogSink(int fd, std::unique_ptr<Address> addr, SyslogOptions opts);

  int fd_;
  std::unique_ptr<Address> addr_;
  SyslogOptions opts_;
  std::atomic<std::uint64_t> sent_{0};
  std::atomic<std::uint64_t> dropped_{0};
};

/// Forwards to several sinks (null entries are skipped); only events at or above `min`.
class FanoutSink final : public Sink {
 public:
  explicit FanoutSink(std::vector<std::shared_ptr<Sink>> sinks, Severity min = Severity::info);
  void emit(const Event& e) override;

 private:
  std::vector<std::shared_ptr<Sink>> sinks_;
  Severity min_;
};

/// Keeps events in memory (tests, the demo): thread-safe.
class MemorySink final : public Sink {
 public:
  void emit(const Event& e) override;
  [[nodiscard]] std::vector<Event> events() const;
  [[nodiscard]] std::size_t count(Id) const;
  /// Blocks until an event with this id has been emitted since construction or the last clear()
  /// (true) or `timeout` passed (false).
  bool wait_for(Id id, std::chrono::milliseconds timeout) const;
  void clear();

 private:
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::vector<Event> events_;
};

}  // namespace mmssec::events
