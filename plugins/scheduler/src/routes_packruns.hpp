// routes_packruns.hpp — pack runs (SPEC §5 last bullet, §5.1): create (tenant AND project
// required, else 422 and nothing is created), read, append worker log lines, read them back
// in order (JSON pages, or 307 to the stream listener for text/event-stream).
#pragma once

#include <jobengine/api_doc.hpp>
#include <jobengine/plugin.hpp>

namespace jobengine::scheduler {

void registerPackRunRoutes(sdk::Host& host, sdk::ApiDoc& doc);

}  // namespace jobengine::scheduler
