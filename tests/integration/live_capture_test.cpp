// SPDX-License-Identifier: Apache-2.0
// Real traffic, checked by a second implementation: an endpoint::MmsServer and an
// endpoint::Client talk over loopback TCP while dumpcap captures the conversation; tshark then
// decodes the capture. No frame may be malformed or carry an error-severity expert item, and
// every layer and MMS service the association used must be there: COTP CR/CC, session CN/AC and
// FN/DN, presentation CP/CPA, ACSE AARQ/AARE/RLRQ/RLRE, MMS Initiate, Identify, GetNameList,
// GetVariableAccessAttributes, Read, Write, InformationReport and Conclude.
//
// Capturing needs root (or CAP_NET_RAW for dumpcap) and Wireshark's dumpcap next to tshark; CI
// has both. Without them the test fails with the reason; MMSSEC_SKIP_LIVE_CAPTURE=1 skips it
// explicitly.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "mmssec/capture/packet.hpp"
#include "mmssec/capture/pcap.hpp"
#include "mmssec/endpoint/client.hpp"
#include "mmssec/endpoint/model_host.hpp"
#include "mmssec/endpoint/reference.hpp"
#include "mmssec/endpoint/server.hpp"
#include "mmssec/mms/default_model.hpp"
#include "support/process.hpp"
#include "support/tshark.hpp"

namespace mmssec {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// MMS service tags as tshark prints mms.confirmedServiceRequest / mms.confirmedServiceResponse
// (ISO 9506-2 ConfirmedServiceRequest CHOICE numbers).
constexpr std::string_view kGetNameList = "1";
constexpr std::string_view kIdentify = "2";
constexpr std::string_view kRead = "4";
constexpr std::string_view kWrite = "5";
constexpr std::string_view kGetVariableAccessAttributes = "6";
// UnconfirmedService informationReport [0].
constexpr std::string_view kInformationReport = "0";
// COTP TPDU codes (cotp.type) and session SPDU identifiers (ses.type).
constexpr std::string_view kCotpCr = "0x0e";
constexpr std::string_view kCotpCc = "0x0d";
constexpr std::string_view kSessionConnect = "13";
constexpr std::string_view kSessionAccept = "14";
constexpr std::string_view kSessionFinish = "9";
constexpr std::string_view kSessionDisconnect = "10";

constexpr std::uintmax_t kPcapHeaderSize = 24;

bool contains(const std::vector<std::string>& v, std::string_view x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ",") + x;
  return s;
}

/// dumpcap from the same Wireshark installation as the tshark the oracle uses.
std::string dumpcap_path() {
  const fs::path tshark = test_support::tshark_path();
  return (tshark.parent_path() / "dumpcap").string();
}

std::uintmax_t file_size_or_zero(const fs::path& p) {
  std::error_code ec;
  const auto n = fs::file_size(p, ec);
  return ec ? 0 : n;
}

/// What the capture file holds so far of the conversation with the server on `port`.
struct CaptureProgress {
  std::uint64_t to_server = 0;    ///< TCP payload octets client -> server
  std::uint64_t from_server = 0;  ///< TCP payload octets server -> client
  bool client_fin = false;
  bool server_fin = false;
};

/// Reads the (possibly still growing) pcap; a truncated last record just ends the count.
CaptureProgress capture_progress(const fs::path& p, std::uint16_t port) {
  CaptureProgress progress;
  auto file = capture::read_file(p.string());
  if (!file.ok()) return progress;
  auto reader = capture::PcapReader::open(*file);
  if (!reader.ok()) return progress;
  for (;;) {
    auto record = reader->next();
    if (!record.ok() || !record->has_value()) break;
    auto segment = capture::parse_frame(reader->header().link_type, (*record)->data);
    if (!segment.ok() || !segment->has_value()) continue;
    const capture::TcpSegment& tcp = **segment;
    const bool from_server = tcp.source.port == port;
    (from_server ? progress.from_server : progress.to_server) += tcp.payload.size();
    if ((tcp.flags & capture::tcp_flags::kFin) != 0)
      (from_server ? progress.server_fin : progress.client_fin) = true;
  }
  return progress;
}

/// dumpcap writes packets in blocks as the kernel hands them over, and drops what it has not
/// received yet when it is interrupted. Wait until the file holds every octet the server
/// counted in each direction and both FINs.
bool wait_for_complete_capture(const fs::path& p, const endpoint::MmsServer& server,
                               std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    const auto stats = server.stats().network;
    const CaptureProgress c = capture_progress(p, server.port());
    if (c.client_fin && c.server_fin && c.to_server >= stats.bytes_in && c.from_server >= stats.bytes_out)
      return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(50ms);
  }
}

mms::ObjectName ld0(const char* item) { return mms::ObjectName::domain_specific("LD0", item); }

