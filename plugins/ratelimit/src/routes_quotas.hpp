// routes_quotas.hpp — /api/v1/jobengine/quotas: CRUD with ETag / If-Match, pause / resume and the
// summary (SPEC §3, §5.1). Registered from registerRoutes (routes.cpp).
#pragma once

#include "route_support.hpp"

namespace jobengine::ratelimit {

void registerQuotaRoutes(sdk::Host& host, sdk::ApiDoc& doc, const RouteContext& ctx);

}  // namespace jobengine::ratelimit
