// PluginManager: the life cycle of every configured plugin, in configured order.
//
//   loadAll()   open each enabled plugin (disabled ones are listed, never opened)
//   createAll() give each its je_host and call create() — the only time it may register
//   startAll()  call start() in load order; plugin-provided services are visible from here
//   stopAll()   call stop() then destroy() in reverse order, then check for leaked threads
//
// The manager does not know how the host's HTTP, store, metrics, events or leader services are
// built: the engine hands in one ServiceFactory per service name (addHostService) that fills
// the plugin's vtable copy in its je_host. je.log, je.config and je.cli are built in; the
// commands plugins add through je.cli live in the manager's CommandRegistry (commands()).
// Failures throw PluginError with one line naming the plugin and the cause.
//
// Threads: every call except infoJson()/recordJobType() belongs to the engine's main thread.
// infoJson() and recordJobType() may come from any thread (info_mutex_ guards what they touch).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "config/host_config.hpp"
#include "core/host_handle.hpp"
#include "plugins/command_registry.hpp"
#include "plugins/plugin_loader.hpp"
#include "plugins/service_registry.hpp"
#include "plugins/thread_census.hpp"

namespace jobengine::host {

// One route as shown by GET /api/v1/jobengine/plugins.
struct RouteSummary {
  std::string method;
  std::string path;
  std::string scope;
};

// Lists the routes one plugin owns (the engine wires it to RouteTable::ownedBy).
using RouteLister = std::function<std::vector<RouteSummary>(std::string_view owner)>;
// Gives the logger named "plugin.<id>"; the default takes spdlog's registered logger of that
// name or a clone of the default logger.
using LoggerFactory = std::function<std::shared_ptr<spdlog::logger>(const std::string& name)>;

struct PluginManagerOptions {
  std::string plugin_dir;             // empty: PluginLoader::defaultPluginDir()
  std::vector<PluginConfig> plugins;  // in load order
  nlohmann::json host_settings = nlohmann::json::object();  // non-secret, for je.config
  bool allow_unload = false;                    // tests only: really dlclose when the manager dies
  std::chrono::milliseconds thread_grace{500};  // how long a joined thread may linger

  static PluginManagerOptions fromHostConfig(const HostConfig& config,
                                             nlohmann::json host_settings);
};

class PluginManager {
 public:
  // services: the engine's subsystems; copied, with `registry` pointed at this manager's own
  // ServiceRegistry. logger: the host's logger for life-cycle messages (null: default).
  PluginManager(PluginManagerOptions options, const HostServices& services,
                std::shared_ptr<spdlog::logger> logger = nullptr);
  ~PluginManager();  // stopAll() if anything is still alive
  PluginManager(const PluginManager&) = delete;
  PluginManager& operator=(const PluginManager&) = delete;

  // Declares a host service (before createAll). Throws PluginError on a duplicate name.
  void addHostService(const std::string& name, uint32_t version, ServiceFactory factory);
  void setRouteLister(RouteLister lister);
  void setLoggerFactory(LoggerFactory factory);

  void loadAll();
  void createAll();
  void startAll();
  void stopAll() noexcept;

  // Load without create, never throwing: for `jobengine plugins list`. Returns infoJson().
  nlohmann::json listOnly();

  // A plugin registered a job type (reported by whoever provides je.jobs through
  // je_host_api.record_job_type). Returns an error naming both owners when another plugin
  // already has the type; recording the same owner's type again is a no-op.
  std::optional<std::string> recordJobType(std::string_view owner, const std::string& job_type,
                                           bool in_process = false);

  // [{id, version, abi, description, state, routes, jobTypes, services, commands, path,
  //   error?, leakedThreads?}] in load order; state is disabled|loaded|created|started|stopped|
  //   failed; commands are the je.cli words the plugin owns while it exists.
  // "path" is the library's name relative to the plugin directory, and load errors name it
  // the same way: no absolute filesystem path reaches a reader of GET /plugins.
  nlohmann::json infoJson() const;

  ServiceRegistry& registry() { return registry_; }
  // `jobengine <command>` words: the host's (reserved by the wiring) and the plugins'.
  CommandRegistry& commands() { return commands_; }
  const CommandRegistry& commands() const { return commands_; }
  const HostServices& services() const { return services_; }
  // The handle of a created plugin (null otherwise); for the wiring and tests.
  je_host* handle(std::string_view id);

 private:
  std::string relativeToPluginDir(std::string text) const;
  struct Record {
    PluginConfig config;
    std::string path;
    std::unique_ptr<LoadedPlugin> lib;
    std::unique_ptr<je_host> host;
    void* instance = nullptr;
    bool start_called = false;
    ThreadIds threads;  // appeared during create()/start()
    // Guarded by info_mutex_:
    std::string state = "loaded";
    std::string error;
    int leaked_threads = 0;
    std::vector<std::pair<std::string, bool>> job_types;  // type, in-process
    std::vector<ProvidedService> services;
  };

  void loadAllImpl(bool throw_on_error);
  void setState(Record& record, const char* state, std::string error = {});
  void createOne(Record& record);
  void haltOne(Record& record);  // stop() only (stopAll's first pass)
  void stopOne(Record& record);
  std::shared_ptr<spdlog::logger> pluginLogger(const std::string& id) const;

  PluginManagerOptions options_;
  HostServices services_;
  std::shared_ptr<spdlog::logger> logger_;
  ServiceRegistry registry_;
  CommandRegistry commands_;
  PluginLoader loader_;
  RouteLister route_lister_;
  LoggerFactory logger_factory_;
  std::vector<std::unique_ptr<Record>> records_;
  mutable std::mutex info_mutex_;
};

}  // namespace jobengine::host
