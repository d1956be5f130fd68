// dag_planner.cpp — DAG validation (duplicates, unknown keys, self-edges, cycles named),
// Kahn's order with a min-heap on keys, depths and the critical path. O((V + E) log V).
#include "core/dag_planner.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <queue>
#include <set>
#include <utility>

namespace jobengine::scheduler {

namespace {

// Names one cycle among the nodes Kahn's algorithm could not order. Every such node keeps
// at least one unordered parent, so walking "smallest unordered parent" backwards from the
// smallest unordered key must revisit a node; the revisited stretch is a cycle.
std::string nameCycle(const std::vector<std::string>& keys,
                      const std::vector<std::vector<size_t>>& parents,
                      const std::vector<bool>& unordered, size_t start) {
  std::vector<size_t> walk;
  std::vector<long> seen_at(keys.size(), -1);
  size_t node = start;
  while (seen_at[node] < 0) {
    seen_at[node] = static_cast<long>(walk.size());
    walk.push_back(node);
    for (const size_t p : parents[node]) {  // parents are sorted by key
      if (unordered[p]) {
        node = p;
        break;
      }
    }
  }
  // walk[seen_at[node]..] is the cycle in reverse edge direction.
  std::vector<size_t> cycle(walk.begin() + seen_at[node], walk.end());
  std::reverse(cycle.begin(), cycle.end());
  const auto smallest = std::min_element(cycle.begin(), cycle.end(),
                                         [&](size_t a, size_t b) { return keys[a] < keys[b]; });
  std::rotate(cycle.begin(), smallest, cycle.end());
  std::string text = "cycle: ";
  for (const size_t n : cycle) {
    text += keys[n];
    text += " -> ";
  }
  text += keys[cycle.front()];
  return text;
}

}  // namespace

DagResult Dag::build(const std::vector<DagJob>& jobs, const std::vector<DagEdge>& edges) {
  DagResult result;
  Dag dag;
  std::vector<double> cost;
  for (const auto& job : jobs) {
    if (dag.index_.count(job.key) != 0) {
      result.errors.push_back({"DAG_DUPLICATE_KEY", "duplicate job key: " + job.key});
      continue;
    }
    const double c = job.cost.value_or(1.0);
    if (!std::isfinite(c) || c < 0) {
      result.errors.push_back(
          {"DAG_INVALID_COST", "job " + job.key + ": cost must be a finite number >= 0"});
    }
    dag.index_.emplace(job.key, dag.keys_.size());
    dag.keys_.push_back(job.key);
    cost.push_back(c);
  }
  const size_t n = dag.keys_.size();
  dag.children_.assign(n, {});
  dag.parents_.assign(n, {});

  std::set<std::pair<std::string, std::string>> unique_edges;
  for (const auto& edge : edges) {
    const bool parent_known = dag.index_.count(edge.parent) != 0;
    const bool child_known = dag.index_.count(edge.child) != 0;
    if (!parent_known || !child_known) {
      result.errors.push_back({"DAG_UNKNOWN_KEY", "edge " + edge.parent + " -> " + edge.child +
                                                      " names unknown key " +
                                                      (parent_known ? edge.child : edge.parent)});
      continue;
    }
    if (edge.parent == edge.child) {
      result.errors.push_back({"DAG_SELF_EDGE", "self-edge: " + edge.parent + " -> " + edge.child});
      continue;
    }
    unique_edges.emplace(edge.parent, edge.child);
  }
  for (const auto& [parent, child] : unique_edges) {
    const size_t p = dag.index_[parent];
    const size_t c = dag.index_[child];
    dag.children_[p].push_back(c);
    dag.parents_[c].push_back(p);
    dag.plan_.edges.push_back({parent, child});
  }
  const auto by_key = [&](size_t a, size_t b) { return dag.keys_[a] < dag.keys_[b]; };
  for (size_t i = 0; i < n; ++i) {
    std::sort(dag.children_[i].begin(), dag.children_[i].end(), by_key);
    std::sort(dag.parents_[i].begin(), dag.parents_[i].end(), by_key);
  }

  // Kahn with a min-heap on keys: deterministic order whatever the input order.
  const auto heap_cmp = [&](size_t a, size_t b) { return dag.keys_[a] > dag.keys_[b]; };
  std::priority_queue<size_t, std::vector<size_t>, decltype(heap_cmp)> ready(heap_cmp);
  std::vector<size_t> indegree(n);
  for (size_t i = 0; i < n; ++i) {
    indegree[i] = dag.parents_[i].size();
    if (indegree[i] == 0) {
      ready.push(i);
    }
  }
  std::vector<size_t> order;
  order.reserve(n);
  while (!ready.empty()) {
    const size_t node = ready.top();
    ready.pop();
    order.push_back(node);
    for (const size_t c : dag.children_[node]) {
      if (--indegree[c] == 0) {
        ready.push(c);
      }
    }
  }
  if (order.size() != n) {
    std::vector<bool> unordered(n, true);
    for (const size_t i : order) {
      unordered[i] = false;
    }
    size_t start = n;
    for (size_t i = 0; i < n; ++i) {
      if (unordered[i] && (start == n || dag.keys_[i] < dag.keys_[start])) {
        start = i;
      }
    }
    result.errors.push_back({"DAG_CYCLE", nameCycle(dag.keys_, dag.parents_, unordered, start)});
  }
  if (!result.errors.empty()) {
    return result;
  }

  // Depth and critical path in one pass over the order.
  dag.depth_.assign(n, 0);
  dag.position_.assign(n, 0);
  std::vector<double> dist(n, 0);
  std::vector<long> best_parent(n, -1);
  for (size_t pos = 0; pos < n; ++pos) {
    const size_t node = order[pos];
    dag.position_[node] = pos;
    dag.plan_.order.push_back(dag.keys_[node]);
    double best = 0;
    for (const size_t p : dag.parents_[node]) {  // by key: the first of equals wins
      dag.depth_[node] = std::max(dag.depth_[node], dag.depth_[p] + 1);
      if (best_parent[node] < 0 || dist[p] > best) {
        best = dist[p];
        best_parent[node] = static_cast<long>(p);
      }
    }
    dist[node] = best + cost[node];
  }
  size_t end = n;
  for (size_t i = 0; i < n; ++i) {
    if (end == n || dist[i] > dist[end] ||
        (dist[i] == dist[end] && dag.keys_[i] < dag.keys_[end])) {
      end = i;
    }
  }
  if (end != n) {
    dag.plan_.critical_path_cost = dist[end];
    for (long node = static_cast<long>(end); node >= 0;
         node = best_parent[static_cast<size_t>(node)]) {
      dag.plan_.critical_path.push_back(dag.keys_[static_cast<size_t>(node)]);
    }
    std::reverse(dag.plan_.critical_path.begin(), dag.plan_.critical_path.end());
  }
  result.dag = std::move(dag);
  return result;
}

std::optional<size_t> Dag::indexOf(std::string_view key) const {
  const auto it = index_.find(std::string(key));
  if (it == index_.end()) {
    return std::nullopt;
  }
  return it->second;
}

bool Dag::contains(std::string_view key) const { return indexOf(key).has_value(); }

std::optional<int> Dag::depth(std::string_view key) const {
  const auto i = indexOf(key);
  if (!i) {
    return std::nullopt;
  }
  return depth_[*i];
}

std::optional<size_t> Dag::parentCount(std::string_view key) const {
  const auto i = indexOf(key);
  if (!i) {
    return std::nullopt;
  }
  return parents_[*i].size();
}

std::vector<std::string> Dag::parents(std::string_view key) const {
  std::vector<std::string> out;
  if (const auto i = indexOf(key)) {
    for (const size_t p : parents_[*i]) {
      out.push_back(keys_[p]);
    }
  }
  return out;
}

std::vector<std::string> Dag::children(std::string_view key) const {
  std::vector<std::string> out;
  if (const auto i = indexOf(key)) {
    for (const size_t c : children_[*i]) {
      out.push_back(keys_[c]);
    }
  }
  return out;
}

std::vector<std::string> Dag::descendants(std::string_view key) const {
  const auto start = indexOf(key);
  if (!start) {
    return {};
  }
  std::vector<bool> seen(keys_.size(), false);
  std::vector<size_t> stack = {*start};
  std::vector<size_t> found;
  while (!stack.empty()) {
    const size_t node = stack.back();
    stack.pop_back();
    for (const size_t c : children_[node]) {
      if (!seen[c]) {
        seen[c] = true;
        found.push_back(c);
        stack.push_back(c);
      }
    }
  }
  std::sort(found.begin(), found.end(),
            [&](size_t a, size_t b) { return position_[a] < position_[b]; });
  std::vector<std::string> out;
  out.reserve(found.size());
  for (const size_t i : found) {
    out.push_back(keys_[i]);
  }
  return out;
}

}  // namespace jobengine::scheduler
