// SPDX-License-Identifier: Apache-2.0
// The lab PKI: every file init/issue/revoke/crl write is parsed back with OpenSSL here and its
// fields checked (version, issuer, validity, serial, basicConstraints, keyUsage, extKeyUsage,
// SAN, SKI/AKI, signatures, CRL number and entries), and OpenSSL's own `openssl verify` must accept
// the certificates, then refuse a revoked one, an expired one and a stale CRL.
#include "mmssec/pki/pki.hpp"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <array>
#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/process.hpp"

namespace mmssec::pki {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::system_clock;

struct CertFree {
  void operator()(X509* p) const noexcept { X509_free(p); }
};
struct CrlFree {
  void operator()(X509_CRL* p) const noexcept { X509_CRL_free(p); }
};
struct KeyFree {
  void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
struct BioFree {
  void operator()(BIO* p) const noexcept { BIO_free(p); }
};
using CertPtr = std::unique_ptr<X509, CertFree>;
using CrlPtr = std::unique_ptr<X509_CRL, CrlFree>;
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyFree>;
using BioPtr = std::unique_ptr<BIO, BioFree>;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

BioPtr bio_of(const std::string& text) {
  return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

CertPtr load_cert(const fs::path& p) {
  const std::string pem = slurp(p);
  return CertPtr(PEM_read_bio_X509(bio_of(pem).get(), nullptr, nullptr, nullptr));
}
CrlPtr load_crl(const fs::path& p) {
  const std::string pem = slurp(p);
  return CrlPtr(PEM_read_bio_X509_CRL(bio_of(pem).get(), nullptr, nullptr, nullptr));
}
KeyPtr load_key(const fs::path& p) {
  const std::string pem = slurp(p);
  return KeyPtr(PEM_read_bio_PrivateKey(bio_of(pem).get(), nullptr, nullptr, nullptr));
}

mode_t mode_of(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_mode & 07777;
}

Clock::time_point time_of(const ASN1_TIME* t) {
  std::tm tm{};
  EXPECT_EQ(ASN1_TIME_to_tm(t, &tm), 1);
  return Clock::from_time_t(timegm(&tm));
}

bool critical(X509* cert, int nid) {
  const int at = X509_get_ext_by_NID(cert, nid, -1);
  return at >= 0 && X509_EXTENSION_get_critical(X509_get_ext(cert, at)) == 1;
}
bool has_ext(X509* cert, int nid) { return X509_get_ext_by_NID(cert, nid, -1) >= 0; }

std::string name_of(const X509_NAME* n) {
  const BioPtr bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), n, 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return {data, static_cast<std::size_t>(len)};
}

std::vector<std::string> sans_of(X509* cert) {
  std::vector<std::string> out;
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; names != nullptr && i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, i);
    int type = 0;
    const auto* v = static_cast<const ASN1_STRING*>(GENERAL_NAME_get0_value(gn, &type));
    const std::string bytes(reinterpret_cast<const char*>(ASN1_STRING_get0_data(v)),
                            static_cast<std::size_t>(ASN1_STRING_length(v)));
    if (type == GEN_DNS) out.push_back("DNS:" + bytes);
    if (type == GEN_IPADD) out.push_back("IP" + std::to_string(bytes.size()));
  }
  GENERAL_NAMES_free(names);
  return out;
}

std::string hex_serial(X509* cert) {
  BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr);
  char* hex = BN_bn2hex(bn);
  std::string out(hex);
  OPENSSL_free(hex);
  BN_free(bn);
  return out;
}

std::string fingerprint(X509* cert) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  X509_digest(cert, EVP_sha256(), md.data(), &len);
  std::string out;
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (unsigned int i = 0; i < len; ++i) {
    if (i != 0) out += ':';
    out += kHex[md[i] >> 4U];
    out += kHex[md[i] & 0x0fU];
  }
  return out;
}

/// What a process printed, stdout and stderr.
std::string output(const test_support::ProcessResult& r) { return r.out + r.err; }

/// `openssl verify -CAfile ca.crt [-crl_check -CRLfile crl.pem] CERT`.
test_support::ProcessResult openssl_verify(const fs::path& dir, const fs::path& cert, bool crl = true) {
  std::vector<std::string> argv{"openssl", "verify", "-CAfile", (dir / "ca.crt").string()};
  if (crl) argv.insert(argv.end(), {"-crl_check", "-CRLfile", (dir / "crl.pem").string()});
  argv.push_back(cert.string());
  return test_support::run_process(argv, 30s);
}

class PkiTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_FALSE(scratch_.path().empty()); }
  [[nodiscard]] fs::path dir() const { return scratch_.path() / "lab"; }

  /// A PKI of P-256 keys (fast to make) in dir().
  InitReport make_pki(KeyType key = KeyType::p256, bool signing = false) {
    InitOptions o;
    o.key = key;
    o.signing = signing;
    auto r = init(dir(), o);
    EXPECT_TRUE(r.ok()) << (r ? "" : r.failure().describe());
    return r ? *r : InitReport{};
  }

  test_support::ScratchDir scratch_{"mmssec-pki-test"};
};

// ---------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------

