// SPDX-License-Identifier: Apache-2.0
// Running the built `mmssec` binary from integration tests: argv building, a bounded run, text
// searches, loopback ports. The including test target defines MMSSEC_TOOL_PATH.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "support/process.hpp"

#ifndef MMSSEC_TOOL_PATH
#error "MMSSEC_TOOL_PATH must name the mmssec binary"
#endif

namespace mmssec::test_support {

/// Deadline of one tool run (generous: the ASan build on a loaded CI machine is slow).
inline constexpr std::chrono::seconds kToolRunLimit{60};
/// How long a started server may take to say it is listening.
inline constexpr std::chrono::seconds kToolStartLimit{20};

inline std::vector<std::string> tool_argv(std::vector<std::string> args) {
  args.insert(args.begin(), MMSSEC_TOOL_PATH);
  return args;
}

/// Runs `mmssec ARGS...` to completion (killed at kToolRunLimit).
inline ProcessResult run_tool(std::vector<std::string> args) {
  return run_process(tool_argv(std::move(args)), kToolRunLimit);
}

inline bool contains(const std::string& text, std::string_view needle) {
  return text.find(needle) != std::string::npos;
}

/// A TCP socket bound to 127.0.0.1 on a port the kernel picked; listening when asked. Closing a
/// socket that never listened leaves a port nobody serves (connections to it are refused).
class LoopbackSocket {
 public:
  explicit LoopbackSocket(bool listen) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0 ||
        (listen && ::listen(fd_, 4) != 0) || ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
      return;
    }
    port_ = ntohs(a.sin_port);
  }
  ~LoopbackSocket() {
    if (fd_ >= 0) ::close(fd_);
  }
  LoopbackSocket(const LoopbackSocket&) = delete;
  LoopbackSocket& operator=(const LoopbackSocket&) = delete;
  /// 0 when the socket could not be set up.
  [[nodiscard]] std::uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

/// A loopback port with nothing listening on it (0 if none could be found).
inline std::uint16_t unused_loopback_port() { return LoopbackSocket(false).port(); }

inline std::string loopback(std::uint16_t port) { return "127.0.0.1:" + std::to_string(port); }

}  // namespace mmssec::test_support
