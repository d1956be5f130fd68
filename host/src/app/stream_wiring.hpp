// The engine's streaming side as one unit: the StreamHub, the OutboxFeeder that fills it from
// the event outbox, the Beast StreamListener on http.stream_port, the TokenVerifier it
// authenticates with, and the plugin event subscriptions (je.events subscribe).
//
// Order (engine.cpp): ensureStreamTokenSecret() before anything reads auth config; construct
// StreamStack before plugins are created (so `subscribe` works in create()); registerRoutes()
// with the host routes; start() with REST (feeder, then listener); stop() before plugins stop
// (listener, then feeder, then hub.closeAll()).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "config/host_config.hpp"
#include "events/signal_watchers.hpp"
#include "stream/event_subscriptions.hpp"

namespace jobengine::host {

class Database;
class Store;
class MetricsRegistry;
class RouteTable;

// When auth.stream_token_secret is empty: reads <data_dir>/stream_token.secret, or generates
// 32 random bytes (hex) into it with mode 0600, and sets it in config. Throws
// std::runtime_error naming the file on I/O errors.
void ensureStreamTokenSecret(HostConfig& config);

class StreamStack {
 public:
  // Builds the verifier (throws std::runtime_error on bad auth config); connects nothing yet.
  // pruned_through (may be empty): how far a tenant's outbox was pruned, for the listener's
  // 410 POSITION_PRUNED on a pruned resume position (docs/operations.md "Retention").
  StreamStack(const HostConfig& config, const Database& database, Store& store,
              MetricsRegistry& metrics,
              std::function<std::optional<int64_t>(const std::string&)> pruned_through = {});
  ~StreamStack();  // stop()
  StreamStack(const StreamStack&) = delete;
  StreamStack& operator=(const StreamStack&) = delete;

  EventSubscriptions& subscriptions();
  SignalWatchers& signals();  // je.events watch (plugins); dispatched by the feeder
  // POST /api/v1/jobengine/stream/tokens and the REST-port redirects; returns an error line.
  std::optional<std::string> registerRoutes(RouteTable& routes);
  // Starts the feeder and the listener; throws std::runtime_error (one line) on failure.
  void start();
  // Idempotent: listener, then feeder, then every subscription closed.
  void stop();
  int port() const;

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

}  // namespace jobengine::host
