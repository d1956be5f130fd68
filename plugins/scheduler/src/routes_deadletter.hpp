// routes_deadletter.hpp — the dead-letter store for operators (SPEC §4, §5.1): list with
// filters, detail, stats, top clusters, single and batch replay (with dry run).
#pragma once

#include <jobengine/api_doc.hpp>
#include <jobengine/plugin.hpp>

namespace jobengine::scheduler {

void registerDeadLetterRoutes(sdk::Host& host, sdk::ApiDoc& doc);

}  // namespace jobengine::scheduler
