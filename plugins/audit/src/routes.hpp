// HTTP routes of the audit plugin: translation between the SDK's Request/Response and the
// domain. Registered from the plugin's constructor (inside create()), nowhere else.
#pragma once

#include <jobengine/plugin.hpp>

#include "export_service.hpp"

namespace jobengine::audit {

// Registers every route of the plugin: /audit/info (info is what it answers: {id, version,
// description, config}), the ledger's /audit and /audit/verify (routes_ledger.hpp), and the
// exports' and keys' routes (routes_exports.hpp). exports outlives the routes.
void registerRoutes(sdk::Host& host, const nlohmann::json& info, const AuditExports& exports);

}  // namespace jobengine::audit
