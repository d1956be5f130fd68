// Operator input of the ratelimit routes (SPEC §3, §5.1): the semantic rules of a quota and a
// throttle request that the OpenAPI schema cannot express, as pure functions of plain values.
//
// The schema already checked types, ranges and closed shapes (openapi/*.json); these functions
// decide what the combination means: a quota needs at least one limit or paused, burst needs a
// rate and defaults to it, a throttle caps only job types and expires between now and 30 days
// from now. The route turns an InputError into 422 VALIDATION_FAILED with details.field.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/time_types.hpp"
#include "core/token_bucket.hpp"

namespace jobengine::ratelimit {

// A refused field: the JSON field name and what is allowed.
struct InputError {
  std::string field;
  std::string message;
};

// The editable fields of a quota; nullopt limits are not enforced.
struct QuotaLimits {
  std::optional<int> max_active;
  std::optional<int> max_per_hour;
  std::optional<int> burst;
  std::optional<int> backlog_limit;
  std::optional<bool> paused;  // nullopt: unchanged on PUT, false on POST
};

struct QuotaInput {
  std::string job_type;  // POST only
  QuotaLimits limits;
  std::optional<InputError> error;
};

// POST /quotas body {jobType, maxActive?, maxPerHour?, burst?, backlogLimit?, paused?}: at least
// one limit or paused: true; burst only with maxPerHour, defaulting to max(maxPerHour, 1).
QuotaInput parseQuotaCreate(const nlohmann::json& body);

// PUT /quotas/{id} body {maxActive?, maxPerHour?, burst?, backlogLimit?, paused?}: the limits are
// replaced (absent or null: not enforced), paused changes only when given. `was_paused` is the
// quota's current state, for the "at least one limit or paused" rule.
QuotaInput parseQuotaReplace(const nlohmann::json& body, bool was_paused);

// The stored bucket of a quota (tokens at tokens_at).
struct QuotaBucketState {
  double tokens = 0.0;
  TimePoint tokens_at{};
};

// A new quota's bucket: full (burst tokens) when it has a rate, else empty.
QuotaBucketState newQuotaBucket(const QuotaLimits& limits, TimePoint now);

// The bucket after an edit from `before` to `after`: refilled to now with the old rate and burst,
// then capped to the new burst (a level is kept, never raised by an edit); a quota that gains a
// rate starts full, one that loses it is empty.
QuotaBucketState editedQuotaBucket(const QuotaLimits& before, const QuotaBucketState& bucket,
                                   const QuotaLimits& after, TimePoint now);

// The quota's token bucket (capacity burst, refill max_per_hour / 3600 per second); nullopt when
// the quota has no rate.
std::optional<TokenBucket> quotaBucket(const QuotaLimits& limits, const QuotaBucketState& state);

// Longest throttle: 30 days.
inline constexpr int kMaxThrottleSeconds = 30 * 24 * 3600;

// A throttle as the table stores it (target_kind 'source' | 'job_type', action 'pause' | 'cap').
struct ThrottleInput {
  std::string target_kind;
  std::string target;
  std::string action;
  std::optional<int> max_active;
  TimePoint expires_at{};
  std::optional<InputError> error;
};

// POST /throttles body {targetKind, target, action, maxActive?, expiresAt? | durationSeconds?} at
// `now`: cap needs maxActive and a jobType target, pause refuses maxActive; exactly one of
// expiresAt (RFC 3339, after now) and durationSeconds; the expiry at most 30 days from now. A
// source target is a source id (a UUID, stored lower-case).
ThrottleInput parseThrottleCreate(const nlohmann::json& body, TimePoint now);

}  // namespace jobengine::ratelimit
