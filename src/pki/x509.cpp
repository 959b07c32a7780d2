// SPDX-License-Identifier: Apache-2.0
// Keys, certificates and CRLs of the lab PKI with OpenSSL 3 (EVP / X509 APIs; built with
// OPENSSL_NO_DEPRECATED). Certificates follow RFC 5280: v3, SHA-256 signatures, random positive
// serials, SKI/AKI, basicConstraints and keyUsage critical; CRLs are v2 with AKI and CRL number.
#include "x509.hpp"

#include <arpa/inet.h>
#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <array>
#include <cstring>
#include <ctime>
#include <limits>

namespace mmssec::pki::detail {
namespace {

struct BioFree {
  void operator()(BIO* p) const noexcept { BIO_free(p); }
};
struct NameFree {
  void operator()(X509_NAME* p) const noexcept { X509_NAME_free(p); }
};
struct ExtFree {
  void operator()(X509_EXTENSION* p) const noexcept { X509_EXTENSION_free(p); }
};
struct IntegerFree {
  void operator()(ASN1_INTEGER* p) const noexcept { ASN1_INTEGER_free(p); }
};
struct TimeFree {
  void operator()(ASN1_TIME* p) const noexcept { ASN1_TIME_free(p); }
};
struct BnFree {
  void operator()(BIGNUM* p) const noexcept { BN_free(p); }
};
struct NamesFree {
  void operator()(GENERAL_NAMES* p) const noexcept { GENERAL_NAMES_free(p); }
};
struct RevokedFree {
  void operator()(X509_REVOKED* p) const noexcept { X509_REVOKED_free(p); }
};
struct EnumeratedFree {
  void operator()(ASN1_ENUMERATED* p) const noexcept { ASN1_ENUMERATED_free(p); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using NamePtr = std::unique_ptr<X509_NAME, NameFree>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, ExtFree>;
using IntegerPtr = std::unique_ptr<ASN1_INTEGER, IntegerFree>;
using TimePtr = std::unique_ptr<ASN1_TIME, TimeFree>;
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;
using NamesPtr = std::unique_ptr<GENERAL_NAMES, NamesFree>;
using RevokedPtr = std::unique_ptr<X509_REVOKED, RevokedFree>;
using EnumeratedPtr = std::unique_ptr<ASN1_ENUMERATED, EnumeratedFree>;

Failure crypto_failure(std::string_view what) {
  return {Errc::crypto, std::string(what) + ": " + openssl_reason()};
}
Failure corrupt_failure(std::string_view what) {
  return {Errc::corrupt, std::string(what) + ": " + openssl_reason()};
}

/// Never prompt for a pass phrase: lab keys are unencrypted, an encrypted one is refused.
int no_passphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*user*/) { return -1; }

BioPtr read_bio(std::string_view data) {
  if (data.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) return nullptr;
  return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  if (n <= 0 || data == nullptr) return {};
  return {data, static_cast<std::size_t>(n)};
}

IntegerPtr integer_of_hex(const std::string& hex) {
  BIGNUM* raw = nullptr;
  if (hex.empty() || BN_hex2bn(&raw, hex.c_str()) != static_cast<int>(hex.size())) {
    BN_free(raw);
    return nullptr;
  }
  const BnPtr bn(raw);
  return IntegerPtr(BN_to_ASN1_INTEGER(bn.get(), nullptr));
}

std::string hex_of_integer(const ASN1_INTEGER* value) {
  const BnPtr bn(ASN1_INTEGER_to_BN(value, nullptr));
  if (!bn) return {};
  char* hex = BN_bn2hex(bn.get());
  if (hex == nullptr) return {};
  std::string out(hex);
  OPENSSL_free(hex);
  return out;
}

std::time_t to_time_t(Time t) { return std::chrono::system_clock::to_time_t(t); }

Time time_of(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return {};
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

TimePtr asn1_time(Time t) { return TimePtr(ASN1_TIME_set(nullptr, to_time_t(t))); }

std::string utf8_of(const ASN1_STRING* s) {
  unsigned char* utf8 = nullptr;
  const int n = ASN1_STRING_to_UTF8(&utf8, s);
  if (n < 0 || utf8 == nullptr) return {};
  std::string out(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(n));
  OPENSSL_free(utf8);
  return out;
}

/// "O=mmssec lab, CN=server": the short names and UTF-8 values, in order.
std::string name_text(const X509_NAME* name) {
  std::string out;
  const int count = X509_NAME_entry_count(name);
  for (int i = 0; i < count; ++i) {
    const X509_NAME_ENTRY* e = X509_NAME_get_entry(name, i);
    const char* sn = OBJ_nid2sn(OBJ_obj2nid(X509_NAME_ENTRY_get_object(e)));
    if (!out.empty()) out += ", ";
    out += sn != nullptr ? sn : "?";
    out += '=';
    out += utf8_of(X509_NAME_ENTRY_get_data(e));
  }
  return out;
}

bool add_name_entry(X509_NAME* name, const char* field, const std::string& value) {
  return X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                    reinterpret_cast<const unsigned char*>(value.data()),
                                    static_cast<int>(value.size()), -1, 0) == 1;
}

/// One extension from OpenSSL's configuration syntax. Only constant values are passed here;
/// user-supplied names (SANs) are built as GENERAL_NAMEs, never spliced into such a string.
bool add_extension(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
  const ExtPtr ext(X509V3_EXT_nconf_nid(nullptr, ctx, nid, value));
  return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

bool push_name(GENERAL_NAMES* names, int type, ASN1_STRING* value) {
  GENERAL_NAME* gn = GENERAL_NAME_new();
  if (gn == nullptr) {
    ASN1_STRING_free(value);
    return false;
  }
  GENERAL_NAME_set0_value(gn, type, value);
  if (sk_GENERAL_NAME_push(names, gn) <= 0) {
    GENERAL_NAME_free(gn);
    return false;
  }
  return true;
}

bool add_subject_alt_names(X509* cert, const std::vector<std::string>& dns,
                           const std::vector<std::string>& ips) {
  if (dns.empty() && ips.empty()) return true;
  const NamesPtr names(sk_GENERAL_NAME_new_null());
  if (!names) return false;
  for (const auto& d : dns) {
    ASN1_IA5STRING* s = ASN1_IA5STRING_new();
    if (s == nullptr || ASN1_STRING_set(s, d.data(), static_cast<int>(d.size())) != 1) {
      ASN1_IA5STRING_free(s);
      return false;
    }
    if (!push_name(names.get(), GEN_DNS, s)) return false;
  }
  for (const auto& ip : ips) {
    ASN1_OCTET_STRING* o = a2i_IPADDRESS(ip.c_str());
    if (o == nullptr || !push_name(names.get(), GEN_IPADD, o)) return false;
  }
  return X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT) == 1;
}

const char* key_usage(Purpose purpose, bool rsa) {
  switch (purpose) {
    case Purpose::ca: return "critical,keyCertSign,cRLSign";
    case Purpose::acse:
    case Purpose::e2e: return "critical,digitalSignature,nonRepudiation";
    case Purpose::tls_server:
    case Purpose::tls_client:
    case Purpose::tls_both: break;
  }
  // RSA key exchange (TLS_RSA_* suites, still offered by IEC 61850 devices) needs keyEncipherment.
  return rsa ? "critical,digitalSignature,keyEncipherment" : "critical,digitalSignature";
}

const char* extended_key_usage(Purpose purpose) {
  switch (purpose) {
    case Purpose::tls_server: return "serverAuth";
    case Purpose::tls_client: return "clientAuth";
    case Purpose::tls_both: return "serverAuth,clientAuth";
    case Purpose::acse:
    case Purpose::e2e:
    case Purpose::ca: break;
  }
  return nullptr;
}

}  // namespace

Secret::~Secret() {
  if (!bytes_.empty()) OPENSSL_cleanse(bytes_.data(), bytes_.size());
}

Secret& Secret::operator=(Secret&& other) noexcept {
  if (this != &other) {
    if (!bytes_.empty()) OPENSSL_cleanse(bytes_.data(), bytes_.size());
    bytes_ = std::move(other.bytes_);
    other.bytes_.clear();
  }
  return *this;
}

void Secret::truncate(std::size_t n) noexcept {
  if (n >= bytes_.size()) return;
  OPENSSL_cleanse(bytes_.data() + n, bytes_.size() - n);
  bytes_.resize(n);  // shrinking never reallocates
}

std::string openssl_reason() {
  const unsigned long e = ERR_peek_last_error();
  std::string out = "unknown";
  if (e != 0) {
    std::array<char, 256> buf{};
    ERR_error_string_n(e, buf.data(), buf.size());
    out = buf.data();
  }
  ERR_clear_error();
  return out;
}

Outcome<KeyPtr> generate_key(KeyType type) {
  EVP_PKEY* key = nullptr;
  switch (type) {
    case KeyType::rsa2048:
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(2048));
      break;
    case KeyType::rsa3072:
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(3072));
      break;
    case KeyType::p256: key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"); break;
    case KeyType::p384: key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"); break;
    case KeyType::brainpool256: key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "brainpoolP256r1"); break;
  }
  if (key == nullptr)
    return crypto_failure(std::string("generating a ") + std::string(key_type_name(type)) + " key");
  return KeyPtr(key);
}

