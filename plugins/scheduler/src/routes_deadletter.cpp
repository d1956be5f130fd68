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
  static const std::string sql =
      "SELECT " + entryColumns() + " FROM scheduler.dead_letters d WHERE" + kFilterWhere +
      "AND ($6::timestamptz IS NULL OR (d.created_at, d.id) < ($6::timestamptz, $7::uuid)) "
      "ORDER BY d.created_at DESC, d.id DESC LIMIT $8::int";
  auto params = filterParams(txn.tenant(), *filter);
  params.emplace_back(after_at);
  params.emplace_back(after_id);
  params.emplace_back(page->fetchLimit());
  nlohmann::json items = nlohmann::json::array();
  txn.exec(sql, params, [&](const sdk::Row& r) { items.push_back(entryFromRow(r)); });
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
  static const std::string sql =
      "SELECT d.error_class, d.job_type, count(*), count(d.replayed_job_id) FROM "
      "scheduler.dead_letters d WHERE" +
      std::string(kFilterWhere) + "GROUP BY d.error_class, d.job_type ORDER BY 1, 2";
  nlohmann::json by_class = {{"transient", 0}, {"permanent", 0}, {"unknown", 0}};
  nlohmann::json by_type = nlohmann::json::object();
  int64_t total = 0;
  int64_t replayed = 0;
  txn.exec(sql, filterParams(txn.tenant(), *filter), [&](const sdk::Row& r) {
    const int64_t n = r.i64(2);
    by_class[r.str(0)] = by_class[r.str(0)].get<int64_t>() + n;
    by_type[r.str(1)] = by_type.value(r.str(1), int64_t{0}) + n;
    total += n;
    replayed += r.i64(3);
  });
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
  // The sample is the newest entry of the cluster: its error message and code.
  static const std::string sql =
      "SELECT d.fingerprint, count(*), min(d.error_class), array_to_json(array_agg(DISTINCT "
      "d.job_type ORDER BY d.job_type)), " +
      rfc3339Sql("min(d.created_at)") + ", " + rfc3339Sql("max(d.created_at)") +
      ", (array_agg(d.last_error->>'message' ORDER BY d.created_at DESC, d.id DESC))[1], "
      "(array_agg(d.error_code ORDER BY d.created_at DESC, d.id DESC))[1], "
      "(array_agg(d.id::text ORDER BY d.created_at DESC, d.id DESC))[1], "
      "count(*) FILTER (WHERE d.replayed_job_id IS NULL) FROM scheduler.dead_letters d WHERE" +
      kFilterWhere + "GROUP BY d.fingerprint ORDER BY count(*) DESC, d.fingerprint LIMIT $6::int";
  auto params = filterParams(txn.tenant(), *filter);
  params.emplace_back(limit);
  nlohmann::json clusters = nlohmann::json::array();
  txn.exec(sql, params, [&](const sdk::Row& r) {
    clusters.push_back({{"fingerprint", r.str(0)},
                        {"count", r.i64(1)},
                        {"errorClass", r.str(2)},
                        {"jobTypes", r.json(3)},
                        {"firstSeen", r.str(4)},
                        {"lastSeen", r.str(5)},
                        {"sampleMessage", r.opt(6) ? nlohmann::json(*r.opt(6)) : nullptr},
                        {"sampleErrorCode", r.opt(7) ? nlohmann::json(*r.opt(7)) : nullptr},
                        {"sampleDeadLetterId", r.str(8)},
                        {"pendingReplay", r.i64(9)}});
  });
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
