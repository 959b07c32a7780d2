// SPDX-License-Identifier: Apache-2.0
// `mmssec demo`: one process makes a lab PKI in a temporary directory, starts an MMS server with
// the default IED model on loopback under TLS (the IEC 62351-4 T-profile) and a client that walks
// through the handshake, association, identify, list, read, write, a report and release, then
// shows a revoked client being refused, explaining each step in one line. --plain runs the same
// tour without TLS. Later security profiles extend it.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "commands.hpp"
#include "mmssec/endpoint/client.hpp"
#include "mmssec/endpoint/model_host.hpp"
#include "mmssec/endpoint/reference.hpp"
#include "mmssec/endpoint/server.hpp"
#include "mmssec/mms/default_model.hpp"
#include "mmssec/net/loop.hpp"
#include "mmssec/pki/pki.hpp"
#include "tls_options.hpp"
#include "tool_util.hpp"

namespace mmssec::tool {
namespace {

struct DemoArgs {
  bool server_log = false;
  bool plain = false;
  std::string key = "p256";
  bool keep = false;
};

constexpr const char* kDescription =
    "Make a lab PKI in a temporary directory, start an MMS server with the default IED model on "
    "127.0.0.1 (an ephemeral port) under TLS with mutual authentication (IEC 62351-4 T-profile) "
    "and a client in the same process, then walk through the handshake, association, identify, "
    "list, read, write, an InformationReport and release, and show a client with a revoked "
    "certificate being refused; one line per step. --plain runs the tour over plain RFC 1006. "
    "--server-log also shows the server's log and security events.";

/// A temporary directory removed at the end (unless --keep).
class TempDir {
 public:
  explicit TempDir(bool keep) : keep_(keep) {
    std::error_code ec;
    const auto base = std::filesystem::temp_directory_path(ec);
    std::string tmpl = ((ec ? std::filesystem::path("/tmp") : base) / "mmssec-demo-XXXXXX").string();
    if (mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty() && !keep_) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  bool keep_;
};

/// Collects security events for the narration (and prints them with --server-log).
class DemoEvents final : public events::Sink {
 public:
  DemoEvents(std::string who, bool print) : who_(std::move(who)), print_(print) {}
  void emit(const events::Event& e) override {
    memory_.emit(e);
    if (print_) {
      const std::lock_guard lock(mu_);
      std::cout << "    " << who_ << " security event: " << events::format_text(e) << std::endl;
    }
  }
  events::MemorySink& memory() { return memory_; }

