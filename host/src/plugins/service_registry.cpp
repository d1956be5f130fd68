// ServiceRegistry implementation: lookup rules, duplicate detection and per-plugin binding.
#include "plugins/service_registry.hpp"

#include <mutex>
#include <utility>

namespace jobengine::host {
namespace {

bool mayUsePluginServices(PluginPhase phase) {
  return phase == PluginPhase::kStarting || phase == PluginPhase::kRunning;
}

const char* phaseWhere(PluginPhase phase) {
  switch (phase) {
    case PluginPhase::kLoaded:
      return "before create()";
    case PluginPhase::kCreating:
      return "in create()";
    case PluginPhase::kCreated:
      return "after create()";
    case PluginPhase::kStarting:
      return "in start()";
    case PluginPhase::kRunning:
      return "while running";
    case PluginPhase::kStopping:
      return "in stop()";
    case PluginPhase::kStopped:
      return "after stop()";
  }
  return "in an unknown phase";
}

}  // namespace

std::optional<std::string> ServiceRegistry::addHostService(std::string name, uint32_t version,
                                                           ServiceFactory factory) {
  std::unique_lock lock(mutex_);
  if (host_services_.count(name) != 0) {
    return "host service '" + name + "' is declared twice";
  }
  host_services_.emplace(std::move(name), HostService{version, std::move(factory)});
  return std::nullopt;
}

void ServiceRegistry::bindHost(je_host& host) {
  // Factories run outside the lock: they only fill the handle's own vtable members.
  std::vector<std::pair<std::string, const ServiceFactory*>> todo;
  {
    std::shared_lock lock(mutex_);
    for (const auto& [name, service] : host_services_) {
      todo.emplace_back(name, &service.factory);
    }
  }
  std::map<std::string, const void*, std::less<>> vtables;
  for (const auto& [name, factory] : todo) {
    const void* vtable = (*factory) ? (*factory)(host) : nullptr;
    if (vtable != nullptr) {
      vtables.emplace(name, vtable);
    }
  }
  std::unique_lock lock(mutex_);
  bound_[&host] = std::move(vtables);
}

void ServiceRegistry::unbindHost(const je_host& host) {
  std::unique_lock lock(mutex_);
  bound_.erase(&host);
}

std::optional<std::string> ServiceRegistry::pluginIdOf(const je_host* handle) const {
  std::shared_lock lock(mutex_);
  if (handle == nullptr || bound_.count(handle) == 0) {
    return std::nullopt;
  }
  return handle->plugin_id;
}

void ServiceRegistry::setJobTypeRecorder(JobTypeRecorder recorder) {
  std::unique_lock lock(mutex_);
  job_type_recorder_ = std::move(recorder);
}

std::optional<std::string> ServiceRegistry::recordJobType(const std::string& owner,
                                                          const std::string& job_type,
                                                          bool in_process) const {
  JobTypeRecorder recorder;
  {
    std::shared_lock lock(mutex_);
    recorder = job_type_recorder_;
  }
  return recorder ? recorder(owner, job_type, in_process) : std::nullopt;
}

std::optional<std::string> ServiceRegistry::provide(const std::string& owner,
                                                    const std::string& name, uint32_t version,
                                                    const void* vtable) {
  if (name.empty()) {
    return "service name must not be empty";
  }
  if (vtable == nullptr) {
    return "service '" + name + "' offered by '" + owner + "' has a null vtable";
  }
  std::unique_lock lock(mutex_);
  if (host_services_.count(name) != 0) {
    return "service '" + name + "' is already provided by 'host'; refused for '" + owner + "'";
  }
  if (auto it = provided_.find(name); it != provided_.end()) {
    return "service '" + name + "' is already provided by '" + it->second.owner +
           "'; refused for '" + owner + "'";
  }
  provided_.emplace(name, ProvidedService{name, version, owner, vtable});
  return std::nullopt;
}

void ServiceRegistry::removeOwner(std::string_view owner) {
  std::unique_lock lock(mutex_);
  for (auto it = provided_.begin(); it != provided_.end();) {
    if (it->second.owner == owner) {
      it = provided_.erase(it);
    } else {
      ++it;
    }
  }
}

ServiceLookup ServiceRegistry::get(const je_host& caller, std::string_view name,
                                   uint32_t min_version) const {
  std::shared_lock lock(mutex_);
  const std::string service(name);
  const auto versionError = [&](uint32_t have, const std::string& owner) {
    return ServiceLookup{JE_ERR_UNSUPPORTED, nullptr,
                         "service '" + service + "' (provided by '" + owner + "') is version " +
                             std::to_string(have) + ", but '" + caller.plugin_id +
                             "' needs at least version " + std::to_string(min_version)};
  };
  if (auto hs = host_services_.find(name); hs != host_services_.end()) {
    if (hs->second.version < min_version) {
      return versionError(hs->second.version, kHostOwner);
    }
    const auto bound = bound_.find(&caller);
    if (bound != bound_.end()) {
      if (auto vt = bound->second.find(name); vt != bound->second.end()) {
        return ServiceLookup{JE_OK, vt->second, {}};
      }
    }
    return ServiceLookup{JE_ERR_NOT_FOUND, nullptr,
                         "host service '" + service + "' is not available in this process"};
  }
  // Order-independent rule: before start() every non-host name is refused the same way,
  // whether or not its provider (maybe later in the load order) was created yet.
  const PluginPhase phase = caller.phase.load();
  if (!mayUsePluginServices(phase)) {
    return ServiceLookup{JE_ERR_STATE, nullptr,
                         "service '" + service +
                             "' is not a host service: plugin-provided services may be looked "
                             "up only in start() or later; '" +
                             caller.plugin_id + "' asked " + phaseWhere(phase)};
  }
  if (auto ps = provided_.find(name); ps != provided_.end()) {
    if (ps->second.version < min_version) {
      return versionError(ps->second.version, ps->second.owner);
    }
    return ServiceLookup{JE_OK, ps->second.vtable, {}};
  }
  return ServiceLookup{JE_ERR_NOT_FOUND, nullptr,
                       "no service named '" + service + "' (asked by '" + caller.plugin_id + "')"};
}

std::vector<ProvidedService> ServiceRegistry::providedBy(std::string_view owner) const {
  std::shared_lock lock(mutex_);
  std::vector<ProvidedService> out;
  for (const auto& [name, service] : provided_) {
    if (service.owner == owner) {
      out.push_back(service);
    }
  }
  return out;
}

std::vector<ProvidedService> ServiceRegistry::provided() const {
  std::shared_lock lock(mutex_);
  std::vector<ProvidedService> out;
  for (const auto& [name, service] : provided_) {
    out.push_back(service);
  }
  return out;
}

std::map<std::string, uint32_t> ServiceRegistry::hostServices() const {
  std::shared_lock lock(mutex_);
  std::map<std::string, uint32_t> out;
  for (const auto& [name, service] : host_services_) {
    out.emplace(name, service.version);
  }
  return out;
}

void ServiceRegistry::setHostSettings(nlohmann::json snapshot) {
  std::unique_lock lock(mutex_);
  host_settings_ = std::move(snapshot);
}

std::optional<nlohmann::json> ServiceRegistry::hostSetting(std::string_view dotted_path) const {
  std::shared_lock lock(mutex_);
  const nlohmann::json* node = &host_settings_;
  size_t start = 0;
  while (start <= dotted_path.size()) {
    const size_t dot = dotted_path.find('.', start);
    const std::string key(dotted_path.substr(
        start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (key.empty() || !node->is_object() || !node->contains(key)) {
      return std::nullopt;
    }
    node = &(*node)[key];
    if (dot == std::string_view::npos) {
      return *node;
    }
    start = dot + 1;
  }
  return std::nullopt;
}

}  // namespace jobengine::host
