// SPDX-License-Identifier: Apache-2.0
// `mmssec server`: an MMS server with the embedded default IED model (or a model file) over TLS
// (the IEC 62351-4 T-profile, port 3782) or, only when asked for with --plain, plain RFC 1006
// (port 102). Logs associations and requests on stderr, security events too. Runs until
// SIGINT/SIGTERM (or --duration), then shuts down gracefully; SIGHUP reloads the CRLs.
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>

#include "commands.hpp"
#include "mmssec/endpoint/model_host.hpp"
#include "mmssec/endpoint/server.hpp"
#include "mmssec/mms/default_model.hpp"
#include "mmssec/mms/model_file.hpp"
#include "mmssec/net/loop.hpp"
#include "tls_options.hpp"
#include "tool_util.hpp"

namespace mmssec::tool {
namespace {

struct ServerArgs {
  std::string listen;  ///< default 127.0.0.1:3782 (TLS) or 127.0.0.1:102 (--plain)
  bool plain = false;
  TlsArgs tls;
  std::string model_file;
  std::string log_format = "text";
  bool no_request_log = false;
  std::size_t threads = 0;
  std::int64_t busy_poll_us = net::kDefaultBusyPoll.count();
  std::size_t max_connections = 1024;
  double idle_timeout_s = 120;
  double association_timeout_s = 10;
  double update_interval_s = 1;
  double duration_s = 0;
};

constexpr const char* kDescription =
    "Serve MMS (ISO 9506) over RFC 1006 (TPKT/COTP) with the OSI upper layers, under TLS per IEC "
    "62351-4 (T-profile: TLS 1.2/1.3, mutual authentication, port 3782). Credentials come from "
    "--pki DIR (made by 'mmssec pki init DIR') or --cert/--key/--ca/--crl. Plain RFC 1006 without "
    "any security (port 102) only with --plain.\n"
    "Without --model it serves the embedded default IED: logical device LD0 with LLN0, LPHD1, "
    "MMXU1 (measurements that change every --update-interval), GGIO1 (status points; Ind1 "
    "toggles every 5 updates), XCBR1 (breaker position), the data set LLN0$DataSet1 and the "
    "report control LLN0$RP$urcb01 (write TRUE to its RptEna to receive InformationReports).\n"
    "--model FILE loads a model in the format of docs/model-format.md instead.\n"
    "Logs every association and request on stderr (text, or one JSON object per line).\n"
    "Security events (docs/SECURITY.md) go to stderr as well (--security-log, --syslog).\n"
    "Stops on SIGINT/SIGTERM (or after --duration seconds) with a graceful shutdown; SIGHUP "
    "reloads the CRL files (live sessions whose peer is now revoked are cut).\n"
    "Exit codes: 0 stopped normally, 2 bad arguments, model file or TLS configuration, 3 cannot "
    "listen.";

int usage_error(const std::string& message) { return tool::usage_error("server", message); }

std::chrono::milliseconds to_ms(double seconds) {
  return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000.0));
}

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

