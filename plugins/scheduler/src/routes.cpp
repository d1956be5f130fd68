// Route glue shared by the scheduler's route files: the info route, the transaction + error
// envelope wrapper (ApiError from route code, JobRefusal from the job data path) and the
// (created_at, id) page shape of jobs and runs.
#include "routes.hpp"

#include <jobengine/ids.hpp>

namespace jobengine::scheduler {

using nlohmann::json;

void registerRoutes(sdk::Host& host, sdk::ApiDoc& doc, const json& info) {
  const char* path = "/api/v1/jobengine/scheduler/info";
  host.route(
      "GET", path, "orch:read",
      [info](const sdk::Request& /*request*/, sdk::Response& response) {
        response.json(200, info);
      },
      0, doc.operation("GET", path));
}

namespace {

// The SPEC §5 error envelope of a refusal; a 429 that says when to come back also answers
// Retry-After.
void sendApiError(sdk::Response& response, const sdk::Request& request, const ApiError& e) {
  if (e.status() == 429 && e.details().is_object() && e.details().contains("retryAfterSeconds")) {
    response.header("Retry-After", e.details()["retryAfterSeconds"].dump());
  }
  response.error(e.status(), e.code(), e.what(), request.traceId(), e.details());
}

}  // namespace

void addRoute(sdk::Host& host, sdk::ApiDoc& doc, const char* method, const std::string& path,
              const char* scope, TxnHandler fn) {
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
        } catch (const JobRefusal& refusal) {
          sendApiError(response, request, ApiError(refusal));
        } catch (const ApiError& e) {
          sendApiError(response, request, e);
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
      JE_ROUTE_TXN, doc.operation(method, path));
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

}  // namespace jobengine::scheduler
