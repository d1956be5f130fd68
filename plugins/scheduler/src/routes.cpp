// Route glue shared by the scheduler's route files: the info route, the transaction + error
// envelope wrapper, the (created_at, id) page shape of jobs and runs, and OpenAPI fragments.
#include "routes.hpp"

#include <jobengine/ids.hpp>

namespace jobengine::scheduler {

using nlohmann::json;

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

CreatedAtPage createdAtPage(const sdk::Request& request, const std::string& binding) {
  auto parsed =
      sdk::parsePageRequest(request.query("page_size"), request.query("page_token"), binding, 2);
  if (!parsed) {
    throw ApiError(*parsed.error);
  }
  CreatedAtPage page;
  page.request = std::move(parsed.value);
  if (const auto& key = page.request.after) {
    if (!(*key)[0].is_number_integer() || !(*key)[1].is_string() ||
        !sdk::isUuid((*key)[1].get<std::string>())) {
      throw ApiError(sdk::invalidPageToken("the token's key does not fit this listing"));
    }
    page.after_micros = (*key)[0].get<int64_t>();
    page.after_id = (*key)[1].get<std::string>();
  }
  return page;
}

json createdAtPageBody(std::vector<CreatedAtRow>& rows, const CreatedAtPage& page,
                       const std::string& binding) {
  const auto next = sdk::finishPage(
      rows, page.request, [](const CreatedAtRow& row) { return row.key; }, binding);
  json items = json::array();
  for (auto& row : rows) {
    items.push_back(std::move(row.item));
  }
  json body = {{"items", std::move(items)}};
  if (next) {
    body["nextPageToken"] = *next;
  }
  return body;
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
