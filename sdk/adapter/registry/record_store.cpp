// record_store.cpp — an adapter plugin's registry table (see jobengine/adapter/record_store.hpp).
#include "jobengine/adapter/record_store.hpp"

namespace jobengine::adapter {

namespace {

std::string columnsOf(const RecordTable& t) {
  return t.id_column +
         ", source_kind, base_uri, capabilities, auth_ref, schedule, rate_policy, "
         "artifact_kinds, egress_guard, options, enabled, source_id::text, version, "
         "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
         "to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), tenant_id";
}

std::optional<std::string> jsonParam(const nlohmann::json& v) {
  return v.is_null() ? std::nullopt : std::optional<std::string>(v.dump());
}

std::optional<std::string> authRefParam(const nlohmann::json& v) {
  return v.is_null() ? std::nullopt : std::optional<std::string>(v.get<std::string>());
}

}  // namespace

RecordStore::RecordStore(RecordKind kind, const RecordTable& t) : kind_(std::move(kind)) {
  const std::string columns = columnsOf(t);
  const std::string select =
      "SELECT " + columns + " FROM " + t.table + " WHERE tenant_id = $1 AND ";
  select_by_id_ = select + t.id_column + " = $2";
  select_by_id_for_update_ = select_by_id_ + " FOR UPDATE";
  select_by_source_ = select + "source_id = $2::uuid";
  select_page_ = select + "($2::text IS NULL OR " + t.id_column + " > $2) ORDER BY " + t.id_column +
                 " LIMIT $3::int";
  insert_ = "INSERT INTO " + t.table + " (tenant_id, " + t.id_column +
            ", source_kind, base_uri, capabilities, auth_ref, schedule, rate_policy, "
            "artifact_kinds, egress_guard, options, enabled, source_id) VALUES ($1, $2, $3, $4, "
            "$5::jsonb, $6, $7::jsonb, $8::jsonb, $9::jsonb, $10::jsonb, $11::jsonb, "
            "$12::boolean, $13::uuid) RETURNING " +
            columns;
  update_ = "UPDATE " + t.table +
            " SET base_uri = $3, capabilities = $4::jsonb, auth_ref = $5, schedule = $6::jsonb, "
            "rate_policy = $7::jsonb, artifact_kinds = $8::jsonb, egress_guard = $9::jsonb, "
            "options = $10::jsonb, enabled = $11::boolean, version = version + 1, updated_at = "
            "now() WHERE tenant_id = $1 AND " +
            t.id_column + " = $2 RETURNING " + columns;
}

nlohmann::json RecordStore::fromRow(const sdk::Row& r) const {
  const std::string id = r.str(0);
  return {{kind_.id_field, id},
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
          {"lockKey", recordLockKey(kind_, r.str(15), id)},
          {"sourceId", r.str(11)},
          {"version", r.i64(12)},
          {"createdAt", r.str(13)},
          {"updatedAt", r.str(14)}};
}

std::optional<nlohmann::json> RecordStore::load(sdk::Txn& txn, const std::string& id,
                                                bool for_update) const {
  return txn.one(for_update ? select_by_id_for_update_ : select_by_id_, {txn.tenant(), id},
                 [this](const sdk::Row& r) { return fromRow(r); });
}

std::optional<nlohmann::json> RecordStore::loadBySource(sdk::Txn& txn,
                                                        const std::string& source_id) const {
  return txn.one(select_by_source_, {txn.tenant(), source_id},
                 [this](const sdk::Row& r) { return fromRow(r); });
}

nlohmann::json RecordStore::list(sdk::Txn& txn, const std::optional<std::string>& after,
                                 int limit) const {
  nlohmann::json items = nlohmann::json::array();
  txn.exec(select_page_, {txn.tenant(), after, limit},
           [&](const sdk::Row& r) { items.push_back(fromRow(r)); });
  return items;
}

nlohmann::json RecordStore::insert(sdk::Txn& txn, const nlohmann::json& c,
                                   const std::string& source_id) const {
  nlohmann::json out;
  txn.exec(insert_,
           {txn.tenant(), c[kind_.id_field].get<std::string>(), c["source"].get<std::string>(),
            c["baseUri"].get<std::string>(), c["capabilities"].dump(), authRefParam(c["authRef"]),
            jsonParam(c["schedule"]), jsonParam(c["ratePolicy"]), c["artifactKinds"].dump(),
            c["egressGuard"].dump(), c["options"].dump(), c["enabled"].get<bool>(), source_id},
           [&](const sdk::Row& r) { out = fromRow(r); });
  return out;
}

nlohmann::json RecordStore::replace(sdk::Txn& txn, const nlohmann::json& c) const {
  nlohmann::json out;
  txn.exec(update_,
           {txn.tenant(), c[kind_.id_field].get<std::string>(), c["baseUri"].get<std::string>(),
            c["capabilities"].dump(), authRefParam(c["authRef"]), jsonParam(c["schedule"]),
            jsonParam(c["ratePolicy"]), c["artifactKinds"].dump(), c["egressGuard"].dump(),
            c["options"].dump(), c["enabled"].get<bool>()},
           [&](const sdk::Row& r) { out = fromRow(r); });
  return out;
}

}  // namespace jobengine::adapter
