// ServiceRegistry: every service a plugin can look up through je_host_api.get_service.
//
// Two kinds live here. Host services (je.log, je.config, je.http, je.store, ...) are known by
// name and version; their vtables are per-plugin copies stored in each je_host (their `host`
// field identifies the caller), produced by a factory the engine hands in. Plugin-provided
// services (je.jobs, je.ratelimit, je.audit) are one vtable each, owned by the plugin that
// offered it in create().
//
// Rules (DESIGN.md §2-3): duplicate names are refused naming both owners; host services may
// be looked up in any phase; any other name only once the caller is starting or running
// (every plugin was created by then), otherwise JE_ERR_STATE whether or not a provider exists
// yet (so the answer does not depend on load order); a version below the caller's
// minimum is JE_ERR_UNSUPPORTED naming both versions; an unknown name is JE_ERR_NOT_FOUND.
//
// Locking: one shared_mutex. Registration happens on the main thread during create();
// lookups may come from any thread at any time.
#pragma once

#include <jobengine/abi.h>

#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/host_handle.hpp"

namespace jobengine::host {

// Fills the caller's per-plugin vtable copy (a member of je_host) and returns its address, or
// nullptr when the service is not available in this process (e.g. no store in `plugins list`).
using ServiceFactory = std::function<const void*(je_host&)>;

struct ProvidedService {
  std::string name;
  uint32_t version = 0;
  std::string owner;  // plugin id
  const void* vtable = nullptr;
};

struct ServiceLookup {
  je_status status = JE_OK;
  const void* vtable = nullptr;
  std::string error;  // set when status != JE_OK
};

class ServiceRegistry {
 public:
  static constexpr const char* kHostOwner = "host";

  // Declares a host service. Returns an error when the name is taken.
  std::optional<std::string> addHostService(std::string name, uint32_t version,
                                            ServiceFactory factory);

  // Runs every host service factory for one plugin's handle, before its create(). A factory
  // that returns nullptr leaves that service unavailable to the plugin (JE_ERR_NOT_FOUND).
  void bindHost(je_host& host);
  // Forgets a handle's bound vtables (after destroy()).
  void unbindHost(const je_host& host);

  // A plugin offers a service (caller checks the phase). Returns an error naming both owners
  // on a duplicate.
  std::optional<std::string> provide(const std::string& owner, const std::string& name,
                                     uint32_t version, const void* vtable);
  // Drops every service a plugin provided (before its destroy(): the vtables die with it).
  void removeOwner(std::string_view owner);

  ServiceLookup get(const je_host& caller, std::string_view name, uint32_t min_version) const;

  std::vector<ProvidedService> providedBy(std::string_view owner) const;
  std::vector<ProvidedService> provided() const;
  // Host services as name -> version.
  std::map<std::string, uint32_t> hostServices() const;

  // The plugin behind a handle another plugin passed to a service (je_host_api.caller_id,
  // ABI 1.2): its id while the handle is bound (between bindHost and unbindHost), else nullopt.
  std::optional<std::string> pluginIdOf(const je_host* handle) const;

  // Job types registered with je.jobs, recorded by its provider (je_host_api.record_job_type).
  // The recorder (the PluginManager's) returns an error naming both owners on a duplicate.
  using JobTypeRecorder = std::function<std::optional<std::string>(
      const std::string& owner, const std::string& job_type, bool in_process)>;
  void setJobTypeRecorder(JobTypeRecorder recorder);
  std::optional<std::string> recordJobType(const std::string& owner, const std::string& job_type,
                                           bool in_process) const;

  // Non-secret host settings that je.config host_setting answers from ("http.port" is
  // snapshot["http"]["port"]). The engine sets it before any plugin is created.
  void setHostSettings(nlohmann::json snapshot);
  std::optional<nlohmann::json> hostSetting(std::string_view dotted_path) const;

 private:
  struct HostService {
    uint32_t version = 0;
    ServiceFactory factory;
  };

  mutable std::shared_mutex mutex_;
  std::map<std::string, HostService, std::less<>> host_services_;
  std::map<const je_host*, std::map<std::string, const void*, std::less<>>> bound_;
  std::map<std::string, ProvidedService, std::less<>> provided_;
  nlohmann::json host_settings_ = nlohmann::json::object();
  JobTypeRecorder job_type_recorder_;
};

}  // namespace jobengine::host
