// The host's own routes (see host_routes.hpp). Handlers are C++ lambdas over the same
// je_request / je_response the plugins see.
#include "http/host_routes.hpp"

#include "api/host_api_doc.hpp"

#include <cstring>
#include <memory>
#include <vector>

#include "http/error_envelope.hpp"

namespace jobengine::host {
namespace {

void respond(je_response* resp, int status, std::string_view body,
             std::string_view content_type = {}) {
  resp->set_status(resp, status);
  if (!content_type.empty()) {
    constexpr std::string_view kContentType = "Content-Type";
    resp->set_header(resp, kContentType.data(), kContentType.size(), content_type.data(),
                     content_type.size());
  }
  resp->write(resp, body.data(), body.size());
}

std::string traceOf(const je_request* req) {
  return req->trace_id.data == nullptr ? std::string{}
                                       : std::string(req->trace_id.data, req->trace_id.len);
}

// A GET route of the host, described by host/openapi/operations.json.
RouteEntry hostRoute(sdk::ApiDoc& doc, std::string pattern, std::string scope, uint32_t flags,
                     RouteHandler handler) {
  RouteEntry entry;
  entry.openapi_json = doc.operation("GET", pattern);
  entry.owner = "host";
  entry.method = "GET";
  entry.pattern = std::move(pattern);
  entry.scope = std::move(scope);
  entry.flags = flags;
  entry.handler = std::move(handler);
  return entry;
}

}  // namespace

std::optional<std::string> registerHostRoutes(RouteTable& routes, HostRouteDeps deps) {
  auto shared = std::make_shared<HostRouteDeps>(std::move(deps));

  auto healthz = [](const je_request*, je_response* resp) {
    respond(resp, 200, R"({"status":"ok"})");
    return JE_OK;
  };

  auto readyz = [shared](const je_request* req, je_response* resp) {
    if (!shared->readiness) {
      const auto body = errorJson("NOT_READY", "readiness is not wired", traceOf(req)).dump();
      respond(resp, 503, body);
      return JE_OK;
    }
    const Readiness r = shared->readiness();
    const bool ready = r.db && r.migrations && r.plugins;
    const nlohmann::json body = {
        {"status", ready ? "ready" : "not_ready"},
        {"checks", {{"db", r.db}, {"migrations", r.migrations}, {"plugins", r.plugins}}},
        {"detail", r.detail}};
    respond(resp, ready ? 200 : 503,
            body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    return JE_OK;
  };

  auto metrics = [shared](const je_request*, je_response* resp) {
    const std::string text = shared->metricsText ? shared->metricsText() : std::string{};
    respond(resp, 200, text, "text/plain; version=0.0.4");
    return JE_OK;
  };

  auto plugins = [shared](const je_request*, je_response* resp) {
    nlohmann::json list = shared->pluginsJson ? shared->pluginsJson() : nlohmann::json::array();
    if (!list.is_array()) {
      list = nlohmann::json::array();
    }
    const nlohmann::json body = {{"plugins", std::move(list)}};
    respond(resp, 200, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    return JE_OK;
  };

  // /healthz and /metrics answer from memory: the reactor that read the request serves them,
  // even while every worker is busy (docs/http.md).
  const auto on_reactor = [](RouteEntry entry) {
    entry.on_reactor = true;
    return entry;
  };
  sdk::ApiDoc doc = hostApiDoc();
  std::vector<RouteEntry> entries{
      on_reactor(hostRoute(doc, "/healthz", "", JE_ROUTE_PUBLIC, healthz)),
      hostRoute(doc, "/readyz", "", JE_ROUTE_PUBLIC, readyz),
      on_reactor(hostRoute(doc, "/metrics", "", JE_ROUTE_PUBLIC, metrics)),
      hostRoute(doc, "/api/v1/jobengine/plugins", "orch:read", 0, plugins)};
  if (shared->leaderJson) {
    auto leader = [shared](const je_request*, je_response* resp) {
      respond(resp, 200, shared->leaderJson().dump());
      return JE_OK;
    };
    entries.push_back(hostRoute(doc, "/api/v1/jobengine/leader", "orch:read", 0, leader));
  }
  for (auto& entry : entries) {
    if (auto error = routes.add(entry)) {
      return error;
    }
  }
  return std::nullopt;
}

}  // namespace jobengine::host