int run_server(const ServerArgs& a) {
  std::string err;
  if (a.log_format != "text" && a.log_format != "json") {
    return usage_error("--log-format must be 'text' or 'json', got '" + a.log_format + "'");
  }
  const bool json = a.log_format == "json";
  if (a.plain && has_tls_credentials(a.tls)) {
    return usage_error("--plain serves without TLS: drop it, or drop the TLS credentials");
  }
  if (!a.plain && !has_tls_credentials(a.tls)) {
    return usage_error(
        "no TLS credentials: give --pki DIR (make one with 'mmssec pki init DIR') or --cert, --key and "
        "--ca; --plain serves plain RFC 1006 on port 102 without any security");
  }
  const auto listen =
      parse_listen(a.listen.empty() ? (a.plain ? "127.0.0.1:102" : "127.0.0.1:3782") : a.listen, err);
  if (!listen) return usage_error(err);
  auto security =
      make_event_sink(a.tls, json ? events::Format::json : events::Format::text, events::Severity::info, err);
  if (!security) return usage_error(err);
  std::shared_ptr<tls::Context> tls_context;
  if (!a.plain) {
    tls_context = make_tls_context(a.tls, tls::Role::server, security, err);
    if (!tls_context) return usage_error(err);
  }
  if (a.update_interval_s < 0.01) return usage_error("--update-interval must be at least 0.01 s");

  auto model = std::make_shared<endpoint::ModelHost>();
  endpoint::ServerSettings s;
  std::string model_text;
  bool default_model = a.model_file.empty();
  if (default_model) {
    if (auto st = model->update([](mms::Vmd& vmd) { return mms::make_default_ied_model(vmd); }); !st) {
      std::cerr << "error: building the default model: " << st.error().describe() << '\n';
      return kUsage;
    }
    s.session.report_controls = mms::default_report_controls();
    model_text = "embedded default IED (domain LD0)";
  } else {
    auto loaded = model->update([&](mms::Vmd& vmd) { return mms::load_model_file(a.model_file, vmd); });
    if (!loaded) {
      std::cerr << "error: model file " << loaded.error().describe() << '\n';
      return kUsage;
    }
    if (loaded->identity) s.identity = *loaded->identity;
    s.session.report_controls = loaded->report_controls;
    model_text = a.model_file + " (" + std::to_string(loaded->domains) + " domains, " +
                 std::to_string(loaded->logical_nodes) + " logical nodes, " +
                 std::to_string(loaded->variables) + " variables, " + std::to_string(loaded->data_sets) +
                 " data sets)";
  }

  s.network.host = listen->host;
  s.network.port = listen->port;
  s.network.threads = a.threads;
  if (a.busy_poll_us < 0) return usage_error("--busy-poll must not be negative");
  s.network.busy_poll = std::chrono::microseconds(a.busy_poll_us);
  s.network.max_connections = a.max_connections;
  s.network.idle_timeout = to_ms(a.idle_timeout_s);
  s.association_timeout = to_ms(a.association_timeout_s);
  s.log_requests = !a.no_request_log;
  if (tls_context) s.wrap_connection = tls_context->decorator();
  auto log_mu = std::make_shared<std::mutex>();
  s.on_event = [json, log_mu](const endpoint::ServerEvent& e) {
    const std::string line = (json ? endpoint::format_json(e) : endpoint::format_text(e)) + "\n";
    const std::lock_guard lock(*log_mu);
    std::fwrite(line.data(), 1, line.size(), stderr);
  };

  // SIGINT/SIGTERM are taken synchronously by this thread; block them before any thread starts
  // so that the loop threads inherit the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  endpoint::MmsServer server(std::move(s), model);
  if (auto st = server.start(); !st) {
    std::cerr << "error: cannot listen on " << format_endpoint(listen->host, listen->port) << ": "
              << st.error().describe();
    if (listen->port < 1024) std::cerr << " (ports below 1024 need root; try --listen 127.0.0.1:10102)";
    std::cerr << '\n';
    return kIoError;
  }
  if (tls_context) {
    const auto& c = tls_context->config();
    std::cerr << "mmssec server listening on " << format_endpoint(listen->host, server.port()) << " ("
              << tls::version_name(c.min_version) << " to " << tls::version_name(c.max_version)
              << ", mutual authentication, "
              << (c.crl_files.empty() ? "NO revocation checking" : "CRL checking") << ")\n";
  } else {
    std::cerr << "mmssec server listening on " << format_endpoint(listen->host, server.port())
              << " (plain RFC 1006: NO security)\n";
    security->emit(
        events::make_event(events::Id::tls_plaintext, "serving plain RFC 1006 on " +
                                                          format_endpoint(listen->host, server.port()) +
                                                          " (--plain): no authentication, no encryption"));
  }
  std::cerr << "model: " << model_text << '\n' << "stop with Ctrl-C\n";

  const auto start = std::chrono::steady_clock::now();
  const auto interval = to_ms(a.update_interval_s);
  std::uint64_t tick = 0;
  int signal_seen = 0;
  for (;;) {
    if (a.duration_s > 0 && std::chrono::steady_clock::now() - start >= to_ms(a.duration_s)) break;
    timespec ts{};
    ts.tv_sec = static_cast<time_t>(interval.count() / 1000);
    ts.tv_nsec = static_cast<long>((interval.count() % 1000) * 1'000'000);
    const int sig = sigtimedwait(&stop_signals, nullptr, &ts);
    if (sig == SIGINT || sig == SIGTERM) {
      signal_seen = sig;
      break;
    }
    if (sig == SIGHUP) {
      if (!tls_context) {
        std::cerr << "SIGHUP: nothing to reload (plain RFC 1006)\n";
        continue;
      }
      std::string why;
      if (auto st = tls_context->reload_crls(&why); !st) {
        std::cerr << "SIGHUP: CRL reload failed, the previous CRLs stay in force: "
                  << (why.empty() ? st.error().describe() : why) << '\n';
      }
      continue;
    }
    if (!default_model) continue;
    ++tick;
    const double t = unix_now();
    (void)model->update([&](mms::Vmd& vmd) -> Status {
      MMSSEC_TRY(mms::update_measurements(vmd, t));
      if (tick % 5 != 0) return {};
      // The status point Ind1 toggles (with its timestamp), which a watching client sees as a
      // report of LLN0$DataSet1.
      const auto ind1 = mms::ObjectName::domain_specific("LD0", "GGIO1$ST$Ind1$stVal");
      auto cur = vmd.read(ind1);
      if (!cur) return {};
      const auto* b = std::get_if<bool>(&cur->value);
      if (b == nullptr) return {};
      (void)vmd.update(ind1, mms::Data{!*b});
      (void)vmd.update(mms::ObjectName::domain_specific("LD0", "GGIO1$ST$Ind1$t"),
                       mms::Data{mms::utc_time_of(t)});
      return {};
    });
  }
  if (!json) std::cerr << (signal_seen != 0 ? "signal received: " : "") << "shutting down\n";
  server.stop();
  const auto st = server.stats();
  if (json) {
    std::cerr << "{\"severity\":\"info\",\"event\":\"server_stopped\",\"associations\":" << st.associations
              << ",\"rejected\":" << st.associations_rejected << ",\"aborted\":" << st.aborted
              << ",\"timeouts\":" << st.timeouts << ",\"requests\":" << st.requests
              << ",\"reports\":" << st.reports_sent << "}\n";
  } else {
    std::cerr << "served " << st.associations << " associations (" << st.associations_rejected
              << " rejected, " << st.aborted << " aborted, " << st.timeouts << " timed out), " << st.requests
              << " requests, " << st.reports_sent << " reports\n";
  }
  return kOk;
}

}  // namespace

