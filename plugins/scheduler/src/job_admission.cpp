// JobService, admission: leasing through je.ratelimit when a plugin provides it (SPEC §2–§3).
//
// Without je.ratelimit every path leases at once (kClaimBatch, the enqueue hand-off). With it,
// a claim first asks which of its job types have any limit (limited_types, one read; the
// runner's round asks once for all its lease groups): the others are claimed in one statement
// per lease group as without it (kClaimBatchUnlessPaused), and so are the limited ones the
// ratelimit plugin's local reservations cover for the whole claim ("covered", ABI 1.6; what
// the claim leased of them is then settled once with settle_claim). For the limited types, and
// for the enqueue hand-off, every lease asks first, in the same transaction:
//   1. lock the candidates without changing them (kLockCandidates, or the jobs just enqueued),
//   2. group them by (tenant, job type, source) in claim order and ask admit() how many of each
//      group may be leased now (the ratelimit plugin locks its limits, counts the active jobs
//      through je.jobs count_jobs and takes tokens for the admitted ones only),
//   3. lease the admitted (kLeaseLocked) and throttle the rest with the honest reason and each
//      job's own nextEligibleAt (kThrottleBatch); the sweep returns them to queued when due.
// Paused sources are the scheduler's own fact: a group whose source is paused is sent with
// sourcePaused and comes back refused with source_paused.
#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "core/sql.hpp"
#include "job_service.hpp"

