// JobService, leases: claims (kClaimBatch, or through je.ratelimit in job_admission.cpp), the
// leasing of chosen jobs, the grant a worker receives and heartbeats (lease renewal, progress,
// the cancel_requested answer). Heartbeats are fenced on the lease id; a stale one changes
// nothing and comes back as applied = false.
#include <jobengine/json_limits.hpp>

#include "core/sql.hpp"
#include "job_service.hpp"

namespace jobengine::scheduler {

using nlohmann::json;

void JobService::useGenericPlans(sdk::Txn& txn) {
  txn.exec("SET LOCAL plan_cache_mode = force_generic_plan");
}

json Grant::toJson() const {
  auto opt = [](const std::string& v) { return v.empty() ? json(nullptr) : json(v); };
  return json{{"jobId", id},
              {"jobType", job_type},
              {"leaseId", lease_id},
              {"leaseUntil", lease_until},
              {"attempt", attempt},
              {"maxAttempts", max_attempts},
              {"priority", priority},
              {"idempotencyKey", idempotency_key.empty() ? "orch-job-" + id : idempotency_key},
              {"payload", sdk::parseJsonBoundedOrThrow(payload, "stored payload")},
              {"payloadDigest", payload_digest},
              {"provenance",
               {{"tenant", tenant},
                {"project", opt(project)},
                {"correlationId", opt(correlation_id)},
                {"runId", opt(run_id)},
                {"sourceId", opt(source_id)},
                {"jobKey", opt(job_key)},
                {"traceId", opt(trace_id)},
                {"taskRunnerId", nullptr}}}};
}

std::vector<Grant> JobService::claim(sdk::Txn& txn, const std::vector<std::string>& types,
                                     int max_count, int lease_seconds,
                                     const std::string& worker_id) {
  auto grants = claimGroups(txn, {LeaseGroup{lease_seconds, types}}, max_count, worker_id);
  return std::move(grants.front());
}

std::vector<std::vector<Grant>> JobService::claimGroups(sdk::Txn& txn,
                                                        const std::vector<LeaseGroup>& groups,
                                                        int max_count,
                                                        const std::string& worker_id) {
  useGenericPlans(txn);  // once for every claim and lease statement of the round
  if (ratelimit_) {
    return claimWithRateLimit(txn, groups, max_count, worker_id);
  }
  std::vector<std::vector<Grant>> grants(groups.size());
  int room = max_count;
  for (size_t g = 0; g < groups.size() && room > 0; ++g) {
    grants[g] = grantsOf(txn, sql::kClaimBatch,
                         {textArray(groups[g].types), room, groups[g].lease_seconds, worker_id});
    room -= static_cast<int>(grants[g].size());
  }
  return grants;
}

std::vector<Grant> JobService::leaseJobs(sdk::Txn& txn, const json& items, int lease_seconds,
                                         const std::string& worker_id) {
  return grantsOf(txn, sql::kLeaseLocked, {items.dump(), lease_seconds, worker_id});
}

// Runs a leasing statement (kClaimBatch or kLeaseLocked: both return the grant columns). The
// entry points that lease (claimGroups, insertJobs) set generic plans once for their
// transaction: a SET here would be a round trip per statement.
std::vector<Grant> JobService::grantsOf(sdk::Txn& txn, std::string_view sql,
                                        const std::vector<sdk::Param>& params) {
  std::vector<Grant> grants;
  json runs = json::array();
  txn.exec(sql, params, [&](const sdk::Row& r) {
    Grant g;
    g.tenant = r.str(0);
    g.id = r.str(1);
    g.project = r.opt(2).value_or("");
    g.run_id = r.opt(3).value_or("");
    g.source_id = r.opt(4).value_or("");
    g.job_type = r.str(5);
    g.job_key = r.opt(6).value_or("");
    g.attempt = static_cast<int>(r.i64(7));
    g.max_attempts = static_cast<int>(r.i64(8));
    g.lease_id = r.str(9);
    g.lease_until = r.str(10);
    g.priority = static_cast<int>(r.i64(11));
    g.payload = r.str(12);
    g.payload_digest = r.str(13);
    g.idempotency_key = r.opt(14).value_or("");
    g.correlation_id = r.opt(15).value_or("");
    g.trace_id = r.opt(16).value_or("");
    g.cancel_requested = r.boolean(20);
    appendRun(runs, r, 0, 3);
    grants.push_back(std::move(g));
  });
  refreshRuns(txn, runs);
  if (!grants.empty()) {
    host_.counterAdd("scheduler_jobs_leased_total", "Jobs leased (claims granted)", json::object(),
                     static_cast<double>(grants.size()));
  }
  return grants;
}

std::vector<HeartbeatResult> JobService::heartbeat(sdk::Txn& txn,
                                                   const std::vector<HeartbeatItem>& items,
                                                   int lease_seconds, const std::string& actor) {
  json input = json::array();
  for (const auto& i : items) {
    json o = {{"tenant_id", i.tenant}, {"job_id", i.job_id}, {"lease_id", i.lease_id}};
    if (i.progress) {
      o["progress"] = *i.progress;
    }
    if (i.message) {
      o["message"] = *i.message;
    }
    input.push_back(o);
  }
  std::vector<HeartbeatResult> out;
  json runs = json::array();
  useGenericPlans(txn);
  txn.exec(sql::kHeartbeatBatch, {input.dump(), lease_seconds, actor}, [&](const sdk::Row& r) {
    HeartbeatResult h;
    h.job_id = r.str(0);
    h.applied = r.boolean(1);
    h.cancel_requested = r.boolean(3);
    h.lease_until = r.opt(4).value_or("");
    if (h.applied && r.boolean(2) && !r.isNull(6)) {
      runs.push_back({{"tenant_id", txn.tenant()}, {"run_id", r.str(6)}});
    }
    out.push_back(h);
  });
  if (txn.tenant() != JE_TENANT_SYSTEM) {
    refreshRuns(txn, runs);
  }
  return out;
}

}  // namespace jobengine::scheduler
