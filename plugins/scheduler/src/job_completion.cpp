// JobService, completion: fenced worker / runner reports. Each report is validated, its
// retry inputs read under lock (kLockForCompletion), the decision taken by the pure
// core/completion_decision (retry with backoff, dead letter, cancel) and written with its
// artifacts, DAG release / cascade and events by one statement (kCompleteBatch). A report with
// a stale lease changes nothing and comes back as applied = false.
#include <jobengine/ids.hpp>
#include <jobengine/time_format.hpp>

#include <chrono>

#include "core/completion_decision.hpp"
#include "core/sql.hpp"
#include "job_service.hpp"

namespace jobengine::scheduler {

namespace {

using nlohmann::json;

// The retry inputs of one locked job (defaults: the job was not found under its lease, so
// kCompleteBatch will report it stale whatever is decided).
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

}  // namespace

std::vector<CompletionResult> JobService::complete(sdk::Txn& txn,
                                                   const std::vector<Completion>& items,
                                                   const std::string& actor) {
  json lock_input = json::array();
  json artifacts = json::array();
  for (const auto& c : items) {
    if (!parseReportedOutcome(c.status)) {
      throw JobRefusal(RefusalKind::kInvalid, "VALIDATION_FAILED",
                       "status: must be succeeded, failed, timed_out or canceled",
                       json{{"field", "status"}, {"jobId", c.job_id}});
    }
    if (!sdk::isUuid(c.job_id) || !sdk::isUuid(c.lease_id)) {
      throw JobRefusal(RefusalKind::kInvalid, "VALIDATION_FAILED",
                       "jobId and leaseId must be UUIDs",
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
          throw JobRefusal(RefusalKind::kInvalid, "VALIDATION_FAILED",
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
  std::map<std::string, SysTime> retry_at;  // job id -> when a retry becomes claimable
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
    const CompletionDecision decision = decideCompletion(input, defaultUniformRandom());
    addDecision(rec, decision, c.status);
    if (decision.next_eligible_at) {
      retry_at[c.job_id] = *decision.next_eligible_at;
    }
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
    appendRun(runs, r, 1, 3);
    released = released || kind == "released";
    if (kind == "completed") {
      CompletionResult& result = by_id[r.str(2)];
      result = CompletionResult{r.str(2), true, r.str(6), std::nullopt};
      if (const auto at = retry_at.find(r.str(2)); at != retry_at.end() && r.str(6) == "queued") {
        result.retry_at = at->second;
      }
      type_of[r.str(2)] = r.str(4);
      if (r.str(6) == "queued") {
        ++retries[{r.str(1), r.str(4)}];
      }
    } else if (kind == "stale") {
      by_id.emplace(r.str(2), CompletionResult{r.str(2), false, "", std::nullopt});
    }
  });
  std::vector<CompletionResult> out;
  json applied_artifacts = json::array();
  for (const auto& c : items) {
    auto it = by_id.find(c.job_id);
    out.push_back(it == by_id.end() ? CompletionResult{c.job_id, false, "", std::nullopt}
                                    : it->second);
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

}  // namespace jobengine::scheduler
