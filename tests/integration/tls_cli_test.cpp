// SPDX-License-Identifier: Apache-2.0
// The T-profile through the built `mmssec` binary: a lab PKI from `mmssec pki`, `mmssec server
// --pki` and `mmssec client mmss://` against it (identify, read), the refusals a user meets
// (plain URL with credentials, TLS URL without, a peer from another PKI, bad TLS options), a CRL
// reload by SIGHUP cutting a revoked live client, the key log, JSON security events, and `bench`
// over TLS (reads and association setups). Everything on 127.0.0.1, every run bounded.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "support/cli.hpp"
#include "support/process.hpp"

namespace mmssec {
namespace {

using namespace std::chrono_literals;
using test_support::contains;
using test_support::loopback;
using test_support::Process;
using test_support::ProcessResult;
using test_support::run_tool;
using test_support::ScratchDir;
using test_support::tool_argv;

constexpr const char* kTotW = "LD0/MMXU1$MX$TotW$mag$f";

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/// A lab PKI (p256: quick to make and to use) and a TLS server on it.
class TlsCli : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    pki_ = (dir_.path() / "lab").string();
    const auto r = run_tool({"pki", "init", pki_, "--key", "p256"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
  }

  void TearDown() override {
    if (!server_) return;
    server_->signal(SIGINT);
    const auto end = server_->wait(test_support::kToolRunLimit);
    EXPECT_EQ(end.exit_code, 0) << end.describe();
  }

  void start_server(const std::vector<std::string>& extra = {}) {
    for (int attempt = 0; attempt < 3; ++attempt) {
      port_ = test_support::unused_loopback_port();
      std::vector<std::string> args{"server",        "--pki",      pki_, "--listen",
                                    loopback(port_), "--duration", "120"};
      args.insert(args.end(), extra.begin(), extra.end());
      server_ = std::make_unique<Process>(Process::start(tool_argv(args)));
      ASSERT_TRUE(server_->started()) << server_->error();
      if (server_->wait_for_stderr("listening on " + loopback(port_), test_support::kToolStartLimit)) return;
      if (!contains(server_->err(), "cannot listen")) break;
    }
    FAIL() << "the server did not start listening\n" << server_->describe();
  }

  [[nodiscard]] std::string url() const { return "mmss://" + loopback(port_); }

  ProcessResult client(std::vector<std::string> args, const std::vector<std::string>& creds = {}) {
    std::vector<std::string> argv{"client", url(), "--timeout", "10"};
    if (creds.empty()) {
      argv.insert(argv.end(), {"--pki", pki_});
    } else {
      argv.insert(argv.end(), creds.begin(), creds.end());
    }
    argv.insert(argv.end(), args.begin(), args.end());
    return run_tool(argv);
  }

  ScratchDir dir_{"mmssec-tls-cli"};
  std::string pki_;
  std::uint16_t port_ = 0;
  std::unique_ptr<Process> server_;
};

TEST_F(TlsCli, ClientReachesTheServerOverTlsWithMutualAuthentication) {
  start_server();
  EXPECT_TRUE(contains(server_->err(), "(TLSv1.2 to TLSv1.3, mutual authentication, CRL checking)"))
      << server_->err();
  auto r = client({"identify"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_TRUE(contains(r.out, "model:    mmssec server")) << r.out;
  r = client({"read", kTotW});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  // Options may also follow the command.
  r = run_tool({"client", url(), "identify", "--pki", pki_});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  ASSERT_TRUE(server_->wait_for_stderr("TLS_ESTABLISHED", 10s)) << server_->err();
  EXPECT_TRUE(contains(server_->err(), "INFO TLS_ESTABLISHED")) << server_->err();
  EXPECT_TRUE(contains(server_->err(), "CN=client")) << server_->err();
}

TEST_F(TlsCli, PlainUrlWithCredentialsAndTlsUrlWithoutAreRefused) {
  auto r = run_tool({"client", "mms://127.0.0.1:1", "--pki", pki_, "identify"});
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_TRUE(contains(r.err, "use mmss://")) << r.err;
  r = run_tool({"client", "mmss://127.0.0.1:1", "identify"});
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_TRUE(contains(r.err, "TLS needs")) << r.err;
  EXPECT_TRUE(contains(r.err, "mmssec pki init")) << r.err;
}

TEST_F(TlsCli, PeersFromAnotherPkiAreRefusedWithTheReason) {
  start_server();
  const std::string other = (dir_.path() / "other").string();
  ASSERT_EQ(run_tool({"pki", "init", other, "--key", "p256"}).exit_code, 0);
  // The client does not trust the server's CA: it refuses and says why.
  auto r = client({"identify"}, {"--pki", other});
  EXPECT_EQ(r.exit_code, 3) << r.describe();
  EXPECT_TRUE(contains(r.err, "ALARM TLS_CERT_UNTRUSTED")) << r.err;
  // The client trusts the server, but the server does not know the client's CA.
  r = client({"identify"},
             {"--cert", other + "/client.crt", "--key", other + "/client.key", "--ca", pki_ + "/ca.crt"});
  EXPECT_EQ(r.exit_code, 3) << r.describe();
  EXPECT_TRUE(server_->wait_for_stderr("ALARM TLS_CERT_UNTRUSTED", 10s)) << server_->err();
}

TEST_F(TlsCli, SighupReloadsTheCrlAndCutsARevokedLiveClient) {
  start_server();
  auto issued = run_tool({"pki", "issue", pki_, "rtu7", "--purpose", "client"});
  ASSERT_EQ(issued.exit_code, 0) << issued.describe();
  // A long-lived client (watch) with the new identity.
  auto watcher = Process::start(tool_argv({"client", url(), "--pki", pki_, "--cert", pki_ + "/rtu7.crt",
                                           "--key", pki_ + "/rtu7.key", "watch", "--duration", "30"}));
  ASSERT_TRUE(watcher.started()) << watcher.error();
  ASSERT_TRUE(server_->wait_for_stderr("CN=rtu7", 20s)) << server_->err() << watcher.describe();
  auto revoked = run_tool({"pki", "revoke", pki_, "rtu7"});
  ASSERT_EQ(revoked.exit_code, 0) << revoked.describe();
  server_->signal(SIGHUP);
  EXPECT_TRUE(server_->wait_for_stderr("ALARM TLS_PEER_REVOKED", 15s)) << server_->err();
  EXPECT_TRUE(contains(server_->err(), "INFO TLS_CRL_RELOADED")) << server_->err();
  const auto end = watcher.wait(20s);
  EXPECT_FALSE(end.timed_out) << end.describe();
  EXPECT_NE(end.exit_code, 0) << end.describe();
  // The revoked identity cannot come back; the others still can.
  auto again =
      client({"identify"}, {"--pki", pki_, "--cert", pki_ + "/rtu7.crt", "--key", pki_ + "/rtu7.key"});
  EXPECT_NE(again.exit_code, 0) << again.describe();
  EXPECT_TRUE(server_->wait_for_stderr("ALARM TLS_CERT_REVOKED", 10s)) << server_->err();
  EXPECT_EQ(client({"identify"}).exit_code, 0);
}

TEST_F(TlsCli, KeylogIsAnnouncedAndWritten) {
  const auto keylog = dir_.path() / "keys.log";
  start_server({"--keylog", keylog.string()});
  EXPECT_TRUE(contains(server_->err(), "WARNING TLS_KEYLOG_ENABLED")) << server_->err();
  ASSERT_EQ(client({"identify"}).exit_code, 0);
  EXPECT_TRUE(contains(read_file(keylog), "CLIENT_TRAFFIC_SECRET_0")) << read_file(keylog);
  EXPECT_EQ(std::filesystem::status(keylog).permissions() & std::filesystem::perms::others_read,
            std::filesystem::perms::none);
}

TEST_F(TlsCli, JsonSecurityEvents) {
  start_server({"--log-format", "json"});
  ASSERT_EQ(client({"identify"}).exit_code, 0);
  ASSERT_TRUE(server_->wait_for_stderr("\"mnemonic\":\"TLS_ESTABLISHED\"", 10s)) << server_->err();
}

/// A UDP socket on 127.0.0.1 (ephemeral port) standing in for a syslog collector.
class UdpCollector {
 public:
  UdpCollector() {
    fd_ = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (fd_ >= 0 && ::bind(fd_, reinterpret_cast<const sockaddr*>(&a), sizeof a) == 0 &&
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
      port_ = ntohs(a.sin_port);
    }
  }
  ~UdpCollector() {
    if (fd_ >= 0) ::close(fd_);
  }
  UdpCollector(const UdpCollector&) = delete;
  UdpCollector& operator=(const UdpCollector&) = delete;
  [[nodiscard]] std::uint16_t port() const { return port_; }
  /// Datagrams until one contains `needle` (true) or `limit` passes.
  bool wait_for(std::string_view needle, std::chrono::milliseconds limit, std::string& seen) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      char buf[8192];
      const auto n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) continue;
      const std::string d(buf, static_cast<std::size_t>(n));
      seen += d + "\n";
      if (contains(d, needle)) return true;
    }
    return false;
  }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

TEST_F(TlsCli, SecurityEventsGoToSyslogAsRfc5424) {
  UdpCollector collector;
  ASSERT_NE(collector.port(), 0);
  start_server({"--syslog", loopback(collector.port())});
  ASSERT_EQ(client({"identify"}).exit_code, 0);
  std::string seen;
  ASSERT_TRUE(collector.wait_for("TLS_ESTABLISHED", 10s, seen)) << seen;
  // RFC 5424: <PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD-ID ...]; authpriv (10) * 8 + info (6).
  EXPECT_TRUE(contains(seen, "<86>1 ")) << seen;
  EXPECT_TRUE(contains(seen, " mmssec ")) << seen;
  EXPECT_TRUE(contains(seen, "[mmssec@32473 ")) << seen;
  // And still on stderr.
  EXPECT_TRUE(server_->wait_for_stderr("INFO TLS_ESTABLISHED", 10s)) << server_->err();
}

TEST_F(TlsCli, BadTlsOptionsExitTwoWithAReason) {
  const std::string p = test_support::loopback(test_support::unused_loopback_port());
  struct Case {
    std::vector<std::string> args;
    const char* says;
  };
  const std::vector<Case> cases = {
      {{"--pki", pki_, "--tls-min", "1.4"}, "--tls-min"},
      {{"--pki", pki_, "--cipher-suites", "TLS_DH_RSA_WITH_AES_128_GCM_SHA256"},
       "TLS_DH_RSA_WITH_AES_128_GCM_SHA256"},
      {{"--pki", pki_, "--cipher-suites", "TLS_RSA_WITH_NULL_SHA256"}, "NULL"},
      {{"--pki", pki_, "--resumption-interval", "7200", "--renegotiation-interval", "3600"}, "resumption"},
      {{"--pki", pki_, "--renegotiation-interval", "100000"}, "24"},
      {{"--pki", (dir_.path() / "missing").string()}, "mmssec pki init"},
      {{"--pki", pki_, "--syslog", "no-such-host-form"}, "--syslog"},
      {{"--pki", pki_, "--security-log", "xml"}, "--security-log"},
      {{"--cert", pki_ + "/server.crt", "--key", pki_ + "/client.key", "--ca", pki_ + "/ca.crt"}, "key"},
  };
  for (const auto& c : cases) {
    std::vector<std::string> argv{"server", "--listen", p, "--duration", "0.5"};
    argv.insert(argv.end(), c.args.begin(), c.args.end());
    const auto r = run_tool(argv);
    std::string shown;
    for (const auto& a : c.args) shown += a + " ";
    EXPECT_EQ(r.exit_code, 2) << shown << r.describe();
    EXPECT_TRUE(contains(r.err, c.says)) << shown << "\nexpected '" << c.says << "' in:\n" << r.err;
  }
}

TEST_F(TlsCli, BenchReadsAndSetupsOverTls) {
  start_server({"--no-request-log"});
  auto r = run_tool({"bench", url(), "--pki", pki_, "--read", kTotW, "-n", "2", "-k", "2", "-d", "1",
                     "--warmup", "0", "-q", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_TRUE(contains(r.out, "\"reads_per_second\":")) << r.out;
  EXPECT_FALSE(contains(r.out, "\"reads\":0,")) << r.out;
  r = run_tool(
      {"bench", url(), "--pki", pki_, "--setups", "-n", "2", "-d", "1", "--warmup", "0", "-q", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_TRUE(contains(r.out, "\"mode\":\"setups\",\"tls\":true")) << r.out;
  EXPECT_FALSE(contains(r.out, "\"setups\":0,")) << r.out;
}

}  // namespace
}  // namespace mmssec
