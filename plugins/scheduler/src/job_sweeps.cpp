// JobService, housekeeping of jobs nobody reports on: cancels (at once for jobs not leased,
// by request for leased / running ones, cascading to DAG descendants), the expired-lease
// sweep (back to queued, timed_out and dead-lettered on the last attempt, or canceled when
// requested) and the return of throttled jobs whose nextEligibleAt passed.
#include "core/error_classifier.hpp"
#include "core/sql.hpp"
#include "job_service.hpp"

namespace jobengine::scheduler {

using nlohmann::json;

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
    appendRun(runs, r, 0, 2);
    if (!r.isNull(5)) {
      cascade.push_back({{"tenant_id", r.str(0)}, {"job_id", r.str(1)}});
    }
  });
  if (!cascade.empty()) {
    txn.exec(sql::kCascadeCancel, {cascade.dump(), actor},
             [&](const sdk::Row& r) { appendRun(runs, r, 0, 2); });
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
    appendRun(runs, r, 1, 3);
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
             [&](const sdk::Row& r) { appendRun(runs, r, 0, 2); });
  }
  refreshRuns(txn, runs);
  if (swept > 0) {
    host_.counterAdd("scheduler_lease_expiries_total", "Leases that expired and were swept",
                     json::object(), static_cast<double>(swept));
  }
  countRetriesAfterCommit(txn, std::move(retries));
  return swept;
}

size_t JobService::unthrottleDue(sdk::Txn& txn, int max_jobs, const std::string& actor) {
  json runs = json::array();
  size_t n = 0;
  txn.exec(sql::kUnthrottleDue, {max_jobs, actor}, [&](const sdk::Row& r) {
    ++n;
    appendRun(runs, r, 0, 2);
  });
  refreshRuns(txn, runs);
  if (n > 0) {
    wakeRunnersAfterCommit(txn);
  }
  return n;
}

std::optional<std::chrono::system_clock::time_point> JobService::nextThrottledAt(
    sdk::Txn& txn) const {
  std::optional<std::chrono::system_clock::time_point> next;
  txn.exec(
      "SELECT (extract(epoch FROM min(j.next_eligible_at)) * 1000000)::bigint "
      "FROM scheduler.jobs j WHERE j.status = 'throttled'",
      {}, [&](const sdk::Row& r) {
        if (!r.isNull(0)) {
          next = std::chrono::system_clock::time_point(std::chrono::microseconds(r.i64(0)));
        }
      });
  return next;
}

}  // namespace jobengine::scheduler
