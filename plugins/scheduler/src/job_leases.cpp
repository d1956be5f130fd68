// JobService, part 2: claims, heartbeats, fenced completions (retry with backoff, dead letter,
// DAG release / cascade), cancels, the expired-lease sweep and run status bookkeeping.
// Every statement here is fenced on the lease id where a lease is involved; a stale report
// changes nothing and comes back as applied = false.
#include <jobengine/ids.hpp>

#include <jobengine/json_limits.hpp>
#include <jobengine/time_format.hpp>

#include <chrono>
#include <set>

#include "core/backoff.hpp"
#include "core/completion_decision.hpp"
#include "core/error_classifier.hpp"
#include "core/sql.hpp"
#include "job_service.hpp"
#include "watermark_store.hpp"

namespace jobengine::scheduler {

namespace {

using nlohmann::json;

struct LockedJob {
  int attempts = 0;
  int max_attempts = 1;
  int backoff_base_ms = 1000;
  double backoff_factor = 2.0;
  int backoff_cap_ms = 300000;
};

// Writes a completion decision into the kCompleteBatch record of one report.
void addDecision(json& rec, const CompletionDecision& d, const std::string& reported_status) {
  if (d.error && d.classification) {
    rec["error"] = {{"code", d.error->code},
                    {"message", d.error->message},
                    {"retryable", d.classification->retry},
                    {"class", errorClassName(d.classification->error_class)},
                    {"fingerprint", d.classification->fingerprint}};
  }
  if (!d.reason.empty()) {
    rec["reason"] = d.reason;
  }
  rec["status"] = std::string(statusName(d.status));
  if (d.next_eligible_at) {
    rec["next_eligible_at"] = sdk::formatRfc3339(*d.next_eligible_at);
    rec["data"] = {{"backoffSeconds", static_cast<double>(d.backoff.count()) / 1000.0},
                   {"reportedStatus", reported_status}};
  }
  if (d.dead_letter && d.classification) {
    rec["dead_letter_id"] = sdk::newUuidV7();
    rec["error_class"] = errorClassName(d.classification->error_class);
    rec["fingerprint"] = d.classification->fingerprint;
  }
}

void addRun(json& runs, const sdk::Row& row, uint32_t tenant_col, uint32_t run_col) {
  if (!row.isNull(run_col)) {
    runs.push_back({{"tenant_id", row.str(tenant_col)}, {"run_id", row.str(run_col)}});
  }
}

}  // namespace

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
  if (ratelimit_) {
    return claimWithRateLimit(txn, types, max_count, lease_seconds, worker_id);
  }
  return grantsOf(txn, sql::kClaimBatch, {textArray(types), max_count, lease_seconds, worker_id});
}

std::vector<Grant> JobService::leaseJobs(sdk::Txn& txn, const json& items, int lease_seconds,
                                         const std::string& worker_id) {
  return grantsOf(txn, sql::kLeaseLocked, {items.dump(), lease_seconds, worker_id});
}

