// SPDX-License-Identifier: Apache-2.0
// The T-profile of IEC 62351-4 (TLS as profiled by IEC 62351-3, PROFILE.md §2): a
// net::ConnectionHandler decorator that runs TLS (OpenSSL 3, in memory, no sockets) around an
// inner plaintext handler (the MMS endpoint). Neither the protocol cores nor net know about it.
//
//   tls::Config cfg;
//   cfg.certificate_file = "server.pem"; cfg.private_key_file = "server.key";
//   cfg.trust_anchor_files = {"ca.pem"}; cfg.crl_files = {"ca.crl"};
//   cfg.events = std::make_shared<events::StreamSink>();
//   std::string why;
//   auto ctx = tls::Context::create(tls::Role::server, cfg, &why);   // checks everything once
//   if (!ctx) { /* ctx.error() + why */ }
//   net::Server server(scfg, [&](const net::PeerInfo& p) { return (*ctx)->wrap(make_mms_handler(p)); });
//
// Mutual authentication is always on; peers are identified by certificate chain and optional
// allow-list, never by host name (IEC 61850 peers are addressed by IP). Every outcome is a
// security event (events::Id::tls_*) on Config::events. docs/tls.md describes the behaviour.
//
// No OpenSSL type appears here; only src/tls/ includes OpenSSL.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "mmssec/core/result.hpp"
#include "mmssec/events/event.hpp"
#include "mmssec/net/connection.hpp"

namespace mmssec::tls {

enum class Version : std::uint8_t { tls1_0, tls1_1, tls1_2, tls1_3 };
/// "TLSv1.2"
[[nodiscard]] std::string_view version_name(Version v) noexcept;
/// "1.2", "TLSv1.2", "tls1.2" (case-insensitive); nullopt for anything else (SSL never).
[[nodiscard]] std::optional<Version> parse_version(std::string_view s) noexcept;

enum class Role : std::uint8_t { server, client };

/// Configuration errors of Context::create() / reload_crls() (category "tls").
enum class Errc {
  config_invalid = 1,  ///< intervals, versions, sizes out of range
  certificate_file,    ///< own certificate (chain) file unreadable, not PEM, too large or weak key
  key_file,            ///< private key file unreadable or not PEM
  key_mismatch,        ///< private key does not belong to the certificate
  trust_anchor,        ///< no trust anchor, or a trust anchor file unreadable / without certificate
  crl_file,            ///< a CRL file unreadable or not PEM
  allow_list,          ///< an allowed-peer file unreadable / without certificate
  cipher_suite,        ///< unknown, static-DH, TLS 1.3 in the wrong list, or NULL without the switch
  keylog_file,         ///< the key log file cannot be opened
  openssl,             ///< OpenSSL failed internally (out of memory, provider missing)
};

}  // namespace mmssec::tls

template <>
struct std::is_error_code_enum<mmssec::tls::Errc> : std::true_type {};

