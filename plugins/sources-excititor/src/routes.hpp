// routes.hpp — the HTTP routes of sources-excititor under /api/v1/jobengine/excititor (SPEC
// §5.1): the plugin's info, the provider registry (the adapter kit's record_routes.hpp) and the
// statements (routes_statements.cpp). Registered from the plugin's constructor (inside create()).
#pragma once

#include <jobengine/adapter/record_routes.hpp>
#include <jobengine/api_doc.hpp>
#include <jobengine/plugin.hpp>

#include <nlohmann/json.hpp>

#include "adapter_context.hpp"

namespace jobengine::excititor {

inline constexpr const char* kApiBase = "/api/v1/jobengine/excititor";

// Registers every route of the plugin. info is what GET /api/v1/jobengine/excititor/info
// answers.
void registerRoutes(sdk::Host& host, AdapterContext& context, const nlohmann::json& info);

void registerStatementRoutes(sdk::Host& host, sdk::ApiDoc& doc);

// The SPEC §5 error envelope (the kit's).
using adapter::sendError;

}  // namespace jobengine::excititor
