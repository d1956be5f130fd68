// cluster_gauges_store.cpp — the ratelimit cluster gauge queries. See cluster_gauges_store.hpp.
//
// Cost per refresh: one scan of each of ratelimit.quotas, ratelimit.breakers and
// ratelimit.upstream_buckets (small tables: one row per limit an operator or source set), plus
// one capped je.jobs count per quota with a max_active.
#include "cluster_gauges_store.hpp"

#include <string>

#include "common_store.hpp"
#include "core/limit_views.hpp"
#include "core/operator_input.hpp"

namespace jobengine::ratelimit {

namespace {

constexpr int64_t kGaugeActiveCountCap = 1'000'000;  // as GET /quotas/summary counts

constexpr const char* kQuotaActiveHelp =
    "Jobs of the quota's type leased or running (je.jobs count); leader only";
constexpr const char* kQuotaMaxActiveHelp = "The quota's max_active; leader only";
constexpr const char* kQuotaTokensHelp = "The quota's token bucket level now; leader only";
constexpr const char* kQuotaBurstHelp = "The quota's token bucket capacity (burst); leader only";
constexpr const char* kBreakerStateHelp =
    "1 for the circuit breaker's current state (closed, open, half_open), 0 for the others; "
    "leader only";
constexpr const char* kUpstreamRateHelp =
    "An upstream bucket's rate in requests per minute: kind=configured (rpm) or current "
    "(adaptively lowered after 429/503); leader only";
constexpr const char* kUpstreamTokensHelp = "An upstream bucket's level now; leader only";

std::optional<int> gaugeNullableInt(const sdk::Row& r, uint32_t col) {
  if (r.isNull(col)) {
    return std::nullopt;
  }
  return static_cast<int>(r.i64(col));
}

void gaugeQuotas(sdk::Txn& txn, const JobCounts& counts, TimePoint now, sdk::GaugeSnapshot& out) {
  static const std::string sql =
      "SELECT tenant_id, job_type, max_active, max_per_hour, burst, tokens, " +
      epochMicrosSql("tokens_at") + " FROM ratelimit.quotas";
  struct Quota {
    std::string tenant;
    std::string job_type;
    QuotaLimits limits;
    QuotaBucketState bucket;
  };
  std::vector<Quota> quotas;
  txn.exec(sql, {}, [&](const sdk::Row& r) {
    Quota q{r.str(0), r.str(1), {}, {}};
    q.limits.max_active = gaugeNullableInt(r, 2);
    q.limits.max_per_hour = gaugeNullableInt(r, 3);
    q.limits.burst = gaugeNullableInt(r, 4);
    q.bucket.tokens = r.f64(5);
    q.bucket.tokens_at = fromEpochMicros(r.i64(6));
    quotas.push_back(std::move(q));
  });
  for (const auto& q : quotas) {
    const nlohmann::json labels = {{"tenant", q.tenant}, {"job_type", q.job_type}};
    if (q.limits.max_active) {
      out.set("ratelimit_quota_max_active", kQuotaMaxActiveHelp, labels, *q.limits.max_active);
    }
    if (counts.available()) {
      out.set("ratelimit_quota_active", kQuotaActiveHelp, labels,
              static_cast<double>(counts.count(&txn, q.tenant, JE_JOBS_COUNT_ACTIVE, q.job_type,
                                               kGaugeActiveCountCap)));
    }
    if (const auto bucket = quotaBucket(q.limits, q.bucket)) {
      out.set("ratelimit_quota_tokens", kQuotaTokensHelp, labels, bucketViewAt(*bucket, now).level);
      out.set("ratelimit_quota_burst", kQuotaBurstHelp, labels, bucket->capacity);
    }
  }
}

void gaugeBreakers(sdk::Txn& txn, sdk::GaugeSnapshot& out) {
  txn.exec("SELECT tenant_id, job_type, state FROM ratelimit.breakers", {}, [&](const sdk::Row& r) {
    const BreakerState state = breakerStateFromText(r.view(2));
    for (const BreakerState s :
         {BreakerState::closed, BreakerState::open, BreakerState::half_open}) {
      out.set("ratelimit_breaker_state", kBreakerStateHelp,
              {{"tenant", r.str(0)}, {"job_type", r.str(1)}, {"state", breakerStateText(s)}},
              s == state ? 1.0 : 0.0);
    }
  });
}

void gaugeUpstreamBuckets(sdk::Txn& txn, TimePoint now, sdk::GaugeSnapshot& out) {
  static const std::string sql =
      "SELECT tenant_id, host, rpm, burst, cooldown_seconds, current_per_s, level, " +
      epochMicrosSql("updated_at") + ", " + epochMicrosSql("cooldown_until") +
      " FROM ratelimit.upstream_buckets";
  txn.exec(sql, {}, [&](const sdk::Row& r) {
    const UpstreamBucket bucket = upstreamBucketFrom(r, 2);
    const std::string tenant = r.str(0);
    const std::string host = r.str(1);
    out.set("ratelimit_upstream_rate_per_minute", kUpstreamRateHelp,
            {{"tenant", tenant}, {"host", host}, {"kind", "configured"}}, bucket.rpm);
    out.set("ratelimit_upstream_rate_per_minute", kUpstreamRateHelp,
            {{"tenant", tenant}, {"host", host}, {"kind", "current"}}, bucket.current_per_s * 60.0);
    out.set("ratelimit_upstream_tokens", kUpstreamTokensHelp, {{"tenant", tenant}, {"host", host}},
            upstreamLevelAt(bucket, now));
  });
}

}  // namespace

void collectRatelimitGauges(sdk::Txn& txn, const JobCounts& counts, sdk::GaugeSnapshot& out) {
  const TimePoint now = dbNow(txn);
  gaugeQuotas(txn, counts, now, out);
  gaugeBreakers(txn, out);
  gaugeUpstreamBuckets(txn, now, out);
}

}  // namespace jobengine::ratelimit
