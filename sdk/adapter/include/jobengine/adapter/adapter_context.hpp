// jobengine/adapter/adapter_context.hpp — what the routes and the job handlers of an adapter
// plugin share: the host, the plugin's settings, an id generator, and the services other plugins
// provide (je.sources from the scheduler, je.ratelimit from the ratelimit plugin). Those exist
// only from start() on, while routes are registered in create(): start() fills them in once
// (bind), before any job runs; a route that needs je.sources and finds none answers 503.
//
// AdapterServices is the part that does not depend on the plugin's settings (what the kit's
// shared glue takes: record_routes.hpp, demo_records.hpp), with the plugin's registry table
// (record_store.hpp) and its document tables (document_store.hpp); AdapterContext<Settings> adds
// the plugin's parsed settings. Header-only, like ratelimit_budget.hpp: it holds SDK service types,
// which only plugins link.
//
// Threads: bind() runs once in start(); the atomics publish the services to the route and job
// threads that read them afterwards.
#pragma once

#include <jobengine/adapter/document_store.hpp>
#include <jobengine/adapter/record_store.hpp>
#include <jobengine/ids.hpp>
#include <jobengine/plugin.hpp>
#include <jobengine/ratelimit.hpp>
#include <jobengine/sources.hpp>

#include <atomic>
#include <optional>
#include <utility>

namespace jobengine::adapter {

class AdapterServices {
 public:
  AdapterServices(sdk::Host& host, RecordStore records, DocumentStore documents)
      : host_(host), records_(std::move(records)), documents_(std::move(documents)) {}
  AdapterServices(const AdapterServices&) = delete;
  AdapterServices& operator=(const AdapterServices&) = delete;

  sdk::Host& host() const { return host_; }
  sdk::UuidV7Generator& ids() { return ids_; }
  // The plugin's registry table (its connectors, its providers).
  const RecordStore& records() const { return records_; }
  // The plugin's raw / fetched documents and listing validators.
  const DocumentStore& documents() const { return documents_; }

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
  RecordStore records_;
  DocumentStore documents_;
  sdk::UuidV7Generator ids_;
  std::optional<sdk::Sources> sources_storage_;
  std::optional<sdk::RateLimit> ratelimit_storage_;
  std::atomic<const sdk::Sources*> sources_{nullptr};
  std::atomic<const sdk::RateLimit*> ratelimit_{nullptr};
};

template <class Settings>
class AdapterContext : public AdapterServices {
 public:
  AdapterContext(sdk::Host& host, Settings settings, RecordStore records, DocumentStore documents)
      : AdapterServices(host, std::move(records), std::move(documents)),
        settings_(std::move(settings)) {}

  const Settings& settings() const { return settings_; }

 private:
  Settings settings_;
};

}  // namespace jobengine::adapter
