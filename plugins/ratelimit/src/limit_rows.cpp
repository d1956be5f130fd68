// limit_rows.cpp — see limit_rows.hpp.
#include "limit_rows.hpp"

#include <algorithm>

#include "common_store.hpp"
#include "core/limit_views.hpp"

namespace jobengine::ratelimit {

using nlohmann::json;

AdmissionQuota quotaFromState(const json& row) {
  AdmissionQuota out;
  out.id = row.at("id").get<std::string>();
  out.quota.paused = row.value("paused", false);
  if (row.at("maxActive").is_number()) {
    out.quota.max_active = row["maxActive"].get<int>();
  }
  if (row.at("maxPerHour").is_number()) {
    const int per_hour = row["maxPerHour"].get<int>();
    const int burst = row.at("burst").is_number() ? row["burst"].get<int>() : std::max(1, per_hour);
    TokenBucket bucket =
        makeQuotaBucket(per_hour, burst, fromEpochMicros(row.at("tokensAt").get<int64_t>()));
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
  t.expires_at = epochMicrosOr(row.at("expiresAt"), kNever);
  return t;
}

CircuitBreaker breakerFromState(const json& row) {
  CircuitBreaker b;
  b.state = breakerStateFromText(row.at("state").get<std::string>());
  b.slots = breakerSlotsFromJson(row.value("slots", json::array()));
  b.opened_until = epochMicrosOr(row.value("openedUntil", json(nullptr)), TimePoint{});
  b.probes_admitted = row.value("probesAdmitted", 0);
  b.probe_successes = row.value("probeSuccesses", 0);
  return b;
}

}  // namespace jobengine::ratelimit
