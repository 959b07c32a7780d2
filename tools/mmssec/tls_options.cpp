// SPDX-License-Identifier: Apache-2.0
#include "tls_options.hpp"

#include <CLI/CLI.hpp>
#include <charconv>
#include <cmath>
#include <filesystem>

#include "tool_util.hpp"

namespace mmssec::tool {

void add_tls_options(CLI::App& cmd, TlsArgs& a) {
  const char* g = "TLS (IEC 62351-4 T-profile)";
  cmd.add_option("--pki", a.pki_dir,
                 "Lab PKI directory made by 'mmssec pki init' (ca.crt, crl.pem and this side's .crt/.key)")
      ->group(g);
  cmd.add_option("--cert", a.cert, "Own certificate (PEM; the chain may follow the leaf)")->group(g);
  cmd.add_option("--key", a.key, "Own private key (PEM)")->group(g);
  cmd.add_option("--ca", a.ca, "Trust anchor certificate file (PEM); repeatable")->group(g);
  cmd.add_option("--crl", a.crl, "CRL file (PEM); repeatable; the server reloads them on SIGHUP")->group(g);
  cmd.add_option("--allow-peer", a.allow, "Accept only peers with this certificate (PEM); repeatable")
      ->group(g);
  cmd.add_option("--tls-min", a.min_version, "Lowest TLS version: 1.0, 1.1, 1.2 or 1.3 (below 1.2 warns)")
      ->capture_default_str()
      ->group(g);
  cmd.add_option("--tls-max", a.max_version, "Highest TLS version")->capture_default_str()->group(g);
  cmd.add_option("--cipher-suites", a.suites,
                 "TLS 1.2 suites in preference order, IANA names or 0xNNNN, comma separated "
                 "(default: the IEC 62351-4 native set)")
      ->delimiter(',')
      ->group(g);
  cmd.add_option("--tls13-suites", a.tls13_suites, "TLS 1.3 suites, comma separated")
      ->delimiter(',')
      ->group(g);
  cmd.add_flag("--allow-null-cipher", a.allow_null_cipher,
               "Permit TLS_RSA_WITH_NULL_SHA256 (no encryption) in --cipher-suites")
      ->group(g);
  cmd.add_option("--renegotiation-interval", a.renegotiation_s,
                 "Seconds between full renegotiations (TLS 1.2) / key updates with peer re-check (TLS 1.3)")
      ->capture_default_str()
      ->group(g);
  cmd.add_option("--resumption-interval", a.resumption_s,
                 "Seconds a session may be resumed; also the abbreviated renegotiation / key update period")
      ->capture_default_str()
      ->group(g);
  cmd.add_option("--renegotiation-timeout", a.renegotiation_timeout_s,
                 "Seconds the peer has to complete a renegotiation before it is disconnected")
      ->capture_default_str()
      ->group(g);
  cmd.add_option("--keylog", a.keylog,
                 "DEBUGGING ONLY: append TLS secrets to FILE (SSLKEYLOGFILE format, for Wireshark)")
      ->group(g);
  cmd.add_option("--security-log", a.security_log, "Security events on stderr: text, json or off")->group(g);
  cmd.add_option("--syslog", a.syslog,
                 "Also send security events to syslog (RFC 5424): a UNIX socket path (/dev/log) or UDP "
                 "HOST:PORT")
      ->group(g);
}

bool has_tls_credentials(const TlsArgs& a) {
  return !a.pki_dir.empty() || !a.cert.empty() || !a.key.empty() || !a.ca.empty();
}

std::shared_ptr<events::Sink> make_event_sink(const TlsArgs& a, events::Format default_format,
                                              events::Severity min_severity, std::string& error) {
  std::vector<std::shared_ptr<events::Sink>> sinks;
  if (a.security_log != "off") {
    events::Format format = default_format;
    if (!a.security_log.empty()) {
      const auto f = events::parse_format(a.security_log);
      if (!f) {
        error = "--security-log must be text, json or off, got '" + a.security_log + "'";
        return nullptr;
      }
      format = *f;
    }
    sinks.push_back(std::make_shared<events::StreamSink>(stderr, format));
  }
  if (!a.syslog.empty()) {
    auto target = events::SyslogSink::parse_target(a.syslog);
    if (!target) {
      error = "--syslog must be a UNIX socket path (/dev/log) or HOST:PORT, got '" + a.syslog + "'";
      return nullptr;
    }
    auto sink = events::SyslogSink::open(*target);
    if (!sink) {
      error = "--syslog " + a.syslog + ": " + sink.error().describe();
      return nullptr;
    }
    sinks.push_back(std::shared_ptr<events::Sink>(std::move(*sink)));
  }
  return std::make_shared<events::FanoutSink>(std::move(sinks), min_severity);
}

namespace {
std::chrono::seconds whole_seconds(double s) {
  return std::chrono::seconds(static_cast<std::int64_t>(std::llround(s)));
}
}  // namespace

std::shared_ptr<tls::Context> make_tls_context(const TlsArgs& a, tls::Role role,
                                               std::shared_ptr<events::Sink> sink, std::string& error) {
  tls::Config c;
  const bool server = role == tls::Role::server;
  if (!a.pki_dir.empty()) {
    const std::filesystem::path dir(a.pki_dir);
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) {
      error =
          "--pki " + a.pki_dir + " is not a directory (make one with 'mmssec pki init " + a.pki_dir + "')";
      return nullptr;
    }
    const char* stem = server ? "server" : "client";
    c.certificate_file = (dir / (std::string(stem) + ".crt")).string();
    c.private_key_file = (dir / (std::string(stem) + ".key")).string();
    c.trust_anchor_files.push_back((dir / "ca.crt").string());
    if (std::filesystem::exists(dir / "crl.pem", ec)) c.crl_files.push_back((dir / "crl.pem").string());
  }
  if (!a.cert.empty()) c.certificate_file = a.cert;
  if (!a.key.empty()) c.private_key_file = a.key;
  if (!a.ca.empty()) c.trust_anchor_files = a.ca;
  if (!a.crl.empty()) c.crl_files = a.crl;
  c.allowed_peer_files = a.allow;
  if (c.certificate_file.empty() || c.private_key_file.empty() || c.trust_anchor_files.empty()) {
    error = std::string(
        "TLS needs this side's certificate and key and at least one trust anchor: give --pki DIR "
        "(make one with 'mmssec pki init DIR') or --cert, --key and --ca");
    return nullptr;
  }
  const auto min = tls::parse_version(a.min_version);
  const auto max = tls::parse_version(a.max_version);
  if (!min || !max) {
    error = "--tls-min/--tls-max must be 1.0, 1.1, 1.2 or 1.3, got '" +
            (min ? a.max_version : a.min_version) + "'";
    return nullptr;
  }
  c.min_version = *min;
  c.max_version = *max;
  c.cipher_suites = a.suites;
  c.tls13_cipher_suites = a.tls13_suites;
  c.allow_null_cipher = a.allow_null_cipher;
  if (a.renegotiation_s < 1 || a.resumption_s < 1 || a.renegotiation_timeout_s <= 0) {
    error =
        "--renegotiation-interval and --resumption-interval must be at least 1 s, --renegotiation-timeout > "
        "0";
    return nullptr;
  }
  c.renegotiation_interval = whole_seconds(a.renegotiation_s);
  c.resumption_interval = whole_seconds(a.resumption_s);
  c.renegotiation_timeout =
      std::chrono::milliseconds(static_cast<std::int64_t>(a.renegotiation_timeout_s * 1000));
  c.keylog_file = a.keylog;
  c.events = std::move(sink);
  std::string detail;
  auto ctx = tls::Context::create(role, std::move(c), &detail);
  if (!ctx) {
    error = "TLS configuration: " + (detail.empty() ? ctx.error().describe() : detail);
    return nullptr;
  }
  return *ctx;
}

}  // namespace mmssec::tool
