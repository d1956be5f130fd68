// Entry glue of the sources-concelier plugin: the plugin class and JE_PLUGIN, nothing else. Domain
// logic lives in src/core (no SDK types); routes*.cpp translate HTTP to it, pipeline_jobs.cpp runs
// the sync DAG's jobs.
//
// To make a new adapter plugin from this one, copy the folder to plugins/sources-<name>: the
// folder's name is the plugin id, and the schema, routes and job types derive from it
// (adapter_identity.cmake -> plugin_identity.hpp); README.md lists the remaining steps.
#include <jobengine/plugin.hpp>

#include <memory>

#include "adapter_context.hpp"
#include "connector_store.hpp"
#include "core/sources_concelier_settings.hpp"
#include "demo_connectors.hpp"
#include "document_store.hpp"
#include "pipeline_jobs.hpp"
#include "plugin_identity.hpp"
#include "plugin_meta.hpp"
#include "routes.hpp"

namespace jobengine::concelier {

class ConcelierPlugin {
 public:
  static constexpr const char* kId = kPluginId;
  static constexpr const char* kVersion = kPluginVersion;
  static constexpr const char* kDescription =
      "Advisory feed adapters (OSV, NVD, KEV): fetch, parse, map.";
  static constexpr const char* kConfigSchema = kPluginConfigSchema;

  ConcelierPlugin(sdk::Host& host, const nlohmann::json& config)
      : host_(host),
        context_(std::make_unique<AdapterContext>(host, parseConcelierSettings(config),
                                                  connectorStore(), documentStore())) {
    registerRoutes(host, *context_,
                   {{"id", kId},
                    {"version", kVersion},
                    {"description", kDescription},
                    {"config", toJson(context_->settings())}});
  }
  void start() {
    auto sources = sdk::Sources::find(host_);
    context_->bind(sources, sdk::RateLimit::find(host_));
    if (!sources || host_.optional<je_jobs_v1>(JE_SERVICE_JOBS, 1) == nullptr) {
      host_.warn(
          "je.sources or je.jobs is absent (no scheduler): connectors cannot be registered or "
          "synced");
      return;
    }
    jobs_ = std::make_unique<sdk::Jobs>(host_);
    registerPipeline(*jobs_, *sources, *context_);
    registerDemoConnectors(*context_);
  }
  void stop() {}

 private:
  sdk::Host& host_;
  std::unique_ptr<AdapterContext> context_;
  std::unique_ptr<sdk::Jobs> jobs_;
};

}  // namespace jobengine::concelier

JE_PLUGIN(jobengine::concelier::ConcelierPlugin)
