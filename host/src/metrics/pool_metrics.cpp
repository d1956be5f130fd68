// The store connection pool's metrics (see pool_metrics.hpp).
#include "metrics/pool_metrics.hpp"

namespace jobengine::host {
namespace {

constexpr const char* kPoolConnectionsMetric = "db_pool_connections";
constexpr const char* kPoolConnectionsHelp =
    "This replica's pooled store connections by state (in_use: leased to a transaction)";
constexpr const char* kPoolMaxMetric = "db_pool_max_connections";
constexpr const char* kPoolMaxHelp = "This replica's store pool size (database.pool_size)";
constexpr const char* kPoolWaitMetric = "db_pool_wait_seconds";
constexpr const char* kPoolWaitHelp =
    "Seconds a store transaction waited for a pooled connection (0 when one was free)";

}  // namespace

PoolObserver makePoolMetricsObserver(MetricsRegistry& metrics, std::size_t capacity) {
  metrics.gaugeSet(kPoolMaxMetric, kPoolMaxHelp, {}, static_cast<double>(capacity));
  MetricsRegistry* m = &metrics;
  PoolObserver observer;
  observer.on_counts = [m](std::size_t in_use, std::size_t idle) {
    m->gaugeSet(kPoolConnectionsMetric, kPoolConnectionsHelp, {{"state", "in_use"}},
                static_cast<double>(in_use));
    m->gaugeSet(kPoolConnectionsMetric, kPoolConnectionsHelp, {{"state", "idle"}},
                static_cast<double>(idle));
  };
  observer.on_wait = [m](double seconds) {
    m->histogramObserve(kPoolWaitMetric, kPoolWaitHelp, {}, seconds);
  };
  return observer;
}

}  // namespace jobengine::host
