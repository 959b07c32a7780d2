// SPDX-License-Identifier: Apache-2.0
// The lab PKI directory: its files, its index and the operations init/issue/revoke/crl/list.
// The cryptography is in x509.cpp; this file validates arguments, keeps the files consistent
// (new files created exclusively, replaced files renamed into place, rollback on failure) and
// serialises concurrent runs with a lock on the directory.
#include "mmssec/pki/pki.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <ctime>
#include <memory>
#include <type_traits>

#include "x509.hpp"

namespace mmssec::pki {
namespace {

namespace fs = std::filesystem;
using detail::CertPtr;
using detail::KeyPtr;
using detail::Secret;

// Bounds on what is accepted (from callers and from the files of DIR).
constexpr int kMaxDays = 36500;                             // 100 years
constexpr std::size_t kMaxNameLength = 64;                  // file stem
constexpr std::size_t kMaxAttributeLength = 64;             // O= and CN= (X.520 upper bounds)
constexpr std::size_t kMaxAltNames = 256;                   // SAN entries per certificate
constexpr std::size_t kMaxIndexSize = 16U * 1024U * 1024U;  // index.txt
constexpr std::size_t kMaxPemSize = 1024U * 1024U;          // ca.crt, ca.key, crl.pem, NAME.crt
constexpr auto kClockSkew = std::chrono::minutes(5);        // validity and thisUpdate start this early
constexpr std::string_view kIndexTmp = "index.txt.tmp";
constexpr std::string_view kCrlTmp = "crl.pem.tmp";

class PkiCategory final : public std::error_category {
 public:
  [[nodiscard]] const char* name() const noexcept override { return "pki"; }
  [[nodiscard]] std::string message(int ev) const override {
    switch (static_cast<Errc>(ev)) {
      case Errc::invalid_argument: return "invalid argument";
      case Errc::exists: return "already exists";
      case Errc::no_pki: return "no PKI in the directory";
      case Errc::unknown_name: return "no certificate of that name";
      case Errc::already_revoked: return "certificate already revoked";
      case Errc::io: return "file input/output error";
      case Errc::corrupt: return "PKI file cannot be parsed";
      case Errc::crypto: return "cryptographic operation failed";
    }
    return "unknown pki error";
  }
};

/// The result of an operation without a value: nullopt on success.
using Problem = std::optional<Failure>;

Failure invalid(std::string detail) { return {Errc::invalid_argument, std::move(detail)}; }

Failure io_failure(const fs::path& p, std::string_view what, int err) {
  return {Errc::io, p.string() + ": " + std::string(what) + ": " + std::strerror(err)};
}

Time now_seconds() {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

std::string strftime_utc(Time t, const char* format) {
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  if (gmtime_r(&tt, &tm) == nullptr) return "?";
  std::array<char, 32> buf{};
  const std::size_t n = std::strftime(buf.data(), buf.size(), format, &tm);
  return {buf.data(), n};
}

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength || name.front() == '.' || name == kCaName) return false;
  for (const char c : name) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
                    c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

/// 1..64 bytes of well-formed UTF-8 without control characters (the index is tab-separated text).
bool valid_attribute(std::string_view text) {
  if (text.empty() || text.size() > kMaxAttributeLength) return false;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto b = static_cast<unsigned char>(text[i]);
    if (b < 0x20U || b == 0x7fU) return false;
    std::size_t len = 1;
    if (b >= 0x80U) {
      if (b >= 0xc2U && b <= 0xdfU) {
        len = 2;
      } else if (b >= 0xe0U && b <= 0xefU) {
        len = 3;
      } else if (b >= 0xf0U && b <= 0xf4U) {
        len = 4;
      } else {
        return false;
      }
      if (i + len > text.size()) return false;
      for (std::size_t k = 1; k < len; ++k) {
        if ((static_cast<unsigned char>(text[i + k]) & 0xc0U) != 0x80U) return false;
      }
    }
    i += len;
  }
  return true;
}

/// A host name of LDH labels (RFC 1123), optionally starting with the wildcard label "*".
bool valid_dns_name(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  if (name.substr(0, 2) == "*.") name.remove_prefix(2);
  while (true) {
    const auto dot = name.find('.');
    const std::string_view label = name.substr(0, dot);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    for (const char c : label) {
      const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
      if (!ok) return false;
    }
    if (dot == std::string_view::npos) return true;
    name.remove_prefix(dot + 1);
  }
}

bool valid_ip(const std::string& ip) {
  std::array<unsigned char, 16> buf{};
  return inet_pton(AF_INET, ip.c_str(), buf.data()) == 1 || inet_pton(AF_INET6, ip.c_str(), buf.data()) == 1;
}

/// Representable as an RFC 5280 UTCTime/GeneralizedTime: 1950-01-01 .. 9999-12-31T23:59:59Z.
bool encodable(Time t) {
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  return tt >= -631152000 && tt <= 253402300799;
}

Problem check_days(const char* what, int days) {
  if (days < 1 || days > kMaxDays) {
    return invalid(std::string(what) + " must be between 1 and " + std::to_string(kMaxDays) + ", got " +
                   std::to_string(days));
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------------------------

/// An open file descriptor, closed on destruction.
class Fd {
 public:
  explicit Fd(int fd = -1) noexcept : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd(Fd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  Fd& operator=(Fd&&) = delete;
  [[nodiscard]] int get() const noexcept { return fd_; }
  /// close() and its result (a delayed write error shows up here).
  int close() noexcept {
    const int r = ::close(fd_);
    fd_ = -1;
    return r;
  }

 private:
  int fd_;
};

/// Reads a whole regular file of at most `max` bytes into `out` (allocated once, at its size).
template <class Buffer>
Problem read_into(const fs::path& p, std::size_t max, Buffer& out) {
  Fd fd(::open(p.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (fd.get() < 0) return io_failure(p, "cannot open", errno);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return io_failure(p, "cannot stat", errno);
  if (!S_ISREG(st.st_mode)) return Failure(Errc::io, p.string() + ": not a regular file");
  if (static_cast<std::uint64_t>(st.st_size) > max) {
    return Failure(Errc::corrupt, p.string() + ": larger than " + std::to_string(max) + " bytes");
  }
  if constexpr (std::is_same_v<Buffer, Secret>) {
    out = Secret(static_cast<std::size_t>(st.st_size));
  } else {
    out.assign(static_cast<std::size_t>(st.st_size), '\0');
  }
  std::size_t got = 0;
  while (got < out.size()) {
    const ssize_t n = ::read(fd.get(), out.data() + got, out.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return io_failure(p, "cannot read", errno);
    if (n == 0) break;  // the file shrank meanwhile
    got += static_cast<std::size_t>(n);
  }
  if constexpr (std::is_same_v<Buffer, Secret>) {
    out.truncate(got);
  } else {
    out.resize(got);
  }
  return std::nullopt;
}

Outcome<std::string> read_text(const fs::path& p, std::size_t max) {
  std::string out;
  if (auto problem = read_into(p, max, out)) return *problem;
  return out;
}

Outcome<Secret> read_secret(const fs::path& p) {
  Secret out;
  if (auto problem = read_into(p, kMaxPemSize, out)) return *problem;
  return out;
}

Problem write_all(const fs::path& p, int fd, const void* data, std::size_t size) {
  const auto* bytes = static_cast<const unsigned char*>(data);
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::write(fd, bytes + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return io_failure(p, "cannot write", errno);
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) return io_failure(p, "cannot sync", errno);
  return std::nullopt;
}

/// Creates `p` exclusively with `mode` (never wider, even for an instant: the mode is given to
/// open(), the umask can only narrow it) and writes `data`. On failure nothing is left behind.
Problem write_new(const fs::path& p, const void* data, std::size_t size, mode_t mode) {
  Fd fd(::open(p.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode));
  if (fd.get() < 0) return io_failure(p, errno == EEXIST ? "refusing to overwrite" : "cannot create", errno);
  Problem problem = write_all(p, fd.get(), data, size);
  if (!problem && fd.close() != 0) problem = io_failure(p, "cannot write", errno);
  if (problem) ::unlink(p.c_str());
  return problem;
}

/// Replaces `p` atomically: writes `name.tmp` next to it, then renames it into place, so readers
/// (a TLS endpoint reloading crl.pem) see the old file or the new one, never half of one.
Problem write_replace(const fs::path& p, std::string_view tmp_name, const std::string& data) {
  const fs::path tmp = p.parent_path() / tmp_name;
  Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644));
  if (fd.get() < 0) return io_failure(tmp, "cannot create", errno);
  Problem problem;
  if (::fchmod(fd.get(), 0644) != 0) problem = io_failure(tmp, "cannot set the mode", errno);
  if (!problem) problem = write_all(tmp, fd.get(), data.data(), data.size());
  if (!problem && fd.close() != 0) problem = io_failure(tmp, "cannot write", errno);
  if (!problem && ::rename(tmp.c_str(), p.c_str()) != 0) problem = io_failure(p, "cannot replace", errno);
  if (problem) ::unlink(tmp.c_str());
  return problem;
}

/// Removes a file; a missing file is fine.
Problem remove_file(const fs::path& p) {
  if (::unlink(p.c_str()) != 0 && errno != ENOENT) return io_failure(p, "cannot remove", errno);
  return std::nullopt;
}

/// Files created by an operation; removed again unless the operation commits.
class Created {
 public:
  Created() = default;
  ~Created() {
    if (committed_) return;
    for (const auto& f : files_) ::unlink(f.c_str());
  }
  Created(const Created&) = delete;
  Created& operator=(const Created&) = delete;
  Created(Created&&) = delete;
  Created& operator=(Created&&) = delete;
  void add(fs::path p) { files_.push_back(std::move(p)); }
  void commit() noexcept { committed_ = true; }

 private:
  std::vector<fs::path> files_;
  bool committed_ = false;
};

/// flock() on the PKI directory itself: concurrent runs on one DIR serialise; no lock file.
class DirLock {
 public:
  static Outcome<DirLock> acquire(const fs::path& dir, bool exclusive) {
    Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.get() < 0) {
      if (errno == ENOENT || errno == ENOTDIR)
        return Failure(Errc::no_pki,
                       dir.string() + ": no such directory (make a PKI with 'mmssec pki init')");
      return io_failure(dir, "cannot open the directory", errno);
    }
    int r = 0;
    do {
      r = ::flock(fd.get(), exclusive ? LOCK_EX : LOCK_SH);
    } while (r != 0 && errno == EINTR);
    if (r != 0) return io_failure(dir, "cannot lock the directory", errno);
    return DirLock(std::move(fd));
  }

 private:
  explicit DirLock(Fd fd) : fd_(std::make_shared<Fd>(std::move(fd))) {}
  std::shared_ptr<Fd> fd_;  // closing the descriptor releases the lock
};

// ---------------------------------------------------------------------------------------------
// index.txt
// ---------------------------------------------------------------------------------------------
//
// Text, one record per line, fields separated by one TAB, '#' starts a comment line:
//   format        1
//   organisation  <O= of every subject>
//   crl_number    <number of the last CRL issued>
//   cert  <name> <purpose> <key> <serial hex> <notBefore> <notAfter> <valid|revoked>
//         <revocationDate|-> <reason|-> <subject>
// Times are UTC "YYYYMMDDHHMMSSZ". The CA's record comes first.

struct Index {
  std::string organisation;
  std::uint64_t crl_number = 0;
  std::vector<Entry> entries;

  [[nodiscard]] Entry* find(std::string_view name) {
    for (auto& e : entries) {
      if (e.name == name) return &e;
    }
    return nullptr;
  }
};

constexpr const char* kIndexTimeFormat = "%Y%m%d%H%M%SZ";

std::optional<Time> parse_index_time(std::string_view s) {
  if (s.size() != 15 || s.back() != 'Z') return std::nullopt;
  auto num = [&](std::size_t at, std::size_t len) -> std::optional<int> {
    int v = 0;
    const auto* first = s.data() + at;
    const auto r = std::from_chars(first, first + len, v);
    if (r.ec != std::errc() || r.ptr != first + len) return std::nullopt;
    return v;
  };
  const auto year = num(0, 4), month = num(4, 2), day = num(6, 2), hour = num(8, 2), minute = num(10, 2),
             second = num(12, 2);
  if (!year || !month || !day || !hour || !minute || !second || *month < 1 || *month > 12 || *day < 1 ||
      *day > 31 || *hour > 23 || *minute > 59 || *second > 60) {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = *year - 1900;
  tm.tm_mon = *month - 1;
  tm.tm_mday = *day;
  tm.tm_hour = *hour;
  tm.tm_min = *minute;
  tm.tm_sec = *second;
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

std::vector<std::string_view> split(std::string_view line, char sep) {
  std::vector<std::string_view> out;
  while (true) {
    const auto at = line.find(sep);
    out.push_back(line.substr(0, at));
    if (at == std::string_view::npos) return out;
    line.remove_prefix(at + 1);
  }
}

bool is_hex(std::string_view s) {
  if (s.empty() || s.size() > 40) return false;  // RFC 5280: at most 20 octets
  for (const char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'))) return false;
  }
  return true;
}

Outcome<Entry> parse_cert_record(const fs::path& dir, const std::vector<std::string_view>& f) {
  if (f.size() != 11) return invalid("a cert record has 11 fields, this one " + std::to_string(f.size()));
  Entry e;
  e.name = std::string(f[1]);
  const auto purpose = parse_purpose(f[2]);
  const auto key = parse_key_type(f[3]);
  const auto nb = parse_index_time(f[5]);
  const auto na = parse_index_time(f[6]);
  if (!(valid_name(e.name) || e.name == kCaName)) return invalid("bad name '" + e.name + "'");
  if (!purpose || purpose_name(*purpose) != f[2]) return invalid("bad purpose '" + std::string(f[2]) + "'");
  if (!key) return invalid("bad key type '" + std::string(f[3]) + "'");
  if (!is_hex(f[4])) return invalid("bad serial '" + std::string(f[4]) + "'");
  if (!nb || !na) return invalid("bad validity time");
  if (f[7] != "valid" && f[7] != "revoked") return invalid("bad status '" + std::string(f[7]) + "'");
  e.purpose = *purpose;
  e.key = *key;
  e.serial = std::string(f[4]);
  e.not_before = *nb;
  e.not_after = *na;
  e.revoked = f[7] == "revoked";
  if (e.revoked) {
    const auto at = parse_index_time(f[8]);
    const auto reason = parse_revocation_reason(f[9]);
    if (!at || !reason) return invalid("bad revocation time or reason");
    e.revoked_at = *at;
    e.reason = *reason;
  }
  e.subject = std::string(f[10]);
  e.certificate_file = certificate_path(dir, e.name);
  e.key_file = key_path(dir, e.name);
  return e;
}

Outcome<Index> load_index(const fs::path& dir) {
  const fs::path file = dir / kIndexFile;
  auto text = read_text(file, kMaxIndexSize);
  if (!text) {
    if (text.failure().code == Errc::io && !fs::exists(file)) {
      return Failure(Errc::no_pki, dir.string() + ": no PKI here (" + file.string() +
                                       " is missing; create one with 'mmssec pki init')");
    }
    return text.failure();
  }
  Index index;
  bool format_seen = false;
  std::size_t line_no = 0;
  for (const auto line : split(*text, '\n')) {
    ++line_no;
    if (line.empty() || line.front() == '#') continue;
    const auto f = split(line, '\t');
    auto bad = [&](const std::string& why) {
      return Failure(Errc::corrupt, file.string() + " line " + std::to_string(line_no) + ": " + why);
    };
    if (f[0] == "format") {
      if (f.size() != 2 || f[1] != "1") return bad("unsupported format (this mmssec reads format 1)");
      format_seen = true;
    } else if (f[0] == "organisation") {
      if (f.size() != 2 || !valid_attribute(f[1])) return bad("bad organisation");
      index.organisation = std::string(f[1]);
    } else if (f[0] == "crl_number") {
      const auto r = f.size() == 2 ? std::from_chars(f[1].data(), f[1].data() + f[1].size(), index.crl_number)
                                   : std::from_chars_result{nullptr, std::errc::invalid_argument};
      if (r.ec != std::errc() || r.ptr != f[1].data() + f[1].size()) return bad("bad crl_number");
    } else if (f[0] == "cert") {
      auto e = parse_cert_record(dir, f);
      if (!e) return bad(e.failure().detail);
      if (index.find(e->name) != nullptr) return bad("duplicate name '" + e->name + "'");
      if (index.entries.empty() != (e->purpose == Purpose::ca)) return bad("the CA's record must come first");
      index.entries.push_back(std::move(*e));
    } else {
      return bad("unknown record '" + std::string(f[0]) + "'");
    }
  }
  if (!format_seen || index.organisation.empty() || index.entries.empty()) {
    return Failure(Errc::corrupt, file.string() + ": format, organisation or the CA's record is missing");
  }
  return index;
}

std::string format_index(const Index& index) {
  std::string out =
      "# mmssec lab PKI index (docs/pki.md). Written by 'mmssec pki'; fields are TAB-separated.\n"
      "format\t1\n";
  out += "organisation\t" + index.organisation + "\n";
  out += "crl_number\t" + std::to_string(index.crl_number) + "\n";
  out += "# cert\tname\tpurpose\tkey\tserial\tnot_before\tnot_after\tstatus\trevoked_at\treason\tsubject\n";
  for (const auto& e : index.entries) {
    out += "cert\t" + e.name + '\t' + std::string(purpose_name(e.purpose)) + '\t' +
           std::string(key_type_name(e.key)) + '\t' + e.serial + '\t' +
           strftime_utc(e.not_before, kIndexTimeFormat) + '\t' + strftime_utc(e.not_after, kIndexTimeFormat) +
           '\t' + (e.revoked ? "revoked" : "valid") + '\t' +
           (e.revoked ? strftime_utc(e.revoked_at, kIndexTimeFormat) : "-") + '\t' +
           (e.revoked ? std::string(revocation_reason_name(e.reason)) : "-") + '\t' + e.subject + '\n';
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Building blocks
// ---------------------------------------------------------------------------------------------

struct Ca {
  CertPtr cert;
  KeyPtr key;
};

Outcome<Ca> load_ca(const fs::path& dir) {
  const fs::path cert_file = certificate_path(dir, kCaName);
  const fs::path key_file = key_path(dir, kCaName);
  auto pem = read_text(cert_file, kMaxPemSize);
  if (!pem) return pem.failure();
  auto cert = detail::decode_certificate(*pem);
  if (!cert) return Failure(Errc::corrupt, cert_file.string() + ": " + cert.failure().detail);
  auto key_pem = read_secret(key_file);
  if (!key_pem) return key_pem.failure();
  auto key = detail::decode_private_key(*key_pem);
  if (!key) return Failure(Errc::corrupt, key_file.string() + ": " + key.failure().detail);
  if (!detail::key_matches(cert->get(), key->get())) {
    return Failure(Errc::corrupt, key_file.string() + ": not the private key of " + cert_file.string());
  }
  return Ca{std::move(*cert), std::move(*key)};
}

/// A certificate made in memory, not yet written.
struct Made {
  Entry entry;
  KeyPtr key;
  CertPtr cert;
};

struct MakeSpec {
  std::string name;
  std::string common_name;
  Purpose purpose = Purpose::tls_client;
  KeyType key = KeyType::rsa2048;
  Time not_before{};
  Time not_after{};
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;
};

Outcome<Made> make(const fs::path& dir, const std::string& organisation, const MakeSpec& spec, const Ca* ca,
                   const Index* index) {
  auto key = detail::generate_key(spec.key);
  if (!key) return key.failure();
  std::string serial;
  // 126 random bits cannot realistically collide; checked anyway, the index is at hand.
  for (int attempt = 0; attempt < 4 && serial.empty(); ++attempt) {
    auto s = detail::random_serial();
    if (!s) return s.failure();
    bool taken = false;
    if (index != nullptr) {
      for (const auto& e : index->entries) taken = taken || e.serial == *s;
    }
    if (!taken) serial = std::move(*s);
  }
  if (serial.empty()) return Failure(Errc::crypto, "cannot draw an unused serial number");

  detail::CertificateSpec cs;
  cs.organisation = organisation;
  cs.common_name = spec.common_name;
  cs.purpose = spec.purpose;
  cs.serial = serial;
  cs.subject_key = key->get();
  cs.issuer = ca != nullptr ? ca->cert.get() : nullptr;
  cs.issuer_key = ca != nullptr ? ca->key.get() : nullptr;
  cs.not_before = spec.not_before;
  cs.not_after = spec.not_after;
  cs.dns_names = spec.dns_names;
  cs.ip_addresses = spec.ip_addresses;
  auto cert = detail::make_certificate(cs);
  if (!cert) return cert.failure();

  Made m;
  m.entry.name = spec.name;
  m.entry.purpose = spec.purpose;
  m.entry.key = spec.key;
  m.entry.certificate_file = certificate_path(dir, spec.name);
  m.entry.key_file = key_path(dir, spec.name);
  detail::describe_certificate(cert->get(), m.entry);
  m.key = std::move(*key);
  m.cert = std::move(*cert);
  return m;
}

/// Writes NAME.key (0600) and NAME.crt (0644), both created exclusively.
Problem write_made(const Made& m, Created& created) {
  auto key_pem = detail::encode_private_key(m.key.get());
  if (!key_pem) return Failure(Errc::crypto, m.entry.key_file.string() + ": " + key_pem.failure().detail);
  auto cert_pem = detail::encode_certificate(m.cert.get());
  if (!cert_pem)
    return Failure(Errc::crypto, m.entry.certificate_file.string() + ": " + cert_pem.failure().detail);
  if (auto p = write_new(m.entry.key_file, key_pem->data(), key_pem->size(), 0600)) return p;
  created.add(m.entry.key_file);
  if (auto p = write_new(m.entry.certificate_file, cert_pem->data(), cert_pem->size(), 0644)) return p;
  created.add(m.entry.certificate_file);
  return std::nullopt;
}

struct CrlTimes {
  Time this_update{};
  Time next_update{};
};

Outcome<CrlTimes> crl_times(const CrlOptions& o) {
  if (auto p = check_days("CRL days", o.days)) return *p;
  CrlTimes t;
  t.this_update = o.this_update.value_or(now_seconds() - kClockSkew);
  t.next_update = o.next_update.value_or(t.this_update + std::chrono::hours(24) * o.days);
  if (t.next_update <= t.this_update) return invalid("the CRL's nextUpdate must be after its thisUpdate");
  if (!encodable(t.this_update) || !encodable(t.next_update)) {
    return invalid("CRL times must lie between the years 1950 and 9999 (RFC 5280 times)");
  }
  return t;
}

/// The CRL of `index` (number index.crl_number), PEM-encoded, and what it holds.
Outcome<std::pair<std::string, CrlInfo>> build_crl(const fs::path& dir, const Ca& ca, const Index& index,
                                                   const CrlTimes& times) {
  std::vector<detail::RevokedSpec> revoked;
  for (const auto& e : index.entries) {
    if (e.revoked) revoked.push_back({e.serial, e.revoked_at, e.reason});
  }
  const fs::path file = dir / kCrlFile;
  auto crl = detail::make_crl(ca.cert.get(), ca.key.get(), index.crl_number, times.this_update,
                              times.next_update, revoked);
  if (!crl) return Failure(Errc::crypto, file.string() + ": " + crl.failure().detail);
  auto pem = detail::encode_crl(crl->get());
  if (!pem) return Failure(Errc::crypto, file.string() + ": " + pem.failure().detail);
  CrlInfo info = detail::describe_crl(crl->get());
  info.file = file;
  return std::pair{std::move(*pem), std::move(info)};
}

/// Fills fingerprint_sha256 and subject_alt_names from the certificate file, when readable.
void read_back(Entry& e) {
  auto pem = read_text(e.certificate_file, kMaxPemSize);
  if (!pem) return;
  auto cert = detail::decode_certificate(*pem);
  if (!cert) return;
  Entry from_file;
  detail::describe_certificate(cert->get(), from_file);
  e.fingerprint_sha256 = std::move(from_file.fingerprint_sha256);
  e.subject_alt_names = std::move(from_file.subject_alt_names);
}

/// Files an earlier PKI in `dir` may hold: the fixed ones, and every NAME.crt/.key its index lists.
std::vector<fs::path> pki_files(const fs::path& dir) {
  std::vector<std::string> names{std::string(kCaName),
                                 std::string(kServerName),
                                 std::string(kClientName),
                                 "server-acse",
                                 "client-acse",
                                 "server-e2e",
                                 "client-e2e"};
  if (auto old = load_index(dir)) {
    for (const auto& e : old->entries) names.push_back(e.name);
  }
  std::vector<fs::path> files{dir / kCrlFile, dir / kIndexFile, dir / kCrlTmp, dir / kIndexTmp};
  for (const auto& n : names) {
    files.push_back(certificate_path(dir, n));
    files.push_back(key_path(dir, n));
  }
  return files;
}

/// Creates `dir` (parents as needed) or checks an existing one; leaves it at mode 0700.
Problem prepare_directory(const fs::path& dir) {
  std::error_code ec;
  const auto st = fs::status(dir, ec);  // a symbolic link to a directory is fine
  if (st.type() == fs::file_type::not_found) {
    if (dir.has_parent_path() && !dir.parent_path().empty()) {
      fs::create_directories(dir.parent_path(), ec);
      if (ec) return Failure(Errc::io, dir.parent_path().string() + ": cannot create: " + ec.message());
    }
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return io_failure(dir, "cannot create", errno);
  } else if (st.type() != fs::file_type::directory) {
    return Failure(Errc::exists, dir.string() + ": exists and is not a directory");
  }
  if (::chmod(dir.c_str(), 0700) != 0) return io_failure(dir, "cannot set mode 0700", errno);
  return std::nullopt;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------

const std::error_category& pki_category() noexcept {
  static const PkiCategory cat;
  return cat;
}

std::optional<KeyType> parse_key_type(std::string_view text) {
  for (const auto t :
       {KeyType::rsa2048, KeyType::rsa3072, KeyType::p256, KeyType::p384, KeyType::brainpool256}) {
    if (key_type_name(t) == text) return t;
  }
  return std::nullopt;
}

std::string_view key_type_name(KeyType type) {
  switch (type) {
    case KeyType::rsa2048: return "rsa2048";
    case KeyType::rsa3072: return "rsa3072";
    case KeyType::p256: return "p256";
    case KeyType::p384: return "p384";
    case KeyType::brainpool256: return "brainpool256";
  }
  return "?";
}

std::string_view purpose_name(Purpose purpose) {
  switch (purpose) {
    case Purpose::tls_server: return "tls_server";
    case Purpose::tls_client: return "tls_client";
    case Purpose::tls_both: return "tls_both";
    case Purpose::acse: return "acse";
    case Purpose::e2e: return "e2e";
    case Purpose::ca: return "ca";
  }
  return "?";
}

std::optional<Purpose> parse_purpose(std::string_view text) {
  if (text == "server") return Purpose::tls_server;
  if (text == "client") return Purpose::tls_client;
  if (text == "both") return Purpose::tls_both;
  for (const auto p : {Purpose::tls_server, Purpose::tls_client, Purpose::tls_both, Purpose::acse,
                       Purpose::e2e, Purpose::ca}) {
    if (purpose_name(p) == text) return p;
  }
  return std::nullopt;
}

std::string_view revocation_reason_name(RevocationReason reason) {
  switch (reason) {
    case RevocationReason::unspecified: return "unspecified";
    case RevocationReason::key_compromise: return "keyCompromise";
    case RevocationReason::affiliation_changed: return "affiliationChanged";
    case RevocationReason::superseded: return "superseded";
    case RevocationReason::cessation_of_operation: return "cessationOfOperation";
    case RevocationReason::privilege_withdrawn: return "privilegeWithdrawn";
  }
  return "?";
}

std::optional<RevocationReason> parse_revocation_reason(std::string_view text) {
  for (const auto r : {RevocationReason::unspecified, RevocationReason::key_compromise,
                       RevocationReason::affiliation_changed, RevocationReason::superseded,
                       RevocationReason::cessation_of_operation, RevocationReason::privilege_withdrawn}) {
    if (revocation_reason_name(r) == text) return r;
  }
  return std::nullopt;
}

fs::path certificate_path(const fs::path& dir, std::string_view name) {
  return dir / (std::string(name) + ".crt");
}
fs::path key_path(const fs::path& dir, std::string_view name) { return dir / (std::string(name) + ".key"); }

std::string format_time(Time t) { return strftime_utc(t, "%Y-%m-%dT%H:%M:%SZ"); }

// ---------------------------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------------------------

Outcome<InitReport> init(const fs::path& dir, const InitOptions& o) {
  if (dir.empty()) return invalid("the PKI directory must not be empty");
  if (auto p = check_days("days", o.days)) return *p;
  if (auto p = check_days("CA days", o.ca_days)) return *p;
  if (o.ca_days < o.days)
    return invalid("the CA must be valid at least as long as its certificates (ca_days >= days)");
  CrlOptions crl_options;
  crl_options.days = o.crl_days;
  auto times = crl_times(crl_options);
  if (!times) return times.failure();
  if (!valid_attribute(o.organisation)) {
    return invalid("the organisation must be 1 to 64 bytes of UTF-8 without control characters");
  }

  if (auto p = prepare_directory(dir)) return *p;
  auto lock = DirLock::acquire(dir, true);
  if (!lock) return lock.failure();
  std::error_code ec;
  if (!fs::is_empty(dir, ec) || ec) {
    if (ec) return Failure(Errc::io, dir.string() + ": cannot list: " + ec.message());
    if (!o.force) {
      return Failure(Errc::exists, dir.string() + ": directory is not empty" +
                                       (fs::exists(dir / kIndexFile) ? " (it holds a PKI)" : "") +
                                       "; choose another directory or use --force to replace the PKI there");
    }
    for (const auto& f : pki_files(dir)) {
      if (auto p = remove_file(f)) return *p;
    }
  }

  const Time now = now_seconds();
  Index index;
  index.organisation = o.organisation;
  index.crl_number = 1;

  MakeSpec ca_spec;
  ca_spec.name = std::string(kCaName);
  ca_spec.common_name =
      o.organisation.size() + 8 <= kMaxAttributeLength ? o.organisation + " root CA" : "root CA";
  ca_spec.purpose = Purpose::ca;
  ca_spec.key = o.key;
  ca_spec.not_before = now - kClockSkew;
  ca_spec.not_after = now + std::chrono::hours(24) * o.ca_days;
  auto ca_made = make(dir, o.organisation, ca_spec, nullptr, nullptr);
  if (!ca_made) return ca_made.failure();
  index.entries.push_back(ca_made->entry);
  const Ca ca{std::move(ca_made->cert), std::move(ca_made->key)};

  std::vector<MakeSpec> specs;
  auto leaf = [&](std::string_view name, Purpose purpose) {
    MakeSpec s;
    s.name = std::string(name);
    s.common_name = s.name;
    s.purpose = purpose;
    s.key = o.key;
    s.not_before = now - kClockSkew;
    s.not_after = now + std::chrono::hours(24) * o.days;
    if (purpose == Purpose::tls_server) {
      s.dns_names = {"localhost"};
      s.ip_addresses = {"127.0.0.1", "::1"};
    }
    specs.push_back(std::move(s));
  };
  leaf(kServerName, Purpose::tls_server);
  leaf(kClientName, Purpose::tls_client);
  if (o.signing) {
    leaf("server-acse", Purpose::acse);
    leaf("client-acse", Purpose::acse);
    leaf("server-e2e", Purpose::e2e);
    leaf("client-e2e", Purpose::e2e);
  }
  std::vector<Made> made;
  for (const auto& s : specs) {
    auto m = make(dir, o.organisation, s, &ca, &index);
    if (!m) return m.failure();
    index.entries.push_back(m->entry);
    made.push_back(std::move(*m));
  }
  auto crl = build_crl(dir, ca, index, *times);
  if (!crl) return crl.failure();

  // Everything is made; now the files, removed again if any of them fails.
  Created created;
  {
    auto key_pem = detail::encode_private_key(ca.key.get());
    if (!key_pem) return key_pem.failure();
    auto cert_pem = detail::encode_certificate(ca.cert.get());
    if (!cert_pem) return cert_pem.failure();
    const fs::path key_file = key_path(dir, kCaName);
    const fs::path cert_file = certificate_path(dir, kCaName);
    if (auto p = write_new(key_file, key_pem->data(), key_pem->size(), 0600)) return *p;
    created.add(key_file);
    if (auto p = write_new(cert_file, cert_pem->data(), cert_pem->size(), 0644)) return *p;
    created.add(cert_file);
  }
  for (const auto& m : made) {
    if (auto p = write_made(m, created)) return *p;
  }
  if (auto p = write_new(crl->second.file, crl->first.data(), crl->first.size(), 0644)) return *p;
  created.add(crl->second.file);
  const std::string index_text = format_index(index);
  const fs::path index_file = dir / kIndexFile;
  if (auto p = write_new(index_file, index_text.data(), index_text.size(), 0644)) return *p;
  created.commit();

  InitReport report;
  report.dir = dir;
  report.key = o.key;
  report.certificates = std::move(index.entries);
  report.crl = std::move(crl->second);
  report.index_file = index_file;
  return report;
}

Outcome<Entry> issue(const fs::path& dir, const IssueOptions& o) {
  if (!valid_name(o.name)) {
    return invalid("bad name '" + o.name +
                   "': use 1 to 64 of A-Z a-z 0-9 _ . - (not starting with '.', not 'ca')");
  }
  if (o.purpose == Purpose::ca) return invalid("the CA is made by init, not issued");
  const std::string cn = o.common_name.empty() ? o.name : o.common_name;
  if (!valid_attribute(cn))
    return invalid("the CN must be 1 to 64 bytes of UTF-8 without control characters");
  if (auto p = check_days("days", o.days)) return *p;
  if (o.dns_names.size() + o.ip_addresses.size() > kMaxAltNames) {
    return invalid("at most " + std::to_string(kMaxAltNames) + " DNS names and IP addresses");
  }
  for (const auto& d : o.dns_names) {
    if (!valid_dns_name(d)) return invalid("bad DNS name '" + d + "'");
  }
  for (const auto& ip : o.ip_addresses) {
    if (!valid_ip(ip)) return invalid("bad IP address '" + ip + "'");
  }
  const Time now = now_seconds();
  MakeSpec spec;
  spec.name = o.name;
  spec.common_name = cn;
  spec.purpose = o.purpose;
  spec.not_before = o.not_before.value_or(now - kClockSkew);
  spec.not_after =
      o.not_after.value_or((o.not_before ? *o.not_before : now) + std::chrono::hours(24) * o.days);
  if (spec.not_after <= spec.not_before) return invalid("notAfter must be after notBefore");
  if (!encodable(spec.not_before) || !encodable(spec.not_after)) {
    return invalid("validity must lie between the years 1950 and 9999 (RFC 5280 times)");
  }
  spec.dns_names = o.dns_names;
  spec.ip_addresses = o.ip_addresses;
  if ((o.purpose == Purpose::tls_server || o.purpose == Purpose::tls_both) && spec.dns_names.empty() &&
      spec.ip_addresses.empty()) {
    spec.dns_names = {"localhost"};
    spec.ip_addresses = {"127.0.0.1", "::1"};
  }

  auto lock = DirLock::acquire(dir, true);
  if (!lock) return lock.failure();
  auto index = load_index(dir);
  if (!index) return index.failure();
  if (index->find(o.name) != nullptr) {
    return Failure(Errc::exists, dir.string() + ": a certificate named '" + o.name + "' exists already");
  }
  for (const auto& f : {certificate_path(dir, o.name), key_path(dir, o.name)}) {
    if (fs::symlink_status(f).type() != fs::file_type::not_found) {
      return Failure(Errc::exists, f.string() + ": exists already (not in the index); remove it first");
    }
  }
  auto ca = load_ca(dir);
  if (!ca) return ca.failure();
  if (o.key) {
    spec.key = *o.key;
  } else if (const auto t = detail::key_type_of(ca->key.get())) {
    spec.key = *t;
  } else {
    return invalid(certificate_path(dir, kCaName).string() +
                   ": the CA's key is none of the key types; give a key type");
  }

  auto m = make(dir, index->organisation, spec, &*ca, &*index);
  if (!m) return m.failure();
  Created created;
  if (auto p = write_made(*m, created)) return *p;
  index->entries.push_back(m->entry);
  if (auto p = write_replace(dir / kIndexFile, kIndexTmp, format_index(*index))) return *p;
  created.commit();
  return std::move(m->entry);
}

Outcome<RevokeReport> revoke(const fs::path& dir, std::string_view name, RevocationReason reason,
                             const CrlOptions& crl) {
  auto times = crl_times(crl);
  if (!times) return times.failure();
  auto lock = DirLock::acquire(dir, true);
  if (!lock) return lock.failure();
  auto index = load_index(dir);
  if (!index) return index.failure();
  Entry* e = index->find(name);
  if (e == nullptr) {
    return Failure(Errc::unknown_name, dir.string() + ": no certificate named '" + std::string(name) +
                                           "' (see 'mmssec pki list')");
  }
  if (e->purpose == Purpose::ca) {
    return invalid("the root CA cannot be revoked; make a new PKI with 'mmssec pki init --force'");
  }
  if (e->revoked) {
    return Failure(Errc::already_revoked,
                   e->certificate_file.string() + ": already revoked at " + format_time(e->revoked_at));
  }
  auto ca = load_ca(dir);
  if (!ca) return ca.failure();
  e->revoked = true;
  e->revoked_at = times->this_update;  // revoked as of the first CRL that lists it
  e->reason = reason;
  ++index->crl_number;
  auto built = build_crl(dir, *ca, *index, *times);
  if (!built) return built.failure();
  // The index first: should writing the CRL fail, 'mmssec pki crl' rebuilds it from the index.
  if (auto p = write_replace(dir / kIndexFile, kIndexTmp, format_index(*index))) return *p;
  if (auto p = write_replace(built->second.file, kCrlTmp, built->first)) {
    p->detail += " (the index records the revocation; retry with 'mmssec pki crl')";
    return *p;
  }
  RevokeReport report;
  report.entry = *e;
  read_back(report.entry);
  report.crl = std::move(built->second);
  return report;
}

Outcome<CrlInfo> regenerate_crl(const fs::path& dir, const CrlOptions& options) {
  auto times = crl_times(options);
  if (!times) return times.failure();
  auto lock = DirLock::acquire(dir, true);
  if (!lock) return lock.failure();
  auto index = load_index(dir);
  if (!index) return index.failure();
  auto ca = load_ca(dir);
  if (!ca) return ca.failure();
  ++index->crl_number;
  auto built = build_crl(dir, *ca, *index, *times);
  if (!built) return built.failure();
  if (auto p = write_replace(dir / kIndexFile, kIndexTmp, format_index(*index))) return *p;
  if (auto p = write_replace(built->second.file, kCrlTmp, built->first)) return *p;
  return std::move(built->second);
}

Outcome<std::vector<Entry>> list(const fs::path& dir) {
  auto lock = DirLock::acquire(dir, false);
  if (!lock) return lock.failure();
  auto index = load_index(dir);
  if (!index) return index.failure();
  for (auto& e : index->entries) read_back(e);
  return std::move(index->entries);
}

Outcome<CrlInfo> crl_info(const fs::path& dir) {
  auto lock = DirLock::acquire(dir, false);
  if (!lock) return lock.failure();
  const fs::path file = dir / kCrlFile;
  auto pem = read_text(file, kMaxPemSize);
  if (!pem) return pem.failure();
  auto crl = detail::decode_crl(*pem);
  if (!crl) return Failure(Errc::corrupt, file.string() + ": " + crl.failure().detail);
  CrlInfo info = detail::describe_crl(crl->get());
  info.file = file;
  return info;
}

}  // namespace mmssec::pki
