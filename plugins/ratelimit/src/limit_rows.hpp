// limit_rows.hpp — the rows of ratelimit.admission_state_v1 (migrations/ratelimit/0002) as the
// decision core's plain structs, and a breaker back as the columns it is stored in. Times are
// epoch microseconds of the database clock (store_time.hpp).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "core/admission.hpp"
#include "core/circuit_breaker.hpp"
#include "core/throttle.hpp"

namespace jobengine::ratelimit {

// A quota row: its id (to write the bucket back) and the core's view of it.
struct QuotaRow {
  std::string id;
  Quota quota;
};

QuotaRow quotaFromState(const nlohmann::json& row);
Throttle throttleFromState(const nlohmann::json& row);
CircuitBreaker breakerFromState(const nlohmann::json& row);

// "closed" | "open" | "half_open" and back; an unknown text reads as closed.
const char* breakerStateName(BreakerState state);
BreakerState breakerStateFromName(const std::string& name);

// The window as stored in ratelimit.breakers.window_slots: [{"start": µs, "ok", "failed"}].
nlohmann::json slotsToJson(const CircuitBreaker& breaker);

}  // namespace jobengine::ratelimit
