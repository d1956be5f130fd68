// deadletter_rows.hpp — the dead-letter store: the entry's columns and JSON shape, the
// filter's WHERE clause and parameters, loading one entry, and the list, stats and cluster
// queries of the dead-letter routes (routes_deadletter.cpp keeps no SQL, STYLE §14).
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

// Filtered entries newest first, strictly before (after_at, after_id) when given, at most limit.
std::vector<nlohmann::json> listEntries(sdk::Txn& txn, const DeadLetterFilter& filter,
                                        const std::optional<std::string>& after_at,
                                        const std::optional<std::string>& after_id, int limit);

// One (error class, job type) group of the filtered entries: its size and how many were
// replayed.
struct DeadLetterGroupCount {
  std::string error_class;
  std::string job_type;
  int64_t count = 0;
  int64_t replayed = 0;
};
std::vector<DeadLetterGroupCount> countEntriesByClassAndType(sdk::Txn& txn,
                                                             const DeadLetterFilter& filter);

// The largest fingerprint clusters of the filtered entries (most entries first), each as the
// summary route shows it, with the newest entry as its sample.
std::vector<nlohmann::json> entryClusters(sdk::Txn& txn, const DeadLetterFilter& filter, int limit);

}  // namespace jobengine::scheduler
