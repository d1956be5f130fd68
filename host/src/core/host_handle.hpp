// The host-side definition of the opaque je_host handle (abi.h): one per loaded plugin.
//
// Every host service function receives a je_host* and finds here who is calling (plugin id,
// logger, lifecycle phase) and the host subsystems it may use. The per-plugin copies of the
// service vtables live here too, so each plugin's vtables carry its own je_host* and the
// addresses handed out by get_service stay valid for the plugin's whole life.
#pragma once

#include <jobengine/abi.h>

#include <atomic>
#include <memory>
#include <string>

namespace spdlog {
class logger;
}

namespace jobengine::host {

class Store;
class RouteTable;
class MetricsRegistry;
class EventOutbox;
class EventSubscriptions;
class EventNotifier;
class SignalWatchers;
class ServiceRegistry;
class LeaderElector;
class RetentionRegistry;
class CommandRegistry;
struct HostConfig;

// The host subsystems that service functions reach through a je_host. Owned by the Engine;
// every pointer outlives all plugins. Optional ones may be null (e.g. no store in
// `plugins list`).
struct HostServices {
  const HostConfig* config = nullptr;
  Store* store = nullptr;
  RouteTable* routes = nullptr;
  MetricsRegistry* metrics = nullptr;
  EventOutbox* events = nullptr;
  EventSubscriptions* event_subscriptions = nullptr;  // je.events subscribe (plugins)
  EventNotifier* notifier = nullptr;                  // je.events signal (null: a no-op)
  SignalWatchers* signal_watchers = nullptr;          // je.events watch
  LeaderElector* leader = nullptr;                    // je.leader (null: not offered)
  RetentionRegistry* retention = nullptr;             // je.retention (null: not offered)
  ServiceRegistry* registry = nullptr;
  CommandRegistry* commands = nullptr;  // je.cli (the PluginManager's own)
};

// Where a plugin is in its life; registration calls check it.
enum class PluginPhase : int {
  kLoaded = 0,
  kCreating,
  kCreated,
  kStarting,
  kRunning,
  kStopping,
  kStopped
};

}  // namespace jobengine::host

// Defined at global scope because abi.h declares `struct je_host` there.
struct je_host {
  std::string plugin_id;                   // "scheduler", or "host" for the host's own use
  std::string config_json;                 // the plugin's [plugins.<id>] table as JSON
  std::shared_ptr<spdlog::logger> logger;  // "plugin.<id>"
  std::atomic<jobengine::host::PluginPhase> phase{jobengine::host::PluginPhase::kLoaded};
  jobengine::host::HostServices* services = nullptr;

  // Per-plugin vtable copies (their `host` field points back at this handle).
  je_host_api api{};
  je_log_v1 log_vt{};
  je_config_v1 config_vt{};
  je_http_v1 http_vt{};
  je_store_v1 store_vt{};
  je_metrics_v1 metrics_vt{};
  je_events_v1 events_vt{};
  je_leader_v1 leader_vt{};
  je_cli_v1 cli_vt{};
  je_retention_v1 retention_vt{};

  bool mayRegister() const { return phase.load() == jobengine::host::PluginPhase::kCreating; }
  // Subscriptions and signal watches end when the plugin leaves the running phases.
  bool live() const {
    const auto p = phase.load();
    return p != jobengine::host::PluginPhase::kStopping &&
           p != jobengine::host::PluginPhase::kStopped;
  }
  // Subscriptions and signal watches are taken only inside create() or start().
  bool maySubscribe() const {
    const auto p = phase.load();
    return p == jobengine::host::PluginPhase::kCreating ||
           p == jobengine::host::PluginPhase::kStarting;
  }
};