namespace jobengine::scheduler {

namespace {

using nlohmann::json;

// Candidates grouped by (tenant, job type, source) in first-seen order, each group keeping
// its jobs in claim order.
struct Groups {
  std::vector<std::tuple<std::string, std::string, std::string>> keys;
  std::vector<std::vector<std::string>> job_ids;
};

Groups groupOf(const std::vector<LeaseCandidate>& candidates) {
  Groups g;
  std::map<std::tuple<std::string, std::string, std::string>, size_t> index;
  for (const auto& c : candidates) {
    const auto key = std::make_tuple(c.tenant, c.job_type, c.source_id);
    auto [it, inserted] = index.emplace(key, g.keys.size());
    if (inserted) {
      g.keys.push_back(key);
      g.job_ids.emplace_back();
    }
    g.job_ids[it->second].push_back(c.id);
  }
  return g;
}

}  // namespace

std::vector<Grant> JobService::admitAndLease(sdk::Txn& txn,
                                             const std::vector<LeaseCandidate>& candidates,
                                             int lease_seconds, const std::string& worker_id) {
  if (candidates.empty()) {
    return {};
  }
  const Groups groups = groupOf(candidates);
  const std::set<std::pair<std::string, std::string>> paused = pausedSources(txn, candidates);
  json request = json::array();
  for (const auto& [tenant, job_type, source_id] : groups.keys) {
    const size_t i = request.size();
    request.push_back({{"tenant", tenant},
                       {"jobType", job_type},
                       {"sourceId", source_id.empty() ? json(nullptr) : json(source_id)},
                       {"requested", groups.job_ids[i].size()}});
    if (!source_id.empty() && paused.count({tenant, source_id}) > 0) {
      request.back()["sourcePaused"] = true;
    }
  }
  const json answer = ratelimit_->admit(txn, {{"groups", request}});
  const json& decided = answer.at("groups");
  if (!decided.is_array() || decided.size() != groups.keys.size()) {
    throw sdk::Error(JE_ERR_INTERNAL, "je.ratelimit admit answered " +
                                          std::to_string(decided.size()) + " groups for " +
                                          std::to_string(groups.keys.size()));
  }
  json lease = json::array();
  std::vector<std::string> lease_rows;  // their ctids, when every candidate has one
  bool by_row = true;
  std::map<std::string, const LeaseCandidate*> by_id;
  for (const auto& c : candidates) {
    by_id[c.id] = &c;
    by_row = by_row && !c.row_id.empty();
  }
  json throttle = json::array();
  for (size_t g = 0; g < groups.keys.size(); ++g) {
    const std::string& tenant = std::get<0>(groups.keys[g]);
    const auto& ids = groups.job_ids[g];
    const auto admitted = static_cast<size_t>(decided[g].value("admitted", 0));
    for (size_t j = 0; j < ids.size(); ++j) {
      if (j < admitted) {
        lease.push_back({{"tenant_id", tenant}, {"job_id", ids[j]}});
        if (by_row) {
          lease_rows.push_back(by_id.at(ids[j])->row_id);
        }
        continue;
      }
      const json& next = decided[g].at("nextEligibleAt");
      const size_t k = j - admitted;
      throttle.push_back({{"tenant_id", tenant},
                          {"job_id", ids[j]},
                          {"reason", decided[g].value("reason", "throttled")},
                          {"next_eligible_at", k < next.size() ? next[k] : json(nullptr)}});
    }
  }
  if (!throttle.empty()) {
    txn.exec(sql::kThrottleBatch, {throttle.dump(), worker_id});
    host_.counterAdd("scheduler_jobs_throttled_total",
                     "Jobs refused by je.ratelimit at lease time and throttled", json::object(),
                     static_cast<double>(throttle.size()));
    if (throttled_wake_) {
      txn.onCommit(throttled_wake_);
    }
  }
  if (lease.empty()) {
    return {};
  }
  if (by_row) {
    return grantsOf(txn, sql::kLeaseByRowId, {textArray(lease_rows), lease_seconds, worker_id});
  }
  return leaseJobs(txn, lease, lease_seconds, worker_id);
}

std::vector<std::vector<Grant>> JobService::claimWithRateLimit(
    sdk::Txn& txn, const std::vector<LeaseGroup>& groups, int max_count,
    const std::string& worker_id) {
  // One limited_types for every group's types: the types nothing limits, and those the
  // provider's reservations cover for max_count jobs (ABI 1.6), are claimed in one statement
  // per group; the others through admission.
  json all_types = json::array();
  for (const auto& group : groups) {
    for (const auto& t : group.types) {
      all_types.push_back(t);
    }
  }
  const json answer =
      ratelimit_->limitedTypes(txn, {{"jobTypes", all_types}, {"maxCount", max_count}});
  std::set<std::string> limited;
  for (const auto& t : answer.value("limited", json::array())) {
    limited.insert(t.get<std::string>());
  }
  std::set<std::string> covered;
  for (const auto& t : answer.value("covered", json::array())) {
    covered.insert(t.get<std::string>());
  }
  std::vector<std::vector<Grant>> grants(groups.size());
  std::vector<std::vector<std::string>> admitted_types(groups.size());
  std::vector<std::vector<std::string>> unclaimed_free(groups.size());
  size_t leased = 0;
  bool any_free_leased = false;
  for (size_t g = 0; g < groups.size(); ++g) {
    std::vector<std::string> free_types;
    for (const auto& t : groups[g].types) {
      (limited.count(t) > 0 ? admitted_types[g] : free_types).push_back(t);
    }
    const int room = max_count - static_cast<int>(leased);
    if (free_types.empty() || room <= 0) {
      continue;
    }
    grants[g] = grantsOf(txn, sql::kClaimBatchUnlessPaused,
                         {textArray(free_types), room, groups[g].lease_seconds, worker_id});
    leased += grants[g].size();
    any_free_leased = any_free_leased || !grants[g].empty();
    if (grants[g].empty()) {
      unclaimed_free[g] = std::move(free_types);
    }
  }
  if (answer.contains("claim")) {
    settleCoveredClaim(answer["claim"], covered, grants);
  }
  for (size_t g = 0; g < groups.size(); ++g) {
    // A free claim that leased nothing found nothing queued, or was gated because a source is
    // paused: admission tells them apart. Any free claim of this round that leased something
    // saw no paused source, so the empty ones were empty.
    if (!any_free_leased) {
      admitted_types[g].insert(admitted_types[g].end(), unclaimed_free[g].begin(),
                               unclaimed_free[g].end());
    }
    const int room = max_count - static_cast<int>(leased);
    if (admitted_types[g].empty() || room <= 0) {
      continue;
    }
    auto more = claimAdmitted(txn, admitted_types[g], room, groups[g].lease_seconds, worker_id);
    leased += more.size();
    for (auto& grant : more) {
      grants[g].push_back(std::move(grant));
    }
  }
  return grants;
}

void JobService::settleCoveredClaim(const json& claim, const std::set<std::string>& covered,
                                    const std::vector<std::vector<Grant>>& grants) {
  std::map<std::pair<std::string, std::string>, int64_t> leased;
  for (const auto& group : grants) {
    for (const auto& g : group) {
      if (covered.count(g.job_type) > 0) {
        leased[{g.tenant, g.job_type}] += 1;
      }
    }
  }
  json rows = json::array();
  for (const auto& [key, n] : leased) {
    rows.push_back({{"tenant", key.first}, {"jobType", key.second}, {"count", n}});
  }
  ratelimit_->settleClaim({{"claim", claim}, {"leased", rows}});
}

std::vector<Grant> JobService::claimAdmitted(sdk::Txn& txn, const std::vector<std::string>& types,
                                             int max_count, int lease_seconds,
                                             const std::string& worker_id) {
  std::vector<LeaseCandidate> candidates;
  txn.exec(sql::kLockCandidates, {textArray(types), max_count}, [&](const sdk::Row& r) {
    candidates.push_back({r.str(0), r.str(1), r.str(2), r.opt(3).value_or(""), r.str(5)});
  });
  return admitAndLease(txn, candidates, lease_seconds, worker_id);
}

std::set<std::pair<std::string, std::string>> JobService::pausedSources(
    sdk::Txn& txn, const std::vector<LeaseCandidate>& candidates) {
  json sources = json::array();
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& c : candidates) {
    if (!c.source_id.empty() && seen.emplace(c.tenant, c.source_id).second) {
      sources.push_back({{"tenant_id", c.tenant}, {"source_id", c.source_id}});
    }
  }
  std::set<std::pair<std::string, std::string>> paused;
  if (sources.empty()) {
    return paused;
  }
  txn.exec(sql::kPausedSources, {sources.dump()},
           [&](const sdk::Row& r) { paused.emplace(r.str(0), r.str(1)); });
  return paused;
}

