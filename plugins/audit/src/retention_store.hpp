// retention_store — every SQL statement of ledger retention (migrations/audit/0004_retention.sql),
// so the pruner and the routes hold none. The pruner's statements run in its fenced "system"
// transaction (every tenant); loadAnchor also in a request's tenant-bound one.
#pragma once

#include <jobengine/plugin.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/ledger_batch.hpp"
#include "core/retention_plan.hpp"

namespace jobengine::audit {

// now() - retention_seconds, as RFC 3339 UTC with microseconds (the transaction's now()).
std::string retentionCutoff(sdk::Txn& txn, double retention_seconds);

// Per tenant that has a succeeded export reaching past its anchor: the plan's input (first
// retained position, head, first entry at or after cutoff, the covering exports).
std::map<std::string, RetentionInput> loadRetentionInputs(sdk::Txn& txn, const std::string& cutoff);

// The stored hash of a tenant's entry, when it is there.
std::optional<std::string> storedEntryHash(sdk::Txn& txn, const std::string& tenant,
                                           int64_t position);

// Deletes a tenant's entries with position <= through; returns how many.
int64_t deleteEntriesThrough(sdk::Txn& txn, const std::string& tenant, int64_t through);

// The tenant's anchor (last pruned position and hash), inserted or moved forward.
struct AnchorRecord {
  std::string tenant_id;
  int64_t position = 0;
  std::string hash;
  std::string cutoff;
  std::vector<std::string> export_ids;
  std::string event_id;
};
void saveAnchor(sdk::Txn& txn, const AnchorRecord& anchor);

// The tenant's anchor, when its chain was pruned.
std::optional<ChainHead> loadAnchor(sdk::Txn& txn, const std::string& tenant);

// Records the chain slice a succeeding export's bundle holds (the export job, with
// markSucceeded).
void setExportSlice(sdk::Txn& txn, const std::string& tenant, const std::string& id, int64_t first,
                    int64_t last);

}  // namespace jobengine::audit
