// SPDX-License-Identifier: Apache-2.0
// tls::Context: checks a Config once and turns it into an SSL_CTX (versions, suites, groups,
// credentials, verification, session cache, key log), keeps the trust store (anchors + CRLs) that
// reload_crls() replaces, the client session cache and the registry of live sessions.
#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mmssec/tls/tls.hpp"
#include "tls_internal.hpp"

namespace mmssec::tls {
namespace {

// ---------------------------------------------------------------------------------------------
// Error category
// ---------------------------------------------------------------------------------------------

class TlsCategory final : public std::error_category {
 public:
  [[nodiscard]] const char* name() const noexcept override { return "tls"; }
  [[nodiscard]] std::string message(int ev) const override {
    switch (static_cast<Errc>(ev)) {
      case Errc::config_invalid: return "invalid TLS configuration";
      case Errc::certificate_file: return "own certificate unusable";
      case Errc::key_file: return "private key unusable";
      case Errc::key_mismatch: return "private key does not match the certificate";
      case Errc::trust_anchor: return "trust anchor unusable";
      case Errc::crl_file: return "CRL unusable";
      case Errc::allow_list: return "allowed-peer certificate unusable";
      case Errc::cipher_suite: return "cipher suite not usable";
      case Errc::keylog_file: return "key log file cannot be opened";
      case Errc::openssl: return "OpenSSL internal failure";
    }
    return "unknown tls error";
  }
};

/// Fails with `e`, writing `why` to *detail.
Error fail(std::string* detail, Errc e, std::string why) {
  if (detail != nullptr) *detail = std::move(why);
  ERR_clear_error();
  return Error{e};
}

// ---------------------------------------------------------------------------------------------
// Cipher suites
// ---------------------------------------------------------------------------------------------

struct Suite {
  std::uint16_t id = 0;
  std::string iana;     ///< "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
  std::string openssl;  ///< "ECDHE-RSA-AES128-GCM-SHA256"
  bool tls13 = false;
  int min_tls = 0;
  bool null_encryption = false;
  bool certificate_auth = false;  ///< authenticated by an RSA/ECDSA/DSS certificate (TLS <= 1.2)
};

constexpr std::uint16_t kNullSha256 = 0x003B;
constexpr std::string_view kAllTls13 =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_CCM_SHA256:"
    "TLS_AES_128_CCM_8_SHA256";

/// Every suite this OpenSSL build knows (built once from a throw-away SSL_CTX).
const std::vector<Suite>& known_suites() {
  static const std::vector<Suite> table = [] {
    std::vector<Suite> out;
    std::unique_ptr<SSL_CTX, SslCtxFree> c(SSL_CTX_new(TLS_method()));
    if (c) {
      SSL_CTX_set_security_level(c.get(), 0);
      SSL_CTX_set_cipher_list(c.get(), "ALL:COMPLEMENTOFALL:eNULL");
      SSL_CTX_set_ciphersuites(c.get(), std::string(kAllTls13).c_str());
      const STACK_OF(SSL_CIPHER)* sk = SSL_CTX_get_ciphers(c.get());
      for (int i = 0; sk != nullptr && i < sk_SSL_CIPHER_num(sk); ++i) {
        const SSL_CIPHER* ci = sk_SSL_CIPHER_value(sk, i);
        Suite s;
        s.id = SSL_CIPHER_get_protocol_id(ci);
        const char* std_name = SSL_CIPHER_standard_name(ci);
        s.iana = std_name != nullptr ? std_name : "";
        s.openssl = SSL_CIPHER_get_name(ci);
        // The first protocol version the suite exists in ("SSLv3", "TLSv1.2", "TLSv1.3").
        const std::string_view since = SSL_CIPHER_get_version(ci);
        s.min_tls = since == "TLSv1.3" ? TLS1_3_VERSION : since == "TLSv1.2" ? TLS1_2_VERSION : TLS1_VERSION;
        s.tls13 = s.min_tls == TLS1_3_VERSION;
        s.null_encryption = SSL_CIPHER_get_cipher_nid(ci) == NID_undef;
        const int kx = SSL_CIPHER_get_kx_nid(ci);
        const int au = SSL_CIPHER_get_auth_nid(ci);
        s.certificate_auth = (kx == NID_kx_rsa || kx == NID_kx_ecdhe || kx == NID_kx_dhe) &&
                             (au == NID_auth_rsa || au == NID_auth_ecdsa || au == NID_auth_dss);
        out.push_back(std::move(s));
      }
    }
    ERR_clear_error();
    return out;
  }();
  return table;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) s.remove_suffix(1);
  return std::string(s);
}

std::optional<std::uint16_t> parse_hex_id(std::string_view s) {
  if (s.size() != 6 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) return std::nullopt;
  unsigned v = 0;
  const auto [p, ec] = std::from_chars(s.data() + 2, s.data() + s.size(), v, 16);
  if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return static_cast<std::uint16_t>(v);
}

std::string hex_id(std::uint16_t id) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%04X", unsigned{id});
  return buf;
}

