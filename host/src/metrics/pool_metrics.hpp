// The store connection pool's metrics (docs/metrics.md, "Host"): a PoolObserver that writes
// jobengine_db_pool_connections{state="in_use"|"idle"} on every acquire and release and
// observes jobengine_db_pool_wait_seconds per acquire, plus jobengine_db_pool_max_connections.
// Per replica: each process reports its own pool. Kept here so the store knows no metrics.
#pragma once

#include <cstddef>

#include "metrics/metrics_registry.hpp"
#include "store/connection_pool.hpp"

namespace jobengine::host {

// Sets jobengine_db_pool_max_connections to `capacity` and returns the observer to install
// with ConnectionPool::setObserver. `metrics` must outlive the pool's use of the observer.
PoolObserver makePoolMetricsObserver(MetricsRegistry& metrics, std::size_t capacity);

}  // namespace jobengine::host
