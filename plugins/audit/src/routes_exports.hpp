// HTTP glue for audit exports and keys (SPEC §7): POST /audit/exports (orch:operate, reason
// required: 202 {id, status}), GET /audit/exports/{id} (status and progress), GET
// /audit/exports/{id}/bundle (the signed tar, streamed from disk by the host) and GET
// /audit/keys (the public key bundles are signed with). The window is validated by
// core/audit_query's RFC 3339 rules; SQL lives in export_store; the job in export_service.
#pragma once

#include <jobengine/api_doc.hpp>
#include <jobengine/plugin.hpp>

#include "export_service.hpp"

namespace jobengine::audit {

// Only inside the plugin's constructor (create()). exports outlives the routes.
void registerExportRoutes(sdk::Host& host, sdk::ApiDoc& doc, const AuditExports& exports);

}  // namespace jobengine::audit
