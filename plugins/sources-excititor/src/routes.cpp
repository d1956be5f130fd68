// Route glue of the sources-excititor plugin: the info route and the providers' routes are the
// adapter kit's (record_routes.hpp), the statements' in routes_statements.cpp.
#include "routes.hpp"

#include "api_doc_files.hpp"

namespace jobengine::excititor {

void registerRoutes(sdk::Host& host, AdapterContext& context, const nlohmann::json& info) {
  // Every route is described in openapi/ (embedded at build time; docs/api.md, "Schemas").
  sdk::ApiDoc doc(kApiDocFiles);
  host.apiComponents(doc.components());
  adapter::registerInfoRoute(host, doc, kApiBase, info);
  adapter::registerRecordRoutes(host, doc, context, kApiBase);
  registerStatementRoutes(host, doc);
  doc.requireAllUsed();
}

}  // namespace jobengine::excititor
