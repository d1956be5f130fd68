// upstream_store.cpp — see upstream_store.hpp.
#include "upstream_store.hpp"

#include <stdexcept>

#include "common_store.hpp"
#include "core/upstream_bucket.hpp"

namespace jobengine::ratelimit {

namespace {

using nlohmann::json;

// Creates the bucket (full) on first use and follows the policy: a changed rpm resets the
// adaptive rate to the new configured one, a smaller burst caps the level. Insert and update
// both leave the row locked until commit; RETURNING gives the state to decide on.
const char* kUpsertAndLock = R"SQL(
INSERT INTO ratelimit.upstream_buckets AS b
  (tenant_id, host, rpm, burst, cooldown_seconds, current_per_s, level)
VALUES ($1, $2, $3::int, $4::int, $5::int, $3::int / 60.0, $4::int)
ON CONFLICT (tenant_id, host) DO UPDATE
SET rpm = EXCLUDED.rpm, burst = EXCLUDED.burst, cooldown_seconds = EXCLUDED.cooldown_seconds,
    current_per_s = CASE WHEN b.rpm <> EXCLUDED.rpm THEN EXCLUDED.current_per_s
                         ELSE b.current_per_s END,
    level = LEAST(b.level, EXCLUDED.burst)
RETURNING b.rpm, b.burst, b.cooldown_seconds, b.current_per_s, b.level,
          (extract(epoch FROM b.updated_at) * 1000000)::bigint,
          (extract(epoch FROM b.cooldown_until) * 1000000)::bigint,
          (extract(epoch FROM now()) * 1000000)::bigint
)SQL";

const char* kLock = R"SQL(
SELECT b.rpm, b.burst, b.cooldown_seconds, b.current_per_s, b.level,
       (extract(epoch FROM b.updated_at) * 1000000)::bigint,
       (extract(epoch FROM b.cooldown_until) * 1000000)::bigint,
       (extract(epoch FROM now()) * 1000000)::bigint
FROM ratelimit.upstream_buckets b
WHERE b.tenant_id = $1 AND b.host = $2
FOR UPDATE OF b
)SQL";

const char* kSave = R"SQL(
UPDATE ratelimit.upstream_buckets
SET current_per_s = $3::float8, level = $4::float8,
    updated_at = timestamptz 'epoch' + $5::bigint * interval '1 microsecond',
    cooldown_until = CASE WHEN $6::bigint IS NULL THEN NULL
                          ELSE timestamptz 'epoch' + $6::bigint * interval '1 microsecond' END
WHERE tenant_id = $1 AND host = $2
)SQL";

std::string requiredString(const json& request, const char* field) {
  if (!request.is_object() || !request.contains(field) || !request[field].is_string() ||
      request[field].get<std::string>().empty()) {
    throw std::invalid_argument(std::string("upstream: ") + field + " is required");
  }
  return request[field].get<std::string>();
}

struct Locked {
  UpstreamBucket bucket;
  TimePoint now;
};

Locked lockedFrom(const sdk::Row& r) {
  Locked l;
  l.bucket = upstreamBucketFrom(r, 0);
  l.now = fromEpochMicros(r.i64(7));
  return l;
}

void save(sdk::Txn& txn, const std::string& tenant, const std::string& host,
          const UpstreamBucket& b) {
  const bool cooling = b.cooldown_until != TimePoint{};
  txn.exec(kSave,
           {tenant, host, b.current_per_s, b.level, toEpochMicros(b.updated_at),
            cooling ? std::optional<int64_t>(toEpochMicros(b.cooldown_until)) : std::nullopt});
}

}  // namespace

json UpstreamStore::acquire(const json& request) const {
  const std::string tenant = requiredString(request, "tenant");
  const std::string host = requiredString(request, "host");
  const json policy = request.value("policy", json(nullptr));
  if (policy.is_null()) {
    return {{"granted", false}, {"reason", "no_policy"}, {"retryAt", nullptr}};
  }
  const auto number = [&](const char* field, int min, int otherwise) {
    const json v = policy.value(field, json(otherwise));
    if (!v.is_number_integer() || v.get<int64_t>() < min || v.get<int64_t>() > 1000000) {
      throw std::invalid_argument(std::string("upstream: policy.") + field +
                                  " must be an integer >= " + std::to_string(min));
    }
    return v.get<int>();
  };
  const int rpm = number("rpm", 1, 0);
  const int burst = number("burst", 1, rpm);
  const int cooldown = number("cooldownSeconds", 0, 60);
  auto txn = host_.begin(tenant);
  std::optional<Locked> locked;
  txn.exec(kUpsertAndLock, {tenant, host, rpm, burst, cooldown},
           [&](const sdk::Row& r) { locked = lockedFrom(r); });
  if (!locked) {
    throw sdk::Error(JE_ERR_INTERNAL, "upstream bucket vanished while locked");
  }
  const bool cooling_before = locked->now < locked->bucket.cooldown_until;
  const AcquireResult result = ratelimit::acquire(locked->bucket, locked->now);
  save(txn, tenant, host, locked->bucket);
  txn.commit();
  if (result.granted) {
    return {{"granted", true}, {"reason", nullptr}, {"retryAt", nullptr}};
  }
  return {{"granted", false},
          {"reason", cooling_before ? "cooldown" : "rate_limited"},
          {"retryAt", result.retry_at == kNever ? json(nullptr) : json(rfc3339(result.retry_at))}};
}

void UpstreamStore::report(const json& request) const {
  const std::string tenant = requiredString(request, "tenant");
  const std::string host = requiredString(request, "host");
  if (!request.contains("status") || !request["status"].is_number_integer()) {
    throw std::invalid_argument("upstream: status (the upstream's HTTP status) is required");
  }
  const int status = request["status"].get<int>();
  const json retry = request.value("retryAfterSeconds", json(nullptr));
  auto txn = host_.begin(tenant);
  std::optional<Locked> locked;
  txn.exec(kLock, {tenant, host}, [&](const sdk::Row& r) { locked = lockedFrom(r); });
  if (!locked) {
    return;  // never acquired: nothing to adapt
  }
  if (status == 429 || status == 503) {
    std::optional<std::chrono::seconds> retry_after;
    if (retry.is_number() && retry.get<double>() >= 0) {
      retry_after = std::chrono::seconds(static_cast<int64_t>(retry.get<double>()));
    }
    reportThrottled(locked->bucket, locked->now, retry_after);
  } else if (status < 500) {
    reportSuccess(locked->bucket, locked->now);
  } else {
    return;  // other server errors say nothing about the rate
  }
  save(txn, tenant, host, locked->bucket);
  txn.commit();
}

}  // namespace jobengine::ratelimit