/// Static (EC)DH suites: in IEC 62351-4 (0x00A0, 0x0036) but absent from OpenSSL 3.
bool is_static_dh(std::string_view name, std::optional<std::uint16_t> id) {
  static constexpr std::uint16_t kIds[] = {0x0030, 0x0031, 0x0036, 0x0037, 0x003E, 0x003F,
                                           0x0068, 0x0069, 0x00A0, 0x00A1, 0x00A4, 0x00A5};
  if (id) return std::find(std::begin(kIds), std::end(kIds), *id) != std::end(kIds);
  for (std::string_view p : {"TLS_DH_RSA_", "TLS_DH_DSS_", "TLS_ECDH_RSA_", "TLS_ECDH_ECDSA_"}) {
    if (name.size() >= p.size() && iequals(name.substr(0, p.size()), p)) return true;
  }
  return false;
}

/// Resolves one configured suite (IANA name, OpenSSL name or "0xC02F").
Result<Suite> resolve_suite(std::string_view text, bool want_tls13, bool allow_null, std::string* detail) {
  const std::string name = trim(text);
  const auto id = parse_hex_id(name);
  const auto& table = known_suites();
  const auto it = std::find_if(table.begin(), table.end(), [&](const Suite& s) {
    return id ? s.id == *id : (iequals(s.iana, name) || iequals(s.openssl, name));
  });
  if (it == table.end()) {
    if (is_static_dh(name, id)) {
      return fail(
          detail, Errc::cipher_suite,
          "cipher suite " + name +
              " is a static-DH suite, which OpenSSL 3 does not provide (IEC 62351-4 lists "
              "TLS_DH_RSA_WITH_AES_128_GCM_SHA256 and TLS_DH_DSS_WITH_AES_256_CBC_SHA; see docs/tls.md)");
    }
    return fail(detail, Errc::cipher_suite, "unknown cipher suite " + name);
  }
  const std::string label = it->iana + " (" + hex_id(it->id) + ")";
  if (it->tls13 != want_tls13) {
    return fail(detail, Errc::cipher_suite,
                label + (want_tls13 ? " is not a TLS 1.3 suite (put it in cipher_suites)"
                                    : " is a TLS 1.3 suite (put it in tls13_cipher_suites)"));
  }
  if (it->null_encryption) {
    if (it->id != kNullSha256) return fail(detail, Errc::cipher_suite, label + " is not permitted");
    if (!allow_null) {
      return fail(detail, Errc::cipher_suite,
                  label + " has no encryption; it needs the explicit switch allow_null_cipher");
    }
  } else if (!it->tls13 && !it->certificate_auth) {
    return fail(detail, Errc::cipher_suite, label + " is not authenticated by a certificate");
  }
  return *it;
}

int protocol_of(Version v) {
  switch (v) {
    case Version::tls1_0: return TLS1_VERSION;
    case Version::tls1_1: return TLS1_1_VERSION;
    case Version::tls1_2: return TLS1_2_VERSION;
    case Version::tls1_3: return TLS1_3_VERSION;
  }
  return TLS1_2_VERSION;
}