std::optional<KeyType> key_type_of(const EVP_PKEY* key) {
  if (key == nullptr) return std::nullopt;
  if (EVP_PKEY_is_a(key, "RSA") == 1) {
    switch (EVP_PKEY_get_bits(key)) {
      case 2048: return KeyType::rsa2048;
      case 3072: return KeyType::rsa3072;
      default: return std::nullopt;
    }
  }
  if (EVP_PKEY_is_a(key, "EC") != 1) return std::nullopt;
  std::array<char, 80> group{};
  std::size_t len = 0;
  if (EVP_PKEY_get_group_name(key, group.data(), group.size(), &len) != 1) {
    ERR_clear_error();
    return std::nullopt;
  }
  const std::string_view g(group.data(), len);
  if (g == "prime256v1" || g == "P-256" || g == "secp256r1") return KeyType::p256;
  if (g == "secp384r1" || g == "P-384") return KeyType::p384;
  if (g == "brainpoolP256r1") return KeyType::brainpool256;
  return std::nullopt;
}

Outcome<Secret> encode_private_key(EVP_PKEY* key) {
  // A secure-memory BIO: its buffer is wiped when freed.
  const BioPtr bio(BIO_new(BIO_s_secmem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return crypto_failure("encoding the private key");
  }
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  if (n <= 0 || data == nullptr) return crypto_failure("encoding the private key");
  Secret out(static_cast<std::size_t>(n));
  std::memcpy(out.data(), data, out.size());
  OPENSSL_cleanse(data, static_cast<std::size_t>(n));
  return out;
}

Outcome<KeyPtr> decode_private_key(const Secret& pem) {
  const BioPtr bio = read_bio(std::string_view(reinterpret_cast<const char*>(pem.data()), pem.size()));
  EVP_PKEY* key = bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr) : nullptr;
  if (key == nullptr) return corrupt_failure("not an unencrypted PEM private key");
  return KeyPtr(key);
}