// Runs a leasing statement (kClaimBatch or kLeaseLocked: both return the grant columns).
std::vector<Grant> JobService::grantsOf(sdk::Txn& txn, std::string_view sql,
                                        const std::vector<sdk::Param>& params) {
  std::vector<Grant> grants;
  json runs = json::array();
  useGenericPlans(txn);
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
    addRun(runs, r, 0, 3);
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

std::vector<CompletionResult> JobService::complete(sdk::Txn& txn,
                                                   const std::vector<Completion>& items,
                                                   const std::string& actor) {
  json lock_input = json::array();
  json artifacts = json::array();
  for (const auto& c : items) {
    if (!parseReportedOutcome(c.status)) {
      throw ApiError(422, "VALIDATION_FAILED",
                     "status: must be succeeded, failed, timed_out or canceled",
                     json{{"field", "status"}, {"jobId", c.job_id}});
    }
    if (!sdk::isUuid(c.job_id) || !sdk::isUuid(c.lease_id)) {
      throw ApiError(422, "VALIDATION_FAILED", "jobId and leaseId must be UUIDs",
                     json{{"field", "leaseId"}, {"jobId", c.job_id}});
    }
    if (c.status != "succeeded") {
      lock_input.push_back(
          {{"tenant_id", c.tenant}, {"job_id", c.job_id}, {"lease_id", c.lease_id}});
    }
    if (c.artifacts.is_array()) {
      for (const auto& a : c.artifacts) {
        if (!a.is_object() || !a.contains("uri") || !a["uri"].is_string() ||
            !a.contains("digest") || !a["digest"].is_string() ||
            a["digest"].get<std::string>().rfind("sha256:", 0) != 0) {
          throw ApiError(422, "VALIDATION_FAILED",
                         "artifacts[]: each needs uri and a 'sha256:' digest",
                         json{{"field", "artifacts"}, {"jobId", c.job_id}});
        }
      }
    }
  }
  std::map<std::string, LockedJob> locked;
  useGenericPlans(txn);
  if (!lock_input.empty()) {
    txn.exec(sql::kLockForCompletion, {lock_input.dump()}, [&](const sdk::Row& r) {
      LockedJob l;
      l.attempts = static_cast<int>(r.i64(2));
      l.max_attempts = static_cast<int>(r.i64(3));
      l.backoff_base_ms = r.isNull(4) ? settings_.backoff_base_ms : static_cast<int>(r.i64(4));
      l.backoff_factor = r.isNull(5) ? settings_.backoff_factor : r.f64(5);
      l.backoff_cap_ms = r.isNull(6) ? settings_.backoff_cap_ms : static_cast<int>(r.i64(6));
      locked[r.str(1)] = l;
    });
  }
  json records = json::array();
  for (const auto& c : items) {
    json rec = {{"tenant_id", c.tenant},
                {"job_id", c.job_id},
                {"lease_id", c.lease_id},
                {"status", c.status}};
    const ReportedOutcome outcome = *parseReportedOutcome(c.status);
    CompletionInput input;
    input.outcome = outcome;
    input.now = std::chrono::system_clock::now();
    if (outcome == ReportedOutcome::kFailed || outcome == ReportedOutcome::kTimedOut) {
      input.error = reportedError(c.error, outcome);
      auto it = locked.find(c.job_id);
      const LockedJob l = it == locked.end() ? LockedJob{} : it->second;
      input.attempts_made = l.attempts;
      input.policy.base = std::chrono::milliseconds(l.backoff_base_ms);
      input.policy.factor = l.backoff_factor;
      input.policy.cap = std::chrono::milliseconds(l.backoff_cap_ms);
      input.policy.max_attempts = l.max_attempts;
    }
    addDecision(rec, decideCompletion(input, defaultUniformRandom()), c.status);
    records.push_back(rec);
    if (c.artifacts.is_array()) {
      for (const auto& a : c.artifacts) {
        artifacts.push_back({{"tenant_id", c.tenant},
                             {"job_id", c.job_id},
                             {"uri", a["uri"]},
                             {"digest", a["digest"]},
                             {"media_type", a.value("mediaType", json(nullptr))},
                             {"size_bytes", a.value("sizeBytes", json(nullptr))}});
      }
    }
  }
  std::map<std::string, CompletionResult> by_id;
  std::map<std::string, std::string> type_of;  // job id -> job type, of applied completions
  json runs = json::array();
  bool released = false;  // DAG children queued by these completions
  RetryCounts retries;
  txn.exec(sql::kCompleteBatch, {records.dump(), actor}, [&](const sdk::Row& r) {
    const std::string kind = r.str(0);
    addRun(runs, r, 1, 3);
    released = released || kind == "released";
    if (kind == "completed") {
      by_id[r.str(2)] = CompletionResult{r.str(2), true, r.str(6)};
      type_of[r.str(2)] = r.str(4);
      if (r.str(6) == "queued") {
        ++retries[{r.str(1), r.str(4)}];
      }
    } else if (kind == "stale") {
      by_id.emplace(r.str(2), CompletionResult{r.str(2), false, ""});
    }
  });
  std::vector<CompletionResult> out;
  json applied_artifacts = json::array();
  for (const auto& c : items) {
    auto it = by_id.find(c.job_id);
    out.push_back(it == by_id.end() ? CompletionResult{c.job_id, false, ""} : it->second);
    if (out.back().applied) {
      for (const auto& a : artifacts) {
        if (a["job_id"] == c.job_id) {
          applied_artifacts.push_back(a);
        }
      }
    }
  }
  if (!applied_artifacts.empty()) {
    txn.exec(sql::kInsertArtifacts, {applied_artifacts.dump()});
  }
  refreshRuns(txn, runs);
  if (released) {
    wakeRunnersAfterCommit(txn);
  }
  recordOutcomesAfterCommit(txn, items, type_of);
  countRetriesAfterCommit(txn, std::move(retries));
  // One metrics call per status, not per job (each crosses the ABI with its labels as JSON).
  std::map<std::string, int> applied_by_status;
  int stale = 0;
  for (const auto& r : out) {
    if (r.applied) {
      ++applied_by_status[r.status];
    } else {
      ++stale;
    }
  }
  for (const auto& [status, n] : applied_by_status) {
    host_.counterAdd("scheduler_jobs_completed_total",
                     "Completions applied, by the job's new status (queued = retry scheduled)",
                     {{"status", status}}, n);
  }
  if (stale > 0) {
    host_.counterAdd("scheduler_stale_reports_total",
                     "Completions refused because the lease was stale (fencing)", json::object(),
                     stale);
  }
  return out;
}

size_t JobService::cancelJobs(sdk::Txn& txn,
                              const std::vector<std::pair<std::string, std::string>>& jobs,
                              const std::string& actor, const std::string& reason) {
  json input = json::array();
  for (const auto& [tenant, id] : jobs) {
    input.push_back({{"tenant_id", tenant}, {"job_id", id}});
  }
  json cascade = json::array();
  json runs = json::array();
  size_t found = 0;
  txn.exec(sql::kCancelJobs, {input.dump(), actor, reason}, [&](const sdk::Row& r) {
    ++found;
    addRun(runs, r, 0, 2);
    if (!r.isNull(5)) {
      cascade.push_back({{"tenant_id", r.str(0)}, {"job_id", r.str(1)}});
    }
  });
  if (!cascade.empty()) {
    txn.exec(sql::kCascadeCancel, {cascade.dump(), actor},
             [&](const sdk::Row& r) { addRun(runs, r, 0, 2); });
  }
  refreshRuns(txn, runs);
  return found;
}

size_t JobService::sweepExpired(sdk::Txn& txn, int max_jobs, const std::string& actor) {
  static const std::string kFingerprint = errorFingerprint("LEASE_EXPIRED", "lease expired");
  json cascade = json::array();
  json runs = json::array();
  size_t swept = 0;
  RetryCounts retries;
  txn.exec(sql::kSweepExpired, {max_jobs, actor, kFingerprint}, [&](const sdk::Row& r) {
    ++swept;
    addRun(runs, r, 1, 3);
    const std::string to = r.str(6);
    if (to == "queued") {
      ++retries[{r.str(1), r.str(4)}];
    }
    if (to == "timed_out" || to == "canceled") {
      cascade.push_back({{"tenant_id", r.str(1)}, {"job_id", r.str(2)}});
    }
  });
  if (!cascade.empty()) {
    txn.exec(sql::kCascadeCancel, {cascade.dump(), actor},
             [&](const sdk::Row& r) { addRun(runs, r, 0, 2); });
  }
  refreshRuns(txn, runs);
  if (swept > 0) {
    host_.counterAdd("scheduler_lease_expiries_total", "Leases that expired and were swept",
                     json::object(), static_cast<double>(swept));
  }
  countRetriesAfterCommit(txn, std::move(retries));
  return swept;
}

void JobService::countRetriesAfterCommit(sdk::Txn& txn, RetryCounts retries) const {
  if (retries.empty()) {
    return;
  }
  txn.onCommit([&host = host_, retries = std::move(retries)] {
    for (const auto& [key, n] : retries) {
      host.counterAdd("scheduler_retries_scheduled_total",
                      "Failed attempts (worker report or expired lease) sent back to queued with "
                      "a back-off",
                      {{"tenant", key.first}, {"job_type", key.second}}, n);
    }
  });
}

size_t JobService::unthrottleDue(sdk::Txn& txn, int max_jobs, const std::string& actor) {
  json runs = json::array();
  size_t n = 0;
  txn.exec(sql::kUnthrottleDue, {max_jobs, actor}, [&](const sdk::Row& r) {
    ++n;
    addRun(runs, r, 0, 2);
  });
  refreshRuns(txn, runs);
  if (n > 0) {
    wakeRunnersAfterCommit(txn);
  }
  return n;
}

void JobService::refreshRuns(sdk::Txn& txn, const json& tenant_runs) {
  if (!tenant_runs.is_array() || tenant_runs.empty()) {
    return;
  }
  const std::string input = tenant_runs.dump();
  txn.exec(sql::kLockRuns, {input});
  // Only a windowed run that became terminal costs anything more (runs without a window, such
  // as the benchmark's, never reach the watermark step).
  std::vector<EndedRun> windowed;
  txn.exec(sql::kRefreshRuns, {input}, [&](const sdk::Row& r) {
    const std::string status = r.str(2);
    if ((r.isNull(4) && r.isNull(5)) ||
        (status != "succeeded" && status != "failed" && status != "canceled")) {
      return;
    }
    windowed.push_back(EndedRun{r.str(0), r.str(1), status, r.opt(3), r.opt(4), r.opt(5)});
  });
  if (!windowed.empty()) {
    afterWindowedRunsEnded(txn, event_ids_, windowed);
  }
}

}  // namespace jobengine::scheduler
