// Strict parsing of [plugins.sources-excititor]: the adapter kit's keys and rules under this
// plugin's id (see sources_excititor_settings.hpp).
#include "core/sources_excititor_settings.hpp"

namespace jobengine::excititor {

ExcititorSettings parseExcititorSettings(const nlohmann::json& config) {
  return adapter::parseAdapterSettings("sources-excititor", config);
}

}  // namespace jobengine::excititor
