// SPDX-License-Identifier: Apache-2.0
// The OpenSSL 3 side of the lab PKI (internal): key generation, certificates, CRLs and their PEM
// encodings, through the EVP / X509 APIs only (nothing deprecated). pki.cpp keeps the files and
// the index; it never calls OpenSSL itself.
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mmssec/pki/pki.hpp"

namespace mmssec::pki::detail {

struct KeyFree {
  void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
struct CertFree {
  void operator()(X509* p) const noexcept { X509_free(p); }
};
struct CrlFree {
  void operator()(X509_CRL* p) const noexcept { X509_CRL_free(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyFree>;
using CertPtr = std::unique_ptr<X509, CertFree>;
using CrlPtr = std::unique_ptr<X509_CRL, CrlFree>;

/// Bytes of secret material (a private key's PEM): allocated once at their final size and wiped
/// with OPENSSL_cleanse when destroyed. Move-only.
class Secret {
 public:
  Secret() = default;
  explicit Secret(std::size_t size) : bytes_(size) {}
  ~Secret();
  Secret(Secret&& other) noexcept = default;
  Secret& operator=(Secret&& other) noexcept;
  Secret(const Secret&) = delete;
  Secret& operator=(const Secret&) = delete;

  [[nodiscard]] unsigned char* data() noexcept { return bytes_.data(); }
  [[nodiscard]] const unsigned char* data() const noexcept { return bytes_.data(); }
  [[nodiscard]] std::size_t size() const noexcept { return bytes_.size(); }
  /// Shrink to the first `n` bytes (wiping the rest); never reallocates.
  void truncate(std::size_t n) noexcept;

 private:
  std::vector<unsigned char> bytes_;
};

/// The reason OpenSSL gave for the last failure ("unknown" when its queue is empty); clears the
/// error queue.
std::string openssl_reason();

Outcome<KeyPtr> generate_key(KeyType type);
/// The KeyType of a key, nullopt for any other algorithm or size.
std::optional<KeyType> key_type_of(const EVP_PKEY* key);

/// Unencrypted PKCS#8 PEM ("BEGIN PRIVATE KEY").
Outcome<Secret> encode_private_key(EVP_PKEY* key);
/// Refuses encrypted keys (never prompts for a pass phrase).
Outcome<KeyPtr> decode_private_key(const Secret& pem);

Outcome<std::string> encode_certificate(X509* cert);
Outcome<CertPtr> decode_certificate(std::string_view pem);
Outcome<std::string> encode_crl(X509_CRL* crl);
Outcome<CrlPtr> decode_crl(std::string_view pem);

/// A new random serial: 16 octets, the first in 0x40..0x7f (so positive and always 16 octets
/// long), as upper-case hex.
Outcome<std::string> random_serial();

struct CertificateSpec {
  std::string organisation;
  std::string common_name;
  Purpose purpose = Purpose::tls_client;
  std::string serial;  ///< upper-case hex
  EVP_PKEY* subject_key = nullptr;
  X509* issuer = nullptr;  ///< nullptr: self-signed with subject_key (the CA)
  EVP_PKEY* issuer_key = nullptr;
  Time not_before{};
  Time not_after{};
  std::vector<std::string> dns_names;     ///< validated by the caller
  std::vector<std::string> ip_addresses;  ///< validated by the caller
};
/// An X.509 v3 certificate signed with SHA-256, extensions by purpose (see Purpose).
Outcome<CertPtr> make_certificate(const CertificateSpec& spec);

struct RevokedSpec {
  std::string serial;  ///< upper-case hex
  Time revoked_at{};
  RevocationReason reason = RevocationReason::unspecified;
};
/// A v2 CRL signed by the CA with SHA-256: AKI and CRL number extensions, entries sorted.
Outcome<CrlPtr> make_crl(X509* ca, EVP_PKEY* ca_key, std::uint64_t number, Time this_update, Time next_update,
                         const std::vector<RevokedSpec>& revoked);

/// Fills serial, subject, validity, fingerprint and subject_alt_names of `entry` from `cert`.
void describe_certificate(X509* cert, Entry& entry);
/// Everything but CrlInfo::file.
CrlInfo describe_crl(X509_CRL* crl);
/// True when `key` is the private key of `cert`.
bool key_matches(X509* cert, EVP_PKEY* key);

}  // namespace mmssec::pki::detail
