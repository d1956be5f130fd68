// Entry glue of the sources-excititor plugin: the plugin class and JE_PLUGIN, nothing else. Domain
// logic lives in src/core (no SDK types); routes*.cpp translate HTTP to it, pipeline_jobs.cpp runs
// the sync DAG's jobs. Made from sources-concelier's (the adapter template).
#include <jobengine/plugin.hpp>

#include <memory>

#include "adapter_context.hpp"
#include "core/sources_excititor_settings.hpp"
#include "demo_providers.hpp"
#include "document_store.hpp"
#include "pipeline_jobs.hpp"
#include "plugin_meta.hpp"
#include "provider_store.hpp"
#include "routes.hpp"

namespace jobengine::excititor {

class ExcititorPlugin {
 public:
  static constexpr const char* kId = "sources-excititor";
  static constexpr const char* kVersion = kPluginVersion;
  static constexpr const char* kDescription =
      "VEX feed adapters (OpenVEX, CSAF, CycloneDX): fetch and normalize.";
  static constexpr const char* kConfigSchema = kPluginConfigSchema;

  ExcititorPlugin(sdk::Host& host, const nlohmann::json& config)
      : host_(host),
        context_(std::make_unique<AdapterContext>(host, parseExcititorSettings(config),
                                                  providerStore(), documentStore())) {
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
          "je.sources or je.jobs is absent (no scheduler): providers cannot be registered or "
          "synced");
      return;
    }
    jobs_ = std::make_unique<sdk::Jobs>(host_);
    registerPipeline(*jobs_, *sources, *context_);
    registerDemoProviders(*context_);
  }
  void stop() {}

 private:
  sdk::Host& host_;
  std::unique_ptr<AdapterContext> context_;
  std::unique_ptr<sdk::Jobs> jobs_;
};

}  // namespace jobengine::excititor

JE_PLUGIN(jobengine::excititor::ExcititorPlugin)
