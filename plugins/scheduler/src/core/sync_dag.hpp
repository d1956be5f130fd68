// sync_dag.hpp — the sync DAG a source adapter declares for a source kind (je.sources
// declare_sync, abi.h 1.7): which jobs one sync of a source of that kind creates and in what
// order. Pure: JSON in, either the steps or a message naming what is wrong.
//
//   {"kind": "concelier.osv", "steps": [{"key": "fetch", "jobType": "concelier.fetch"},
//     {"key": "parse", "jobType": "concelier.parse", "dependsOn": ["fetch"]}, ...]}
//
// Rules: kind like a source's kind (1-64 of a-z 0-9 . _ -); 1..16 steps; keys 1-64 of
// a-z 0-9 _ - and unique; jobType 1-128 of a-z 0-9 . _ -; dependsOn names earlier steps
// only (so the steps are already in topological order and there is no cycle); unknown fields
// are refused.
#pragma once

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace jobengine::scheduler {

struct SyncDagStep {
  std::string key;
  std::string job_type;
  std::vector<std::string> depends_on;
};

struct SyncDag {
  std::string kind;
  std::vector<SyncDagStep> steps;
};

struct SyncDagParse {
  SyncDag dag;
  std::string error;  // empty when valid
};

SyncDagParse parseSyncDag(const nlohmann::json& body);

// The keys of the steps no other step depends on (the DAG's sinks), in step order.
std::vector<std::string> sinkKeys(const SyncDag& dag);

// The declared DAGs by kind, with the plugin that declared each. Thread-safe: declarations
// happen in start(), reads on any request or leader thread.
class SyncDagRegistry {
 public:
  // Empty on success, else why not (the kind was declared before, naming its owner).
  std::string declare(const std::string& owner, SyncDag dag);
  std::optional<SyncDag> find(const std::string& kind) const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::pair<std::string, SyncDag>> by_kind_;
};

}  // namespace jobengine::scheduler
