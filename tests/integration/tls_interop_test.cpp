// SPDX-License-Identifier: Apache-2.0
// The T-profile against OpenSSL's own tools as independent peers (issue 4):
//   - `openssl s_client` against `mmssec server`: TLS 1.1 refused, 1.2 and 1.3 accepted, each
//     default suite negotiable, missing/untrusted/expired/not-yet-valid/revoked client
//     certificates refused with their event, renegotiation and resumption on schedule, a CRL
//     reload (SIGHUP) cutting live revoked peers, a stalled renegotiation disconnected;
//   - `mmssec client` against `openssl s_server`: TLS 1.2 and 1.3, the compatibility suites a
//     libiec61850 server offers, an untrusted, expired or TLS 1.1-only server refused;
//   - a live capture of our server on lo that tshark dissects cleanly, and with the server's key
//     log decrypts down to MMS.
// Credentials come from the pki library in a scratch directory. Everything runs on 127.0.0.1 and
// every child process has a deadline; waits are on conditions, never on fixed sleeps.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "mmssec/capture/packet.hpp"
#include "mmssec/capture/pcap.hpp"
#include "mmssec/pki/pki.hpp"
#include "support/cli.hpp"
#include "support/process.hpp"
#include "support/tshark.hpp"

namespace mmssec {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using test_support::contains;
using test_support::loopback;
using test_support::Process;
using test_support::ProcessResult;
using test_support::run_process;
using test_support::run_tool;
using test_support::ScratchDir;
using test_support::tool_argv;

/// How long an expected event, exit or handshake may take (the ASan build on a busy machine).
constexpr auto kWait = 10s;
/// Deadline of one s_client run that is expected to end by itself.
constexpr auto kPeerRunLimit = 15s;

std::string read_file(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

/// The security-event lines of a log that carry `mnemonic` ("TLS_CERT_REVOKED") and every one of
/// `needles` (fields such as "version=TLSv1.3").
std::vector<std::string> events(const std::string& log, std::string_view mnemonic,
                                const std::vector<std::string>& needles = {}) {
  std::vector<std::string> out;
  const std::string tag = " " + std::string(mnemonic) + " [IEC62351-4:";
  for (auto& l : lines_of(log)) {
    if (!contains(l, tag)) continue;
    if (std::all_of(needles.begin(), needles.end(), [&](const std::string& n) { return contains(l, n); }))
      out.push_back(std::move(l));
  }
  return out;
}

std::size_t count_of(const std::string& text, std::string_view needle) {
  std::size_t n = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

/// Whether a TCP socket listens on `port` (any address), from /proc/net/tcp{,6}: finding out by
/// connecting would use up the one connection an `s_server -naccept 1` serves.
bool listening_on(std::uint16_t port) {
  char want[8];
  std::snprintf(want, sizeof want, ":%04X", static_cast<unsigned>(port));
  for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    std::ifstream in(table);
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      std::istringstream row(line);
      std::string slot, local, remote, state;
      row >> slot >> local >> remote >> state;
      if (state == "0A" && local.size() > 5 && local.compare(local.size() - 5, 5, want) == 0) return true;
    }
  }
  return false;
}

/// A FIFO whose write end this object holds open, so that a child reading it as stdin never
/// sees end-of-file: `s_server` (unless -quiet) drops its connection at EOF on stdin, with or
/// without -ign_eof, and Process gives children /dev/null.
class HeldFifo {
 public:
  explicit HeldFifo(fs::path path) : path_(std::move(path)) {
    if (::mkfifo(path_.c_str(), 0600) == 0) fd_ = ::open(path_.c_str(), O_RDWR | O_CLOEXEC);
  }
  ~HeldFifo() {
    if (fd_ >= 0) ::close(fd_);
  }
  HeldFifo(const HeldFifo&) = delete;
  HeldFifo& operator=(const HeldFifo&) = delete;
  [[nodiscard]] bool ok() const { return fd_ >= 0; }
  [[nodiscard]] const fs::path& path() const { return path_; }

