// CommandRegistry: the `jobengine <command>` words and who owns each (DESIGN.md §3, je.cli).
//
// The host reserves its own words first (serve, migrate, plugins, ...: app/cli.cpp's table);
// plugins add theirs through je.cli v1 while they are in create(). A word is owned once: a
// second owner is refused with both named ("command 'jobs' is registered by both 'scheduler'
// and 'other'"), the host counting as the owner "host". The entry keeps the plugin's C handler
// and user pointer, valid until that plugin is destroyed (removeOwner() runs before that).
//
// Locking: one mutex. Registration and lookups happen on the main thread in practice; the lock
// only keeps a stray call from another thread harmless.
#pragma once

#include <jobengine/abi.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jobengine::host {

struct PluginCommand {
  std::string name;     // one word, [a-z][a-z0-9-]*
  std::string summary;  // one line for `jobengine --help`
  std::string usage;    // `jobengine <name> --help`; may be empty
  uint32_t flags = 0;   // JE_CLI_*
  std::string owner;    // plugin id
  je_cli_handler handler = nullptr;
  void* user = nullptr;
};

class CommandRegistry {
 public:
  static constexpr const char* kHostOwner = "host";

  // The host's own words; a plugin can never take them.
  void reserveHostCommands(const std::vector<std::string>& names);
  // Adds a plugin's command. Returns the reason when refused: a malformed name, an empty
  // summary, a missing handler, or a word another owner (the host included) already holds.
  std::optional<std::string> add(PluginCommand command);
  // Drops every command of one plugin (before its destroy(): the handlers die with it).
  void removeOwner(std::string_view owner);

  std::optional<PluginCommand> find(std::string_view name) const;
  bool isHostCommand(std::string_view name) const;
  // Plugin commands sorted by name.
  std::vector<PluginCommand> list() const;

  // [a-z][a-z0-9-]*, at most 32 characters.
  static bool validName(std::string_view name);

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> host_;
  std::map<std::string, PluginCommand, std::less<>> commands_;
};

}  // namespace jobengine::host
