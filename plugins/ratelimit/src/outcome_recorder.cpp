// outcome_recorder.cpp — see outcome_recorder.hpp.
#include "outcome_recorder.hpp"

#include <stdexcept>

#include "common_store.hpp"
#include "core/circuit_breaker.hpp"
#include "core/limit_views.hpp"
#include "core/outcome_flush.hpp"
#include "limit_rows.hpp"

namespace jobengine::ratelimit {

namespace {

using nlohmann::json;

// Creates the breaker on first use; the no-op update locks an existing row either way.
const char* kLockBreaker = R"SQL(
INSERT INTO ratelimit.breakers AS b (tenant_id, job_type) VALUES ($1, $2)
ON CONFLICT (tenant_id, job_type) DO UPDATE SET updated_at = b.updated_at
RETURNING b.state, b.window_slots, (extract(epoch FROM b.opened_until) * 1000000)::bigint,
          b.probes_admitted, b.probe_successes, (extract(epoch FROM now()) * 1000000)::bigint
)SQL";

const char* kSaveBreaker = R"SQL(
UPDATE ratelimit.breakers
SET state = $3, window_slots = $4::jsonb,
    opened_until = CASE WHEN $5::bigint IS NULL THEN NULL
                        ELSE timestamptz 'epoch' + $5::bigint * interval '1 microsecond' END,
    probes_admitted = $6::int, probe_successes = $7::int, updated_at = now(),
    changed_at = CASE WHEN state <> $3 THEN now() ELSE changed_at END
WHERE tenant_id = $1 AND job_type = $2
)SQL";

int64_t countOf(const json& o, const char* field) {
  const json v = o.value(field, json(0));
  if (!v.is_number_integer() || v.get<int64_t>() < 0) {
    throw std::invalid_argument(std::string("record_outcomes: ") + field +
                                " must be an integer >= 0");
  }
  return v.get<int64_t>();
}

}  // namespace

void OutcomeRecorder::add(const json& request) {
  if (!request.is_object() || !request.contains("outcomes") || !request["outcomes"].is_array()) {
    throw std::invalid_argument("record_outcomes: the request must be {\"outcomes\": [...]}");
  }
  Folded batch;
  for (const auto& o : request["outcomes"]) {
    if (!o.is_object() || !o.contains("tenant") || !o["tenant"].is_string() ||
        !o.contains("jobType") || !o["jobType"].is_string()) {
      throw std::invalid_argument("record_outcomes: each outcome needs tenant and jobType");
    }
    Counts& c = batch[{o["tenant"].get<std::string>(), o["jobType"].get<std::string>()}];
    c.succeeded += countOf(o, "succeeded");
    c.failed += countOf(o, "failed");
  }
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& [key, c] : batch) {
    folded_[key].succeeded += c.succeeded;
    folded_[key].failed += c.failed;
  }
}

void OutcomeRecorder::sawBreaker(const Key& key, BreakerState state) {
  std::lock_guard<std::mutex> lock(mutex_);
  known_[key].state = state;
}

void OutcomeRecorder::putBack(const Folded& folded) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& [key, c] : folded) {
    folded_[key].succeeded += c.succeeded;
    folded_[key].failed += c.failed;
  }
}

void OutcomeRecorder::flush(bool everything) {
  const auto now = std::chrono::steady_clock::now();
  std::map<std::string, Folded> by_tenant;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto f = folded_.begin(); f != folded_.end();) {
      const auto known = known_.find(f->first);
      const bool due = known == known_.end()
                           ? outcomesDue(f->second.failed, std::nullopt, {}, everything)
                           : outcomesDue(f->second.failed, known->second.state,
                                         now - known->second.written, everything);
      if (!due) {
        ++f;
        continue;
      }
      by_tenant[f->first.first][f->first] = f->second;
      f = folded_.erase(f);
    }
  }
  for (const auto& [tenant, folded] : by_tenant) {
    try {
      const auto states = writeTenant(tenant, folded);
      std::lock_guard<std::mutex> lock(mutex_);
      for (const auto& [key, state] : states) {
        known_[key] = Known{state, now};
      }
    } catch (const std::exception& e) {
      host_.warn("circuit breakers of tenant '" + tenant + "' not updated (kept for the next " +
                 "flush): " + e.what());
      putBack(folded);
    }
  }
}

std::map<OutcomeRecorder::Key, BreakerState> OutcomeRecorder::writeTenant(const std::string& tenant,
                                                                          const Folded& folded) {
  std::map<Key, BreakerState> states;
  const BreakerConfig config = breakerConfigOf(settings_);
  auto txn = host_.begin(tenant);
  json events = json::array();
  for (const auto& [key, counts] : folded) {
    const std::string& job_type = key.second;
    CircuitBreaker breaker;
    TimePoint now{};
    txn.exec(kLockBreaker, {tenant, job_type}, [&](const sdk::Row& r) {
      breaker = breakerFromState({{"state", r.str(0)},
                                  {"slots", r.json(1)},
                                  {"openedUntil", r.isNull(2) ? json(nullptr) : json(r.i64(2))},
                                  {"probesAdmitted", r.i64(3)},
                                  {"probeSuccesses", r.i64(4)}});
      now = fromEpochMicros(r.i64(5));
    });
    // Failures first: in half_open a failure in the same flush as successes reopens (the
    // cautious reading of outcomes whose order within the interval is unknown).
    std::vector<Transition> transitions;
    for (int64_t i = 0; i < counts.failed; ++i) {
      if (auto t = recordOutcome(breaker, config, false, now)) {
        transitions.push_back(*t);
      }
    }
    for (int64_t i = 0; i < counts.succeeded; ++i) {
      if (auto t = recordOutcome(breaker, config, true, now)) {
        transitions.push_back(*t);
      }
    }
    states[key] = breaker.state;
    const bool open = breaker.state == BreakerState::open;
    txn.exec(kSaveBreaker,
             {tenant, job_type, breakerStateText(breaker.state),
              breakerSlotsToJson(breaker.slots).dump(),
              open ? std::optional<int64_t>(toEpochMicros(breaker.opened_until)) : std::nullopt,
              breaker.probes_admitted, breaker.probe_successes});
    for (const auto& t : transitions) {
      const WindowCounts w = windowCounts(breaker, config, now);
      json data = {{"jobType", job_type},
                   {"from", breakerStateText(t.from)},
                   {"to", breakerStateText(t.to)},
                   {"completions", w.completions},
                   {"failures", w.failures}};
      if (t.to == BreakerState::open) {
        data["openedUntil"] = rfc3339(breaker.opened_until);
      }
      events.push_back(
          {{"eventType", t.to == BreakerState::open ? "circuit.opened" : "circuit.closed"},
           {"data", data}});
    }
  }
  if (!events.empty()) {
    host_.emitBatch(txn, events);
  }
  txn.commit();
  return states;
}

}  // namespace jobengine::ratelimit
