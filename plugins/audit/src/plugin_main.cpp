// Entry glue of the audit plugin: the plugin class and JE_PLUGIN, nothing else. Domain
// logic lives in src/core (no SDK types); routes.cpp translates HTTP to it;
// cluster_gauges_store.cpp feeds the leader's cluster gauges (docs/metrics.md).
#include <jobengine/cluster_gauges.hpp>
#include <jobengine/plugin.hpp>

#include <chrono>
#include <memory>

#include "cli_verify.hpp"
#include "cluster_gauges_store.hpp"
#include "core/audit_settings.hpp"
#include "export_service.hpp"
#include "ledger_appender.hpp"
#include "plugin_meta.hpp"
#include "retention_guard.hpp"
#include "routes.hpp"

namespace jobengine::audit {

class AuditPlugin {
 public:
  static constexpr const char* kId = "audit";
  static constexpr const char* kVersion = kPluginVersion;
  static constexpr const char* kDescription =
      "Hash-chained audit ledger, export bundles, DSSE signing and verification.";
  static constexpr const char* kConfigSchema = kPluginConfigSchema;

  AuditPlugin(sdk::Host& host, const nlohmann::json& config)
      : settings_(parseAuditSettings(config)),
        appender_(std::make_unique<LedgerAppender>(host, settings_)),
        exports_(std::make_unique<AuditExports>(host, settings_)),
        gauges_(std::make_unique<sdk::ClusterGaugeRefresher>(
            host, "audit-metrics", std::chrono::seconds(settings_.metrics_refresh_seconds),
            &collectAuditGauges)) {
    registerRoutes(host,
                   {{"id", kId},
                    {"version", kVersion},
                    {"description", kDescription},
                    {"config", toJson(settings_)}},
                   *exports_);
    registerAuditCommand(host);
    // With audit enabled nothing is pruned before a succeeded export covers it (SPEC §9,
    // docs/ledger.md "Retention guard"); an older host without je.retention has no pruners.
    if (host.hasRetention()) {
      host.registerRetentionGuard(
          [&host](const std::string& tenant) { return coveredUntil(host, tenant); });
    }
  }
  // The ledger's appender works only while this replica leads (ledger_appender.hpp); the
  // export job type is registered through je.jobs, which exists from start() on.
  void start() {
    appender_->start();
    exports_->start();
    gauges_->start();
  }
  void stop() {
    gauges_->stop();
    appender_->stop();
  }

 private:
  AuditSettings settings_;
  std::unique_ptr<LedgerAppender> appender_;
  std::unique_ptr<AuditExports> exports_;
  std::unique_ptr<sdk::ClusterGaugeRefresher> gauges_;  // leader-only cluster gauges
};

}  // namespace jobengine::audit

JE_PLUGIN(jobengine::audit::AuditPlugin)
