// The jobengine command line: the host's commands (`serve`, `migrate`, `plugins list`,
// `config check`, `token mint`, `version`), each a function in app/commands.cpp, and the
// commands plugins add through je.cli (app/plugin_commands.cpp). main() only parses.
#pragma once

#include <string>
#include <vector>

#include "config/config_loader.hpp"

namespace jobengine::host {

struct CommandOptions {
  std::string config_path;                // --config/-c; "" = defaults only
  std::vector<ConfigOverride> overrides;  // environment first, then flags and --set
  bool demo = false;                      // serve: print a dev token and a curl example
  // token mint
  std::string tenant;
  std::string scopes;
  std::string subject = "dev-operator";
  int ttl_seconds = 3600;
};

int runServe(const CommandOptions& options);
int runMigrate(const CommandOptions& options);
int runPluginsList(const CommandOptions& options);
int runConfigCheck(const CommandOptions& options);
int runTokenMint(const CommandOptions& options);

// The first words the host owns; a plugin can never register one of them (je.cli).
std::vector<std::string> hostCommandWords();

// Parses argv and runs the command; returns the process exit code (2 for usage errors).
int runCli(int argc, char** argv);

}  // namespace jobengine::host
