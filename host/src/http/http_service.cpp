// je.http v1 over RouteTable (see http_service.hpp).
#include "http/http_service.hpp"

#include <cstring>
#include <exception>
#include <string>
#include <string_view>

#include "core/abi_errors.hpp"
#include "core/host_handle.hpp"
#include "http/route_table.hpp"

#include <nlohmann/json.hpp>

namespace jobengine::host {
namespace {

bool knownMethod(std::string_view m) {
  return m == "GET" || m == "POST" || m == "PUT" || m == "PATCH" || m == "DELETE";
}

je_status fail(char* err, uint32_t err_cap, je_status status, const std::string& message) {
  fillError(err, err_cap, message);
  return status;
}

je_status registerRoute(je_host* host, const je_route_def* def, char* err,
                        uint32_t err_cap) noexcept {
  try {
    if (host == nullptr || def == nullptr) {
      return fail(err, err_cap, JE_ERR_INVALID, "register_route: host and def are required");
    }
    const std::string who = "plugin '" + host->plugin_id + "'";
    // Fields up to `user` exist since 1.0; a shorter struct is from a broken caller.
    if (def->struct_size < offsetof(je_route_def, user) + sizeof(def->user)) {
      return fail(err, err_cap, JE_ERR_INVALID,
                  who + ": je_route_def.struct_size " + std::to_string(def->struct_size) +
                      " is smaller than the 1.0 layout");
    }
    const std::string method = def->method == nullptr ? "" : def->method;
    const std::string path = def->path == nullptr ? "" : def->path;
    const std::string route = method + " " + path;
    if (!host->mayRegister()) {
      return fail(err, err_cap, JE_ERR_STATE,
                  who + " registered route " + route + " outside create()");
    }
    if (!knownMethod(method)) {
      return fail(err, err_cap, JE_ERR_INVALID,
                  who + ": route " + route + ": method must be one of GET POST PUT PATCH DELETE");
    }
    if (path.empty() || path.front() != '/') {
      return fail(err, err_cap, JE_ERR_INVALID,
                  who + ": route " + route + ": path must start with '/'");
    }
    const bool is_public = (def->flags & JE_ROUTE_PUBLIC) != 0;
    const std::string scope = def->scope == nullptr ? "" : def->scope;
    if (!is_public && scope.empty()) {
      return fail(err, err_cap, JE_ERR_INVALID,
                  who + ": route " + route + ": scope is required unless JE_ROUTE_PUBLIC");
    }
    if (def->handler == nullptr) {
      return fail(err, err_cap, JE_ERR_INVALID, who + ": route " + route + ": handler is NULL");
    }
    if (host->services == nullptr || host->services->routes == nullptr) {
      return fail(err, err_cap, JE_ERR_STATE, "register_route: the host has no route table");
    }
    RouteEntry entry;
    entry.owner = host->plugin_id;
    entry.method = method;
    entry.pattern = path;
    entry.scope = is_public ? std::string{} : scope;
    entry.flags = def->flags;
    entry.openapi_json = def->openapi_json == nullptr ? "" : def->openapi_json;
    // The C handler and its user pointer, wrapped; the plugin keeps `user` alive (abi.h).
    const je_route_handler fn = def->handler;
    void* const user = def->user;
    entry.handler = [fn, user](const je_request* req, je_response* resp) {
      return fn(user, req, resp);
    };
    if (auto duplicate = host->services->routes->add(std::move(entry))) {
      const bool is_dup = duplicate->find("registered by both") != std::string::npos;
      return fail(err, err_cap, is_dup ? JE_ERR_CONFLICT : JE_ERR_INVALID, *duplicate);
    }
    fillError(err, err_cap, "");
    return JE_OK;
  } catch (const std::exception& e) {
    fillError(err, err_cap, std::string("register_route: ") + e.what());
    return JE_ERR_INTERNAL;
  } catch (...) {
    fillError(err, err_cap, "register_route: unknown exception");
    return JE_ERR_INTERNAL;
  }
}

je_status registerComponents(je_host* host, const char* components_json, char* err,
                             uint32_t err_cap) noexcept {
  try {
    if (host == nullptr || components_json == nullptr) {
      return fail(err, err_cap, JE_ERR_INVALID,
                  "register_components: host and components_json are required");
    }
    const std::string who = "plugin '" + host->plugin_id + "'";
    if (!host->mayRegister()) {
      return fail(err, err_cap, JE_ERR_STATE, who + " registered components outside create()");
    }
    if (host->services == nullptr || host->services->routes == nullptr) {
      return fail(err, err_cap, JE_ERR_STATE, "register_components: the host has no route table");
    }
    const auto parsed = nlohmann::json::parse(components_json, nullptr, false);
    if (parsed.is_discarded()) {
      return fail(err, err_cap, JE_ERR_INVALID,
                  who + ": register_components: components_json is not valid JSON");
    }
    if (auto error = host->services->routes->components().add(host->plugin_id, parsed)) {
      const bool is_dup = error->find("registered by both") != std::string::npos;
      return fail(err, err_cap, is_dup ? JE_ERR_CONFLICT : JE_ERR_INVALID, *error);
    }
    fillError(err, err_cap, "");
    return JE_OK;
  } catch (const std::exception& e) {
    fillError(err, err_cap, std::string("register_components: ") + e.what());
    return JE_ERR_INTERNAL;
  } catch (...) {
    fillError(err, err_cap, "register_components: unknown exception");
    return JE_ERR_INTERNAL;
  }
}

}  // namespace

je_http_v1 makeHttpService(je_host* host) {
  je_http_v1 vt{};
  vt.struct_size = sizeof(je_http_v1);
  vt.host = host;
  vt.register_route = &registerRoute;
  vt.register_components = &registerComponents;
  return vt;
}

}  // namespace jobengine::host
