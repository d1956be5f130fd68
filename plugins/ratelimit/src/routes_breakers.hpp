// routes_breakers.hpp — /api/v1/jobengine/circuit-breakers (list, reset) and
// /api/v1/jobengine/ratelimit/buckets (the upstream token buckets), SPEC §3, §5.1. Registered
// from registerRoutes (routes.cpp).
#pragma once

#include "route_support.hpp"

namespace jobengine::ratelimit {

void registerBreakerRoutes(sdk::Host& host, sdk::ApiDoc& doc, const RouteContext& ctx);

}  // namespace jobengine::ratelimit
