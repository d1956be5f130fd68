// routes_breakers.cpp — HTTP glue for the circuit breakers and the upstream buckets, in the
// request's tenant-bound transaction (JE_ROUTE_TXN). Rows are created by the je.ratelimit service
// (outcomes, acquires); these routes read them at the transaction's now() with the core's
// arithmetic (core/limit_views.hpp) and reset a breaker with the core's reset().
//
// Decisions (plugins/ratelimit/README.md, "Circuit breakers", "Upstream buckets"):
//  * Lists are in key order (job type, host; byte order), keyset-paginated.
//  * POST /circuit-breakers/{key}/reset: key = the job type (URL-encoded in the path). A reset
//    always clears the window and probes; circuit.closed {"reset": true, "from": <state>} only
//    when the breaker was not closed (the state changed). 404 when the job type has no breaker.
#include "routes_breakers.hpp"

#include "breaker_store.hpp"
#include "common_store.hpp"
#include "core/limit_views.hpp"

namespace jobengine::ratelimit {

namespace {

const std::string kBreakers = std::string(kApiBase) + "/circuit-breakers";
const std::string kBuckets = std::string(kApiBase) + "/ratelimit/buckets";

bool nonEmpty(const std::string& s) { return !s.empty(); }

nlohmann::json breakerJson(const BreakerRow& row, const BreakerConfig& config, TimePoint now) {
  const BreakerView view = breakerViewAt(row.breaker, config, now);
  return {{"key", row.job_type},
          {"state", breakerStateText(row.breaker.state)},
          {"completions", view.completions},
          {"failures", view.failures},
          {"failureRatio", view.failure_ratio ? nlohmann::json(*view.failure_ratio) : nullptr},
          {"openedUntil", row.opened_until ? nlohmann::json(*row.opened_until) : nullptr},
          {"probesAdmitted", row.breaker.probes_admitted},
          {"changedAt", row.changed_at}};
}

void listBreakerPage(const RouteContext& ctx, const sdk::Request& request,
                     sdk::Response& response) {
  auto txn = ctx.host->borrow(request.txn());
  const auto page = pageRequest(request, response, "GET " + kBreakers);
  if (!page) {
    return;
  }
  bool refused = false;
  const auto after = pageKey(*page, request, response, nonEmpty, refused);
  if (refused) {
    return;
  }
  const TimePoint now = dbNow(txn);
  nlohmann::json items = nlohmann::json::array();
  for (const auto& b : listBreakers(txn, after, page->fetchLimit())) {
    items.push_back(breakerJson(b, ctx.breaker, now));
  }
  nlohmann::json body;
  if (const auto next = sdk::finishPage(
          items, *page, [](const nlohmann::json& b) { return nlohmann::json::array({b["key"]}); },
          "GET " + kBreakers)) {
    body["nextPageToken"] = *next;
  }
  body["breakers"] = items;
  response.json(200, body);
}

void resetBreaker(const RouteContext& ctx, const sdk::Request& request, sdk::Response& response) {
  auto txn = ctx.host->borrow(request.txn());
  const std::string key = request.param("key").value_or("");
  const auto row = key.empty() ? std::nullopt : lockBreaker(txn, key);
  if (!row) {
    sendNotFound(response, request, "circuit breaker for job type", key, {{"key", key}});
    return;
  }
  const BreakerState from = row->breaker.state;
  CircuitBreaker breaker = row->breaker;
  reset(breaker);
  const bool changed = from != breaker.state;
  const BreakerRow after = writeBreaker(txn, key, breaker, changed);
  const nlohmann::json body = breakerJson(after, ctx.breaker, dbNow(txn));
  if (changed) {
    emitEvent(
        ctx, txn, "circuit.closed",
        {{"reset", true}, {"from", breakerStateText(from)}, {"jobType", key}, {"breaker", body}});
  }
  response.json(200, body);
}

void listBucketPage(const RouteContext& ctx, const sdk::Request& request, sdk::Response& response) {
  auto txn = ctx.host->borrow(request.txn());
  const auto page = pageRequest(request, response, "GET " + kBuckets);
  if (!page) {
    return;
  }
  bool refused = false;
  const auto after = pageKey(*page, request, response, nonEmpty, refused);
  if (refused) {
    return;
  }
  const TimePoint now = dbNow(txn);
  nlohmann::json items = nlohmann::json::array();
  for (const auto& b : listUpstreamBuckets(txn, after, page->fetchLimit())) {
    items.push_back(
        {{"host", b.host},
         {"rpm", b.bucket.rpm},
         {"burst", b.bucket.burst},
         {"cooldownSeconds", b.bucket.cooldown_seconds},
         {"configuredPerMinute", configuredRatePerS(b.bucket) * 60.0},
         {"currentPerMinute", b.bucket.current_per_s * 60.0},
         {"level", upstreamLevelAt(b.bucket, now)},
         {"cooldownUntil", b.cooldown_until ? nlohmann::json(*b.cooldown_until) : nullptr},
         {"updatedAt", b.updated_at}});
  }
  nlohmann::json body;
  if (const auto next = sdk::finishPage(
          items, *page, [](const nlohmann::json& b) { return nlohmann::json::array({b["host"]}); },
          "GET " + kBuckets)) {
    body["nextPageToken"] = *next;
  }
  body["buckets"] = items;
  response.json(200, body);
}

}  // namespace

void registerBreakerRoutes(sdk::Host& host, sdk::ApiDoc& doc, const RouteContext& ctx) {
  const std::string reset_path = kBreakers + "/:key/reset";
  host.route(
      "GET", kBreakers.c_str(), "orch:read",
      [ctx](const sdk::Request& rq, sdk::Response& rs) { listBreakerPage(ctx, rq, rs); },
      JE_ROUTE_TXN, doc.operation("GET", kBreakers));
  host.route(
      "POST", reset_path.c_str(), "orch:quota",
      [ctx](const sdk::Request& rq, sdk::Response& rs) { resetBreaker(ctx, rq, rs); }, JE_ROUTE_TXN,
      doc.operation("POST", reset_path));
  host.route(
      "GET", kBuckets.c_str(), "orch:read",
      [ctx](const sdk::Request& rq, sdk::Response& rs) { listBucketPage(ctx, rq, rs); },
      JE_ROUTE_TXN, doc.operation("GET", kBuckets));
}

}  // namespace jobengine::ratelimit
