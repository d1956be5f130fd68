// request_body_fuzz.cpp — a JSON request body along the engine's path (issue 20):
//   1. the host's bounded parse (json_limits.hpp: depth check on the text, then nlohmann) at
//      kJsonMaxDepthCeiling, the deepest an operator may configure;
//   2. for an accepted body: the canonical JSON and its sha256 digest (canonical_json.hpp),
//      which must re-parse to an equal value and be a fixed point, and the dump a response does;
//   3. the scheduler's enqueue validator and its run (DAG) validator, through the real
//      JobService over a fake store (scheduler_harness.hpp): refusals are JobRefusal, whose
//      HTTP answer (ApiError) must be a 4xx, nothing else may escape, and an accepted run's plan
//      must be a topological order of its jobs;
//   4. the DAG planner on the same jobs and edges without the run validator's earlier checks,
//      and the graph queries cascade cancel uses (descendants, parents, children, depth).
// The target always bounds the parse itself, so the validators never see a tree deeper than
// any configuration lets through, whatever the host wiring of the moment does.
#include <jobengine/canonical_json.hpp>
#include <jobengine/json_limits.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "api_error.hpp"
#include "core/dag_planner.hpp"
#include "fuzz_target.hpp"
#include "scheduler_harness.hpp"

namespace {

using jobengine::fuzz::fuzzCheck;
using jobengine::scheduler::ApiError;
using jobengine::scheduler::Dag;
using jobengine::scheduler::DagEdge;
using jobengine::scheduler::DagJob;
using jobengine::scheduler::JobRefusal;
using nlohmann::json;
namespace sdk = jobengine::sdk;

void checkCanonical(const json& body) {
  // A parsed value holds valid UTF-8 and finite numbers only, so canonicalization succeeds.
  const std::string canon = sdk::canonicalJson(body);
  const sdk::BoundedJson again = sdk::parseJsonBounded(canon, "canonical JSON");
  fuzzCheck(again.ok(), "canonical JSON does not parse");
  fuzzCheck(again.value == body, "canonical JSON parses to a different value");
  fuzzCheck(sdk::canonicalJson(again.value) == canon, "canonical JSON is not a fixed point");
  fuzzCheck(sdk::canonicalDigest(body) == sdk::sha256Digest(canon), "digest is not of canon");
  (void)body.dump();  // what a response or a JSON parameter does with it
}

// The order of an accepted run's plan is a permutation of its job keys in which every edge
// goes forward, and the critical path follows edges.
void checkRunPlan(const json& body, const json& result) {
  const json& plan = result.at("plan");
  std::map<std::string, size_t> position;
  for (const auto& key : plan.at("order")) {
    fuzzCheck(position.emplace(key.get<std::string>(), position.size()).second,
              "a key appears twice in the plan order");
  }
  fuzzCheck(position.size() == body.at("jobs").size(), "plan order misses jobs");
  std::set<std::pair<std::string, std::string>> edges;
  for (const auto& e : plan.at("edges")) {
    const auto parent = e.at("parent").get<std::string>();
    const auto child = e.at("child").get<std::string>();
    fuzzCheck(position.at(parent) < position.at(child), "an edge goes backwards in the plan");
    edges.emplace(parent, child);
  }
  const json& path = plan.at("criticalPath");
  for (size_t i = 1; i < path.size(); ++i) {
    fuzzCheck(edges.count({path[i - 1].get<std::string>(), path[i].get<std::string>()}) == 1,
              "the critical path leaves the edges");
  }
  fuzzCheck(result.at("jobs").size() == position.size(), "run answer lists other jobs");
}

// Jobs and edges as a run body names them, taken leniently (any string key, any cost).
void checkPlanner(const json& body) {
  if (!body.is_object() || !body.contains("jobs") || !body["jobs"].is_array()) {
    return;
  }
  std::vector<DagJob> jobs;
  std::vector<DagEdge> edges;
  for (const auto& job : body["jobs"]) {
    if (!job.is_object() || !job.contains("key") || !job["key"].is_string()) {
      continue;
    }
    DagJob dj{job["key"].get<std::string>(), std::nullopt};
    if (job.contains("cost") && job["cost"].is_number()) {
      dj.cost = job["cost"].get<double>();
    }
    jobs.push_back(dj);
    if (job.contains("dependsOn") && job["dependsOn"].is_array()) {
      for (const auto& p : job["dependsOn"]) {
        if (p.is_string()) {
          edges.push_back({p.get<std::string>(), dj.key});
        }
      }
    }
  }
  if (body.contains("dependencies") && body["dependencies"].is_array()) {
    for (const auto& d : body["dependencies"]) {
      if (d.is_object() && d.contains("parent") && d["parent"].is_string() && d.contains("child") &&
          d["child"].is_string()) {
        edges.push_back({d["parent"].get<std::string>(), d["child"].get<std::string>()});
      }
    }
  }
  const auto result = Dag::build(jobs, edges);
  if (!result.ok()) {
    fuzzCheck(!result.dag.has_value(), "a refused DAG still has a plan");
    for (const auto& e : result.errors) {
      fuzzCheck(!e.code.empty() && !e.message.empty(), "a DAG error without code or message");
    }
    return;
  }
  const Dag& dag = *result.dag;
  fuzzCheck(dag.plan().order.size() == dag.size(), "plan order and DAG size differ");
  for (const auto& key : dag.plan().order) {
    const auto depth = dag.depth(key);
    fuzzCheck(depth.has_value(), "a planned key has no depth");
    for (const auto& parent : dag.parents(key)) {
      fuzzCheck(dag.depth(parent).value_or(-1) < *depth, "a parent is not shallower");
    }
    fuzzCheck(dag.parentCount(key).value_or(0) == dag.parents(key).size(), "parent count");
    for (const auto& d : dag.descendants(key)) {
      fuzzCheck(d != key, "a job descends from itself in an accepted DAG");
    }
    fuzzCheck(dag.contains(key), "a planned key is not in the DAG");
    (void)dag.children(key);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // One service for the whole run: building it per input would only measure setup.
  static jobengine::fuzz::SchedulerHarness harness;

  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const sdk::BoundedJson parsed =
      sdk::parseJsonBounded(text, "request body", sdk::kJsonMaxDepthCeiling);
  if (!parsed.ok()) {
    fuzzCheck(!parsed.error.empty(), "a refusal without a message");
    return 0;
  }
  const json& body = parsed.value;
  checkCanonical(body);

  try {
    const json out = harness.enqueue(body);
    fuzzCheck(out.at("jobs").is_array() && !out["jobs"].empty(), "enqueue answered no jobs");
    (void)out.dump();
  } catch (const JobRefusal& refusal) {
    const ApiError e(refusal);
    fuzzCheck(e.status() >= 400 && e.status() < 500, "enqueue refusal is not a 4xx");
  }
  try {
    const json out = harness.createRun(body);
    checkRunPlan(body, out);
    (void)out.dump();
  } catch (const JobRefusal& refusal) {
    const ApiError e(refusal);
    fuzzCheck(e.status() >= 400 && e.status() < 500, "run refusal is not a 4xx");
  }
  checkPlanner(body);
  return 0;
}
