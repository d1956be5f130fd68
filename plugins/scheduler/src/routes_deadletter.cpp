// routes_deadletter.cpp — HTTP glue for /api/v1/jobengine/deadletter. Entries are written by
// the completion path (kCompleteBatch / the sweeper) when a job exhausts its retries or fails
// permanently; here operators read and replay them. All routes use the request's
// tenant-bound transaction (JE_ROUTE_TXN).
//
// Orders: GET /deadletter newest first (created_at DESC, id DESC), keyset page token
// [createdAt, id]; GET /deadletter/summary by count DESC, then fingerprint; batch replay
// oldest first (created_at, id), skipping entries already replayed and rows another replay
// holds (SKIP LOCKED). A replay clones the dead job (type, payload, project, source,
// correlation id) into a new queued job with replay_of set, priority 9 unless given, records
// the new job id on the entry and appends job.replayed (on the old job) + job.created.
#include "routes_deadletter.hpp"

#include <jobengine/time_format.hpp>

#include <memory>

#include "core/deadletter_filter.hpp"
#include "deadletter_replay.hpp"
#include "deadletter_rows.hpp"
#include "ops_store.hpp"

namespace jobengine::scheduler {

namespace {

constexpr const char* kDeadletterBase = "/api/v1/jobengine/deadletter";

// Query parameters -> filter; answers 400 itself and returns nullopt on a bad value.
std::optional<DeadLetterFilter> queryFilter(const sdk::Request& request, sdk::Response& response) {
  nlohmann::json values = nlohmann::json::object();
  for (const char* key : {"jobType", "errorClass", "fingerprint", "since"}) {
    if (auto v = request.query(key)) {
      values[key] = *v;
    }
  }
  auto parsed = parseDeadLetterFilter(values, 400, "");
  if (parsed.error) {
    sendFieldError(response, request, *parsed.error);
    return std::nullopt;
  }
  return parsed.filter;
}

void listEntries(sdk::Host& host, const sdk::Request& request, sdk::Response& response) {
  auto txn = host.borrow(request.txn());
  const auto filter = queryFilter(request, response);
  if (!filter) {
    return;
  }
  // The filter values as parsed (since normalized), so a token stays bound to its filters.
  const std::string binding =
      sdk::pageBinding("GET " + std::string(kDeadletterBase), {{"jobType", filter->job_type},
                                                               {"errorClass", filter->error_class},
                                                               {"fingerprint", filter->fingerprint},
                                                               {"since", filter->since}});
  const auto page = pageRequest(request, response, binding, 2);
  if (!page) {
    return;
  }
  std::optional<std::string> after_at;
  std::optional<std::string> after_id;
  if (page->after) {
    const auto& key = *page->after;
    if (!key[0].is_string() || !sdk::parseRfc3339(key[0].get<std::string>()) ||
        !key[1].is_string() || !isUuid(key[1].get<std::string>())) {
      sendClientError(response, request,
                      sdk::invalidPageToken("the token's key is not [createdAt, id]"));
      return;
    }
    after_at = key[0].get<std::string>();
    after_id = key[1].get<std::string>();
  }
  nlohmann::json items = nlohmann::json::array();
  for (auto& entry : listEntries(txn, *filter, after_at, after_id, page->fetchLimit())) {
    items.push_back(std::move(entry));
  }
  nlohmann::json body;
  const auto key_of = [](const nlohmann::json& e) {
    return nlohmann::json::array({e["createdAt"], e["id"]});
  };
  if (const auto next = sdk::finishPage(items, *page, key_of, binding)) {
    body["nextPageToken"] = *next;
  }
  body["deadLetters"] = items;
  response.json(200, body);
}

void getEntry(sdk::Host& host, const sdk::Request& request, sdk::Response& response) {
  auto txn = host.borrow(request.txn());
  const std::string id = request.param("id").value_or("");
  const auto entry = isUuid(id) ? loadEntry(txn, id, false) : std::nullopt;
  if (!entry) {
    sendError(response, request, 404, "DEAD_LETTER_NOT_FOUND",
              "no dead-letter entry with id '" + id + "'");
    return;
  }
  response.json(200, *entry);
}

void stats(sdk::Host& host, const sdk::Request& request, sdk::Response& response) {
  auto txn = host.borrow(request.txn());
  const auto filter = queryFilter(request, response);
  if (!filter) {
    return;
  }
  nlohmann::json by_class = {{"transient", 0}, {"permanent", 0}, {"unknown", 0}};
  nlohmann::json by_type = nlohmann::json::object();
  int64_t total = 0;
  int64_t replayed = 0;
  for (const auto& group : countEntriesByClassAndType(txn, *filter)) {
    by_class[group.error_class] = by_class[group.error_class].get<int64_t>() + group.count;
    by_type[group.job_type] = by_type.value(group.job_type, int64_t{0}) + group.count;
    total += group.count;
    replayed += group.replayed;
  }
  response.json(200, {{"total", total},
                      {"replayed", replayed},
                      {"pending", total - replayed},
                      {"byErrorClass", by_class},
                      {"byJobType", by_type},
                      {"filter", filter->toJson()}});
}

void summary(sdk::Host& host, const sdk::Request& request, sdk::Response& response) {
  auto txn = host.borrow(request.txn());
  const auto filter = queryFilter(request, response);
  if (!filter) {
    return;
  }
  int limit = 10;
  if (const auto raw = request.query("limit")) {
    const auto v = parseNonNegative(*raw);
    if (!v || *v < 1 || *v > 100) {
      sendError(response, request, 400, "INVALID_ARGUMENT",
                "query parameter limit must be an integer from 1 to 100, got '" + *raw + "'",
                {{"field", "limit"}});
      return;
    }
    limit = static_cast<int>(*v);
  }
  nlohmann::json clusters = nlohmann::json::array();
  for (auto& cluster : entryClusters(txn, *filter, limit)) {
    clusters.push_back(std::move(cluster));
  }
  response.json(200, {{"clusters", clusters}, {"filter", filter->toJson()}});
}

}  // namespace

void registerDeadLetterRoutes(sdk::Host& host, sdk::ApiDoc& doc) {
  auto ids = std::make_shared<sdk::UuidV7Generator>();
  sdk::Host* h = &host;
  const std::string base = kDeadletterBase;
  host.route(
      "GET", kDeadletterBase, "orch:read",
      [h](const sdk::Request& rq, sdk::Response& rs) { listEntries(*h, rq, rs); }, JE_ROUTE_TXN,
      doc.operation("GET", kDeadletterBase));
  host.route(
      "GET", (base + "/stats").c_str(), "orch:read",
      [h](const sdk::Request& rq, sdk::Response& rs) { stats(*h, rq, rs); }, JE_ROUTE_TXN,
      doc.operation("GET", (base + "/stats")));
  host.route(
      "GET", (base + "/summary").c_str(), "orch:read",
      [h](const sdk::Request& rq, sdk::Response& rs) { summary(*h, rq, rs); }, JE_ROUTE_TXN,
      doc.operation("GET", (base + "/summary")));
  host.route(
      "GET", (base + "/:id").c_str(), "orch:read",
      [h](const sdk::Request& rq, sdk::Response& rs) { getEntry(*h, rq, rs); }, JE_ROUTE_TXN,
      doc.operation("GET", (base + "/:id")));
  host.route(
      "POST", (base + "/:id/replay").c_str(), "orch:operate",
      [h, ids](const sdk::Request& rq, sdk::Response& rs) { replaySingle(*h, *ids, rq, rs); },
      JE_ROUTE_TXN, doc.operation("POST", (base + "/:id/replay")));
  host.route(
      "POST", (base + "/replay").c_str(), "orch:operate",
      [h, ids](const sdk::Request& rq, sdk::Response& rs) { replayBatch(*h, *ids, rq, rs); },
      JE_ROUTE_TXN, doc.operation("POST", (base + "/replay")));
}

}  // namespace jobengine::scheduler
