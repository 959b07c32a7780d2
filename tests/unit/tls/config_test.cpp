// SPDX-License-Identifier: Apache-2.0
// Context::create(): every start-up check names its Errc and says why (file + reason); versions,
// default suites and the "tls" error category.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "tls_test_support.hpp"

namespace mmssec::tls {
namespace {

using namespace std::chrono_literals;
using testing::base_config;
using testing::OpensslPki;

const OpensslPki& pki() { return OpensslPki::shared(); }

/// create() must fail with `want`; returns the detail.
std::string refused(const Config& c, Errc want, Role role = Role::server) {
  std::string why;
  auto r = Context::create(role, c, &why);
  EXPECT_FALSE(r.ok());
  if (r.ok()) return {};
  EXPECT_EQ(r.error().code, make_error_code(want)) << r.error().describe() << ": " << why;
  EXPECT_FALSE(why.empty());
  return why;
}

class TlsConfig : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(pki().ok()) << pki().error(); }
  Config good() const { return base_config(pki().server_rsa, sink); }
  std::shared_ptr<events::MemorySink> sink = std::make_shared<events::MemorySink>();
};

TEST_F(TlsConfig, GoodConfigCreatesBothRoles) {
  std::string why;
  auto s = Context::create(Role::server, good(), &why);
  ASSERT_TRUE(s.ok()) << why;
  EXPECT_EQ((*s)->role(), Role::server);
  EXPECT_EQ((*s)->config().max_certificate_size, 8192U);
  auto c = Context::create(Role::client, base_config(pki().client_p256, sink), &why);
  ASSERT_TRUE(c.ok()) << why;
  EXPECT_EQ((*c)->stats().handshakes, 0U);
  EXPECT_EQ(sink->count(events::Id::tls_no_crl), 0U);
}

TEST_F(TlsConfig, IntervalsMustBeOrdered) {
  Config c = good();
  c.resumption_interval = std::chrono::seconds{0};
  EXPECT_NE(refused(c, Errc::config_invalid).find("resumption_interval"), std::string::npos);
  c = good();
  c.resumption_interval = c.renegotiation_interval;
  EXPECT_NE(refused(c, Errc::config_invalid).find("shorter"), std::string::npos);
  c = good();
  c.renegotiation_interval = std::chrono::hours{25};
  EXPECT_NE(refused(c, Errc::config_invalid).find("24 h"), std::string::npos);
  c = good();
  c.renegotiation_timeout = 0ms;
  refused(c, Errc::config_invalid);
  c = good();
  c.min_version = Version::tls1_3;
  c.max_version = Version::tls1_2;
  EXPECT_NE(refused(c, Errc::config_invalid).find("min_version"), std::string::npos);
}

TEST_F(TlsConfig, FilesMustBeReadable) {
  Config c = good();
  c.certificate_file = "/nonexistent/cert.pem";
  EXPECT_NE(refused(c, Errc::certificate_file).find("/nonexistent/cert.pem"), std::string::npos);
  c = good();
  c.private_key_file = "/nonexistent/key.pem";
  EXPECT_NE(refused(c, Errc::key_file).find("/nonexistent/key.pem"), std::string::npos);
  c = good();
  c.trust_anchor_files = {};
  refused(c, Errc::trust_anchor);
  c = good();
  c.trust_anchor_files = {pki().server_rsa.key};  // a key, not a certificate
  refused(c, Errc::trust_anchor);
  c = good();
  c.crl_files = {"/nonexistent/ca.crl"};
  EXPECT_NE(refused(c, Errc::crl_file).find("/nonexistent/ca.crl"), std::string::npos);
  c = good();
  c.allowed_peer_files = {"/nonexistent/peer.pem"};
  refused(c, Errc::allow_list);
  c = good();
  c.keylog_file = "/nonexistent/dir/keys.log";
  refused(c, Errc::keylog_file);
}

TEST_F(TlsConfig, KeyMustMatchCertificate) {
  Config c = good();
  c.private_key_file = pki().client_rsa.key;
  EXPECT_NE(refused(c, Errc::key_mismatch).find("does not match"), std::string::npos);
}

TEST_F(TlsConfig, OwnCertificateStrengthAndSize) {
  Config c = base_config(pki().client_rsa1024, sink);
  EXPECT_NE(refused(c, Errc::certificate_file, Role::client).find("1024"), std::string::npos);
  c = base_config(pki().client_oversized, sink);
  EXPECT_NE(refused(c, Errc::certificate_file, Role::client).find("max_certificate_size"), std::string::npos);
  c.max_certificate_size = 64 * 1024;
  std::string why;
  EXPECT_TRUE(Context::create(Role::client, c, &why).ok()) << why;
}

TEST_F(TlsConfig, BrainpoolKeyNeedsTls12Maximum) {
  Config c = base_config(pki().server_brainpool, sink);
#if OPENSSL_VERSION_NUMBER < 0x30200000L
  EXPECT_NE(refused(c, Errc::config_invalid).find("max_version"), std::string::npos);
#endif
  c.max_version = Version::tls1_2;
  std::string why;
  EXPECT_TRUE(Context::create(Role::server, c, &why).ok()) << why;
}

