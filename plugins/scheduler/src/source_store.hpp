// source_store.hpp — the scheduler.sources rows: their JSON (as GET /sources/{id} shows it),
// loads, inserts and updates, and their source.* events. Shared by the /sources routes
// (routes_sources.cpp, which keeps no SQL of its own) and je.sources (sources_service.cpp), so
// a source written through either looks and behaves the same. Everything runs in the caller's
// tenant-bound transaction.
#pragma once

#include <jobengine/plugin.hpp>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ops_store.hpp"

namespace jobengine::scheduler {

// The select list of a source row, in the order sourceFromRow reads it (alias: sources).
const std::string& sourceColumns();
nlohmann::json sourceFromRow(const sdk::Row& r);

std::optional<nlohmann::json> loadSource(sdk::Txn& txn, const std::string& id,
                                         bool for_update = false);
std::optional<nlohmann::json> loadSourceByName(sdk::Txn& txn, const std::string& name,
                                               bool for_update = false);

// Inserts a source from parseSourceCreate's columns; sdk::Error JE_ERR_CONFLICT when the name
// is taken (a concurrent create).
nlohmann::json insertSource(sdk::Txn& txn, const std::string& id, const nlohmann::json& columns);
// Applies parseSourcePatch's columns (version + 1); the row must exist.
nlohmann::json updateSource(sdk::Txn& txn, const std::string& id, const nlohmann::json& columns);

// GET /sources: sources by id after `after_id`, at most `limit`, as sourceFromRow shows them.
std::vector<nlohmann::json> listSourceRows(sdk::Txn& txn,
                                           const std::optional<std::string>& after_id, int limit);
// The id of the tenant's source named `name`; nullopt when there is none.
std::optional<std::string> sourceIdByName(sdk::Txn& txn, const std::string& name);
void removeSource(sdk::Txn& txn, const std::string& id);
// Locks the tenant's source row FOR UPDATE (serializes creates that hang off a source:
// schedules, backfills); false when there is no such source.
bool lockSourceRow(sdk::Txn& txn, const std::string& id);
// Pauses (with an optional reason) or resumes the source (version + 1); the row after, or
// nullopt when it does not exist.
std::optional<nlohmann::json> setSourcePaused(sdk::Txn& txn, const std::string& id, bool pause,
                                              const std::optional<std::string>& reason);

// A source.* event about `source` (as sourceFromRow shows it), data.source = the source.
OpsEvent sourceEvent(const std::string& type, const nlohmann::json& source,
                     const nlohmann::json& data = nlohmann::json::object());

}  // namespace jobengine::scheduler
