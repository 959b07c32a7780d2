// SPDX-License-Identifier: Apache-2.0
// mmssec: the command-line tool. Each subcommand lives in its own file (<name>_cmd.cpp) and
// registers itself here.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"mmssec - IEC 62351-4 secured MMS: stack, tools and decoder"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("mmssec ") + mmssec::tool::version());
  mmssec::tool::register_decode(app);
  mmssec::tool::register_server(app);
  mmssec::tool::register_client(app);
  mmssec::tool::register_bench(app);
  mmssec::tool::register_demo(app);
  mmssec::tool::register_pki(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    (void)app.exit(e);  // prints the message and usage hint
    return mmssec::tool::kUsage;
  }
  return mmssec::tool::exit_code();
}
