// Plugin commands (je.cli): `jobengine <word> ...` for a word no host command owns, and the
// plugin half of `jobengine --help`.
//
// A plugin command loads the configuration and the enabled plugins, creates them (never starts
// them: no plugin thread runs, no server listens) and calls the command's handler on the main
// thread with the arguments after the word. Only a command registered with
// JE_CLI_NEEDS_DATABASE gets the database: the plugins are then created a second time, after
// the database was opened (embedded or external) and migrated as `serve` does, so that their
// je.store works. Log lines are off unless --log-level (or log.level other than the default
// "info") asks for them, and go to stderr: the command's stdout stays its output.
//
// The host's own options are taken out of the arguments wherever they appear before a `--`:
// --config/-c, --set, --plugin-dir, --data-dir, --dsn and --log-level (each as `--x value` or
// `--x=value`); --help/-h prints the command's usage. Everything else reaches the handler in
// order; a `--` ends the host's options and is dropped.
#pragma once

#include <string>
#include <vector>

#include "app/cli.hpp"

namespace jobengine::host {

// The arguments after `jobengine <word>`, split between the host and the command.
struct PluginCommandArgs {
  std::vector<std::string> host_args;     // the host's options, for its option parser
  std::vector<std::string> command_args;  // what the handler receives
  bool help = false;                      // --help or -h before any `--`
};
PluginCommandArgs splitPluginCommandArgs(const std::vector<std::string>& args);

// Runs plugin command `word`; returns the process exit status (2: unknown command).
int runPluginCommand(const std::string& word, const PluginCommandArgs& args,
                     const CommandOptions& options);

// Prints the "plugin commands:" section of `jobengine --help` (one line per command with its
// plugin). When the plugins cannot be loaded it says why instead, on stderr.
void printPluginCommands(const CommandOptions& options);

}  // namespace jobengine::host
