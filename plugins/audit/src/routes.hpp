// HTTP routes of the audit plugin: translation between the SDK's Request/Response and the
// domain. Registered from the plugin's constructor (inside create()), nowhere else.
#pragma once

#include <jobengine/plugin.hpp>

namespace jobengine::audit {

// Registers every route of the plugin. info is what GET /api/v1/jobengine/audit/info
// answers: {id, version, description, config}.
void registerRoutes(sdk::Host& host, const nlohmann::json& info);

}  // namespace jobengine::audit