void JobService::refuseOverBacklog(sdk::Txn& txn, const json& records) {
  json by_type = json::object();
  for (const auto& r : records) {
    const std::string type = r.at("job_type").get<std::string>();
    by_type[type] = by_type.value(type, 0) + 1;
  }
  const std::string tenant = txn.tenant();
  const json answer = ratelimit_->checkBacklog(txn, {{"tenant", tenant}, {"jobTypes", by_type}});
  if (answer.value("allowed", true)) {
    return;
  }
  const json type = answer.value("jobType", json(nullptr));
  const int64_t retry = std::max<int64_t>(1, answer.value("retryAfterSeconds", int64_t{1}));
  throw JobRefusal(RefusalKind::kOverloaded, "BACKLOG_LIMIT",
                   "tenant '" + tenant + "' has " + std::to_string(answer.value("backlog", 0)) +
                       " jobs waiting" +
                       (type.is_string() ? " of type '" + type.get<std::string>() + "'" : "") +
                       " (limit " + std::to_string(answer.value("limit", 0)) +
                       "); nothing was enqueued; retry after " + std::to_string(retry) + " s",
                   json{{"jobType", type},
                        {"limit", answer.value("limit", 0)},
                        {"backlog", answer.value("backlog", 0)},
                        {"retryAfterSeconds", retry}});
}

void JobService::recordOutcomesAfterCommit(sdk::Txn& txn, const std::vector<Completion>& items,
                                           const std::map<std::string, std::string>& type_of) {
  if (!ratelimit_) {
    return;
  }
  // (tenant, job type) -> {succeeded, failed}; canceled counts neither (SPEC §3 breakers
  // judge the upstream work, not an operator's cancel).
  std::map<std::pair<std::string, std::string>, std::pair<int, int>> counts;
  for (const auto& c : items) {
    auto type = type_of.find(c.job_id);
    if (type == type_of.end() || c.status == "canceled") {
      continue;
    }
    auto& n = counts[{c.tenant, type->second}];
    (c.status == "succeeded" ? n.first : n.second) += 1;
  }
  if (counts.empty()) {
    return;
  }
  json outcomes = json::array();
  for (const auto& [key, n] : counts) {
    outcomes.push_back({{"tenant", key.first},
                        {"jobType", key.second},
                        {"succeeded", n.first},
                        {"failed", n.second}});
  }
  txn.onCommit([this, body = json{{"outcomes", std::move(outcomes)}}] {
    try {
      ratelimit_->recordOutcomes(body);
    } catch (const std::exception& e) {
      host_.warn(std::string("je.ratelimit record_outcomes failed (breakers miss them): ") +
                 e.what());
    }
  });
}

}  // namespace jobengine::scheduler
