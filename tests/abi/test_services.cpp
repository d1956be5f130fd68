// Implementation of the in-test je.http registrar, absent store and no-op metrics.
#include "test_services.hpp"

#include <map>
#include <utility>

#include "plugins/host_api.hpp"

namespace jobengine::testing {
namespace {

// je_host -> registrar. The C entry points only receive a je_host*, and je_host has no slot
// for a test object, so a small function-local table maps one to the other.
std::map<const je_host*, TestRoutes*>& registrars() {
  static std::map<const je_host*, TestRoutes*> table;
  return table;
}
std::mutex& registrarsMutex() {
  static std::mutex mutex;
  return mutex;
}

je_status registerRoute(je_host* host, const je_route_def* def, char* err,
                        uint32_t err_cap) noexcept {
  try {
    TestRoutes* routes = nullptr;
    {
      std::lock_guard lock(registrarsMutex());
      const auto it = registrars().find(host);
      routes = it == registrars().end() ? nullptr : it->second;
    }
    if (routes == nullptr || def == nullptr) {
      host::fillError(err, err_cap, "test je.http: unknown host handle or null route");
      return JE_ERR_INVALID;
    }
    std::string error;
    const je_status status = routes->add(*host, *def, error);
    host::fillError(err, err_cap, error);
    return status;
  } catch (...) {
    host::fillError(err, err_cap, "test je.http: exception");
    return JE_ERR_INTERNAL;
  }
}

// ABI 1.3 components: checked to be a JSON object and otherwise ignored (the in-test
// registrar builds no OpenAPI document).
je_status registerComponents(je_host* /*host*/, const char* components_json, char* err,
                             uint32_t err_cap) noexcept {
  const auto parsed = nlohmann::json::parse(components_json == nullptr ? "" : components_json,
                                            nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) {
    host::fillError(err, err_cap, "test je.http: components must be a JSON object");
    return JE_ERR_INVALID;
  }
  return JE_OK;
}

void setStatus(je_response* resp, int32_t status) {
  static_cast<TestResponse*>(resp->impl)->status = status;
}
void setHeader(je_response* /*resp*/, const char* /*name*/, uint64_t /*name_len*/,
               const char* /*value*/, uint64_t /*value_len*/) {}
void writeBody(je_response* resp, const char* data, uint64_t len) {
  static_cast<TestResponse*>(resp->impl)->body.append(data, static_cast<size_t>(len));
}
je_status noParam(const je_request* /*req*/, const char* /*name*/, je_str* /*out*/) {
  return JE_ERR_NOT_FOUND;
}

constexpr const char* kNoDatabase = "no database in this test";

je_status storeBegin(je_host* /*host*/, const char* /*tenant*/, uint64_t /*tenant_len*/,
                     uint32_t /*flags*/, je_txn** out, char* err, uint32_t err_cap) {
  if (out != nullptr) {
    *out = nullptr;
  }
  host::fillError(err, err_cap, kNoDatabase);
  return JE_ERR_UNSUPPORTED;
}
je_status storeExec(je_host* /*host*/, je_txn* /*txn*/, const char* /*sql*/, uint64_t /*len*/,
                    const je_param* /*params*/, uint32_t /*count*/, je_row_callback /*on_row*/,
                    void* /*user*/, uint64_t* /*affected*/, char* err, uint32_t err_cap) {
  host::fillError(err, err_cap, kNoDatabase);
  return JE_ERR_UNSUPPORTED;
}
je_status storeCommit(je_host* /*host*/, je_txn* /*txn*/, char* err, uint32_t err_cap) {
  host::fillError(err, err_cap, kNoDatabase);
  return JE_ERR_UNSUPPORTED;
}
void storeRollback(je_host* /*host*/, je_txn* /*txn*/) {}
je_status storeOnCommit(je_host* /*host*/, je_txn* /*txn*/, void (* /*fn*/)(void*), void* /*user*/,
                        char* err, uint32_t err_cap) {
  host::fillError(err, err_cap, kNoDatabase);
  return JE_ERR_UNSUPPORTED;
}
je_str storeTenant(je_host* /*host*/, const je_txn* /*txn*/) { return je_str{"", 0}; }

void metricNoop(je_host* /*host*/, const char* /*name*/, const char* /*help*/,
                const char* /*labels*/, double /*value*/) {}

}  // namespace

TestRoutes::~TestRoutes() {
  std::lock_guard lock(registrarsMutex());
  for (auto it = registrars().begin(); it != registrars().end();) {
    it = it->second == this ? registrars().erase(it) : std::next(it);
  }
}

host::ServiceFactory TestRoutes::httpFactory() {
  return [this](je_host& h) -> const void* {
    {
      std::lock_guard lock(registrarsMutex());
      registrars()[&h] = this;
    }
    h.http_vt = je_http_v1{};
    h.http_vt.struct_size = sizeof(je_http_v1);
    h.http_vt.host = &h;
    h.http_vt.register_route = &registerRoute;
    h.http_vt.register_components = &registerComponents;
    return &h.http_vt;
  };
}

host::RouteLister TestRoutes::lister() {
  return [this](std::string_view owner) {
    std::vector<host::RouteSummary> out;
    for (const TestRoute& route : ownedBy(owner)) {
      out.push_back({route.method, route.path, route.scope});
    }
    return out;
  };
}

je_status TestRoutes::add(const je_host& host, const je_route_def& def, std::string& error) {
  if (!host.mayRegister()) {
    error = "plugin '" + host.plugin_id + "' may register routes only inside create()";
    return JE_ERR_STATE;
  }
  if (def.method == nullptr || def.path == nullptr || def.handler == nullptr) {
    error = "route method, path and handler are required";
    return JE_ERR_INVALID;
  }
  std::lock_guard lock(mutex_);
  for (const TestRoute& route : routes_) {
    if (route.method == def.method && route.path == def.path) {
      error = "route " + route.method + " " + route.path + " is already registered by '" +
              route.owner + "'; refused for '" + host.plugin_id + "'";
      return JE_ERR_CONFLICT;
    }
  }
  routes_.push_back(TestRoute{host.plugin_id, def.method, def.path,
                              def.scope != nullptr ? def.scope : "", def.flags, def.handler,
                              def.user});
  return JE_OK;
}

std::vector<TestRoute> TestRoutes::ownedBy(std::string_view owner) const {
  std::lock_guard lock(mutex_);
  std::vector<TestRoute> out;
  for (const TestRoute& route : routes_) {
    if (route.owner == owner) {
      out.push_back(route);
    }
  }
  return out;
}

TestResponse TestRoutes::call(std::string_view method, std::string_view path) const {
  TestRoute found;
  {
    std::lock_guard lock(mutex_);
    for (const TestRoute& route : routes_) {
      if (route.method == method && route.path == path) {
        found = route;
      }
    }
  }
  TestResponse out;
  if (found.handler == nullptr) {
    out.status = 404;
    return out;
  }
  je_request req{};
  req.struct_size = sizeof(je_request);
  req.method = je_str{method.data(), method.size()};
  req.path = je_str{path.data(), path.size()};
  req.tenant = je_str{"acme", 4};
  req.trace_id = je_str{"0123456789abcdef0123456789abcdef", 32};
  req.path_param = &noParam;
  req.query_param = &noParam;
  req.header = &noParam;
  je_response resp{};
  resp.struct_size = sizeof(je_response);
  resp.impl = &out;
  resp.set_status = &setStatus;
  resp.set_header = &setHeader;
  resp.write = &writeBody;
  out.status = 200;
  found.handler(found.user, &req, &resp);
  return out;
}

host::ServiceFactory absentStoreFactory() {
  return [](je_host& h) -> const void* {
    h.store_vt = je_store_v1{};
    h.store_vt.struct_size = sizeof(je_store_v1);
    h.store_vt.host = &h;
    h.store_vt.begin = &storeBegin;
    h.store_vt.exec = &storeExec;
    h.store_vt.commit = &storeCommit;
    h.store_vt.rollback = &storeRollback;
    h.store_vt.on_commit = &storeOnCommit;
    h.store_vt.tenant = &storeTenant;
    return &h.store_vt;
  };
}

host::ServiceFactory noopMetricsFactory() {
  return [](je_host& h) -> const void* {
    h.metrics_vt = je_metrics_v1{};
    h.metrics_vt.struct_size = sizeof(je_metrics_v1);
    h.metrics_vt.host = &h;
    h.metrics_vt.counter_add = &metricNoop;
    h.metrics_vt.gauge_set = &metricNoop;
    h.metrics_vt.histogram_observe = &metricNoop;
    return &h.metrics_vt;
  };
}

namespace {
host::PluginManagerOptions testOptions(std::string plugin_dir,
                                       std::vector<host::PluginConfig> plugins, bool allow_unload) {
  host::PluginManagerOptions options;
  options.plugin_dir = std::move(plugin_dir);
  options.plugins = std::move(plugins);
  options.allow_unload = allow_unload;
  options.host_settings = {{"http", {{"port", 8080}}}};
  return options;
}
}  // namespace

TestEngine::TestEngine(std::string plugin_dir, std::vector<host::PluginConfig> plugins,
                       bool allow_unload)
    : manager(testOptions(std::move(plugin_dir), std::move(plugins), allow_unload), services) {
  manager.addHostService(JE_SERVICE_HTTP, 1, routes.httpFactory());
  manager.addHostService(JE_SERVICE_STORE, 1, absentStoreFactory());
  manager.addHostService(JE_SERVICE_METRICS, 1, noopMetricsFactory());
  manager.setRouteLister(routes.lister());
}

nlohmann::json pluginInfo(const nlohmann::json& info, std::string_view id) {
  for (const auto& item : info) {
    if (item.at("id") == id) {
      return item;
    }
  }
  return nullptr;
}

}  // namespace jobengine::testing
