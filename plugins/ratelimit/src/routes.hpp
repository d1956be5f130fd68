// HTTP routes of the ratelimit plugin: translation between the SDK's Request/Response and the
// domain. Registered from the plugin's constructor (inside create()), nowhere else.
#pragma once

#include <jobengine/plugin.hpp>

#include "core/circuit_breaker.hpp"
#include "route_support.hpp"

namespace jobengine::ratelimit {

// Registers every route of the plugin: GET /ratelimit/info (info = {id, version, description,
// config}), the quota, throttle, circuit-breaker and upstream-bucket operator routes. `jobs`
// returns je.jobs once start() looked it up (nullptr before); `breaker` sets the window the
// breaker views count over.
void registerRoutes(sdk::Host& host, const nlohmann::json& info, JobsAccessor jobs = nullptr,
                    const BreakerConfig& breaker = BreakerConfig{});

}  // namespace jobengine::ratelimit
