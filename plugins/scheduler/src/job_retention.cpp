// See job_retention.hpp. The SQL is here rather than in a *_store.cpp because it is the
// duty's whole content: find tenants, pick a batch, delete it with what hangs off it.
#include "job_retention.hpp"

#include <cmath>
#include <exception>
#include <string>
#include <vector>

namespace jobengine::scheduler {
namespace {

constexpr int64_t kSecondsPerDay = 86400;
constexpr int kMaxTenantsPerRound = 1000;

// Tenants with terminal jobs or finished runs: a loose index scan over the partial indexes of
// migrations/scheduler/0009_retention.sql (one probe per tenant).
constexpr const char* kTenantsSql =
    "WITH RECURSIVE jt(tenant_id) AS ("
    " (SELECT tenant_id FROM scheduler.jobs"
    "  WHERE status IN ('succeeded', 'failed', 'timed_out', 'canceled')"
    "  ORDER BY tenant_id LIMIT 1)"
    " UNION ALL"
    " SELECT (SELECT j.tenant_id FROM scheduler.jobs j"
    "         WHERE j.status IN ('succeeded', 'failed', 'timed_out', 'canceled')"
    "           AND j.tenant_id > jt.tenant_id ORDER BY j.tenant_id LIMIT 1)"
    " FROM jt WHERE jt.tenant_id IS NOT NULL),"
    " rt(tenant_id) AS ("
    " (SELECT tenant_id FROM scheduler.runs WHERE status IN ('succeeded', 'failed', 'canceled')"
    "  ORDER BY tenant_id LIMIT 1)"
    " UNION ALL"
    " SELECT (SELECT r.tenant_id FROM scheduler.runs r"
    "         WHERE r.status IN ('succeeded', 'failed', 'canceled')"
    "           AND r.tenant_id > rt.tenant_id ORDER BY r.tenant_id LIMIT 1)"
    " FROM rt WHERE rt.tenant_id IS NOT NULL)"
    " SELECT tenant_id FROM jt WHERE tenant_id IS NOT NULL"
    " UNION SELECT tenant_id FROM rt WHERE tenant_id IS NOT NULL"
    " ORDER BY 1 LIMIT $1";

// A batch of prunable jobs, oldest first: terminal, finished before the cutoff, and their run
// (if any) finished before it too and not part of a backfill.
constexpr const char* kPickJobsSql =
    "SELECT j.id, j.run_id FROM scheduler.jobs j"
    " WHERE j.tenant_id = $1 AND j.status IN ('succeeded', 'failed', 'timed_out', 'canceled')"
    "   AND j.finished_at < to_timestamp($2::bigint / 1000000.0)"
    "   AND (j.run_id IS NULL OR EXISTS (SELECT 1 FROM scheduler.runs r"
    "        WHERE r.tenant_id = j.tenant_id AND r.id = j.run_id"
    "          AND r.status IN ('succeeded', 'failed', 'canceled') AND r.backfill_id IS NULL"
    "          AND r.finished_at < to_timestamp($2::bigint / 1000000.0)))"
    " ORDER BY j.finished_at LIMIT $3";

std::string uuidArray(const std::vector<std::string>& ids) {
  std::string out = "{";
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) {
      out += ',';
    }
    out += ids[i];
  }
  return out + "}";
}

}  // namespace

JobRetention::JobRetention(sdk::Host& host, const SchedulerSettings& settings)
    : host_(host),
      retention_seconds_(std::llround(settings.retention_days * kSecondsPerDay)),
      batch_rows_(settings.retention_batch_rows),
      interval_(settings.retention_interval_seconds) {}

bool JobRetention::runIfDue(sdk::Txn& txn) {
  if (retention_seconds_ <= 0) {
    return false;  // retention_days = 0: kept forever
  }
  const auto now = std::chrono::steady_clock::now();
  if (now < next_) {
    return false;
  }
  const Pruned pruned = run(txn);
  next_ = pruned.more ? now : now + interval_;
  if (pruned.jobs > 0 || pruned.runs > 0) {
    host_.info("retention: pruned " + std::to_string(pruned.jobs) + " job(s), " +
               std::to_string(pruned.runs) + " run(s), " + std::to_string(pruned.edges) +
               " DAG edge(s), " + std::to_string(pruned.artifacts) + " artifact record(s), " +
               std::to_string(pruned.dead_letters) + " dead letter(s)");
  }
  return pruned.jobs + pruned.runs + pruned.edges + pruned.artifacts + pruned.dead_letters > 0;
}

