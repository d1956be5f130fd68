// The host's own routes (see host_routes.hpp). Handlers are C++ lambdas over the same
// je_request / je_response the plugins see.
#include "http/host_routes.hpp"

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

// OpenAPI operation fragments of the host routes (OpenApiBuilder adds the rest).
constexpr const char* kHealthzOpenApi = R"({"summary": "Liveness probe",
  "responses": {"200": {"description": "The process is up",
    "content": {"application/json": {"schema": {"type": "object",
      "properties": {"status": {"type": "string"}}}}}}}})";
constexpr const char* kReadyzOpenApi = R"({"summary": "Readiness: database, migrations, plugins",
  "responses": {"200": {"description": "Ready", "content": {"application/json": {"schema":
    {"type": "object", "properties": {"status": {"type": "string"},
     "checks": {"type": "object", "additionalProperties": {"type": "boolean"}}}}}}},
    "503": {"description": "Not ready", "content": {"application/json": {"schema":
    {"type": "object", "properties": {"status": {"type": "string"},
     "checks": {"type": "object", "additionalProperties": {"type": "boolean"}}}}}}}}})";
constexpr const char* kMetricsOpenApi = R"j({"summary": "Prometheus metrics, text format 0.0.4",
  "responses": {"200": {"description": "Metrics", "content": {"text/plain": {"schema":
    {"type": "string"}}}}}})j";
constexpr const char* kPluginsOpenApi =
    R"({"summary": "Loaded plugins: id, version, ABI, state, routes, job types, services, commands",
  "responses": {"200": {"description": "The plugin list", "content": {"application/json":
    {"schema": {"type": "object", "required": ["plugins"], "properties": {"plugins":
      {"type": "array", "items": {"type": "object", "additionalProperties": true}}}}}}}}})";

constexpr const char* kLeaderOpenApi =
    R"({"summary": "This replica's leadership: leader or not, the epoch, who holds it",
  "responses": {"200": {"description": "Leadership as this replica sees it",
    "content": {"application/json": {"schema": {"type": "object",
      "required": ["leader", "epoch", "replicaId", "holder"], "properties": {
        "leader": {"type": "boolean"},
        "epoch": {"type": "integer", "format": "int64"},
        "replicaId": {"type": "string"},
        "holder": {"type": "string", "nullable": true}}}}}}}})";

RouteEntry hostRoute(std::string pattern, std::string scope, uint32_t flags, RouteHandler handler,
                     const char* openapi) {
  RouteEntry entry;
  entry.openapi_json = openapi;
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

  std::vector<RouteEntry> entries{
      hostRoute("/healthz", "", JE_ROUTE_PUBLIC, healthz, kHealthzOpenApi),
      hostRoute("/readyz", "", JE_ROUTE_PUBLIC, readyz, kReadyzOpenApi),
      hostRoute("/metrics", "", JE_ROUTE_PUBLIC, metrics, kMetricsOpenApi),
      hostRoute("/api/v1/jobengine/plugins", "orch:read", 0, plugins, kPluginsOpenApi)};
  if (shared->leaderJson) {
    auto leader = [shared](const je_request*, je_response* resp) {
      respond(resp, 200, shared->leaderJson().dump());
      return JE_OK;
    };
    entries.push_back(
        hostRoute("/api/v1/jobengine/leader", "orch:read", 0, leader, kLeaderOpenApi));
  }
  for (auto& entry : entries) {
    if (auto error = routes.add(entry)) {
      return error;
    }
  }
  return std::nullopt;
}

}  // namespace jobengine::host
