// Entry glue of the scheduler plugin: the plugin class and JE_PLUGIN, nothing else. Domain
// logic lives in src/core (no SDK types); routes.cpp translates HTTP to it.
#include <jobengine/plugin.hpp>

#include "core/scheduler_settings.hpp"
#include "plugin_meta.hpp"
#include "routes.hpp"
#include "routes_deadletter.hpp"
#include "routes_packruns.hpp"
#include "routes_sources.hpp"

namespace jobengine::scheduler {

class SchedulerPlugin {
 public:
  static constexpr const char* kId = "scheduler";
  static constexpr const char* kVersion = kPluginVersion;
  static constexpr const char* kDescription =
      "Sources, runs, jobs, DAGs, leases, worker bridge, schedules, backfills, watermarks, dead "
      "letters and pack runs.";
  static constexpr const char* kConfigSchema = kPluginConfigSchema;

  SchedulerPlugin(sdk::Host& host, const nlohmann::json& config) : settings_(parse(config)) {
    registerRoutes(host, {{"id", kId},
                          {"version", kVersion},
                          {"description", kDescription},
                          {"config", toJson(settings_)}});
    registerSourceRoutes(host);
    registerDeadLetterRoutes(host);
    registerPackRunRoutes(host);
  }
  void start() {}
  void stop() {}

 private:
  // A bad config is the user's mistake, not a bug: JE_ERR_INVALID with the parser's line.
  static SchedulerSettings parse(const nlohmann::json& config) {
    try {
      return parseSchedulerSettings(config);
    } catch (const SettingsError& e) {
      throw sdk::Error(JE_ERR_INVALID, e.what());
    }
  }

  SchedulerSettings settings_;
};

}  // namespace jobengine::scheduler

JE_PLUGIN(jobengine::scheduler::SchedulerPlugin)
