// The host's API-platform routes: the paginated event outbox and the live OpenAPI document.
//
//   GET /api/v1/jobengine/events   orch:read, JE_ROUTE_TXN  ?after=&page_size=&page_token=
//       the tenant's orch.event.v1 envelopes in seq order, only below the delivery horizon
//       (jobengine.event_horizon(): every writer of a lower seq has finished), so a page
//       boundary never moves when rows are inserted concurrently. Keyset on seq, with the
//       SDK's page helpers (jobengine/pagination.hpp) like every plugin list route.
//   GET /openapi/jobengine.json    public  OpenApiBuilder over RouteTable::list() per request
//   GET /.well-known/openapi       public  {"openapi": "/openapi/jobengine.json", ...} + Link
//   GET /docs                      public  the same document as one self-contained HTML page
#pragma once

#include <optional>
#include <string>

#include "http/route_table.hpp"

namespace jobengine::host {

// `routes` must outlive its entries. Returns the first registration error.
std::optional<std::string> registerApiRoutes(RouteTable& routes);

}  // namespace jobengine::host
