// cluster_gauges_store.hpp — the scheduler's cluster-wide gauges (docs/metrics.md, "Scheduler"):
// queue depth and oldest age by tenant, job type and active status, throttled jobs by reason,
// open dead letters by class, schedule lag and watermark age. Read from the scheduler's own
// tables only, by the leader's refresher (jobengine/cluster_gauges.hpp) in one read-only
// "system" transaction every metrics_refresh_seconds; never on a scrape.
#pragma once

#include <jobengine/cluster_gauges.hpp>

namespace jobengine::scheduler {

// Adds every current series to `out`; throws sdk::Error on a database error.
void collectSchedulerGauges(sdk::Txn& txn, sdk::GaugeSnapshot& out);

}  // namespace jobengine::scheduler
