// SPDX-License-Identifier: Apache-2.0
// `mmssec pki` run as a program: what init/issue/revoke/crl/list print, the files they leave, and
// the exit codes of every failure class (bad arguments 2, no PKI or unreadable files 3). The
// certificates themselves are checked field by field in tests/unit/pki; here OpenSSL's `openssl
// verify` confirms what the tool says. Every process runs with a deadline.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "support/process.hpp"

#ifndef MMSSEC_TOOL_PATH
#error "MMSSEC_TOOL_PATH must name the mmssec binary"
#endif

namespace mmssec {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using test_support::ProcessResult;

/// Deadline of one tool run (generous: key generation under ASan on a loaded CI machine).
constexpr auto kRunLimit = 60s;

ProcessResult mmssec(std::vector<std::string> args) {
  args.insert(args.begin(), MMSSEC_TOOL_PATH);
  return test_support::run_process(args, kRunLimit);
}

bool has(const std::string& text, std::string_view needle) { return text.find(needle) != std::string::npos; }

mode_t mode_of(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_mode & 07777;
}

class PkiCliTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_FALSE(scratch_.path().empty()); }
  [[nodiscard]] std::string dir() const { return (scratch_.path() / "lab").string(); }

  /// `mmssec pki init DIR --key p256` (P-256: fast), which must succeed.
  void init_pki() {
    const auto r = mmssec({"pki", "init", dir(), "--key", "p256"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
  }

  test_support::ScratchDir scratch_{"mmssec-pki-cli"};
};

TEST_F(PkiCliTest, InitSaysWhatItMadeAndHowToUseIt) {
  const auto r = mmssec({"pki", "init", dir(), "--key", "p256", "--days", "30"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  for (const auto* file :
       {"ca.crt", "ca.key", "server.crt", "server.key", "client.crt", "client.key", "crl.pem", "index.txt"}) {
    SCOPED_TRACE(file);
    EXPECT_TRUE(has(r.out, dir() + "/" + file)) << r.out;
    EXPECT_TRUE(fs::exists(fs::path(dir()) / file));
  }
  for (const auto* key : {"ca.key", "server.key", "client.key"})
    EXPECT_EQ(mode_of(fs::path(dir()) / key), 0600U);
  EXPECT_EQ(mode_of(dir()), 0700U);
  EXPECT_TRUE(has(r.out, "p256")) << r.out;
  EXPECT_TRUE(has(r.out, "O=mmssec lab, CN=server")) << r.out;
  EXPECT_TRUE(has(r.out, "SHA-256")) << r.out;
  EXPECT_TRUE(has(r.out, "DNS:localhost, IP:127.0.0.1, IP:::1")) << r.out;
  EXPECT_TRUE(has(r.out, "NOT encrypted")) << r.out;
  EXPECT_TRUE(has(r.out, "mmssec server --pki " + dir())) << r.out;
  EXPECT_TRUE(has(r.out, "mmssec client mmss://127.0.0.1:3782 --pki " + dir() + " identify")) << r.out;
  EXPECT_TRUE(has(r.out, "openssl s_client -connect 127.0.0.1:3782 -cert " + dir() + "/client.crt -key " +
                             dir() + "/client.key -CAfile " + dir() + "/ca.crt"))
      << r.out;
  EXPECT_TRUE(r.err.empty()) << r.err;

  // The verification it suggests succeeds.
  const auto v =
      test_support::run_process({"openssl", "verify", "-CAfile", dir() + "/ca.crt", "-crl_check", "-CRLfile",
                                 dir() + "/crl.pem", dir() + "/server.crt", dir() + "/client.crt"},
                                kRunLimit);
  EXPECT_EQ(v.exit_code, 0) << v.describe();
}

TEST_F(PkiCliTest, InitWithSigningMakesTheSigningCertificates) {
  const auto r = mmssec({"pki", "init", dir(), "--key", "p256", "--signing", "--organisation", "Lab 7"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  for (const auto* n : {"server-acse", "client-acse", "server-e2e", "client-e2e"}) {
    EXPECT_TRUE(fs::exists(fs::path(dir()) / (std::string(n) + ".crt"))) << n;
    EXPECT_EQ(mode_of(fs::path(dir()) / (std::string(n) + ".key")), 0600U) << n;
  }
  EXPECT_TRUE(has(r.out, "O=Lab 7, CN=server-acse")) << r.out;
}

TEST_F(PkiCliTest, BadKeyTypeIsAUsageError) {
  const auto r = mmssec({"pki", "init", dir(), "--key", "rsa1024"});
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_TRUE(has(r.err, "rsa1024")) << r.err;
  EXPECT_TRUE(has(r.err, "brainpool256")) << r.err;
  EXPECT_FALSE(fs::exists(dir())) << "nothing created";
}

TEST_F(PkiCliTest, ExistingDirectoryIsRefusedUnlessForced) {
  init_pki();
  const std::string ca_before = [&] {
    std::ifstream in(fs::path(dir()) / "ca.crt");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }();
  auto r = mmssec({"pki", "init", dir(), "--key", "p256"});
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_TRUE(has(r.err, dir())) << r.err;
  EXPECT_TRUE(has(r.err, "--force")) << r.err;
  r = mmssec({"pki", "init", dir(), "--key", "p256", "--force"});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  std::ifstream in(fs::path(dir()) / "ca.crt");
  EXPECT_NE(std::string(std::istreambuf_iterator<char>(in), {}), ca_before) << "a new CA";
}

TEST_F(PkiCliTest, IssueRevokeAndList) {
  init_pki();
  auto r = mmssec({"pki", "issue", dir(), "ied1", "--purpose", "both", "--dns", "ied1.example", "--ip",
                   "10.0.0.1", "--days", "10"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_TRUE(has(r.out, dir() + "/ied1.crt")) << r.out;
  EXPECT_TRUE(has(r.out, dir() + "/ied1.key")) << r.out;
  EXPECT_TRUE(has(r.out, "tls_both")) << r.out;
  EXPECT_TRUE(has(r.out, "DNS:ied1.example, IP:10.0.0.1")) << r.out;
  EXPECT_TRUE(has(r.out, "openssl s_server")) << r.out;
  EXPECT_TRUE(has(r.out, "openssl s_client")) << r.out;
  EXPECT_EQ(mode_of(fs::path(dir()) / "ied1.key"), 0600U);

  r = mmssec(
      {"pki", "issue", dir(), "ied1-acse", "--purpose", "acse", "--key", "brainpool256", "--cn", "IED 1"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_TRUE(has(r.out, "O=mmssec lab, CN=IED 1")) << r.out;
  EXPECT_TRUE(has(r.out, "brainpool256")) << r.out;
  EXPECT_TRUE(has(r.out, "A-profile")) << r.out;

  // Duplicates, bad names and bad purposes are usage errors.
  r = mmssec({"pki", "issue", dir(), "ied1", "--purpose", "client"});
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_TRUE(has(r.err, "ied1")) << r.err;
  r = mmssec({"pki", "issue", dir(), "../evil", "--purpose", "client"});
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  r = mmssec({"pki", "issue", dir(), "x", "--purpose", "ca"});
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_TRUE(has(r.err, "purpose")) << r.err;
  r = mmssec({"pki", "issue", dir(), "x", "--purpose", "server", "--ip", "not-an-ip"});
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  r = mmssec({"pki", "issue", dir(), "x"});
  EXPECT_EQ(r.exit_code, 2) << "--purpose is required: " << r.describe();

  r = mmssec({"pki", "revoke", dir(), "ied1", "--reason", "keyCompromise"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_TRUE(has(r.out, "Revoked ied1")) << r.out;
  EXPECT_TRUE(has(r.out, "keyCompromise")) << r.out;
  EXPECT_TRUE(has(r.out, "number 2, 1 revoked")) << r.out;
  const auto v = test_support::run_process({"openssl", "verify", "-CAfile", dir() + "/ca.crt", "-crl_check",
                                            "-CRLfile", dir() + "/crl.pem", dir() + "/ied1.crt"},
                                           kRunLimit);
  EXPECT_NE(v.exit_code, 0);
  EXPECT_TRUE(has(v.out + v.err, "certificate revoked")) << v.describe();

  r = mmssec({"pki", "revoke", dir(), "ied1"});
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_TRUE(has(r.err, "already revoked")) << r.err;
  r = mmssec({"pki", "revoke", dir(), "nobody"});
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  r = mmssec({"pki", "revoke", dir(), "ied1-acse", "--reason", "bored"});
  EXPECT_EQ(r.exit_code, 2) << r.describe();

  r = mmssec({"pki", "list", dir()});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  for (const auto* n : {"ca", "server", "client", "ied1", "ied1-acse"}) EXPECT_TRUE(has(r.out, n)) << n;
  EXPECT_TRUE(has(r.out, "revoked")) << r.out;
  EXPECT_TRUE(has(r.out, "number 2, 1 revoked")) << r.out;

  r = mmssec({"pki", "crl", dir(), "--days", "7"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_TRUE(has(r.out, "number 3, 1 revoked")) << r.out;
}

TEST_F(PkiCliTest, MissingOrDamagedPkiIsAnIoError) {
  auto r = mmssec({"pki", "list", dir()});
  EXPECT_EQ(r.exit_code, 3) << r.describe();
  EXPECT_TRUE(has(r.err, dir())) << r.err;
  fs::create_directories(dir());
  r = mmssec({"pki", "issue", dir(), "x", "--purpose", "client"});
  EXPECT_EQ(r.exit_code, 3) << r.describe();
  EXPECT_TRUE(has(r.err, "index.txt")) << r.err;

  init_pki();
  std::ofstream(fs::path(dir()) / "index.txt", std::ios::app) << "garbage\n";
  r = mmssec({"pki", "list", dir()});
  EXPECT_EQ(r.exit_code, 3) << r.describe();
  EXPECT_TRUE(has(r.err, "index.txt line")) << r.err;
}

TEST_F(PkiCliTest, HelpWarnsAboutUnencryptedKeys) {
  const auto r = mmssec({"pki", "--help"});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_TRUE(has(r.out, "NOT encrypted")) << r.out;
  for (const auto* sub : {"init", "issue", "revoke", "crl", "list"}) EXPECT_TRUE(has(r.out, sub)) << sub;
  EXPECT_EQ(mmssec({"pki"}).exit_code, 2);
}

}  // namespace
}  // namespace mmssec
