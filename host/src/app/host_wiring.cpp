// See host_wiring.hpp.
#include "app/host_wiring.hpp"

#include <nlohmann/json.hpp>

#include "app/cli.hpp"
#include "config/config_loader.hpp"
#include "events/events_service.hpp"
#include "http/error_envelope.hpp"
#include "http/http_service.hpp"
#include "http/route_table.hpp"
#include "leader/leader_service.hpp"
#include "log/logging.hpp"
#include "metrics/metrics_service.hpp"
#include "plugins/plugin_manager.hpp"
#include "retention/retention_service.hpp"
#include "store/store.hpp"
#include "store/store_error.hpp"
#include "store/store_service.hpp"

namespace jobengine::host {

std::vector<std::string> migrationOwners(const HostConfig& config) {
  std::vector<std::string> owners{"host"};
  for (const auto& plugin : config.plugins) {
    if (plugin.enabled) {
      owners.push_back(plugin.id);
    }
  }
  return owners;
}

std::unique_ptr<PluginManager> makePluginManager(const HostConfig& config,
                                                 const HostServices& services,
                                                 std::shared_ptr<spdlog::logger> logger) {
  auto manager = std::make_unique<PluginManager>(
      PluginManagerOptions::fromHostConfig(config,
                                           nlohmann::json::parse(publicSettingsJson(config))),
      services, std::move(logger));
  // A plugin's je.cli command may not take a word the host's command line owns.
  manager->commands().reserveHostCommands(hostCommandWords());
  manager->addHostService(JE_SERVICE_HTTP, 1, [](je_host& h) -> const void* {
    h.http_vt = makeHttpService(&h);
    return &h.http_vt;
  });
  manager->addHostService(JE_SERVICE_STORE, 1, [](je_host& h) -> const void* {
    h.store_vt = makeStoreService(&h);
    return &h.store_vt;
  });
  manager->addHostService(JE_SERVICE_METRICS, 1, [](je_host& h) -> const void* {
    h.metrics_vt = makeMetricsService(&h);
    return &h.metrics_vt;
  });
  manager->addHostService(JE_SERVICE_EVENTS, 1, [](je_host& h) -> const void* {
    h.events_vt = makeEventsService(&h);
    return &h.events_vt;
  });
  // Offered only where an elector runs (`serve`); elsewhere the lookup says it is absent.
  manager->addHostService(JE_SERVICE_LEADER, 1, [](je_host& h) -> const void* {
    if (h.services == nullptr || h.services->leader == nullptr) {
      return nullptr;
    }
    h.leader_vt = makeLeaderService(&h);
    return &h.leader_vt;
  });
  // Offered only where the engine keeps a retention registry (`serve`).
  manager->addHostService(JE_SERVICE_RETENTION, 1, [](je_host& h) -> const void* {
    if (h.services == nullptr || h.services->retention == nullptr) {
      return nullptr;
    }
    h.retention_vt = makeRetentionService(&h);
    return &h.retention_vt;
  });
  RouteTable* routes = services.routes;
  if (routes != nullptr) {
    manager->setRouteLister([routes](std::string_view owner) {
      std::vector<RouteSummary> out;
      for (const auto& r : routes->ownedBy(owner)) {
        out.push_back({r.method, r.pattern, r.scope});
      }
      return out;
    });
  }
  manager->setLoggerFactory([](const std::string& name) { return componentLogger(name); });
  return manager;
}

TxnHooks makeTxnHooks(Store& store) {
  TxnHooks hooks;
  hooks.begin = [&store](const std::string& tenant) -> je_txn* {
    return adoptTransaction(store.begin(tenant), false);
  };
  hooks.finish = [](je_txn* txn, const HttpReply& reply) -> std::optional<HttpReply> {
    if (reply.status < 200 || reply.status > 299) {
      releaseTxn(txn);
      return std::nullopt;
    }
    try {
      transactionOf(txn)->commit();
      releaseTxn(txn);
      return std::nullopt;
    } catch (const StoreError& e) {
      releaseTxn(txn);
      const int status = e.status() == JE_ERR_CONFLICT ? 409 : 503;
      return errorReply(status, status == 409 ? "CONFLICT" : "COMMIT_FAILED", e.what(), "");
    }
  };
  return hooks;
}

}  // namespace jobengine::host
