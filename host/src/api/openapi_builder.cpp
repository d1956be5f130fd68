// OpenApiBuilder implementation: shared components plus one operation per route (see
// openapi_builder.hpp for the rules).
#include "api/openapi_builder.hpp"

#include <jobengine/json_limits.hpp>

#include <jobengine/abi.h>

#include <algorithm>
#include <cctype>
#include <set>

namespace jobengine::host {
namespace {

constexpr std::string_view kBasePath = "/api/v1/jobengine";

nlohmann::json ref(const std::string& kind, const std::string& name) {
  return {{"$ref", "#/components/" + kind + "/" + name}};
}

nlohmann::json headerParam(const std::string& name, const std::string& description, int max_length,
                           bool required = false) {
  return {{"name", name},
          {"in", "header"},
          {"required", required},
          {"description", description},
          {"schema", {{"type", "string"}, {"maxLength", max_length}}}};
}

nlohmann::json errorResponse(const std::string& description, const std::string& code,
                             const std::string& message) {
  const nlohmann::json example = {
      {"error",
       {{"code", code}, {"message", message}, {"traceId", "4bf92f3577b34da6a3ce929d0e0e4736"}}}};
  return {{"description", description},
          {"content",
           {{"application/json",
             {{"schema", ref("schemas", "ErrorEnvelope")}, {"example", example}}}}}};
}

std::vector<std::string> pathParams(const std::string& pattern) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while ((i = pattern.find(':', i)) != std::string::npos) {
    const auto end = pattern.find('/', i);
    out.push_back(pattern.substr(i + 1, end == std::string::npos ? end : end - i - 1));
    i = end == std::string::npos ? pattern.size() : end;
  }
  return out;
}

bool hasParam(const nlohmann::json& params, const std::string& name, const std::string& in) {
  for (const auto& p : params) {
    if (p.value("name", "") == name && p.value("in", "") == in) {
      return true;
    }
    if (p.contains("$ref") && p["$ref"].get<std::string>().find("/" + name) != std::string::npos) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::string OpenApiBuilder::toOpenApiPath(const std::string& pattern) {
  std::string out;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == ':' && (i == 0 || pattern[i - 1] == '/')) {
      const auto end = pattern.find('/', i);
      const auto stop = end == std::string::npos ? pattern.size() : end;
      out += "{" + pattern.substr(i + 1, stop - i - 1) + "}";
      i = stop - 1;
    } else {
      out.push_back(pattern[i]);
    }
  }
  return out;
}

std::string OpenApiBuilder::operationIdFor(const RouteEntry& route) {
  std::string path = route.pattern;
  if (path.rfind(kBasePath, 0) == 0) {
    path = path.substr(kBasePath.size());
  }
  std::string id;
  for (const char c : route.owner) {
    id.push_back(std::isalnum(static_cast<unsigned char>(c)) != 0 ? c : '_');
  }
  id.push_back('_');
  for (const char c : route.method) {
    id.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  bool upper = true;
  for (const char c : path) {
    if (std::isalnum(static_cast<unsigned char>(c)) != 0) {
      id.push_back(upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c);
      upper = false;
    } else {
      upper = true;
    }
  }
  return id;
}

nlohmann::json OpenApiBuilder::hostComponents() {
  nlohmann::json c;
  c["securitySchemes"]["bearerAuth"] = {
      {"type", "http"},
      {"scheme", "bearer"},
      {"bearerFormat", "JWT"},
      {"description",
       "RS256/ES256 JWT (HS256 in dev mode); tenant from stellaops:tenant or tid, "
       "scopes from scope or scp."}};
  c["schemas"]["ErrorEnvelope"] = {
      {"type", "object"},
      {"required", {"error"}},
      {"properties",
       {{"error",
         {{"type", "object"},
          {"required", {"code", "message"}},
          {"properties",
           {{"code", {{"type", "string"}, {"examples", {"SCOPE_MISSING"}}}},
            {"message", {{"type", "string"}}},
            {"traceId", {{"type", "string"}}},
            {"details", {{"type", "object"}, {"additionalProperties", true}}}}}}}}}};
  auto& p = c["parameters"];
  p["TenantHeader"] = headerParam("X-StellaOps-Tenant",
                                  "Tenant; must equal the token's tenant when it has one "
                                  "(legacy X-Stella-Tenant accepted).",
                                  64);
  p["ProjectHeader"] =
      headerParam("X-StellaOps-Project", "Project (legacy X-Stella-Project accepted).", 128);
  p["OperatorReason"] = headerParam("X-StellaOps-Operator-Reason",
                                    "Why the operator acts; required for orch:operate, orch:quota "
                                    "and orch:backfill actions. Stored in the audit ledger.",
                                    256);
  p["OperatorTicket"] = headerParam("X-StellaOps-Operator-Ticket",
                                    "Change ticket; required for orch:backfill actions.", 128);
  p["IdempotencyKey"] = headerParam("Idempotency-Key",
                                    "Repeats with the same body replay the first response "
                                    "(Idempotent-Replayed: true); a different body is 422.",
                                    255);
  p["PageSize"] = {
      {"name", "page_size"},
      {"in", "query"},
      {"required", false},
      {"schema", {{"type", "integer"}, {"minimum", 1}, {"maximum", 500}, {"default", 50}}}};
  p["PageToken"] = {{"name", "page_token"},
                    {"in", "query"},
                    {"required", false},
                    {"description", "Opaque nextPageToken from the previous page."},
                    {"schema", {{"type", "string"}}}};
  auto& r = c["responses"];
  r["BadRequest"] = errorResponse("Malformed request (400)", "MALFORMED_REQUEST",
                                  "the request body is not valid JSON");
  r["Unauthorized"] = errorResponse("Missing or invalid bearer token (401)", "UNAUTHENTICATED",
                                    "a bearer token is required");
  r["Forbidden"] = errorResponse("Tenant mismatch/required or scope missing (403)", "SCOPE_MISSING",
                                 "this operation needs scope orch:operate");
  r["NotFound"] = errorResponse("Not found (404)", "NOT_FOUND", "job 'b3e1…' not found");
  r["Conflict"] = errorResponse("Conflict, stale lease or duplicate (409)", "CONFLICT",
                                "the lease is no longer current");
  r["PreconditionFailed"] =
      errorResponse("If-Match does not match the current ETag (412)", "PRECONDITION_FAILED",
                    "If-Match does not match the current ETag");
  r["PayloadTooLarge"] =
      errorResponse("Body too large (413)", "PAYLOAD_TOO_LARGE", "the body exceeds 1048576 bytes");
  r["Unprocessable"] = errorResponse("Semantically invalid (422)", "VALIDATION_FAILED",
                                     "$.jobs[3].type: has the wrong type (got an integer)");
  r["TooManyRequests"] = errorResponse("Rate limited; see Retry-After (429)", "RATE_LIMITED",
                                       "too many requests; retry after 1 s");
  r["TooManyRequests"]["headers"]["Retry-After"] = {{"schema", {{"type", "integer"}}},
                                                    {"description", "Seconds to wait"}};
  r["InternalError"] = errorResponse(
      "Internal error (500); the engine's log has the detail under the trace id", "INTERNAL",
      "internal error; the engine's log has the details under trace id "
      "4bf92f3577b34da6a3ce929d0e0e4736");
  r["Unavailable"] =
      errorResponse("Not ready (503)", "DATABASE_UNAVAILABLE", "the database is unavailable");
  return c;
}

nlohmann::json OpenApiBuilder::build(const std::vector<RouteEntry>& routes,
                                     const nlohmann::json& components) const {
  nlohmann::json doc;
  doc["openapi"] = "3.1.0";
  doc["info"] = {
      {"title", info_.title}, {"version", info_.version}, {"description", info_.description}};
  doc["servers"] = nlohmann::json::array();
  for (const auto& s : info_.servers) {
    doc["servers"].push_back({{"url", s}});
  }
  doc["components"] = hostComponents();
  if (components.is_object()) {
    for (const auto& [kind, entries] : components.items()) {
      for (const auto& [name, value] : entries.items()) {
        doc["components"][kind][name] = value;
      }
    }
  }
  doc["paths"] = nlohmann::json::object();
  std::set<std::string> tags;
  std::set<std::string> op_ids;

  for (const auto& route : routes) {
    std::string method;
    for (const char c : route.method) {
      method.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
    nlohmann::json op = nlohmann::json::object();
    if (!route.openapi_json.empty()) {
      auto frag = sdk::parseJsonBounded(route.openapi_json, "openapi_json");
      if (frag.ok() && frag.value.is_object()) {
        op = std::move(frag.value);
      } else {
        op["x-fragment-error"] = "openapi_json of this route is not a JSON object; ignored";
      }
    }
    const bool is_public = (route.flags & JE_ROUTE_PUBLIC) != 0U;
    const bool mutating =
        method == "post" || method == "put" || method == "patch" || method == "delete";
    const bool paginated = op.value("x-paginated", false);
    op.erase("x-paginated");
    if (paginated) {
      op["x-paginated"] = true;
    }

    std::string op_id = op.value("operationId", "");
    if (op_id.empty() || op_ids.count(op_id) > 0) {
      op_id = operationIdFor(route);
      for (int n = 2; op_ids.count(op_id) > 0; ++n) {
        op_id = operationIdFor(route) + "_" + std::to_string(n);
      }
    }
    op_ids.insert(op_id);
    op["operationId"] = op_id;
    if (!op.contains("summary")) {
      op["summary"] = route.method + " " + route.pattern;
    }
    if (!op.contains("tags") || !op["tags"].is_array()) {
      op["tags"] = {route.owner};
    }
    for (const auto& t : op["tags"]) {
      if (t.is_string()) {
        tags.insert(t.get<std::string>());
      }
    }
    op["x-owner"] = route.owner;

    nlohmann::json params = op.contains("parameters") && op["parameters"].is_array()
                                ? op["parameters"]
                                : nlohmann::json::array();
    for (const auto& name : pathParams(route.pattern)) {
      if (!hasParam(params, name, "path")) {
        params.push_back(
            {{"name", name}, {"in", "path"}, {"required", true}, {"schema", {{"type", "string"}}}});
      }
    }
    auto addRef = [&params](const std::string& name) {
      const auto r = ref("parameters", name);
      if (std::find(params.begin(), params.end(), r) == params.end()) {
        params.push_back(r);
      }
    };
    if (!is_public) {
      addRef("TenantHeader");
      addRef("ProjectHeader");
    }
    const bool audited = route.scope == "orch:operate" || route.scope == "orch:quota" ||
                         route.scope == "orch:backfill";
    if (mutating && audited) {
      addRef("OperatorReason");
      addRef("OperatorTicket");
    }
    if (method == "post") {
      addRef("IdempotencyKey");
    }
    // A fragment that declares the page parameters itself keeps its own (a second
    // page_size would make the operation's parameters ambiguous).
    if (paginated && !hasParam(params, "page_size", "query")) {
      addRef("PageSize");
    }
    if (paginated && !hasParam(params, "page_token", "query")) {
      addRef("PageToken");
    }
    op["parameters"] = params;

    if (is_public) {
      op["security"] = nlohmann::json::array();
    } else {
      op["security"] = nlohmann::json::array({{{"bearerAuth", nlohmann::json::array()}}});
      op["x-required-scope"] = route.scope;
    }

    auto& responses = op["responses"];
    bool has_success = false;
    if (responses.is_object()) {
      for (const auto& [code, _] : responses.items()) {
        has_success =
            has_success || code.rfind('2', 0) == 0 || code.rfind('3', 0) == 0 || code == "default";
      }
    }
    if (!has_success) {
      responses["200"] = {{"description", "OK"}};
    }
    auto addError = [&responses](const char* code, const char* name) {
      if (!responses.contains(code)) {
        responses[code] = ref("responses", name);
      }
    };
    addError("400", "BadRequest");
    if (!is_public) {
      addError("401", "Unauthorized");
      addError("403", "Forbidden");
      addError("429", "TooManyRequests");
    }
    if (!pathParams(route.pattern).empty()) {
      addError("404", "NotFound");
    }
    if (mutating) {
      addError("409", "Conflict");
      addError("413", "PayloadTooLarge");
      addError("422", "Unprocessable");
    }
    if (method == "put" || method == "patch") {
      addError("412", "PreconditionFailed");
    }
    addError("500", "InternalError");
    addError("503", "Unavailable");

    doc["paths"][toOpenApiPath(route.pattern)][method] = std::move(op);
  }
  doc["tags"] = nlohmann::json::array();
  for (const auto& t : tags) {
    const auto known = info_.tag_descriptions.find(t);
    doc["tags"].push_back(
        {{"name", t},
         {"description", known != info_.tag_descriptions.end()
                             ? known->second
                             : "Operations registered by the " + t + " plugin (x-owner: " + t +
                                   "); GET /api/v1/jobengine/plugins describes the plugin."}});
  }
  return doc;
}

}  // namespace jobengine::host
