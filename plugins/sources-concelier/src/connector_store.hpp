// connector_store.hpp — the concelier.connectors rows (migration sources-concelier/0002): their
// JSON as the API shows it, loads, inserts and replacements. Everything runs in the caller's
// tenant-bound transaction; the scheduler side of a connector (its source) is written by the
// caller through je.sources in the same transaction.
#pragma once

#include <jobengine/plugin.hpp>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace jobengine::concelier {

// A connector as GET /concelier/connectors/{id} shows it: the record plus lockKey, sourceId,
// version, createdAt, updatedAt.
std::optional<nlohmann::json> loadConnector(sdk::Txn& txn, const std::string& connector_id,
                                            bool for_update = false);
// The connector behind a scheduler source (a sync job's payload.sourceId).
std::optional<nlohmann::json> loadConnectorBySource(sdk::Txn& txn, const std::string& source_id);
// Up to `limit` connectors after `after` (connectorId order).
nlohmann::json listConnectors(sdk::Txn& txn, const std::optional<std::string>& after, int limit);

nlohmann::json insertConnector(sdk::Txn& txn, const nlohmann::json& record,
                               const std::string& source_id);
nlohmann::json replaceConnector(sdk::Txn& txn, const nlohmann::json& record);

}  // namespace jobengine::concelier
