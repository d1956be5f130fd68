// schedule_store.cpp — see schedule_store.hpp.
#include "schedule_store.hpp"

#include <jobengine/time_format.hpp>

namespace jobengine::scheduler {

namespace {

constexpr const char* kSelect =
    "SELECT scheduler.schedule_json(s) FROM scheduler.schedules s WHERE s.tenant_id = $1 AND ";

std::optional<std::string> timeParam(const std::optional<SysTime>& t) {
  if (!t) {
    return std::nullopt;
  }
  return rfc3339Micros(*t);
}

}  // namespace

SysTime databaseNow(sdk::Txn& txn) {
  int64_t micros = 0;
  txn.exec("SELECT (extract(epoch FROM now()) * 1000000)::bigint", {},
           [&](const sdk::Row& r) { micros = r.i64(0); });
  return fromEpochMicros(micros);
}

std::optional<SysTime> firstFireAfter(const ScheduleFields& fields, SysTime now) {
  if (!fields.enabled) {
    return std::nullopt;
  }
  const ParsedSchedule parsed = parseCronAndZone(fields.cron, fields.time_zone);
  if (parsed.error) {
    return std::nullopt;
  }
  return nextFire(*parsed.cron, *parsed.zone, now);
}

std::optional<nlohmann::json> loadSchedule(sdk::Txn& txn, const std::string& id, bool for_update) {
  const std::string sql =
      std::string(kSelect) + "s.id = $2::uuid" + (for_update ? " FOR UPDATE" : "");
  return txn.one(sql, {txn.tenant(), id}, [](const sdk::Row& r) { return r.json(0); });
}

std::optional<nlohmann::json> loadScheduleOfSource(sdk::Txn& txn, const std::string& source_id,
                                                   bool for_update) {
  const std::string sql =
      std::string(kSelect) + "s.source_id = $2::uuid" + (for_update ? " FOR UPDATE" : "");
  return txn.one(sql, {txn.tenant(), source_id}, [](const sdk::Row& r) { return r.json(0); });
}

nlohmann::json insertSchedule(sdk::Txn& txn, const std::string& id, const ScheduleFields& fields,
                              SysTime now) {
  static const std::string sql =
      "INSERT INTO scheduler.schedules AS s (tenant_id, id, source_id, cron, time_zone, "
      "max_parallel_runs, max_lag_minutes, catch_up, enabled, next_fire_at, planned_through) "
      "VALUES ($1, $2::uuid, $3::uuid, $4, $5, $6::int, $7::int, $8, $9::boolean, "
      "$10::timestamptz, $11::timestamptz) RETURNING scheduler.schedule_json(s)";
  nlohmann::json out;
  txn.exec(sql,
           {txn.tenant(), id, fields.source_id, fields.cron, fields.time_zone,
            fields.max_parallel_runs, fields.max_lag_minutes, fields.catch_up, fields.enabled,
            timeParam(firstFireAfter(fields, now)), timeParam(now)},
           [&](const sdk::Row& r) { out = r.json(0); });
  return out;
}

nlohmann::json replaceSchedule(sdk::Txn& txn, const std::string& id, const ScheduleFields& fields,
                               SysTime now) {
  static const std::string sql =
      "UPDATE scheduler.schedules AS s SET cron = $3, time_zone = $4, max_parallel_runs = "
      "$5::int, max_lag_minutes = $6::int, catch_up = $7, enabled = $8::boolean, next_fire_at "
      "= $9::timestamptz, planned_through = $10::timestamptz, version = version + 1, "
      "updated_at = now() WHERE tenant_id = $1 AND id = $2::uuid RETURNING "
      "scheduler.schedule_json(s)";
  nlohmann::json out;
  txn.exec(sql,
           {txn.tenant(), id, fields.cron, fields.time_zone, fields.max_parallel_runs,
            fields.max_lag_minutes, fields.catch_up, fields.enabled,
            timeParam(firstFireAfter(fields, now)), timeParam(now)},
           [&](const sdk::Row& r) { out = r.json(0); });
  return out;
}

void deleteSchedule(sdk::Txn& txn, const std::string& id) {
  txn.exec("DELETE FROM scheduler.schedules WHERE tenant_id = $1 AND id = $2::uuid",
           {txn.tenant(), id});
}

std::optional<nlohmann::json> loadSourceForSync(sdk::Txn& txn, const std::string& tenant,
                                                const std::string& source_id) {
  static const std::string sql =
      "SELECT id::text, name, kind, config, enabled, paused, lock_key FROM scheduler.sources "
      "WHERE tenant_id = $1 AND id = $2::uuid";
  return txn.one(sql, {tenant, source_id}, [](const sdk::Row& r) {
    return nlohmann::json{
        {"id", r.str(0)},
        {"name", r.str(1)},
        {"kind", r.str(2)},
        {"config", r.json(3)},
        {"enabled", r.boolean(4)},
        {"paused", r.boolean(5)},
        {"lockKey", r.isNull(6) ? nlohmann::json(nullptr) : nlohmann::json(r.str(6))}};
  });
}

int64_t activeScheduleRuns(sdk::Txn& txn, const std::string& tenant, const std::string& source_id) {
  int64_t n = 0;
  txn.exec(
      "SELECT count(*) FROM scheduler.runs WHERE tenant_id = $1 AND source_id = $2::uuid "
      "AND kind = 'schedule' AND status IN ('queued', 'running')",
      {tenant, source_id}, [&](const sdk::Row& r) { n = r.i64(0); });
  return n;
}

bool recordFire(sdk::Txn& txn, const FireRecord& fire) {
  bool inserted = false;
  txn.exec(
      "INSERT INTO scheduler.schedule_fires (tenant_id, schedule_id, fire_at, outcome, "
      "reason, run_id, leader_epoch) VALUES ($1, $2::uuid, $3::timestamptz, $4, $5, "
      "$6::uuid, $7::bigint) ON CONFLICT DO NOTHING RETURNING true",
      {fire.tenant, fire.schedule_id, timeParam(fire.fire_at), fire.outcome, fire.reason,
       fire.run_id, fire.leader_epoch},
      [&](const sdk::Row&) { inserted = true; });
  return inserted;
}

OpsEvent scheduleEvent(const std::string& type, const nlohmann::json& schedule,
                       const nlohmann::json& data) {
  OpsEvent e;
  e.type = type;
  e.source_id = schedule["sourceId"].get<std::string>();
  nlohmann::json d = data;
  d["schedule"] = schedule;
  e.body["data"] = d;
  return e;
}

std::vector<OpsEvent> applySourceSchedule(sdk::Txn& txn, sdk::UuidV7Generator& ids,
                                          const std::string& source_id,
                                          const nlohmann::json& schedule_field) {
  const auto existing = loadScheduleOfSource(txn, source_id, true);
  if (schedule_field.is_null()) {
    if (!existing) {
      return {};
    }
    deleteSchedule(txn, (*existing)["id"].get<std::string>());
    return {scheduleEvent("schedule.deleted", *existing)};
  }
  ScheduleFields fields = parseScheduleBody(schedule_field, ScheduleBody::kOfSource).fields;
  fields.source_id = source_id;
  const SysTime now = databaseNow(txn);
  if (existing) {
    return {scheduleEvent("schedule.updated",
                          replaceSchedule(txn, (*existing)["id"].get<std::string>(), fields, now))};
  }
  return {scheduleEvent("schedule.created", insertSchedule(txn, ids.next(), fields, now))};
}

std::vector<nlohmann::json> listScheduleRows(sdk::Txn& txn,
                                             const std::optional<std::string>& after_id,
                                             const std::optional<std::string>& source_id,
                                             int limit) {
  static const std::string sql =
      "SELECT scheduler.schedule_json(s) FROM scheduler.schedules s WHERE s.tenant_id = $1 AND "
      "($2::uuid IS NULL OR s.id > $2::uuid) AND ($3::uuid IS NULL OR s.source_id = $3::uuid) "
      "ORDER BY s.id LIMIT $4::int";
  std::vector<nlohmann::json> items;
  txn.exec(sql, {txn.tenant(), after_id, source_id, limit},
           [&](const sdk::Row& r) { items.push_back(r.json(0)); });
  return items;
}

}  // namespace jobengine::scheduler
