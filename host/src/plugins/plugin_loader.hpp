// PluginLoader: opens one plugin shared object and validates its descriptor.
//
// Libraries open with RTLD_NOW | RTLD_LOCAL (fail fast on unresolved symbols, no symbol
// interposition between plugins). An accepted library is pinned with RTLD_NODELETE so it is
// never unmapped in production, even when its LoadedPlugin is destroyed (PostgreSQL's rule:
// no dlclose; code of a plugin may still be on some thread's stack). Tests may pass
// allow_unload = true to really unload. A rejected library is released again: none of its
// code ran except static initializers and the entry function.
//
// Every failure throws PluginError with one line "plugin '<id>' (<path>): <cause>", where
// cause is dlerror()'s text (Boost's error_code only ever says "Bad file descriptor"), "no
// je_plugin_entry_v1 symbol", "descriptor too short (N bytes, need M)", "built for ABI X.Y,
// host offers 1.0 (major must match)", "built for ABI 1.N, newer than the host's 1.0", a null
// required field, or an id that differs from the configured one.
#pragma once

#include <jobengine/abi.h>

#include <boost/dll/shared_library.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace jobengine::host {

// sizeof(je_plugin_descriptor) as of ABI 1.0: what every plugin must provide at least.
inline constexpr uint32_t kDescriptorSize10 = 80;

struct LoadedPlugin {
  std::string path;
  boost::dll::shared_library library;
  const je_plugin_descriptor* descriptor = nullptr;  // points into the library
  // Copies of the descriptor strings, valid even if the library is ever unloaded.
  std::string id;
  std::string version;
  std::string description;
  std::string config_schema;
  uint32_t abi_major = 0;
  uint32_t abi_minor = 0;
};

class PluginLoader {
 public:
  explicit PluginLoader(bool allow_unload = false) : allow_unload_(allow_unload) {}

  // Opens path and validates the descriptor; expected_id is the configured plugin id.
  std::unique_ptr<LoadedPlugin> load(const std::string& path, std::string_view expected_id) const;

  // "<dir>/<id>.so".
  static std::string pluginPath(const std::string& plugin_dir, std::string_view id);
  // Where plugins live when plugin_dir is empty: <directory of the executable>/../plugins.
  static std::string defaultPluginDir();

 private:
  bool allow_unload_;
};

}  // namespace jobengine::host
