// CommandRegistry implementation: name rules and one owner per word (see command_registry.hpp).
#include "plugins/command_registry.hpp"

#include <algorithm>
#include <utility>

namespace jobengine::host {

namespace {
constexpr size_t kMaxNameChars = 32;
}  // namespace

bool CommandRegistry::validName(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameChars || name.front() < 'a' || name.front() > 'z') {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

void CommandRegistry::reserveHostCommands(const std::vector<std::string>& names) {
  std::lock_guard lock(mutex_);
  for (const auto& name : names) {
    if (std::find(host_.begin(), host_.end(), name) == host_.end()) {
      host_.push_back(name);
    }
  }
}

std::optional<std::string> CommandRegistry::add(PluginCommand command) {
  const std::string who = "plugin '" + command.owner + "'";
  if (!validName(command.name)) {
    return who + ": command name '" + command.name +
           "' must be one word of [a-z0-9-] starting with a letter (at most 32 characters)";
  }
  if (command.summary.empty()) {
    return who + ": command '" + command.name + "' needs a one-line summary";
  }
  if (command.summary.find_first_of("\r\n") != std::string::npos) {
    return who + ": the summary of command '" + command.name + "' must be one line";
  }
  if (command.handler == nullptr) {
    return who + ": command '" + command.name + "' has no handler";
  }
  std::lock_guard lock(mutex_);
  if (std::find(host_.begin(), host_.end(), command.name) != host_.end()) {
    return "command '" + command.name + "' is registered by both '" + kHostOwner + "' and '" +
           command.owner + "'";
  }
  const auto existing = commands_.find(command.name);
  if (existing != commands_.end()) {
    return "command '" + command.name + "' is registered by both '" + existing->second.owner +
           "' and '" + command.owner + "'";
  }
  std::string name = command.name;
  commands_.emplace(std::move(name), std::move(command));
  return std::nullopt;
}

void CommandRegistry::removeOwner(std::string_view owner) {
  std::lock_guard lock(mutex_);
  for (auto it = commands_.begin(); it != commands_.end();) {
    if (it->second.owner == owner) {
      it = commands_.erase(it);
    } else {
      ++it;
    }
  }
}

std::optional<PluginCommand> CommandRegistry::find(std::string_view name) const {
  std::lock_guard lock(mutex_);
  const auto it = commands_.find(name);
  if (it == commands_.end()) {
    return std::nullopt;
  }
  return it->second;
}

bool CommandRegistry::isHostCommand(std::string_view name) const {
  std::lock_guard lock(mutex_);
  return std::find(host_.begin(), host_.end(), name) != host_.end();
}

std::vector<PluginCommand> CommandRegistry::list() const {
  std::lock_guard lock(mutex_);
  std::vector<PluginCommand> out;
  out.reserve(commands_.size());
  for (const auto& [name, command] : commands_) {
    out.push_back(command);
  }
  return out;
}

}  // namespace jobengine::host