 private:
  events::MemorySink memory_;
  std::string who_;
  bool print_;
  std::mutex mu_;
};

std::string field(const events::Event& e, const std::string& key) {
  for (const auto& [k, v] : e.fields)
    if (k == key) return v;
  return "?";
}

void step(int n, const std::string& text) { std::cout << "[" << n << "] " << text << std::endl; }

int failed(const std::string& what, const endpoint::Failure& f) {
  std::cout << "    FAILED: " << what << ": " << endpoint::format_failure(f) << std::endl;
  return kMalformed;
}

int failed(const std::string& what, const std::string& why) {
  std::cout << "    FAILED: " << what << ": " << why << std::endl;
  return kMalformed;
}

mms::ObjectName ld(const char* item) { return mms::ObjectName::domain_specific("LD0", item); }

int run_demo(const DemoArgs& a) {
  auto model = std::make_shared<endpoint::ModelHost>();
  if (auto st = model->update([](mms::Vmd& vmd) { return mms::make_default_ied_model(vmd); }); !st) {
    std::cerr << "error: default model: " << st.error().describe() << '\n';
    return kMalformed;
  }
  (void)model->update([](mms::Vmd& vmd) { return mms::update_measurements(vmd, 1'700'000'000.0); });
  endpoint::ServerSettings s;
  s.network.host = "127.0.0.1";
  s.network.port = 0;
  s.network.threads = 1;
  s.session.report_controls = mms::default_report_controls();
  if (a.server_log) {
    auto mu = std::make_shared<std::mutex>();
    s.on_event = [mu](const endpoint::ServerEvent& e) {
      const std::lock_guard lock(*mu);
      std::cout << "    server log: " << endpoint::format_text(e) << std::endl;
    };
  }
  int n = 1;
  // ---- the lab PKI and the TLS contexts
  TempDir dir(a.keep);
  auto server_events = std::make_shared<DemoEvents>("server", a.server_log);
  auto client_events = std::make_shared<DemoEvents>("client", a.server_log);
  std::shared_ptr<tls::Context> server_tls, client_tls;
  if (!a.plain) {
    const auto key = pki::parse_key_type(a.key);
    if (!key) return usage_error("demo", "--key must be rsa2048, rsa3072, p256, p384 or brainpool256");
    if (dir.path().empty()) {
      std::cerr << "error: cannot create a temporary directory for the lab PKI\n";
      return kIoError;
    }
    pki::InitOptions po;
    po.key = *key;
    auto made = pki::init(dir.path(), po);
    if (!made) {
      std::cerr << "error: lab PKI: " << made.failure().describe() << '\n';
      return kIoError;
    }
    step(n++, "pki: made a lab PKI in " + dir.path().string() +
                  ": root CA, server and client certificates (" + std::string(pki::key_type_name(*key)) +
                  "), an empty CRL" + (a.keep ? " (kept)" : " (removed at the end)"));
    TlsArgs targs;
    targs.pki_dir = dir.path().string();
    std::string err;
    server_tls = make_tls_context(targs, tls::Role::server, server_events, err);
    if (server_tls) client_tls = make_tls_context(targs, tls::Role::client, client_events, err);
    if (!server_tls || !client_tls) {
      std::cerr << "error: " << err << '\n';
      return kIoError;
    }
    s.wrap_connection = server_tls->decorator();
  }
  endpoint::MmsServer server(std::move(s), model);
  if (auto st = server.start(); !st) {
    std::cerr << "error: cannot start the demo server: " << st.error().describe() << '\n';
    return kIoError;
  }
  step(n++, "server: listening on 127.0.0.1:" + std::to_string(server.port()) +
                (a.plain ? " (plain RFC 1006, no security)"
                         : " (TLS 1.2/1.3, mutual authentication, CRL checking: IEC 62351-4 T-profile)") +
                " with the default IED model, logical device LD0");

  endpoint::ClientConfig cfg;
  cfg.host = "127.0.0.1";
  cfg.port = server.port();
  if (client_tls) cfg.wrap_connection = client_tls->decorator();
  endpoint::Client client(cfg);
  auto info = client.connect();
  if (!info) return failed("associate", info.failure());
  if (client_tls) {
    const auto est = client_events->memory().events();
    const auto it = std::find_if(est.begin(), est.end(),
                                 [](const events::Event& e) { return e.id == events::Id::tls_established; });
    if (it != est.end()) {
      step(n++, "tls: handshake done: " + field(*it, "version") + ", " + field(*it, "suite") +
                    "; the client checked the server's certificate (" + field(*it, "subject") +
                    ") and the server checked the client's, both against the lab CA and its CRL");
    }
  }
  step(n++,
       "client: associated (TCP, COTP CR/CC, session CN/AC, presentation CP/CPA, ACSE AARQ/AARE carrying "
       "the MMS Initiate): max PDU " +
           std::to_string(info->negotiated.local_detail.value_or(0)) + " octets, " +
           std::to_string(info->negotiated.max_serv_outstanding_calling) + " requests outstanding");

  auto id = client.identify();
  if (!id) return failed("identify", id.failure());
  step(n++,
       "identify: the server is '" + id->vendor_name + " " + id->model_name + "' revision " + id->revision);

  auto domains = client.list_domains();
  if (!domains) return failed("list domains", domains.failure());
  std::string dl;
  for (const auto& d : *domains) dl += (dl.empty() ? "" : ", ") + d;
  step(n++, "list: GetNameList of domains (IEC 61850 logical devices): " + dl);
  auto vars = client.list_variables("LD0");
  if (!vars) return failed("list variables", vars.failure());
  std::string lns;
  for (const auto& v : *vars) {
    if (v.find('$') == std::string::npos) lns += (lns.empty() ? "" : ", ") + v;
  }
  step(n++, "list: LD0 holds " + std::to_string(vars->size()) +
                " variable names (every $ component); logical nodes: " + lns);

  auto type = client.get_variable_access_attributes(ld("MMXU1$MX$TotW"));
  if (!type) return failed("get type", type.failure());
  step(n++, "type: GetVariableAccessAttributes LD0/MMXU1$MX$TotW = " + endpoint::format_type(*type->type));

  auto totw = client.read(ld("MMXU1$MX$TotW$mag$f"));
  if (!totw) return failed("read", totw.failure());
  step(n++, "read: LD0/MMXU1$MX$TotW$mag$f (total active power, W) = " + endpoint::format_data(*totw));

  auto denied = client.write(ld("MMXU1$MX$TotW$mag$f"), mms::Data{mms::FloatingPoint{0.0, false}});
  step(n++, std::string("write: a measurement is read-only, so writing it is refused: ") +
                (denied ? "unexpectedly accepted" : endpoint::format_failure(denied.failure())));

  auto rpt = client.write(ld("LLN0$RP$urcb01$RptEna"), mms::Data{true});
  if (!rpt) return failed("enable reports", rpt.failure());
  step(n++,
       "write: LD0/LLN0$RP$urcb01$RptEna = true enables reports of data set LD0/LLN0$DataSet1 for this "
       "association");

  auto ctl = client.write_text(ld("GGIO1$CO$SPCSO1$Oper$ctlVal"), "true");
  if (!ctl) return failed("write control", ctl.failure());
  step(n++, "write: LD0/GGIO1$CO$SPCSO1$Oper$ctlVal = true (a control, writable)");

  // The IED's logic: the control switches the status point Ind1, which is in DataSet1.
  (void)model->update([](mms::Vmd& vmd) { return vmd.update(ld("GGIO1$ST$Ind1$stVal"), mms::Data{true}); });
  step(n++, "server: the IED logic sets LD0/GGIO1$ST$Ind1$stVal = true, a member of DataSet1");
  auto report = client.next_report(std::chrono::seconds(5));
  if (!report) {
    std::cout << "    FAILED: no InformationReport within 5 s" << std::endl;
    return kMalformed;
  }
  std::string values;
  for (const auto& r : report->results)
    values += (values.empty() ? "" : "; ") + endpoint::format_access_result(r);
  step(n++, "report: InformationReport of LD0/LLN0$DataSet1 arrived unsolicited: " + values);

  auto back = client.read(ld("GGIO1$ST$Ind1$stVal"));
  if (!back) return failed("read back", back.failure());
  step(n++, "read: LD0/GGIO1$ST$Ind1$stVal = " + endpoint::format_data(*back));

  auto rel = client.release();
  if (!rel) return failed("release", rel.failure());
  step(n++, "release: MMS Conclude, then ACSE RLRQ/RLRE; the association ended in order");

  if (!a.plain) {
    // A client whose certificate is revoked: issue it, revoke it, reload the server's CRLs.
    pki::IssueOptions io;
    io.name = "revoked-client";
    io.purpose = pki::Purpose::tls_client;
    auto issued = pki::issue(dir.path(), io);
    if (!issued) return failed("issue a certificate", issued.failure().describe());
    auto revoked = pki::revoke(dir.path(), "revoked-client");
    if (!revoked) return failed("revoke", revoked.failure().describe());
    std::string why;
    if (auto st = server_tls->reload_crls(&why); !st) return failed("reload CRLs", why);
    TlsArgs bad;
    bad.pki_dir = dir.path().string();
    bad.cert = issued->certificate_file.string();
    bad.key = issued->key_file.string();
    auto bad_events = std::make_shared<DemoEvents>("revoked client", a.server_log);
    auto bad_tls = make_tls_context(bad, tls::Role::client, bad_events, why);
    if (!bad_tls) return failed("revoked client context", why);
    endpoint::ClientConfig bc = cfg;
    bc.wrap_connection = bad_tls->decorator();
    endpoint::Client intruder(bc);
    auto refused = intruder.connect();
    const bool alarm =
        server_events->memory().wait_for(events::Id::tls_cert_revoked, std::chrono::seconds(5));
    step(
        n++,
        std::string("security: 'revoked-client' (certificate issued, then revoked with a new CRL the "
                    "server reloaded) tries to connect: ") +
            (refused ? "UNEXPECTEDLY ACCEPTED"
                     : std::string("refused in the TLS handshake") +
                           (alarm ? ", server alarm " +
                                        std::string(events::describe(events::Id::tls_cert_revoked).mnemonic) +
                                        " (" +
                                        std::string(events::describe(events::Id::tls_cert_revoked).code) + ")"
                                  : "")));
    if (refused || !alarm) return kMalformed;
  }
  server.stop();
  const auto st = server.stats();
  step(n++, "server: " + std::to_string(st.associations) + " association, " + std::to_string(st.requests) +
                " requests, " + std::to_string(st.reports_sent) + " report; stopped");
  if (a.plain) {
    std::cout << "Next: 'mmssec server --plain --listen 127.0.0.1:10102' and 'mmssec client "
                 "mms://127.0.0.1:10102 list LD0'"
              << std::endl;
  } else {
    std::cout << "Next: 'mmssec pki init lab', 'mmssec server --pki lab --listen 127.0.0.1:13782' and "
                 "'mmssec client mmss://127.0.0.1:13782 --pki lab list LD0'"
              << std::endl;
  }
  return kOk;
}

}  // namespace

void register_demo(CLI::App& app) {
  auto args = std::make_shared<DemoArgs>();
  auto* cmd = app.add_subcommand("demo", "Server and client on loopback: a guided tour of MMS");
  cmd->description(kDescription);
  cmd->add_flag("--server-log", args->server_log, "Also print the server's log records and security events");
  cmd->add_flag("--plain", args->plain, "Run the tour over plain RFC 1006 (no TLS)");
  cmd->add_option("--key", args->key, "Key type of the lab PKI: rsa2048, rsa3072, p256, p384, brainpool256")
      ->capture_default_str();
  cmd->add_flag("--keep", args->keep, "Keep the lab PKI directory");
  cmd->callback([args] { set_exit_code(run_demo(*args)); });
}

}  // namespace mmssec::tool
