// See stream_routes.hpp.
#include "app/stream_routes.hpp"

#include <ctime>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "api/host_api_doc.hpp"
#include "auth/principal.hpp"
#include "auth/token_minter.hpp"
#include "http/error_envelope.hpp"
#include "http/route_table.hpp"

namespace jobengine::host {
namespace {

std::string str(const je_str& s) {
  return s.data == nullptr ? std::string{} : std::string(s.data, s.len);
}

void respond(je_response* resp, int status, std::string_view body) {
  resp->set_status(resp, status);
  resp->write(resp, body.data(), body.size());
}

void setHeader(je_response* resp, std::string_view name, std::string_view value) {
  resp->set_header(resp, name.data(), name.size(), value.data(), value.size());
}

// The host clients used to reach us (Host header without port), else the bind address.
std::string hostFor(const je_request* req, const std::string& bind) {
  je_str value{};
  if (req->header(req, "Host", &value) == JE_OK && value.len > 0) {
    std::string host = str(value);
    if (!host.empty() && host.front() == '[') {  // [v6]:port
      const auto end = host.find(']');
      return end == std::string::npos ? bind : host.substr(0, end + 1);
    }
    const auto colon = host.find(':');
    return colon == std::string::npos ? host : host.substr(0, colon);
  }
  return bind;
}

std::string isoTime(int64_t epoch_seconds) {
  const auto t = static_cast<std::time_t>(epoch_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::vector<std::string> splitScopes(const std::string& scopes) {
  std::vector<std::string> out;
  std::istringstream in(scopes);
  for (std::string s; in >> s;) {
    out.push_back(s);
  }
  return out;
}

// A stream route of the host, described by host/openapi/operations.json.
RouteEntry route(sdk::ApiDoc& doc, std::string method, std::string pattern, std::string scope,
                 uint32_t flags, RouteHandler handler) {
  RouteEntry entry;
  entry.openapi_json = doc.operation(method, pattern);
  entry.owner = "host";
  entry.method = std::move(method);
  entry.pattern = std::move(pattern);
  entry.scope = std::move(scope);
  entry.flags = flags;
  entry.handler = std::move(handler);
  return entry;
}

}  // namespace

std::optional<std::string> registerStreamRoutes(RouteTable& routes, StreamRouteDeps deps) {
  auto shared = std::make_shared<StreamRouteDeps>(std::move(deps));

  auto tokens = [shared](const je_request* req, je_response* resp) {
    const std::string trace = str(req->trace_id);
    Principal caller;
    caller.subject = str(req->subject);
    caller.tenant = str(req->tenant);
    caller.scopes = splitScopes(str(req->scopes));
    if (caller.subject.empty()) {
      // Defence in depth: never hand a stream token to a caller the auth step did not name.
      respond(resp, 401,
              errorJson("UNAUTHENTICATED", "a bearer access token is required", trace).dump());
      return JE_OK;
    }
    if (caller.tenant.empty()) {
      respond(
          resp, 403,
          errorJson("TENANT_REQUIRED", "a tenant (token or X-StellaOps-Tenant) is required", trace)
              .dump());
      return JE_OK;
    }
    auto issued = shared->issuer->issue(caller, caller.tenant);
    if (!issued.ok()) {
      respond(resp, 422, errorJson("STREAM_TOKEN_REFUSED", issued.error(), trace).dump());
      return JE_OK;
    }
    const std::string authority =
        hostFor(req, shared->bind) + ":" + std::to_string(shared->stream_port());
    const nlohmann::json body = {{"token", issued.value().token},
                                 {"expiresAt", isoTime(issued.value().expires_at)},
                                 {"streamUrl", "http://" + authority + "/api/v1/jobengine/stream"},
                                 {"wsUrl", "ws://" + authority + "/api/v1/jobengine/ws"}};
    respond(resp, 201, body.dump());
    return JE_OK;
  };

  auto redirect = [shared](const je_request* req, je_response* resp) {
    std::string location = "http://" + hostFor(req, shared->bind) + ":" +
                           std::to_string(shared->stream_port()) + str(req->path);
    const std::string query = str(req->query);
    if (!query.empty()) {
      location += "?" + query;
    }
    setHeader(resp, "Location", location);
    respond(resp, 307, nlohmann::json{{"location", location}}.dump());
    return JE_OK;
  };

  sdk::ApiDoc doc = hostApiDoc();
  for (auto& entry : {route(doc, "POST", "/api/v1/jobengine/stream/tokens", "orch:read", 0, tokens),
                      route(doc, "GET", "/api/v1/jobengine/stream", "", JE_ROUTE_PUBLIC, redirect),
                      route(doc, "GET", "/api/v1/jobengine/ws", "", JE_ROUTE_PUBLIC, redirect)}) {
    if (auto error = routes.add(entry)) {
      return error;
    }
  }
  return std::nullopt;
}

}  // namespace jobengine::host
