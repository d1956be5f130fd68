// deadletter_rows.hpp — what the dead-letter routes share: the entry's columns and JSON
// shape, the filter's WHERE clause and parameters, and loading one entry.
#pragma once

#include <jobengine/plugin.hpp>

#include <optional>
#include <string>
#include <vector>

#include "core/deadletter_filter.hpp"

namespace jobengine::scheduler {

// WHERE fragment over alias d: $1 tenant, $2 job type, $3 error class, $4 fingerprint,
// $5 since (NULL = any). Padded with spaces on both sides.
extern const char* const kFilterWhere;

std::string entryColumns();
nlohmann::json entryFromRow(const sdk::Row& r);
std::vector<sdk::Param> filterParams(const std::string& tenant, const DeadLetterFilter& f);
// One entry by id; lock = FOR UPDATE (replay).
std::optional<nlohmann::json> loadEntry(sdk::Txn& txn, const std::string& id, bool lock);

}  // namespace jobengine::scheduler
