// Strict parsing of [plugins.sources-concelier]: the adapter kit's keys and rules under this
// plugin's id (see sources_concelier_settings.hpp).
#include "core/sources_concelier_settings.hpp"

#include "plugin_identity.hpp"

namespace jobengine::concelier {

ConcelierSettings parseConcelierSettings(const nlohmann::json& config) {
  return adapter::parseAdapterSettings(kPluginId, config);
}

}  // namespace jobengine::concelier