// ---------------------------------------------------------------------------------------------
// PEM files
// ---------------------------------------------------------------------------------------------

struct BioFree {
  void operator()(BIO* b) const noexcept { BIO_free(b); }
};

/// True when the error queue's last error is the normal end of a PEM file.
bool pem_end_reached() {
  const unsigned long e = ERR_peek_last_error();
  return ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE;
}

/// All certificates of a PEM file (at least one), or a reason.
std::vector<std::unique_ptr<X509, X509Free>> read_certificates(const std::string& file, std::string& why) {
  std::vector<std::unique_ptr<X509, X509Free>> out;
  ERR_clear_error();
  std::unique_ptr<BIO, BioFree> bio(BIO_new_file(file.c_str(), "r"));
  if (!bio) {
    why = file + ": cannot open: " + drain_openssl_errors();
    return {};
  }
  while (X509* x = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) out.emplace_back(x);
  if (!pem_end_reached() || out.empty()) {
    why = file + ": " + (out.empty() ? std::string("no PEM certificate") : drain_openssl_errors());
    if (out.empty()) ERR_clear_error();
    return {};
  }
  ERR_clear_error();
  return out;
}

}  // namespace

const std::error_category& tls_category() noexcept {
  static const TlsCategory cat;
  return cat;
}

// ---------------------------------------------------------------------------------------------
// Versions and defaults
// ---------------------------------------------------------------------------------------------

std::string_view version_name(Version v) noexcept {
  switch (v) {
    case Version::tls1_0: return "TLSv1.0";
    case Version::tls1_1: return "TLSv1.1";
    case Version::tls1_2: return "TLSv1.2";
    case Version::tls1_3: return "TLSv1.3";
  }
  return "?";
}

std::optional<Version> parse_version(std::string_view s) noexcept {
  std::string_view rest = s;
  if (rest.size() >= 4 && iequals(rest.substr(0, 4), "tlsv")) {
    rest.remove_prefix(4);
  } else if (rest.size() >= 3 && iequals(rest.substr(0, 3), "tls")) {
    rest.remove_prefix(3);
  }
  if (rest == "1.0") return Version::tls1_0;
  if (rest == "1.1") return Version::tls1_1;
  if (rest == "1.2") return Version::tls1_2;
  if (rest == "1.3") return Version::tls1_3;
  return std::nullopt;
}

