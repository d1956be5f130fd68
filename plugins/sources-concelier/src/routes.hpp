// routes.hpp — the HTTP routes of sources-concelier under /api/v1/jobengine/concelier, i.e.
// kApiBase of plugin_identity.hpp (SPEC §5.1): the plugin's info, the connector registry
// (the adapter kit's record_routes.hpp) and the observations (routes_observations.cpp). Registered
// from the plugin's constructor (inside create()).
#pragma once

#include <jobengine/adapter/record_routes.hpp>
#include <jobengine/api_doc.hpp>
#include <jobengine/plugin.hpp>

#include <nlohmann/json.hpp>

#include "adapter_context.hpp"
#include "plugin_identity.hpp"

namespace jobengine::concelier {

// Registers every route of the plugin. info is what GET /api/v1/jobengine/concelier/info
// answers.
void registerRoutes(sdk::Host& host, AdapterContext& context, const nlohmann::json& info);

void registerObservationRoutes(sdk::Host& host, sdk::ApiDoc& doc);

// The SPEC §5 error envelope (the kit's).
using adapter::sendError;

}  // namespace jobengine::concelier
