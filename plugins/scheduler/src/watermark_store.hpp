// watermark_store.hpp — the scheduler.watermarks and scheduler.backfills rows (migration
// scheduler/0006): a scope's current watermark, the step that runs when windowed runs end
// (move watermarks by core/watermark_rules, end backfills), the admin set, and the reads the
// routes answer with. Everything runs in the caller's transaction; the runs' ending may come
// from a "system"-bound transaction (runner, sweeper), so every statement names the tenant
// and every event is appended with Origin::engine(tenant).
#pragma once

#include <jobengine/ids.hpp>
#include <jobengine/plugin.hpp>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ops_store.hpp"

namespace jobengine::scheduler {

// The scope's watermark as RFC 3339 (microseconds, Z); nullopt when it has none.
std::optional<std::string> currentWatermarkText(sdk::Txn& txn, const std::string& tenant,
                                                const std::string& source_id,
                                                const std::string& scope);

// A run that just became terminal and covers a window or belongs to a backfill.
struct EndedRun {
  std::string tenant;
  std::string run_id;
  std::string status;  // succeeded | failed | canceled
  std::optional<std::string> source_id;
  std::optional<std::string> window_scope;
  std::optional<std::string> backfill_id;
};

// For succeeded windowed runs: lock each (tenant, source, scope) (a transaction-scoped
// advisory lock, so two completions of one scope serialize), read its windows, move the
// watermark (watermark.advanced). For backfill runs: a backfill whose runs are all terminal
// ends (succeeded | failed | canceled, backfill.<status>); the first ended run of a queued
// backfill makes it running. Backfills already terminal (canceled by the route) stay as they
// are.
void afterWindowedRunsEnded(sdk::Txn& txn, sdk::UuidV7Generator& ids,
                            const std::vector<EndedRun>& runs);

// The transaction-scoped lock of one (tenant, source, scope): the advance step and the admin
// set take it before they read the watermark, so they never interleave.
void lockWatermarkScope(sdk::Txn& txn, const std::string& tenant, const std::string& source_id,
                        const std::string& scope);

// [{scope, watermark, advancedAt, runId, version}] of a source, by scope.
nlohmann::json listWatermarks(sdk::Txn& txn, const std::string& source_id);
std::optional<nlohmann::json> loadWatermark(sdk::Txn& txn, const std::string& source_id,
                                            const std::string& scope, bool for_update);
// Sets (inserts or replaces, version + 1) the watermark; returns the row as listed.
nlohmann::json setWatermark(sdk::Txn& txn, const std::string& source_id, const std::string& scope,
                            const std::string& watermark);

// scheduler.backfill_json of one backfill of the transaction's tenant.
std::optional<nlohmann::json> loadBackfill(sdk::Txn& txn, const std::string& id, bool for_update);

// A backfill.* event about `backfill` (as loadBackfill shows it).
OpsEvent backfillEvent(const std::string& type, const nlohmann::json& backfill,
                       const nlohmann::json& data = nlohmann::json::object());

}  // namespace jobengine::scheduler
