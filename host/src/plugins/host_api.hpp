// The host side of the plugin ABI that the plugin subsystem itself implements: the
// je_host_api table handed to create() (get_service, provide_service) and the je.log and
// je.config v1 services. Every function here is noexcept with a catch-all, fills the caller's
// error buffer NUL-terminated and truncated, and finds the caller through its je_host.
#pragma once

#include <jobengine/abi.h>

#include "core/abi_errors.hpp"

#include <cstdint>
#include <string_view>

#include "core/host_handle.hpp"

namespace jobengine::host {

// The je_host_api for one plugin (its `host` field is that plugin's handle).
je_host_api makeHostApi(je_host* host);

// je.log v1 for one plugin: writes to host->logger (spdlog), or drops silently without one.
je_log_v1 makeLogService(je_host* host);

// je.config v1 for one plugin: plugin_config answers host->config_json; host_setting answers
// from the registry's snapshot of non-secret host settings (ServiceRegistry::setHostSettings).
je_config_v1 makeConfigService(je_host* host);

}  // namespace jobengine::host
