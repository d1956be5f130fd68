// adapter_context.hpp — sources-concelier's AdapterContext: the adapter kit's
// (jobengine/adapter/adapter_context.hpp: host, id generator, je.sources and je.ratelimit bound
// in start()) holding this plugin's settings. The routes and the job handlers share it.
#pragma once

#include <jobengine/adapter/adapter_context.hpp>

#include "core/sources_concelier_settings.hpp"

namespace jobengine::concelier {

using AdapterContext = adapter::AdapterContext<ConcelierSettings>;

}  // namespace jobengine::concelier
