// admission_store.cpp — see admission_store.hpp.
#include "admission_store.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>
#include <utility>

#include "common_store.hpp"
#include "core/limit_views.hpp"
#include "core/reservation_size.hpp"
#include "limit_rows.hpp"

namespace jobengine::ratelimit {

namespace {

using nlohmann::json;
using Key = std::pair<std::string, std::string>;  // (tenant, job type)

// A pause with no known end (a paused quota, a paused source) looks again this often: long
// enough that a large paused backlog does not churn, short enough that a resume is felt soon.
constexpr std::chrono::seconds kPauseRecheck{30};

const char* kLoadState = "SELECT ratelimit.admission_state_v2($1::jsonb)";

// Writes back what admission spent: quota buckets and breakers that left `closed`.
const char* kSaveState = R"SQL(
WITH q AS (
  UPDATE ratelimit.quotas t
  SET tokens = x.tokens, tokens_at = timestamptz 'epoch' + x.at_us * interval '1 microsecond'
  FROM jsonb_to_recordset($1::jsonb) AS x(tenant_id text, id uuid, tokens float8, at_us bigint)
  WHERE t.tenant_id = x.tenant_id AND t.id = x.id
  RETURNING 1
), b AS (
  UPDATE ratelimit.breakers t
  SET state = x.state, probes_admitted = x.probes_admitted, updated_at = now(),
      changed_at = CASE WHEN t.state <> x.state THEN now() ELSE t.changed_at END
  FROM jsonb_to_recordset($2::jsonb) AS x(tenant_id text, job_type text, state text,
                                          probes_admitted int)
  WHERE t.tenant_id = x.tenant_id AND t.job_type = x.job_type
  RETURNING 1
)
SELECT (SELECT count(*) FROM q), (SELECT count(*) FROM b)
)SQL";

struct Group {
  std::string tenant, job_type, source_id;
  int requested = 0;
  bool source_paused = false;
};

Group groupOf(const json& g) {
  if (!g.is_object() || !g.contains("tenant") || !g["tenant"].is_string() ||
      !g.contains("jobType") || !g["jobType"].is_string() || !g.contains("requested") ||
      !g["requested"].is_number_integer() || g["requested"].get<int64_t>() < 0) {
    throw std::invalid_argument(
        "admit: each group needs tenant, jobType and requested (an integer >= 0)");
  }
  Group out;
  out.tenant = g["tenant"].get<std::string>();
  out.job_type = g["jobType"].get<std::string>();
  const json source = g.value("sourceId", json(nullptr));
  out.source_id = source.is_string() ? source.get<std::string>() : "";
  out.requested = static_cast<int>(std::min<int64_t>(g["requested"].get<int64_t>(), 100000));
  out.source_paused = g.value("sourcePaused", false);
  return out;
}

// The smallest concurrency limit on (tenant, job type) among quota and caps, if any.
std::optional<int> concurrencyLimit(const AdmissionRequest& r, TimePoint now) {
  std::optional<int> limit;
  if (r.quota && r.quota->max_active) {
    limit = *r.quota->max_active;
  }
  const ThrottleEffect effect = effectiveThrottle(r.throttles, r.job_type, r.source_id, now);
  if (const auto cap = effect.smallestCap()) {
    limit = limit ? std::min(*limit, *cap) : *cap;
  }
  return limit;
}

}  // namespace

// The block the first admission of a key takes (reservation_keeper.hpp, claimFirstTake): the
// keeper's size for the room left once this admission's jobs are counted (`active`: the
// scheduler's count, other blocks and what this call admitted), 0 for none.
int64_t AdmissionStore::firstBlockSize(const Quota& quota, int64_t active) const {
  if (quota.paused) {
    return 0;
  }
  std::optional<int64_t> free_slots;
  if (quota.max_active) {
    free_slots = static_cast<int64_t>(*quota.max_active) - active;
  }
  std::optional<double> tokens;
  if (quota.bucket) {
    tokens = quota.bucket->level;
  }
  return reservationBlockSize(free_slots, tokens, settings_.reservation_min_block);
}