/// The in-process server with the default IED model and its report control block.
struct Server {
  Server() : model(std::make_shared<endpoint::ModelHost>()) {
    EXPECT_TRUE(model->update([](mms::Vmd& vmd) { return mms::make_default_ied_model(vmd); }).ok());
    EXPECT_TRUE(
        model->update([](mms::Vmd& vmd) { return mms::update_measurements(vmd, 1'700'000'000.0); }).ok());
    endpoint::ServerSettings s;
    s.network.host = "127.0.0.1";
    s.network.port = 0;
    s.network.threads = 1;
    s.session.report_controls = mms::default_report_controls();
    server = std::make_unique<endpoint::MmsServer>(std::move(s), model);
  }
  std::shared_ptr<endpoint::ModelHost> model;
  std::unique_ptr<endpoint::MmsServer> server;
};

/// One association with every service the capture must show. Returns when it is released.
void drive_association(std::uint16_t port, endpoint::ModelHost& model) {
  endpoint::ClientConfig cfg;
  cfg.host = "127.0.0.1";
  cfg.port = port;
  cfg.connect_timeout = 5s;
  cfg.association_timeout = 10s;
  cfg.request_timeout = 10s;
  cfg.release_timeout = 10s;
  endpoint::Client client(cfg);
  auto info = client.connect();
  ASSERT_TRUE(info.ok()) << info.failure().describe();

  auto id = client.identify();
  ASSERT_TRUE(id.ok()) << id.failure().describe();
  auto domains = client.list_domains();
  ASSERT_TRUE(domains.ok()) << domains.failure().describe();
  EXPECT_TRUE(contains(*domains, "LD0"));
  auto vars = client.list_variables("LD0");
  ASSERT_TRUE(vars.ok()) << vars.failure().describe();
  EXPECT_TRUE(contains(*vars, "MMXU1$MX$TotW$mag$f"));
  auto attrs = client.get_variable_access_attributes(ld0("MMXU1$MX$TotW"));
  ASSERT_TRUE(attrs.ok()) << attrs.failure().describe();
  auto totw = client.read(ld0("MMXU1$MX$TotW$mag$f"));
  ASSERT_TRUE(totw.ok()) << totw.failure().describe();
  auto ctl = client.write(ld0("GGIO1$CO$SPCSO1$Oper$ctlVal"), mms::Data{true});
  ASSERT_TRUE(ctl.ok()) << ctl.failure().describe();
  auto ena = client.write(ld0("LLN0$RP$urcb01$RptEna"), mms::Data{true});
  ASSERT_TRUE(ena.ok()) << ena.failure().describe();

  // The application changes a member of DataSet1: the server sends an InformationReport.
  const auto changed =
      model.update([](mms::Vmd& vmd) { return vmd.update(ld0("GGIO1$ST$Ind1$stVal"), mms::Data{true}); });
  ASSERT_FALSE(changed.has_value());
  const auto report = client.next_report(10s);
  ASSERT_TRUE(report.has_value()) << "no InformationReport within 10 s";

  auto rel = client.release();
  ASSERT_TRUE(rel.ok()) << rel.failure().describe();
}

TEST(LiveCapture, LoopbackAssociationDecodesCleanlyWithEveryService) {
  if (const char* skip = std::getenv("MMSSEC_SKIP_LIVE_CAPTURE");
      skip != nullptr && std::string_view(skip) == "1")
    GTEST_SKIP() << "MMSSEC_SKIP_LIVE_CAPTURE=1: live loopback capture skipped on request";

  Server srv;
  ASSERT_TRUE(srv.server->start().ok());
  const std::uint16_t port = srv.server->port();
  ASSERT_NE(port, 0);

  const test_support::ScratchDir dir("mmssec-live-capture");
  ASSERT_FALSE(dir.path().empty()) << "cannot create a temporary directory";
  const fs::path pcap = dir.path() / "live.pcap";

  // -P: classic pcap; -q: no packet counts; the filter keeps only this server's conversation.
  const std::string dumpcap = dumpcap_path();
  auto capture = test_support::Process::start(
      {dumpcap, "-i", "lo", "-f", "tcp port " + std::to_string(port), "-w", pcap.string(), "-P", "-q"});
  ASSERT_TRUE(capture.started()) << capture.error()
                                 << " (install Wireshark's dumpcap, package 'wireshark-common'/'tshark'; "
                                    "or set MMSSEC_SKIP_LIVE_CAPTURE=1 to skip this test)";
  // Capturing once dumpcap has announced it and written the pcap file header: it announces before it
  // opens the device (and may then fail for lack of permission), but opens the file only after.
  const bool capturing = capture.wait_until(
      [&] {
        return capture.err().find("Capturing on") != std::string::npos &&
               file_size_or_zero(pcap) >= kPcapHeaderSize;
      },
      10s);
  ASSERT_TRUE(capturing) << "dumpcap is not capturing on lo (live capture needs root or CAP_NET_RAW; set "
                            "MMSSEC_SKIP_LIVE_CAPTURE=1 to skip this test explicitly)\n"
                         << capture.describe();

  drive_association(port, *srv.model);
  if (HasFatalFailure()) return;

  EXPECT_TRUE(wait_for_complete_capture(pcap, *srv.server, 20s))
      << "the capture did not receive the whole conversation within 20 s";
  capture.signal(SIGINT);
  const auto ended = capture.wait(10s);
  ASSERT_EQ(ended.exit_code, 0) << ended.describe();
  srv.server->stop();

  test_support::TsharkOptions opts;
  // Loopback packets carry partial checksums (the kernel never fills them in on lo), so tshark
  // must not verify them.
  opts.check_checksums = false;
  opts.conversation.server_port = port;  // "decode as" TPKT on the ephemeral port
  opts.fields = {"cotp.type",
                 "ses.type",
                 "pres.cptype",
                 "pres.cpapdu",
                 "acse.aarq_element",
                 "acse.aare_element",
                 "acse.rlrq_element",
                 "acse.rlre_element",
                 "acse.result",
                 "mms.initiate_RequestPDU_element",
                 "mms.initiate_ResponsePDU_element",
                 "mms.confirmedServiceRequest",
                 "mms.confirmedServiceResponse",
                 "mms.unconfirmedService",
                 "mms.informationReport_element",
                 "mms.conclude_RequestPDU_element",
                 "mms.conclude_ResponsePDU_element",
                 "mms.itemId",
                 "mms.confirmed_ErrorPDU_element",
                 "mms.rejectPDU_element",
                 "acse.abrt_element"};
  const auto report = test_support::run_tshark_file(pcap.string(), opts);
  ASSERT_TRUE(report.clean()) << report.describe();

  // Transport, session and presentation connection establishment and the orderly release.
  const auto cotp = report.values("cotp.type");
  EXPECT_TRUE(contains(cotp, kCotpCr)) << joined(cotp);
  EXPECT_TRUE(contains(cotp, kCotpCc)) << joined(cotp);
  const auto ses = report.values("ses.type");
  for (const auto t : {kSessionConnect, kSessionAccept, kSessionFinish, kSessionDisconnect})
    EXPECT_TRUE(contains(ses, t)) << "session SPDU " << t << " missing: " << joined(ses);
  EXPECT_TRUE(report.has("pres.cptype"));
  EXPECT_TRUE(report.has("pres.cpapdu"));

  // ACSE: association accepted, then released; no abort.
  EXPECT_EQ(report.values("acse.aarq_element").size(), 1U);
  EXPECT_EQ(report.values("acse.aare_element").size(), 1U);
  EXPECT_EQ(report.values("acse.result"), (std::vector<std::string>{"0"}));
  EXPECT_EQ(report.values("acse.rlrq_element").size(), 1U);
  EXPECT_EQ(report.values("acse.rlre_element").size(), 1U);
  EXPECT_FALSE(report.has("acse.abrt_element"));

  // MMS: Initiate in the AARQ/AARE, the confirmed services each answered with the same service
  // in the same order, one InformationReport, Conclude; no error or reject PDU.
  EXPECT_EQ(report.values("mms.initiate_RequestPDU_element").size(), 1U);
  EXPECT_EQ(report.values("mms.initiate_ResponsePDU_element").size(), 1U);
  const auto requests = report.values("mms.confirmedServiceRequest");
  for (const auto s : {kIdentify, kGetNameList, kGetVariableAccessAttributes, kRead, kWrite})
    EXPECT_TRUE(contains(requests, s)) << "service " << s << " missing: " << joined(requests);
  EXPECT_EQ(requests.front(), kIdentify) << joined(requests);
  EXPECT_EQ(report.values("mms.confirmedServiceResponse"), requests);
  EXPECT_EQ(std::count(requests.begin(), requests.end(), kWrite), 2) << joined(requests);
  EXPECT_EQ(report.values("mms.unconfirmedService"),
            (std::vector<std::string>{std::string(kInformationReport)}));
  EXPECT_EQ(report.values("mms.informationReport_element").size(), 1U);
  EXPECT_EQ(report.values("mms.conclude_RequestPDU_element").size(), 1U);
  EXPECT_EQ(report.values("mms.conclude_ResponsePDU_element").size(), 1U);
  EXPECT_FALSE(report.has("mms.confirmed_ErrorPDU_element"));
  EXPECT_FALSE(report.has("mms.rejectPDU_element"));

  // The names on the wire: the variables read and written and the report's data set.
  const auto items = report.values("mms.itemId");
  for (const char* item : {"MMXU1$MX$TotW", "MMXU1$MX$TotW$mag$f", "GGIO1$CO$SPCSO1$Oper$ctlVal",
                           "LLN0$RP$urcb01$RptEna", "LLN0$DataSet1"})
    EXPECT_TRUE(contains(items, item)) << item << " not in " << joined(items);
}

}  // namespace
}  // namespace mmssec