Outcome<std::string> encode_certificate(X509* cert) {
  const BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) return crypto_failure("encoding the certificate");
  return bio_text(bio.get());
}

Outcome<CertPtr> decode_certificate(std::string_view pem) {
  const BioPtr bio = read_bio(pem);
  X509* cert = bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (cert == nullptr) return corrupt_failure("not a PEM certificate");
  return CertPtr(cert);
}

Outcome<std::string> encode_crl(X509_CRL* crl) {
  const BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509_CRL(bio.get(), crl) != 1) return crypto_failure("encoding the CRL");
  return bio_text(bio.get());
}

Outcome<CrlPtr> decode_crl(std::string_view pem) {
  const BioPtr bio = read_bio(pem);
  X509_CRL* crl = bio ? PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (crl == nullptr) return corrupt_failure("not a PEM CRL");
  return CrlPtr(crl);
}

Outcome<std::string> random_serial() {
  std::array<unsigned char, 16> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) return crypto_failure("random serial");
  bytes[0] = static_cast<unsigned char>((bytes[0] & 0x3fU) | 0x40U);
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char b : bytes) {
    out += kHex[b >> 4U];
    out += kHex[b & 0x0fU];
  }
  return out;
}

Outcome<CertPtr> make_certificate(const CertificateSpec& spec) {
  const bool self_signed = spec.issuer == nullptr;
  EVP_PKEY* signer = self_signed ? spec.subject_key : spec.issuer_key;
  CertPtr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1)
    return crypto_failure("creating a certificate");

  const IntegerPtr serial = integer_of_hex(spec.serial);
  if (!serial || X509_set_serialNumber(cert.get(), serial.get()) != 1)
    return crypto_failure("setting the serial");

  // Subject: O=<organisation>, CN=<common name>; the issuer is the CA's subject.
  const NamePtr subject(X509_NAME_new());
  if (!subject || !add_name_entry(subject.get(), "O", spec.organisation) ||
      !add_name_entry(subject.get(), "CN", spec.common_name) ||
      X509_set_subject_name(cert.get(), subject.get()) != 1 ||
      X509_set_issuer_name(cert.get(), self_signed ? subject.get() : X509_get_subject_name(spec.issuer)) !=
          1) {
    return crypto_failure("setting the subject");
  }

  // ASN1_TIME_set picks UTCTime up to 2049 and GeneralizedTime after, as RFC 5280 4.1.2.5 asks.
  if (ASN1_TIME_set(X509_getm_notBefore(cert.get()), to_time_t(spec.not_before)) == nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(cert.get()), to_time_t(spec.not_after)) == nullptr) {
    return crypto_failure("setting the validity");
  }
  if (X509_set_pubkey(cert.get(), spec.subject_key) != 1) return crypto_failure("setting the public key");

  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, self_signed ? cert.get() : spec.issuer, cert.get(), nullptr, nullptr, 0);
  const bool rsa = EVP_PKEY_is_a(spec.subject_key, "RSA") == 1;
  const bool ca = spec.purpose == Purpose::ca;
  // SKI before AKI: a self-signed certificate's AKI repeats its own SKI.
  if (!add_extension(cert.get(), &ctx, NID_basic_constraints,
                     ca ? "critical,CA:TRUE,pathlen:0" : "critical,CA:FALSE") ||
      !add_extension(cert.get(), &ctx, NID_key_usage, key_usage(spec.purpose, rsa)) ||
      !add_extension(cert.get(), &ctx, NID_subject_key_identifier, "hash") ||
      !add_extension(cert.get(), &ctx, NID_authority_key_identifier, "keyid:always")) {
    return crypto_failure("adding the extensions");
  }
  if (const char* eku = extended_key_usage(spec.purpose);
      eku != nullptr && !add_extension(cert.get(), &ctx, NID_ext_key_usage, eku)) {
    return crypto_failure("adding the extended key usage");
  }
  if (!add_subject_alt_names(cert.get(), spec.dns_names, spec.ip_addresses)) {
    return crypto_failure("adding the subject alternative names");
  }
  if (X509_sign(cert.get(), signer, EVP_sha256()) <= 0) return crypto_failure("signing the certificate");
  return cert;
}

