// Route glue of the sources-concelier plugin: the info route and the connectors' routes are the
// adapter kit's (record_routes.hpp), the observations' in routes_observations.cpp.
#include "routes.hpp"

#include "api_doc_files.hpp"

namespace jobengine::concelier {

void registerRoutes(sdk::Host& host, AdapterContext& context, const nlohmann::json& info) {
  // Every route is described in openapi/ (embedded at build time; docs/api.md, "Schemas").
  sdk::ApiDoc doc(kApiDocFiles);
  host.apiComponents(doc.components());
  adapter::registerInfoRoute(host, doc, kApiBase, info);
  adapter::registerRecordRoutes(host, doc, context, kApiBase);
  registerObservationRoutes(host, doc);
  doc.requireAllUsed();
}

}  // namespace jobengine::concelier
