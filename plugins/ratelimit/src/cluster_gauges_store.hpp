// cluster_gauges_store.hpp — the ratelimit plugin's cluster-wide gauges (docs/metrics.md,
// "Ratelimit"): per quota its active jobs, max_active, token level and burst; per breaker a 1
// for its state and 0 for the others; per upstream bucket its configured and current rate and
// its level. Read from the plugin's own tables (active jobs through je.jobs, the scheduler's
// service) by the leader's refresher (jobengine/cluster_gauges.hpp) in one read-only "system"
// transaction every metrics_refresh_seconds; never on a scrape. Levels are the core's views
// (core/limit_views.hpp) at the database's now(), as the operator routes show them.
#pragma once

#include <jobengine/cluster_gauges.hpp>

#include "job_counts.hpp"

namespace jobengine::ratelimit {

// Adds every current series to `out`; throws sdk::Error on a database error. Without je.jobs
// the quotas' active counts are left out (the other series are still there).
void collectRatelimitGauges(sdk::Txn& txn, const JobCounts& counts, sdk::GaugeSnapshot& out);

}  // namespace jobengine::ratelimit
