// SPDX-License-Identifier: Apache-2.0
// A test PKI made with the `openssl` command-line tool (a second implementation, so the TLS
// tests do not check our code with our own certificates): one trusted root CA issuing server and
// client certificates (RSA 2048, P-256, brainpoolP256r1) and the broken ones the T-profile must
// refuse (expired, not yet valid, from an untrusted CA, RSA 1024, larger than 8192 octets,
// revoked, without the clientAuth EKU, without digitalSignature), plus CRLs.
//
//   const auto& pki = test_support::OpensslPki::shared();   // built once, cached on disk
//   ASSERT_TRUE(pki.ok()) << pki.error();
//   cfg.certificate_file = pki.server_rsa.cert; cfg.private_key_file = pki.server_rsa.key;
//   cfg.trust_anchor_files = {pki.ca};
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "support/process.hpp"

namespace mmssec::test_support {

/// A certificate and its private key (PEM file paths).
struct PkiCredential {
  std::string cert;
  std::string key;
};

class OpensslPki {
 public:
  /// Builds everything in a fresh scratch directory, removed on destruction (a few seconds:
  /// key generation). Check ok().
  OpensslPki();
  /// Uses `dir` as a cache shared by test processes: reuses a complete PKI of the same recipe
  /// younger than 30 days, otherwise rebuilds it there (serialised by a lock file, so parallel
  /// test processes build it once).
  explicit OpensslPki(std::filesystem::path dir);
  /// One PKI per test program: cached in $MMSSEC_TEST_PKI_DIR, else in the directory the build
  /// gives (MMSSEC_TEST_PKI_DIR definition), else a scratch directory.
  static const OpensslPki& shared();

  [[nodiscard]] bool ok() const noexcept { return error_.empty(); }
  /// Which openssl command failed, with its output.
  [[nodiscard]] const std::string& error() const noexcept { return error_; }
  [[nodiscard]] const std::filesystem::path& dir() const noexcept { return dir_; }

  std::string ca;            ///< the trust anchor (RSA 2048 root, "mmssec test CA")
  std::string untrusted_ca;  ///< another root that nobody trusts

  // Valid for ten years from today. Servers carry EKU serverAuth, clients EKU clientAuth.
  PkiCredential server_rsa, client_rsa;
  PkiCredential server_p256, client_p256;
  PkiCredential server_brainpool, client_brainpool;
  PkiCredential client_rsa_b;  ///< a second valid client (allow-list and CRL tests)

  // Broken client certificates (all RSA 2048 unless the name says otherwise).
  PkiCredential client_expired;               ///< valid 2020-2021
  PkiCredential client_not_yet_valid;         ///< valid 2048-2049
  PkiCredential client_untrusted;             ///< issued by untrusted_ca
  PkiCredential client_rsa1024;               ///< RSA 1024
  PkiCredential client_oversized;             ///< > 8192 octets DER (hundreds of SAN entries)
  PkiCredential client_revoked;               ///< listed in crl_revoked and crl_stale (not in crl_empty)
  PkiCredential client_no_client_auth;        ///< EKU serverAuth only
  PkiCredential client_no_digital_signature;  ///< keyUsage keyEncipherment only

  std::string crl_empty;    ///< fresh CRL of `ca`, nothing revoked
  std::string crl_revoked;  ///< fresh CRL of `ca` revoking client_revoked
  std::string crl_stale;    ///< CRL of `ca` revoking client_revoked whose nextUpdate (2021) has passed

 private:
  bool run(const std::vector<std::string>& args);
  bool make_key(const std::string& name, const std::string& algorithm);
  bool issue(const std::string& name, const std::string& key, const std::string& profile,
             const std::vector<std::string>& extra = {});
  void build();
  void assign_paths();

  std::unique_ptr<ScratchDir> scratch_;
  std::filesystem::path dir_;
  std::string error_;
};

}  // namespace mmssec::test_support
