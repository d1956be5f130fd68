// Engine: wires the host's subsystems together for `jobengine serve` and runs them in order.
//
// Start-up: database (embedded cluster or external DSN) -> migrations (host, then every enabled
// plugin's folder) -> store pool -> plugins loaded and created (routes, job types, services
// registered) -> host routes -> REST and stream listeners -> plugins started -> the leader
// elector starts competing (docs/leader.md) -> ready.
// Shutdown on SIGINT/SIGTERM, in reverse: REST drains (new requests 503, in-flight ones
// finish), listeners stop, the elector steps down and releases leadership, plugins stop in
// reverse order, the pool closes, the embedded cluster stops. Any start-up failure prints one
// line and the process exits non-zero, having undone what had started.
#pragma once

#include <memory>
#include <string>

#include "config/host_config.hpp"

namespace jobengine::host {

struct EngineOptions {
  bool demo = false;  // print a dev token and curl examples when ready
};

class Engine {
 public:
  explicit Engine(HostConfig config);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Runs until SIGINT or SIGTERM; returns the process exit code. The caller must have called
  // blockStopSignals() (app/signals.hpp) before any thread was created.
  int serve(const EngineOptions& options);

 private:
  struct Parts;
  HostConfig config_;
  std::unique_ptr<Parts> parts_;
};

// Where migrations/ and plugins/ are when the config does not say.
std::string resolveMigrationsDir(const HostConfig& config);

}  // namespace jobengine::host
