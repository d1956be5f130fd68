// HTTP routes of the audit plugin: translation between the SDK's Request/Response and the
// domain. Registered from the plugin's constructor (inside create()), nowhere else.
#pragma once

#include <jobengine/plugin.hpp>

namespace jobengine::audit {

// Registers every route of the plugin: /audit/info (info is what it answers: {id, version,
// description, config}) and the ledger's /audit and /audit/verify (routes_ledger.hpp).
void registerRoutes(sdk::Host& host, const nlohmann::json& info);

}  // namespace jobengine::audit