 private:
  fs::path path_;
  int fd_ = -1;
};

/// A lab PKI directory made by pki::init().
struct Lab {
  fs::path dir;
  [[nodiscard]] std::string ca() const { return pki::certificate_path(dir, pki::kCaName).string(); }
  [[nodiscard]] std::string cert(std::string_view name) const {
    return pki::certificate_path(dir, name).string();
  }
  [[nodiscard]] std::string key(std::string_view name) const { return pki::key_path(dir, name).string(); }
};

pki::Time days_from_now(int days) { return std::chrono::system_clock::now() + std::chrono::hours(24 * days); }

class TlsInterop : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_FALSE(dir_.path().empty()); }

  void TearDown() override { stop_server(); }

  // --- credentials -------------------------------------------------------------------------

  Lab make_lab(const std::string& name, pki::KeyType key) {
    Lab lab{dir_.path() / name};
    pki::InitOptions o;
    o.key = key;
    const auto r = pki::init(lab.dir, o);
    EXPECT_TRUE(r.ok()) << name << ": " << (r.ok() ? "" : r.failure().describe());
    return lab;
  }

  /// NAME.crt/NAME.key of `lab`, valid from `not_before` to `not_after` when given.
  void issue(const Lab& lab, const std::string& name, pki::Purpose purpose,
             std::optional<pki::Time> not_before = std::nullopt,
             std::optional<pki::Time> not_after = std::nullopt) {
    pki::IssueOptions o;
    o.name = name;
    o.purpose = purpose;
    o.not_before = not_before;
    o.not_after = not_after;
    const auto r = pki::issue(lab.dir, o);
    ASSERT_TRUE(r.ok()) << name << ": " << r.failure().describe();
  }

  // --- our server --------------------------------------------------------------------------

  /// `mmssec server --pki LAB` on a free port. The association timeout is long: s_client never
  /// speaks MMS, and the MMS layer must not close its connections during a test.
  void start_server(const Lab& lab, const std::vector<std::string>& extra = {}) {
    stop_server();
    for (int attempt = 0; attempt < 3; ++attempt) {
      port_ = test_support::unused_loopback_port();
      std::vector<std::string> args{
          "server",     "--pki", lab.dir.string(),        "--listen", loopback(port_),
          "--duration", "120",   "--association-timeout", "120",      "--no-request-log"};
      args.insert(args.end(), extra.begin(), extra.end());
      server_ = std::make_unique<Process>(Process::start(tool_argv(args)));
      ASSERT_TRUE(server_->started()) << server_->error();
      if (server_->wait_for_stderr("listening on " + loopback(port_), test_support::kToolStartLimit)) return;
      if (!contains(server_->err(), "cannot listen")) break;
    }
    FAIL() << "the server did not start listening\n" << server_->describe();
  }

  /// SIGINT, then the server must stop cleanly (exit 0; under ASan also without a finding).
  void stop_server() {
    if (!server_) return;
    server_->signal(SIGINT);
    const auto end = server_->wait(test_support::kToolRunLimit);
    EXPECT_EQ(end.exit_code, 0) << end.describe();
    server_.reset();
  }

  /// Waits until the server has logged at least `n` events `mnemonic` with all of `needles`.
  bool server_logs(std::string_view mnemonic, const std::vector<std::string>& needles = {}, std::size_t n = 1,
                   std::chrono::milliseconds limit = kWait) {
    return server_->wait_until([&] { return events(server_->err(), mnemonic, needles).size() >= n; }, limit);
  }

  // --- openssl s_client against our server ---------------------------------------------------

  /// `openssl s_client` to our server, trusting `trust`'s CA (and failing if our certificate does
  /// not verify), with the identity `name` of `id` unless `name` is empty.
  std::vector<std::string> s_client(const Lab& trust, const Lab* id, const std::string& name,
                                    const std::vector<std::string>& extra) const {
    std::vector<std::string> a{
        "openssl", "s_client", "-connect", loopback(port_), "-CAfile", trust.ca(), "-verify_return_error"};
    if (id != nullptr && !name.empty()) a.insert(a.end(), {"-cert", id->cert(name), "-key", id->key(name)});
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }

  /// An s_client that stays connected (-ign_eof) until it is stopped or the server closes.
  Process connected_s_client(const Lab& trust, const Lab* id, const std::string& name,
                             std::vector<std::string> extra) const {
    extra.push_back("-ign_eof");
    return Process::start(s_client(trust, id, name, extra));
  }

  /// s_client with -ign_eof, so that it waits for the server's verdict (TLS 1.3 clients finish
  /// their handshake before the server has checked their certificate), must be refused: it exits
  /// with an error and `alert` on stderr, and the server raises one more `mnemonic`.
  void expect_refused(const Lab& trust, const Lab* id, const std::string& name,
                      std::vector<std::string> extra, std::string_view alert, std::string_view mnemonic) {
    std::string what;
    for (const auto& e : extra) what += e + " ";
    what += name.empty() ? "(no certificate)" : name;
    const std::size_t before = events(server_->err(), mnemonic).size();
    const std::size_t established = events(server_->err(), "TLS_ESTABLISHED").size();
    extra.push_back("-ign_eof");
    const auto r = run_process(s_client(trust, id, name, extra), kPeerRunLimit);
    EXPECT_FALSE(r.timed_out) << what << ": s_client was not refused\n" << r.describe();
    EXPECT_NE(r.exit_code, 0) << what << "\n" << r.describe();
    EXPECT_TRUE(contains(r.err, alert)) << what << ": no '" << alert << "'\n" << r.describe();
    EXPECT_TRUE(server_logs(mnemonic, {"ALARM"}, before + 1)) << what << ": no " << mnemonic << "\n"
                                                              << server_->err();
    EXPECT_EQ(events(server_->err(), "TLS_ESTABLISHED").size(), established) << what << "\n"
                                                                             << server_->err();
  }

  // --- openssl s_server against our client ---------------------------------------------------

  /// `openssl s_server -brief -naccept 1 ARGS` on a free port, stdin held open; returns when it
  /// listens. -brief prints "Protocol version:" and "Ciphersuite:" on stderr; the plaintext it
  /// receives goes to stdout.
  void start_s_server(const std::vector<std::string>& args) {
    s_server_.reset();
    fifo_ = std::make_unique<HeldFifo>(dir_.path() / ("s_server-stdin-" + std::to_string(++fifos_)));
    ASSERT_TRUE(fifo_->ok()) << "cannot make a FIFO in " << dir_.path();
    for (int attempt = 0; attempt < 3; ++attempt) {
      port_ = test_support::unused_loopback_port();
      std::vector<std::string> argv{"/bin/sh",
                                    "-c",
                                    "exec \"$@\" < \"$0\"",
                                    fifo_->path().string(),
                                    "openssl",
                                    "s_server",
                                    "-accept",
                                    loopback(port_),
                                    "-naccept",
                                    "1",
                                    "-brief"};
      argv.insert(argv.end(), args.begin(), args.end());
      s_server_ = std::make_unique<Process>(Process::start(argv));
      ASSERT_TRUE(s_server_->started()) << s_server_->error();
      if (s_server_->wait_until([&] { return listening_on(port_); }, kWait)) return;
      if (s_server_->running()) break;  // neither listening nor gone: give up
    }
    FAIL() << "s_server did not start listening\n" << s_server_->describe();
  }

  /// `mmssec client mmss://127.0.0.1:PORT --pki LAB --timeout 2 identify`. s_server does not
  /// speak MMS, so a client that completed TLS times out waiting for the association (exit 4).
  ProcessResult our_client(const Lab& lab, const std::vector<std::string>& extra = {}) const {
    std::vector<std::string> args{
        "client", "mmss://" + loopback(port_), "--pki", lab.dir.string(), "--timeout", "2"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.emplace_back("identify");
    return run_tool(args);
  }

  /// Runs our client against the s_server started last, then waits for s_server to end.
  std::pair<ProcessResult, ProcessResult> our_client_against_s_server(const Lab& lab) {
    auto client = our_client(lab);
    auto server = s_server_->wait(kWait);
    return {std::move(client), std::move(server)};
  }

  ScratchDir dir_{"mmssec-tls-interop"};
  std::uint16_t port_ = 0;
  std::unique_ptr<Process> server_;
  std::unique_ptr<HeldFifo> fifo_;
  std::unique_ptr<Process> s_server_;
  int fifos_ = 0;
};

