// dag_planner.hpp — validates and plans the job DAG of one run (SPEC §2 "DAG").
//
// Input: jobs identified by a key unique within the run (with an optional non-negative cost,
// default 1) and edges parent -> child ("child starts only after parent succeeded").
// Refused with every problem listed, not just the first: duplicate keys, edges naming unknown
// keys, self-edges, negative / non-finite costs, and cycles, each cycle named
// ("cycle: a -> b -> c -> a", rotated to start at its smallest key). Repeated identical edges
// are merged (they mean the same thing). The plan is deterministic: Kahn's topological order
// with ties broken by key (byte order), each job's depth (longest edge count from a root),
// the number of parents (jobs with parents start `pending`), and the critical path (the
// longest path by summed cost; ties go to the lexicographically smaller key at every step).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace jobengine::scheduler {

struct DagJob {
  std::string key;
  std::optional<double> cost;  // default 1
};

struct DagEdge {
  std::string parent;
  std::string child;
};

struct DagError {
  std::string code;  // DAG_DUPLICATE_KEY, DAG_UNKNOWN_KEY, DAG_SELF_EDGE, DAG_INVALID_COST,
                     // DAG_CYCLE
  std::string message;
};

struct DagPlan {
  std::vector<std::string> order;          // topological, ties by key
  std::vector<DagEdge> edges;              // deduplicated, sorted by (parent, child)
  std::vector<std::string> critical_path;  // root ... leaf
  double critical_path_cost = 0;
};

struct DagResult;

class Dag {
 public:
  // Validates and plans; all errors are reported in the result.
  static DagResult build(const std::vector<DagJob>& jobs, const std::vector<DagEdge>& edges);

  const DagPlan& plan() const { return plan_; }
  size_t size() const { return keys_.size(); }
  bool contains(std::string_view key) const;

  // nullopt for an unknown key.
  std::optional<int> depth(std::string_view key) const;
  std::optional<size_t> parentCount(std::string_view key) const;
  std::vector<std::string> parents(std::string_view key) const;   // sorted by key
  std::vector<std::string> children(std::string_view key) const;  // sorted by key
  // Every job reachable from key (not key itself), in plan order. Cascade cancel uses it.
  std::vector<std::string> descendants(std::string_view key) const;

 private:
  Dag() = default;
  std::optional<size_t> indexOf(std::string_view key) const;

  std::vector<std::string> keys_;                  // index -> key
  std::unordered_map<std::string, size_t> index_;  // key -> index
  std::vector<std::vector<size_t>> children_;      // sorted by key
  std::vector<std::vector<size_t>> parents_;       // sorted by key
  std::vector<int> depth_;
  std::vector<size_t> position_;  // index -> position in plan order
  DagPlan plan_;
};

struct DagResult {
  std::optional<Dag> dag;  // set when errors is empty
  std::vector<DagError> errors;
  bool ok() const { return errors.empty(); }
};

}  // namespace jobengine::scheduler
