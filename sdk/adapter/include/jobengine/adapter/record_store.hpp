// jobengine/adapter/record_store.hpp — the SQL of an adapter plugin's registry table (the
// connectors of sources-concelier, the providers of sources-excititor): the rows' JSON as the
// API shows it (the record plus lockKey, sourceId, version, createdAt, updatedAt), loads, inserts
// and replacements. Everything runs in the caller's tenant-bound transaction; the scheduler side
// of a record (its source) is written by the caller through je.sources in the same transaction.
//
// The table is the plugin's own (its migrations create it, with the columns of SPEC §8 and the
// id column named by RecordTable); the kit only takes its name. Part of je_adapter_registry
// (the kit's glue over SDK types).
#pragma once

#include <jobengine/adapter/source_record.hpp>
#include <jobengine/plugin.hpp>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace jobengine::adapter {

// Where a plugin keeps its records.
struct RecordTable {
  std::string table;      // schema-qualified: "concelier.connectors"
  std::string id_column;  // "connector_id"
};

class RecordStore {
 public:
  RecordStore(RecordKind kind, const RecordTable& table);

  const RecordKind& kind() const { return kind_; }

  std::optional<nlohmann::json> load(sdk::Txn& txn, const std::string& id,
                                     bool for_update = false) const;
  // The record behind a scheduler source (a sync job's payload.sourceId).
  std::optional<nlohmann::json> loadBySource(sdk::Txn& txn, const std::string& source_id) const;
  // Up to `limit` records after `after` (id order).
  nlohmann::json list(sdk::Txn& txn, const std::optional<std::string>& after, int limit) const;

  nlohmann::json insert(sdk::Txn& txn, const nlohmann::json& record,
                        const std::string& source_id) const;
  nlohmann::json replace(sdk::Txn& txn, const nlohmann::json& record) const;

 private:
  nlohmann::json fromRow(const sdk::Row& row) const;

  RecordKind kind_;
  std::string select_by_id_;
  std::string select_by_id_for_update_;
  std::string select_by_source_;
  std::string select_page_;
  std::string insert_;
  std::string update_;
};

}  // namespace jobengine::adapter