TEST(PkiNames, KeyTypesPurposesAndReasonsRoundTrip) {
  for (const auto t :
       {KeyType::rsa2048, KeyType::rsa3072, KeyType::p256, KeyType::p384, KeyType::brainpool256}) {
    EXPECT_EQ(parse_key_type(key_type_name(t)), t);
  }
  EXPECT_EQ(parse_key_type("brainpool256"), KeyType::brainpool256);
  EXPECT_FALSE(parse_key_type("rsa1024"));
  EXPECT_FALSE(parse_key_type(""));
  for (const auto p : {Purpose::tls_server, Purpose::tls_client, Purpose::tls_both, Purpose::acse,
                       Purpose::e2e, Purpose::ca}) {
    EXPECT_EQ(parse_purpose(purpose_name(p)), p);
  }
  EXPECT_EQ(parse_purpose("server"), Purpose::tls_server);
  EXPECT_EQ(parse_purpose("client"), Purpose::tls_client);
  EXPECT_EQ(parse_purpose("both"), Purpose::tls_both);
  EXPECT_FALSE(parse_purpose("signing"));
  EXPECT_EQ(parse_revocation_reason("keyCompromise"), RevocationReason::key_compromise);
  EXPECT_EQ(revocation_reason_name(RevocationReason::superseded), "superseded");
  EXPECT_FALSE(parse_revocation_reason("removeFromCRL"));
  EXPECT_EQ(certificate_path("/x", "server"), fs::path("/x/server.crt"));
  EXPECT_EQ(key_path("/x", "ca"), fs::path("/x/ca.key"));
  EXPECT_EQ(format_time(Clock::from_time_t(86400 + 3661)), "1970-01-02T01:01:01Z");
  EXPECT_STREQ(pki_category().name(), "pki");
}

// ---------------------------------------------------------------------------------------------
// init
// ---------------------------------------------------------------------------------------------

TEST_F(PkiTest, InitWritesTheCaServerClientCrlAndIndex) {
  const auto before = Clock::now();
  InitOptions o;  // defaults: rsa2048, 365 days, CA 3650 days, CRL 30 days
  auto r = init(dir(), o);
  ASSERT_TRUE(r.ok()) << r.failure().describe();
  EXPECT_EQ(r->key, KeyType::rsa2048);
  ASSERT_EQ(r->certificates.size(), 3U);
  EXPECT_EQ(r->certificates[0].name, "ca");
  EXPECT_EQ(r->certificates[1].name, "server");
  EXPECT_EQ(r->certificates[2].name, "client");
  EXPECT_EQ(mode_of(dir()), 0700U);
  for (const auto* n : {"ca", "server", "client"}) {
    SCOPED_TRACE(n);
    EXPECT_EQ(mode_of(key_path(dir(), n)), 0600U);
    EXPECT_EQ(mode_of(certificate_path(dir(), n)), 0644U);
    EXPECT_EQ(slurp(key_path(dir(), n)).rfind("-----BEGIN PRIVATE KEY-----\n", 0), 0U)
        << "PKCS#8, unencrypted";
    EXPECT_EQ(slurp(certificate_path(dir(), n)).rfind("-----BEGIN CERTIFICATE-----\n", 0), 0U);
  }
  EXPECT_TRUE(fs::exists(dir() / "crl.pem"));
  EXPECT_EQ(r->index_file, dir() / "index.txt");
  EXPECT_TRUE(fs::exists(r->index_file));

  const auto ca = load_cert(dir() / "ca.crt");
  const auto ca_key = load_key(dir() / "ca.key");
  ASSERT_TRUE(ca && ca_key);
  EXPECT_EQ(X509_check_private_key(ca.get(), ca_key.get()), 1);
  EXPECT_EQ(X509_get_version(ca.get()), X509_VERSION_3);
  EXPECT_EQ(name_of(X509_get_subject_name(ca.get())), "CN=mmssec lab root CA,O=mmssec lab");
  EXPECT_EQ(name_of(X509_get_issuer_name(ca.get())), name_of(X509_get_subject_name(ca.get())));
  EXPECT_EQ(X509_verify(ca.get(), ca_key.get()), 1) << "self-signed";
  EXPECT_NE(X509_get_extension_flags(ca.get()) & EXFLAG_CA, 0U);
  EXPECT_TRUE(critical(ca.get(), NID_basic_constraints));
  EXPECT_TRUE(critical(ca.get(), NID_key_usage));
  EXPECT_EQ(X509_get_key_usage(ca.get()), static_cast<std::uint32_t>(KU_KEY_CERT_SIGN | KU_CRL_SIGN));
  EXPECT_FALSE(has_ext(ca.get(), NID_ext_key_usage));
  ASSERT_NE(X509_get0_subject_key_id(ca.get()), nullptr);
  ASSERT_NE(X509_get0_authority_key_id(ca.get()), nullptr);
  EXPECT_EQ(ASN1_OCTET_STRING_cmp(X509_get0_subject_key_id(ca.get()), X509_get0_authority_key_id(ca.get())),
            0);
  EXPECT_EQ(X509_get_signature_nid(ca.get()), NID_sha256WithRSAEncryption);
  EXPECT_GE(time_of(X509_get0_notAfter(ca.get())), before + 24h * 3650 - 1min);

  for (const auto* n : {"server", "client"}) {
    SCOPED_TRACE(n);
    const bool server = std::string(n) == "server";
    const auto cert = load_cert(certificate_path(dir(), n));
    const auto key = load_key(key_path(dir(), n));
    ASSERT_TRUE(cert && key);
    EXPECT_EQ(X509_check_private_key(cert.get(), key.get()), 1);
    EXPECT_EQ(X509_get_version(cert.get()), X509_VERSION_3);
    EXPECT_EQ(name_of(X509_get_subject_name(cert.get())), std::string("CN=") + n + ",O=mmssec lab");
    EXPECT_EQ(name_of(X509_get_issuer_name(cert.get())), name_of(X509_get_subject_name(ca.get())));
    EXPECT_EQ(X509_verify(cert.get(), X509_get0_pubkey(ca.get())), 1) << "signed by the CA";
    EXPECT_EQ(X509_get_signature_nid(cert.get()), NID_sha256WithRSAEncryption);
    EXPECT_EQ(EVP_PKEY_get_bits(key.get()), 2048);
    EXPECT_EQ(X509_get_extension_flags(cert.get()) & EXFLAG_CA, 0U);
    EXPECT_TRUE(critical(cert.get(), NID_basic_constraints)) << "CA:FALSE";
    EXPECT_TRUE(critical(cert.get(), NID_key_usage));
    EXPECT_EQ(X509_get_key_usage(cert.get()),
              static_cast<std::uint32_t>(KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT));
    EXPECT_EQ(X509_get_extended_key_usage(cert.get()),
              static_cast<std::uint32_t>(server ? XKU_SSL_SERVER : XKU_SSL_CLIENT));
    EXPECT_EQ(
        ASN1_OCTET_STRING_cmp(X509_get0_authority_key_id(cert.get()), X509_get0_subject_key_id(ca.get())), 0);
    EXPECT_NE(X509_get0_subject_key_id(cert.get()), nullptr);
    if (server) {
      EXPECT_EQ(sans_of(cert.get()), (std::vector<std::string>{"DNS:localhost", "IP4", "IP16"}));
    } else {
      EXPECT_FALSE(has_ext(cert.get(), NID_subject_alt_name));
    }
    // Valid from 5 minutes ago for 365 days; a random positive 16-octet serial.
    const auto nb = time_of(X509_get0_notBefore(cert.get()));
    const auto na = time_of(X509_get0_notAfter(cert.get()));
    EXPECT_LE(nb, before);
    EXPECT_GE(nb, before - 6min);
    EXPECT_GE(na, before + 24h * 365 - 1min);
    EXPECT_LE(na, Clock::now() + 24h * 365 + 1min);
    EXPECT_EQ(hex_serial(cert.get()).size(), 32U);
    EXPECT_NE(hex_serial(cert.get()).front(), '-');
  }
  EXPECT_NE(hex_serial(load_cert(dir() / "server.crt").get()),
            hex_serial(load_cert(dir() / "client.crt").get()));

  // The report matches the files.
  const auto& server = r->certificates[1];
  const auto server_cert = load_cert(dir() / "server.crt");
  EXPECT_EQ(server.purpose, Purpose::tls_server);
  EXPECT_EQ(server.serial, hex_serial(server_cert.get()));
  EXPECT_EQ(server.fingerprint_sha256, fingerprint(server_cert.get()));
  EXPECT_EQ(server.subject, "O=mmssec lab, CN=server");
  EXPECT_EQ(server.subject_alt_names, (std::vector<std::string>{"DNS:localhost", "IP:127.0.0.1", "IP:::1"}));
  EXPECT_EQ(server.certificate_file, dir() / "server.crt");
  EXPECT_EQ(server.key_file, dir() / "server.key");

  // An empty v2 CRL, number 1, signed by the CA, next update in 30 days.
  const auto crl = load_crl(dir() / "crl.pem");
  ASSERT_TRUE(crl);
  EXPECT_EQ(X509_CRL_get_version(crl.get()), X509_CRL_VERSION_2);
  EXPECT_EQ(X509_CRL_verify(crl.get(), X509_get0_pubkey(ca.get())), 1);
  EXPECT_LE(sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl.get())), 0) << "no entries (-1: no list at all)";
  EXPECT_EQ(r->crl.number, 1U);
  EXPECT_EQ(r->crl.revoked, 0U);
  EXPECT_GE(time_of(X509_CRL_get0_nextUpdate(crl.get())), before + 24h * 30 - 6min);
  EXPECT_EQ(time_of(X509_CRL_get0_nextUpdate(crl.get())), r->crl.next_update);
  EXPECT_TRUE(X509_CRL_get_ext_by_NID(crl.get(), NID_authority_key_identifier, -1) >= 0);
}

