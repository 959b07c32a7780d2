// SPDX-License-Identifier: Apache-2.0
#include "support/tshark.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "mmssec/capture/pcap.hpp"

namespace mmssec::test_support {
namespace {

namespace fs = std::filesystem;

// Separates repeated occurrences of one field (-E aggregator); never appears in a value.
constexpr char kAggregator = '\x1f';
// Expert severity "error" (PI_ERROR in Wireshark's expert.h).
constexpr std::string_view kProblemFilter = "_ws.malformed || _ws.expert.severity >= 0x00800000";

struct ProcessResult {
  bool started = false;
  bool timed_out = false;
  int exit_status = -1;
  std::string out;
  std::string err;
  std::string spawn_error;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Run argv with stdout/stderr redirected to files in `dir`, a clean environment whose HOME is
// `dir` (no user profile, no "preferences" warnings), and a hard timeout.
ProcessResult run_process(const std::vector<std::string>& args, const fs::path& dir,
                          std::chrono::seconds timeout) {
  ProcessResult r;
  const fs::path out_path = dir / "stdout.txt";
  const fs::path err_path = dir / "stderr.txt";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);

  std::vector<std::string> env{"HOME=" + dir.string(), "XDG_CONFIG_HOME=" + dir.string(),
                               "PATH=/usr/bin:/bin", "LC_ALL=C"};
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  pid_t pid = 0;
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    r.spawn_error = std::string("cannot start ") + args[0] + ": " + std::strerror(rc);
    return r;
  }
  r.started = true;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  for (;;) {
    const pid_t w = waitpid(pid, &status, WNOHANG);
    if (w == pid) break;
    if (w < 0 && errno != EINTR) break;
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      r.timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (!r.timed_out && WIFEXITED(status)) r.exit_status = WEXITSTATUS(status);
  r.out = slurp(out_path);
  r.err = slurp(err_path);
  return r;
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    const std::size_t at = s.find(sep, start);
    parts.emplace_back(s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) break;
    start = at + 1;
  }
  return parts;
}

std::vector<std::string> lines(std::string_view s) {
  std::vector<std::string> out;
  for (auto& l : split(s, '\n'))
    if (!l.empty()) out.push_back(l);
  return out;
}

// Drop tshark's warning about running as root; keep everything else for the report.
std::string meaningful_stderr(const std::string& err) {
  std::string out;
  for (const auto& l : lines(err))
    if (l.find("could be dangerous") == std::string::npos) out += l + "\n";
  return out;
}

class Session {
 public:
  Session(const TsharkOptions& o, TsharkReport& report) : o_(o), report_(report) {}

  // One tshark pass; false (with report_.error set) on any failure.
  bool pass(const std::string& pcap, const std::vector<std::string>& extra, std::string& out,
            const fs::path& dir) {
    std::vector<std::string> args{tshark_path(), "-r", pcap, "-n", "-o", "tcp.desegment_tcp_streams:TRUE"};
    if (o_.check_checksums) {
      for (const char* p : {"ip.check_checksum:TRUE", "tcp.check_checksum:TRUE"}) {
        args.emplace_back("-o");
        args.emplace_back(p);
      }
    }
    const std::uint16_t port = o_.conversation.server_port;
    if (port != capture::kIsoTsapPort) {
      args.emplace_back("-d");
      args.emplace_back("tcp.port==" + std::to_string(port) + ",tpkt");
    }
    for (const auto& p : o_.preferences) {
      args.emplace_back("-o");
      args.push_back(p);
    }
    args.insert(args.end(), extra.begin(), extra.end());
    const ProcessResult r = run_process(args, dir, o_.timeout);
    std::string cmd;
    for (const auto& a : args) cmd += a + " ";
    if (!r.started) {
      report_.error = r.spawn_error;
      return false;
    }
    if (r.timed_out) {
      report_.error = "tshark timed out after " + std::to_string(o_.timeout.count()) + " s: " + cmd;
      return false;
    }
    if (r.exit_status != 0) {
      report_.error = "tshark exited with status " + std::to_string(r.exit_status) + ": " + cmd + "\n" +
                      meaningful_stderr(r.err);
      return false;
    }
    out = r.out;
    return true;
  }

