// throttle_store.cpp — ratelimit.throttles statements (see throttle_store.hpp).
#include "throttle_store.hpp"

#include <chrono>

#include "common_store.hpp"

namespace jobengine::ratelimit {

namespace {

std::string throttleColumns() {
  return "id::text, target_kind, target, action, max_active, reason, ticket, created_by, " +
         rfc3339Sql("expires_at") + ", " + rfc3339Sql("created_at");
}

ThrottleRow throttleFromRow(const sdk::Row& r) {
  ThrottleRow t;
  t.id = r.str(0);
  t.target_kind = r.str(1);
  t.target = r.str(2);
  t.action = r.str(3);
  if (!r.isNull(4)) {
    t.max_active = static_cast<int>(r.i64(4));
  }
  t.reason = r.str(5);
  t.ticket = r.opt(6);
  t.created_by = r.opt(7);
  t.expires_at = r.str(8);
  t.created_at = r.str(9);
  return t;
}

std::vector<ThrottleRow> collectThrottles(sdk::Txn& txn, const std::string& sql,
                                          const std::vector<sdk::Param>& params) {
  std::vector<ThrottleRow> rows;
  txn.exec(sql, params, [&](const sdk::Row& r) { rows.push_back(throttleFromRow(r)); });
  return rows;
}

}  // namespace

nlohmann::json throttleJson(const ThrottleRow& row) {
  const auto opt = [](const std::optional<std::string>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
  };
  return {{"id", row.id},
          {"targetKind", row.target_kind == "job_type" ? "jobType" : "source"},
          {"target", row.target},
          {"action", row.action},
          {"maxActive", row.max_active ? nlohmann::json(*row.max_active) : nullptr},
          {"reason", row.reason},
          {"ticket", opt(row.ticket)},
          {"createdBy", opt(row.created_by)},
          {"expiresAt", row.expires_at},
          {"createdAt", row.created_at}};
}

std::vector<ThrottleRow> listActiveThrottles(sdk::Txn& txn, const std::optional<std::string>& after,
                                             int limit) {
  static const std::string sql = "SELECT " + throttleColumns() +
                                 " FROM ratelimit.throttles WHERE tenant_id = $1 AND expires_at > "
                                 "now() AND ($2::uuid IS NULL OR id > $2::uuid) ORDER BY id "
                                 "LIMIT $3::int";
  return collectThrottles(txn, sql, {txn.tenant(), after, limit});
}

ThrottleRow insertThrottle(sdk::Txn& txn, const NewThrottle& throttle) {
  static const std::string sql =
      "INSERT INTO ratelimit.throttles (tenant_id, id, target_kind, target, action, max_active, "
      "reason, ticket, created_by, expires_at) VALUES ($1, $2::uuid, $3, $4, $5, $6::int, $7, $8, "
      "$9, 'epoch'::timestamptz + $10::bigint * interval '1 microsecond') RETURNING " +
      throttleColumns();
  const auto& in = throttle.input;
  const int64_t expires_us =
      std::chrono::duration_cast<std::chrono::microseconds>(in.expires_at.time_since_epoch())
          .count();
  auto rows = collectThrottles(
      txn, sql,
      {txn.tenant(), throttle.id, in.target_kind, in.target, in.action, in.max_active,
       throttle.reason, throttle.ticket, throttle.created_by, expires_us});
  if (rows.size() != 1) {
    throw sdk::Error(JE_ERR_INTERNAL, "insertThrottle: no row returned");
  }
  return std::move(rows.front());
}

std::optional<ThrottleRow> deleteActiveThrottle(sdk::Txn& txn, const std::string& id) {
  static const std::string sql =
      "DELETE FROM ratelimit.throttles WHERE tenant_id = $1 AND id = $2::uuid AND expires_at > "
      "now() RETURNING " +
      throttleColumns();
  auto rows = collectThrottles(txn, sql, {txn.tenant(), id});
  if (rows.empty()) {
    return std::nullopt;
  }
  return std::move(rows.front());
}

}  // namespace jobengine::ratelimit
