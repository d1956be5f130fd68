// limit_rows.hpp — the rows of ratelimit.admission_state_v1 (migrations/ratelimit/0002) as the
// decision core's plain structs. Times are epoch microseconds of the database clock
// (common_store.hpp); the breaker window is core/limit_views' JSON form.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "core/admission.hpp"
#include "core/circuit_breaker.hpp"
#include "core/throttle.hpp"

namespace jobengine::ratelimit {

// A quota row: its id (to write the bucket back) and the core's view of it.
struct AdmissionQuota {
  std::string id;
  Quota quota;
};

AdmissionQuota quotaFromState(const nlohmann::json& row);
Throttle throttleFromState(const nlohmann::json& row);
CircuitBreaker breakerFromState(const nlohmann::json& row);

}  // namespace jobengine::ratelimit
