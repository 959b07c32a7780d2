// SPDX-License-Identifier: Apache-2.0
// The lab PKI behind `mmssec pki`: a root CA, TLS server and client certificates, signing
// certificates for the A-profile (ACSE) and end-to-end (E2E) security, and a CRL, all as standard
// PEM files in one directory that OpenSSL's own tools read (docs/pki.md).
//
//   DIR/ (mode 0700)
//     ca.crt ca.key          root CA (self-signed)
//     server.crt server.key  tls_server, CN=server, SAN DNS:localhost IP:127.0.0.1 IP:::1
//     client.crt client.key  tls_client, CN=client
//     NAME.crt NAME.key      each further identity made by issue()
//     crl.pem                the CA's CRL (v2, CRL number, AKI), regenerated on every revocation
//     index.txt              bookkeeping: every certificate with its status (docs/pki.md)
//
// LAB ONLY: private keys are unencrypted PKCS#8 PEM files, protected only by their mode (0600,
// set atomically at creation) and the directory's mode (0700).
//
// Every operation holds an exclusive lock on DIR (list() a shared one), so concurrent `mmssec pki`
// runs on one directory serialise. Errors are Failure values whose detail names the file and the
// reason; nothing throws for bad input.
#pragma once

#include <cassert>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <variant>
#include <vector>

namespace mmssec::pki {

enum class Errc {
  invalid_argument = 1,  ///< a name, key type, validity, DNS name, IP address or CN that cannot be used
  exists,                ///< init(): DIR holds files already (use force); issue(): NAME is taken
  no_pki,                ///< DIR holds no PKI made by init() (index.txt missing)
  unknown_name,          ///< revoke(): no certificate of that name in the index
  already_revoked,       ///< revoke(): the certificate is revoked already
  io,                    ///< a file or directory could not be created, read or written
  corrupt,               ///< index.txt, ca.crt, ca.key or crl.pem cannot be parsed, or do not match
  crypto,                ///< OpenSSL failed to generate a key or to sign
};

}  // namespace mmssec::pki

template <>
struct std::is_error_code_enum<mmssec::pki::Errc> : std::true_type {};

namespace mmssec::pki {

/// Category name "pki".
const std::error_category& pki_category() noexcept;
inline std::error_code make_error_code(Errc e) noexcept { return {static_cast<int>(e), pki_category()}; }

/// A failed PKI operation: a code to branch on and a detail naming the file and the reason, e.g.
/// {io, "/tmp/lab/ca.key: cannot create: Permission denied"}.
struct Failure {
  std::error_code code;
  std::string detail;

  Failure() = default;
  Failure(Errc e, std::string d) : code(make_error_code(e)), detail(std::move(d)) {}
  /// The detail, or the code's message when there is none.
  [[nodiscard]] std::string describe() const { return detail.empty() ? code.message() : detail; }
};

/// A value or a Failure (never both, never neither).
template <class T>
class [[nodiscard]] Outcome {
 public:
  using value_type = T;

