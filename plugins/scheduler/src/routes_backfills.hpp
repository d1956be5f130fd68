// routes_backfills.hpp — the backfills resource (SPEC §4 and §5.1 /backfills, issue 13):
// create (with dry run), list, get with progress, cancel. The rows are watermark_store's;
// each window is one run (kind backfill) with one job (source_sync.hpp). Registered from the
// plugin's constructor (inside create()).
#pragma once

#include <jobengine/api_doc.hpp>
#include <jobengine/plugin.hpp>

#include "job_service.hpp"

namespace jobengine::scheduler {

void registerBackfillRoutes(sdk::Host& host, sdk::ApiDoc& doc, JobService& service);

}  // namespace jobengine::scheduler
