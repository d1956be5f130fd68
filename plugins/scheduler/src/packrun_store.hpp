// packrun_store.hpp — the SQL of the pack-run routes (routes_packruns.cpp,
// routes_packrun_logs.cpp): the pack_runs row (its JSON with its job's status and last log
// seq, and its insert) and the log lines (append, ordered read after a seq). Named functions
// over the caller's transaction and tenant (STYLE §14); the HTTP answer is the route's.
#pragma once

#include <jobengine/plugin.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace jobengine::scheduler {

// The pack run as GET /pack-runs/{id} shows it; lock = FOR UPDATE. nullopt when the tenant
// has no such pack run (or id is no UUID).
std::optional<nlohmann::json> loadPackRun(sdk::Txn& txn, const std::string& id, bool lock);

struct NewPackRun {
  std::string id, project_id, run_id, job_id, pack_ref;
  nlohmann::json inputs;
  std::optional<std::string> task_runner_id;
  std::optional<std::string> correlation_id;
  std::optional<std::string> created_by;
};
void insertPackRun(sdk::Txn& txn, const NewPackRun& pack);

// What a log append or read needs of the pack run: ids and its last log seq.
struct PackRef {
  std::string id;
  std::optional<std::string> run_id;
  std::string project_id;
  int64_t last_seq = 0;
};

// The pack run with its last seq; lock = FOR UPDATE (appenders serialize on it). nullopt when
// the tenant has no such pack run (or id is no UUID).
std::optional<PackRef> findPackRun(sdk::Txn& txn, const std::string& id, bool lock);
// Inserts log lines [{seq, stream, level, message, data}] of the pack run.
void appendPackRunLogLines(sdk::Txn& txn, const std::string& pack_run_id,
                           const nlohmann::json& rows);
// Lines with seq > after in seq order, at most limit: {seq, at, stream, level, message, data}.
std::vector<nlohmann::json> packRunLogLines(sdk::Txn& txn, const std::string& pack_run_id,
                                            int64_t after, int limit);

}  // namespace jobengine::scheduler