std::vector<std::string> default_cipher_suites(Role role) {
  std::vector<std::string> s{"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
                             "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
                             "TLS_RSA_WITH_AES_128_CBC_SHA256"};
  if (role == Role::client) {
    s.insert(s.end(), {"TLS_RSA_WITH_AES_256_CBC_SHA256", "TLS_RSA_WITH_AES_128_CBC_SHA",
                       "TLS_RSA_WITH_AES_256_CBC_SHA"});
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Helpers shared with handler.cpp
// ---------------------------------------------------------------------------------------------

OpenSslErrors take_openssl_errors() {
  OpenSslErrors out;
  const char* data = nullptr;
  int flags = 0;
  unsigned long e = 0;
  while ((e = ERR_get_error_all(nullptr, nullptr, nullptr, &data, &flags)) != 0) {
    out.codes.push_back(e);
    const char* reason = ERR_reason_error_string(e);
    std::string piece = reason != nullptr ? reason : "error " + std::to_string(ERR_GET_REASON(e));
    if (data != nullptr && (flags & ERR_TXT_STRING) != 0 && *data != '\0') {
      piece += std::string(" (") + data + ")";
    }
    if (out.text.find(piece) != std::string::npos || out.text.size() > 300) continue;
    if (!out.text.empty()) out.text += "; ";
    out.text += piece;
  }
  ERR_clear_error();
  return out;
}

std::string drain_openssl_errors() {
  std::string text = take_openssl_errors().text;
  return text.empty() ? std::string("unknown OpenSSL error") : text;
}

namespace {
std::string bio_text(BIO* b) {
  char* p = nullptr;
  const long n = BIO_get_mem_data(b, &p);
  return n > 0 && p != nullptr ? std::string(p, static_cast<std::size_t>(n)) : std::string();
}
}  // namespace

std::string subject_of(const X509* cert) {
  if (cert == nullptr) return {};
  std::unique_ptr<BIO, BioFree> b(BIO_new(BIO_s_mem()));
  if (!b) return {};
  X509_NAME_print_ex(b.get(), X509_get_subject_name(cert), 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  return bio_text(b.get());
}

std::string time_text(const ASN1_TIME* t) {
  if (t == nullptr) return {};
  std::unique_ptr<BIO, BioFree> b(BIO_new(BIO_s_mem()));
  if (!b) return {};
  ASN1_TIME_print_ex(b.get(), t, ASN1_DTFLGS_ISO8601);
  return bio_text(b.get());
}

bool fingerprint_of(const X509* cert, Fingerprint& out) {
  unsigned int n = 0;
  return cert != nullptr && X509_digest(cert, EVP_sha256(), out.data(), &n) == 1 && n == out.size();
}

std::string weak_key_reason(const X509* cert) {
  EVP_PKEY* pk = X509_get0_pubkey(cert);
  if (pk == nullptr) {
    ERR_clear_error();
    return "public key unreadable";
  }
  const int bits = EVP_PKEY_get_bits(pk);
  if (EVP_PKEY_is_a(pk, "RSA") || EVP_PKEY_is_a(pk, "RSA-PSS")) {
    if (bits < 2048) return "RSA key of " + std::to_string(bits) + " bits (at least 2048 required)";
    return {};
  }
  if (EVP_PKEY_is_a(pk, "EC")) {
    char group[64] = {};
    std::size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len) != 1) {
      ERR_clear_error();
      return "EC key without a named curve";
    }
    const std::string_view g(group, len);
    for (std::string_view ok : {"prime256v1", "P-256", "secp384r1", "P-384", "brainpoolP256r1"}) {
      if (g == ok) return {};
    }
    return "EC key on curve " + std::string(g) + " (P-256, P-384 or brainpoolP256r1 required)";
  }
  const char* type = EVP_PKEY_get0_type_name(pk);
  return std::string(type != nullptr ? type : "unknown") + " keys are not allowed";
}

// ---------------------------------------------------------------------------------------------
// Context::Impl
// ---------------------------------------------------------------------------------------------

Context::Impl::~Impl() {
  for (auto& [key, s] : sessions_) SSL_SESSION_free(s);
  if (keylog_fd >= 0) ::close(keylog_fd);
}

StorePtr Context::Impl::store() const {
  const std::lock_guard lock(store_mu_);
  return store_;
}

void Context::Impl::set_store(StorePtr s) {
  const std::lock_guard lock(store_mu_);
  store_ = std::move(s);
}

Result<StorePtr> Context::Impl::build_store(std::string* detail) const {
  StorePtr store(X509_STORE_new(), X509_STORE_free);
  if (!store) return fail(detail, Errc::openssl, "X509_STORE_new: " + drain_openssl_errors());
  if (config.trust_anchor_files.empty())
    return fail(detail, Errc::trust_anchor, "no trust anchor configured");
  for (const auto& file : config.trust_anchor_files) {
    std::string why;
    auto certs = read_certificates(file, why);
    if (certs.empty()) return fail(detail, Errc::trust_anchor, "trust anchor " + why);
    for (auto& c : certs) {
      if (X509_STORE_add_cert(store.get(), c.get()) != 1) {
        return fail(detail, Errc::trust_anchor, "trust anchor " + file + ": " + drain_openssl_errors());
      }
    }
  }
  for (const auto& file : config.crl_files) {
    ERR_clear_error();
    std::unique_ptr<BIO, BioFree> bio(BIO_new_file(file.c_str(), "r"));
    if (!bio) return fail(detail, Errc::crl_file, "CRL " + file + ": cannot open: " + drain_openssl_errors());
    int n = 0;
    while (X509_CRL* crl = PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr)) {
      const int ok = X509_STORE_add_crl(store.get(), crl);
      X509_CRL_free(crl);
      if (ok != 1) return fail(detail, Errc::crl_file, "CRL " + file + ": " + drain_openssl_errors());
      ++n;
    }
    if (!pem_end_reached() || n == 0) {
      return fail(detail, Errc::crl_file,
                  "CRL " + file + ": " + (n == 0 ? std::string("no PEM CRL") : drain_openssl_errors()));
    }
    ERR_clear_error();
  }
  // Revocation is checked for the peer's leaf (the end entity); IEC 62351-3 CAs publish one CRL.
  if (!config.crl_files.empty()) X509_STORE_set_flags(store.get(), X509_V_FLAG_CRL_CHECK);
  return store;
}

