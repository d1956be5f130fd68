// jobengine/adapter/fetch_job.hpp — the frame of every adapter plugin's fetch job (the first job
// of a sync run): the registry record behind the job's source, an earlier attempt's documents
// cleared, the request budget over je.ratelimit with the record's rate policy, and the
// FetchHooks over the plugin's DocumentStore — validators read and written in short
// transactions (neither for a backfill: its listing must not be conditional, a 304 would skip
// the past window, and it must leave no validators a live sync would then send), the documents
// stored in batches of up to 200 (or 16 MiB) per transaction and recorded as job artifacts,
// cancellation, progress at most once a second (each report renews the lease in the database). The
// plugin's per-format walk (its FeedFetcher over a FeedSession) runs inside. Part of
// je_adapter_registry.
#pragma once

#include <jobengine/adapter/adapter_context.hpp>
#include <jobengine/adapter/feed_session.hpp>
#include <jobengine/adapter/upstream_client.hpp>
#include <jobengine/jobs.hpp>

#include <functional>
#include <nlohmann/json.hpp>

namespace jobengine::adapter {

// The registry record behind the job's source (payload.sourceId), or a permanent failure
// <NOUN>_NOT_FOUND ("no connector stands behind source ... (was it deleted?)").
nlohmann::json recordOfJob(const AdapterServices& services, const sdk::JobContext& job);

// The plugin's walk: fetches with `budget`, hands every document to `hooks`, returns how many.
using FetchWalk = std::function<int(FetchHooks hooks, RequestBudget& budget)>;

// Runs a fetch job for `record` (see above); returns what `walk` returns.
int runFetchJob(const AdapterServices& services, sdk::JobContext& job, const nlohmann::json& record,
                const FetchWalk& walk);

}  // namespace jobengine::adapter
