// demo_connectors.cpp — see demo_connectors.hpp: which folder of the mirror each demo connector
// reads; the registration is the adapter kit's (jobengine/adapter/demo_records.hpp).
#include "demo_connectors.hpp"

#include <jobengine/adapter/demo_records.hpp>

namespace jobengine::concelier {

void registerDemoConnectors(AdapterContext& ctx) {
  adapter::registerDemoRecords(ctx, ctx.settings().demo_feed_mirror, ctx.settings().demo_tenant,
                               {{"osv", "/osv/PyPI/"},
                                {"nvd", "/nvd/"},
                                {"kev", "/kev/known_exploited_vulnerabilities.json"}});
}

}  // namespace jobengine::concelier
