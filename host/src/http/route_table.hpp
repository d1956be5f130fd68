// The host-owned table of REST routes registered by the host itself and by plugins.
//
// Pistache's own router cannot match multi-segment plugin paths and has no locking (DEPS.md
// §1), so every request is matched here instead. Routes are added only while plugins are being
// created (before serving starts); matching is read-only afterwards and guarded by a
// shared_mutex anyway so late host routes stay safe. Entries live in a std::deque, so the
// RouteEntry* handed out in RouteMatch stays valid for the table's whole life (routes are never
// removed).
#pragma once

#include <jobengine/abi.h>

#include "api/api_components.hpp"

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace jobengine::host {

class RequestBodyValidator;

// The handler every route runs, plugin (C ABI, wrapped) or host (C++ lambda) alike.
using RouteHandler = std::function<je_status(const je_request*, je_response*)>;

struct RouteEntry {
  std::string owner;         // plugin id, or "host"
  std::string method;        // GET POST PUT PATCH DELETE
  std::string pattern;       // "/api/v1/jobengine/jobs/:id"
  std::string scope;         // required scope; empty with JE_ROUTE_PUBLIC
  uint32_t flags = 0;        // JE_ROUTE_*
  std::string openapi_json;  // OpenAPI operation object, may be empty
  RouteHandler handler;
  // The compiled requestBody schema (attachBodyValidators, before serving); null: none.
  std::shared_ptr<const RequestBodyValidator> body_validator;
  // Answered by the reactor that read the request instead of a worker: set by the host only
  // (host_routes.cpp) on literal routes that answer from memory (/metrics, /healthz) and stay
  // answerable when every worker is busy. Not in the ABI: no plugin route can ask for it.
  bool on_reactor = false;
};

struct RouteMatch {
  const RouteEntry* route = nullptr;                        // null: no route for this method
  std::vector<std::pair<std::string, std::string>> params;  // path parameters, name without ':'
  std::vector<std::string> allowed_methods;                 // when the path matched other methods
};

class RouteTable {
 public:
  // Adds a route. On a duplicate (same method and an equivalent pattern: ":id" and ":x" in the
  // same position are equivalent) returns "route GET /p is registered by both 'a' and 'b'"
  // (existing owner first) and adds nothing. Also refuses a pattern that does not start with
  // '/' or has an empty ":" parameter name.
  std::optional<std::string> add(RouteEntry entry);
  // Matches a request path (no query string). Literal segments win over ":param" segments.
  // Parameter values are percent-decoded. When no route has this method but others match the
  // path, allowed_methods lists them (sorted) for a 405 with an Allow header.
  RouteMatch match(std::string_view method, std::string_view path) const;
  // Whether a request is for an on_reactor route (an exact method and path comparison).
  bool answeredOnReactor(std::string_view method, std::string_view path) const;
  // Snapshot of every route, in registration order.
  std::vector<RouteEntry> list() const;
  // Routes owned by one plugin.
  std::vector<RouteEntry> ownedBy(std::string_view owner) const;
  size_t size() const;

  // The document's shared components (the host's and each plugin's, ABI 1.3).
  ApiComponents& components() { return components_; }
  const ApiComponents& components() const { return components_; }

  // Gives every route the validator `compile` returns for it (null: none). Called once the
  // document is complete and before serving starts; what compile throws propagates.
  void attachBodyValidators(
      const std::function<std::shared_ptr<const RequestBodyValidator>(const RouteEntry&)>& compile);

 private:
  ApiComponents components_;
  mutable std::shared_mutex mutex_;
  std::deque<RouteEntry> routes_;
  std::vector<std::pair<std::string, std::string>> on_reactor_;  // (method, path)
};

}  // namespace jobengine::host
