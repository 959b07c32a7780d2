// SPDX-License-Identifier: Apache-2.0
// The TLS (IEC 62351-4 T-profile) and security-event options shared by `mmssec server`, `client`,
// `bench` and `demo`: credentials from a lab PKI directory or from files, versions, cipher
// suites, renegotiation/resumption intervals, the key log, and where security events go.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "mmssec/events/event.hpp"
#include "mmssec/tls/tls.hpp"

namespace CLI {
class App;
}

namespace mmssec::tool {

struct TlsArgs {
  std::string pki_dir;  ///< a directory made by `mmssec pki init`
  std::string cert, key;
  std::vector<std::string> ca, crl, allow;
  std::string min_version = "1.2", max_version = "1.3";
  std::vector<std::string> suites, tls13_suites;
  bool allow_null_cipher = false;
  double renegotiation_s = 3600, resumption_s = 600, renegotiation_timeout_s = 10;
  std::string keylog;
  std::string security_log;  ///< text | json | off; empty = the command's default
  std::string syslog;        ///< /dev/log-style path or HOST:PORT; empty = none
};

/// Adds --pki, --cert, --key, --ca, --crl, --allow-peer, --tls-min, --tls-max, --cipher-suites,
/// --tls13-suites, --allow-null-cipher, --renegotiation-interval, --resumption-interval,
/// --renegotiation-timeout, --keylog, --security-log and --syslog to `cmd` (in an option group).
void add_tls_options(CLI::App& cmd, TlsArgs& args);

/// Whether any credential option was given.
[[nodiscard]] bool has_tls_credentials(const TlsArgs& args);

/// Where security events go: stderr (text or JSON, from `default_format` unless --security-log
/// says otherwise; events below `min_severity` are dropped) plus syslog when asked for.
/// nullptr with `error` set when --security-log or --syslog is invalid.
std::shared_ptr<events::Sink> make_event_sink(const TlsArgs& args, events::Format default_format,
                                              events::Severity min_severity, std::string& error);

/// Builds the TLS context for `role` from the options (the PKI directory's server.crt/server.key
/// or client.crt/client.key, ca.crt and crl.pem unless given explicitly). nullptr with `error`
/// set (a complete sentence naming the option or file) on failure.
std::shared_ptr<tls::Context> make_tls_context(const TlsArgs& args, tls::Role role,
                                               std::shared_ptr<events::Sink> sink, std::string& error);

}  // namespace mmssec::tool
