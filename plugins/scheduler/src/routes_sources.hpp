// routes_sources.hpp — the sources resource (SPEC §1 "source", §5.1): CRUD with ETag /
// If-Match, pause/resume, manual sync and watermarks. Registered from the plugin's
// constructor (inside create()).
#pragma once

#include <jobengine/api_doc.hpp>
#include <jobengine/plugin.hpp>

#include "core/sync_dag.hpp"

namespace jobengine::scheduler {

void registerSourceRoutes(sdk::Host& host, sdk::ApiDoc& doc, const SyncDagRegistry& dags);

}  // namespace jobengine::scheduler
