// demo_providers.cpp — see demo_providers.hpp: which folder of the mirror each demo provider
// reads; the registration is the adapter kit's (jobengine/adapter/demo_records.hpp).
#include "demo_providers.hpp"

#include <jobengine/adapter/demo_records.hpp>

namespace jobengine::excititor {

void registerDemoProviders(AdapterContext& ctx) {
  adapter::registerDemoRecords(
      ctx, ctx.settings().demo_feed_mirror, ctx.settings().demo_tenant,
      {{"openvex", "/openvex/"}, {"csaf", "/csaf/"}, {"cyclonedx", "/cyclonedx/"}});
}

}  // namespace jobengine::excititor
