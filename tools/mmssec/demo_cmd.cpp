// SPDX-License-Identifier: Apache-2.0
// `mmssec demo`: one process starts an MMS server with the default IED model on loopback and a
// client that walks through association, identify, list, read, write, a report and release,
// explaining each step in one line. Later security profiles extend it.
#include <CLI/CLI.hpp>
#include <cstdio>
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
#include "tool_util.hpp"

namespace mmssec::tool {
namespace {

struct DemoArgs {
  bool server_log = false;
};

constexpr const char* kDescription =
    "Start an MMS server with the default IED model on 127.0.0.1 (an ephemeral port) and a client "
    "in the same process, then walk through association, identify, list, read, write, an "
    "InformationReport and release, one line per step. --server-log also shows the server's log.";

void step(int n, const std::string& text) { std::cout << "[" << n << "] " << text << std::endl; }

int failed(const std::string& what, const endpoint::Failure& f) {
  std::cout << "    FAILED: " << what << ": " << endpoint::format_failure(f) << std::endl;
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
  endpoint::MmsServer server(std::move(s), model);
  if (auto st = server.start(); !st) {
    std::cerr << "error: cannot start the demo server: " << st.error().describe() << '\n';
    return kIoError;
  }
  const std::string url = "mms://127.0.0.1:" + std::to_string(server.port());
  int n = 1;
  step(n++, "server: listening on 127.0.0.1:" + std::to_string(server.port()) +
                " (plain RFC 1006) with the default IED model, logical device LD0");

  endpoint::ClientConfig cfg;
  cfg.host = "127.0.0.1";
  cfg.port = server.port();
  endpoint::Client client(cfg);
  auto info = client.connect();
  if (!info) return failed("associate", info.failure());
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
  server.stop();
  const auto st = server.stats();
  step(n++, "server: " + std::to_string(st.associations) + " association, " + std::to_string(st.requests) +
                " requests, " + std::to_string(st.reports_sent) + " report; stopped");
  std::cout
      << "Next: 'mmssec server --listen 127.0.0.1:10102' and 'mmssec client mms://127.0.0.1:10102 list LD0'"
      << std::endl;
  return kOk;
}

}  // namespace

void register_demo(CLI::App& app) {
  auto args = std::make_shared<DemoArgs>();
  auto* cmd = app.add_subcommand("demo", "Server and client on loopback: a guided tour of MMS");
  cmd->description(kDescription);
  cmd->add_flag("--server-log", args->server_log, "Also print the server's log records");
  cmd->callback([args] { set_exit_code(run_demo(*args)); });
}

}  // namespace mmssec::tool
