// The glue between the engine's subsystems that none of them should know about: which
// migration folders run, how plugins get the host services (je.http, je.store, je.metrics,
// je.events, je.leader...), and how a JE_ROUTE_TXN request gets its tenant-bound transaction.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "config/host_config.hpp"
#include "core/host_handle.hpp"
#include "http/request_interceptor.hpp"

namespace spdlog {
class logger;
}

namespace jobengine::host {

class PluginManager;
class Store;

// "host" first, then every enabled plugin id, in load order.
std::vector<std::string> migrationOwners(const HostConfig& config);

// A PluginManager with every host service factory declared and the route lister wired.
std::unique_ptr<PluginManager> makePluginManager(const HostConfig& config,
                                                 const HostServices& services,
                                                 std::shared_ptr<spdlog::logger> logger);

// Begin: a transaction bound to the request's tenant; finish: commit on 2xx, else roll back.
TxnHooks makeTxnHooks(Store& store);

}  // namespace jobengine::host