void Context::Impl::emit(events::Event e) const {
  if (config.events) config.events->emit(e);
}

void Context::Impl::enroll(std::uint64_t id, const net::Link& link, Handler* h) {
  const std::lock_guard lock(reg_mu_);
  live_.emplace(id, std::make_pair(link, h));
}

void Context::Impl::withdraw(std::uint64_t id) {
  const std::lock_guard lock(reg_mu_);
  live_.erase(id);
}

std::vector<std::pair<net::Link, Handler*>> Context::Impl::enrolled() const {
  const std::lock_guard lock(reg_mu_);
  std::vector<std::pair<net::Link, Handler*>> out;
  out.reserve(live_.size());
  for (const auto& [id, entry] : live_) out.push_back(entry);
  return out;
}

void Context::Impl::remember_session(const std::string& key, SSL_SESSION* s) {
  const std::lock_guard lock(sess_mu_);
  auto [it, inserted] = sessions_.try_emplace(key, s);
  if (!inserted) {
    SSL_SESSION_free(it->second);
    it->second = s;
  }
}

SSL_SESSION* Context::Impl::recall_session(const std::string& key) const {
  const std::lock_guard lock(sess_mu_);
  const auto it = sessions_.find(key);
  if (it == sessions_.end()) return nullptr;
  SSL_SESSION* s = it->second;
  const auto now = static_cast<long>(std::time(nullptr));
  if (SSL_SESSION_is_resumable(s) != 1 || SSL_SESSION_get_time(s) + SSL_SESSION_get_timeout(s) <= now) {
    return nullptr;
  }
  SSL_SESSION_up_ref(s);
  return s;
}

void Context::Impl::forget_session(const std::string& key) {
  const std::lock_guard lock(sess_mu_);
  const auto it = sessions_.find(key);
  if (it == sessions_.end()) return;
  SSL_SESSION_free(it->second);
  sessions_.erase(it);
}

void Context::Impl::write_keylog(const char* line) const {
  if (keylog_fd < 0 || line == nullptr) return;
  std::string l(line);
  l.push_back('\n');
  // One write() per line: O_APPEND keeps concurrent lines whole.
  std::size_t done = 0;
  while (done < l.size()) {
    const ssize_t n = ::write(keylog_fd, l.data() + done, l.size() - done);
    if (n <= 0) return;
    done += static_cast<std::size_t>(n);
  }
}

// ---------------------------------------------------------------------------------------------
// Context
// ---------------------------------------------------------------------------------------------