/// The TPKT header and COTP CR code our client sends first: seeing it in s_server's plaintext
/// output shows application data crossed the TLS session.
bool has_cotp_connect_request(const std::string& plaintext) {
  const std::size_t at = plaintext.find(std::string("\x03\x00", 2));
  return at != std::string::npos && at + 5 < plaintext.size() && plaintext[at + 5] == '\xE0';
}

// =============================================================================================
// openssl s_client -> mmssec server
// =============================================================================================

TEST_F(TlsInterop, SClientTls11IsRefused) {
  const Lab ec = make_lab("ec", pki::KeyType::p256);
  ASSERT_NO_FATAL_FAILURE(start_server(ec));
  // OpenSSL 3 refuses TLS 1.1 at its default security level; SECLEVEL=0 makes it offer it.
  const auto r =
      run_process(s_client(ec, &ec, "client", {"-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"}), kPeerRunLimit);
  EXPECT_NE(r.exit_code, 0) << r.describe();
  EXPECT_TRUE(contains(r.err, "alert protocol version")) << r.describe();
  EXPECT_TRUE(server_logs("TLS_HANDSHAKE_FAILED", {"ALARM", "unsupported protocol"})) << server_->err();
  EXPECT_TRUE(events(server_->err(), "TLS_ESTABLISHED").empty()) << server_->err();
  EXPECT_TRUE(events(server_->err(), "TLS_WEAK_VERSION").empty()) << server_->err();
}

TEST_F(TlsInterop, SClientTls12AndTls13AreAcceptedWithTheDefaults) {
  const Lab ec = make_lab("ec", pki::KeyType::p256);
  ASSERT_NO_FATAL_FAILURE(start_server(ec));
  struct Case {
    const char* flag;  // empty: s_client's own default (the highest version)
    const char* line;
    const char* version;
  };
  const Case cases[] = {
      {"-tls1_2", "New, TLSv1.2, Cipher is ECDHE-ECDSA-AES128-GCM-SHA256", "version=TLSv1.2"},
      {"-tls1_3", "New, TLSv1.3, Cipher is TLS_AES_128_GCM_SHA256", "version=TLSv1.3"},
      {"", "New, TLSv1.3, Cipher is TLS_AES_128_GCM_SHA256", "version=TLSv1.3"},
  };
  std::size_t n = 0;
  for (const auto& c : cases) {
    std::vector<std::string> extra;
    if (*c.flag != '\0') extra.emplace_back(c.flag);
    const auto r = run_process(s_client(ec, &ec, "client", extra), kPeerRunLimit);
    EXPECT_EQ(r.exit_code, 0) << c.flag << "\n" << r.describe();
    EXPECT_TRUE(contains(r.out, c.line)) << c.flag << "\n" << r.out;
    EXPECT_TRUE(contains(r.out, "Verify return code: 0 (ok)")) << c.flag << "\n" << r.out;
    ASSERT_TRUE(server_logs("TLS_ESTABLISHED", {"INFO", "subject=CN=client"}, ++n)) << server_->err();
    EXPECT_TRUE(contains(events(server_->err(), "TLS_ESTABLISHED").back(), c.version)) << server_->err();
  }
  EXPECT_EQ(events(server_->err(), "TLS_ESTABLISHED").size(), 3U) << server_->err();
  EXPECT_TRUE(events(server_->err(), "TLS_WEAK_VERSION").empty()) << server_->err();
}

struct Suite {
  const char* openssl_name;  ///< as s_client -cipher / -ciphersuites and its output name it
  const char* iana_name;     ///< as our events name it
};

/// s_client offering only `suite` (with `flag`, -cipher or -ciphersuites) must agree on it with
/// our server at `version`.
void expect_negotiated(const std::vector<std::string>& s_client_argv, const char* flag, const char* version,
                       const Suite& suite, Process& server) {
  std::vector<std::string> argv = s_client_argv;
  argv.insert(argv.end(), {flag, suite.openssl_name});
  const auto r = run_process(argv, kPeerRunLimit);
  EXPECT_EQ(r.exit_code, 0) << suite.openssl_name << "\n" << r.describe();
  EXPECT_TRUE(contains(r.out, std::string("New, ") + version + ", Cipher is " + suite.openssl_name))
      << suite.openssl_name << "\n"
      << r.out;
  const std::vector<std::string> fields{std::string("version=") + version,
                                        std::string("suite=") + suite.iana_name + ","};
  EXPECT_TRUE(
      server.wait_until([&] { return !events(server.err(), "TLS_ESTABLISHED", fields).empty(); }, kWait))
      << suite.iana_name << "\n"
      << server.err();
}

