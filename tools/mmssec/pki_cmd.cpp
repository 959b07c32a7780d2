// SPDX-License-Identifier: Apache-2.0
// `mmssec pki`: a lab PKI (root CA, TLS server and client certificates, A-profile and E2E signing
// certificates, CRL) as PEM files in one directory (docs/pki.md). Each subcommand prints what it
// made and how to use it on stdout; errors go to stderr.
#include <CLI/CLI.hpp>
#include <chrono>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "commands.hpp"
#include "mmssec/pki/pki.hpp"

namespace mmssec::tool {
namespace {

namespace fs = std::filesystem;

/// The IANA port of ISO-TSAP over TLS (IEC 62351-4 T-profile).
constexpr const char* kSecurePort = "3782";

struct PkiArgs {
  std::string dir;
  std::string name;
  std::string key;
  std::string purpose;
  std::string reason = "unspecified";
  std::string organisation = "mmssec lab";
  std::string cn;
  std::vector<std::string> dns;
  std::vector<std::string> ip;
  int days = 365;
  int ca_days = 3650;
  int crl_days = 30;
  bool force = false;
  bool signing = false;
};

constexpr const char* kDescription =
    "A lab PKI in one directory: root CA, TLS server and client certificates, A-profile (ACSE) and "
    "E2E signing certificates and a CRL, as standard PEM files that mmssec and OpenSSL read.\n"
    "LAB ONLY: the private keys (*.key, mode 0600) are NOT encrypted.\n"
    "Exit codes: 0 done, 2 bad arguments (also: DIR not empty, NAME taken or unknown, already "
    "revoked), 3 cannot read or write the files (also: no PKI in DIR, damaged PKI files).";

/// Single-quotes `text` for a POSIX shell when it holds anything but safe characters.
std::string sh(const std::string& text) {
  bool safe = !text.empty();
  for (const char c : text) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    std::string_view("_./:-=+,@%").find(c) != std::string_view::npos;
    safe = safe && ok;
  }
  if (safe) return text;
  std::string out = "'";
  for (const char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string sh(const fs::path& p) { return sh(p.string()); }

/// Exit code and message for a failed PKI operation.
int fail(const std::string& command, const pki::Failure& f) {
  const auto code = static_cast<pki::Errc>(f.code.value());
  int exit = kIoError;
  switch (code) {
    case pki::Errc::invalid_argument: return usage_error(command.c_str(), f.describe());
    case pki::Errc::exists:
    case pki::Errc::unknown_name:
    case pki::Errc::already_revoked: exit = kUsage; break;
    case pki::Errc::no_pki:
    case pki::Errc::io:
    case pki::Errc::corrupt:
    case pki::Errc::crypto: break;
  }
  std::cerr << "error: " << f.describe() << '\n';
  return exit;
}

std::optional<pki::KeyType> key_option(const std::string& text, const char* command, int& code) {
  if (text.empty()) return std::nullopt;
  auto k = pki::parse_key_type(text);
  if (!k) {
    code = usage_error(command,
                       "unknown key type '" + text + "': use rsa2048, rsa3072, p256, p384 or brainpool256");
  }
  return k;
}

std::string status_of(const pki::Entry& e, pki::Time now) {
  if (e.revoked) return "revoked";
  if (now < e.not_before) return "not yet valid";
  if (now >= e.not_after) return "expired";
  return "valid";
}

void print_entry(const pki::Entry& e) {
  std::cout << "  " << e.name << " (" << pki::purpose_name(e.purpose) << ", " << pki::key_type_name(e.key)
            << ")\n"
            << "    certificate  " << e.certificate_file.string() << '\n'
            << "    private key  " << e.key_file.string() << "  (mode 0600, unencrypted)\n"
            << "    subject      " << e.subject << '\n'
            << "    valid        " << pki::format_time(e.not_before) << " .. "
            << pki::format_time(e.not_after) << '\n'
            << "    serial       " << e.serial << '\n'
            << "    SHA-256      " << e.fingerprint_sha256 << '\n';
  if (!e.subject_alt_names.empty()) {
    std::cout << "    names        ";
    for (std::size_t i = 0; i < e.subject_alt_names.size(); ++i) {
      std::cout << (i == 0 ? "" : ", ") << e.subject_alt_names[i];
    }
    std::cout << '\n';
  }
}

void print_crl(const pki::CrlInfo& crl) {
  std::cout << "  CRL " << crl.file.string() << ": number " << crl.number << ", " << crl.revoked
            << " revoked, "
            << "this update " << pki::format_time(crl.this_update) << ", next update "
            << pki::format_time(crl.next_update) << '\n';
}

/// How to use one certificate with OpenSSL's tools.
void print_usage_of(const fs::path& dir, const pki::Entry& e) {
  const std::string ca = sh(pki::certificate_path(dir, pki::kCaName));
  const std::string crl = sh(dir / pki::kCrlFile);
  const std::string crt = sh(e.certificate_file);
  const std::string key = sh(e.key_file);
  switch (e.purpose) {
    case pki::Purpose::tls_server:
    case pki::Purpose::tls_both:
      std::cout << "  mmssec server --pki " << sh(dir) << " --cert " << crt << " --key " << key << '\n';
      std::cout << "  openssl s_server -accept " << kSecurePort << " -cert " << crt << " -key " << key
                << " -CAfile " << ca << " -Verify 1 -crl_check -CRL " << crl << '\n';
      if (e.purpose == pki::Purpose::tls_server) break;
      [[fallthrough]];
    case pki::Purpose::tls_client:
      std::cout << "  mmssec client mmss://127.0.0.1:" << kSecurePort << " --pki " << sh(dir) << " --cert "
                << crt << " --key " << key << " identify\n";
      std::cout << "  openssl s_client -connect 127.0.0.1:" << kSecurePort << " -cert " << crt << " -key "
                << key << " -CAfile " << ca << '\n';
      break;
    case pki::Purpose::acse:
      std::cout << "  (A-profile signing certificate: the ACSE authentication value is signed with " << key
                << ")\n";
      break;
    case pki::Purpose::e2e:
      std::cout << "  (E2E signing certificate: the end-to-end handshake is signed with " << key << ")\n";
      break;
    case pki::Purpose::ca: break;
  }
  std::cout << "  openssl verify -CAfile " << ca << " -crl_check -CRLfile " << crl << ' ' << crt << '\n';
}

int cmd_init(const PkiArgs& a) {
  int code = kOk;
  pki::InitOptions o;
  if (auto k = key_option(a.key, "pki init", code)) o.key = *k;
  if (code != kOk) return code;
  o.days = a.days;
  o.ca_days = a.ca_days;
  o.crl_days = a.crl_days;
  o.organisation = a.organisation;
  o.force = a.force;
  o.signing = a.signing;
  auto r = pki::init(a.dir, o);
  if (!r) return fail("pki init", r.failure());

  const fs::path dir = r->dir;
  const std::string d = sh(dir);
  std::cout << "Created a lab PKI in " << dir.string() << " (directory mode 0700, "
            << pki::key_type_name(r->key) << " keys, organisation \"" << a.organisation << "\"):\n";
  for (const auto& e : r->certificates) print_entry(e);
  print_crl(r->crl);
  std::cout << "  index " << r->index_file.string() << " (bookkeeping, docs/pki.md)\n"
            << "WARNING: lab use only - the private keys are NOT encrypted.\n\n"
            << "Use it with mmssec (T-profile, TLS on port " << kSecurePort << "):\n"
            << "  mmssec server --pki " << d << '\n'
            << "  mmssec client mmss://127.0.0.1:" << kSecurePort << " --pki " << d << " identify\n"
            << "or with OpenSSL:\n"
            << "  openssl s_server -accept " << kSecurePort << " -cert " << d << "/server.crt -key " << d
            << "/server.key -CAfile " << d << "/ca.crt -Verify 1 -crl_check -CRL " << d << "/crl.pem\n"
            << "  openssl s_client -connect 127.0.0.1:" << kSecurePort << " -cert " << d
            << "/client.crt -key " << d << "/client.key -CAfile " << d << "/ca.crt\n"
            << "  openssl verify -CAfile " << d << "/ca.crt -crl_check -CRLfile " << d << "/crl.pem " << d
            << "/server.crt " << d << "/client.crt\n"
            << "More identities: mmssec pki issue " << d << " NAME --purpose server|client|both|acse|e2e\n"
            << "Revoke one:      mmssec pki revoke " << d << " NAME   (regenerates crl.pem)\n"
            << "The CRL expires " << pki::format_time(r->crl.next_update)
            << "; renew it with 'mmssec pki crl " << d << "' before then.\n";
  return kOk;
}

int cmd_issue(const PkiArgs& a) {
  int code = kOk;
  pki::IssueOptions o;
  o.name = a.name;
  const auto purpose = pki::parse_purpose(a.purpose);
  if (!purpose || *purpose == pki::Purpose::ca) {
    return usage_error("pki issue",
                       "unknown purpose '" + a.purpose + "': use server, client, both, acse or e2e");
  }
  o.purpose = *purpose;
  o.key = key_option(a.key, "pki issue", code);
  if (code != kOk) return code;
  o.days = a.days;
  o.common_name = a.cn;
  o.dns_names = a.dns;
  o.ip_addresses = a.ip;
  auto r = pki::issue(a.dir, o);
  if (!r) return fail("pki issue", r.failure());
  std::cout << "Issued " << r->name << " in " << a.dir << " (signed by "
            << pki::certificate_path(a.dir, pki::kCaName).string() << "):\n";
  print_entry(*r);
  std::cout << "WARNING: lab use only - the private key is NOT encrypted.\n\nUse it:\n";
  print_usage_of(a.dir, *r);
  return kOk;
}

int cmd_revoke(const PkiArgs& a) {
  const auto reason = pki::parse_revocation_reason(a.reason);
  if (!reason) {
    return usage_error("pki revoke", "unknown reason '" + a.reason +
                                         "': use unspecified, keyCompromise, affiliationChanged, superseded, "
                                         "cessationOfOperation or privilegeWithdrawn");
  }
  pki::CrlOptions crl;
  crl.days = a.crl_days;
  auto r = pki::revoke(a.dir, a.name, *reason, crl);
  if (!r) return fail("pki revoke", r.failure());
  const std::string d = sh(a.dir);
  std::cout << "Revoked " << r->entry.name << " (serial " << r->entry.serial << ", reason "
            << pki::revocation_reason_name(r->entry.reason) << ") at "
            << pki::format_time(r->entry.revoked_at) << ".\n";
  print_crl(r->crl);
  std::cout << "Peers that check this CRL now refuse " << r->entry.certificate_file.string()
            << "; give the new crl.pem to every peer (and reload it there). Check:\n"
            << "  openssl verify -CAfile " << d << "/ca.crt -crl_check -CRLfile " << d << "/crl.pem "
            << sh(r->entry.certificate_file) << "   (fails: certificate revoked)\n";
  return kOk;
}

int cmd_crl(const PkiArgs& a) {
  pki::CrlOptions o;
  o.days = a.crl_days;
  auto r = pki::regenerate_crl(a.dir, o);
  if (!r) return fail("pki crl", r.failure());
  std::cout << "Regenerated the CRL:\n";
  print_crl(*r);
  return kOk;
}

int cmd_list(const PkiArgs& a) {
  auto r = pki::list(a.dir);
  if (!r) return fail("pki list", r.failure());
  const auto now = std::chrono::system_clock::now();
  std::cout << "PKI " << a.dir << ":\n";
  const auto pad = [](std::string s, std::size_t w) {
    if (s.size() < w) s.append(w - s.size(), ' ');
    return s;
  };
  std::cout << "  " << pad("NAME", 16) << ' ' << pad("PURPOSE", 10) << ' ' << pad("KEY", 12) << ' '
            << pad("STATUS", 13) << ' ' << pad("NOT AFTER", 20) << " SERIAL / SUBJECT\n";
  for (const auto& e : *r) {
    std::cout << "  " << pad(e.name, 16) << ' ' << pad(std::string(pki::purpose_name(e.purpose)), 10) << ' '
              << pad(std::string(pki::key_type_name(e.key)), 12) << ' ' << pad(status_of(e, now), 13) << ' '
              << pad(pki::format_time(e.not_after), 20) << ' ' << e.serial << "  " << e.subject << '\n';
  }
  auto crl = pki::crl_info(a.dir);
  if (!crl) {
    std::cerr << "warning: " << crl.failure().describe() << '\n';
    return kOk;
  }
  print_crl(*crl);
  if (now >= crl->next_update) {
    std::cout << "  the CRL is stale: peers refuse it; renew it with 'mmssec pki crl " << sh(a.dir) << "'\n";
  }
  return kOk;
}

}  // namespace

void register_pki(CLI::App& app) {
  auto args = std::make_shared<PkiArgs>();
  auto* cmd =
      app.add_subcommand("pki", "Make a lab PKI: CA, TLS and signing certificates, CRL (init, issue, ...)");
  cmd->description(kDescription);
  cmd->require_subcommand(1);

  auto* init =
      cmd->add_subcommand("init", "Create DIR with a root CA, server and client certificates and a CRL");
  init->add_option("dir", args->dir, "Directory to create (mode 0700); must be empty unless --force")
      ->required();
  init->add_option("--key", args->key, "Key type: rsa2048 (default), rsa3072, p256, p384, brainpool256");
  init->add_option("--days", args->days, "Validity of the server and client certificates")
      ->capture_default_str();
  init->add_option("--ca-days", args->ca_days, "Validity of the root CA")->capture_default_str();
  init->add_option("--crl-days", args->crl_days, "Days until the CRL's nextUpdate")->capture_default_str();
  init->add_option("--organisation", args->organisation, "O= of every subject")->capture_default_str();
  init->add_flag(
      "--signing", args->signing,
      "Also issue server-acse, client-acse (A-profile) and server-e2e, client-e2e signing certificates");
  init->add_flag("--force", args->force,
                 "Replace the PKI in a non-empty DIR (removes its certificates, keys, CRL and index)");
  init->callback([args] { set_exit_code(cmd_init(*args)); });

  auto* issue = cmd->add_subcommand("issue", "Issue one more certificate NAME.crt/NAME.key from the CA");
  issue->add_option("dir", args->dir, "The PKI directory")->required();
  issue->add_option("name", args->name, "File stem and default CN: letters, digits, _ . -")->required();
  issue
      ->add_option("--purpose", args->purpose,
                   "server (TLS serverAuth), client (TLS clientAuth), both, acse (A-profile signing), "
                   "e2e (E2E signing)")
      ->required();
  issue->add_option("--key", args->key,
                    "Key type (default: the CA's): rsa2048, rsa3072, p256, p384, brainpool256");
  issue->add_option("--days", args->days, "Validity in days")->capture_default_str();
  issue->add_option("--cn", args->cn, "Common name (default: NAME)");
  issue->add_option("--dns", args->dns, "subjectAltName DNS entry (repeatable; server default: localhost)")
      ->allow_extra_args(false);
  issue
      ->add_option("--ip", args->ip,
                   "subjectAltName IP entry (repeatable; server default: 127.0.0.1 and ::1)")
      ->allow_extra_args(false);
  issue->callback([args] { set_exit_code(cmd_issue(*args)); });

  auto* revoke = cmd->add_subcommand("revoke", "Revoke NAME and regenerate the CRL");
  revoke->add_option("dir", args->dir, "The PKI directory")->required();
  revoke->add_option("name", args->name, "The certificate to revoke (see 'mmssec pki list')")->required();
  revoke
      ->add_option("--reason", args->reason,
                   "unspecified, keyCompromise, affiliationChanged, superseded, cessationOfOperation, "
                   "privilegeWithdrawn")
      ->capture_default_str();
  revoke->add_option("--crl-days", args->crl_days, "Days until the new CRL's nextUpdate")
      ->capture_default_str();
  revoke->callback([args] { set_exit_code(cmd_revoke(*args)); });

  auto* crl = cmd->add_subcommand("crl", "Regenerate the CRL (renew it before its nextUpdate passes)");
  crl->add_option("dir", args->dir, "The PKI directory")->required();
  crl->add_option("--days", args->crl_days, "Days until the CRL's nextUpdate")->capture_default_str();
  crl->callback([args] { set_exit_code(cmd_crl(*args)); });

  auto* list = cmd->add_subcommand("list", "List the certificates with their status, and the CRL");
  list->add_option("dir", args->dir, "The PKI directory")->required();
  list->callback([args] { set_exit_code(cmd_list(*args)); });
}

}  // namespace mmssec::tool
