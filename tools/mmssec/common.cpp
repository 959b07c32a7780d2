// SPDX-License-Identifier: Apache-2.0
#include <iostream>

#include "commands.hpp"

namespace mmssec::tool {
namespace {
int g_exit = kOk;
}
const char* version() { return "0.1.0"; }
int exit_code() { return g_exit; }
void set_exit_code(int code) { g_exit = code; }
int usage_error(const char* command, const std::string& message) {
  std::cerr << "error: " << message << " (see 'mmssec " << command << " --help')\n";
  return kUsage;
}
}  // namespace mmssec::tool
