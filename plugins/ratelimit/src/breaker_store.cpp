// breaker_store.cpp — ratelimit.breakers and ratelimit.upstream_buckets statements (see
// breaker_store.hpp).
#include "breaker_store.hpp"

#include <chrono>

#include "common_store.hpp"
#include "core/limit_views.hpp"

namespace jobengine::ratelimit {

namespace {

std::string breakerColumns() {
  return "job_type, state, window_slots, " + epochMicrosSql("opened_until") +
         ", probes_admitted, probe_successes, " + rfc3339Sql("opened_until") + ", " +
         rfc3339Sql("changed_at");
}

BreakerRow breakerFromRow(const sdk::Row& r) {
  BreakerRow b;
  b.job_type = r.str(0);
  b.breaker.state = breakerStateFromText(r.view(1));
  b.breaker.slots = breakerSlotsFromJson(r.json(2));
  if (!r.isNull(3)) {
    b.breaker.opened_until = fromEpochMicros(r.i64(3));
  }
  b.breaker.probes_admitted = static_cast<int>(r.i64(4));
  b.breaker.probe_successes = static_cast<int>(r.i64(5));
  b.opened_until = r.opt(6);
  b.changed_at = r.str(7);
  return b;
}

std::vector<BreakerRow> collectBreakers(sdk::Txn& txn, const std::string& sql,
                                        const std::vector<sdk::Param>& params) {
  std::vector<BreakerRow> rows;
  txn.exec(sql, params, [&](const sdk::Row& r) { rows.push_back(breakerFromRow(r)); });
  return rows;
}

}  // namespace

std::vector<BreakerRow> listBreakers(sdk::Txn& txn, const std::optional<std::string>& after,
                                     int limit) {
  static const std::string sql = "SELECT " + breakerColumns() +
                                 " FROM ratelimit.breakers WHERE tenant_id = $1 AND ($2::text IS "
                                 "NULL OR job_type COLLATE \"C\" > $2::text) ORDER BY job_type "
                                 "COLLATE \"C\" LIMIT $3::int";
  return collectBreakers(txn, sql, {txn.tenant(), after, limit});
}

std::optional<BreakerRow> lockBreaker(sdk::Txn& txn, const std::string& job_type) {
  static const std::string sql =
      "SELECT " + breakerColumns() +
      " FROM ratelimit.breakers WHERE tenant_id = $1 AND job_type = $2 FOR UPDATE";
  auto rows = collectBreakers(txn, sql, {txn.tenant(), job_type});
  if (rows.empty()) {
    return std::nullopt;
  }
  return std::move(rows.front());
}

BreakerRow writeBreaker(sdk::Txn& txn, const std::string& job_type, const CircuitBreaker& breaker,
                        bool state_changed) {
  static const std::string sql =
      "UPDATE ratelimit.breakers SET state = $3, window_slots = $4::jsonb, opened_until = CASE "
      "WHEN $5::bigint IS NULL THEN NULL ELSE 'epoch'::timestamptz + $5::bigint * interval '1 "
      "microsecond' END, probes_admitted = $6::int, probe_successes = $7::int, changed_at = "
      "CASE WHEN $8::boolean THEN now() ELSE changed_at END, updated_at = now() WHERE tenant_id "
      "= $1 AND job_type = $2 RETURNING " +
      breakerColumns();
  std::optional<int64_t> opened_until;
  if (breaker.opened_until != TimePoint{}) {
    opened_until = std::chrono::duration_cast<std::chrono::microseconds>(
                       breaker.opened_until.time_since_epoch())
                       .count();
  }
  auto rows = collectBreakers(txn, sql,
                              {txn.tenant(), job_type, breakerStateText(breaker.state),
                               breakerSlotsToJson(breaker.slots).dump(), opened_until,
                               breaker.probes_admitted, breaker.probe_successes, state_changed});
  if (rows.size() != 1) {
    throw sdk::Error(JE_ERR_INTERNAL, "writeBreaker: the breaker row vanished");
  }
  return std::move(rows.front());
}

std::vector<BucketRow> listUpstreamBuckets(sdk::Txn& txn, const std::optional<std::string>& after,
                                           int limit) {
  static const std::string sql =
      "SELECT host, rpm, burst, cooldown_seconds, current_per_s, level, " +
      epochMicrosSql("updated_at") + ", " + epochMicrosSql("cooldown_until") + ", " +
      rfc3339Sql("cooldown_until") + ", " + rfc3339Sql("updated_at") +
      " FROM ratelimit.upstream_buckets WHERE tenant_id = $1 AND ($2::text IS NULL OR host "
      "COLLATE \"C\" > $2::text) ORDER BY host COLLATE \"C\" LIMIT $3::int";
  std::vector<BucketRow> rows;
  txn.exec(sql, {txn.tenant(), after, limit}, [&](const sdk::Row& r) {
    BucketRow b;
    b.host = r.str(0);
    b.bucket = upstreamBucketFrom(r, 1);
    b.cooldown_until = r.opt(8);
    b.updated_at = r.str(9);
    rows.push_back(std::move(b));
  });
  return rows;
}

}  // namespace jobengine::ratelimit