Outcome<CrlPtr> make_crl(X509* ca, EVP_PKEY* ca_key, std::uint64_t number, Time this_update, Time next_update,
                         const std::vector<RevokedSpec>& revoked) {
  CrlPtr crl(X509_CRL_new());
  const TimePtr last = asn1_time(this_update);
  const TimePtr next = asn1_time(next_update);
  if (!crl || !last || !next || X509_CRL_set_version(crl.get(), X509_CRL_VERSION_2) != 1 ||
      X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(ca)) != 1 ||
      X509_CRL_set1_lastUpdate(crl.get(), last.get()) != 1 ||
      X509_CRL_set1_nextUpdate(crl.get(), next.get()) != 1) {
    return crypto_failure("creating the CRL");
  }
  for (const auto& r : revoked) {
    RevokedPtr entry(X509_REVOKED_new());
    const IntegerPtr serial = integer_of_hex(r.serial);
    const TimePtr when = asn1_time(r.revoked_at);
    if (!entry || !serial || !when || X509_REVOKED_set_serialNumber(entry.get(), serial.get()) != 1 ||
        X509_REVOKED_set_revocationDate(entry.get(), when.get()) != 1) {
      return crypto_failure("adding a CRL entry");
    }
    if (r.reason != RevocationReason::unspecified) {
      const EnumeratedPtr code(ASN1_ENUMERATED_new());
      if (!code || ASN1_ENUMERATED_set(code.get(), static_cast<long>(r.reason)) != 1 ||
          X509_REVOKED_add1_ext_i2d(entry.get(), NID_crl_reason, code.get(), 0, 0) != 1) {
        return crypto_failure("adding a CRL reason code");
      }
    }
    if (X509_CRL_add0_revoked(crl.get(), entry.get()) != 1) return crypto_failure("adding a CRL entry");
    (void)entry.release();  // owned by the CRL now
  }
  if (X509_CRL_sort(crl.get()) != 1) return crypto_failure("sorting the CRL");

  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, ca, nullptr, nullptr, crl.get(), 0);
  const ExtPtr aki(X509V3_EXT_nconf_nid(nullptr, &ctx, NID_authority_key_identifier, "keyid:always"));
  const IntegerPtr crl_number(ASN1_INTEGER_new());
  if (!aki || X509_CRL_add_ext(crl.get(), aki.get(), -1) != 1 || !crl_number ||
      ASN1_INTEGER_set_uint64(crl_number.get(), number) != 1 ||
      X509_CRL_add1_ext_i2d(crl.get(), NID_crl_number, crl_number.get(), 0, 0) != 1) {
    return crypto_failure("adding the CRL extensions");
  }
  if (X509_CRL_sign(crl.get(), ca_key, EVP_sha256()) <= 0) return crypto_failure("signing the CRL");
  return crl;
}

