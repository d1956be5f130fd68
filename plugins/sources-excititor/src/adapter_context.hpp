// adapter_context.hpp — sources-excititor's AdapterContext: the adapter kit's
// (jobengine/adapter/adapter_context.hpp: host, id generator, je.sources and je.ratelimit bound
// in start()) holding this plugin's settings. The routes and the job handlers share it.
#pragma once

#include <jobengine/adapter/adapter_context.hpp>

#include "core/sources_excititor_settings.hpp"

namespace jobengine::excititor {

using AdapterContext = adapter::AdapterContext<ExcititorSettings>;

}  // namespace jobengine::excititor