struct KeyCase {
  KeyType type;
  const char* algorithm;  // "RSA" or "EC"
  int bits;
  const char* group;  // EC only
  int signature_nid;
};

class PkiKeyTypeTest : public PkiTest, public ::testing::WithParamInterface<KeyCase> {};

TEST_P(PkiKeyTypeTest, MakesKeysOfThatTypeSignedWithSha256) {
  const KeyCase& c = GetParam();
  const auto r = make_pki(c.type);
  ASSERT_EQ(r.certificates.size(), 3U);
  EXPECT_EQ(r.key, c.type);
  for (const auto* n : {"ca", "server", "client"}) {
    SCOPED_TRACE(n);
    const auto key = load_key(key_path(dir(), n));
    const auto cert = load_cert(certificate_path(dir(), n));
    ASSERT_TRUE(key && cert);
    EXPECT_EQ(EVP_PKEY_is_a(key.get(), c.algorithm), 1);
    EXPECT_EQ(EVP_PKEY_get_bits(key.get()), c.bits);
    if (std::string(c.algorithm) == "EC") {
      std::array<char, 64> group{};
      std::size_t len = 0;
      ASSERT_EQ(EVP_PKEY_get_group_name(key.get(), group.data(), group.size(), &len), 1);
      EXPECT_EQ(std::string(group.data(), len), c.group);
    }
    EXPECT_EQ(X509_check_private_key(cert.get(), key.get()), 1);
    EXPECT_EQ(X509_get_signature_nid(cert.get()), c.signature_nid);
  }
  // keyEncipherment only for RSA (static RSA key exchange); ECDSA keys sign only.
  const auto server = load_cert(dir() / "server.crt");
  const std::uint32_t ku = X509_get_key_usage(server.get());
  EXPECT_NE(ku & KU_DIGITAL_SIGNATURE, 0U);
  EXPECT_EQ((ku & KU_KEY_ENCIPHERMENT) != 0, std::string(c.algorithm) == "RSA");
  for (const auto& e : r.certificates) EXPECT_EQ(e.key, c.type);

  const auto v = openssl_verify(dir(), dir() / "server.crt");
  EXPECT_EQ(v.exit_code, 0) << v.describe();
}