JobRetention::Pruned JobRetention::run(sdk::Txn& txn) {
  Pruned out;
  std::vector<std::string> tenants;
  txn.exec(kTenantsSql, {kMaxTenantsPerRound},
           [&tenants](const sdk::Row& r) { tenants.push_back(r.str(0)); });
  for (const std::string& tenant : tenants) {
    int64_t cutoff_us = JE_RETENTION_KEEP_ALL;
    try {
      cutoff_us = host_.retentionCutoff(tenant, retention_seconds_);
    } catch (const std::exception& e) {
      if (!warned_) {  // a guard that cannot answer holds the tenant back: say it once
        host_.warn("retention: tenant '" + tenant + "' skipped this round: " + e.what());
        warned_ = true;
      }
      continue;
    }
    if (cutoff_us == JE_RETENTION_KEEP_ALL) {
      continue;
    }
    const std::string cutoff = std::to_string(cutoff_us);
    std::vector<std::string> job_ids;
    std::vector<std::string> run_ids;
    txn.exec(kPickJobsSql, {tenant, cutoff, batch_rows_}, [&](const sdk::Row& r) {
      job_ids.push_back(r.str(0));
      if (!r.isNull(1)) {
        run_ids.push_back(r.str(1));
      }
    });
    if (static_cast<int>(job_ids.size()) >= batch_rows_) {
      out.more = true;
    }
    if (!job_ids.empty()) {
      const std::string ids = uuidArray(job_ids);
      const auto edges_parent = static_cast<int64_t>(
          txn.exec("DELETE FROM scheduler.dag_edges WHERE tenant_id = $1 AND parent_id = ANY "
                   "($2::uuid[])",
                   {tenant, ids}));
      const auto edges_child = static_cast<int64_t>(
          txn.exec("DELETE FROM scheduler.dag_edges WHERE tenant_id = $1 AND child_id = ANY "
                   "($2::uuid[])",
                   {tenant, ids}));
      const auto artifacts = static_cast<int64_t>(txn.exec(
          "DELETE FROM scheduler.artifacts WHERE tenant_id = $1 AND job_id = ANY ($2::uuid[])",
          {tenant, ids}));
      const auto dead_letters = static_cast<int64_t>(txn.exec(
          "DELETE FROM scheduler.dead_letters WHERE tenant_id = $1 AND job_id = ANY ($2::uuid[])",
          {tenant, ids}));
      const auto jobs = static_cast<int64_t>(
          txn.exec("DELETE FROM scheduler.jobs WHERE tenant_id = $1 AND id = ANY ($2::uuid[])",
                   {tenant, ids}));
      out.edges += edges_parent + edges_child;
      out.artifacts += artifacts;
      out.dead_letters += dead_letters;
      out.jobs += jobs;
      host_.countPruned("scheduler.dag_edges", edges_parent + edges_child);
      host_.countPruned("scheduler.artifacts", artifacts);
      host_.countPruned("scheduler.dead_letters", dead_letters);
      host_.countPruned("scheduler.jobs", jobs);
    }
    // The runs of the pruned jobs that have no job left, and old finished runs without jobs.
    const auto runs = static_cast<int64_t>(txn.exec(
        "DELETE FROM scheduler.runs r WHERE r.tenant_id = $1"
        " AND r.status IN ('succeeded', 'failed', 'canceled') AND r.backfill_id IS NULL"
        " AND r.finished_at < to_timestamp($2::bigint / 1000000.0)"
        " AND r.id IN (SELECT unnest($3::uuid[]) UNION ALL"
        "   (SELECT x.id FROM scheduler.runs x WHERE x.tenant_id = $1"
        "      AND x.status IN ('succeeded', 'failed', 'canceled') AND x.backfill_id IS NULL"
        "      AND x.finished_at < to_timestamp($2::bigint / 1000000.0)"
        "      AND NOT EXISTS (SELECT 1 FROM scheduler.jobs j"
        "                      WHERE j.tenant_id = x.tenant_id AND j.run_id = x.id)"
        "    ORDER BY x.finished_at LIMIT $4))"
        " AND NOT EXISTS (SELECT 1 FROM scheduler.jobs j"
        "                 WHERE j.tenant_id = r.tenant_id AND j.run_id = r.id)",
        {tenant, cutoff, uuidArray(run_ids), batch_rows_}));
    out.runs += runs;
    host_.countPruned("scheduler.runs", runs);
  }
  return out;
}

}  // namespace jobengine::scheduler
