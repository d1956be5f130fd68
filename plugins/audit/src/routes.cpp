// Route glue of the audit plugin: the info route here, the ledger's routes in routes_ledger,
// the exports' and keys' in routes_exports.
#include "routes.hpp"

#include "api_doc_files.hpp"
#include "routes_exports.hpp"
#include "routes_ledger.hpp"

namespace jobengine::audit {

void registerRoutes(sdk::Host& host, const nlohmann::json& info, const AuditExports& exports) {
  // Every route is described in openapi/ (embedded at build time; docs/api.md, "Schemas").
  sdk::ApiDoc doc(kApiDocFiles);
  host.apiComponents(doc.components());
  constexpr const char* kInfoPath = "/api/v1/jobengine/audit/info";
  host.route(
      "GET", kInfoPath, "orch:read",
      [info](const sdk::Request& /*request*/, sdk::Response& response) {
        response.json(200, info);
      },
      0, doc.operation("GET", kInfoPath));
  registerLedgerRoutes(host, doc);
  registerExportRoutes(host, doc, exports);
  doc.requireAllUsed();
}

}  // namespace jobengine::audit
