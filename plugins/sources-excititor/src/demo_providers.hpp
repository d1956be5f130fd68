// demo_providers.hpp — `make run`'s first impression (issue 15): when demo_feed_mirror names an
// input mirror (tests/fixtures/feeds), start() registers the providers demo-openvex, demo-csaf
// and demo-cyclonedx of demo_tenant reading <mirror>/openvex/ etc. through file://, each with a
// schedule firing every minute, so a new user sees real ingestion at once (the banner says how
// to list the statements). An existing provider of that id is left as it is; a missing mirror
// folder is logged and skipped.
#pragma once

#include "adapter_context.hpp"

namespace jobengine::excititor {

void registerDemoProviders(AdapterContext& context);

}  // namespace jobengine::excititor
