// watermark_store.cpp — see watermark_store.hpp.
#include "watermark_store.hpp"

#include <jobengine/time_format.hpp>

#include <map>
#include <set>
#include <tuple>

#include "core/watermark_rules.hpp"

namespace jobengine::scheduler {

namespace {

constexpr std::string_view kWatermarkColumns =
    "jsonb_build_object('scope', w.scope, 'watermark', scheduler.ts(w.watermark), 'advancedAt', "
    "scheduler.ts(w.advanced_at), 'runId', w.run_id, 'version', w.version)";

// Moves the watermark of one (tenant, source, scope); returns its event when it moved.
std::optional<OpsEvent> advanceScope(sdk::Txn& txn, const std::string& tenant,
                                     const std::string& source_id, const std::string& scope,
                                     const std::string& run_id) {
  lockWatermarkScope(txn, tenant, source_id, scope);
  std::optional<SysTime> current;
  txn.exec(
      "SELECT (extract(epoch FROM watermark) * 1000000)::bigint FROM scheduler.watermarks "
      "WHERE tenant_id = $1 AND source_id = $2::uuid AND scope = $3 FOR UPDATE",
      {tenant, source_id, scope}, [&](const sdk::Row& r) { current = fromEpochMicros(r.i64(0)); });
  // With a watermark: the succeeded windows ending after it. Without: every window of the
  // scope, so the earliest start (of any status) is known (core/watermark_rules.hpp).
  std::vector<CoveredWindow> windows;
  const auto add = [&](const sdk::Row& r) {
    CoveredWindow w;
    if (!r.isNull(0)) {
      w.from = fromEpochMicros(r.i64(0));
    }
    w.to = fromEpochMicros(r.i64(1));
    w.succeeded = r.boolean(2);
    windows.push_back(w);
  };
  static const std::string kColumns =
      "SELECT (extract(epoch FROM window_from) * 1000000)::bigint, (extract(epoch FROM "
      "window_to) * 1000000)::bigint, status = 'succeeded' FROM scheduler.runs WHERE tenant_id = "
      "$1 AND source_id = $2::uuid AND window_scope = $3 AND window_to IS NOT NULL";
  if (current) {
    txn.exec(kColumns + " AND status = 'succeeded' AND window_to > $4::timestamptz",
             {tenant, source_id, scope, rfc3339Micros(*current)}, add);
  } else {
    txn.exec(kColumns, {tenant, source_id, scope}, add);
  }
  const auto next = advancedWatermark(current, windows);
  if (!next) {
    return std::nullopt;
  }
  // The source may be gone (its runs stay): then there is nothing to move.
  bool written = false;
  txn.exec(
      "INSERT INTO scheduler.watermarks (tenant_id, source_id, scope, watermark, run_id) "
      "SELECT $1, $2::uuid, $3, $4::timestamptz, $5::uuid WHERE EXISTS (SELECT 1 FROM "
      "scheduler.sources s WHERE s.tenant_id = $1 AND s.id = $2::uuid) "
      "ON CONFLICT (tenant_id, source_id, scope) DO UPDATE SET watermark = excluded.watermark, "
      "run_id = excluded.run_id, version = scheduler.watermarks.version + 1, advanced_at = now() "
      "RETURNING true",
      {tenant, source_id, scope, rfc3339Micros(*next), run_id},
      [&](const sdk::Row& /*r*/) { written = true; });
  if (!written) {
    return std::nullopt;
  }
  OpsEvent e;
  e.type = "watermark.advanced";
  e.source_id = source_id;
  e.run_id = run_id;
  e.body["data"] = {
      {"sourceId", source_id},
      {"scope", scope},
      {"from", current ? nlohmann::json(rfc3339Micros(*current)) : nlohmann::json(nullptr)},
      {"to", rfc3339Micros(*next)},
      {"runId", run_id}};
  return e;
}

// Ends (or starts) one backfill after some of its runs ended; returns its event when it ended.
std::optional<OpsEvent> settleBackfill(sdk::Txn& txn, const std::string& tenant,
                                       const std::string& backfill_id) {
  std::optional<std::string> status;
  txn.exec(
      "SELECT status FROM scheduler.backfills WHERE tenant_id = $1 AND id = $2::uuid FOR "
      "UPDATE",
      {tenant, backfill_id}, [&](const sdk::Row& r) { status = r.str(0); });
  if (!status || (*status != "queued" && *status != "running")) {
    return std::nullopt;
  }
  int64_t active = 0;
  int64_t failed = 0;
  int64_t canceled = 0;
  txn.exec(
      "SELECT count(*) FILTER (WHERE status IN ('queued', 'running')), count(*) FILTER (WHERE "
      "status = 'failed'), count(*) FILTER (WHERE status = 'canceled') FROM scheduler.runs "
      "WHERE tenant_id = $1 AND backfill_id = $2::uuid",
      {tenant, backfill_id}, [&](const sdk::Row& r) {
        active = r.i64(0);
        failed = r.i64(1);
        canceled = r.i64(2);
      });
  std::string next = "running";
  if (active == 0) {
    next = failed > 0 ? "failed" : (canceled > 0 ? "canceled" : "succeeded");
  }
  if (next == *status) {
    return std::nullopt;
  }
  nlohmann::json backfill;
  txn.exec(
      "UPDATE scheduler.backfills AS b SET status = $3, updated_at = now(), finished_at = CASE "
      "WHEN $3 IN ('succeeded', 'failed', 'canceled') THEN now() END WHERE tenant_id = $1 AND "
      "id = $2::uuid RETURNING scheduler.backfill_json(b)",
      {tenant, backfill_id, next}, [&](const sdk::Row& r) { backfill = r.json(0); });
  if (next == "running") {
    return std::nullopt;
  }
  return backfillEvent("backfill." + next, backfill);
}

}  // namespace

void lockWatermarkScope(sdk::Txn& txn, const std::string& tenant, const std::string& source_id,
                        const std::string& scope) {
  txn.exec("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
           {"scheduler.watermark:" + tenant + ":" + source_id + ":" + scope});
}

std::optional<std::string> currentWatermarkText(sdk::Txn& txn, const std::string& tenant,
                                                const std::string& source_id,
                                                const std::string& scope) {
  static const std::string sql = "SELECT " + rfc3339Sql("watermark") +
                                 " FROM scheduler.watermarks WHERE tenant_id = $1 AND source_id "
                                 "= $2::uuid AND scope = $3";
  return txn.one(sql, {tenant, source_id, scope}, [](const sdk::Row& r) { return r.str(0); });
}

void afterWindowedRunsEnded(sdk::Txn& txn, sdk::UuidV7Generator& ids,
                            const std::vector<EndedRun>& runs) {
  // One step per scope and per backfill, in a total order (deadlock-free across replicas).
  std::map<std::tuple<std::string, std::string, std::string>, std::string> scopes;  // -> run
  std::set<std::pair<std::string, std::string>> backfills;
  for (const EndedRun& r : runs) {
    if (r.status == "succeeded" && r.window_scope && r.source_id) {
      scopes[{r.tenant, *r.source_id, *r.window_scope}] = r.run_id;
    }
    if (r.backfill_id) {
      backfills.insert({r.tenant, *r.backfill_id});
    }
  }
  std::map<std::string, std::vector<OpsEvent>> by_tenant;
  for (const auto& [key, run_id] : scopes) {
    const auto& [tenant, source_id, scope] = key;
    if (auto e = advanceScope(txn, tenant, source_id, scope, run_id)) {
      by_tenant[tenant].push_back(std::move(*e));
    }
  }
  for (const auto& [tenant, backfill_id] : backfills) {
    if (auto e = settleBackfill(txn, tenant, backfill_id)) {
      by_tenant[tenant].push_back(std::move(*e));
    }
  }
  for (const auto& [tenant, events] : by_tenant) {
    appendEvents(txn, events, ids, Origin::engine(tenant));
  }
}

nlohmann::json listWatermarks(sdk::Txn& txn, const std::string& source_id) {
  nlohmann::json out = nlohmann::json::array();
  txn.exec("SELECT " + std::string(kWatermarkColumns) +
               " FROM scheduler.watermarks w WHERE w.tenant_id = $1 AND w.source_id = $2::uuid "
               "ORDER BY w.scope",
           {txn.tenant(), source_id}, [&](const sdk::Row& r) { out.push_back(r.json(0)); });
  return out;
}

std::optional<nlohmann::json> loadWatermark(sdk::Txn& txn, const std::string& source_id,
                                            const std::string& scope, bool for_update) {
  return txn.one("SELECT " + std::string(kWatermarkColumns) +
                     " FROM scheduler.watermarks w WHERE w.tenant_id = $1 AND w.source_id = "
                     "$2::uuid AND w.scope = $3" +
                     (for_update ? " FOR UPDATE" : ""),
                 {txn.tenant(), source_id, scope}, [](const sdk::Row& r) { return r.json(0); });
}

nlohmann::json setWatermark(sdk::Txn& txn, const std::string& source_id, const std::string& scope,
                            const std::string& watermark) {
  nlohmann::json out;
  txn.exec(
      "INSERT INTO scheduler.watermarks AS w (tenant_id, source_id, scope, watermark) "
      "VALUES ($1, $2::uuid, $3, $4::timestamptz) ON CONFLICT (tenant_id, source_id, scope) "
      "DO UPDATE SET watermark = excluded.watermark, run_id = NULL, version = w.version + 1, "
      "advanced_at = now() RETURNING " +
          std::string(kWatermarkColumns),
      {txn.tenant(), source_id, scope, watermark}, [&](const sdk::Row& r) { out = r.json(0); });
  return out;
}

std::optional<nlohmann::json> loadBackfill(sdk::Txn& txn, const std::string& id, bool for_update) {
  return txn.one(std::string("SELECT scheduler.backfill_json(b) FROM scheduler.backfills b WHERE "
                             "b.tenant_id = $1 AND b.id = $2::uuid") +
                     (for_update ? " FOR UPDATE" : ""),
                 {txn.tenant(), id}, [](const sdk::Row& r) { return r.json(0); });
}

OpsEvent backfillEvent(const std::string& type, const nlohmann::json& backfill,
                       const nlohmann::json& data) {
  OpsEvent e;
  e.type = type;
  e.source_id = backfill["sourceId"].get<std::string>();
  nlohmann::json d = data;
  d["backfill"] = backfill;
  e.body["data"] = d;
  return e;
}

}  // namespace jobengine::scheduler
