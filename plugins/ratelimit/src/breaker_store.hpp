// breaker_store.hpp — SQL of the read and reset routes for circuit breakers (ratelimit.breakers)
// and the upstream buckets (ratelimit.upstream_buckets), migration 0002. Rows come back as the
// core's plain structs plus their rendered timestamps; the routes compute the views
// (core/limit_views.hpp) at the transaction's now().
#pragma once

#include <jobengine/plugin.hpp>

#include <optional>
#include <string>
#include <vector>

#include "core/circuit_breaker.hpp"
#include "core/upstream_bucket.hpp"

namespace jobengine::ratelimit {

struct BreakerRow {
  std::string job_type;
  CircuitBreaker breaker;
  std::optional<std::string> opened_until;  // RFC 3339
  std::string changed_at;
};

// A page of the tenant's breakers in job type order (byte order), strictly after `after`.
std::vector<BreakerRow> listBreakers(sdk::Txn& txn, const std::optional<std::string>& after,
                                     int limit);

// The breaker of job_type, locked for the reset; nullopt when none exists.
std::optional<BreakerRow> lockBreaker(sdk::Txn& txn, const std::string& job_type);

// Writes a breaker back (state, window, opened_until, probes); changed_at moves to now() when
// `state_changed`.
BreakerRow writeBreaker(sdk::Txn& txn, const std::string& job_type, const CircuitBreaker& breaker,
                        bool state_changed);

struct BucketRow {
  std::string host;
  UpstreamBucket bucket;
  std::optional<std::string> cooldown_until;  // RFC 3339
  std::string updated_at;
};

// A page of the tenant's upstream buckets in host order (byte order), strictly after `after`.
std::vector<BucketRow> listUpstreamBuckets(sdk::Txn& txn, const std::optional<std::string>& after,
                                           int limit);

}  // namespace jobengine::ratelimit