INSTANTIATE_TEST_SUITE_P(
    AllKeyTypes, PkiKeyTypeTest,
    ::testing::Values(KeyCase{KeyType::rsa2048, "RSA", 2048, "", NID_sha256WithRSAEncryption},
                      KeyCase{KeyType::rsa3072, "RSA", 3072, "", NID_sha256WithRSAEncryption},
                      KeyCase{KeyType::p256, "EC", 256, "prime256v1", NID_ecdsa_with_SHA256},
                      KeyCase{KeyType::p384, "EC", 384, "secp384r1", NID_ecdsa_with_SHA256},
                      KeyCase{KeyType::brainpool256, "EC", 256, "brainpoolP256r1", NID_ecdsa_with_SHA256}),
    [](const ::testing::TestParamInfo<KeyCase>& param) {
      return std::string(key_type_name(param.param.type));
    });

TEST_F(PkiTest, InitWithSigningAddsAcseAndE2eCertificates) {
  const auto r = make_pki(KeyType::p256, true);
  ASSERT_EQ(r.certificates.size(), 7U);
  const std::vector<std::pair<std::string, Purpose>> expected{{"server-acse", Purpose::acse},
                                                              {"client-acse", Purpose::acse},
                                                              {"server-e2e", Purpose::e2e},
                                                              {"client-e2e", Purpose::e2e}};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    SCOPED_TRACE(expected[i].first);
    EXPECT_EQ(r.certificates[3 + i].name, expected[i].first);
    EXPECT_EQ(r.certificates[3 + i].purpose, expected[i].second);
    const auto cert = load_cert(certificate_path(dir(), expected[i].first));
    ASSERT_TRUE(cert);
    EXPECT_EQ(X509_get_key_usage(cert.get()),
              static_cast<std::uint32_t>(KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION));
    EXPECT_TRUE(critical(cert.get(), NID_key_usage));
    EXPECT_FALSE(has_ext(cert.get(), NID_ext_key_usage)) << "not a TLS certificate";
    EXPECT_EQ(mode_of(key_path(dir(), expected[i].first)), 0600U);
  }
}

TEST_F(PkiTest, KeyFilesAre0600EvenWithAPermissiveUmask) {
  const mode_t old = ::umask(0);
  const auto r = make_pki();
  ::umask(old);
  ASSERT_EQ(r.certificates.size(), 3U);
  for (const auto* n : {"ca", "server", "client"}) EXPECT_EQ(mode_of(key_path(dir(), n)), 0600U) << n;
  EXPECT_EQ(mode_of(dir()), 0700U);
}

TEST_F(PkiTest, InitRefusesANonEmptyDirectoryUnlessForced) {
  const auto first = make_pki();
  ASSERT_EQ(first.certificates.size(), 3U);
  auto again = init(dir(), InitOptions{});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.code(), Errc::exists);
  EXPECT_NE(again.failure().detail.find(dir().string()), std::string::npos);
  EXPECT_NE(again.failure().detail.find("--force"), std::string::npos);
  EXPECT_EQ(fingerprint(load_cert(dir() / "ca.crt").get()), first.certificates[0].fingerprint_sha256)
      << "the old PKI is untouched";

  // A directory holding anything at all is refused too.
  const fs::path other = scratch_.path() / "other";
  fs::create_directories(other);
  std::ofstream(other / "notes.txt") << "mine\n";
  EXPECT_EQ(init(other, InitOptions{}).code(), Errc::exists);

  // --force replaces the PKI (also names issued later) and leaves unrelated files alone.
  IssueOptions extra;
  extra.name = "extra";
  ASSERT_TRUE(issue(dir(), extra).ok());
  std::ofstream(dir() / "notes.txt") << "mine\n";
  InitOptions force;
  force.key = KeyType::p256;
  force.force = true;
  auto replaced = init(dir(), force);
  ASSERT_TRUE(replaced.ok()) << replaced.failure().describe();
  EXPECT_NE(replaced->certificates[0].fingerprint_sha256, first.certificates[0].fingerprint_sha256);
  EXPECT_FALSE(fs::exists(dir() / "extra.crt"));
  EXPECT_FALSE(fs::exists(dir() / "extra.key"));
  EXPECT_TRUE(fs::exists(dir() / "notes.txt"));
  auto entries = list(dir());
  ASSERT_TRUE(entries.ok());
  EXPECT_EQ(entries->size(), 3U);
}

TEST_F(PkiTest, InitRefusesBadOptions) {
  InitOptions o;
  o.key = KeyType::p256;
  o.days = 0;
  EXPECT_EQ(init(dir(), o).code(), Errc::invalid_argument);
  o.days = 400;
  o.ca_days = 100;
  EXPECT_EQ(init(dir(), o).code(), Errc::invalid_argument);
  o = InitOptions{};
  o.organisation = "tab\there";
  EXPECT_EQ(init(dir(), o).code(), Errc::invalid_argument);
  o.organisation = std::string(65, 'x');
  EXPECT_EQ(init(dir(), o).code(), Errc::invalid_argument);
  o.organisation = "\xff\xfe";
  EXPECT_EQ(init(dir(), o).code(), Errc::invalid_argument);
  o = InitOptions{};
  o.crl_days = 0;
  EXPECT_EQ(init(dir(), o).code(), Errc::invalid_argument);
  EXPECT_FALSE(fs::exists(dir())) << "nothing is created for bad options";

  // A file where the directory should be.
  std::ofstream(scratch_.path() / "file") << "x";
  EXPECT_EQ(init(scratch_.path() / "file", InitOptions{}).code(), Errc::exists);
}

