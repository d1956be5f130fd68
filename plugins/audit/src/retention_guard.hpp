// The audit plugin's je.retention guard (ABI 1.8; docs/ledger.md "Retention guard"): with the
// audit plugin enabled, no owner prunes a tenant's jobs, history or events before a succeeded
// export covers them. The guard answers, per tenant, the instant before which data may be
// pruned: the occurredAt of the last ledger entry that succeeded exports cover contiguously
// from the start of the tenant's chain (coveredThrough; entries audit already pruned count as
// covered). Data strictly older than that instant was chained before that entry and lies in an
// export. A tenant with no covering export, or no chained entry at all, answers "keep all":
// events the ledger has not chained yet are never pruned. The outbox pruner deletes a seq
// prefix that stops at the first event not older than the answer, which is at or before the
// covered entry's own event, so every pruned event was chained and exported.
// Threads: called on a pruner's thread (host or scheduler); opens its own read-only
// transaction bound to the tenant.
#pragma once

#include <jobengine/plugin.hpp>

#include <cstdint>
#include <string>

namespace jobengine::audit {

int64_t coveredUntil(sdk::Host& host, const std::string& tenant);

}  // namespace jobengine::audit
