// PluginLoader implementation: dlopen through Boost.DLL, then descriptor checks in the order
// that keeps every read safe (size first, then ABI version, then fields).
#include "plugins/plugin_loader.hpp"

#include <dlfcn.h>

#include <boost/dll/runtime_symbol_info.hpp>
#include <cstddef>
#include <string>

#include "plugins/plugin_error.hpp"

namespace jobengine::host {
namespace {

static_assert(sizeof(je_plugin_descriptor) >= kDescriptorSize10,
              "the descriptor may only grow (abi.h rule)");
static_assert(offsetof(je_plugin_descriptor, destroy) + sizeof(void*) == kDescriptorSize10,
              "kDescriptorSize10 must cover every 1.0 field");

std::string abiText(uint32_t major, uint32_t minor) {
  return std::to_string(major) + "." + std::to_string(minor);
}

}  // namespace

std::string PluginLoader::pluginPath(const std::string& plugin_dir, std::string_view id) {
  std::string dir = plugin_dir.empty() ? defaultPluginDir() : plugin_dir;
  if (!dir.empty() && dir.back() != '/') {
    dir += '/';
  }
  return dir + std::string(id) + ".so";
}

std::string PluginLoader::defaultPluginDir() {
  boost::dll::fs::error_code ec;
  const auto exe = boost::dll::program_location(ec);
  if (ec) {
    return "plugins";
  }
  return (exe.parent_path().parent_path() / "plugins").string();
}

std::unique_ptr<LoadedPlugin> PluginLoader::load(const std::string& path,
                                                 std::string_view expected_id) const {
  const std::string id(expected_id);
  const auto fail = [&](const std::string& cause) {
    throw PluginError(id, "plugin '" + id + "' (" + path + "): " + cause);
  };

  auto plugin = std::make_unique<LoadedPlugin>();
  plugin->path = path;
  boost::dll::fs::error_code ec;
  ::dlerror();  // clear a stale message so the one we read is ours
  plugin->library.load(path, ec,
                       boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  if (ec || !plugin->library.is_loaded()) {
    const char* why = ::dlerror();
    fail(std::string("cannot load: ") + (why != nullptr ? why : ec.message()));
  }
  if (!plugin->library.has(JE_PLUGIN_ENTRY_SYMBOL)) {
    fail("no " JE_PLUGIN_ENTRY_SYMBOL " symbol");
  }
  const auto entry = plugin->library.get<const je_plugin_descriptor*()>(JE_PLUGIN_ENTRY_SYMBOL);
  const je_plugin_descriptor* d = entry();
  if (d == nullptr) {
    fail(JE_PLUGIN_ENTRY_SYMBOL "() returned null");
  }
  if (d->struct_size < kDescriptorSize10) {
    fail("descriptor too short (" + std::to_string(d->struct_size) + " bytes, need " +
         std::to_string(kDescriptorSize10) + ")");
  }
  const std::string host_abi = abiText(JE_ABI_MAJOR, JE_ABI_MINOR);
  if (d->abi_major != JE_ABI_MAJOR) {
    fail("built for ABI " + abiText(d->abi_major, d->abi_minor) + ", host offers " + host_abi +
         " (major must match)");
  }
  if (d->abi_minor > JE_ABI_MINOR) {
    fail("built for ABI " + abiText(d->abi_major, d->abi_minor) + ", newer than the host's " +
         host_abi);
  }
  const auto requireField = [&](bool present, const char* field) {
    if (!present) {
      fail(std::string("descriptor field '") + field + "' is null (required)");
    }
  };
  requireField(d->id != nullptr, "id");
  requireField(d->version != nullptr, "version");
  requireField(d->create != nullptr, "create");
  requireField(d->start != nullptr, "start");
  requireField(d->stop != nullptr, "stop");
  requireField(d->destroy != nullptr, "destroy");
  if (id != d->id) {
    fail(std::string("descriptor id '") + d->id + "' does not match the configured plugin id '" +
         id + "'");
  }

  plugin->descriptor = d;
  plugin->id = d->id;
  plugin->version = d->version;
  plugin->description = d->description != nullptr ? d->description : "";
  plugin->config_schema = d->config_schema_json != nullptr ? d->config_schema_json : "";
  plugin->abi_major = d->abi_major;
  plugin->abi_minor = d->abi_minor;

  if (!allow_unload_) {
    // Pin: a second reference opened with RTLD_NODELETE (never closed) keeps it mapped even
    // after shared_library's destructor calls dlclose.
    if (::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD | RTLD_NODELETE) == nullptr) {
      const char* why = ::dlerror();
      fail(std::string("cannot pin the library: ") + (why != nullptr ? why : "unknown"));
    }
  }
  return plugin;
}

}  // namespace jobengine::host