TEST_F(PkiTest, InitUsesTheOrganisationInEverySubject) {
  InitOptions o;
  o.key = KeyType::p256;
  o.organisation = "Substation Nord GmbH";
  auto r = init(dir(), o);
  ASSERT_TRUE(r.ok()) << r.failure().describe();
  EXPECT_EQ(r->certificates[0].subject, "O=Substation Nord GmbH, CN=Substation Nord GmbH root CA");
  EXPECT_EQ(r->certificates[2].subject, "O=Substation Nord GmbH, CN=client");
  IssueOptions i;
  i.name = "ied";
  auto e = issue(dir(), i);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->subject, "O=Substation Nord GmbH, CN=ied");
}

// ---------------------------------------------------------------------------------------------
// issue
// ---------------------------------------------------------------------------------------------

TEST_F(PkiTest, IssueMakesEachPurpose) {
  make_pki();
  struct Case {
    const char* name;
    Purpose purpose;
    std::uint32_t eku;
    std::uint32_t ku;
  };
  const std::vector<Case> cases{
      {"srv2", Purpose::tls_server, XKU_SSL_SERVER, KU_DIGITAL_SIGNATURE},
      {"cli2", Purpose::tls_client, XKU_SSL_CLIENT, KU_DIGITAL_SIGNATURE},
      {"ied1", Purpose::tls_both, XKU_SSL_SERVER | XKU_SSL_CLIENT, KU_DIGITAL_SIGNATURE},
      {"ied1-acse", Purpose::acse, 0, KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION},
      {"ied1-e2e", Purpose::e2e, 0, KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION},
  };
  const auto ca = load_cert(dir() / "ca.crt");
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    IssueOptions o;
    o.name = c.name;
    o.purpose = c.purpose;
    auto e = issue(dir(), o);
    ASSERT_TRUE(e.ok()) << e.failure().describe();
    EXPECT_EQ(e->name, c.name);
    EXPECT_EQ(e->purpose, c.purpose);
    EXPECT_EQ(e->key, KeyType::p256) << "the CA's key type by default";
    const auto cert = load_cert(certificate_path(dir(), c.name));
    ASSERT_TRUE(cert);
    EXPECT_EQ(X509_verify(cert.get(), X509_get0_pubkey(ca.get())), 1);
    EXPECT_EQ(X509_get_key_usage(cert.get()), c.ku);
    if (c.eku == 0) {
      EXPECT_FALSE(has_ext(cert.get(), NID_ext_key_usage));
    } else {
      EXPECT_EQ(X509_get_extended_key_usage(cert.get()), c.eku);
    }
    const bool server_like = c.purpose == Purpose::tls_server || c.purpose == Purpose::tls_both;
    EXPECT_EQ(has_ext(cert.get(), NID_subject_alt_name), server_like);
    EXPECT_EQ(mode_of(key_path(dir(), c.name)), 0600U);
    EXPECT_EQ(e->fingerprint_sha256, fingerprint(cert.get()));
    const auto v = openssl_verify(dir(), certificate_path(dir(), c.name));
    EXPECT_EQ(v.exit_code, 0) << v.describe();
  }
}

TEST_F(PkiTest, IssueTakesKeyCnNamesAndDays) {
  make_pki(KeyType::p256);
  IssueOptions o;
  o.name = "gw.north_1";
  o.purpose = Purpose::tls_server;
  o.key = KeyType::rsa2048;
  o.days = 10;
  o.common_name = "Gateway Nord";
  o.dns_names = {"gw.example.org", "*.bay1.example.org"};
  o.ip_addresses = {"192.0.2.7", "2001:db8::7"};
  const auto now = Clock::now();
  auto e = issue(dir(), o);
  ASSERT_TRUE(e.ok()) << e.failure().describe();
  EXPECT_EQ(e->key, KeyType::rsa2048);
  EXPECT_EQ(e->subject, "O=mmssec lab, CN=Gateway Nord");
  EXPECT_EQ(e->subject_alt_names, (std::vector<std::string>{"DNS:gw.example.org", "DNS:*.bay1.example.org",
                                                            "IP:192.0.2.7", "IP:2001:db8::7"}));
  const auto cert = load_cert(dir() / "gw.north_1.crt");
  ASSERT_TRUE(cert);
  EXPECT_EQ(sans_of(cert.get()),
            (std::vector<std::string>{"DNS:gw.example.org", "DNS:*.bay1.example.org", "IP4", "IP16"}));
  EXPECT_EQ(EVP_PKEY_get_bits(load_key(dir() / "gw.north_1.key").get()), 2048);
  EXPECT_EQ(X509_get_signature_nid(cert.get()), NID_ecdsa_with_SHA256) << "signed by the P-256 CA";
  EXPECT_EQ(X509_get_key_usage(cert.get()),
            static_cast<std::uint32_t>(KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT));
  const auto na = time_of(X509_get0_notAfter(cert.get()));
  EXPECT_GE(na, now + 24h * 10 - 1min);
  EXPECT_LE(na, Clock::now() + 24h * 10 + 1min);
}

