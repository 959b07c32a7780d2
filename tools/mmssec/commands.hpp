// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

namespace CLI {
class App;
}

namespace mmssec::tool {

/// Exit codes shared by all subcommands.
enum Exit : int {
  kOk = 0,
  kMalformed = 1,  ///< input decoded with errors (decode), protocol failure (client)
  kUsage = 2,      ///< bad arguments
  kIoError = 3,    ///< cannot read/write a file, cannot connect or listen
  kTimeout = 4,    ///< the peer did not answer in time
};

const char* version();
/// The exit code the executed subcommand chose.
int exit_code();
void set_exit_code(int code);
/// Prints "error: MESSAGE (see 'mmssec COMMAND --help')" on stderr and returns kUsage.
int usage_error(const char* command, const std::string& message);

void register_decode(CLI::App& app);
void register_server(CLI::App& app);
void register_client(CLI::App& app);
void register_bench(CLI::App& app);
void register_demo(CLI::App& app);
void register_pki(CLI::App& app);

}  // namespace mmssec::tool
