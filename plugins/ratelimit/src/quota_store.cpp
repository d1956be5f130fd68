// quota_store.cpp — ratelimit.quotas statements (see quota_store.hpp).
#include "quota_store.hpp"

#include <array>
#include <chrono>
#include <cstdio>

#include "common_store.hpp"

namespace jobengine::ratelimit {

namespace {

std::string quotaColumns() {
  return "id::text, job_type, max_active, max_per_hour, burst, backlog_limit, paused, "
         "pause_reason, tokens, " +
         epochMicrosSql("tokens_at") + ", version, " + rfc3339Sql("created_at") + ", " +
         rfc3339Sql("updated_at");
}

std::optional<int> optInt(const sdk::Row& r, uint32_t col) {
  if (r.isNull(col)) {
    return std::nullopt;
  }
  return static_cast<int>(r.i64(col));
}

QuotaRow quotaFromRow(const sdk::Row& r) {
  QuotaRow q;
  q.id = r.str(0);
  q.job_type = r.str(1);
  q.limits.max_active = optInt(r, 2);
  q.limits.max_per_hour = optInt(r, 3);
  q.limits.burst = optInt(r, 4);
  q.limits.backlog_limit = optInt(r, 5);
  q.limits.paused = r.boolean(6);
  q.pause_reason = r.opt(7);
  q.bucket.tokens = r.f64(8);
  q.bucket.tokens_at = fromEpochMicros(r.i64(9));
  q.version = r.i64(10);
  q.created_at = r.str(11);
  q.updated_at = r.str(12);
  return q;
}

// Full precision for the fractional token level (Param(double) keeps six decimals).
std::string exactDouble(double v) {
  std::array<char, 32> buf{};
  const int n = std::snprintf(buf.data(), buf.size(), "%.17g", v);
  return {buf.data(), static_cast<size_t>(n)};
}

int64_t epochMicros(TimePoint tp) {
  return std::chrono::duration_cast<std::chrono::microseconds>(tp.time_since_epoch()).count();
}

std::vector<QuotaRow> collectQuotas(sdk::Txn& txn, const std::string& sql,
                                    const std::vector<sdk::Param>& params) {
  std::vector<QuotaRow> rows;
  txn.exec(sql, params, [&](const sdk::Row& r) { rows.push_back(quotaFromRow(r)); });
  return rows;
}

QuotaRow exactlyOne(std::vector<QuotaRow> rows, const char* what) {
  if (rows.size() != 1) {
    throw sdk::Error(JE_ERR_INTERNAL, std::string(what) + ": the quota row vanished");
  }
  return std::move(rows.front());
}

}  // namespace

nlohmann::json quotaJson(const QuotaRow& row) {
  const auto opt = [](const std::optional<int>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
  };
  return {{"id", row.id},
          {"jobType", row.job_type},
          {"maxActive", opt(row.limits.max_active)},
          {"maxPerHour", opt(row.limits.max_per_hour)},
          {"burst", opt(row.limits.burst)},
          {"backlogLimit", opt(row.limits.backlog_limit)},
          {"paused", row.limits.paused.value_or(false)},
          {"pauseReason", row.pause_reason ? nlohmann::json(*row.pause_reason) : nullptr},
          {"version", row.version},
          {"createdAt", row.created_at},
          {"updatedAt", row.updated_at}};
}

std::vector<QuotaRow> listQuotas(sdk::Txn& txn, bool order_by_job_type,
                                 const std::optional<std::string>& after, int limit) {
  static const std::string by_id = "SELECT " + quotaColumns() +
                                   " FROM ratelimit.quotas WHERE tenant_id = $1 AND ($2::uuid IS "
                                   "NULL OR id > $2::uuid) ORDER BY id LIMIT $3::int";
  static const std::string by_type =
      "SELECT " + quotaColumns() +
      " FROM ratelimit.quotas WHERE tenant_id = $1 AND ($2::text "
      "IS NULL OR job_type COLLATE \"C\" > $2::text) ORDER BY job_type COLLATE "
      "\"C\" LIMIT $3::int";
  return collectQuotas(txn, order_by_job_type ? by_type : by_id, {txn.tenant(), after, limit});
}

std::optional<QuotaRow> findQuota(sdk::Txn& txn, const std::string& id, bool lock) {
  static const std::string plain =
      "SELECT " + quotaColumns() + " FROM ratelimit.quotas WHERE tenant_id = $1 AND id = $2::uuid";
  static const std::string locked = plain + " FOR UPDATE";
  auto rows = collectQuotas(txn, lock ? locked : plain, {txn.tenant(), id});
  if (rows.empty()) {
    return std::nullopt;
  }
  return std::move(rows.front());
}

std::optional<std::string> quotaIdForJobType(sdk::Txn& txn, const std::string& job_type) {
  std::optional<std::string> id;
  txn.exec("SELECT id::text FROM ratelimit.quotas WHERE tenant_id = $1 AND job_type = $2",
           {txn.tenant(), job_type}, [&](const sdk::Row& r) { id = r.str(0); });
  return id;
}

std::optional<QuotaRow> insertQuota(sdk::Txn& txn, const std::string& id,
                                    const std::string& job_type, const QuotaLimits& limits,
                                    const QuotaBucketState& bucket,
                                    const std::optional<std::string>& pause_reason) {
  // ON CONFLICT DO NOTHING: a concurrent create of the same job type returns no row (409), and
  // the transaction stays usable.
  static const std::string sql =
      "INSERT INTO ratelimit.quotas (tenant_id, id, job_type, max_active, max_per_hour, burst, "
      "backlog_limit, paused, pause_reason, tokens, tokens_at) VALUES ($1, $2::uuid, $3, "
      "$4::int, $5::int, $6::int, $7::int, $8::boolean, $9, $10::double precision, "
      "'epoch'::timestamptz + $11::bigint * interval '1 microsecond') ON CONFLICT (tenant_id, "
      "job_type) DO "
      "NOTHING RETURNING " +
      quotaColumns();
  auto rows =
      collectQuotas(txn, sql,
                    {txn.tenant(), id, job_type, limits.max_active, limits.max_per_hour,
                     limits.burst, limits.backlog_limit, limits.paused.value_or(false),
                     pause_reason, exactDouble(bucket.tokens), epochMicros(bucket.tokens_at)});
  if (rows.empty()) {
    return std::nullopt;
  }
  return std::move(rows.front());
}

QuotaRow replaceQuota(sdk::Txn& txn, const std::string& id, const QuotaLimits& limits,
                      const std::optional<std::string>& pause_reason,
                      const QuotaBucketState& bucket) {
  static const std::string sql =
      "UPDATE ratelimit.quotas SET max_active = $3::int, max_per_hour = $4::int, burst = "
      "$5::int, backlog_limit = $6::int, paused = $7::boolean, pause_reason = $8, tokens = "
      "$9::double precision, tokens_at = 'epoch'::timestamptz + $10::bigint * interval '1 "
      "microsecond', "
      "version = version + 1, updated_at = now() WHERE tenant_id = $1 AND id = $2::uuid "
      "RETURNING " +
      quotaColumns();
  return exactlyOne(
      collectQuotas(txn, sql,
                    {txn.tenant(), id, limits.max_active, limits.max_per_hour, limits.burst,
                     limits.backlog_limit, limits.paused.value_or(false), pause_reason,
                     exactDouble(bucket.tokens), epochMicros(bucket.tokens_at)}),
      "replaceQuota");
}

QuotaRow setQuotaPaused(sdk::Txn& txn, const std::string& id, bool paused,
                        const std::optional<std::string>& pause_reason) {
  static const std::string sql =
      "UPDATE ratelimit.quotas SET paused = $3::boolean, pause_reason = $4, version = version + "
      "1, updated_at = now() WHERE tenant_id = $1 AND id = $2::uuid RETURNING " +
      quotaColumns();
  return exactlyOne(collectQuotas(txn, sql, {txn.tenant(), id, paused, pause_reason}),
                    "setQuotaPaused");
}

void deleteQuota(sdk::Txn& txn, const std::string& id) {
  txn.exec("DELETE FROM ratelimit.quotas WHERE tenant_id = $1 AND id = $2::uuid",
           {txn.tenant(), id});
}

}  // namespace jobengine::ratelimit