void register_server(CLI::App& app) {
  auto args = std::make_shared<ServerArgs>();
  auto* cmd = app.add_subcommand("server", "Run an MMS server (default IED model unless --model)");
  cmd->description(kDescription);
  cmd->add_option("--listen", args->listen,
                  "HOST:PORT to listen on ([::1]:PORT for IPv6); default 127.0.0.1:3782, with --plain "
                  "127.0.0.1:102");
  cmd->add_flag("--plain", args->plain, "Serve plain RFC 1006 without TLS (no security at all)");
  add_tls_options(*cmd, args->tls);
  cmd->add_option("--model", args->model_file,
                  "Model file (docs/model-format.md) instead of the default IED");
  cmd->add_option("--log-format", args->log_format, "text or json")->capture_default_str();
  cmd->add_flag("--no-request-log", args->no_request_log, "Log associations only, not every request");
  cmd->add_option("--threads", args->threads, "Event-loop threads (0 = one per core)")->capture_default_str();
  cmd->add_option("--busy-poll", args->busy_poll_us,
                  "Microseconds an event-loop thread keeps polling before it sleeps (0 = never spin)")
      ->capture_default_str();
  cmd->add_option("--max-connections", args->max_connections, "Connections served at once")
      ->capture_default_str();
  cmd->add_option("--idle-timeout", args->idle_timeout_s,
                  "Seconds without traffic before an association is aborted")
      ->capture_default_str();
  cmd->add_option("--association-timeout", args->association_timeout_s,
                  "Seconds from connect until the association must be established")
      ->capture_default_str();
  cmd->add_option("--update-interval", args->update_interval_s,
                  "Seconds between measurement updates of the default model")
      ->capture_default_str();
  cmd->add_option("--duration", args->duration_s, "Stop after this many seconds (0 = run until a signal)")
      ->capture_default_str();
  cmd->callback([args] { set_exit_code(run_server(*args)); });
}

}  // namespace mmssec::tool
