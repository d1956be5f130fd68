// routes_quotas.cpp — HTTP glue for /api/v1/jobengine/quotas. Every route runs in the request's
// tenant-bound transaction (JE_ROUTE_TXN); every change appends its quota.* event in that
// transaction, so the change and its event commit together (SPEC §6).
//
// Decisions (plugins/ratelimit/README.md, "Quotas"):
//  * GET /quotas: id order (UUIDv7 = creation order), keyset-paginated.
//  * ETag "v<version>". PUT needs If-Match (428 without, 412 on a mismatch); DELETE, pause and
//    resume honour it when given. GET with a current If-None-Match → 304.
//  * PUT replaces the limits (absent = not enforced); paused changes only when given. The bucket
//    keeps its level, capped to the new burst (core editedQuotaBucket).
//  * pause / resume of a quota already in that state: 200, no new version, no event.
//  * GET /quotas/summary: job type order, paginated; counts through je.jobs (count_jobs), never
//    the scheduler's tables; 503 while no plugin provides je.jobs.
#include "routes_quotas.hpp"

#include <jobengine/etag.hpp>

#include "common_store.hpp"
#include "core/limit_views.hpp"
#include "quota_store.hpp"

namespace jobengine::ratelimit {

namespace {

const std::string kQuotasBase = std::string(kApiBase) + "/quotas";
// Counts above this read as "at least this many" (count_jobs' cap).
constexpr int64_t kCountCap = 1'000'000;

void sendQuota(sdk::Response& response, int status, const QuotaRow& quota) {
  response.header("ETag", sdk::makeEtag(static_cast<uint64_t>(quota.version)));
  response.json(status, quotaJson(quota));
}

nlohmann::json eventData(const QuotaRow& quota) { return {{"quota", quotaJson(quota)}}; }

// Resolves {id} FOR UPDATE and the If-Match precondition (required or optional); answers 404,
// 428 or 412 itself and returns nullopt.
std::optional<QuotaRow> quotaForUpdate(sdk::Txn& txn, const sdk::Request& request,
                                       sdk::Response& response, bool if_match_required) {
  const std::string id = request.param("id").value_or("");
  auto quota = isUuid(id) ? findQuota(txn, id, true) : std::nullopt;
  if (!quota) {
    sendNotFound(response, request, "quota with id", id, {{"id", id}});
    return std::nullopt;
  }
  if (const auto refused = sdk::checkIfMatch(
          request.header("If-Match"), static_cast<uint64_t>(quota->version), if_match_required)) {
    sendClientError(response, request, *refused);
    return std::nullopt;
  }
  return quota;
}

void listQuotaPage(const RouteContext& ctx, const sdk::Request& request, sdk::Response& response) {
  auto txn = ctx.host->borrow(request.txn());
  const auto page = pageRequest(request, response, "GET " + kQuotasBase);
  if (!page) {
    return;
  }
  bool refused = false;
  const auto after = pageKey(*page, request, response, isUuid, refused);
  if (refused) {
    return;
  }
  nlohmann::json items = nlohmann::json::array();
  for (const auto& q : listQuotas(txn, false, after, page->fetchLimit())) {
    items.push_back(quotaJson(q));
  }
  nlohmann::json body;
  if (const auto next = sdk::finishPage(
          items, *page, [](const nlohmann::json& q) { return nlohmann::json::array({q["id"]}); },
          "GET " + kQuotasBase)) {
    body["nextPageToken"] = *next;
  }
  body["quotas"] = items;
  response.json(200, body);
}

void createQuota(const RouteContext& ctx, const sdk::Request& request, sdk::Response& response) {
  auto txn = ctx.host->borrow(request.txn());
  const auto body = jsonBody(request, response);
  if (!body) {
    return;
  }
  const QuotaInput input = parseQuotaCreate(*body);
  if (input.error) {
    sendInputError(response, request, *input.error);
    return;
  }
  const auto conflict = [&](const std::optional<std::string>& existing) {
    sendError(response, request, 409, "QUOTA_EXISTS",
              "job type '" + input.job_type + "' already has a quota; change it with PUT",
              existing ? nlohmann::json{{"existingId", *existing}} : nlohmann::json(nullptr));
  };
  if (const auto existing = quotaIdForJobType(txn, input.job_type)) {
    conflict(existing);
    return;
  }
  const std::string id = ctx.ids->next();
  const auto reason = *input.limits.paused ? operatorReason(request) : std::nullopt;
  const auto quota = insertQuota(txn, id, input.job_type, input.limits,
                                 newQuotaBucket(input.limits, dbNow(txn)), reason);
  if (!quota) {
    conflict(quotaIdForJobType(txn, input.job_type));
    return;
  }
  emitEvent(ctx, txn, "quota.created", eventData(*quota));
  response.header("Location", kQuotasBase + "/" + id);
  sendQuota(response, 201, *quota);
}

void getQuota(const RouteContext& ctx, const sdk::Request& request, sdk::Response& response) {
  auto txn = ctx.host->borrow(request.txn());
  const std::string id = request.param("id").value_or("");
  const auto quota = isUuid(id) ? findQuota(txn, id, false) : std::nullopt;
  if (!quota) {
    sendNotFound(response, request, "quota with id", id, {{"id", id}});
    return;
  }
  const auto version = static_cast<uint64_t>(quota->version);
  if (const auto none_match = request.header("If-None-Match")) {
    if (sdk::etagListMatches(*none_match, version)) {
      response.header("ETag", sdk::makeEtag(version));
      response.status(304);
      return;
    }
  }
  sendQuota(response, 200, *quota);
}

void replaceQuotaRoute(const RouteContext& ctx, const sdk::Request& request,
                       sdk::Response& response) {
  auto txn = ctx.host->borrow(request.txn());
  const auto body = jsonBody(request, response);
  if (!body) {
    return;
  }
  const auto before = quotaForUpdate(txn, request, response, true);
  if (!before) {
    return;
  }
  const bool was_paused = before->limits.paused.value_or(false);
  QuotaInput input = parseQuotaReplace(*body, was_paused);
  if (input.error) {
    sendInputError(response, request, *input.error);
    return;
  }
  const bool paused = input.limits.paused.value_or(was_paused);
  input.limits.paused = paused;
  std::optional<std::string> reason = before->pause_reason;
  if (!paused) {
    reason.reset();
  } else if (!was_paused) {
    reason = operatorReason(request);
  }
  const auto bucket = editedQuotaBucket(before->limits, before->bucket, input.limits, dbNow(txn));
  const QuotaRow after = replaceQuota(txn, before->id, input.limits, reason, bucket);
  emitEvent(ctx, txn, "quota.updated", eventData(after));
  sendQuota(response, 200, after);
}

void deleteQuotaRoute(const RouteContext& ctx, const sdk::Request& request,
                      sdk::Response& response) {
  auto txn = ctx.host->borrow(request.txn());
  const auto quota = quotaForUpdate(txn, request, response, false);
  if (!quota) {
    return;
  }
  deleteQuota(txn, quota->id);
  emitEvent(ctx, txn, "quota.deleted", eventData(*quota));
  response.status(204);
}

void setPaused(const RouteContext& ctx, bool pause, const sdk::Request& request,
               sdk::Response& response) {
  auto txn = ctx.host->borrow(request.txn());
  const auto quota = quotaForUpdate(txn, request, response, false);
  if (!quota) {
    return;
  }
  if (quota->limits.paused.value_or(false) == pause) {
    sendQuota(response, 200, *quota);  // already in that state: no new version, no event
    return;
  }
  const QuotaRow after =
      setQuotaPaused(txn, quota->id, pause, pause ? operatorReason(request) : std::nullopt);
  emitEvent(ctx, txn, pause ? "quota.paused" : "quota.resumed", eventData(after));
  sendQuota(response, 200, after);
}

nlohmann::json summaryItem(const QuotaRow& q, const sdk::Jobs& jobs, sdk::Txn& txn, TimePoint now) {
  const auto opt = [](const std::optional<int>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
  };
  nlohmann::json item = {
      {"id", q.id},
      {"jobType", q.job_type},
      {"active", jobs.count(&txn, txn.tenant(), JE_JOBS_COUNT_ACTIVE, q.job_type, kCountCap)},
      {"throttledBacklog",
       jobs.count(&txn, txn.tenant(), JE_JOBS_COUNT_THROTTLED, q.job_type, kCountCap)},
      {"level", nullptr},
      {"nextTokenAt", nullptr},
      {"secondsUntilNextToken", nullptr},
      {"maxActive", opt(q.limits.max_active)},
      {"maxPerHour", opt(q.limits.max_per_hour)},
      {"burst", opt(q.limits.burst)},
      {"paused", q.limits.paused.value_or(false)}};
  if (const auto bucket = quotaBucket(q.limits, q.bucket)) {
    const BucketView view = bucketViewAt(*bucket, now);
    item["level"] = view.level;
    if (view.next_token_at) {
      item["nextTokenAt"] = rfc3339(*view.next_token_at);
      item["secondsUntilNextToken"] = secondsBetween(now, *view.next_token_at);
    }
  }
  return item;
}

void quotaSummary(const RouteContext& ctx, const sdk::Request& request, sdk::Response& response) {
  auto txn = ctx.host->borrow(request.txn());
  const std::string binding = "GET " + kQuotasBase + "/summary";
  const auto page = pageRequest(request, response, binding);
  if (!page) {
    return;
  }
  bool refused = false;
  const auto after = pageKey(
      *page, request, response, [](const std::string& s) { return !s.empty(); }, refused);
  if (refused) {
    return;
  }
  const sdk::Jobs* jobs = ctx.jobs ? ctx.jobs() : nullptr;
  if (jobs == nullptr) {
    sendError(response, request, 503, "JOBS_UNAVAILABLE",
              "job counts need je.jobs, which no loaded plugin provides (enable the scheduler)");
    return;
  }
  const TimePoint now = dbNow(txn);
  nlohmann::json items = nlohmann::json::array();
  auto rows = listQuotas(txn, true, after, page->fetchLimit());
  for (const auto& q : rows) {
    items.push_back(summaryItem(q, *jobs, txn, now));
  }
  nlohmann::json body;
  if (const auto next = sdk::finishPage(
          items, *page,
          [](const nlohmann::json& q) { return nlohmann::json::array({q["jobType"]}); }, binding)) {
    body["nextPageToken"] = *next;
  }
  body["asOf"] = rfc3339(now);
  body["quotas"] = items;
  response.json(200, body);
}

}  // namespace

void registerQuotaRoutes(sdk::Host& host, sdk::ApiDoc& doc, const RouteContext& ctx) {
  const std::string item = kQuotasBase + "/:id";
  const auto add = [&](const char* method, const std::string& path, const char* scope,
                       void (*fn)(const RouteContext&, const sdk::Request&, sdk::Response&)) {
    host.route(
        method, path.c_str(), scope,
        [ctx, fn](const sdk::Request& rq, sdk::Response& rs) { fn(ctx, rq, rs); }, JE_ROUTE_TXN,
        doc.operation(method, path));
  };
  add("GET", kQuotasBase, "orch:read", listQuotaPage);
  add("POST", kQuotasBase, "orch:quota", createQuota);
  add("GET", kQuotasBase + "/summary", "orch:read", quotaSummary);
  add("GET", item, "orch:read", getQuota);
  add("PUT", item, "orch:quota", replaceQuotaRoute);
  add("DELETE", item, "orch:quota", deleteQuotaRoute);
  add("POST", item + "/pause", "orch:quota",
      [](const RouteContext& c, const sdk::Request& rq, sdk::Response& rs) {
        setPaused(c, true, rq, rs);
      });
  add("POST", item + "/resume", "orch:quota",
      [](const RouteContext& c, const sdk::Request& rq, sdk::Response& rs) {
        setPaused(c, false, rq, rs);
      });
}

}  // namespace jobengine::ratelimit