TEST_F(PkiTest, IssueRefusesDuplicateAndBadNames) {
  make_pki();
  IssueOptions o;
  o.name = "server";
  auto dup = issue(dir(), o);
  EXPECT_EQ(dup.code(), Errc::exists);
  EXPECT_NE(dup.failure().detail.find("server"), std::string::npos);

  const std::vector<std::string> bad_names{
      "", ".hidden", "a/b", "../up", "ca", "a b", "x\ty", std::string(65, 'n'), "é"};
  for (const auto& bad : bad_names) {
    SCOPED_TRACE(bad);
    o.name = bad;
    EXPECT_EQ(issue(dir(), o).code(), Errc::invalid_argument);
  }
  o.name = std::string(64, 'n');
  EXPECT_TRUE(issue(dir(), o).ok()) << "64 characters are fine";

  // A stray file of that name is not overwritten.
  std::ofstream(dir() / "stray.key") << "not ours\n";
  o.name = "stray";
  EXPECT_EQ(issue(dir(), o).code(), Errc::exists);
  EXPECT_EQ(slurp(dir() / "stray.key"), "not ours\n");
  EXPECT_FALSE(fs::exists(dir() / "stray.crt"));
}

TEST_F(PkiTest, IssueRefusesBadArguments) {
  make_pki();
  IssueOptions o;
  o.name = "x";
  o.purpose = Purpose::ca;
  EXPECT_EQ(issue(dir(), o).code(), Errc::invalid_argument);
  o.purpose = Purpose::tls_server;
  o.dns_names = {"bad name"};
  EXPECT_EQ(issue(dir(), o).code(), Errc::invalid_argument);
  o.dns_names = {"-bad.example"};
  EXPECT_EQ(issue(dir(), o).code(), Errc::invalid_argument);
  o.dns_names = {"a,IP:1.2.3.4"};  // no splicing into OpenSSL's configuration syntax
  EXPECT_EQ(issue(dir(), o).code(), Errc::invalid_argument);
  o.dns_names = {};
  o.ip_addresses = {"300.1.1.1"};
  EXPECT_EQ(issue(dir(), o).code(), Errc::invalid_argument);
  o.ip_addresses = {};
  o.days = 0;
  EXPECT_EQ(issue(dir(), o).code(), Errc::invalid_argument);
  o.days = 1;
  o.common_name = "line\nbreak";
  EXPECT_EQ(issue(dir(), o).code(), Errc::invalid_argument);
  o.common_name = {};
  o.not_before = Clock::now();
  o.not_after = Clock::now() - 1h;
  EXPECT_EQ(issue(dir(), o).code(), Errc::invalid_argument);
  o.not_before = Clock::from_time_t(-700000000);  // 1947: before UTCTime's range
  o.not_after = Clock::now();
  EXPECT_EQ(issue(dir(), o).code(), Errc::invalid_argument);
  EXPECT_FALSE(fs::exists(dir() / "x.crt"));
  EXPECT_FALSE(fs::exists(dir() / "x.key"));

  // Not a PKI.
  o = IssueOptions{};
  o.name = "x";
  EXPECT_EQ(issue(scratch_.path() / "nothing", o).code(), Errc::no_pki);
  fs::create_directories(scratch_.path() / "empty");
  auto r = issue(scratch_.path() / "empty", o);
  EXPECT_EQ(r.code(), Errc::no_pki);
  EXPECT_NE(r.failure().detail.find("index.txt"), std::string::npos);
}

