// backfill_store.hpp — the SQL of the backfill routes (routes_backfills.cpp): the active
// backfills an overlap check compares against, the backfill row insert, the list, and
// cancel's job lock and status change. Named functions over the caller's transaction and
// tenant (STYLE §14); the overlap decision stays the pure core/backfill_plan overlaps(), the
// HTTP answer the route's. Reading one backfill and its events is watermark_store.hpp's
// (loadBackfill, backfillEvent); the source lock is source_store.hpp's (lockSourceRow).
#pragma once

#include <jobengine/plugin.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/backfill_plan.hpp"

namespace jobengine::scheduler {

// A queued or running backfill of one (source, scope) and its [from, to).
struct ActiveBackfill {
  std::string id;
  TimeWindow range;
};
// Ordered by id.
std::vector<ActiveBackfill> activeBackfills(sdk::Txn& txn, const std::string& source_id,
                                            const std::string& scope);

struct NewBackfill {
  std::string id, source_id, scope;
  TimeWindow range;
  int window_minutes = 0;
  std::string reason, ticket;
  int64_t windows_total = 0;
  std::optional<std::string> created_by;
};
void insertBackfill(sdk::Txn& txn, const NewBackfill& backfill);

// scheduler.backfill_json rows by id after `after_id`, filtered by source and by the shown
// status (running is derived while the row still says queued), at most `limit`.
std::vector<nlohmann::json> listBackfillRows(sdk::Txn& txn,
                                             const std::optional<std::string>& after_id,
                                             const std::optional<std::string>& source_id,
                                             const std::optional<std::string>& status, int limit);

// Locks (FOR UPDATE, by id) the non-terminal jobs of the backfill's runs; returns their ids.
std::vector<std::string> lockUnfinishedBackfillJobs(sdk::Txn& txn, const std::string& backfill_id);
void markBackfillCanceled(sdk::Txn& txn, const std::string& backfill_id);

}  // namespace jobengine::scheduler
