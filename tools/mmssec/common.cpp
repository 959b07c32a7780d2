// SPDX-License-Identifier: Apache-2.0
#include "commands.hpp"

namespace mmssec::tool {
namespace {
int g_exit = kOk;
}
const char* version() { return "0.1.0"; }
int exit_code() { return g_exit; }
void set_exit_code(int code) { g_exit = code; }
}  // namespace mmssec::tool