TEST_F(PkiTest, ExplicitValidityMakesExpiredAndNotYetValidCertificates) {
  make_pki();
  const auto now = std::chrono::time_point_cast<std::chrono::seconds>(Clock::now());
  IssueOptions o;
  o.name = "expired";
  o.purpose = Purpose::tls_client;
  o.not_before = now - 48h;
  o.not_after = now - 24h;
  auto e = issue(dir(), o);
  ASSERT_TRUE(e.ok()) << e.failure().describe();
  EXPECT_EQ(e->not_before, now - 48h);
  EXPECT_EQ(e->not_after, now - 24h);
  const auto cert = load_cert(dir() / "expired.crt");
  EXPECT_EQ(time_of(X509_get0_notBefore(cert.get())), now - 48h);
  EXPECT_EQ(time_of(X509_get0_notAfter(cert.get())), now - 24h);
  auto v = openssl_verify(dir(), dir() / "expired.crt");
  EXPECT_NE(v.exit_code, 0);
  EXPECT_NE(output(v).find("certificate has expired"), std::string::npos) << v.describe();

  o.name = "future";
  o.not_before = now + 24h;
  o.not_after = std::nullopt;
  o.days = 2;
  e = issue(dir(), o);
  ASSERT_TRUE(e.ok()) << e.failure().describe();
  EXPECT_EQ(e->not_after, now + 72h) << "not_before + days";
  v = openssl_verify(dir(), dir() / "future.crt");
  EXPECT_NE(v.exit_code, 0);
  EXPECT_NE(output(v).find("certificate is not yet valid"), std::string::npos) << v.describe();

  // Validity beyond 2049 is a GeneralizedTime (RFC 5280 4.1.2.5).
  o.name = "long";
  o.not_before = std::nullopt;
  o.not_after = Clock::from_time_t(2'600'000'000);  // 2052
  e = issue(dir(), o);
  ASSERT_TRUE(e.ok()) << e.failure().describe();
  EXPECT_EQ(ASN1_STRING_type(X509_get0_notAfter(load_cert(dir() / "long.crt").get())),
            V_ASN1_GENERALIZEDTIME);
  EXPECT_EQ(e->not_after, Clock::from_time_t(2'600'000'000));
}

// ---------------------------------------------------------------------------------------------
// revoke, CRL
// ---------------------------------------------------------------------------------------------

TEST_F(PkiTest, OpensslVerifyAcceptsThenReportsRevoked) {
  make_pki();
  auto v = openssl_verify(dir(), dir() / "server.crt");
  ASSERT_TRUE(v.started) << v.describe();
  EXPECT_EQ(v.exit_code, 0) << v.describe();
  EXPECT_NE(output(v).find("OK"), std::string::npos);

  auto r = revoke(dir(), "server");
  ASSERT_TRUE(r.ok()) << r.failure().describe();
  v = openssl_verify(dir(), dir() / "server.crt");
  EXPECT_NE(v.exit_code, 0);
  EXPECT_NE(output(v).find("certificate revoked"), std::string::npos) << v.describe();
  v = openssl_verify(dir(), dir() / "client.crt");
  EXPECT_EQ(v.exit_code, 0) << v.describe();
}

TEST_F(PkiTest, RevokeListsTheSerialAndIncrementsTheCrlNumber) {
  make_pki();
  const auto ca = load_cert(dir() / "ca.crt");
  const auto before = std::chrono::time_point_cast<std::chrono::seconds>(Clock::now());

  auto r = revoke(dir(), "server", RevocationReason::key_compromise);
  ASSERT_TRUE(r.ok()) << r.failure().describe();
  EXPECT_TRUE(r->entry.revoked);
  EXPECT_EQ(r->entry.name, "server");
  EXPECT_EQ(r->entry.reason, RevocationReason::key_compromise);
  EXPECT_GE(r->entry.revoked_at, before - 6min);
  EXPECT_EQ(r->entry.revoked_at, r->crl.this_update) << "revoked as of the CRL that first lists it";
  EXPECT_EQ(r->crl.number, 2U);
  EXPECT_EQ(r->crl.revoked, 1U);
  EXPECT_EQ(r->crl.file, dir() / "crl.pem");

  auto crl = load_crl(dir() / "crl.pem");
  ASSERT_TRUE(crl);
  EXPECT_EQ(X509_CRL_verify(crl.get(), X509_get0_pubkey(ca.get())), 1) << "signed by the CA";
  EXPECT_EQ(X509_CRL_get_version(crl.get()), X509_CRL_VERSION_2);
  auto* number =
      static_cast<ASN1_INTEGER*>(X509_CRL_get_ext_d2i(crl.get(), NID_crl_number, nullptr, nullptr));
  ASSERT_NE(number, nullptr);
  EXPECT_EQ(ASN1_INTEGER_get(number), 2);
  ASN1_INTEGER_free(number);
  const auto server = load_cert(dir() / "server.crt");
  X509_REVOKED* entry = nullptr;
  ASSERT_EQ(X509_CRL_get0_by_cert(crl.get(), &entry, server.get()), 1) << "the server's serial is listed";
  auto* reason =
      static_cast<ASN1_ENUMERATED*>(X509_REVOKED_get_ext_d2i(entry, NID_crl_reason, nullptr, nullptr));
  ASSERT_NE(reason, nullptr);
  EXPECT_EQ(ASN1_ENUMERATED_get(reason), 1);  // keyCompromise
  ASN1_ENUMERATED_free(reason);
  const auto this_update = time_of(X509_CRL_get0_lastUpdate(crl.get()));
  EXPECT_LE(this_update, Clock::now());
  EXPECT_GE(time_of(X509_CRL_get0_nextUpdate(crl.get())), this_update + 24h * 30);

  // A second revocation: both listed, number 3; unspecified carries no reasonCode.
  r = revoke(dir(), "client");
  ASSERT_TRUE(r.ok()) << r.failure().describe();
  EXPECT_EQ(r->crl.number, 3U);
  EXPECT_EQ(r->crl.revoked, 2U);
  crl = load_crl(dir() / "crl.pem");
  const auto client = load_cert(dir() / "client.crt");
  ASSERT_EQ(X509_CRL_get0_by_cert(crl.get(), &entry, client.get()), 1);
  EXPECT_EQ(X509_REVOKED_get_ext_by_NID(entry, NID_crl_reason, -1), -1);
  EXPECT_EQ(X509_CRL_get0_by_cert(crl.get(), &entry, server.get()), 1);

  auto info = crl_info(dir());
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->number, 3U);
  EXPECT_EQ(info->revoked, 2U);
}

TEST_F(PkiTest, RevokeRefusesUnknownCaAndAlreadyRevoked) {
  make_pki();
  EXPECT_EQ(revoke(dir(), "nobody").code(), Errc::unknown_name);
  EXPECT_EQ(revoke(dir(), "ca").code(), Errc::invalid_argument);
  ASSERT_TRUE(revoke(dir(), "client").ok());
  auto again = revoke(dir(), "client");
  EXPECT_EQ(again.code(), Errc::already_revoked);
  EXPECT_NE(again.failure().detail.find("client.crt"), std::string::npos);
  EXPECT_EQ(crl_info(dir())->number, 2U) << "refusals leave the CRL alone";
  EXPECT_EQ(revoke(scratch_.path() / "none", "client").code(), Errc::no_pki);
}

TEST_F(PkiTest, StaleCrlIsRefusedByOpenssl) {
  make_pki();
  const auto now = std::chrono::time_point_cast<std::chrono::seconds>(Clock::now());
  CrlOptions o;
  o.this_update = now - 72h;
  o.next_update = now - 24h;
  auto r = regenerate_crl(dir(), o);
  ASSERT_TRUE(r.ok()) << r.failure().describe();
  EXPECT_EQ(r->number, 2U);
  EXPECT_EQ(r->this_update, now - 72h);
  EXPECT_EQ(r->next_update, now - 24h);
  auto v = openssl_verify(dir(), dir() / "server.crt");
  EXPECT_NE(v.exit_code, 0);
  EXPECT_NE(output(v).find("CRL has expired"), std::string::npos) << v.describe();

  // A fresh one again (number 3) and the certificate verifies.
  r = regenerate_crl(dir());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->number, 3U);
  v = openssl_verify(dir(), dir() / "server.crt");
  EXPECT_EQ(v.exit_code, 0) << v.describe();

  o = CrlOptions{};
  o.this_update = now;
  o.next_update = now - 1h;
  EXPECT_EQ(regenerate_crl(dir(), o).code(), Errc::invalid_argument);
  o = CrlOptions{};
  o.days = 0;
  EXPECT_EQ(regenerate_crl(dir(), o).code(), Errc::invalid_argument);
}

// ---------------------------------------------------------------------------------------------
// list, index, damaged files
// ---------------------------------------------------------------------------------------------

TEST_F(PkiTest, ListShowsEveryCertificateWithItsStatus) {
  make_pki();
  IssueOptions o;
  o.name = "ied7";
  o.purpose = Purpose::tls_both;
  ASSERT_TRUE(issue(dir(), o).ok());
  ASSERT_TRUE(revoke(dir(), "client", RevocationReason::superseded).ok());

  auto entries = list(dir());
  ASSERT_TRUE(entries.ok()) << entries.failure().describe();
  ASSERT_EQ(entries->size(), 4U);
  const std::vector<std::string> names{"ca", "server", "client", "ied7"};
  for (std::size_t i = 0; i < names.size(); ++i) {
    SCOPED_TRACE(names[i]);
    const Entry& e = (*entries)[i];
    EXPECT_EQ(e.name, names[i]);
    const auto cert = load_cert(e.certificate_file);
    ASSERT_TRUE(cert);
    EXPECT_EQ(e.serial, hex_serial(cert.get()));
    EXPECT_EQ(e.fingerprint_sha256, fingerprint(cert.get()));
    EXPECT_EQ(e.not_before, time_of(X509_get0_notBefore(cert.get())));
    EXPECT_EQ(e.not_after, time_of(X509_get0_notAfter(cert.get())));
    EXPECT_EQ(e.key, KeyType::p256);
    EXPECT_EQ(e.key_file, key_path(dir(), names[i]));
    EXPECT_EQ(e.revoked, names[i] == "client");
  }
  EXPECT_EQ((*entries)[0].purpose, Purpose::ca);
  EXPECT_EQ((*entries)[3].purpose, Purpose::tls_both);
  EXPECT_EQ((*entries)[3].subject, "O=mmssec lab, CN=ied7");
  EXPECT_EQ((*entries)[3].subject_alt_names.size(), 3U);
  EXPECT_EQ((*entries)[2].reason, RevocationReason::superseded);

  EXPECT_EQ(list(scratch_.path() / "none").code(), Errc::no_pki);
}

TEST_F(PkiTest, DamagedFilesAreReportedWithTheirName) {
  make_pki();
  // A damaged index.
  const std::string index = slurp(dir() / "index.txt");
  std::ofstream(dir() / "index.txt", std::ios::trunc) << index << "cert\tbroken\n";
  auto entries = list(dir());
  ASSERT_FALSE(entries.ok());
  EXPECT_EQ(entries.code(), Errc::corrupt);
  EXPECT_NE(entries.failure().detail.find("index.txt line"), std::string::npos) << entries.failure().detail;
  std::ofstream(dir() / "index.txt", std::ios::trunc) << index;
  ASSERT_TRUE(list(dir()).ok());

  // A CA key that is not the CA's.
  fs::copy_file(dir() / "ca.key", dir() / "ca.key.orig");
  fs::remove(dir() / "ca.key");
  fs::copy_file(dir() / "server.key", dir() / "ca.key");
  IssueOptions o;
  o.name = "x";
  auto r = issue(dir(), o);
  EXPECT_EQ(r.code(), Errc::corrupt);
  EXPECT_NE(r.failure().detail.find("ca.key"), std::string::npos) << r.failure().detail;

  // No CA key at all.
  fs::remove(dir() / "ca.key");
  r = issue(dir(), o);
  EXPECT_EQ(r.code(), Errc::io);
  EXPECT_NE(r.failure().detail.find("ca.key: cannot open"), std::string::npos) << r.failure().detail;
  EXPECT_FALSE(fs::exists(dir() / "x.key")) << "nothing left behind";

  // Garbage instead of the key.
  std::ofstream(dir() / "ca.key") << "-----BEGIN PRIVATE KEY-----\nnonsense\n-----END PRIVATE KEY-----\n";
  EXPECT_EQ(revoke(dir(), "server").code(), Errc::corrupt);

  // Restored, everything works again.
  fs::remove(dir() / "ca.key");
  fs::copy_file(dir() / "ca.key.orig", dir() / "ca.key");
  EXPECT_TRUE(issue(dir(), o).ok());
}

TEST_F(PkiTest, ConcurrentIssuesSerialiseOnTheDirectory) {
  make_pki();
  constexpr int kThreads = 4;
  std::vector<std::thread> threads;
  std::array<bool, kThreads> ok{};
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([this, i, &ok] {
      IssueOptions o;
      o.name = "node" + std::to_string(i);
      ok[static_cast<std::size_t>(i)] = issue(dir(), o).ok();
    });
  }
  for (auto& t : threads) t.join();
  for (const bool b : ok) EXPECT_TRUE(b);
  auto entries = list(dir());
  ASSERT_TRUE(entries.ok());
  EXPECT_EQ(entries->size(), 3U + kThreads) << "no issue lost another's index record";
}

}  // namespace
}  // namespace mmssec::pki
