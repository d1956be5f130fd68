// sync_dag.cpp — see sync_dag.hpp.
#include "core/sync_dag.hpp"

#include <set>
#include <string_view>

namespace jobengine::scheduler {

namespace {

bool charsIn(std::string_view s, std::string_view extra, size_t max) {
  if (s.empty() || s.size() > max) {
    return false;
  }
  for (const char c : s) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || extra.find(c) != std::string_view::npos;
    if (!ok) {
      return false;
    }
  }
  return true;
}

std::string unknownField(const nlohmann::json& obj, const std::set<std::string>& allowed,
                         const std::string& where) {
  for (const auto& item : obj.items()) {
    if (allowed.count(item.key()) == 0) {
      return where + item.key() + ": unknown field";
    }
  }
  return "";
}

}  // namespace

SyncDagParse parseSyncDag(const nlohmann::json& body) {
  SyncDagParse out;
  if (!body.is_object()) {
    out.error = "the declaration must be a JSON object {kind, steps}";
    return out;
  }
  if (out.error = unknownField(body, {"kind", "steps"}, ""); !out.error.empty()) {
    return out;
  }
  if (!body.contains("kind") || !body["kind"].is_string() ||
      !charsIn(body["kind"].get<std::string>(), "._-", 64)) {
    out.error = "kind: required, 1-64 characters of a-z 0-9 . _ -, e.g. \"concelier.osv\"";
    return out;
  }
  out.dag.kind = body["kind"].get<std::string>();
  if (!body.contains("steps") || !body["steps"].is_array() || body["steps"].empty() ||
      body["steps"].size() > 16) {
    out.error = "steps: required, an array of 1 to 16 steps";
    return out;
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < body["steps"].size(); ++i) {
    const auto& s = body["steps"][i];
    const std::string where = "steps[" + std::to_string(i) + "]";
    if (!s.is_object()) {
      out.error = where + ": must be an object {key, jobType, dependsOn}";
      return out;
    }
    if (out.error = unknownField(s, {"key", "jobType", "dependsOn"}, where + ".");
        !out.error.empty()) {
      return out;
    }
    SyncDagStep step;
    if (!s.contains("key") || !s["key"].is_string() ||
        !charsIn(s["key"].get<std::string>(), "_-", 64)) {
      out.error = where + ".key: required, 1-64 characters of a-z 0-9 _ -";
      return out;
    }
    step.key = s["key"].get<std::string>();
    if (seen.count(step.key) != 0) {
      out.error = where + ".key: '" + step.key + "' is used twice";
      return out;
    }
    if (!s.contains("jobType") || !s["jobType"].is_string() ||
        !charsIn(s["jobType"].get<std::string>(), "._-", 128)) {
      out.error = where + ".jobType: required, a job type such as \"concelier.fetch\"";
      return out;
    }
    step.job_type = s["jobType"].get<std::string>();
    if (s.contains("dependsOn")) {
      if (!s["dependsOn"].is_array()) {
        out.error = where + ".dependsOn: must be an array of earlier step keys";
        return out;
      }
      for (const auto& parent : s["dependsOn"]) {
        if (!parent.is_string() || seen.count(parent.get<std::string>()) == 0) {
          out.error = where + ".dependsOn: " + parent.dump() +
                      " is not the key of an earlier step (steps are listed in order)";
          return out;
        }
        step.depends_on.push_back(parent.get<std::string>());
      }
    }
    seen.insert(step.key);
    out.dag.steps.push_back(std::move(step));
  }
  return out;
}

std::vector<std::string> sinkKeys(const SyncDag& dag) {
  std::set<std::string> parents;
  for (const auto& step : dag.steps) {
    parents.insert(step.depends_on.begin(), step.depends_on.end());
  }
  std::vector<std::string> sinks;
  for (const auto& step : dag.steps) {
    if (parents.count(step.key) == 0) {
      sinks.push_back(step.key);
    }
  }
  return sinks;
}

std::string SyncDagRegistry::declare(const std::string& owner, SyncDag dag) {
  std::lock_guard<std::mutex> lock(mu_);
  const auto found = by_kind_.find(dag.kind);
  if (found != by_kind_.end()) {
    return "the sync DAG of kind '" + dag.kind + "' is already declared by plugin '" +
           found->second.first + "'";
  }
  std::string kind = dag.kind;
  by_kind_.emplace(std::move(kind), std::make_pair(owner, std::move(dag)));
  return "";
}

std::optional<SyncDag> SyncDagRegistry::find(const std::string& kind) const {
  std::lock_guard<std::mutex> lock(mu_);
  const auto found = by_kind_.find(kind);
  if (found == by_kind_.end()) {
    return std::nullopt;
  }
  return found->second.second;
}

}  // namespace jobengine::scheduler