 private:
  const TsharkOptions& o_;
  TsharkReport& report_;
};

std::vector<std::string> field_args(const std::vector<std::string>& fields) {
  std::vector<std::string> a{
      "-T", "fields",       "-E", "occurrence=a", "-E", std::string("aggregator=") + kAggregator,
      "-E", "separator=/t", "-e", "frame.number"};
  for (const auto& f : fields) {
    a.emplace_back("-e");
    a.push_back(f);
  }
  return a;
}

bool keep_requested(const TsharkOptions& o) {
  return o.keep_files || std::getenv("MMSSEC_KEEP_TSHARK_FILES") != nullptr;
}

TsharkReport analyse(const std::string& pcap, const fs::path& dir, const TsharkOptions& o) {
  TsharkReport report;
  report.pcap_path = pcap;
  const std::string exe = tshark_path();
  if (access(exe.c_str(), X_OK) != 0) {
    report.error =
        "tshark not found or not executable at " + exe +
        " (install the Debian package 'tshark', or set MMSSEC_TSHARK to its path); the interoperability "
        "oracle is required, not optional";
    return report;
  }
  Session s(o, report);
  // 1. Summary (default one-line-per-frame output), for failure messages.
  if (!s.pass(pcap, {}, report.summary, dir)) return report;
  // 2. Frames tshark marks malformed or with an error-severity expert item.
  std::string problems;
  std::vector<std::string> pargs = field_args({"_ws.expert.message"});
  pargs.insert(pargs.begin(), {"-Y", std::string(kProblemFilter)});
  if (!s.pass(pcap, pargs, problems, dir)) return report;
  for (const auto& l : lines(problems)) {
    const auto cols = split(l, '\t');
    const auto n = static_cast<std::uint32_t>(std::strtoul(cols[0].c_str(), nullptr, 10));
    report.malformed_frames.push_back(n);
    if (cols.size() > 1)
      for (const auto& m : split(cols[1], kAggregator))
        if (!m.empty()) report.problems.push_back("frame " + cols[0] + ": " + m);
  }
  // 3. Requested fields.
  if (!o.fields.empty()) {
    std::vector<std::string> fargs = field_args(o.fields);
    if (!o.display_filter.empty()) fargs.insert(fargs.begin(), {"-Y", o.display_filter});
    std::string out;
    if (!s.pass(pcap, fargs, out, dir)) return report;
    for (const auto& l : lines(out)) {
      const auto cols = split(l, '\t');
      TsharkFrame f;
      f.number = static_cast<std::uint32_t>(std::strtoul(cols[0].c_str(), nullptr, 10));
      for (std::size_t i = 0; i < o.fields.size() && i + 1 < cols.size(); ++i) {
        if (cols[i + 1].empty()) continue;
        f.fields[o.fields[i]] = split(cols[i + 1], kAggregator);
      }
      report.frames.push_back(std::move(f));
    }
  }
  // 4. Packet details on request.
  if (o.details && !s.pass(pcap, {"-V"}, report.details, dir)) return report;
  report.ran = true;
  return report;
}

// A private temporary directory, removed on destruction unless kept.
class TempDir {
 public:
  explicit TempDir(bool keep) : keep_(keep) {
    std::string tmpl = (fs::temp_directory_path() / "mmssec-tshark-XXXXXX").string();
    if (mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    if (!keep_ && !path_.empty()) fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const fs::path& path() const { return path_; }

 private:
  fs::path path_;
  bool keep_;
};

}  // namespace

std::vector<std::string> TsharkReport::values(std::string_view field) const {
  std::vector<std::string> out;
  for (const auto& f : frames) {
    auto it = f.fields.find(std::string(field));
    if (it != f.fields.end()) out.insert(out.end(), it->second.begin(), it->second.end());
  }
  return out;
}

std::string TsharkReport::describe() const {
  std::string s;
  if (!ran) s += "tshark did not run: " + error + "\n";
  for (const auto& p : problems) s += "problem: " + p + "\n";
  if (!malformed_frames.empty() && problems.empty()) {
    s += "malformed frames:";
    for (auto n : malformed_frames) s += " " + std::to_string(n);
    s += "\n";
  }
  if (!summary.empty()) s += "tshark summary:\n" + summary;
  if (!pcap_path.empty()) s += "capture: " + pcap_path + "\n";
  return s;
}

std::string tshark_path() {
  const char* env = std::getenv("MMSSEC_TSHARK");
  return env != nullptr && *env != '\0' ? std::string(env) : std::string("/usr/bin/tshark");
}

TsharkReport run_tshark(std::span<const capture::Message> messages, const TsharkOptions& options) {
  const TempDir dir(keep_requested(options));
  TsharkReport report;
  if (dir.path().empty()) {
    report.error = "cannot create a temporary directory";
    return report;
  }
  auto pcap = capture::write_conversation(messages, options.conversation);
  if (!pcap.ok()) {
    report.error = "cannot synthesise the capture: " + pcap.error().describe();
    return report;
  }
  const std::string path = (dir.path() / "conversation.pcap").string();
  if (auto st = capture::write_file(path, *pcap); !st.ok()) {
    report.error = "cannot write " + path + ": " + st.error().describe();
    return report;
  }
  return analyse(path, dir.path(), options);
}

TsharkReport run_tshark_file(const std::string& pcap_path, const TsharkOptions& options) {
  const TempDir dir(keep_requested(options));
  if (dir.path().empty()) {
    TsharkReport report;
    report.error = "cannot create a temporary directory";
    return report;
  }
  return analyse(pcap_path, dir.path(), options);
}

}  // namespace mmssec::test_support
