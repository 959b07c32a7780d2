// SPDX-License-Identifier: Apache-2.0
// The network subcommands of the built `mmssec` binary, run as programs: `demo`; `server` (its
// log, text and JSON, and its shutdown) with `client identify|list|read|write|watch` against it;
// the exit codes and messages of every failure class (bad arguments 2, cannot connect or listen
// 3, refused by the server 1, timed out 4); and `bench` (JSON and text results) against an
// in-process MmsServer. Every process runs with a deadline and is killed on overrun; everything
// is on 127.0.0.1, on ports the kernel picked.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "mmssec/core/bytes.hpp"
#include "mmssec/endpoint/model_host.hpp"
#include "mmssec/endpoint/server.hpp"
#include "mmssec/mms/default_model.hpp"
#include "mmssec/net/connection.hpp"
#include "mmssec/net/server.hpp"
#include "support/process.hpp"

#ifndef MMSSEC_TOOL_PATH
#error "MMSSEC_TOOL_PATH must name the mmssec binary"
#endif

namespace mmssec {
namespace {

using namespace std::chrono_literals;
using test_support::ProcessResult;

/// Deadline of one tool run (generous: the ASan build on a loaded CI machine is slow).
constexpr auto kRunLimit = 60s;
/// How long a started server may take to say it is listening.
constexpr auto kStartLimit = 20s;

constexpr const char* kTotW = "LD0/MMXU1$MX$TotW$mag$f";
constexpr const char* kInd1 = "LD0/GGIO1$ST$Ind1$stVal";
constexpr const char* kCtlVal = "LD0/GGIO1$CO$SPCSO1$Oper$ctlVal";
constexpr const char* kUrcb = "LD0/LLN0$RP$urcb01";

std::vector<std::string> tool_argv(std::vector<std::string> args) {
  args.insert(args.begin(), MMSSEC_TOOL_PATH);
  return args;
}

ProcessResult mmssec(std::vector<std::string> args) {
  return test_support::run_process(tool_argv(std::move(args)), kRunLimit);
}

bool has(const std::string& text, std::string_view needle) { return text.find(needle) != std::string::npos; }

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

/// The number after `"key":` in a flat JSON text; nullopt when the key is missing.
std::optional<double> json_number(const std::string& json, std::string_view key) {
  const std::string k = "\"" + std::string(key) + "\":";
  const auto at = json.find(k);
  if (at == std::string::npos) return std::nullopt;
  const char* begin = json.c_str() + at + k.size();
  char* end = nullptr;
  const double v = std::strtod(begin, &end);
  if (end == begin) return std::nullopt;
  return v;
}

/// A TCP socket bound to 127.0.0.1 on a port the kernel picked; listening when asked. Closing a
/// socket that never listened leaves a port nobody serves (connections to it are refused).
class LocalSocket {
 public:
  explicit LocalSocket(bool listen) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t len = sizeof a;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0 ||
        (listen && ::listen(fd_, 4) != 0) || ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
      ADD_FAILURE() << "cannot bind a loopback socket";
      return;
    }
    port_ = ntohs(a.sin_port);
  }
  ~LocalSocket() {
    if (fd_ >= 0) ::close(fd_);
  }
  LocalSocket(const LocalSocket&) = delete;
  LocalSocket& operator=(const LocalSocket&) = delete;
  [[nodiscard]] std::uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

/// A loopback port with nothing listening on it.
std::uint16_t unused_port() { return LocalSocket(false).port(); }

std::string url_of(std::uint16_t port) { return "mms://127.0.0.1:" + std::to_string(port); }
std::string listen_of(std::uint16_t port) { return "127.0.0.1:" + std::to_string(port); }

// ---------------------------------------------------------------------------------------------
// mmssec demo
// ---------------------------------------------------------------------------------------------

TEST(DemoCli, WalksThroughEveryStepOverTls) {
  const auto r = mmssec({"demo"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  for (const char* step :
       {"pki: made a lab PKI", "T-profile", "tls: handshake done: TLSv1.3", "client: associated",
        "identify: the server is 'mmssec", "list: GetNameList of domains", "read: LD0/MMXU1$MX$TotW$mag$f",
        "report: InformationReport of LD0/LLN0$DataSet1", "release: MMS Conclude, then ACSE RLRQ/RLRE",
        "refused in the TLS handshake, server alarm TLS_CERT_REVOKED", "server: 1 association"})
    EXPECT_TRUE(has(r.out, step)) << "missing step '" << step << "'\n" << r.out;
  EXPECT_FALSE(has(r.out, "FAILED")) << r.out;
}

TEST(DemoCli, PlainWalksThroughEveryStep) {
  const auto r = mmssec({"demo", "--plain"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_FALSE(has(r.out, "tls:")) << r.out;
  for (const char* step : {"plain RFC 1006, no security", "client: associated",
                           "identify: the server is 'mmssec", "list: GetNameList of domains",
                           "read: LD0/MMXU1$MX$TotW$mag$f", "report: InformationReport of LD0/LLN0$DataSet1",
                           "release: MMS Conclude, then ACSE RLRQ/RLRE", "server: 1 association"})
    EXPECT_TRUE(has(r.out, step)) << "missing step '" << step << "'\n" << r.out;
  EXPECT_FALSE(has(r.out, "FAILED")) << r.out;
}

// ---------------------------------------------------------------------------------------------
// mmssec server, with mmssec client against it
// ---------------------------------------------------------------------------------------------

/// `mmssec server` on a free loopback port; stopped with SIGINT at the end of each test, which
/// must end it normally (exit 0, graceful shutdown).
class ServerTool : public ::testing::Test {
 protected:
  void SetUp() override { start_server({}); }

  void TearDown() override {
    if (!server_) return;
    const auto end = stop_server(SIGINT);
    EXPECT_EQ(end.exit_code, 0) << end.describe();
  }

  void start_server(const std::vector<std::string>& extra) {
    // The port is free when picked but could be taken before the server binds it: try again.
    for (int attempt = 0; attempt < 3; ++attempt) {
      port_ = unused_port();
      std::vector<std::string> args{"server",     "--plain", "--listen",          listen_of(port_),
                                    "--duration", "120",     "--update-interval", "0.1"};
      args.insert(args.end(), extra.begin(), extra.end());
      server_ = std::make_unique<test_support::Process>(test_support::Process::start(tool_argv(args)));
      ASSERT_TRUE(server_->started()) << server_->error();
      if (server_->wait_for_stderr("listening on " + listen_of(port_), kStartLimit)) return;
      if (!has(server_->err(), "cannot listen")) break;
    }
    FAIL() << "the server did not start listening\n" << server_->describe();
  }

  /// Signal the server and wait for it to end; its whole log is in the result's err.
  ProcessResult stop_server(int sig) {
    server_->signal(sig);
    auto end = server_->wait(kRunLimit);
    server_.reset();
    return end;
  }

  ProcessResult client(std::vector<std::string> args) {
    args.insert(args.begin(), {"client", url_of(port_)});
    return mmssec(std::move(args));
  }

  std::uint16_t port_ = 0;
  std::unique_ptr<test_support::Process> server_;
};

TEST_F(ServerTool, ClientIdentify) {
  const auto r = client({"identify"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_TRUE(has(r.out, "vendor:   mmssec\n")) << r.out;
  EXPECT_TRUE(has(r.out, "model:    ")) << r.out;
  EXPECT_TRUE(has(r.out, "revision: ")) << r.out;
  EXPECT_TRUE(r.err.empty()) << r.err;
}

TEST_F(ServerTool, ClientListsDomains) {
  const auto r = client({"list"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(r.out, "LD0\n");
}

TEST_F(ServerTool, ClientListsVariablesAndDataSetsOfADomain) {
  const auto r = client({"list", "LD0"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const auto lines = lines_of(r.out);
  for (const char* name : {"LD0/LLN0", "LD0/MMXU1", kTotW, kInd1, kCtlVal, "LD0/LLN0$RP$urcb01$RptEna",
                           "LD0/LLN0$DataSet1  (data set)"})
    EXPECT_NE(std::find(lines.begin(), lines.end(), name), lines.end()) << name << " not listed\n" << r.out;
}

TEST_F(ServerTool, ClientListsRecursivelyWithTypes) {
  const auto r = client({"list", "LD0", "--recursive"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const auto lines = lines_of(r.out);
  // LD0/MMXU1 > MX > TotW > mag > f, each level indented by two more spaces.
  for (const char* line : {"LD0/MMXU1", "  MX", "    TotW", "      mag", "        f  float32",
                           "      q  bit-string(13)", "      t  utc-time", "LD0/LLN0$DataSet1  (data set)"})
    EXPECT_NE(std::find(lines.begin(), lines.end(), line), lines.end()) << "'" << line << "' missing\n"
                                                                        << r.out;
  // Components are shown inside their logical node, not as separate entries.
  EXPECT_EQ(std::find(lines.begin(), lines.end(), kTotW), lines.end()) << r.out;
}

TEST_F(ServerTool, ClientReadsOneVariable) {
  const auto r = client({"read", kTotW});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  // TotW = 1000 + 250 sin(...) W (mms/default_model.hpp): one number on one line.
  char* end = nullptr;
  const double w = std::strtod(r.out.c_str(), &end);
  EXPECT_EQ(std::string(end), "\n") << r.out;
  EXPECT_GE(w, 750.0);
  EXPECT_LE(w, 1250.0);
}

TEST_F(ServerTool, ClientReadsSeveralVariablesInOneRequest) {
  const auto r = client({"read", kTotW, kInd1});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const auto lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 2U) << r.out;
  EXPECT_EQ(lines[0].rfind(std::string(kTotW) + " = ", 0), 0U) << r.out;
  EXPECT_TRUE(lines[1] == std::string(kInd1) + " = true" || lines[1] == std::string(kInd1) + " = false")
      << r.out;
}

TEST_F(ServerTool, ClientWritesAControlAndReadsItBack) {
  const auto w = client({"write", kCtlVal, "true"});
  ASSERT_EQ(w.exit_code, 0) << w.describe();
  EXPECT_EQ(w.out, "ok\n");
  const auto r = client({"read", kCtlVal});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(r.out, "true\n");
}

TEST_F(ServerTool, ClientWatchReceivesAReport) {
  // The server toggles GGIO1 Ind1 (a member of DataSet1) every 5 updates of 0.1 s.
  const auto r = client({"watch", kUrcb, "--count", "1", "--duration", "15"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const auto lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 1U) << r.describe();
  EXPECT_EQ(lines[0].rfind("report LD0/LLN0$DataSet1: {", 0), 0U) << r.out;
  EXPECT_TRUE(has(r.err, "reports enabled (LD0/LLN0$RP$urcb01$RptEna = true)")) << r.err;
}

TEST_F(ServerTool, ClientReadOfMissingVariableExitsOne) {
  const auto r = client({"read", "LD0/MMXU1$MX$Nope"});
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_TRUE(has(r.err, "object-non-existent")) << r.err;
}

TEST_F(ServerTool, ClientWriteOfReadOnlyVariableExitsOne) {
  const auto r = client({"write", kTotW, "1.5"});
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_TRUE(has(r.err, "object-access-denied")) << r.err;
}

TEST_F(ServerTool, ClientWriteOfUnparsableValueExitsTwo) {
  // The value is checked against the type fetched from the server: a usage error, like a bad
  // reference, not a server refusal.
  const auto r = client({"write", kCtlVal, "maybe"});
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_TRUE(has(r.err, "'maybe' is not a boolean")) << r.err;
}

TEST_F(ServerTool, ClientBadReferenceExitsTwo) {
  const auto r = client({"read", "LD0/"});
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_TRUE(has(r.err, "empty item name")) << r.err;
}

TEST_F(ServerTool, TextLogNamesAssociationsAndRequests) {
  const auto r = client({"read", kTotW});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const auto end = stop_server(SIGTERM);
  EXPECT_EQ(end.exit_code, 0) << end.describe();
  const std::string& log = end.err;
  EXPECT_TRUE(has(log, "mmssec server listening on " + listen_of(port_))) << log;
  EXPECT_TRUE(has(log, " connection_opened")) << log;
  EXPECT_TRUE(has(log, " associated calling-ap=")) << log;
  EXPECT_TRUE(has(log, " request service=read ")) << log;
  EXPECT_TRUE(has(log, "object=LD0/MMXU1$MX$TotW$mag$f result=ok")) << log;
  EXPECT_TRUE(has(log, " released")) << log;
  EXPECT_TRUE(has(log, " connection_closed ")) << log;
  EXPECT_TRUE(has(log, "signal received: shutting down")) << log;
  EXPECT_TRUE(has(log, "served 1 associations (0 rejected, 0 aborted, 0 timed out)")) << log;
}

class ServerToolJsonLog : public ServerTool {
 protected:
  void SetUp() override { start_server({"--log-format", "json"}); }
};

TEST_F(ServerToolJsonLog, EveryRecordIsOneJsonObjectPerLine) {
  const auto r = client({"read", kTotW});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const auto end = stop_server(SIGINT);
  EXPECT_EQ(end.exit_code, 0) << end.describe();
  std::vector<std::string> records;
  for (const auto& line : lines_of(end.err)) {
    if (has(line, "\"event\":")) {
      EXPECT_EQ(line.front(), '{') << line;
      EXPECT_EQ(line.back(), '}') << line;
      records.push_back(line);
    }
  }
  auto any = [&](std::initializer_list<std::string_view> parts) {
    for (const auto& rec : records) {
      bool all = true;
      for (const auto p : parts) all = all && has(rec, p);
      if (all) return true;
    }
    return false;
  };
  EXPECT_TRUE(any({"\"event\":\"associated\"", "\"severity\":\"info\"", "\"peer\":\"127.0.0.1:"})) << end.err;
  EXPECT_TRUE(
      any({"\"event\":\"request\"", "\"service\":\"read\"", "\"object\":\"LD0/MMXU1$MX$TotW$mag$f\""}))
      << end.err;
  EXPECT_TRUE(any({"\"event\":\"released\""})) << end.err;
  EXPECT_TRUE(any({"\"event\":\"connection_closed\""})) << end.err;
}

TEST(ServerToolRun, DurationEndsTheServer) {
  const auto r = mmssec({"server", "--plain", "--listen", listen_of(unused_port()), "--duration", "0.5"});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_TRUE(has(r.err, "shutting down")) << r.err;
  EXPECT_TRUE(has(r.err, "served 0 associations")) << r.err;
}

TEST(ServerToolRun, BadArgumentsExitTwo) {
  const std::string ok = listen_of(unused_port());
  for (const std::vector<std::string>& args : {std::vector<std::string>{"--listen", "127.0.0.1"},
                                               {"--listen", "127.0.0.1:abc"},
                                               {"--listen", "127.0.0.1:70000"},
                                               {"--listen", "::1:102"},
                                               {"--listen", ":102"},
                                               {"--listen", ok, "--log-format", "xml"},
                                               {"--listen", ok, "--update-interval", "0"},
                                               {"--listen", ok, "--model", "/does/not/exist.model"},
                                               {"--listen", ok, "--frobnicate"}}) {
    std::vector<std::string> argv{"server", "--plain"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--duration", "0.5"});
    const auto r = mmssec(argv);
    std::string shown;
    for (const auto& a : args) shown += a + " ";
    EXPECT_EQ(r.exit_code, 2) << "args: " << shown << r.describe();
    EXPECT_FALSE(r.err.empty()) << "args: " << shown << r.describe();  // CLI11 or the tool's own message
  }
}

TEST(ServerToolRun, PlaintextOnlyWhenAskedFor) {
  // No credentials and no --plain: refused with a message saying how to proceed.
  auto r = mmssec({"server", "--listen", listen_of(unused_port()), "--duration", "0.5"});
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_TRUE(has(r.err, "no TLS credentials")) << r.err;
  EXPECT_TRUE(has(r.err, "mmssec pki init")) << r.err;
  EXPECT_TRUE(has(r.err, "--plain")) << r.err;
  // --plain together with credentials is contradictory.
  r = mmssec({"server", "--plain", "--pki", "/nonexistent", "--duration", "0.5"});
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  // --plain says so and raises the plaintext warning event.
  r = mmssec({"server", "--plain", "--listen", listen_of(unused_port()), "--duration", "0.5"});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_TRUE(has(r.err, "plain RFC 1006: NO security")) << r.err;
  EXPECT_TRUE(has(r.err, "WARNING TLS_PLAINTEXT")) << r.err;
}

TEST(ServerToolRun, PortInUseExitsThree) {
  const LocalSocket taken(true);
  const auto r = mmssec({"server", "--plain", "--listen", listen_of(taken.port()), "--duration", "5"});
  EXPECT_EQ(r.exit_code, 3) << r.describe();
  EXPECT_TRUE(has(r.err, "error: cannot listen on " + listen_of(taken.port()))) << r.err;
}

// ---------------------------------------------------------------------------------------------
// mmssec client: failures that need no MMS server
// ---------------------------------------------------------------------------------------------

TEST(ClientTool, BadUrlExitsTwo) {
  for (const char* url : {"http://127.0.0.1:102", "mms://", "mms://127.0.0.1:99999",
                          "mms://127.0.0.1:102/LD0", "127.0.0.1:102", "mms://::1:102"}) {
    const auto r = mmssec({"client", url, "identify"});
    EXPECT_EQ(r.exit_code, 2) << url << ": " << r.describe();
    EXPECT_EQ(r.err.rfind("error: ", 0), 0U) << url << ": " << r.err;
    EXPECT_TRUE(has(r.err, "URL") || has(r.err, "mms://HOST[:PORT]")) << url << ": " << r.err;
  }
}

TEST(ClientTool, MissingCommandExitsTwo) {
  const auto r = mmssec({"client", url_of(unused_port())});
  EXPECT_EQ(r.exit_code, 2) << r.describe();
}

TEST(ClientTool, UnreachablePortExitsThree) {
  const auto r = mmssec({"client", url_of(unused_port()), "--timeout", "5", "identify"});
  EXPECT_EQ(r.exit_code, 3) << r.describe();
  EXPECT_TRUE(has(r.err, "refused")) << r.err;
}

/// Accepts TCP and reads everything, answering nothing.
class Swallow final : public net::ConnectionHandler {
 public:
  net::Reply on_data(ByteView /*data*/) override { return {}; }
};

TEST(ClientTool, SilentServerTimesOutWithExitFour) {
  net::ServerConfig c;
  c.host = "127.0.0.1";
  c.port = 0;
  c.threads = 1;
  net::Server silent(c, [](const net::PeerInfo&) { return std::make_unique<Swallow>(); });
  ASSERT_TRUE(silent.start().ok());
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = mmssec({"client", url_of(silent.port()), "--timeout", "1", "identify"});
  const auto elapsed = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(r.exit_code, 4) << r.describe();
  EXPECT_TRUE(has(r.err, "timed out")) << r.err;
  EXPECT_FALSE(r.timed_out);
  EXPECT_LT(elapsed, 30s);  // bounded by --timeout, not by the run limit
  silent.stop();
}

// ---------------------------------------------------------------------------------------------
// mmssec bench (against an in-process server: the server is not the subject here)
// ---------------------------------------------------------------------------------------------

class BenchTool : public ::testing::Test {
 protected:
  void SetUp() override {
    model_ = std::make_shared<endpoint::ModelHost>();
    ASSERT_TRUE(model_->update([](mms::Vmd& vmd) { return mms::make_default_ied_model(vmd); }).ok());
    endpoint::ServerSettings s;
    s.network.host = "127.0.0.1";
    s.network.port = 0;
    s.network.threads = 1;
    server_ = std::make_unique<endpoint::MmsServer>(std::move(s), model_);
    ASSERT_TRUE(server_->start().ok());
  }
  void TearDown() override {
    if (server_) server_->stop();
  }

  /// The server counts a release once it has answered it; the tool may exit first.
  bool released(std::uint64_t n) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (server_->stats().released < n && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(10ms);
    return server_->stats().released == n;
  }

  ProcessResult bench(std::vector<std::string> args) {
    args.insert(args.begin(), {"bench", url_of(server_->port())});
    return mmssec(std::move(args));
  }

  std::shared_ptr<endpoint::ModelHost> model_;
  std::unique_ptr<endpoint::MmsServer> server_;
};

void expect_read_result(const ProcessResult& r, double associations, double outstanding) {
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const auto lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 1U) << r.out;
  const std::string& j = lines[0];
  EXPECT_EQ(j.front(), '{');
  EXPECT_EQ(j.back(), '}');
  EXPECT_TRUE(has(j, "\"mode\":\"read\"")) << j;
  EXPECT_TRUE(has(j, "\"read\":\"LD0/MMXU1$MX$TotW$mag$f\"")) << j;
  EXPECT_EQ(json_number(j, "associations"), associations) << j;
  EXPECT_EQ(json_number(j, "associated"), associations) << j;
  EXPECT_EQ(json_number(j, "outstanding"), outstanding) << j;
  EXPECT_GT(json_number(j, "reads").value_or(0), 0.0) << j;
  EXPECT_GT(json_number(j, "reads_per_second").value_or(0), 0.0) << j;
  EXPECT_TRUE(has(j, "\"latency_us\":{\"p50\":")) << j;
  for (const char* q : {"p50", "p90", "p99", "max"}) EXPECT_GT(json_number(j, q).value_or(0), 0.0) << q << j;
  EXPECT_EQ(json_number(j, "errors"), 0.0) << j;
  EXPECT_TRUE(has(j, "\"error_kinds\":{}")) << j;
  EXPECT_GT(json_number(j, "peak_rss_kib").value_or(0), 0.0) << j;
  EXPECT_TRUE(r.err.empty()) << "-q prints no progress: " << r.err;
}

TEST_F(BenchTool, ReadLoadAsJson) {
  const auto r = bench({"--read", kTotW, "-d", "1", "--warmup", "0", "-q", "--json"});
  expect_read_result(r, 1, 1);
  EXPECT_TRUE(released(1)) << server_->stats().released;
}

TEST_F(BenchTool, SeveralAssociationsWithOutstandingReads) {
  const auto r = bench({"--read", kTotW, "-n", "5", "-k", "4", "-d", "1", "--warmup", "0", "-q", "--json"});
  expect_read_result(r, 5, 4);
  EXPECT_TRUE(released(5)) << server_->stats().released;
  EXPECT_EQ(server_->stats().associations, 5U);
}

TEST_F(BenchTool, IdleAssociationsAreHeldAndReleased) {
  const auto r = bench({"--idle", "-n", "20", "-d", "1", "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_TRUE(has(r.out, "associations:  20/20 established")) << r.out;
  EXPECT_TRUE(has(r.out, "held:          20 idle associations")) << r.out;
  EXPECT_TRUE(has(r.out, "errors:        0\n")) << r.out;
  EXPECT_TRUE(released(20)) << server_->stats().released;
  const auto st = server_->stats();
  EXPECT_EQ(st.associations, 20U);
  EXPECT_EQ(st.requests, 20U);  // one Conclude each, nothing else
}

TEST_F(BenchTool, ReadOfMissingVariableCountsErrorsAndExitsOne) {
  const auto r = bench({"--read", "LD0/MMXU1$MX$Nope", "-d", "0.5", "--warmup", "0", "-q", "--json"});
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_GT(json_number(r.out, "errors").value_or(0), 0.0) << r.out;
  EXPECT_TRUE(has(r.out, "object-non-existent")) << r.out;
}

TEST(BenchToolErrors, UnreachableExitsThree) {
  const auto r = mmssec(
      {"bench", url_of(unused_port()), "--read", kTotW, "-d", "1", "--warmup", "0", "-q", "--timeout", "5"});
  EXPECT_EQ(r.exit_code, 3) << r.describe();
  EXPECT_TRUE(has(r.err, "no association could be established")) << r.err;
  EXPECT_TRUE(has(r.err, "refused")) << r.err;
}

TEST(BenchToolErrors, BadArgumentsExitTwo) {
  const std::string url = url_of(unused_port());
  for (const std::vector<std::string>& args : {std::vector<std::string>{"bench", url},
                                               {"bench", url, "--read", "LD0/"},
                                               {"bench", url, "--read", kTotW, "-n", "0"},
                                               {"bench", url, "--read", kTotW, "-k", "0"},
                                               {"bench", url, "--read", kTotW, "-d", "0"},
                                               {"bench", "mms://", "--read", kTotW}}) {
    const auto r = mmssec(args);
    std::string shown;
    for (const auto& a : args) shown += a + " ";
    EXPECT_EQ(r.exit_code, 2) << shown << r.describe();
    EXPECT_EQ(r.err.rfind("error: ", 0), 0U) << shown << r.err;
  }
  EXPECT_TRUE(has(mmssec({"bench", url}).err, "--read REF is required"));
}

}  // namespace
}  // namespace mmssec
