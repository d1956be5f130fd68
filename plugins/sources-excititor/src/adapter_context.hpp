// adapter_context.hpp — what the routes and the job handlers of sources-excititor share: the
// host, the settings, an id generator, and the services other plugins provide (je.sources from
// the scheduler, je.ratelimit from the ratelimit plugin). Those exist only from start() on,
// while routes are registered in create(): start() fills them in once, before any job runs;
// a route that needs je.sources and finds none answers 503.
#pragma once

#include <jobengine/ids.hpp>
#include <jobengine/plugin.hpp>
#include <jobengine/ratelimit.hpp>
#include <jobengine/sources.hpp>

#include <atomic>
#include <optional>

#include "core/sources_excititor_settings.hpp"

namespace jobengine::excititor {

class AdapterContext {
 public:
  AdapterContext(sdk::Host& host, ExcititorSettings settings)
      : host_(host), settings_(std::move(settings)) {}

  sdk::Host& host() const { return host_; }
  const ExcititorSettings& settings() const { return settings_; }
  sdk::UuidV7Generator& ids() { return ids_; }

  // From start(): the services found (each may be absent).
  void bind(std::optional<sdk::Sources> sources, std::optional<sdk::RateLimit> ratelimit) {
    sources_storage_ = std::move(sources);
    ratelimit_storage_ = std::move(ratelimit);
    sources_.store(sources_storage_ ? &*sources_storage_ : nullptr, std::memory_order_release);
    ratelimit_.store(ratelimit_storage_ ? &*ratelimit_storage_ : nullptr,
                     std::memory_order_release);
  }
  const sdk::Sources* sources() const { return sources_.load(std::memory_order_acquire); }
  const sdk::RateLimit* ratelimit() const { return ratelimit_.load(std::memory_order_acquire); }

 private:
  sdk::Host& host_;
  ExcititorSettings settings_;
  sdk::UuidV7Generator ids_;
  std::optional<sdk::Sources> sources_storage_;
  std::optional<sdk::RateLimit> ratelimit_storage_;
  std::atomic<const sdk::Sources*> sources_{nullptr};
  std::atomic<const sdk::RateLimit*> ratelimit_{nullptr};
};

}  // namespace jobengine::excititor