namespace {

void keylog_callback(const SSL* ssl, const char* line) {
  const auto* impl = static_cast<const Context::Impl*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
  try {
    if (impl != nullptr) impl->write_keylog(line);
  } catch (...) {  // NOLINT(bugprone-empty-catch): nothing may unwind through OpenSSL; the line is lost
  }
}

Status check_config(const Config& c, std::string* detail) {
  using std::chrono::hours;
  if (c.resumption_interval.count() <= 0) {
    return fail(detail, Errc::config_invalid, "resumption_interval must be greater than 0");
  }
  if (c.resumption_interval >= c.renegotiation_interval) {
    return fail(detail, Errc::config_invalid,
                "resumption_interval must be shorter than renegotiation_interval");
  }
  if (c.renegotiation_interval > hours{24}) {
    return fail(detail, Errc::config_invalid, "renegotiation_interval must not exceed 24 h");
  }
  if (c.renegotiation_timeout.count() <= 0 || c.handshake_timeout.count() <= 0) {
    return fail(detail, Errc::config_invalid,
                "renegotiation_timeout and handshake_timeout must be greater than 0");
  }
  if (c.min_version > c.max_version) {
    return fail(detail, Errc::config_invalid,
                "min_version " + std::string(version_name(c.min_version)) + " is above max_version " +
                    std::string(version_name(c.max_version)));
  }
  if (c.max_certificate_size < 256 || c.max_certificate_size > (1U << 20)) {
    return fail(detail, Errc::config_invalid, "max_certificate_size must be between 256 and 1048576 octets");
  }
  if (c.certificate_file.empty())
    return fail(detail, Errc::certificate_file, "no certificate_file configured");
  if (c.private_key_file.empty()) return fail(detail, Errc::key_file, "no private_key_file configured");
  return {};
}

}  // namespace

