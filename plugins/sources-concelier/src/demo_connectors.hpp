// demo_connectors.hpp — `make run`'s first impression (issue 15): when demo_feed_mirror names an
// input mirror (tests/fixtures/feeds), start() registers the connectors demo-osv, demo-nvd and
// demo-kev of demo_tenant reading it through file://, each with a schedule firing every minute, so
// a new user sees real ingestion at once (the banner says how to list the observations). An
// existing connector of that id is left as it is; a missing mirror folder is logged and skipped.
#pragma once

#include "adapter_context.hpp"

namespace jobengine::concelier {

void registerDemoConnectors(AdapterContext& context);

}  // namespace jobengine::concelier
