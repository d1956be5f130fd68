// source_store.cpp — see source_store.hpp.
#include "source_store.hpp"

namespace jobengine::scheduler {

const std::string& sourceColumns() {
  // `schedule` is a view of the source's row in scheduler.schedules (schedule_store.hpp).
  static const std::string columns =
      "sources.id::text, name, kind, upstream_host, (SELECT scheduler.schedule_json(sc) FROM "
      "scheduler.schedules sc WHERE sc.tenant_id = sources.tenant_id AND sc.source_id = "
      "sources.id), rate_policy, config, sources.enabled, paused, pause_reason, "
      "sources.version, " +
      rfc3339Sql("sources.created_at") + ", " + rfc3339Sql("sources.updated_at") +
      ", sources.lock_key";
  return columns;
}

nlohmann::json sourceFromRow(const sdk::Row& r) {
  const auto text = [&](uint32_t col) {
    return r.isNull(col) ? nlohmann::json(nullptr) : nlohmann::json(r.str(col));
  };
  return {{"id", r.str(0)},          {"name", r.str(1)},        {"kind", r.str(2)},
          {"upstreamHost", text(3)}, {"schedule", r.json(4)},   {"ratePolicy", r.json(5)},
          {"config", r.json(6)},     {"enabled", r.boolean(7)}, {"paused", r.boolean(8)},
          {"pauseReason", text(9)},  {"version", r.i64(10)},    {"createdAt", r.str(11)},
          {"updatedAt", r.str(12)},  {"lockKey", text(13)}};
}

std::optional<nlohmann::json> loadSource(sdk::Txn& txn, const std::string& id, bool for_update) {
  static const std::string sql = "SELECT " + sourceColumns() +
                                 " FROM scheduler.sources WHERE tenant_id = $1 AND id = $2::uuid";
  static const std::string locked = sql + " FOR UPDATE";
  return txn.one(for_update ? locked : sql, {txn.tenant(), id}, sourceFromRow);
}

std::optional<nlohmann::json> loadSourceByName(sdk::Txn& txn, const std::string& name,
                                               bool for_update) {
  static const std::string sql =
      "SELECT " + sourceColumns() + " FROM scheduler.sources WHERE tenant_id = $1 AND name = $2";
  static const std::string locked = sql + " FOR UPDATE";
  return txn.one(for_update ? locked : sql, {txn.tenant(), name}, sourceFromRow);
}

nlohmann::json insertSource(sdk::Txn& txn, const std::string& id, const nlohmann::json& c) {
  const auto text = [&](const char* key) -> std::optional<std::string> {
    if (!c.contains(key) || c[key].is_null()) {
      return std::nullopt;
    }
    return c[key].is_string() ? c[key].get<std::string>() : c[key].dump();
  };
  static const std::string sql =
      "INSERT INTO scheduler.sources (tenant_id, id, name, kind, upstream_host, rate_policy, "
      "config, enabled, lock_key) VALUES ($1, $2::uuid, $3, $4, $5, $6::jsonb, coalesce($7::jsonb, "
      "'{}'::jsonb), coalesce($8::boolean, true), $9) RETURNING " +
      sourceColumns();
  nlohmann::json source;
  txn.exec(sql,
           {txn.tenant(), id, text("name"), text("kind"), text("upstream_host"),
            text("rate_policy"), text("config"), text("enabled"), text("lock_key")},
           [&](const sdk::Row& r) { source = sourceFromRow(r); });
  return source;
}

nlohmann::json updateSource(sdk::Txn& txn, const std::string& id, const nlohmann::json& columns) {
  static const std::string sql =
      "UPDATE scheduler.sources SET "
      "name = CASE WHEN $3::jsonb ? 'name' THEN $3::jsonb->>'name' ELSE name END, "
      "kind = CASE WHEN $3::jsonb ? 'kind' THEN $3::jsonb->>'kind' ELSE kind END, "
      "upstream_host = CASE WHEN $3::jsonb ? 'upstream_host' THEN $3::jsonb->>'upstream_host' "
      "ELSE upstream_host END, "
      "rate_policy = CASE WHEN $3::jsonb ? 'rate_policy' THEN nullif($3::jsonb->'rate_policy', "
      "'null'::jsonb) ELSE rate_policy END, "
      "config = CASE WHEN $3::jsonb ? 'config' THEN $3::jsonb->'config' ELSE config END, "
      "enabled = CASE WHEN $3::jsonb ? 'enabled' THEN ($3::jsonb->>'enabled')::boolean ELSE "
      "enabled END, "
      "lock_key = CASE WHEN $3::jsonb ? 'lock_key' THEN $3::jsonb->>'lock_key' ELSE lock_key "
      "END, version = version + 1, updated_at = now() "
      "WHERE tenant_id = $1 AND id = $2::uuid RETURNING " +
      sourceColumns();
  nlohmann::json source;
  txn.exec(sql, {txn.tenant(), id, columns.dump()},
           [&](const sdk::Row& r) { source = sourceFromRow(r); });
  return source;
}

OpsEvent sourceEvent(const std::string& type, const nlohmann::json& source,
                     const nlohmann::json& data) {
  OpsEvent e;
  e.type = type;
  e.source_id = source["id"].get<std::string>();
  nlohmann::json d = data;
  d["source"] = source;
  e.body["data"] = d;
  return e;
}

std::vector<nlohmann::json> listSourceRows(sdk::Txn& txn,
                                           const std::optional<std::string>& after_id, int limit) {
  static const std::string sql = "SELECT " + sourceColumns() +
                                 " FROM scheduler.sources WHERE tenant_id = $1 AND ($2::uuid IS "
                                 "NULL OR id > $2::uuid) ORDER BY id LIMIT $3::int";
  std::vector<nlohmann::json> items;
  txn.exec(sql, {txn.tenant(), after_id, limit},
           [&](const sdk::Row& r) { items.push_back(sourceFromRow(r)); });
  return items;
}

std::optional<std::string> sourceIdByName(sdk::Txn& txn, const std::string& name) {
  std::optional<std::string> id;
  txn.exec("SELECT id::text FROM scheduler.sources WHERE tenant_id = $1 AND name = $2",
           {txn.tenant(), name}, [&](const sdk::Row& r) { id = r.str(0); });
  return id;
}

void removeSource(sdk::Txn& txn, const std::string& id) {
  txn.exec("DELETE FROM scheduler.sources WHERE tenant_id = $1 AND id = $2::uuid",
           {txn.tenant(), id});
}

std::optional<nlohmann::json> setSourcePaused(sdk::Txn& txn, const std::string& id, bool pause,
                                              const std::optional<std::string>& reason) {
  static const std::string sql =
      "UPDATE scheduler.sources SET paused = $3::boolean, pause_reason = $4, version = version "
      "+ 1, updated_at = now() WHERE tenant_id = $1 AND id = $2::uuid RETURNING " +
      sourceColumns();
  std::optional<nlohmann::json> after;
  txn.exec(sql, {txn.tenant(), id, pause, reason},
           [&](const sdk::Row& r) { after = sourceFromRow(r); });
  return after;
}

bool lockSourceRow(sdk::Txn& txn, const std::string& id) {
  return txn
      .one(
          "SELECT true FROM scheduler.sources WHERE tenant_id = $1 AND id = $2::uuid FOR "
          "UPDATE",
          {txn.tenant(), id}, [](const sdk::Row& r) { return r.boolean(0); })
      .has_value();
}

}  // namespace jobengine::scheduler