Context::Context(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Context::~Context() = default;

Result<std::shared_ptr<Context>> Context::create(Role role, Config config, std::string* detail) {
  MMSSEC_TRY(check_config(config, detail));
  auto impl = std::make_unique<Impl>();
  impl->role = role;
  impl->config = std::move(config);
  const Config& c = impl->config;

  // Suites first: they decide the security level.
  std::vector<std::string> tls12 = c.cipher_suites.empty() ? default_cipher_suites(role) : c.cipher_suites;
  std::vector<std::string> tls13 =
      c.tls13_cipher_suites.empty()
          ? std::vector<std::string>{"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
                                     "TLS_AES_128_CCM_SHA256"}
          : c.tls13_cipher_suites;
  std::string list12;
  std::string list13;
  bool null_suite = false;
  bool below12_usable = false;
  for (const auto& s : tls12) {
    MMSSEC_TRY_ASSIGN(const Suite suite, resolve_suite(s, false, c.allow_null_cipher, detail));
    null_suite = null_suite || suite.null_encryption;
    below12_usable = below12_usable || suite.min_tls < TLS1_2_VERSION;
    list12 += (list12.empty() ? "" : ":") + suite.openssl;
  }
  for (const auto& s : tls13) {
    MMSSEC_TRY_ASSIGN(const Suite suite, resolve_suite(s, true, false, detail));
    list13 += (list13.empty() ? "" : ":") + suite.openssl;
  }
  if (c.min_version < Version::tls1_2 && !below12_usable) {
    return fail(detail, Errc::cipher_suite,
                std::string(version_name(c.min_version)) +
                    " is enabled but no configured suite works below TLS 1.2 (add e.g. "
                    "TLS_RSA_WITH_AES_128_CBC_SHA)");
  }

  impl->ctx.reset(SSL_CTX_new(role == Role::server ? TLS_server_method() : TLS_client_method()));
  SSL_CTX* ctx = impl->ctx.get();
  if (ctx == nullptr) return fail(detail, Errc::openssl, "SSL_CTX_new: " + drain_openssl_errors());
  SSL_CTX_set_app_data(ctx, impl.get());

  // TLS 1.0/1.1 (MD5/SHA-1 handshake signatures) and the NULL suite exist only at level 0; our
  // own certificate checks (key strength, size) apply at every level.
  SSL_CTX_set_security_level(ctx, c.min_version < Version::tls1_2 || null_suite ? 0 : 2);
  if (SSL_CTX_set_min_proto_version(ctx, protocol_of(c.min_version)) != 1 ||
      SSL_CTX_set_max_proto_version(ctx, protocol_of(c.max_version)) != 1) {
    return fail(detail, Errc::config_invalid, "protocol versions: " + drain_openssl_errors());
  }
  if (SSL_CTX_set_cipher_list(ctx, list12.c_str()) != 1 ||
      SSL_CTX_set_ciphersuites(ctx, list13.c_str()) != 1) {
    return fail(detail, Errc::cipher_suite, "cipher suites: " + drain_openssl_errors());
  }
  // RFC 5746 secure renegotiation only; no compression; the server's suite order wins. Servers
  // accept a client's renegotiation (rate-limited per session, see handler.cpp).
  SSL_CTX_clear_options(ctx, SSL_OP_LEGACY_SERVER_CONNECT | SSL_OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (role == Role::server) SSL_CTX_set_options(ctx, SSL_OP_ALLOW_CLIENT_RENEGOTIATION);
  SSL_CTX_set_mode(
      ctx, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  if (SSL_CTX_set1_groups_list(ctx, "X25519:P-256:P-384:brainpoolP256r1") != 1) {
    return fail(detail, Errc::openssl, "groups: " + drain_openssl_errors());
  }
  SSL_CTX_set_dh_auto(ctx, 1);
  // A peer's whole certificate list: bounded by a few maximal certificates.
  SSL_CTX_set_max_cert_list(ctx, static_cast<long>(8 * c.max_certificate_size + 4096));

  // Own credentials: the leaf is checked (size, key strength) before OpenSSL loads the chain.
  {
    std::string why;
    auto certs = read_certificates(c.certificate_file, why);
    if (certs.empty()) return fail(detail, Errc::certificate_file, "certificate " + why);
    X509* leaf = certs.front().get();
    const int der = i2d_X509(leaf, nullptr);
    if (der <= 0 || static_cast<std::size_t>(der) > c.max_certificate_size) {
      return fail(detail, Errc::certificate_file,
                  "certificate " + c.certificate_file + ": " + std::to_string(der) +
                      " octets exceed max_certificate_size " + std::to_string(c.max_certificate_size));
    }
    if (auto weak = weak_key_reason(leaf); !weak.empty()) {
      return fail(detail, Errc::certificate_file, "certificate " + c.certificate_file + ": " + weak);
    }
#if OPENSSL_VERSION_NUMBER < 0x30200000L
    // OpenSSL < 3.2 has no TLS 1.3 signature scheme for brainpool keys.
    EVP_PKEY* pk = X509_get0_pubkey(leaf);
    char group[64] = {};
    std::size_t len = 0;
    if (c.max_version == Version::tls1_3 && pk != nullptr && EVP_PKEY_is_a(pk, "EC") &&
        EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len) == 1 &&
        std::string_view(group, len) == "brainpoolP256r1") {
      return fail(
          detail, Errc::config_invalid,
          "certificate " + c.certificate_file +
              " has a brainpoolP256r1 key, which this OpenSSL signs only up to TLS 1.2: set max_version 1.2");
    }
    ERR_clear_error();
#endif
  }
  ERR_clear_error();
  if (SSL_CTX_use_certificate_chain_file(ctx, c.certificate_file.c_str()) != 1) {
    return fail(detail, Errc::certificate_file,
                "certificate " + c.certificate_file + ": " + drain_openssl_errors());
  }
  {
    // Read first (key_file), then pair with the certificate (key_mismatch).
    std::unique_ptr<BIO, BioFree> bio(BIO_new_file(c.private_key_file.c_str(), "r"));
    EVP_PKEY* key = bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr;
    if (key == nullptr) {
      return fail(detail, Errc::key_file,
                  "private key " + c.private_key_file + ": " + drain_openssl_errors());
    }
    const int used = SSL_CTX_use_PrivateKey(ctx, key);
    EVP_PKEY_free(key);
    if (used != 1) {
      return fail(detail, Errc::key_mismatch,
                  "private key " + c.private_key_file + " does not match certificate " + c.certificate_file +
                      ": " + drain_openssl_errors());
    }
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    return fail(detail, Errc::key_mismatch,
                "private key " + c.private_key_file + " does not match certificate " + c.certificate_file +
                    ": " + drain_openssl_errors());
  }

  // Trust anchors + CRLs; each new session takes the store current at its start.
  MMSSEC_TRY_ASSIGN(StorePtr store, impl->build_store(detail));
  X509_STORE_up_ref(store.get());
  SSL_CTX_set_cert_store(ctx, store.get());
  impl->set_store(std::move(store));

  for (const auto& file : c.allowed_peer_files) {
    std::string why;
    auto certs = read_certificates(file, why);
    if (certs.empty()) return fail(detail, Errc::allow_list, "allowed peer " + why);
    for (auto& cert : certs) {
      Fingerprint fp{};
      if (!fingerprint_of(cert.get(), fp))
        return fail(detail, Errc::allow_list, "allowed peer " + file + ": digest");
      impl->allowed.push_back(fp);
    }
  }

  // Mutual authentication always.
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | (role == Role::server ? SSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0),
                     verify_peer_callback);
  SSL_CTX_set_verify_depth(ctx, 8);
  SSL_CTX_set_info_callback(ctx, info_callback);
  SSL_CTX_set_msg_callback(ctx, msg_callback);

  // Sessions: a server cache + tickets, a client cache per peer key (Impl::sessions_).
  SSL_CTX_set_timeout(ctx, static_cast<long>(c.resumption_interval.count()));
  if (role == Role::server) {
    static constexpr unsigned char kSidContext[] = "mmssec-tls";
    SSL_CTX_set_session_id_context(ctx, kSidContext, sizeof kSidContext - 1);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
    SSL_CTX_sess_set_cache_size(ctx, 1024);
    SSL_CTX_set_num_tickets(ctx, 1);
  } else {
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(ctx, client_session_callback);
  }

  if (!c.keylog_file.empty()) {
    impl->keylog_fd = ::open(c.keylog_file.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (impl->keylog_fd < 0) {
      return fail(detail, Errc::keylog_file, "key log " + c.keylog_file + ": " + std::strerror(errno));
    }
    impl->keylog = true;
    SSL_CTX_set_keylog_callback(ctx, keylog_callback);
  }
  ERR_clear_error();

  if (c.crl_files.empty()) {
    impl->emit(events::Id::tls_no_crl, "no CRL configured: peer certificates are not checked for revocation");
  }
  if (impl->keylog) {
    impl->emit(events::Id::tls_keylog_enabled, "TLS session keys are written to " + c.keylog_file +
                                                   " (anyone reading it can decrypt the traffic)");
  }
  return std::shared_ptr<Context>(new Context(std::move(impl)));
}

net::HandlerDecorator Context::decorator(std::string peer_key) {
  return [self = shared_from_this(), key = std::move(peer_key)](
             std::unique_ptr<net::ConnectionHandler> inner) { return self->wrap(std::move(inner), key); };
}

Status Context::reload_crls(std::string* detail) {
  std::string why;
  auto store = impl_->build_store(&why);
  if (!store) {
    impl_->emit(events::Id::tls_no_crl, "CRL reload failed, the previous CRLs stay in use: " + why);
    if (detail != nullptr) *detail = why;
    return store.error();
  }
  impl_->set_store(std::move(store).value());
  impl_->emit(events::Id::tls_crl_reloaded, "CRLs reloaded (" +
                                                std::to_string(impl_->config.crl_files.size()) +
                                                " file(s)); live sessions re-check their peers");
  for (const auto& [link, h] : impl_->enrolled()) {
    link.post([h = h] { return recheck_after_crl_reload(*h); });
  }
  return {};
}

Stats Context::stats() const noexcept {
  Stats s;
  s.handshakes = impl_->handshakes.load(std::memory_order_relaxed);
  s.handshake_failures = impl_->handshake_failures.load(std::memory_order_relaxed);
  s.resumed = impl_->resumed.load(std::memory_order_relaxed);
  s.renegotiations = impl_->renegotiations.load(std::memory_order_relaxed);
  s.key_updates = impl_->key_updates.load(std::memory_order_relaxed);
  s.peers_cut = impl_->peers_cut.load(std::memory_order_relaxed);
  s.live = impl_->live.load(std::memory_order_relaxed);
  return s;
}

Role Context::role() const noexcept { return impl_->role; }
const Config& Context::config() const noexcept { return impl_->config; }

}  // namespace mmssec::tls