  Outcome(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Outcome(Failure failure)
      : v_(std::in_place_index<1>, std::move(failure)) {}  // NOLINT(google-explicit-constructor)

  [[nodiscard]] bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  /// Precondition: ok().
  T& value() & {
    assert(ok());
    return *std::get_if<0>(&v_);
  }
  const T& value() const& {
    assert(ok());
    return *std::get_if<0>(&v_);
  }
  T&& value() && {
    assert(ok());
    return std::move(*std::get_if<0>(&v_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  /// Precondition: !ok().
  [[nodiscard]] const Failure& failure() const {
    assert(!ok());
    return *std::get_if<1>(&v_);
  }
  /// The failure's code; an empty error_code when ok().
  [[nodiscard]] std::error_code code() const { return ok() ? std::error_code{} : failure().code; }

 private:
  std::variant<T, Failure> v_;
};

using Time = std::chrono::system_clock::time_point;

// ---------------------------------------------------------------------------------------------
// Key types, purposes, revocation reasons
// ---------------------------------------------------------------------------------------------

/// Key algorithms. Every certificate is signed with SHA-256 (RSA PKCS#1 v1.5 or ECDSA).
enum class KeyType : std::uint8_t { rsa2048, rsa3072, p256, p384, brainpool256 };
/// "rsa2048", "rsa3072", "p256", "p384", "brainpool256" (brainpoolP256r1).
std::optional<KeyType> parse_key_type(std::string_view text);
std::string_view key_type_name(KeyType type);

/// What a certificate is for; decides its extensions (all with SKI and AKI):
///   tls_server  KU digitalSignature (+keyEncipherment for RSA), EKU serverAuth,
///               SAN DNS:localhost, IP:127.0.0.1, IP:::1 unless names are given
///   tls_client  KU digitalSignature (+keyEncipherment for RSA), EKU clientAuth
///   tls_both    KU as above, EKU serverAuth + clientAuth, SANs as tls_server (one certificate
///               per device for both roles, as many IEC 61850 installations use)
///   acse        KU digitalSignature + nonRepudiation, no EKU: A-profile signing (IEC 62351-4)
///   e2e         KU digitalSignature + nonRepudiation, no EKU: E2E handshake signing
///   ca          the root CA (basicConstraints CA:TRUE critical, KU keyCertSign + cRLSign); made by
///               init() only
/// Leaf certificates carry basicConstraints CA:FALSE (critical); KU is critical.
enum class Purpose : std::uint8_t { tls_server, tls_client, tls_both, acse, e2e, ca };
/// "tls_server", "tls_client", "tls_both", "acse", "e2e", "ca".
std::string_view purpose_name(Purpose purpose);
/// The names above, and the short forms "server", "client" and "both".
std::optional<Purpose> parse_purpose(std::string_view text);

/// CRL entry reason codes (RFC 5280 5.3.1) a lab PKI needs. `unspecified` puts no reasonCode
/// extension in the CRL entry, as RFC 5280 recommends.
enum class RevocationReason : std::uint8_t {
  unspecified = 0,
  key_compromise = 1,
  affiliation_changed = 3,
  superseded = 4,
  cessation_of_operation = 5,
  privilege_withdrawn = 9,
};
/// RFC 5280 names: "unspecified", "keyCompromise", "affiliationChanged", "superseded",
/// "cessationOfOperation", "privilegeWithdrawn".
std::string_view revocation_reason_name(RevocationReason reason);
std::optional<RevocationReason> parse_revocation_reason(std::string_view text);

// ---------------------------------------------------------------------------------------------
// Files of a PKI directory
// ---------------------------------------------------------------------------------------------

inline constexpr std::string_view kCaName = "ca";
inline constexpr std::string_view kServerName = "server";
inline constexpr std::string_view kClientName = "client";
inline constexpr std::string_view kCrlFile = "crl.pem";
inline constexpr std::string_view kIndexFile = "index.txt";

/// DIR/NAME.crt and DIR/NAME.key (ca.crt / ca.key for the CA).
std::filesystem::path certificate_path(const std::filesystem::path& dir, std::string_view name);
std::filesystem::path key_path(const std::filesystem::path& dir, std::string_view name);

/// "2025-01-31T12:00:00Z" (UTC, seconds).
std::string format_time(Time t);

// ---------------------------------------------------------------------------------------------
// What the operations report
// ---------------------------------------------------------------------------------------------

/// One certificate of the PKI: the index's record plus what is read back from its file.
struct Entry {
  std::string name;  ///< file stem (ca, server, client, NAME)
  Purpose purpose = Purpose::tls_client;
  KeyType key = KeyType::rsa2048;
  std::string serial;   ///< upper-case hex, no separators (as `openssl x509 -serial` prints it)
  std::string subject;  ///< "O=<organisation>, CN=<common name>"
  Time not_before{};
  Time not_after{};
  bool revoked = false;
  Time revoked_at{};  ///< revocation date: the thisUpdate of the first CRL listing it
  RevocationReason reason = RevocationReason::unspecified;
  std::filesystem::path certificate_file;
  std::filesystem::path key_file;
  /// SHA-256 of the DER certificate, "AB:CD:..." (as `openssl x509 -fingerprint -sha256`); empty
  /// when the certificate file cannot be read.
  std::string fingerprint_sha256;
  /// "DNS:localhost", "IP:127.0.0.1", ... as in the certificate.
  std::vector<std::string> subject_alt_names;
};

/// The CA's current CRL.
struct CrlInfo {
  std::filesystem::path file;
  std::uint64_t number = 0;  ///< the CRL number extension (1 for the CRL init() makes)
  Time this_update{};
  Time next_update{};
  std::size_t revoked = 0;  ///< entries in the CRL
};

struct InitReport {
  std::filesystem::path dir;
  KeyType key = KeyType::rsa2048;
  /// ca, server, client, then (with InitOptions::signing) server-acse, client-acse, server-e2e,
  /// client-e2e.
  std::vector<Entry> certificates;
  CrlInfo crl;
  std::filesystem::path index_file;
};

struct RevokeReport {
  Entry entry;  ///< the certificate, now revoked
  CrlInfo crl;  ///< the regenerated CRL
};

// ---------------------------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------------------------

struct InitOptions {
  /// rsa2048 is the IEC 62351 baseline every peer accepts; p256 is faster to make and use.
  KeyType key = KeyType::rsa2048;
  int days = 365;                           ///< validity of the leaf certificates (1 .. 36500)
  int ca_days = 3650;                       ///< validity of the root CA (at least `days`)
  int crl_days = 30;                        ///< nextUpdate of the CRL, days from now
  std::string organisation = "mmssec lab";  ///< O= of every subject (1..64 bytes, no control chars)
  /// Replace an existing PKI: removes the files init() makes and every NAME.crt/NAME.key the old
  /// index lists; other files in DIR stay. Without it init() refuses a non-empty DIR.
  bool force = false;
  /// Also issue the signing certificates server-acse, client-acse (acse) and server-e2e,
  /// client-e2e (e2e).
  bool signing = false;
};

/// Creates DIR (mode 0700, parents as needed) with the CA, server, client, CRL and index.
/// Validity starts 5 minutes ago (tolerates clock differences between lab machines).
Outcome<InitReport> init(const std::filesystem::path& dir, const InitOptions& options);

struct IssueOptions {
  std::string name;  ///< file stem and default CN: [A-Za-z0-9_.-]{1,64}, not starting with '.', not "ca"
  Purpose purpose = Purpose::tls_client;  ///< any but ca
  std::optional<KeyType> key;             ///< default: the CA's key type
  int days = 365;                         ///< validity from now (when not_after is not given)
  /// Explicit validity (e.g. expired or not-yet-valid test certificates). Default not_before: 5
  /// minutes ago; default not_after: not_before + `days` when not_before is given, else now + `days`.
  std::optional<Time> not_before;
  std::optional<Time> not_after;
  std::string common_name;                ///< default: name (1..64 bytes, no control chars)
  std::vector<std::string> dns_names;     ///< SAN dNSName entries (LDH labels, optional leading "*.")
  std::vector<std::string> ip_addresses;  ///< SAN iPAddress entries (IPv4 or IPv6 literals)
};

/// Issues NAME.crt/NAME.key signed by the CA. Refuses a name already in the index or whose
/// files exist.
Outcome<Entry> issue(const std::filesystem::path& dir, const IssueOptions& options);

struct CrlOptions {
  int days = 30;  ///< nextUpdate = thisUpdate + days (when next_update is not given)
  /// Explicit times, e.g. a stale CRL (next_update in the past) for tests. Default: now.
  std::optional<Time> this_update;
  std::optional<Time> next_update;
};

/// Marks NAME revoked in the index and regenerates crl.pem (signed by the CA, CRL number
/// incremented). The CA itself cannot be revoked.
Outcome<RevokeReport> revoke(const std::filesystem::path& dir, std::string_view name,
                             RevocationReason reason = RevocationReason::unspecified,
                             const CrlOptions& crl = {});

/// Regenerates crl.pem from the index (CRL number incremented), e.g. before nextUpdate passes.
Outcome<CrlInfo> regenerate_crl(const std::filesystem::path& dir, const CrlOptions& options = {});

/// Every certificate of the index, the CA first, in the order they were made.
Outcome<std::vector<Entry>> list(const std::filesystem::path& dir);

/// The current crl.pem as read back from the file.
Outcome<CrlInfo> crl_info(const std::filesystem::path& dir);

}  // namespace mmssec::pki
