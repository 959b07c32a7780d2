// SPDX-License-Identifier: Apache-2.0
#include "support/openssl_pki.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

namespace mmssec::test_support {
namespace {

namespace fs = std::filesystem;

/// `openssl req` / `openssl ca` configuration: a CA database in <dir>/db and the certificate
/// profiles (extension sections) the PKI issues.
std::string config_text(const fs::path& dir, int san_entries) {
  std::string c =
      "[ req ]\nprompt = no\ndistinguished_name = dn\nx509_extensions = root\n"
      "[ dn ]\nCN = unused\n"
      "[ ca ]\ndefault_ca = ca_default\n"
      "[ ca_default ]\n"
      "dir = " +
      (dir / "db").string() +
      "\n"
      "database = $dir/index.txt\nnew_certs_dir = $dir/new\nserial = $dir/serial\n"
      "crlnumber = $dir/crlnumber\ncertificate = " +
      (dir / "ca.pem").string() + "\nprivate_key = " + (dir / "ca.key").string() +
      "\n"
      "default_md = sha256\ndefault_days = 3650\ndefault_crl_days = 3650\n"
      "policy = any\nunique_subject = no\ncopy_extensions = none\nemail_in_dn = no\n"
      "[ any ]\ncommonName = supplied\n"
      "[ root ]\nbasicConstraints = critical, CA:TRUE\nkeyUsage = critical, keyCertSign, cRLSign\n"
      "subjectKeyIdentifier = hash\n"
      "[ server ]\nbasicConstraints = critical, CA:FALSE\n"
      "keyUsage = critical, digitalSignature, keyEncipherment\nextendedKeyUsage = serverAuth\n"
      "subjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\n"
      "[ client ]\nbasicConstraints = critical, CA:FALSE\n"
      "keyUsage = critical, digitalSignature, keyEncipherment\nextendedKeyUsage = clientAuth\n"
      "subjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\n"
      "[ no_digital_signature ]\nbasicConstraints = critical, CA:FALSE\n"
      "keyUsage = critical, keyEncipherment\nextendedKeyUsage = clientAuth\n"
      "[ oversized ]\nbasicConstraints = critical, CA:FALSE\n"
      "keyUsage = critical, digitalSignature, keyEncipherment\nextendedKeyUsage = clientAuth\n"
      "subjectAltName = @many_names\n"
      "[ many_names ]\n";
  for (int i = 1; i <= san_entries; ++i) {
    c += "DNS." + std::to_string(i) + " = ied-" + std::to_string(i) + ".substation.oversized.example\n";
  }
  return c;
}

bool write_file(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
  return static_cast<bool>(out);
}

/// Changes whenever build() makes something different: a cached PKI of another recipe is rebuilt.
constexpr std::string_view kRecipe = "mmssec-test-pki 1\n";
constexpr auto kMaxAge = std::chrono::hours(24 * 30);

bool cache_usable(const fs::path& dir) {
  std::ifstream in(dir / "READY");
  std::string tag((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (tag != kRecipe) return false;
  std::error_code ec;
  const auto written = fs::last_write_time(dir / "READY", ec);
  return !ec && fs::file_time_type::clock::now() - written < kMaxAge;
}

}  // namespace

OpensslPki::OpensslPki() : scratch_(std::make_unique<ScratchDir>("mmssec-pki")), dir_(scratch_->path()) {
  if (dir_.empty()) {
    error_ = "cannot create a scratch directory";
    return;
  }
  build();
  if (ok()) assign_paths();
}

OpensslPki::OpensslPki(fs::path dir) : dir_(std::move(dir)) {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  const std::string lock_path = dir_.string() + ".lock";
  const int lock = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (ec || lock < 0) {
    error_ = "cannot use the PKI cache " + dir_.string();
    if (lock >= 0) ::close(lock);
    return;
  }
  ::flock(lock, LOCK_EX);  // held while checking and (re)building; released by close()
  if (!cache_usable(dir_)) {
    std::vector<fs::path> old;
    for (const auto& entry : fs::directory_iterator(dir_, ec)) old.push_back(entry.path());
    for (const auto& p : old) fs::remove_all(p, ec);
    build();
    if (ok() && !write_file(dir_ / "READY", std::string(kRecipe)))
      error_ = "cannot write " + (dir_ / "READY").string();
  }
  ::close(lock);
  if (ok()) assign_paths();
}

const OpensslPki& OpensslPki::shared() {
  static const OpensslPki pki = [] {
    if (const char* env = std::getenv("MMSSEC_TEST_PKI_DIR"); env != nullptr && *env != '\0') {
      return OpensslPki(fs::path(env));
    }
#ifdef MMSSEC_TEST_PKI_DIR
    return OpensslPki(fs::path(MMSSEC_TEST_PKI_DIR));
#else
    return OpensslPki();
#endif
  }();
  return pki;
}

bool OpensslPki::run(const std::vector<std::string>& args) {
  if (!error_.empty()) return false;
  std::vector<std::string> argv{"openssl"};
  argv.insert(argv.end(), args.begin(), args.end());
  const ProcessResult r = run_process(argv, std::chrono::seconds(60));
  if (r.started && !r.timed_out && r.exit_code == 0) return true;
  std::string cmd;
  for (const auto& a : argv) cmd += a + " ";
  error_ = cmd + ": " + r.describe();
  return false;
}

bool OpensslPki::make_key(const std::string& name, const std::string& algorithm) {
  const std::string out = (dir() / (name + ".key")).string();
  if (algorithm.rfind("rsa", 0) == 0) {
    return run(
        {"genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:" + algorithm.substr(3), "-out", out});
  }
  return run({"genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:" + algorithm, "-pkeyopt",
              "ec_param_enc:named_curve", "-out", out});
}

bool OpensslPki::issue(const std::string& name, const std::string& key, const std::string& profile,
                       const std::vector<std::string>& extra) {
  const std::string cnf = (dir() / "openssl.cnf").string();
  const std::string csr = (dir() / (name + ".csr")).string();
  if (!run({"req", "-new", "-config", cnf, "-key", (dir() / (key + ".key")).string(), "-subj",
            "/CN=" + name + "/O=mmssec test", "-out", csr})) {
    return false;
  }
  std::vector<std::string> args{"ca",
                                "-batch",
                                "-notext",
                                "-config",
                                cnf,
                                "-extfile",
                                cnf,
                                "-extensions",
                                profile,
                                "-in",
                                csr,
                                "-out",
                                (dir() / (name + ".pem")).string()};
  args.insert(args.end(), extra.begin(), extra.end());
  return run(args);
}

void OpensslPki::build() {
  const fs::path d = dir();
  std::error_code ec;
  fs::create_directories(d / "db" / "new", ec);
  if (ec || !write_file(d / "db" / "index.txt", "") || !write_file(d / "db" / "serial", "1000\n") ||
      !write_file(d / "db" / "crlnumber", "1000\n") || !write_file(d / "openssl.cnf", config_text(d, 400))) {
    error_ = "cannot write the CA files in " + d.string();
    return;
  }
  const std::string cnf = (d / "openssl.cnf").string();
  const auto path = [&](const std::string& f) { return (d / f).string(); };

  // Keys: the variants of the RSA client share one key (their certificates differ).
  for (const auto& [name, alg] :
       std::vector<std::pair<std::string, std::string>>{{"ca", "rsa2048"},
                                                        {"evil-ca", "rsa2048"},
                                                        {"server-rsa", "rsa2048"},
                                                        {"client-rsa", "rsa2048"},
                                                        {"client-rsa-b", "rsa2048"},
                                                        {"client-rsa1024", "rsa1024"},
                                                        {"server-p256", "P-256"},
                                                        {"client-p256", "P-256"},
                                                        {"server-bp", "brainpoolP256r1"},
                                                        {"client-bp", "brainpoolP256r1"}}) {
    if (!make_key(name, alg)) return;
  }
  // Roots.
  if (!run({"req", "-x509", "-new", "-config", cnf, "-key", path("ca.key"), "-subj", "/CN=mmssec test CA",
            "-days", "3650", "-sha256", "-out", path("ca.pem")}) ||
      !run({"req", "-x509", "-new", "-config", cnf, "-key", path("evil-ca.key"), "-subj",
            "/CN=untrusted test CA", "-days", "3650", "-sha256", "-out", path("evil-ca.pem")})) {
    return;
  }
  const bool issued =
      issue("server-rsa", "server-rsa", "server") && issue("client-rsa", "client-rsa", "client") &&
      issue("client-rsa-b", "client-rsa-b", "client") && issue("server-p256", "server-p256", "server") &&
      issue("client-p256", "client-p256", "client") && issue("server-bp", "server-bp", "server") &&
      issue("client-bp", "client-bp", "client") &&
      issue("client-expired", "client-rsa", "client",
            {"-startdate", "200101000000Z", "-enddate", "210101000000Z"}) &&
      issue("client-not-yet-valid", "client-rsa", "client",
            {"-startdate", "480101000000Z", "-enddate", "490101000000Z"}) &&
      issue("client-rsa1024", "client-rsa1024", "client") &&
      issue("client-oversized", "client-rsa", "oversized") &&
      issue("client-revoked", "client-rsa", "client") &&
      issue("client-no-client-auth", "client-rsa", "server") &&
      issue("client-no-digital-signature", "client-rsa", "no_digital_signature");
  if (!issued) return;
  // The untrusted client: same profile, signed by the other root.
  if (!run({"req", "-new", "-config", cnf, "-key", path("client-rsa.key"), "-subj",
            "/CN=client-untrusted/O=mmssec test", "-out", path("client-untrusted.csr")}) ||
      !run({"x509", "-req", "-in", path("client-untrusted.csr"), "-CA", path("evil-ca.pem"), "-CAkey",
            path("evil-ca.key"), "-CAcreateserial", "-days", "3650", "-sha256", "-extfile", cnf,
            "-extensions", "client", "-out", path("client-untrusted.pem")})) {
    return;
  }

  // CRLs: before and after revoking client-revoked, and a stale one.
  if (!run({"ca", "-config", cnf, "-gencrl", "-crldays", "3650", "-out", path("crl-empty.pem")}) ||
      !run({"ca", "-config", cnf, "-revoke", path("client-revoked.pem"), "-crl_reason", "keyCompromise"}) ||
      !run({"ca", "-config", cnf, "-gencrl", "-crldays", "3650", "-out", path("crl-revoked.pem")}) ||
      !run({"ca", "-config", cnf, "-gencrl", "-crl_lastupdate", "200101000000Z", "-crl_nextupdate",
            "210101000000Z", "-out", path("crl-stale.pem")})) {
    return;
  }
}

void OpensslPki::assign_paths() {
  const auto path = [&](const std::string& f) { return (dir() / f).string(); };
  const auto cred = [&](const std::string& name, const std::string& key) {
    return PkiCredential{path(name + ".pem"), path(key + ".key")};
  };
  ca = path("ca.pem");
  untrusted_ca = path("evil-ca.pem");
  server_rsa = cred("server-rsa", "server-rsa");
  client_rsa = cred("client-rsa", "client-rsa");
  client_rsa_b = cred("client-rsa-b", "client-rsa-b");
  server_p256 = cred("server-p256", "server-p256");
  client_p256 = cred("client-p256", "client-p256");
  server_brainpool = cred("server-bp", "server-bp");
  client_brainpool = cred("client-bp", "client-bp");
  client_expired = cred("client-expired", "client-rsa");
  client_not_yet_valid = cred("client-not-yet-valid", "client-rsa");
  client_untrusted = cred("client-untrusted", "client-rsa");
  client_rsa1024 = cred("client-rsa1024", "client-rsa1024");
  client_oversized = cred("client-oversized", "client-rsa");
  client_revoked = cred("client-revoked", "client-rsa");
  client_no_client_auth = cred("client-no-client-auth", "client-rsa");
  client_no_digital_signature = cred("client-no-digital-signature", "client-rsa");

  crl_empty = path("crl-empty.pem");
  crl_revoked = path("crl-revoked.pem");
  crl_stale = path("crl-stale.pem");
}

}  // namespace mmssec::test_support