TEST_F(TlsConfig, StaticDhSuitesAreRefusedByName) {
  for (const char* s :
       {"TLS_DH_RSA_WITH_AES_128_GCM_SHA256", "0x00A0", "TLS_DH_DSS_WITH_AES_256_CBC_SHA", "0x0036"}) {
    Config c = good();
    c.cipher_suites = {s};
    EXPECT_NE(refused(c, Errc::cipher_suite).find("static-DH"), std::string::npos) << s;
  }
}

TEST_F(TlsConfig, NullSuiteNeedsTheSwitch) {
  Config c = good();
  c.cipher_suites = {"TLS_RSA_WITH_NULL_SHA256"};
  EXPECT_NE(refused(c, Errc::cipher_suite).find("allow_null_cipher"), std::string::npos);
  c.allow_null_cipher = true;
  std::string why;
  EXPECT_TRUE(Context::create(Role::server, c, &why).ok()) << why;
  c.cipher_suites = {"0x0002"};  // NULL-SHA: never
  refused(c, Errc::cipher_suite);
}

TEST_F(TlsConfig, SuitesMustBeKnownAndInTheRightList) {
  Config c = good();
  c.cipher_suites = {"TLS_NO_SUCH_SUITE"};
  EXPECT_NE(refused(c, Errc::cipher_suite).find("unknown"), std::string::npos);
  c = good();
  c.cipher_suites = {"TLS_AES_128_GCM_SHA256"};
  EXPECT_NE(refused(c, Errc::cipher_suite).find("tls13_cipher_suites"), std::string::npos);
  c = good();
  c.tls13_cipher_suites = {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"};
  refused(c, Errc::cipher_suite);
  c = good();
  c.cipher_suites = {"TLS_DH_anon_WITH_AES_128_GCM_SHA256"};
  refused(c, Errc::cipher_suite);
  c = good();
  c.tls13_cipher_suites = {"0x1301", "TLS_AES_128_CCM_SHA256"};
  c.cipher_suites = {"0xc02f", " TLS_RSA_WITH_AES_128_CBC_SHA256 "};
  std::string why;
  EXPECT_TRUE(Context::create(Role::server, c, &why).ok()) << why;
}

TEST_F(TlsConfig, OldVersionsNeedAnOldSuite) {
  Config c = good();
  c.min_version = Version::tls1_1;
  EXPECT_NE(refused(c, Errc::cipher_suite).find("below TLS 1.2"), std::string::npos);
}

TEST_F(TlsConfig, NoCrlAndKeylogWarnAtCreate) {
  Config c = good();
  c.crl_files.clear();
  test_support::ScratchDir dir("mmssec-tls-cfg");
  c.keylog_file = (dir.path() / "keys.log").string();
  std::string why;
  ASSERT_TRUE(Context::create(Role::server, c, &why).ok()) << why;
  EXPECT_EQ(sink->count(events::Id::tls_no_crl), 1U);
  EXPECT_EQ(sink->count(events::Id::tls_keylog_enabled), 1U);
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "keys.log"));
  const auto perms = std::filesystem::status(dir.path() / "keys.log").permissions();
  EXPECT_EQ(perms & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

TEST(TlsVersion, NamesAndParsing) {
  EXPECT_EQ(version_name(Version::tls1_2), "TLSv1.2");
  EXPECT_EQ(version_name(Version::tls1_3), "TLSv1.3");
  EXPECT_EQ(parse_version("1.2"), Version::tls1_2);
  EXPECT_EQ(parse_version("TLSv1.3"), Version::tls1_3);
  EXPECT_EQ(parse_version("tls1.1"), Version::tls1_1);
  EXPECT_EQ(parse_version("TLSv1.0"), Version::tls1_0);
  EXPECT_FALSE(parse_version("SSLv3"));
  EXPECT_FALSE(parse_version("1.4"));
  EXPECT_FALSE(parse_version(""));
}

TEST(TlsDefaults, SuitesPerRole) {
  const auto server = default_cipher_suites(Role::server);
  ASSERT_EQ(server.size(), 4U);
  EXPECT_EQ(server[0], "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
  EXPECT_EQ(server[3], "TLS_RSA_WITH_AES_128_CBC_SHA256");
  const auto client = default_cipher_suites(Role::client);
  ASSERT_EQ(client.size(), 7U);
  EXPECT_EQ(client[6], "TLS_RSA_WITH_AES_256_CBC_SHA");
  const Config c;
  EXPECT_EQ(c.min_version, Version::tls1_2);
  EXPECT_EQ(c.max_certificate_size, 8192U);
  EXPECT_LT(c.resumption_interval, c.renegotiation_interval);
}

TEST(TlsErrc, CategoryNamesEveryCode) {
  EXPECT_STREQ(tls_category().name(), "tls");
  for (int i = 1; i <= static_cast<int>(Errc::openssl); ++i) {
    EXPECT_NE(make_error_code(static_cast<Errc>(i)).message(), "unknown tls error") << i;
  }
  EXPECT_EQ(make_error_code(static_cast<Errc>(999)).message(), "unknown tls error");
  EXPECT_EQ(Error(Errc::key_mismatch).describe().rfind("tls: ", 0), 0U);
}

}  // namespace
}  // namespace mmssec::tls