TEST_F(TlsInterop, SClientNegotiatesEachDefaultTls12Suite) {
  // 0xC02B needs an ECDSA server certificate.
  const Lab ec = make_lab("ec", pki::KeyType::p256);
  ASSERT_NO_FATAL_FAILURE(start_server(ec));
  expect_negotiated(s_client(ec, &ec, "client", {"-tls1_2"}), "-cipher", "TLSv1.2",
                    {"ECDHE-ECDSA-AES128-GCM-SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"}, *server_);
  // 0xC02F, 0x009E and 0x003C need an RSA one.
  const Lab rsa = make_lab("rsa", pki::KeyType::rsa2048);
  ASSERT_NO_FATAL_FAILURE(start_server(rsa));
  for (const Suite& s : {Suite{"ECDHE-RSA-AES128-GCM-SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
                         Suite{"DHE-RSA-AES128-GCM-SHA256", "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"},
                         Suite{"AES128-SHA256", "TLS_RSA_WITH_AES_128_CBC_SHA256"}}) {
    expect_negotiated(s_client(rsa, &rsa, "client", {"-tls1_2"}), "-cipher", "TLSv1.2", s, *server_);
  }
  // Suites outside the server's defaults are refused, the client-only compatibility suite too.
  for (const char* other : {"ECDHE-RSA-AES256-GCM-SHA384", "AES128-SHA"}) {
    expect_refused(rsa, &rsa, "client", {"-tls1_2", "-cipher", other}, "alert handshake failure",
                   "TLS_NO_CIPHER");
  }
}

TEST_F(TlsInterop, SClientNegotiatesEachDefaultTls13Suite) {
  const Lab ec = make_lab("ec", pki::KeyType::p256);
  ASSERT_NO_FATAL_FAILURE(start_server(ec));
  for (const Suite& s : {Suite{"TLS_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256"},
                         Suite{"TLS_AES_256_GCM_SHA384", "TLS_AES_256_GCM_SHA384"},
                         Suite{"TLS_AES_128_CCM_SHA256", "TLS_AES_128_CCM_SHA256"}}) {
    expect_negotiated(s_client(ec, &ec, "client", {"-tls1_3"}), "-ciphersuites", "TLSv1.3", s, *server_);
  }
  expect_refused(ec, &ec, "client", {"-tls1_3", "-ciphersuites", "TLS_CHACHA20_POLY1305_SHA256"},
                 "alert handshake failure", "TLS_NO_CIPHER");
}

TEST_F(TlsInterop, SClientWithoutCertificateIsRefused) {
  const Lab ec = make_lab("ec", pki::KeyType::p256);
  ASSERT_NO_FATAL_FAILURE(start_server(ec));
  expect_refused(ec, nullptr, "", {"-tls1_2"}, "alert handshake failure", "TLS_CERT_UNAVAILABLE");
  expect_refused(ec, nullptr, "", {"-tls1_3"}, "alert certificate required", "TLS_CERT_UNAVAILABLE");
}

TEST_F(TlsInterop, SClientWithUntrustedCertificateIsRefused) {
  const Lab ec = make_lab("ec", pki::KeyType::p256);
  const Lab other = make_lab("other", pki::KeyType::p256);
  ASSERT_NO_FATAL_FAILURE(start_server(ec));
  for (const char* v : {"-tls1_2", "-tls1_3"})
    expect_refused(ec, &other, "client", {v}, "alert unknown ca", "TLS_CERT_UNTRUSTED");
}

TEST_F(TlsInterop, SClientWithExpiredCertificateIsRefused) {
  const Lab ec = make_lab("ec", pki::KeyType::p256);
  ASSERT_NO_FATAL_FAILURE(
      issue(ec, "expired", pki::Purpose::tls_client, days_from_now(-30), days_from_now(-1)));
  ASSERT_NO_FATAL_FAILURE(start_server(ec));
  for (const char* v : {"-tls1_2", "-tls1_3"})
    expect_refused(ec, &ec, "expired", {v}, "alert certificate expired", "TLS_CERT_EXPIRED");
  EXPECT_EQ(events(server_->err(), "TLS_CERT_EXPIRED", {"subject=CN=expired"}).size(), 2U) << server_->err();
}

TEST_F(TlsInterop, SClientWithNotYetValidCertificateIsRefused) {
  const Lab ec = make_lab("ec", pki::KeyType::p256);
  ASSERT_NO_FATAL_FAILURE(issue(ec, "future", pki::Purpose::tls_client, days_from_now(1), days_from_now(30)));
  ASSERT_NO_FATAL_FAILURE(start_server(ec));
  for (const char* v : {"-tls1_2", "-tls1_3"})
    expect_refused(ec, &ec, "future", {v}, "alert bad certificate", "TLS_CERT_NOT_YET_VALID");
}

TEST_F(TlsInterop, SClientWithRevokedCertificateIsRefused) {
  const Lab ec = make_lab("ec", pki::KeyType::p256);
  ASSERT_NO_FATAL_FAILURE(issue(ec, "rtu9", pki::Purpose::tls_client));
  const auto revoked = pki::revoke(ec.dir, "rtu9", pki::RevocationReason::key_compromise);
  ASSERT_TRUE(revoked.ok()) << revoked.failure().describe();
  ASSERT_NO_FATAL_FAILURE(start_server(ec));
  for (const char* v : {"-tls1_2", "-tls1_3"})
    expect_refused(ec, &ec, "rtu9", {v}, "alert certificate revoked", "TLS_CERT_REVOKED");
  EXPECT_EQ(events(server_->err(), "TLS_CERT_REVOKED", {"subject=CN=rtu9"}).size(), 2U) << server_->err();
  // The other identities of the same CA are still welcome.
  const auto ok = run_process(s_client(ec, &ec, "client", {"-tls1_2"}), kPeerRunLimit);
  EXPECT_EQ(ok.exit_code, 0) << ok.describe();
}

TEST_F(TlsInterop, Tls12RenegotiationFollowsTheSchedule) {
  const Lab ec = make_lab("ec", pki::KeyType::p256);
  ASSERT_NO_FATAL_FAILURE(start_server(ec, {"--resumption-interval", "1", "--renegotiation-interval", "2"}));
  auto peer = connected_s_client(ec, &ec, "client", {"-tls1_2", "-msg"});
  ASSERT_TRUE(peer.started()) << peer.error();
  ASSERT_TRUE(server_logs("TLS_ESTABLISHED", {"version=TLSv1.2"})) << server_->err() << peer.describe();
  // Every resumption interval an abbreviated renegotiation, every renegotiation interval a full
  // one (which makes s_client send its certificate again); both started by our server.
  const std::vector<std::string> abbreviated{"initiator=local", "handshake=abbreviated"};
  const std::vector<std::string> full{"initiator=local", "handshake=full"};
  ASSERT_TRUE(server_logs("TLS_RENEGOTIATED", abbreviated)) << server_->err();
  ASSERT_TRUE(server_logs("TLS_RENEGOTIATED", full)) << server_->err();
  const std::string log = server_->err();
  EXPECT_LT(log.find(events(log, "TLS_RENEGOTIATED", abbreviated).front()),
            log.find(events(log, "TLS_RENEGOTIATED", full).front()))
      << "the first abbreviated renegotiation (1 s) must precede the first full one (2 s)\n"
      << log;
  EXPECT_TRUE(peer.running()) << peer.describe();
  EXPECT_TRUE(events(log, "TLS_NO_RENEG").empty()) << log;
  EXPECT_FALSE(contains(log, " ALARM ")) << log;
  // What s_client saw: at least two HelloRequests, and its certificate sent a second time.
  ASSERT_TRUE(peer.wait_until([&] { return count_of(peer.out(), "], HelloRequest") >= 2; }, kWait))
      << peer.describe();
  std::size_t certificates = 0;
  for (const auto& l : lines_of(peer.out())) {
    if (l.starts_with(">>> ") && l.ends_with("], Certificate")) ++certificates;
  }
  EXPECT_GE(certificates, 2U) << peer.out();
}

/// RFC 8446 4.6.3 obliges the receiver of KeyUpdate(update_requested) to answer before it sends
/// its next application data, not at once; OpenSSL answers only with its next write. An idle
/// OpenSSL peer therefore never answers, and must not be taken for a stalled one.
TEST_F(TlsInterop, Tls13KeyUpdateOnScheduleKeepsAnIdleSClient) {
  const Lab ec = make_lab("ec", pki::KeyType::p256);
  ASSERT_NO_FATAL_FAILURE(start_server(
      ec, {"--resumption-interval", "1", "--renegotiation-interval", "2", "--renegotiation-timeout", "1"}));
  auto peer = connected_s_client(ec, &ec, "client", {"-tls1_3", "-msg"});
  ASSERT_TRUE(peer.started()) << peer.error();
  ASSERT_TRUE(server_logs("TLS_ESTABLISHED", {"version=TLSv1.3"})) << server_->err() << peer.describe();
  // The server sends its KeyUpdate on schedule.
  ASSERT_TRUE(peer.wait_until([&] { return contains(peer.out(), "], KeyUpdate"); }, kWait))
      << peer.describe();
  // Resumption interval + renegotiation timeout + a margin: the idle peer must still be there.
  EXPECT_FALSE(server_logs("TLS_NO_RENEG", {}, 1, 3s)) << server_->err();
  EXPECT_TRUE(server_logs("TLS_KEY_UPDATED", {}, 2, 3s)) << server_->err();
  EXPECT_TRUE(peer.running()) << peer.describe();
}

TEST_F(TlsInterop, SessionsResumeOnlyWithinTheResumptionInterval) {
  const Lab ec = make_lab("ec", pki::KeyType::p256);
  ASSERT_NO_FATAL_FAILURE(start_server(ec, {"--resumption-interval", "2", "--renegotiation-interval", "3"}));
  const std::string s12 = (dir_.path() / "session12.pem").string();
  const std::string s13 = (dir_.path() / "session13.pem").string();
  // TLS 1.2: the session is saved once the handshake is done.
  const auto first12 = run_process(s_client(ec, &ec, "client", {"-tls1_2", "-sess_out", s12}), kPeerRunLimit);
  ASSERT_EQ(first12.exit_code, 0) << first12.describe();
  // TLS 1.3: the ticket arrives after the handshake; stay until s_client has saved it.
  {
    auto first13 = connected_s_client(ec, &ec, "client", {"-tls1_3", "-sess_out", s13});
    ASSERT_TRUE(first13.wait_until(
        [&] { return contains(read_file(s13), "-----END SSL SESSION PARAMETERS-----"); }, kWait))
        << first13.describe();
  }
  struct Case {
    const std::string* session;
    const char* flag;
    const char* version;
  };
  const Case cases[] = {{&s12, "-tls1_2", "TLSv1.2"}, {&s13, "-tls1_3", "TLSv1.3"}};
  for (const auto& c : cases) {
    const auto again =
        run_process(s_client(ec, &ec, "client", {c.flag, "-sess_in", *c.session}), kPeerRunLimit);
    EXPECT_EQ(again.exit_code, 0) << again.describe();
    EXPECT_TRUE(contains(again.out, std::string("Reused, ") + c.version)) << again.out;
    EXPECT_TRUE(server_logs("TLS_RESUMED", {std::string("version=") + c.version, "resumed=yes"}))
        << server_->err();
  }
  // Once the resumption interval has passed, the same sessions only get full handshakes.
  for (const auto& c : cases) {
    std::string last;
    const bool fresh = server_->wait_until(
        [&] {
          last =
              run_process(s_client(ec, &ec, "client", {c.flag, "-sess_in", *c.session}), kPeerRunLimit).out;
          if (contains(last, std::string("New, ") + c.version)) return true;
          std::this_thread::sleep_for(200ms);
          return false;
        },
        kWait);
    EXPECT_TRUE(fresh) << c.version << " session still resumed:\n" << last;
  }
}

TEST_F(TlsInterop, CrlReloadCutsRevokedLiveSClients) {
  const Lab ec = make_lab("ec", pki::KeyType::p256);
  ASSERT_NO_FATAL_FAILURE(issue(ec, "rtu7", pki::Purpose::tls_client));
  ASSERT_NO_FATAL_FAILURE(start_server(ec));
  auto doomed12 = connected_s_client(ec, &ec, "rtu7", {"-tls1_2"});
  auto doomed13 = connected_s_client(ec, &ec, "rtu7", {"-tls1_3"});
  auto keeper = connected_s_client(ec, &ec, "client", {"-tls1_2"});
  ASSERT_TRUE(server_logs("TLS_ESTABLISHED", {}, 3)) << server_->err();
  const auto revoked = pki::revoke(ec.dir, "rtu7");
  ASSERT_TRUE(revoked.ok()) << revoked.failure().describe();
  server_->signal(SIGHUP);
  EXPECT_TRUE(server_logs("TLS_CRL_RELOADED")) << server_->err();
  // TLS 1.2: a full renegotiation finds the certificate revoked; TLS 1.3: the re-check does.
  ASSERT_TRUE(server_logs("TLS_PEER_REVOKED", {"subject=CN=rtu7"}, 2)) << server_->err();
  const auto end12 = doomed12.wait(kWait);
  EXPECT_FALSE(end12.timed_out) << end12.describe();
  const auto end13 = doomed13.wait(kWait);
  EXPECT_FALSE(end13.timed_out) << end13.describe();
  // The peer in good standing went through the same renegotiation and stays.
  EXPECT_TRUE(server_logs("TLS_RENEGOTIATED", {"after a CRL reload"})) << server_->err();
  EXPECT_TRUE(keeper.running()) << keeper.describe();
  EXPECT_EQ(events(server_->err(), "TLS_PEER_REVOKED").size(), 2U) << server_->err();
}

TEST_F(TlsInterop, StalledRenegotiationDisconnects) {
  const Lab ec = make_lab("ec", pki::KeyType::p256);
  ASSERT_NO_FATAL_FAILURE(start_server(
      ec, {"--resumption-interval", "1", "--renegotiation-interval", "2", "--renegotiation-timeout", "1"}));
  auto peer = connected_s_client(ec, &ec, "client", {"-tls1_2"});
  ASSERT_TRUE(server_logs("TLS_ESTABLISHED", {"version=TLSv1.2"})) << server_->err() << peer.describe();
  // A stopped s_client cannot answer the HelloRequest.
  peer.signal(SIGSTOP);
  const bool cut =
      server_logs("TLS_NO_RENEG", {"ALARM", "did not complete the renegotiation within 1000 ms"});
  peer.signal(SIGCONT);
  ASSERT_TRUE(cut) << server_->err();
  EXPECT_TRUE(server_->wait_for_stderr("connection_closed", kWait)) << server_->err();
  // Resumed, s_client finds the connection gone and ends.
  const auto end = peer.wait(kWait);
  EXPECT_FALSE(end.timed_out) << end.describe();
}

// =============================================================================================
// mmssec client -> openssl s_server
// =============================================================================================

TEST_F(TlsInterop, OurClientReachesSServerWithTls12AndTls13) {
  const Lab ec = make_lab("ec", pki::KeyType::p256);
  struct Case {
    const char* flag;
    const char* protocol;
    const char* suite;
  };
  for (const Case& c :
       {Case{"-tls1_2", "Protocol version: TLSv1.2", "Ciphersuite: ECDHE-ECDSA-AES128-GCM-SHA256"},
        Case{"-tls1_3", "Protocol version: TLSv1.3", "Ciphersuite: TLS_AES_128_GCM_SHA256"}}) {
    ASSERT_NO_FATAL_FAILURE(start_s_server({"-cert", ec.cert("server"), "-key", ec.key("server"), "-CAfile",
                                            ec.ca(), "-Verify", "1", "-verify_return_error", c.flag}));
    const auto [client, server] = our_client_against_s_server(ec);
    // TLS is up (s_server verified our certificate and decrypted our first TPDU); the MMS
    // association cannot complete against s_server, so the client times out.
    EXPECT_EQ(client.exit_code, 4) << c.flag << "\n" << client.describe();
    EXPECT_FALSE(contains(client.err, " ALARM ")) << client.err;
    EXPECT_TRUE(contains(server.err, c.protocol)) << server.describe();
    EXPECT_TRUE(contains(server.err, c.suite)) << server.describe();
    EXPECT_TRUE(contains(server.err, "Peer certificate: O = mmssec lab, CN = client")) << server.describe();
    EXPECT_TRUE(contains(server.err, "Verification: OK")) << server.describe();
    EXPECT_TRUE(has_cotp_connect_request(server.out)) << server.describe();
  }
}

TEST_F(TlsInterop, OurClientNegotiatesTheSuitesOfALibiec61850Server) {
  // libiec61850 servers offer only TLS_RSA_WITH_AES_{128,256}_CBC_SHA{,256}: our client's
  // defaults end with these compatibility suites.
  const Lab rsa = make_lab("rsa", pki::KeyType::rsa2048);
  for (const char* suite : {"AES128-SHA", "AES256-SHA256", "AES256-SHA"}) {
    ASSERT_NO_FATAL_FAILURE(start_s_server({"-cert", rsa.cert("server"), "-key", rsa.key("server"), "-CAfile",
                                            rsa.ca(), "-Verify", "1", "-cipher", suite, "-no_tls1_3"}));
    const auto [client, server] = our_client_against_s_server(rsa);
    EXPECT_EQ(client.exit_code, 4) << suite << "\n" << client.describe();
    EXPECT_TRUE(contains(server.err, "Protocol version: TLSv1.2")) << server.describe();
    EXPECT_TRUE(contains(server.err, std::string("Ciphersuite: ") + suite + "\n")) << server.describe();
    EXPECT_TRUE(has_cotp_connect_request(server.out)) << server.describe();
  }
}

TEST_F(TlsInterop, OurClientRefusesAnUntrustedServer) {
  const Lab ec = make_lab("ec", pki::KeyType::p256);
  const Lab other = make_lab("other", pki::KeyType::p256);
  ASSERT_NO_FATAL_FAILURE(start_s_server(
      {"-cert", other.cert("server"), "-key", other.key("server"), "-CAfile", ec.ca(), "-Verify", "1"}));
  const auto [client, server] = our_client_against_s_server(ec);
  EXPECT_EQ(client.exit_code, 3) << client.describe();
  EXPECT_TRUE(contains(client.err, "ALARM TLS_CERT_UNTRUSTED")) << client.describe();
  EXPECT_FALSE(has_cotp_connect_request(server.out)) << server.describe();
}

TEST_F(TlsInterop, OurClientRefusesAnExpiredServer) {
  const Lab ec = make_lab("ec", pki::KeyType::p256);
  ASSERT_NO_FATAL_FAILURE(
      issue(ec, "old-server", pki::Purpose::tls_server, days_from_now(-30), days_from_now(-1)));
  ASSERT_NO_FATAL_FAILURE(start_s_server(
      {"-cert", ec.cert("old-server"), "-key", ec.key("old-server"), "-CAfile", ec.ca(), "-Verify", "1"}));
  const auto [client, server] = our_client_against_s_server(ec);
  EXPECT_EQ(client.exit_code, 3) << client.describe();
  EXPECT_TRUE(contains(client.err, "ALARM TLS_CERT_EXPIRED")) << client.describe();
  EXPECT_FALSE(has_cotp_connect_request(server.out)) << server.describe();
}

TEST_F(TlsInterop, OurClientRefusesATls11Server) {
  const Lab ec = make_lab("ec", pki::KeyType::p256);
  ASSERT_NO_FATAL_FAILURE(
      start_s_server({"-cert", ec.cert("server"), "-key", ec.key("server"), "-CAfile", ec.ca(), "-Verify",
                      "1", "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"}));
  const auto [client, server] = our_client_against_s_server(ec);
  EXPECT_EQ(client.exit_code, 3) << client.describe();
  EXPECT_TRUE(contains(client.err, "ALARM TLS_HANDSHAKE_FAILED")) << client.describe();
  EXPECT_TRUE(contains(client.err, "alert protocol version")) << client.describe();
  EXPECT_TRUE(contains(server.err, "unsupported protocol")) << server.describe();
  EXPECT_FALSE(has_cotp_connect_request(server.out)) << server.describe();
}

// =============================================================================================
// Live capture of our server, dissected by tshark
// =============================================================================================

/// How many connections to `port` a (possibly still growing) pcap file shows ended: both sides
/// sent FIN, or either side RST (a server that closes right after its close_notify answers the
/// client's close_notify with RST).
std::size_t ended_connections(const fs::path& pcap, std::uint16_t port) {
  struct End {
    bool server_fin = false;
    bool client_fin = false;
    bool reset = false;
  };
  std::map<std::uint16_t, End> by_client_port;
  auto file = capture::read_file(pcap.string());
  if (!file.ok()) return 0;
  auto reader = capture::PcapReader::open(*file);
  if (!reader.ok()) return 0;
  for (;;) {
    auto record = reader->next();
    if (!record.ok() || !record->has_value()) break;  // a truncated last record just ends the count
    auto segment = capture::parse_frame(reader->header().link_type, (*record)->data);
    if (!segment.ok() || !segment->has_value()) continue;
    const capture::TcpSegment& tcp = **segment;
    const bool from_server = tcp.source.port == port;
    End& e = by_client_port[from_server ? tcp.destination.port : tcp.source.port];
    if ((tcp.flags & capture::tcp_flags::kFin) != 0) (from_server ? e.server_fin : e.client_fin) = true;
    if ((tcp.flags & capture::tcp_flags::kRst) != 0) e.reset = true;
  }
  return static_cast<std::size_t>(std::count_if(
      by_client_port.begin(), by_client_port.end(),
      [](const auto& kv) { return kv.second.reset || (kv.second.server_fin && kv.second.client_fin); }));
}

/// One tshark pass over a capture: the frames it flags (malformed, or an expert item of severity
/// error) and every value of the requested fields.
struct Dissection {
  std::string error;                  ///< tshark failed: why
  std::vector<std::string> problems;  ///< "frame N: expert messages"
  std::map<std::string, std::vector<std::string>> values;
  [[nodiscard]] const std::vector<std::string>& of(const std::string& field) const {
    static const std::vector<std::string> none;
    const auto it = values.find(field);
    return it == values.end() ? none : it->second;
  }
};

Dissection dissect(const fs::path& pcap, const std::vector<std::string>& options,
                   std::vector<std::string> fields) {
  // Wireshark's PI_ERROR expert severity; tshark prints severities in decimal.
  constexpr unsigned long kExpertError = 0x00800000;
  const std::vector<std::string> checks{"frame.number", "_ws.malformed", "_ws.expert.severity",
                                        "_ws.expert.message"};
  fields.insert(fields.begin(), checks.begin(), checks.end());
  std::vector<std::string> argv{test_support::tshark_path(),     "-r", pcap.string(), "-n", "-o",
                                "tcp.desegment_tcp_streams:TRUE"};
  argv.insert(argv.end(), options.begin(), options.end());
  argv.insert(argv.end(), {"-T", "fields", "-E", "occurrence=a", "-E", "aggregator=|", "-E", "separator=/t"});
  for (const auto& f : fields) argv.insert(argv.end(), {"-e", f});
  const auto r = run_process(argv, 60s);
  Dissection d;
  if (r.exit_code != 0) {
    d.error = r.describe();
    return d;
  }
  for (const auto& l : lines_of(r.out)) {
    std::istringstream row(l);
    std::string cell;
    for (std::size_t i = 0; std::getline(row, cell, '\t') && i < fields.size(); ++i) {
      std::istringstream items(cell);
      for (std::string item; std::getline(items, item, '|');)
        if (!item.empty()) d.values[fields[i]].push_back(item);
    }
    const auto& severities = d.values["_ws.expert.severity"];
    const bool error = !d.of("_ws.malformed").empty() ||
                       std::any_of(severities.begin(), severities.end(), [&](const std::string& v) {
                         return std::strtoul(v.c_str(), nullptr, 10) >= kExpertError;
                       });
    if (error) d.problems.push_back("frame " + l.substr(0, 400));
    for (const auto& c : checks) d.values.erase(c);
  }
  return d;
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ",") + x;
  return s;
}

