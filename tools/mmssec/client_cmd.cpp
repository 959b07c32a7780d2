// SPDX-License-Identifier: Apache-2.0
// `mmssec client mms://HOST:PORT COMMAND`: identify, list, read, write and watch against any MMS
// server (IEC 61850-8-1 style naming), with errors that name the ACSE or MMS reason.
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "commands.hpp"
#include "mmssec/endpoint/client.hpp"
#include "mmssec/endpoint/reference.hpp"
#include "mmssec/mms/pdu.hpp"
#include "tls_options.hpp"
#include "tool_util.hpp"

namespace mmssec::tool {
namespace {

struct ClientArgs {
  std::string url;
  TlsArgs tls;
  double timeout_s = 10;
  // list
  std::string domain;
  bool recursive = false;
  // read / write
  std::vector<std::string> refs;
  std::string ref;
  std::string value;
  // watch
  std::string rcb;
  std::size_t count = 0;
  double duration_s = 0;
};

constexpr const char* kDescription =
    "Talk to an MMS server: mmssec client mmss://HOST[:PORT] COMMAND over TLS (IEC 62351-4 "
    "T-profile, port 3782 by default; credentials from --pki DIR or --cert/--key/--ca), or "
    "mms://HOST[:PORT] for plain RFC 1006 (port 102, no security).\n"
    "References are DOMAIN/ITEM with IEC 61850 '$' components, e.g. LD0/MMXU1$MX$TotW$mag$f; "
    "values use the syntax of docs/client.md (true, 42, 1.5, b01, 0x0a0b, \"text\", "
    "2026-01-02T03:04:05Z, {a, b}).\n"
    "Exit codes: 0 ok, 1 refused or failed by the server (the ACSE or MMS reason is printed), 2 "
    "bad arguments, 3 cannot connect, 4 timed out.";

int usage_error(const std::string& message) { return tool::usage_error("client", message); }

int exit_for(const endpoint::Failure& f) {
  using endpoint::Errc;
  if (f.code == endpoint::make_error_code(Errc::connect_failed) ||
      f.code == endpoint::make_error_code(Errc::closed)) {
    return kIoError;
  }
  if (f.code == endpoint::make_error_code(Errc::timeout)) return kTimeout;
  if (f.code == endpoint::make_error_code(Errc::invalid_argument)) return kUsage;
  return kMalformed;
}

int fail(const endpoint::Failure& f, const std::string& what = {}) {
  std::cerr << "error: " << (what.empty() ? "" : what + ": ") << endpoint::format_failure(f) << '\n';
  return exit_for(f);
}

/// Connects and associates; on failure prints why and returns nullptr with `code` set.
std::unique_ptr<endpoint::Client> open(const ClientArgs& a, int& code) {
  std::string err;
  const auto target = parse_target(a.url, err);
  if (!target) {
    code = usage_error(err);
    return nullptr;
  }
  endpoint::ClientConfig cfg;
  cfg.host = target->host;
  cfg.port = target->port;
  const auto t = std::chrono::milliseconds(static_cast<std::int64_t>(a.timeout_s * 1000));
  cfg.connect_timeout = t;
  cfg.association_timeout = t;
  cfg.request_timeout = t;
  cfg.release_timeout = t;
  if (target->tls) {
    // Warnings and alarms (why a handshake failed) on stderr; the established session is not news.
    auto sink = make_event_sink(a.tls, events::Format::text, events::Severity::warning, err);
    std::shared_ptr<tls::Context> ctx;
    if (sink) ctx = make_tls_context(a.tls, tls::Role::client, sink, err);
    if (!ctx) {
      code = usage_error(err);
      return nullptr;
    }
    cfg.wrap_connection = ctx->decorator(format_endpoint(target->host, target->port));
  } else if (has_tls_credentials(a.tls)) {
    code = usage_error("TLS credentials were given but " + a.url +
                       " is plain RFC 1006; use mmss://HOST[:PORT] for TLS");
    return nullptr;
  }
  auto client = std::make_unique<endpoint::Client>(cfg);
  auto info = client->connect();
  if (!info) {
    code = fail(info.failure(), "cannot associate with " + format_endpoint(target->host, target->port));
    return nullptr;
  }
  return client;
}

void close(endpoint::Client& c) {
  if (!c.associated()) return;
  if (auto r = c.release(); !r)
    std::cerr << "warning: release: " << endpoint::format_failure(r.failure()) << '\n';
}

/// A request failed on a live association: release it in order, then report.
int fail(endpoint::Client& c, const endpoint::Failure& f, const std::string& what) {
  close(c);
  return fail(f, what);
}

endpoint::Outcome<mms::ObjectName> reference(const std::string& text) {
  return endpoint::parse_reference(text);
}

int cmd_identify(const ClientArgs& a) {
  int code = kOk;
  auto c = open(a, code);
  if (!c) return code;
  auto id = c->identify();
  if (!id) return fail(*c, id.failure(), "identify");
  std::cout << "vendor:   " << id->vendor_name << "\nmodel:    " << id->model_name
            << "\nrevision: " << id->revision << '\n';
  close(*c);
  return kOk;
}

/// Prints a type as an indented tree of components.
void print_type_tree(const mms::TypeSpecification& type, const std::string& name, int depth) {
  const std::string indent(static_cast<std::size_t>(depth) * 2, ' ');
  if (type.kind == mms::TypeSpecification::Kind::structure) {
    std::cout << indent << name << '\n';
    for (const auto& comp : type.components) {
      if (comp.type) print_type_tree(*comp.type, comp.name.value_or("?"), depth + 1);
    }
    return;
  }
  std::cout << indent << name << "  " << endpoint::format_type(type) << '\n';
}

int list_domain(endpoint::Client& c, const std::string& domain, bool recursive) {
  auto vars = c.list_variables(domain);
  if (!vars) return fail(c, vars.failure(), "list variables of " + domain);
  auto lists = c.list_variable_lists(domain);
  for (const auto& v : *vars) {
    if (!recursive) {
      std::cout << domain << '/' << v << '\n';
      continue;
    }
    if (v.find('$') != std::string::npos) continue;  // components come with their parent's type
    auto attrs = c.get_variable_access_attributes(mms::ObjectName::domain_specific(domain, v));
    if (!attrs) return fail(c, attrs.failure(), "type of " + domain + "/" + v);
    if (attrs->type) print_type_tree(*attrs->type, domain + "/" + v, 0);
  }
  if (lists) {
    for (const auto& l : *lists) std::cout << domain << '/' << l << "  (data set)\n";
  }
  return kOk;
}

int cmd_list(const ClientArgs& a) {
  int code = kOk;
  auto c = open(a, code);
  if (!c) return code;
  if (!a.domain.empty()) {
    code = list_domain(*c, a.domain, a.recursive);
  } else {
    auto domains = c->list_domains();
    if (!domains) return fail(*c, domains.failure(), "list domains");
    for (const auto& d : *domains) {
      if (!a.recursive) {
        std::cout << d << '\n';
        continue;
      }
      code = list_domain(*c, d, true);
      if (code != kOk) return code;
    }
  }
  close(*c);
  return code;
}

int cmd_read(const ClientArgs& a) {
  std::vector<mms::ObjectName> names;
  for (const auto& r : a.refs) {
    auto n = reference(r);
    if (!n) return usage_error(endpoint::format_failure(n.failure()));
    names.push_back(*n);
  }
  int code = kOk;
  auto c = open(a, code);
  if (!c) return code;
  auto results = c->read(names);
  if (!results) return fail(*c, results.failure(), "read");
  for (std::size_t i = 0; i < names.size() && i < results->size(); ++i) {
    const auto& r = (*results)[i];
    if (r) {
      std::cout << (names.size() > 1 ? a.refs[i] + " = " : "") << endpoint::format_data(*r) << '\n';
    } else {
      std::cerr << "error: " << a.refs[i] << ": " << endpoint::format_failure(r.failure()) << '\n';
      code = kMalformed;
    }
  }
  close(*c);
  return code;
}

int cmd_write(const ClientArgs& a) {
  auto n = reference(a.ref);
  if (!n) return usage_error(endpoint::format_failure(n.failure()));
  int code = kOk;
  auto c = open(a, code);
  if (!c) return code;
  auto r = c->write_text(*n, a.value);
  if (!r) return fail(*c, r.failure(), "write " + a.ref);
  std::cout << "ok\n";
  close(*c);
  return kOk;
}

std::string describe_report(const mms::InformationReport& r) {
  std::string out;
  if (const auto* l = std::get_if<mms::VariableListName>(&r.variables)) {
    out = "report " + endpoint::format_reference(l->name) + ":";
  } else {
    out = "report:";
  }
  for (const auto& res : r.results) out += " " + endpoint::format_access_result(res) + ";";
  if (!out.empty() && out.back() == ';') out.pop_back();
  return out;
}

int cmd_watch(const ClientArgs& a) {
  std::optional<mms::ObjectName> rpt_ena;
  if (!a.rcb.empty()) {
    auto n = reference(a.rcb);
    if (!n) return usage_error(endpoint::format_failure(n.failure()));
    n->item += "$RptEna";
    rpt_ena = *n;
  }
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  int code = kOk;
  auto c = open(a, code);
  if (!c) return code;
  if (rpt_ena) {
    if (auto w = c->write(*rpt_ena, mms::Data{true}); !w) return fail(*c, w.failure(), "enable reports");
    std::cerr << "reports enabled (" << endpoint::format_reference(*rpt_ena)
              << " = true); waiting, Ctrl-C stops\n";
  } else {
    std::cerr << "waiting for InformationReports, Ctrl-C stops\n";
  }
  const auto start = std::chrono::steady_clock::now();
  std::size_t seen = 0;
  for (;;) {
    if (a.count != 0 && seen >= a.count) break;
    if (a.duration_s > 0 &&
        std::chrono::steady_clock::now() - start >= std::chrono::duration<double>(a.duration_s)) {
      break;
    }
    timespec zero{};
    if (sigtimedwait(&stop_signals, nullptr, &zero) > 0) break;
    if (auto r = c->next_report(std::chrono::milliseconds(200))) {
      std::cout << describe_report(*r) << std::endl;
      ++seen;
    } else if (!c->associated()) {
      const auto why = c->close_reason();
      if (why) return fail(*why, "association ended");
      break;
    }
  }
  if (rpt_ena) (void)c->write(*rpt_ena, mms::Data{false});
  close(*c);
  return kOk;
}

}  // namespace

void register_client(CLI::App& app) {
  auto args = std::make_shared<ClientArgs>();
  auto* cmd = app.add_subcommand("client", "Talk to an MMS server (identify, list, read, write, watch)");
  cmd->description(kDescription);
  cmd->require_subcommand(1);
  cmd->fallthrough();  // the client's options may also follow the command: ... identify --pki DIR
  cmd->add_option("url", args->url, "mmss://HOST[:PORT] (TLS) or mms://HOST[:PORT] (plain)")->required();
  add_tls_options(*cmd, args->tls);
  cmd->add_option("--timeout", args->timeout_s, "Seconds to wait for connect, association and each answer")
      ->capture_default_str();

  cmd->add_subcommand("identify", "Vendor, model and revision of the server")->callback([args] {
    set_exit_code(cmd_identify(*args));
  });
  auto* list = cmd->add_subcommand("list", "Domains; with DOMAIN its variables and data sets");
  list->add_option("domain", args->domain, "Domain (logical device) to list");
  list->add_flag("--recursive,-r", args->recursive, "Every variable as a tree of components with types");
  list->callback([args] { set_exit_code(cmd_list(*args)); });
  auto* read = cmd->add_subcommand("read", "Read variables (one request)");
  read->add_option("ref", args->refs, "DOMAIN/ITEM, e.g. LD0/MMXU1$MX$TotW$mag$f")->required();
  read->callback([args] { set_exit_code(cmd_read(*args)); });
  auto* write = cmd->add_subcommand("write", "Write one variable (the type is fetched first)");
  write->add_option("ref", args->ref, "DOMAIN/ITEM")->required();
  write->add_option("value", args->value, "Value in the syntax of docs/client.md")->required();
  write->callback([args] { set_exit_code(cmd_write(*args)); });
  auto* watch = cmd->add_subcommand("watch", "Print InformationReports as they arrive");
  watch->add_option("rcb", args->rcb,
                    "Report control to enable first (writes TRUE to RCB$RptEna), e.g. LD0/LLN0$RP$urcb01");
  watch->add_option("--count", args->count, "Stop after this many reports (0 = no limit)");
  watch->add_option("--duration", args->duration_s, "Stop after this many seconds (0 = until Ctrl-C)");
  watch->callback([args] { set_exit_code(cmd_watch(*args)); });
}

}  // namespace mmssec::tool