namespace mmssec::tls {

const std::error_category& tls_category() noexcept;
inline std::error_code make_error_code(Errc e) noexcept { return {static_cast<int>(e), tls_category()}; }

struct Config {
  /// Own credentials (PEM files). certificate_file may hold the chain after the leaf.
  std::string certificate_file;
  std::string private_key_file;
  /// One or more CA certificates (PEM, several per file allowed); at least one is required.
  std::vector<std::string> trust_anchor_files;
  /// PEM CRLs; empty = no revocation checking (a tls_no_crl warning at create).
  std::vector<std::string> crl_files;
  /// Optional allow-list: the peer's leaf must equal one of these certificates (it still has to
  /// pass every chain, validity, revocation and usage check).
  std::vector<std::string> allowed_peer_files;
  /// SSL never; TLS 1.0/1.1 only when configured here (a tls_weak_version warning per session).
  Version min_version = Version::tls1_2;
  Version max_version = Version::tls1_3;
  /// TLS <= 1.2 suites in preference order: IANA names ("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")
  /// or "0xC02F". Empty = default_cipher_suites(role).
  std::vector<std::string> cipher_suites;
  /// TLS 1.3 suites (IANA names or "0x1301"). Empty = TLS_AES_128_GCM_SHA256,
  /// TLS_AES_256_GCM_SHA384, TLS_AES_128_CCM_SHA256.
  std::vector<std::string> tls13_cipher_suites;
  /// Permits TLS_RSA_WITH_NULL_SHA256 (0x003B, integrity only) in cipher_suites.
  bool allow_null_cipher = false;
  /// Largest certificate (DER octets), own and peer (each certificate of the chain).
  std::size_t max_certificate_size = 8192;
  /// TLS 1.2 full renegotiation / TLS 1.3 peer re-check + KeyUpdate period.
  std::chrono::seconds renegotiation_interval{3600};
  /// Session cache / ticket lifetime and the TLS 1.2 abbreviated renegotiation / TLS 1.3
  /// KeyUpdate period. 0 < resumption_interval < renegotiation_interval <= 24 h.
  std::chrono::seconds resumption_interval{600};
  /// A renegotiation (or requested KeyUpdate) we started must complete within this.
  std::chrono::milliseconds renegotiation_timeout{10'000};
  /// The first handshake must complete within this.
  std::chrono::milliseconds handshake_timeout{10'000};
  /// SSLKEYLOGFILE-format key log (appended, created 0600); empty = off. When on: a
  /// tls_keylog_enabled warning at create and a "keylog" field in every session's event.
  std::string keylog_file;
  /// Where the security events go; may be null (no events).
  std::shared_ptr<events::Sink> events;
};

/// Defaults [DECISION, local policy order]: server = 0xC02B, 0xC02F, 0x009E, 0x003C; client = the
/// same, then the compatibility suites TLS_RSA_WITH_AES_256_CBC_SHA256, TLS_RSA_WITH_AES_128_CBC_SHA,
/// TLS_RSA_WITH_AES_256_CBC_SHA (so our client reaches a server that offers only
/// TLS_RSA_WITH_AES_{128,256}_CBC_SHA{,256}, as libiec61850 does). IANA names.
/// The static-DH suites of IEC 62351-4 (0x00A0, 0x0036) do not exist in OpenSSL 3: configuring
/// them is a cipher_suite error that says so.
[[nodiscard]] std::vector<std::string> default_cipher_suites(Role role);

/// Counters of one Context (each field read atomically).
struct Stats {
  std::uint64_t handshakes = 0;          ///< sessions established (full or resumed)
  std::uint64_t handshake_failures = 0;  ///< first handshakes that failed (incl. timeouts, peer gone)
  std::uint64_t resumed = 0;             ///< sessions established by resumption
  std::uint64_t renegotiations = 0;      ///< TLS 1.2 renegotiations completed (either side started)
  std::uint64_t key_updates = 0;         ///< TLS 1.3 KeyUpdates we sent
  std::uint64_t peers_cut = 0;  ///< live sessions closed by a security check (revoked, no reneg, ...)
  std::uint64_t live = 0;       ///< TLS connections currently open
};

class Context : public std::enable_shared_from_this<Context> {
 public:
  struct Impl;

  /// Loads and checks everything (intervals, versions, files readable, key matches certificate,
  /// own certificate size and key strength, suites). `detail` receives a one-line reason on
  /// failure (file name + OpenSSL's reason).
  [[nodiscard]] static Result<std::shared_ptr<Context>> create(Role role, Config config,
                                                               std::string* detail = nullptr);
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  /// Wraps `inner` in a TLS handler (for net::Server factories and Loop::connect).
  /// `peer_key` (client): sessions are cached per key ("host:port") and offered on the next
  /// connection with the same key. The inner handler must use the Link it receives in on_open()
  /// (posts through it are encrypted), not the one Loop::connect returns (that one is raw TCP).
  [[nodiscard]] std::unique_ptr<net::ConnectionHandler> wrap(std::unique_ptr<net::ConnectionHandler> inner,
                                                             std::string peer_key = {});
  /// wrap() as a net::HandlerDecorator (keeps this Context alive).
  [[nodiscard]] net::HandlerDecorator decorator(std::string peer_key = {});

  /// Re-reads Config::crl_files. Every live session then re-checks its peer on its own thread:
  /// TLS 1.2 renegotiates (full), TLS 1.3 re-verifies the peer chain against the new store; a peer
  /// now revoked is cut (alarm tls_peer_revoked). A CRL that cannot be read keeps the old ones,
  /// raises tls_no_crl and returns Errc::crl_file (sessions are never torn down for it).
  [[nodiscard]] Status reload_crls(std::string* detail = nullptr);

  [[nodiscard]] Stats stats() const noexcept;
  [[nodiscard]] Role role() const noexcept;
  [[nodiscard]] const Config& config() const noexcept;

  /// For the handler (src/tls).
  [[nodiscard]] Impl& impl() noexcept { return *impl_; }

 private:
  explicit Context(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mmssec::tls
