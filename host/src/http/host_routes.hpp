// The host's own REST routes: probes, Prometheus scrape, the plugin list (SPEC §5.1, first
// row) and this replica's leadership. The engine passes what they report as std::functions,
// so this file needs neither the store, the plugin loader nor the elector.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "http/route_table.hpp"

namespace jobengine::host {

struct Readiness {
  bool db = false;
  bool migrations = false;
  bool plugins = false;
  nlohmann::json detail = nlohmann::json::object();  // free-form, shown under "detail"
};

struct HostRouteDeps {
  std::function<Readiness()> readiness;
  std::function<nlohmann::json()> pluginsJson;  // array of plugin objects
  std::function<std::string()> metricsText;     // Prometheus text format
  // {"leader","epoch","replicaId","holder"}; when empty the leader route is not registered.
  std::function<nlohmann::json()> leaderJson;
};

// Registers, owned by "host":
//   GET /healthz                    public  200 {"status":"ok"}
//   GET /readyz                     public  200/503
//       {"status","checks":{db,migrations,plugins},"detail"}
//   GET /metrics                    public  text/plain; version=0.0.4
//   GET /api/v1/jobengine/plugins   orch:read  {"plugins":[...]}
//   GET /api/v1/jobengine/leader    orch:read  {"leader","epoch","replicaId","holder"}
//       (only with deps.leaderJson; this replica's view, docs/leader.md)
// Returns the first registration error (a duplicate naming both owners), nullopt on success.
std::optional<std::string> registerHostRoutes(RouteTable& routes, HostRouteDeps deps);

}  // namespace jobengine::host
