// See engine.hpp for the start-up and shutdown order.
#include "app/engine.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "api/host_api_doc.hpp"
#include "api/request_body_validator.hpp"
#include "app/api_platform.hpp"
#include "app/banner.hpp"
#include "app/fd_limit.hpp"
#include "app/host_wiring.hpp"
#include "app/signals.hpp"
#include "app/stream_wiring.hpp"
#include "config/config_loader.hpp"
#include "core/version.hpp"
#include "events/event_notifier.hpp"
#include "http/host_routes.hpp"
#include "http/http_server.hpp"
#include "http/route_table.hpp"
#include "leader/leader_elector.hpp"
#include "log/logging.hpp"
#include "metrics/metrics_registry.hpp"
#include "metrics/pool_metrics.hpp"
#include "plugins/plugin_manager.hpp"
#include "retention/outbox_pruner.hpp"
#include "retention/retention_registry.hpp"
#include "store/database.hpp"
#include "store/store.hpp"

namespace jobengine::host {

struct Engine::Parts {
  std::unique_ptr<Database> database;
  std::unique_ptr<Store> store;
  std::unique_ptr<EventNotifier> notifier;  // outlives store (its commit observer)
  std::unique_ptr<MetricsRegistry> metrics;
  std::unique_ptr<LeaderElector> leader;         // outlives plugins: their je.leader calls reach it
  std::unique_ptr<RetentionRegistry> retention;  // outlives plugins (je.retention guards)
  std::unique_ptr<OutboxPruner> pruner;          // stopped before plugins (it calls guards)
  std::unique_ptr<RouteTable> routes;
  HostServices services;
  std::unique_ptr<PluginManager> plugins;
  std::unique_ptr<HttpServer> http;
  std::unique_ptr<StreamStack> streams;
  std::unique_ptr<ApiPlatform> api;  // the verifier used by http's interceptor
  std::vector<std::string> owners;   // migration owners in order
  std::atomic<bool> plugins_started{false};
};

std::string resolveMigrationsDir(const HostConfig& config) {
  if (!config.migrations_dir.empty()) {
    return config.migrations_dir;
  }
  return std::string(JE_SOURCE_DIR) + "/migrations";
}

Engine::Engine(HostConfig config) : config_(std::move(config)), parts_(std::make_unique<Parts>()) {}

Engine::~Engine() {
  // Reverse of start-up; each step tolerates the later ones never having happened.
  if (parts_->http) {
    parts_->http->stop();
  }
  if (parts_->streams) {
    parts_->streams->stop();
  }
  if (parts_->pruner) {
    parts_->pruner->stop();  // no guard is called while plugins stop
  }
  if (parts_->leader) {
    parts_->leader->stop();  // steps down before any plugin's stop()
  }
  if (parts_->plugins) {
    parts_->plugins->stopAll();
  }
  parts_->plugins.reset();
  parts_->pruner.reset();
  parts_->retention.reset();
  parts_->leader.reset();
  parts_->streams.reset();
  parts_->http.reset();
  parts_->api.reset();
  parts_->store.reset();
  if (parts_->notifier) {
    parts_->notifier->stop();
  }
  parts_->notifier.reset();
  parts_->database.reset();
}

int Engine::serve(const EngineOptions& options) {
  blockStopSignals();  // already done by runServe before the logger's thread; harmless again

  auto log = componentLogger("host");
  Parts& p = *parts_;
  const auto started_at = std::chrono::steady_clock::now();
  log->info("jobengine {} starting (plugin ABI {}.{}), config {}", hostVersion(), JE_ABI_MAJOR,
            JE_ABI_MINOR, config_.source_path.empty() ? "<defaults>" : config_.source_path);
  const OpenFileLimit files = raiseOpenFileLimit();  // before any connection is accepted
  if (!files.error.empty()) {
    log->warn("open files: the soft limit stays at {} (hard limit {}): {}", files.before,
              files.hard, files.error);
  } else if (files.after != files.before) {
    log->info("open files: soft limit raised from {} to {} (the hard limit)", files.before,
              files.after);
  }

  p.database = std::make_unique<Database>(config_.database);
  if (p.database->embedded()) {
    const pgcluster::PgCluster& cluster = *p.database->cluster();
    for (const std::string& notice : cluster.notices()) {
      log->warn("database: {}", notice);  // e.g. the server a killed engine left running
    }
    log->info(
        "database: embedded cluster in {} on 127.0.0.1:{} (postmaster pid {}, watchdog pid {})",
        config_.database.embedded_dir, cluster.port(), cluster.postmasterPid(),
        cluster.watchdogPid());
  } else {
    log->info("database: external {}", redactDsn(config_.database.dsn));
  }
  p.owners = migrationOwners(config_);
  const std::string migrations_dir = resolveMigrationsDir(config_);
  const int applied = p.database->migrator(migrations_dir).apply(p.owners);
  log->info("migrations: {} applied from {}", applied, migrations_dir);
  p.store = p.database->openStore();
  {
    const StoreOptions store_options = p.database->storeOptions();
    EventNotifierOptions notifier_options;
    notifier_options.dsn = store_options.dsn;
    notifier_options.set_role = store_options.set_role;
    p.notifier = std::make_unique<EventNotifier>(notifier_options);
    p.notifier->start();
    p.store->setCommitObserver([notifier = p.notifier.get()] { notifier->signal(); });
  }

  p.metrics = std::make_unique<MetricsRegistry>();
  p.store->pool().setObserver(makePoolMetricsObserver(*p.metrics, p.store->pool().capacity()));
  {
    LeaderElectorOptions leader_options;
    leader_options.store = p.database->storeOptions();
    leader_options.check_interval = std::chrono::milliseconds(config_.leader.check_interval_ms);
    leader_options.commit_observer = [notifier = p.notifier.get()] { notifier->signal(); };
    p.leader = std::make_unique<LeaderElector>(std::move(leader_options), p.metrics.get());
  }
  ensureStreamTokenSecret(config_);
  p.retention = std::make_unique<RetentionRegistry>(p.metrics.get());
  p.retention->countPruned("host", "jobengine.events", 0);  // exported from the start
  p.streams =
      std::make_unique<StreamStack>(config_, *p.database, *p.store, *p.metrics,
                                    [retention = p.retention.get()](const std::string& tenant) {
                                      return retention->prunedThrough(tenant);
                                    });
  p.pruner = std::make_unique<OutboxPruner>(config_.retention, *p.store, *p.leader, *p.retention);
  p.routes = std::make_unique<RouteTable>();
  // The host's components first: no plugin can take the names the host's routes refer to.
  if (auto error = p.routes->components().add("host", hostApiComponents())) {
    throw std::runtime_error(*error);
  }
  p.services.config = &config_;
  p.services.store = p.store.get();
  p.services.routes = p.routes.get();
  p.services.metrics = p.metrics.get();
  p.services.event_subscriptions = &p.streams->subscriptions();
  p.services.notifier = p.notifier.get();
  p.services.signal_watchers = &p.streams->signals();
  p.services.leader = p.leader.get();
  p.services.retention = p.retention.get();
  p.plugins = makePluginManager(config_, p.services, log);
  p.plugins->loadAll();
  p.plugins->createAll();

  HostRouteDeps deps;
  deps.readiness = [this, migrations_dir]() {
    Readiness r;
    Parts& parts = *parts_;
    r.db = parts.store->ping();
    try {
      r.migrations =
          r.db && parts.database->migrator(migrations_dir).pendingCount(parts.owners) == 0;
    } catch (const std::exception& e) {
      r.detail["migrations"] = e.what();
    }
    r.plugins = parts.plugins_started.load();
    return r;
  };
  deps.pluginsJson = [this]() { return parts_->plugins->infoJson(); };
  deps.metricsText = [this]() { return parts_->metrics->serialize(); };
  deps.leaderJson = [this]() {
    const LeaderStatus s = parts_->leader->status();
    nlohmann::json holder = nullptr;
    if (s.holder) {
      holder = *s.holder;
    }
    return nlohmann::json{
        {"leader", s.leader}, {"epoch", s.epoch}, {"replicaId", s.replica_id}, {"holder", holder}};
  };
  if (auto error = registerHostRoutes(*p.routes, deps)) {
    throw std::runtime_error(*error);
  }
  if (auto error = p.streams->registerRoutes(*p.routes)) {
    throw std::runtime_error(*error);
  }

  p.http = std::make_unique<HttpServer>(config_.http, *p.routes, *p.metrics);
  p.http->setTxnHooks(makeTxnHooks(*p.store));
  p.api = installApiPlatform(config_, *p.store, *p.routes, *p.http);
  // Every route is registered now: compile their request schemas (docs/api.md, "Schemas").
  attachRequestBodyValidators(*p.routes);
  p.plugins->startAll();
  p.plugins_started = true;
  // After start(): every watch taken in create()/start() is primed by the elector's first
  // round, no plugin hears of leadership before it started, and the elector's thread is not
  // counted as a thread some plugin's start() left behind (plugins/thread_census).
  p.leader->start();
  p.pruner->start();
  p.streams->start();
  p.http->start();
  // Plugins read the ports through je.config (e.g. to redirect to the stream listener); with
  // port 0 in the config only now are the real ones known.
  nlohmann::json settings = nlohmann::json::parse(publicSettingsJson(config_));
  settings["http"]["port"] = p.http->port();
  settings["http"]["stream_port"] = p.streams->port();
  p.plugins->registry().setHostSettings(settings);

  const auto ready_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - started_at)
                            .count();
  log->info("ready in {} ms: REST on {}:{}, streams on {}:{}, {} plugin(s) started, replica {}",
            ready_ms, config_.http.bind, p.http->port(), config_.http.bind, p.streams->port(),
            p.plugins->infoJson().size(), p.leader->replicaId());
  printReadyLine(config_, p.http->port(), static_cast<uint16_t>(p.streams->port()));
  if (options.demo) {
    printDemoBanner(config_, p.http->port(), static_cast<uint16_t>(p.streams->port()));
  }

  const int signal_number = waitForStopSignal();
  log->info("received {}, draining", signal_number == SIGINT ? "SIGINT" : "SIGTERM");

  p.http->beginDrain();
  if (!p.http->waitIdle(std::chrono::milliseconds(config_.http.drain_timeout_ms))) {
    log->warn("drain timeout after {} ms with {} request(s) in flight",
              config_.http.drain_timeout_ms, p.http->inFlight());
  }
  p.http->stop();
  p.streams->stop();  // listener, feeder, hub: no event callback runs while plugins stop
  p.pruner->stop();   // no retention guard is called while plugins stop
  p.leader->stop();   // watchers hear "lost", then the lock is released: before any stop()
  p.plugins->stopAll();
  p.plugins_started = false;
  p.store.reset();
  p.notifier->stop();
  p.database.reset();
  log->info("stopped");
  return 0;
}

}  // namespace jobengine::host
