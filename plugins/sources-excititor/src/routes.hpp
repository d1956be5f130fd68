// HTTP routes of the sources-excititor plugin: translation between the SDK's Request/Response and
// the domain. Registered from the plugin's constructor (inside create()), nowhere else.
#pragma once

#include <jobengine/plugin.hpp>

namespace jobengine::excititor {

// Registers every route of the plugin. info is what GET /api/v1/jobengine/excititor/info
// answers: {id, version, description, config}.
void registerRoutes(sdk::Host& host, const nlohmann::json& info);

}  // namespace jobengine::excititor
