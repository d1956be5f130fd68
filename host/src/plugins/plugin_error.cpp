// PluginError and the one-line helper used for every message the plugin subsystem produces.
#include "plugins/plugin_error.hpp"

#include <utility>

namespace jobengine::host {

PluginError::PluginError(std::string plugin_id, const std::string& message)
    : std::runtime_error(oneLine(message)), plugin_id_(std::move(plugin_id)) {}

std::string oneLine(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r' || c == '\t') {
      c = ' ';
    }
  }
  while (!text.empty() && text.back() == ' ') {
    text.pop_back();
  }
  return text;
}

}  // namespace jobengine::host
