// common_store.hpp — SQL shared by the ratelimit operator stores: the database's clock (one
// clock for every limit, SPEC §3: `now` of the request's transaction, constant inside it) and
// the RFC 3339 rendering of timestamptz columns.
#pragma once

#include <jobengine/plugin.hpp>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "core/time_types.hpp"
#include "core/upstream_bucket.hpp"

namespace jobengine::ratelimit {

// now() of the transaction (the same value every statement of it sees).
TimePoint dbNow(sdk::Txn& txn);

// Microseconds since the epoch to a time point, and a time point to RFC 3339 UTC with
// microseconds ("2026-12-06T09:00:00.000000Z"), the form every column renders in.
TimePoint fromEpochMicros(int64_t micros);
std::string rfc3339(TimePoint tp);
// A time point as epoch microseconds (kNever saturates to INT64_MAX), and a JSON number of
// epoch microseconds or null as a time point (null: `otherwise`).
int64_t toEpochMicros(TimePoint tp);
TimePoint epochMicrosOr(const nlohmann::json& value, TimePoint otherwise);

// An upstream bucket from 7 columns starting at `first`: rpm, burst, cooldown_seconds,
// current_per_s, level, updated_at and cooldown_until (both epoch microseconds; NULL: none).
UpstreamBucket upstreamBucketFrom(const sdk::Row& r, uint32_t first);

// A "{a,b}" text[] literal, every element quoted: of a JSON array of strings, or of a JSON
// object's keys when `keys` is set.
std::string textArray(const nlohmann::json& names, bool keys = false);

// SQL rendering a timestamptz column as RFC 3339 UTC with microseconds and 'Z'.
std::string rfc3339Sql(const std::string& column);
// SQL rendering a timestamptz column as bigint microseconds since the epoch.
std::string epochMicrosSql(const std::string& column);

}  // namespace jobengine::ratelimit
