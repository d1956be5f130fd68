// PluginManager implementation: load, create, start, stop/destroy, thread-leak check, info.
#include "plugins/plugin_manager.hpp"

#include <spdlog/spdlog.h>

#include <set>
#include <utility>

#include "plugins/cli_service.hpp"
#include "plugins/host_api.hpp"
#include "plugins/plugin_error.hpp"

namespace jobengine::host {
namespace {

constexpr uint32_t kErrCap = 1024;

std::string callError(const char* err, je_status status) {
  std::string text(err);
  if (text.empty()) {
    text = "(no message, status " + std::to_string(status) + ")";
  }
  return text;
}

}  // namespace

PluginManagerOptions PluginManagerOptions::fromHostConfig(const HostConfig& config,
                                                          nlohmann::json host_settings) {
  PluginManagerOptions options;
  options.plugin_dir = config.plugin_dir;
  options.plugins = config.plugins;
  options.host_settings = std::move(host_settings);
  return options;
}

PluginManager::PluginManager(PluginManagerOptions options, const HostServices& services,
                             std::shared_ptr<spdlog::logger> logger)
    : options_(std::move(options)),
      services_(services),
      logger_(logger ? std::move(logger) : spdlog::default_logger()),
      loader_(options_.allow_unload) {
  services_.registry = &registry_;
  registry_.setJobTypeRecorder(
      [this](const std::string& owner, const std::string& type, bool in_process) {
        return recordJobType(owner, type, in_process);
      });
  services_.commands = &commands_;
  registry_.setHostSettings(options_.host_settings);
  registry_.addHostService(JE_SERVICE_LOG, 1, [](je_host& h) -> const void* {
    h.log_vt = makeLogService(&h);
    return &h.log_vt;
  });
  registry_.addHostService(JE_SERVICE_CONFIG, 1, [](je_host& h) -> const void* {
    h.config_vt = makeConfigService(&h);
    return &h.config_vt;
  });
  registry_.addHostService(JE_SERVICE_CLI, 1, [](je_host& h) -> const void* {
    h.cli_vt = makeCliService(&h);
    return &h.cli_vt;
  });
}

PluginManager::~PluginManager() { stopAll(); }

void PluginManager::addHostService(const std::string& name, uint32_t version,
                                   ServiceFactory factory) {
  if (auto problem = registry_.addHostService(name, version, std::move(factory))) {
    throw PluginError(ServiceRegistry::kHostOwner, *problem);
  }
}

void PluginManager::setRouteLister(RouteLister lister) { route_lister_ = std::move(lister); }

void PluginManager::setLoggerFactory(LoggerFactory factory) {
  logger_factory_ = std::move(factory);
}

std::shared_ptr<spdlog::logger> PluginManager::pluginLogger(const std::string& id) const {
  const std::string name = "plugin." + id;
  if (logger_factory_) {
    return logger_factory_(name);
  }
  if (auto existing = spdlog::get(name)) {
    return existing;
  }
  return spdlog::default_logger()->clone(name);
}

void PluginManager::setState(Record& record, const char* state, std::string error) {
  std::lock_guard lock(info_mutex_);
  record.state = state;
  if (!error.empty()) {
    record.error = std::move(error);
  }
}

void PluginManager::loadAll() { loadAllImpl(true); }

nlohmann::json PluginManager::listOnly() {
  loadAllImpl(false);
  return infoJson();
}

void PluginManager::loadAllImpl(bool throw_on_error) {
  std::set<std::string> seen;
  for (const PluginConfig& config : options_.plugins) {
    if (!seen.insert(config.id).second) {
      if (throw_on_error) {
        throw PluginError(config.id, "plugin '" + config.id + "' is configured twice");
      }
      continue;
    }
    auto record = std::make_unique<Record>();
    record->config = config;
    record->path = PluginLoader::pluginPath(options_.plugin_dir, config.id);
    Record& r = *record;
    {
      std::lock_guard lock(info_mutex_);
      records_.push_back(std::move(record));
    }
    if (!config.enabled) {
      setState(r, "disabled");
      logger_->info("plugin '{}' is disabled; not loaded", config.id);
      continue;
    }
    try {
      r.lib = loader_.load(r.path, config.id);
      setState(r, "loaded");
      logger_->info("plugin '{}' {} loaded from {}", config.id, r.lib->version, r.path);
    } catch (const PluginError& e) {
      setState(r, "failed", e.what());
      logger_->error("{}", e.what());
      if (throw_on_error) {
        throw;
      }
    }
  }
}

void PluginManager::createAll() {
  for (auto& record : records_) {
    if (record->lib && record->state == "loaded") {
      createOne(*record);
    }
  }
}

void PluginManager::createOne(Record& r) {
  const std::string& id = r.config.id;
  r.host = std::make_unique<je_host>();
  je_host& host = *r.host;
  host.plugin_id = id;
  host.config_json = r.config.config_json;
  host.logger = pluginLogger(id);
  host.services = &services_;
  host.api = makeHostApi(&host);
  registry_.bindHost(host);

  char err[kErrCap] = {0};
  void* instance = nullptr;
  host.phase = PluginPhase::kCreating;
  const ThreadIds before = currentThreadIds();
  const je_status status = r.lib->descriptor->create(
      &host.api, host.config_json.data(), host.config_json.size(), &instance, err, kErrCap);
  r.threads = newThreads(before, currentThreadIds());
  if (status != JE_OK) {
    host.phase = PluginPhase::kStopped;
    registry_.removeOwner(id);
    commands_.removeOwner(id);
    registry_.unbindHost(host);
    const std::string message = "plugin '" + id + "' failed in create(): " + callError(err, status);
    setState(r, "failed", oneLine(message));
    logger_->error("{}", oneLine(message));
    throw PluginError(id, message);
  }
  r.instance = instance;
  host.phase = PluginPhase::kCreated;
  {
    std::lock_guard lock(info_mutex_);
    r.services = registry_.providedBy(id);
  }
  setState(r, "created");
}

void PluginManager::startAll() {
  for (auto& record : records_) {
    Record& r = *record;
    if (r.instance == nullptr || r.start_called) {
      continue;
    }
    const std::string& id = r.config.id;
    char err[kErrCap] = {0};
    r.host->phase = PluginPhase::kStarting;
    r.start_called = true;
    const ThreadIds before = currentThreadIds();
    const je_status status = r.lib->descriptor->start(r.instance, err, kErrCap);
    for (int tid : newThreads(before, currentThreadIds())) {
      r.threads.insert(tid);
    }
    if (status != JE_OK) {
      const std::string message =
          oneLine("plugin '" + id + "' failed in start(): " + callError(err, status));
      setState(r, "failed", message);
      logger_->error("{}", message);
      throw PluginError(id, message);
    }
    r.host->phase = PluginPhase::kRunning;
    setState(r, "started");
    logger_->info("plugin '{}' started", id);
  }
}

// Two passes in reverse load order: every plugin's stop() runs before any plugin is destroyed,
// so a plugin still stopping may call the service of one that stopped before it (the
// scheduler's last claims ask je.ratelimit, loaded after it) but never a destroyed one.
void PluginManager::stopAll() noexcept {
  for (const bool destroy : {false, true}) {
    for (auto it = records_.rbegin(); it != records_.rend(); ++it) {
      try {
        if (destroy) {
          stopOne(**it);
        } else {
          haltOne(**it);
        }
      } catch (const std::exception& e) {
        try {
          logger_->error("stopping plugin '{}': {}", (*it)->config.id, e.what());
        } catch (...) {  // NOLINT(bugprone-empty-catch): stopAll must not throw
        }
      } catch (...) {  // NOLINT(bugprone-empty-catch): stopAll must not throw
      }
    }
  }
}

// Calls stop() once on a started plugin; its services stay registered until stopOne.
void PluginManager::haltOne(Record& r) {
  if (r.instance == nullptr || !r.start_called || r.host->phase == PluginPhase::kStopped) {
    return;
  }
  r.host->phase = PluginPhase::kStopping;
  r.lib->descriptor->stop(r.instance);
  r.host->phase = PluginPhase::kStopped;
}

// Stops (when start() was called) and destroys one plugin, then checks its threads are gone.
// A plugin that was created but never started is only destroyed.
void PluginManager::stopOne(Record& r) {
  if (r.instance == nullptr) {
    return;
  }
  const std::string& id = r.config.id;
  const je_plugin_descriptor* d = r.lib->descriptor;
  if (r.start_called && r.host->phase != PluginPhase::kStopped) {
    r.host->phase = PluginPhase::kStopping;
    d->stop(r.instance);
  }
  r.host->phase = PluginPhase::kStopped;
  registry_.removeOwner(id);
  commands_.removeOwner(id);
  d->destroy(r.instance);
  r.instance = nullptr;
  registry_.unbindHost(*r.host);

  const ThreadIds left = survivors(r.threads, options_.thread_grace);
  const bool failed = r.state == "failed";
  if (!left.empty()) {
    const std::string message = "plugin '" + id + "' left " + std::to_string(left.size()) +
                                " thread(s) running after stop()";
    logger_->error("{}", message);
    std::lock_guard lock(info_mutex_);
    r.leaked_threads = static_cast<int>(left.size());
    r.error = r.error.empty() ? message : r.error + "; " + message;
  }
  if (!failed) {
    setState(r, "stopped");
  }
  logger_->info("plugin '{}' stopped", id);
}

std::optional<std::string> PluginManager::recordJobType(std::string_view owner,
                                                        const std::string& job_type,
                                                        bool in_process) {
  std::lock_guard lock(info_mutex_);
  Record* target = nullptr;
  for (auto& record : records_) {
    for (const auto& [type, mode] : record->job_types) {
      if (type == job_type) {
        if (record->config.id == owner) {
          return std::nullopt;
        }
        return "job type '" + job_type + "' is registered by plugin '" + record->config.id +
               "'; plugin '" + std::string(owner) + "' cannot register it too";
      }
    }
    if (record->config.id == owner) {
      target = record.get();
    }
  }
  if (target == nullptr) {
    return "no plugin '" + std::string(owner) + "' is loaded";
  }
  target->job_types.emplace_back(job_type, in_process);
  return std::nullopt;
}

je_host* PluginManager::handle(std::string_view id) {
  for (auto& record : records_) {
    if (record->config.id == id) {
      return record->host.get();
    }
  }
  return nullptr;
}

std::string PluginManager::relativeToPluginDir(std::string text) const {
  // Any reader of GET /plugins may see this: the engine's filesystem layout is not theirs.
  std::string dir = options_.plugin_dir;
  while (dir.size() > 1 && dir.back() == '/') {
    dir.pop_back();
  }
  if (dir.empty()) {
    return text;
  }
  dir += '/';
  for (size_t at = text.find(dir); at != std::string::npos; at = text.find(dir, at)) {
    text.erase(at, dir.size());
  }
  return text;
}

nlohmann::json PluginManager::infoJson() const {
  nlohmann::json out = nlohmann::json::array();
  std::lock_guard lock(info_mutex_);
  for (const auto& record : records_) {
    const Record& r = *record;
    nlohmann::json routes = nlohmann::json::array();
    if (route_lister_) {
      for (const RouteSummary& route : route_lister_(r.config.id)) {
        routes.push_back({{"method", route.method}, {"path", route.path}, {"scope", route.scope}});
      }
    }
    nlohmann::json jobTypes = nlohmann::json::array();
    for (const auto& [type, in_process] : r.job_types) {
      jobTypes.push_back({{"type", type}, {"mode", in_process ? "in-process" : "external"}});
    }
    nlohmann::json services = nlohmann::json::array();
    for (const ProvidedService& service : r.services) {
      services.push_back({{"name", service.name}, {"version", service.version}});
    }
    nlohmann::json commands = nlohmann::json::array();
    for (const PluginCommand& command : commands_.list()) {
      if (command.owner == r.config.id) {
        commands.push_back(command.name);
      }
    }
    nlohmann::json item = {
        {"id", r.config.id},
        {"version", r.lib ? r.lib->version : ""},
        {"abi",
         r.lib ? std::to_string(r.lib->abi_major) + "." + std::to_string(r.lib->abi_minor) : ""},
        {"description", r.lib ? r.lib->description : ""},
        {"state", r.state},
        {"routes", routes},
        {"jobTypes", jobTypes},
        {"services", services},
        {"commands", commands},
        {"path", relativeToPluginDir(r.path)},
    };
    if (!r.error.empty()) {
      item["error"] = relativeToPluginDir(r.error);
    }
    if (r.leaked_threads > 0) {
      item["leakedThreads"] = r.leaked_threads;
    }
    out.push_back(std::move(item));
  }
  return out;
}

}  // namespace jobengine::host
