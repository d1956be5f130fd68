// cluster_gauges_store.hpp — the audit plugin's cluster-wide gauges (docs/metrics.md, "Audit"):
// per tenant the ledger chain's length and the age of its newest entry. Read from the plugin's
// own tables (audit.chain_heads, audit.entries) by the leader's refresher
// (jobengine/cluster_gauges.hpp) in one read-only "system" transaction every
// metrics_refresh_seconds; never on a scrape.
#pragma once

#include <jobengine/cluster_gauges.hpp>

namespace jobengine::audit {

// Adds every current series to `out`; throws sdk::Error on a database error.
void collectAuditGauges(sdk::Txn& txn, sdk::GaugeSnapshot& out);

}  // namespace jobengine::audit
