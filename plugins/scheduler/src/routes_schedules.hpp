// routes_schedules.hpp — the schedules resource (SPEC §5.1 /schedules, issue 13): CRUD with
// ETag / If-Match, trigger, and preview. The rows are schedule_store's; the leader fires them
// (schedule_firer.hpp). Registered from the plugin's constructor (inside create()).
#pragma once

#include <jobengine/api_doc.hpp>
#include <jobengine/plugin.hpp>

#include "core/sync_dag.hpp"

namespace jobengine::scheduler {

void registerScheduleRoutes(sdk::Host& host, sdk::ApiDoc& doc, const SyncDagRegistry& dags);

}  // namespace jobengine::scheduler
