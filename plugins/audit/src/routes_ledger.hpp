// HTTP glue for the audit ledger: GET /api/v1/jobengine/audit (entries, filtered, keyset
// paginated in position order) and GET /api/v1/jobengine/audit/verify (the tenant's chain
// walked and checked). Both run on the request's tenant-bound transaction (JE_ROUTE_TXN), so a
// caller only ever sees its own tenant's chain. Filters are parsed by core/audit_query, the
// chain is checked by core/ledger_chain's ChainVerifier, SQL lives in ledger_store.
#pragma once

#include <jobengine/api_doc.hpp>
#include <jobengine/plugin.hpp>

namespace jobengine::audit {

// Only inside the plugin's constructor (create()).
void registerLedgerRoutes(sdk::Host& host, sdk::ApiDoc& doc);

}  // namespace jobengine::audit
