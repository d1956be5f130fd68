// run_store.hpp — the SQL of the run routes (routes_runs.cpp): a run with its stored plan, its
// jobs, the newest-first run list and the ids of a run's unfinished jobs (what run cancel hands
// to JobService::cancelJobs). Named functions over the caller's transaction and tenant; the
// HTTP answer is the route's (STYLE §14).
#pragma once

#include <jobengine/plugin.hpp>

#include <optional>
#include <string>
#include <vector>

#include "job_store.hpp"

namespace jobengine::scheduler {

// scheduler.run_json of the run and its stored plan (null when it has none).
struct StoredRun {
  nlohmann::json run;
  nlohmann::json plan;
};

// nullopt when the tenant has no such run.
std::optional<StoredRun> findRun(sdk::Txn& txn, const std::string& run_id);
// The run's jobs ordered by key then id: [{key, id, type, status, reason, attempts}].
nlohmann::json runJobs(sdk::Txn& txn, const std::string& run_id);
// GET /runs; an empty optional does not filter.
std::vector<CreatedAtRow> listRuns(sdk::Txn& txn, const std::optional<std::string>& status,
                                   const std::optional<std::string>& source_id,
                                   const CreatedAtSlice& slice);
// The ids of the run's jobs that are not terminal.
std::vector<std::string> unfinishedRunJobIds(sdk::Txn& txn, const std::string& run_id);

}  // namespace jobengine::scheduler
