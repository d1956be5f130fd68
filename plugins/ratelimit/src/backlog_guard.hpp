// backlog_guard.hpp — je.ratelimit check_backlog: load shedding before an enqueue writes
// (SPEC §3). Limits: the tenant's per job type (the quota's backlogLimit, else
// default_backlog_limit) and across its job types (tenant_backlog_limit); 0 is unlimited.
//
// Counting a backlog costs what the backlog holds (je.jobs count_jobs, capped at limit + 1), so
// a replica remembers each count for up to a second and adds what it let in since: a batch that
// fits under the remembered count plus its own additions passes without a query. Only a fresh
// count refuses. So a refusal is always right; a limit may be passed by what other replicas
// enqueue within that second (documented in the README). The quotas' backlogLimit values are
// read on every call (one indexed read).
#pragma once

#include <jobengine/plugin.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/ratelimit_settings.hpp"
#include "job_counts.hpp"

namespace jobengine::ratelimit {

class BacklogGuard {
 public:
  BacklogGuard(const RatelimitSettings& settings, const JobCounts& counts)
      : settings_(settings), counts_(counts) {}

  // {"tenant", "jobTypes": {type: n}} -> {"allowed": true} or {"allowed": false,
  // "retryAfterSeconds", "limit", "backlog", "jobType"} (abi.h, je_ratelimit_v1.check_backlog).
  // Throws std::invalid_argument for a malformed request.
  nlohmann::json check(sdk::Txn& txn, const nlohmann::json& request);

 private:
  struct Remembered {
    int64_t count = 0;  // the last fresh count (capped)
    int64_t added = 0;  // what this replica let in since
    std::chrono::steady_clock::time_point at{};
  };
  // (tenant, job type or "" for the tenant as a whole)
  using Key = std::pair<std::string, std::string>;

  // Whether `adding` more fit under `limit`; counts afresh when the remembered count is older
  // than a second or does not leave room. Fills *backlog with the count it decided on.
  bool fits(sdk::Txn& txn, const Key& key, int64_t limit, int64_t adding, int64_t* backlog);
  // The quotas' backlogLimit of these job types (a text[] literal), read afresh every time: an
  // operator's new limit holds from the next enqueue on.
  std::map<std::string, int64_t> quotaLimits(sdk::Txn& txn, const std::string& tenant,
                                             const std::string& types);

  const RatelimitSettings& settings_;
  const JobCounts& counts_;
  std::mutex mutex_;  // guards the two maps; never held across a query
  std::map<Key, Remembered> remembered_;
  std::map<std::string,
           std::pair<std::chrono::steady_clock::time_point, std::map<std::string, int64_t>>>
      quota_limits_;
};

}  // namespace jobengine::ratelimit
