// je_host_api, je.log v1 and je.config v1: the C entry points plugins call, each a noexcept
// catch-all that reaches the ServiceRegistry and logger through the caller's je_host.
#include "plugins/host_api.hpp"

#include <spdlog/spdlog.h>

#include <cstring>
#include <exception>
#include <string>

#include "plugins/service_registry.hpp"

namespace jobengine::host {
namespace {

spdlog::level::level_enum toSpdlog(int32_t level) {
  switch (level) {
    case JE_LOG_TRACE:
      return spdlog::level::trace;
    case JE_LOG_DEBUG:
      return spdlog::level::debug;
    case JE_LOG_INFO:
      return spdlog::level::info;
    case JE_LOG_WARN:
      return spdlog::level::warn;
    default:
      return level < JE_LOG_TRACE ? spdlog::level::trace : spdlog::level::err;
  }
}

ServiceRegistry* registryOf(je_host* host) {
  return host != nullptr && host->services != nullptr ? host->services->registry : nullptr;
}

je_status getService(je_host* host, const char* name, uint32_t min_version, const void** vtable,
                     char* err, uint32_t err_cap) noexcept {
  try {
    if (vtable != nullptr) {
      *vtable = nullptr;
    }
    if (host == nullptr || name == nullptr || vtable == nullptr) {
      fillError(err, err_cap, "get_service: host, name and vtable must not be null");
      return JE_ERR_INVALID;
    }
    ServiceRegistry* registry = registryOf(host);
    if (registry == nullptr) {
      fillError(err, err_cap, "get_service: the host has no service registry");
      return JE_ERR_STATE;
    }
    const ServiceLookup found = registry->get(*host, name, min_version);
    if (found.status != JE_OK) {
      fillError(err, err_cap, found.error);
      return found.status;
    }
    *vtable = found.vtable;
    return JE_OK;
  } catch (const std::exception& e) {
    fillError(err, err_cap, std::string("get_service: ") + e.what());
    return JE_ERR_INTERNAL;
  } catch (...) {
    fillError(err, err_cap, "get_service: unknown exception");
    return JE_ERR_INTERNAL;
  }
}

je_status provideService(je_host* host, const char* name, uint32_t version, const void* vtable,
                         char* err, uint32_t err_cap) noexcept {
  try {
    if (host == nullptr || name == nullptr) {
      fillError(err, err_cap, "provide_service: host and name must not be null");
      return JE_ERR_INVALID;
    }
    if (!host->mayRegister()) {
      fillError(err, err_cap,
                "plugin '" + host->plugin_id + "' may provide service '" + name +
                    "' only inside create()");
      return JE_ERR_STATE;
    }
    ServiceRegistry* registry = registryOf(host);
    if (registry == nullptr) {
      fillError(err, err_cap, "provide_service: the host has no service registry");
      return JE_ERR_STATE;
    }
    if (auto problem = registry->provide(host->plugin_id, name, version, vtable)) {
      fillError(err, err_cap, *problem);
      return vtable == nullptr || *name == '\0' ? JE_ERR_INVALID : JE_ERR_CONFLICT;
    }
    return JE_OK;
  } catch (const std::exception& e) {
    fillError(err, err_cap, std::string("provide_service: ") + e.what());
    return JE_ERR_INTERNAL;
  } catch (...) {
    fillError(err, err_cap, "provide_service: unknown exception");
    return JE_ERR_INTERNAL;
  }
}

void logMessage(je_host* host, int32_t level, const char* msg, uint64_t len) noexcept {
  try {
    if (host == nullptr || !host->logger || msg == nullptr) {
      return;
    }
    host->logger->log(toSpdlog(level), "{}", std::string_view(msg, static_cast<size_t>(len)));
  } catch (...) {  // NOLINT(bugprone-empty-catch): a log call must never fail the caller
  }
}

int32_t logEnabled(je_host* host, int32_t level) noexcept {
  try {
    return host != nullptr && host->logger && host->logger->should_log(toSpdlog(level)) ? 1 : 0;
  } catch (...) {
    return 0;
  }
}

void pluginConfig(je_host* host, je_str_sink sink, void* user) noexcept {
  try {
    if (host == nullptr || sink == nullptr) {
      return;
    }
    sink(user, host->config_json.data(), host->config_json.size());
  } catch (...) {  // NOLINT(bugprone-empty-catch): nothing may cross the ABI
  }
}

je_status hostSetting(je_host* host, const char* path, je_str_sink sink, void* user) noexcept {
  try {
    ServiceRegistry* registry = registryOf(host);
    if (path == nullptr || sink == nullptr) {
      return JE_ERR_INVALID;
    }
    if (registry == nullptr) {
      return JE_ERR_NOT_FOUND;
    }
    const auto value = registry->hostSetting(path);
    if (!value) {
      return JE_ERR_NOT_FOUND;
    }
    const std::string text = value->dump();
    sink(user, text.data(), text.size());
    return JE_OK;
  } catch (...) {
    return JE_ERR_INTERNAL;
  }
}

je_status callerId(je_host* host, je_host* caller, je_str_sink sink, void* user) noexcept {
  try {
    ServiceRegistry* registry = registryOf(host);
    const auto id = registry == nullptr ? std::nullopt : registry->pluginIdOf(caller);
    if (!id) {
      return JE_ERR_NOT_FOUND;
    }
    if (sink != nullptr) {
      sink(user, id->data(), id->size());
    }
    return JE_OK;
  } catch (...) {
    return JE_ERR_INTERNAL;
  }
}

je_status recordJobType(je_host* host, je_host* owner, const char* job_type, uint32_t flags,
                        char* err, uint32_t err_cap) noexcept {
  try {
    ServiceRegistry* registry = registryOf(host);
    if (registry == nullptr || job_type == nullptr || *job_type == '\0') {
      fillError(err, err_cap, "record_job_type: host and job_type are required");
      return JE_ERR_INVALID;
    }
    const auto owner_id = registry->pluginIdOf(owner);
    if (!owner_id) {
      fillError(err, err_cap, "record_job_type: owner is not a loaded plugin's handle");
      return JE_ERR_NOT_FOUND;
    }
    if (auto problem =
            registry->recordJobType(*owner_id, job_type, (flags & JE_JOB_TYPE_IN_PROCESS) != 0)) {
      fillError(err, err_cap, *problem);
      return JE_ERR_CONFLICT;
    }
    return JE_OK;
  } catch (const std::exception& e) {
    fillError(err, err_cap, std::string("record_job_type: ") + e.what());
    return JE_ERR_INTERNAL;
  }
}

}  // namespace

je_host_api makeHostApi(je_host* host) {
  je_host_api api{};
  api.struct_size = sizeof(je_host_api);
  api.abi_major = JE_ABI_MAJOR;
  api.abi_minor = JE_ABI_MINOR;
  api.host = host;
  api.get_service = &getService;
  api.provide_service = &provideService;
  api.caller_id = &callerId;             // 1.2
  api.record_job_type = &recordJobType;  // 1.2
  return api;
}

je_log_v1 makeLogService(je_host* host) {
  je_log_v1 vt{};
  vt.struct_size = sizeof(je_log_v1);
  vt.host = host;
  vt.log = &logMessage;
  vt.enabled = &logEnabled;
  return vt;
}

je_config_v1 makeConfigService(je_host* host) {
  je_config_v1 vt{};
  vt.struct_size = sizeof(je_config_v1);
  vt.host = host;
  vt.plugin_config = &pluginConfig;
  vt.host_setting = &hostSetting;
  return vt;
}

}  // namespace jobengine::host
