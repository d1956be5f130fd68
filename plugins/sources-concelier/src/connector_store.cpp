// connector_store.cpp — see connector_store.hpp.
#include "connector_store.hpp"
#include "plugin_identity.hpp"

#include "core/connector_spec.hpp"

namespace jobengine::concelier {

namespace {

const std::string kColumns =
    "connector_id, source_kind, base_uri, capabilities, auth_ref, schedule, rate_policy, "
    "artifact_kinds, egress_guard, options, enabled, source_id::text, version, "
    "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
    "to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), tenant_id";

nlohmann::json fromRow(const sdk::Row& r) {
  const std::string id = r.str(0);
  return {{"connectorId", id},
          {"source", r.str(1)},
          {"baseUri", r.str(2)},
          {"capabilities", r.json(3)},
          {"authRef", r.isNull(4) ? nlohmann::json(nullptr) : nlohmann::json(r.str(4))},
          {"schedule", r.json(5)},
          {"ratePolicy", r.json(6)},
          {"artifactKinds", r.json(7)},
          {"egressGuard", r.json(8)},
          {"options", r.json(9)},
          {"enabled", r.boolean(10)},
          {"lockKey", connectorLockKey(r.str(15), id)},
          {"sourceId", r.str(11)},
          {"version", r.i64(12)},
          {"createdAt", r.str(13)},
          {"updatedAt", r.str(14)}};
}

std::optional<std::string> jsonParam(const nlohmann::json& v) {
  return v.is_null() ? std::nullopt : std::optional<std::string>(v.dump());
}

}  // namespace

std::optional<nlohmann::json> loadConnector(sdk::Txn& txn, const std::string& connector_id,
                                            bool for_update) {
  static const std::string sql = "SELECT " + kColumns +
                                 " FROM " JE_ADAPTER_SCHEMA
                                 ".connectors WHERE tenant_id = $1 AND "
                                 "connector_id = $2";
  static const std::string locked = sql + " FOR UPDATE";
  return txn.one(for_update ? locked : sql, {txn.tenant(), connector_id}, fromRow);
}

std::optional<nlohmann::json> loadConnectorBySource(sdk::Txn& txn, const std::string& source_id) {
  static const std::string sql = "SELECT " + kColumns +
                                 " FROM " JE_ADAPTER_SCHEMA
                                 ".connectors WHERE tenant_id = $1 AND "
                                 "source_id = $2::uuid";
  return txn.one(sql, {txn.tenant(), source_id}, fromRow);
}

nlohmann::json listConnectors(sdk::Txn& txn, const std::optional<std::string>& after, int limit) {
  static const std::string sql =
      "SELECT " + kColumns +
      " FROM " JE_ADAPTER_SCHEMA
      ".connectors WHERE tenant_id = $1 AND ($2::text "
      "IS NULL OR connector_id > $2) ORDER BY connector_id LIMIT $3::int";
  nlohmann::json items = nlohmann::json::array();
  txn.exec(sql, {txn.tenant(), after, limit},
           [&](const sdk::Row& r) { items.push_back(fromRow(r)); });
  return items;
}

nlohmann::json insertConnector(sdk::Txn& txn, const nlohmann::json& c,
                               const std::string& source_id) {
  static const std::string sql =
      "INSERT INTO " JE_ADAPTER_SCHEMA
      ".connectors (tenant_id, connector_id, source_kind, base_uri, "
      "capabilities, auth_ref, schedule, rate_policy, artifact_kinds, egress_guard, options, "
      "enabled, source_id) VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7::jsonb, $8::jsonb, "
      "$9::jsonb, $10::jsonb, $11::jsonb, $12::boolean, $13::uuid) RETURNING " +
      kColumns;
  nlohmann::json out;
  txn.exec(sql,
           {txn.tenant(), c["connectorId"].get<std::string>(), c["source"].get<std::string>(),
            c["baseUri"].get<std::string>(), c["capabilities"].dump(),
            c["authRef"].is_null() ? std::nullopt
                                   : std::optional<std::string>(c["authRef"].get<std::string>()),
            jsonParam(c["schedule"]), jsonParam(c["ratePolicy"]), c["artifactKinds"].dump(),
            c["egressGuard"].dump(), c["options"].dump(), c["enabled"].get<bool>(), source_id},
           [&](const sdk::Row& r) { out = fromRow(r); });
  return out;
}

nlohmann::json replaceConnector(sdk::Txn& txn, const nlohmann::json& c) {
  static const std::string sql =
      "UPDATE " JE_ADAPTER_SCHEMA
      ".connectors SET base_uri = $3, capabilities = $4::jsonb, auth_ref = $5, "
      "schedule = $6::jsonb, rate_policy = $7::jsonb, artifact_kinds = $8::jsonb, egress_guard "
      "= $9::jsonb, options = $10::jsonb, enabled = $11::boolean, version = version + 1, "
      "updated_at = now() WHERE tenant_id = $1 AND connector_id = $2 RETURNING " +
      kColumns;
  nlohmann::json out;
  txn.exec(sql,
           {txn.tenant(), c["connectorId"].get<std::string>(), c["baseUri"].get<std::string>(),
            c["capabilities"].dump(),
            c["authRef"].is_null() ? std::nullopt
                                   : std::optional<std::string>(c["authRef"].get<std::string>()),
            jsonParam(c["schedule"]), jsonParam(c["ratePolicy"]), c["artifactKinds"].dump(),
            c["egressGuard"].dump(), c["options"].dump(), c["enabled"].get<bool>()},
           [&](const sdk::Row& r) { out = fromRow(r); });
  return out;
}

}  // namespace jobengine::concelier
