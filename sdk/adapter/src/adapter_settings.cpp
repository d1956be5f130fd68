// adapter_settings.cpp — strict parsing of an adapter plugin's config table (see
// jobengine/adapter/adapter_settings.hpp). The rules and the error lines are the SDK's
// (jobengine/settings_reader.hpp); this file holds the keys, their ranges and the JSON shown.
#include "jobengine/adapter/adapter_settings.hpp"

namespace jobengine::adapter {

AdapterSettings parseAdapterSettings(const std::string& plugin_id, const nlohmann::json& config) {
  AdapterSettings settings;
  const sdk::SettingsReader reader(
      plugin_id, config,
      {"fetch_timeout_seconds", "max_document_mib", "demo_feed_mirror", "demo_tenant"});
  reader.readInt("fetch_timeout_seconds", 1, 3600, settings.fetch_timeout_seconds);
  reader.readInt("max_document_mib", 1, 1024, settings.max_document_mib);
  reader.readString("demo_feed_mirror", settings.demo_feed_mirror);
  reader.readString("demo_tenant", settings.demo_tenant);
  return settings;
}

nlohmann::json toJson(const AdapterSettings& settings) {
  return nlohmann::json{{"fetch_timeout_seconds", settings.fetch_timeout_seconds},
                        {"max_document_mib", settings.max_document_mib},
                        {"demo_feed_mirror", settings.demo_feed_mirror},
                        {"demo_tenant", settings.demo_tenant}};
}

}  // namespace jobengine::adapter