json AdmissionStore::admit(sdk::Txn& txn, const json& request) const {
  if (!request.is_object() || !request.contains("groups") || !request["groups"].is_array()) {
    throw std::invalid_argument("admit: the request must be {\"groups\": [...]}");
  }
  std::vector<Group> groups;
  json keys = json::array();
  for (const auto& g : request["groups"]) {
    groups.push_back(groupOf(g));
    keys.push_back({{"tenant", groups.back().tenant},
                    {"jobType", groups.back().job_type},
                    {"sourceId", groups.back().source_id.empty() ? json(nullptr)
                                                                 : json(groups.back().source_id)}});
  }
  json answer = {{"groups", json::array()}};
  if (groups.empty()) {
    return answer;
  }
  json state;
  txn.exec(kLoadState, {keys.dump()}, [&](const sdk::Row& r) { state = r.json(0); });
  const TimePoint now = fromEpochMicros(state.at("now").get<int64_t>());

  std::map<Key, AdmissionQuota> quotas;
  for (const auto& row : state.at("quotas")) {
    quotas.emplace(Key{row.at("tenant").get<std::string>(), row.at("jobType").get<std::string>()},
                   quotaFromState(row));
  }
  std::map<std::string, std::vector<Throttle>> throttles;  // by tenant
  for (const auto& row : state.at("throttles")) {
    throttles[row.at("tenant").get<std::string>()].push_back(throttleFromState(row));
  }
  std::map<Key, CircuitBreaker> breakers;  // the ones not closed
  for (const auto& row : state.at("breakers")) {
    const Key key{row.at("tenant").get<std::string>(), row.at("jobType").get<std::string>()};
    const CircuitBreaker& b = breakers.emplace(key, breakerFromState(row)).first->second;
    outcomes_.sawBreaker(key, b.state);  // its outcomes (a probe's) are then written promptly
  }
  std::map<Key, int64_t> reserved;  // slots of live reservations: active until released
  for (const auto& row : state.value("reserved", json::array())) {
    reserved[{row.at("tenant").get<std::string>(), row.at("jobType").get<std::string>()}] +=
        row.at("slots").get<int64_t>();
  }
  const BreakerConfig breaker_config = breakerConfigOf(settings_);

  std::map<Key, int64_t> active;  // counted once per key, plus what this call admitted
  std::map<Key, bool> bucket_spent;
  std::map<Key, bool> breaker_changed;
  for (const auto& g : groups) {
    const Key key{g.tenant, g.job_type};
    AdmissionRequest r;
    r.requested = g.requested;
    r.job_type = g.job_type;
    r.source_id = g.source_id;
    r.recheck = std::chrono::seconds(settings_.recheck_seconds);
    auto quota = quotas.find(key);
    if (quota != quotas.end()) {
      r.quota = quota->second.quota;
    }
    if (auto t = throttles.find(g.tenant); t != throttles.end()) {
      r.throttles = t->second;
    }
    if (g.source_paused && !g.source_id.empty()) {
      // The scheduler owns sources: its pause is a pause throttle on the source for us.
      Throttle paused;
      paused.id = "source:" + g.source_id;
      paused.target_kind = ThrottleTarget::source;
      paused.target = g.source_id;
      paused.expires_at = now + kPauseRecheck;
      r.throttles.push_back(paused);
    }
    auto breaker = breakers.find(key);
    if (breaker != breakers.end()) {
      r.breaker = BreakerInput{breaker->second, breaker_config};
    }
    if (const auto limit = concurrencyLimit(r, now)) {
      auto counted = active.find(key);
      if (counted == active.end()) {
        // Without je.jobs nothing can be counted: a concurrency limit then admits nothing.
        const int64_t n = counts_.available()
                              ? counts_.count(&txn, g.tenant, JE_JOBS_COUNT_ACTIVE, g.job_type,
                                              static_cast<int64_t>(*limit) + 1)
                              : static_cast<int64_t>(*limit);
        counted = active.emplace(key, n + reserved[key]).first;
      }
      r.active = static_cast<int>(counted->second);
    }
    AdmissionDecision d = decideAdmission(r, now);
    if (d.reason == kReasonQuotaPaused) {
      std::fill(d.next_eligible_at.begin(), d.next_eligible_at.end(), now + kPauseRecheck);
    }
    if (quota != quotas.end() && d.bucket) {
      quota->second.quota.bucket = d.bucket;
      bucket_spent[key] = bucket_spent[key] || d.admitted > 0;
    }
    if (breaker != breakers.end() && d.breaker) {
      breaker_changed[key] = breaker_changed[key] || d.breaker->state != breaker->second.state ||
                             d.breaker->probes_admitted != breaker->second.probes_admitted;
      breaker->second = *d.breaker;
    }
    active[key] += d.admitted;
    if (d.admitted > 0 && quota != quotas.end()) {
      const bool only_the_quota =
          !g.source_paused && r.throttles.empty() &&
          (breaker == breakers.end() || breaker->second.state == BreakerState::closed);
      const int64_t block =
          only_the_quota ? firstBlockSize(quota->second.quota, active[key]) : int64_t{0};
      if (block > 0 && reservations_.claimFirstTake(g.tenant, g.job_type)) {
        // The block's slots count as active and its tokens as spent for the rest of this call,
        // as they will for every admission once this transaction commits.
        std::optional<std::pair<double, int64_t>> tokens_left;
        if (auto& bucket = quota->second.quota.bucket) {
          bucket->level -= static_cast<double>(block);
          bucket_spent[key] = true;
          tokens_left = std::make_pair(bucket->level, toEpochMicros(bucket->updated_at));
        }
        active[key] += block;
        reservations_.takeInAdmission(txn, g.tenant, g.job_type, quota->second.id, block,
                                      tokens_left);
      } else {
        reservations_.noteDemand(g.tenant, g.job_type);
      }
    }
    json next = json::array();
    for (const auto& t : d.next_eligible_at) {
      next.push_back(rfc3339(t));
    }
    answer["groups"].push_back({{"admitted", d.admitted},
                                {"reason", d.reason.empty() ? json(nullptr) : json(d.reason)},
                                {"nextEligibleAt", next}});
  }

  json quota_rows = json::array();
  for (const auto& [key, spent] : bucket_spent) {
    const auto& q = quotas.at(key);
    if (spent && q.quota.bucket) {
      quota_rows.push_back({{"tenant_id", key.first},
                            {"id", q.id},
                            {"tokens", q.quota.bucket->level},
                            {"at_us", toEpochMicros(q.quota.bucket->updated_at)}});
    }
  }
  json breaker_rows = json::array();
  for (const auto& [key, changed] : breaker_changed) {
    if (changed) {
      const auto& b = breakers.at(key);
      breaker_rows.push_back({{"tenant_id", key.first},
                              {"job_type", key.second},
                              {"state", breakerStateText(b.state)},
                              {"probes_admitted", b.probes_admitted}});
    }
  }
  if (!quota_rows.empty() || !breaker_rows.empty()) {
    txn.exec(kSaveState, {quota_rows.dump(), breaker_rows.dump()});
  }
  return answer;
}

json AdmissionStore::limitedTypes(sdk::Txn& txn, const json& request) const {
  if (!request.is_object() || !request.contains("jobTypes") || !request["jobTypes"].is_array()) {
    throw std::invalid_argument("limited_types: the request must be {\"jobTypes\": [...]}");
  }
  for (const auto& t : request["jobTypes"]) {
    if (!t.is_string()) {
      throw std::invalid_argument("limited_types: jobTypes must be strings");
    }
  }
  const json max_count = request.value("maxCount", json(0));
  if (!max_count.is_number_integer() || max_count.get<int64_t>() < 0) {
    throw std::invalid_argument("limited_types: maxCount must be an integer >= 0");
  }
  if (request["jobTypes"].empty()) {
    return {{"limited", json::array()}, {"covered", json::array()}};
  }
  return reservations_.limitedTypes(txn, request["jobTypes"], max_count.get<int64_t>());
}

}  // namespace jobengine::ratelimit
