// SPDX-License-Identifier: Apache-2.0
// Placeholder replaced by the `mmssec pki` implementation (work in progress).
#include <CLI/CLI.hpp>

#include "commands.hpp"

namespace mmssec::tool {
void register_pki(CLI::App& /*app*/) {}
}  // namespace mmssec::tool
