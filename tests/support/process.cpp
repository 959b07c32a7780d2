// SPDX-License-Identifier: Apache-2.0
#include "support/process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>
#include <utility>

extern char** environ;  // NOLINT: POSIX, not declared by any header in C++

namespace mmssec::test_support {
namespace {

namespace fs = std::filesystem;
using SteadyClock = std::chrono::steady_clock;

constexpr auto kPollInterval = std::chrono::milliseconds(5);

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string_view env_name(std::string_view entry) { return entry.substr(0, entry.find('=')); }

/// The test's own environment with `overrides` ("NAME=value") replacing or adding entries.
std::vector<std::string> child_environment(const std::vector<std::string>& overrides) {
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string_view entry(*e);
    bool replaced = false;
    for (const auto& o : overrides) replaced = replaced || env_name(o) == env_name(entry);
    if (!replaced) env.emplace_back(entry);
  }
  env.insert(env.end(), overrides.begin(), overrides.end());
  return env;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

std::string status_text(const ProcessResult& r) {
  if (!r.started) return "not started: " + r.error;
  if (r.timed_out) return "timed out (killed)";
  if (r.signal != 0) return "killed by signal " + std::to_string(r.signal);
  return "exit " + std::to_string(r.exit_code);
}

std::string output_text(const std::string& out, const std::string& err) {
  return "\n--- stdout ---\n" + out + "\n--- stderr ---\n" + err + "\n";
}

}  // namespace

// ---------------------------------------------------------------------------------------------

ScratchDir::ScratchDir(std::string_view prefix) {
  std::error_code ec;
  fs::path base = fs::temp_directory_path(ec);
  if (ec) base = "/tmp";
  std::string tmpl = (base / (std::string(prefix) + "-XXXXXX")).string();
  if (mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
}

ScratchDir::~ScratchDir() {
  if (path_.empty() || std::getenv("MMSSEC_KEEP_TEST_FILES") != nullptr) return;
  std::error_code ec;
  fs::remove_all(path_, ec);
}

// ---------------------------------------------------------------------------------------------

std::string ProcessResult::describe() const { return status_text(*this) + output_text(out, err); }

Process Process::start(const std::vector<std::string>& argv, const std::vector<std::string>& env) {
  Process p;
  p.program_ = argv.empty() ? std::string() : argv.front();
  auto fail = [&p](std::string why) {
    p.error_ = std::move(why);
    p.result_.error = p.error_;
    return std::move(p);
  };
  if (argv.empty()) return fail("empty argv");
  p.dir_ = std::make_unique<ScratchDir>("mmssec-process");
  if (p.dir_->path().empty()) return fail("cannot create a temporary directory");
  const std::string out_path = (p.dir_->path() / "stdout.txt").string();
  const std::string err_path = (p.dir_->path() / "stderr.txt").string();

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  // The child starts clean whatever this thread blocks or ignores: the tools rely on SIGINT and
  // SIGTERM arriving, and a test runner may have changed SIGPIPE.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  sigset_t defaults;
  sigemptyset(&defaults);
  for (const int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGCHLD, SIGUSR1, SIGUSR2})
    sigaddset(&defaults, sig);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<std::string> args = argv;
  std::vector<std::string> envs = child_environment(env);
  const std::vector<char*> c_args = c_strings(args);
  const std::vector<char*> c_env = c_strings(envs);
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, c_args[0], &actions, &attr, c_args.data(), c_env.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return fail("cannot start " + p.program_ + ": " + std::strerror(rc));
  p.pid_ = pid;
  p.result_.started = true;
  return p;
}

Process::Process(Process&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      finished_(std::exchange(other.finished_, false)),
      result_(std::move(other.result_)),
      error_(std::move(other.error_)),
      program_(std::move(other.program_)),
      dir_(std::move(other.dir_)) {}

Process& Process::operator=(Process&& other) noexcept {
  if (this != &other) {
    kill_and_reap();
    pid_ = std::exchange(other.pid_, -1);
    finished_ = std::exchange(other.finished_, false);
    result_ = std::move(other.result_);
    error_ = std::move(other.error_);
    program_ = std::move(other.program_);
    dir_ = std::move(other.dir_);
  }
  return *this;
}

Process::~Process() { kill_and_reap(); }

void Process::kill_and_reap() noexcept {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
}

std::string Process::out() const { return dir_ ? slurp(dir_->path() / "stdout.txt") : std::string(); }
std::string Process::err() const { return dir_ ? slurp(dir_->path() / "stderr.txt") : std::string(); }

void Process::reap(int status) {
  pid_ = -1;
  finished_ = true;
  if (WIFEXITED(status)) result_.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result_.signal = WTERMSIG(status);
}

bool Process::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  const pid_t w = waitpid(pid_, &status, WNOHANG);
  if (w == pid_) {
    reap(status);
    return false;
  }
  if (w < 0 && errno != EINTR) {
    pid_ = -1;  // not our child any more (should not happen); treat as gone
    finished_ = true;
    return false;
  }
  return true;
}

void Process::signal(int sig) {
  if (running()) ::kill(pid_, sig);
}

bool Process::wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = SteadyClock::now() + timeout;
  for (;;) {
    if (condition()) return true;
    if (!running()) return condition();
    if (SteadyClock::now() >= deadline) return false;
    std::this_thread::sleep_for(kPollInterval);
  }
}

bool Process::wait_for_stderr(std::string_view needle, std::chrono::milliseconds timeout) {
  return wait_until([&] { return err().find(needle) != std::string::npos; }, timeout);
}

ProcessResult Process::wait(std::chrono::milliseconds timeout) {
  const auto deadline = SteadyClock::now() + timeout;
  while (running()) {
    if (SteadyClock::now() >= deadline) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
      reap(status);
      result_.timed_out = true;
      break;
    }
    std::this_thread::sleep_for(kPollInterval);
  }
  if (result_.started) {
    result_.out = out();
    result_.err = err();
  }
  return result_;
}

std::string Process::describe() const {
  std::string state;
  if (!result_.started) {
    state = "not started: " + error_;
  } else if (!finished_) {
    state = "running (pid " + std::to_string(pid_) + ")";
  } else {
    state = status_text(result_);
  }
  return program_ + ": " + state + output_text(out(), err());
}

ProcessResult run_process(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                          const std::vector<std::string>& env) {
  Process p = Process::start(argv, env);
  if (!p.started()) {
    ProcessResult r;
    r.error = p.error();
    return r;
  }
  return p.wait(timeout);
}

}  // namespace mmssec::test_support
