// Route glue shared by the scheduler's route files: the info route, the transaction + error
// envelope wrapper, pagination tokens and OpenAPI fragments.
#include "routes.hpp"

#include <jobengine/ids.hpp>

#include <cstring>

namespace jobengine::scheduler {

namespace {

using nlohmann::json;

constexpr const char* kB64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string base64url(const std::string& in) {
  std::string out;
  uint32_t buf = 0;
  int bits = 0;
  for (unsigned char c : in) {
    buf = (buf << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kB64[(buf >> bits) & 0x3F];
    }
  }
  if (bits > 0) {
    out += kB64[(buf << (6 - bits)) & 0x3F];
  }
  return out;
}

std::optional<std::string> unbase64url(const std::string& in) {
  std::string out;
  uint32_t buf = 0;
  int bits = 0;
  for (char c : in) {
    const char* p = std::strchr(kB64, c);
    if (c == '\0' || p == nullptr) {
      return std::nullopt;
    }
    buf = (buf << 6) | static_cast<uint32_t>(p - kB64);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buf >> bits) & 0xFF);
    }
  }
  return out;
}

}  // namespace

void registerRoutes(sdk::Host& host, const json& info) {
  host.route(
      "GET", "/api/v1/jobengine/scheduler/info", "orch:read",
      [info](const sdk::Request& /*request*/, sdk::Response& response) {
        response.json(200, info);
      },
      0, openapi("Scheduler identity and effective config", {}, false, "200").c_str());
}

void addRoute(sdk::Host& host, const char* method, const std::string& path, const char* scope,
              const std::string& openapi_json, TxnHandler fn) {
  sdk::Host* h = &host;
  host.route(
      method, path.c_str(), scope,
      [h, fn = std::move(fn)](const sdk::Request& request, sdk::Response& response) {
        try {
          if (request.txn() == nullptr) {
            throw ApiError(403, "TENANT_REQUIRED", "the request is bound to no tenant");
          }
          sdk::Txn txn = h->borrow(request.txn());
          fn(request, response, txn);
        } catch (const ApiError& e) {
          response.error(e.status(), e.code(), e.what(), request.traceId(), e.details());
        } catch (const sdk::Error& e) {
          if (e.status() == JE_ERR_CONFLICT) {
            response.error(409, "CONFLICT", e.what(), request.traceId());
          } else if (e.status() == JE_ERR_RETRY) {
            response.header("Retry-After", "1");
            response.error(503, "RETRY", e.what(), request.traceId());
          } else {
            throw;
          }
        }
      },
      JE_ROUTE_TXN, openapi_json.c_str());
}

json bodyObject(const sdk::Request& request) {
  auto parsed = request.json();
  if (!parsed || !parsed->is_object()) {
    throw ApiError(400, "MALFORMED_REQUEST", "the body must be a JSON object");
  }
  return *parsed;
}

std::string actorOf(const sdk::Request& request) {
  return request.subject().empty() ? "anonymous" : std::string(request.subject());
}

std::string uuidParam(const sdk::Request& request, const char* name, const char* what) {
  auto v = request.param(name);
  if (!v || !sdk::isUuid(*v)) {
    throw ApiError(404, "NOT_FOUND", std::string(what) + " '" + v.value_or("") + "' not found");
  }
  return *v;
}

int pageSize(const sdk::Request& request) {
  auto v = request.query("page_size");
  if (!v) {
    return 50;
  }
  try {
    size_t used = 0;
    const int n = std::stoi(*v, &used);
    if (used == v->size() && n >= 1 && n <= 500) {
      return n;
    }
  } catch (...) {  // NOLINT(bugprone-empty-catch): answered below
  }
  throw ApiError(400, "INVALID_PAGE_SIZE", "page_size must be an integer in 1..500",
                 json{{"parameter", "page_size"}});
}

std::string encodePageToken(int64_t micros, const std::string& id) {
  return base64url(std::to_string(micros) + "|" + id);
}

std::pair<int64_t, std::string> decodePageToken(const std::string& token) {
  const auto raw = unbase64url(token);
  const auto bar = raw ? raw->find('|') : std::string::npos;
  if (bar != std::string::npos && sdk::isUuid(raw->substr(bar + 1))) {
    try {
      return {std::stoll(raw->substr(0, bar)), raw->substr(bar + 1)};
    } catch (...) {  // NOLINT(bugprone-empty-catch): answered below
    }
  }
  throw ApiError(400, "INVALID_PAGE_TOKEN", "page_token is not a token this API issued",
                 json{{"parameter", "page_token"}});
}

std::string openapi(const std::string& summary, const std::vector<std::string>& params,
                    bool has_body, const std::string& ok_status, bool paginated) {
  json op = {{"summary", summary}};
  json ps = json::array();
  for (const auto& p : params) {
    std::vector<std::string> f;
    size_t start = 0;
    for (int i = 0; i < 3; ++i) {
      const size_t c = p.find(':', start);
      f.push_back(p.substr(start, c - start));
      start = c + 1;
    }
    f.push_back(p.substr(start));
    ps.push_back({{"name", f[0]},
                  {"in", f[1]},
                  {"required", f[1] == "path"},
                  {"schema", {{"type", f[2]}}},
                  {"description", f[3]}});
  }
  if (paginated) {
    ps.push_back(
        {{"name", "page_size"},
         {"in", "query"},
         {"schema", {{"type", "integer"}, {"minimum", 1}, {"maximum", 500}, {"default", 50}}}});
    ps.push_back({{"name", "page_token"}, {"in", "query"}, {"schema", {{"type", "string"}}}});
    op["x-paginated"] = true;
  }
  if (!ps.empty()) {
    op["parameters"] = ps;
  }
  if (has_body) {
    op["requestBody"] = {{"required", true},
                         {"content", {{"application/json", {{"schema", {{"type", "object"}}}}}}}};
  }
  json responses = {{ok_status, {{"description", "OK"}}}};
  for (const char* code : {"400", "404", "409", "422"}) {
    responses[code] = {{"description", "error envelope"}};
  }
  op["responses"] = responses;
  return op.dump();
}

}  // namespace jobengine::scheduler
