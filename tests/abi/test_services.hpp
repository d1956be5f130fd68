// In-test stand-ins for the host services the plugin subsystem does not implement itself, so
// plugin tests run without the HTTP layer or a database:
//  - TestRoutes: a tiny route registrar behind je.http v1 (owner-tracked, duplicates refused
//    naming both owners, registration only in create()), whose handlers tests can call;
//  - an absent je.store v1: every call answers JE_ERR_UNSUPPORTED "no database in this test"
//    (the SDK wrapper requires the service to exist; these tests never touch data);
//  - a no-op je.metrics v1.
// The real RouteTable/je.http and je.store belong to the host's http and store layers.
#pragma once

#include <jobengine/abi.h>

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "api/api_components.hpp"
#include "plugins/plugin_manager.hpp"

namespace jobengine::testing {

struct TestRoute {
  std::string owner;
  std::string method;
  std::string path;
  std::string scope;
  uint32_t flags = 0;
  je_route_handler handler = nullptr;
  void* user = nullptr;
};

struct TestResponse {
  int status = 0;
  std::string body;
};

class TestRoutes {
 public:
  TestRoutes() = default;
  ~TestRoutes();
  TestRoutes(const TestRoutes&) = delete;
  TestRoutes& operator=(const TestRoutes&) = delete;

  // The je.http factory to hand to PluginManager::addHostService.
  host::ServiceFactory httpFactory();
  // For PluginManager::setRouteLister.
  host::RouteLister lister();

  std::vector<TestRoute> ownedBy(std::string_view owner) const;
  // Runs the handler registered for method + path (exact match); status 404 when none.
  TestResponse call(std::string_view method, std::string_view path) const;

  // Used by the C entry points.
  je_status add(const je_host& host, const je_route_def& def, std::string& error);
  // The components plugins registered (the host's own registry, so its rules apply).
  host::ApiComponents& components() { return components_; }

 private:
  host::ApiComponents components_;
  mutable std::mutex mutex_;
  std::vector<TestRoute> routes_;
};

// Factories for the absent store and the no-op metrics.
host::ServiceFactory absentStoreFactory();
host::ServiceFactory noopMetricsFactory();

// A PluginManager wired with TestRoutes, the absent store and no-op metrics; unloads libraries
// when destroyed so fixture tests do not accumulate mappings.
struct TestEngine {
  explicit TestEngine(std::string plugin_dir, std::vector<host::PluginConfig> plugins,
                      bool allow_unload = true);
  host::HostServices services;
  TestRoutes routes;
  host::PluginManager manager;
};

// Finds the infoJson() entry of one plugin (null JSON when absent).
nlohmann::json pluginInfo(const nlohmann::json& info, std::string_view id);

}  // namespace jobengine::testing