void describe_certificate(X509* cert, Entry& entry) {
  entry.serial = hex_of_integer(X509_get0_serialNumber(cert));
  entry.subject = name_text(X509_get_subject_name(cert));
  entry.not_before = time_of(X509_get0_notBefore(cert));
  entry.not_after = time_of(X509_get0_notAfter(cert));

  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  entry.fingerprint_sha256.clear();
  if (X509_digest(cert, EVP_sha256(), md.data(), &len) == 1) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    for (unsigned int i = 0; i < len; ++i) {
      if (i != 0) entry.fingerprint_sha256 += ':';
      entry.fingerprint_sha256 += kHex[md[i] >> 4U];
      entry.fingerprint_sha256 += kHex[md[i] & 0x0fU];
    }
  }

  entry.subject_alt_names.clear();
  const NamesPtr names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  const int count = names ? sk_GENERAL_NAME_num(names.get()) : 0;
  for (int i = 0; i < count; ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names.get(), i);
    int type = 0;
    const auto* value = static_cast<const ASN1_STRING*>(GENERAL_NAME_get0_value(gn, &type));
    if (value == nullptr) continue;
    const unsigned char* bytes = ASN1_STRING_get0_data(value);
    const int n = ASN1_STRING_length(value);
    if (type == GEN_DNS) {
      entry.subject_alt_names.push_back(
          "DNS:" + std::string(reinterpret_cast<const char*>(bytes), static_cast<std::size_t>(n)));
    } else if (type == GEN_IPADD && (n == 4 || n == 16)) {
      std::array<char, INET6_ADDRSTRLEN> text{};
      if (inet_ntop(n == 4 ? AF_INET : AF_INET6, bytes, text.data(), static_cast<socklen_t>(text.size())) !=
          nullptr) {
        entry.subject_alt_names.push_back(std::string("IP:") + text.data());
      }
    }
  }
  ERR_clear_error();
}

CrlInfo describe_crl(X509_CRL* crl) {
  CrlInfo info;
  if (auto* number =
          static_cast<ASN1_INTEGER*>(X509_CRL_get_ext_d2i(crl, NID_crl_number, nullptr, nullptr))) {
    if (ASN1_INTEGER_get_uint64(&info.number, number) != 1) info.number = 0;
    ASN1_INTEGER_free(number);
  }
  info.this_update = time_of(X509_CRL_get0_lastUpdate(crl));
  info.next_update = time_of(X509_CRL_get0_nextUpdate(crl));
  const int n = sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl));
  info.revoked = n > 0 ? static_cast<std::size_t>(n) : 0;
  ERR_clear_error();
  return info;
}

bool key_matches(X509* cert, EVP_PKEY* key) {
  const bool ok = X509_check_private_key(cert, key) == 1;
  ERR_clear_error();
  return ok;
}

}  // namespace mmssec::pki::detail
