// routes_throttles.hpp — /api/v1/jobengine/throttles: operator overrides with an expiry
// (SPEC §3, §5.1). Registered from registerRoutes (routes.cpp).
#pragma once

#include "route_support.hpp"

namespace jobengine::ratelimit {

void registerThrottleRoutes(sdk::Host& host, sdk::ApiDoc& doc, const RouteContext& ctx);

}  // namespace jobengine::ratelimit
