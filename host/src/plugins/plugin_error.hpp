// PluginError: the one exception type the plugin subsystem throws to the engine.
//
// Its what() is always ONE line that names the plugin and the cause, because the engine
// prints it as the start-up failure ("a bad config stops the start with one clear line").
#pragma once

#include <stdexcept>
#include <string>

namespace jobengine::host {

class PluginError : public std::runtime_error {
 public:
  PluginError(std::string plugin_id, const std::string& message);
  const std::string& pluginId() const noexcept { return plugin_id_; }

 private:
  std::string plugin_id_;
};

// Folds CR/LF/TAB into spaces so a message stays on one line.
std::string oneLine(std::string text);

}  // namespace jobengine::host
