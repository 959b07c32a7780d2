// SPDX-License-Identifier: Apache-2.0
// Child processes for integration tests: start a program with an argv (no shell, so `$` in MMS
// references needs no quoting), capture its stdout and stderr, look at them while it runs, send
// it signals, and wait with a deadline after which it is killed. Nothing a test starts outlives
// it: the destructor kills and reaps a child that is still running.
//
//   auto server = test_support::Process::start({tool, "server", "--listen", "127.0.0.1:10102"});
//   ASSERT_TRUE(server.wait_for_stderr("listening on", 10s)) << server.describe();
//   const auto r = test_support::run_process({tool, "client", url, "identify"}, 30s);
//   server.signal(SIGINT);
//   const auto end = server.wait(10s);
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace mmssec::test_support {

/// A private temporary directory (under $TMPDIR or /tmp), removed with its contents on
/// destruction unless the environment variable MMSSEC_KEEP_TEST_FILES is set. path() is empty
/// when it could not be created.
class ScratchDir {
 public:
  explicit ScratchDir(std::string_view prefix = "mmssec-test");
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  ScratchDir(ScratchDir&&) = delete;
  ScratchDir& operator=(ScratchDir&&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

 private:
  std::filesystem::path path_;
};

/// How a child process ended.
struct ProcessResult {
  bool started = false;    ///< the program could be started (see error otherwise)
  bool timed_out = false;  ///< still running at the deadline, so it was killed with SIGKILL
  int exit_code = -1;      ///< the exit status; -1 when it did not exit normally
  int signal = 0;          ///< the signal that ended it; 0 when it exited
  std::string out;         ///< everything written to stdout
  std::string err;         ///< everything written to stderr
  std::string error;       ///< why it could not be started

  /// "exit 3", "killed by signal 6", "timed out (killed)" or "not started: ...", then the
  /// captured stdout and stderr: for test failure messages.
  [[nodiscard]] std::string describe() const;
};

/// One running child. Its stdout and stderr go to files in a private temporary directory (read
/// back at any time with out()/err()); stdin is /dev/null. Move-only.
class Process {
 public:
  /// Start `argv[0]` (searched in PATH when it contains no '/') with the arguments `argv[1..]`,
  /// the test's environment plus `env` ("NAME=value", overriding a variable of the same name),
  /// default signal dispositions and an empty signal mask. Check started().
  static Process start(const std::vector<std::string>& argv, const std::vector<std::string>& env = {});

  Process(Process&& other) noexcept;
  Process& operator=(Process&& other) noexcept;
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  /// Kills (SIGKILL) and reaps the child if it is still running; removes the output files.
  ~Process();

  [[nodiscard]] bool started() const noexcept { return result_.started; }
  /// Why start() failed (empty when it did not).
  [[nodiscard]] const std::string& error() const noexcept { return error_; }
  /// What the child has written so far.
  [[nodiscard]] std::string out() const;
  [[nodiscard]] std::string err() const;

  /// True while the child has not exited (reaps it when it has).
  [[nodiscard]] bool running();
  /// Send `sig` to a running child (nothing once it has exited).
  void signal(int sig);
  /// Poll `condition` (every few milliseconds) until it holds, the child exits or `timeout`
  /// passes. True when the condition held (checked once more after an exit).
  [[nodiscard]] bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout);
  /// wait_until() stderr contains `needle`.
  [[nodiscard]] bool wait_for_stderr(std::string_view needle, std::chrono::milliseconds timeout);
  /// Wait for the child to exit; kill it with SIGKILL at the deadline (timed_out is then set).
  /// May be called again afterwards: it returns the same result.
  ProcessResult wait(std::chrono::milliseconds timeout);

  /// The process's state and output so far, for failure messages.
  [[nodiscard]] std::string describe() const;

 private:
  Process() = default;
  void reap(int status);
  void kill_and_reap() noexcept;

  pid_t pid_ = -1;  ///< -1 when not started or already reaped
  bool finished_ = false;
  ProcessResult result_;
  std::string error_;
  std::string program_;
  std::unique_ptr<ScratchDir> dir_;  ///< holds stdout.txt and stderr.txt
};

/// Start `argv`, wait for it with a deadline (killed at the deadline) and return how it ended.
ProcessResult run_process(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                          const std::vector<std::string>& env = {});

}  // namespace mmssec::test_support
