// limit_rows.cpp — see limit_rows.hpp.
#include "limit_rows.hpp"

#include <algorithm>

#include "store_time.hpp"

namespace jobengine::ratelimit {

using nlohmann::json;

QuotaRow quotaFromState(const json& row) {
  QuotaRow out;
  out.id = row.at("id").get<std::string>();
  out.quota.paused = row.value("paused", false);
  if (row.at("maxActive").is_number()) {
    out.quota.max_active = row["maxActive"].get<int>();
  }
  if (row.at("maxPerHour").is_number()) {
    const int per_hour = row["maxPerHour"].get<int>();
    const int burst = row.at("burst").is_number() ? row["burst"].get<int>() : std::max(1, per_hour);
    TokenBucket bucket = makeQuotaBucket(per_hour, burst, fromMicros(row.at("tokensAt")));
    bucket.level = row.at("tokens").get<double>();
    out.quota.bucket = bucket;
  }
  return out;
}

Throttle throttleFromState(const json& row) {
  Throttle t;
  t.id = row.at("id").get<std::string>();
  t.target_kind =
      row.at("targetKind") == "source" ? ThrottleTarget::source : ThrottleTarget::job_type;
  t.target = row.at("target").get<std::string>();
  t.action = row.at("action") == "cap" ? ThrottleAction::cap : ThrottleAction::pause;
  t.max_active = row.at("maxActive").is_number() ? row["maxActive"].get<int>() : 0;
  t.expires_at = microsOr(row.at("expiresAt"), kNever);
  return t;
}

CircuitBreaker breakerFromState(const json& row) {
  CircuitBreaker b;
  b.state = breakerStateFromName(row.at("state").get<std::string>());
  for (const auto& slot : row.value("slots", json::array())) {
    b.slots.push_back(BreakerSlot{fromMicros(slot.at("start").get<int64_t>()), slot.value("ok", 0),
                                  slot.value("failed", 0)});
  }
  b.opened_until = microsOr(row.value("openedUntil", json(nullptr)), TimePoint{});
  b.probes_admitted = row.value("probesAdmitted", 0);
  b.probe_successes = row.value("probeSuccesses", 0);
  return b;
}

const char* breakerStateName(BreakerState state) {
  switch (state) {
    case BreakerState::open:
      return "open";
    case BreakerState::half_open:
      return "half_open";
    case BreakerState::closed:
      break;
  }
  return "closed";
}

BreakerState breakerStateFromName(const std::string& name) {
  if (name == "open") {
    return BreakerState::open;
  }
  return name == "half_open" ? BreakerState::half_open : BreakerState::closed;
}

// Every slot is kept, empty ones too: the ring is positional (a slot's index is its interval
// number modulo kBreakerSlots), and a ring of another size is rebuilt empty by the core.
json slotsToJson(const CircuitBreaker& breaker) {
  json slots = json::array();
  for (const auto& s : breaker.slots) {
    slots.push_back(
        {{"start", toMicros(s.slot_start)}, {"ok", s.successes}, {"failed", s.failures}});
  }
  return slots;
}

}  // namespace jobengine::ratelimit