bool has(const std::vector<std::string>& v, std::string_view x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

TEST_F(TlsInterop, LiveCaptureDissectsCleanlyAndDecryptsToMmsWithTheKeyLog) {
  if (const char* skip = std::getenv("MMSSEC_SKIP_LIVE_CAPTURE");
      skip != nullptr && std::string_view(skip) == "1")
    GTEST_SKIP() << "MMSSEC_SKIP_LIVE_CAPTURE=1: live loopback capture skipped on request";
  const std::string dumpcap = (fs::path(test_support::tshark_path()).parent_path() / "dumpcap").string();
  if (::access(dumpcap.c_str(), X_OK) != 0) GTEST_SKIP() << "no dumpcap at " << dumpcap;

  const Lab ec = make_lab("ec", pki::KeyType::p256);
  const fs::path keylog = dir_.path() / "keys.log";
  // Short intervals, so that s_client's connection also carries a renegotiation.
  ASSERT_NO_FATAL_FAILURE(start_server(
      ec, {"--keylog", keylog.string(), "--resumption-interval", "1", "--renegotiation-interval", "2"}));
  const fs::path pcap = dir_.path() / "tls.pcap";
  auto capture = Process::start(
      {dumpcap, "-i", "lo", "-f", "tcp port " + std::to_string(port_), "-w", pcap.string(), "-P", "-q"});
  ASSERT_TRUE(capture.started()) << capture.error();
  // Capturing once dumpcap has said so and written the pcap header (it opens the file only after
  // the device, which needs root or CAP_NET_RAW).
  const bool capturing = capture.wait_until(
      [&] {
        std::error_code ec_size;
        return contains(capture.err(), "Capturing on") && fs::file_size(pcap, ec_size) >= 24 && !ec_size;
      },
      kWait);
  if (!capturing)
    GTEST_SKIP() << "dumpcap cannot capture on lo (needs root or CAP_NET_RAW)\n" << capture.describe();

  // 1. s_client: a TLS 1.2 handshake, then one renegotiation started by the server.
  {
    auto peer = connected_s_client(ec, &ec, "client", {"-tls1_2"});
    ASSERT_TRUE(server_logs("TLS_RENEGOTIATED")) << server_->err() << peer.describe();
  }
  // 2. and 3. Our client over TLS 1.3 and 1.2: a whole association with Identify.
  for (const auto& extra : {std::vector<std::string>{}, std::vector<std::string>{"--tls-max", "1.2"}}) {
    std::vector<std::string> args{
        "client", "mmss://" + loopback(port_), "--pki", ec.dir.string(), "--timeout", "10"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.emplace_back("identify");
    const auto r = run_tool(args);
    ASSERT_EQ(r.exit_code, 0) << r.describe();
  }
  std::size_t ended = 0;
  ASSERT_TRUE(capture.wait_until(
      [&] {
        ended = ended_connections(pcap, port_);
        return ended >= 3;
      },
      kWait))
      << "the capture holds the end of only " << ended << " of the three connections";
  capture.signal(SIGINT);
  const auto captured = capture.wait(kWait);
  ASSERT_EQ(captured.exit_code, 0) << captured.describe();

  const std::string tls = "tcp.port==" + std::to_string(port_) + ",tls";
  // Without the keys: clean TLS, handshakes visible, nothing of the OSI stack.
  const auto plain = dissect(pcap, {"-d", tls},
                             {"tls.handshake.type", "tls.handshake.extensions.supported_version", "cotp.type",
                              "pres.cptype", "mms.confirmedServiceRequest"});
  ASSERT_TRUE(plain.error.empty()) << plain.error;
  EXPECT_TRUE(plain.problems.empty()) << joined(plain.problems);
  const auto& types = plain.of("tls.handshake.type");
  EXPECT_EQ(std::count(types.begin(), types.end(), "1"), 3) << "ClientHello: " << joined(types);
  EXPECT_EQ(std::count(types.begin(), types.end(), "2"), 3) << "ServerHello: " << joined(types);
  for (const char* t : {"11", "12", "13", "14", "15", "16"})  // TLS 1.2 handshake messages in clear
    EXPECT_TRUE(has(types, t)) << "handshake type " << t << " missing: " << joined(types);
  EXPECT_TRUE(has(plain.of("tls.handshake.extensions.supported_version"), "0x0304"))
      << joined(plain.of("tls.handshake.extensions.supported_version"));
  EXPECT_TRUE(plain.of("cotp.type").empty()) << "plaintext on the wire: " << joined(plain.of("cotp.type"));
  EXPECT_TRUE(plain.of("pres.cptype").empty());
  EXPECT_TRUE(plain.of("mms.confirmedServiceRequest").empty());

  // With the server's key log: every session decrypts, the renegotiation included, down to MMS.
  const std::string tpkt = "tls.port==" + std::to_string(port_) + ",tpkt";
  const auto clear =
      dissect(pcap, {"-o", "tls.keylog_file:" + keylog.string(), "-d", tls, "-d", tpkt},
              {"tls.handshake.type", "cotp.type", "ses.type", "pres.cptype", "acse.aarq_element",
               "acse.aare_element", "acse.result", "mms.initiate_RequestPDU_element",
               "mms.confirmedServiceRequest", "mms.confirmedServiceResponse", "acse.rlrq_element",
               "acse.rlre_element", "acse.abrt_element", "mms.rejectPDU_element"});
  ASSERT_TRUE(clear.error.empty()) << clear.error;
  EXPECT_TRUE(clear.problems.empty()) << joined(clear.problems);
  const auto& all_types = clear.of("tls.handshake.type");
  EXPECT_TRUE(has(all_types, "0")) << "no HelloRequest decrypted: " << joined(all_types);
  EXPECT_TRUE(has(all_types, "8")) << "no TLS 1.3 EncryptedExtensions decrypted: " << joined(all_types);
  EXPECT_GE(std::count(all_types.begin(), all_types.end(), "1"), 4)
      << "ClientHellos incl. renegotiation: " << joined(all_types);
  const auto& cotp = clear.of("cotp.type");
  EXPECT_EQ(std::count(cotp.begin(), cotp.end(), "0x0e"), 2) << joined(cotp);
  EXPECT_EQ(std::count(cotp.begin(), cotp.end(), "0x0d"), 2) << joined(cotp);
  const auto& ses = clear.of("ses.type");
  EXPECT_EQ(std::count(ses.begin(), ses.end(), "13"), 2) << "session CONNECT: " << joined(ses);
  EXPECT_EQ(std::count(ses.begin(), ses.end(), "14"), 2) << "session ACCEPT: " << joined(ses);
  EXPECT_EQ(clear.of("pres.cptype").size(), 2U);
  EXPECT_EQ(clear.of("acse.aarq_element").size(), 2U);
  EXPECT_EQ(clear.of("acse.aare_element").size(), 2U);
  EXPECT_EQ(clear.of("acse.result"), (std::vector<std::string>{"0", "0"}));
  EXPECT_EQ(clear.of("mms.initiate_RequestPDU_element").size(), 2U);
  EXPECT_EQ(clear.of("mms.confirmedServiceRequest"), (std::vector<std::string>{"2", "2"}));  // Identify
  EXPECT_EQ(clear.of("mms.confirmedServiceResponse"), (std::vector<std::string>{"2", "2"}));
  EXPECT_EQ(clear.of("acse.rlrq_element").size(), 2U);
  EXPECT_EQ(clear.of("acse.rlre_element").size(), 2U);
  EXPECT_TRUE(clear.of("acse.abrt_element").empty());
  EXPECT_TRUE(clear.of("mms.rejectPDU_element").empty());
}

}  // namespace
}  // namespace mmssec
