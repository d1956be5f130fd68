// The jobengine commands (see cli.hpp). Each loads the configuration the same way and turns
// any failure into one line on stderr and a non-zero exit code.
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/cli.hpp"
#include "app/dev_token.hpp"
#include "app/engine.hpp"
#include "app/host_wiring.hpp"
#include "app/signals.hpp"
#include "http/route_table.hpp"
#include "log/logging.hpp"
#include "metrics/metrics_registry.hpp"
#include "plugins/plugin_manager.hpp"
#include "store/database.hpp"

namespace jobengine::host {
namespace {

// Runs fn with the loaded config; any exception becomes "jobengine <command>: <message>".
// One-shot commands log only warnings and errors unless asked for more, so that their own
// output (a token, a table) stays readable.
template <typename Fn>
int withConfig(const char* command, const CommandOptions& options, Fn fn) {
  try {
    HostConfig config = loadConfig(options.config_path, options.overrides);
    LogConfig log = config.log;
    if (std::string(command) != "serve" && (log.level == "info" || log.level == "debug")) {
      log.level = "warn";
    }
    initLogging(log);
    const int rc = fn(config);
    shutdownLogging();
    return rc;
  } catch (const std::exception& e) {
    std::cerr << "jobengine " << command << ": " << e.what() << std::endl;
    shutdownLogging();
    return 1;
  }
}

}  // namespace

int runServe(const CommandOptions& options) {
  // Before any thread exists (the logger starts one): block the stop signals so every thread
  // inherits the mask and only the engine's sigwait() receives them.
  blockStopSignals();
  return withConfig("serve", options, [&](const HostConfig& config) {
    Engine engine(config);
    EngineOptions engine_options;
    engine_options.demo = options.demo;
    return engine.serve(engine_options);
  });
}

int runMigrate(const CommandOptions& options) {
  return withConfig("migrate", options, [&](const HostConfig& config) {
    Database database(config.database);
    const int applied =
        database.migrator(resolveMigrationsDir(config)).apply(migrationOwners(config));
    std::cout << "migrations applied: " << applied << std::endl;
    return 0;
  });
}

int runPluginsList(const CommandOptions& options) {
  return withConfig("plugins list", options, [&](const HostConfig& config) {
    HostServices services;
    services.config = &config;
    auto manager = makePluginManager(config, services, componentLogger("host"));
    const nlohmann::json list = manager->listOnly();
    for (const auto& p : list) {
      std::cout << p.value("id", "?") << "\t" << p.value("version", "-") << "\t"
                << p.value("state", "?") << "\t" << p.value("description", "") << "\n";
    }
    return 0;
  });
}

int runConfigCheck(const CommandOptions& options) {
  // Beyond the host's own schema, every enabled plugin is loaded and created (never started)
  // so that its own config keys are checked too; no database is needed for that.
  return withConfig("config check", options, [&](const HostConfig& config) {
    // Plugins register routes in create(): give them a scratch table (and metrics) to do it in.
    RouteTable routes;
    MetricsRegistry metrics;
    HostServices services;
    services.config = &config;
    services.routes = &routes;
    services.metrics = &metrics;
    auto manager = makePluginManager(config, services, componentLogger("host"));
    manager->loadAll();
    manager->createAll();
    manager->stopAll();
    std::cout << "config ok: " << (config.source_path.empty() ? "<defaults>" : config.source_path)
              << std::endl;
    return 0;
  });
}

int runTokenMint(const CommandOptions& options) {
  // Only the token goes to stdout (scripts and tests read it); everything else to stderr.
  // Logging stays off so no log line can land on stdout.
  try {
    const HostConfig config = loadConfig(options.config_path, options.overrides);
    const std::string token = mintDevToken(config.auth, options.tenant, options.scopes,
                                           options.subject, options.ttl_seconds);
    std::cout << token << std::endl;
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "jobengine token mint: " << e.what() << std::endl;
    return 1;
  }
}

}  // namespace jobengine::host
