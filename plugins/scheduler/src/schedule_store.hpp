// schedule_store.hpp — the scheduler.schedules rows (migration scheduler/0005): reads as the
// API shows them (scheduler.schedule_json), writes with their next fire computed here (cctz,
// core/schedule_clock.hpp), and the `schedule.*` events of a change. Used by the /schedules
// routes and by a source's `schedule` field (routes_sources.cpp), which writes the same rows:
// the one place a schedule lives. Everything runs in the caller's transaction.
#pragma once

#include <jobengine/ids.hpp>
#include <jobengine/plugin.hpp>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/schedule_clock.hpp"
#include "core/schedule_spec.hpp"
#include "ops_store.hpp"

namespace jobengine::scheduler {

// The transaction's now() (the database's clock: the same for every replica).
SysTime databaseNow(sdk::Txn& txn);

// The first fire after `now` of a valid, enabled schedule; nullopt when disabled or never.
std::optional<SysTime> firstFireAfter(const ScheduleFields& fields, SysTime now);

std::optional<nlohmann::json> loadSchedule(sdk::Txn& txn, const std::string& id, bool for_update);
// GET /schedules: schedules by id after `after_id` (of one source, when given), at most
// `limit`, as scheduler.schedule_json shows them.
std::vector<nlohmann::json> listScheduleRows(sdk::Txn& txn,
                                             const std::optional<std::string>& after_id,
                                             const std::optional<std::string>& source_id,
                                             int limit);
std::optional<nlohmann::json> loadScheduleOfSource(sdk::Txn& txn, const std::string& source_id,
                                                   bool for_update);

// INSERT (fields.source_id set) / UPDATE (version + 1) / DELETE; planned_through becomes now,
// so a new or edited schedule fires from now on and never makes up fires from before.
nlohmann::json insertSchedule(sdk::Txn& txn, const std::string& id, const ScheduleFields& fields,
                              SysTime now);
nlohmann::json replaceSchedule(sdk::Txn& txn, const std::string& id, const ScheduleFields& fields,
                               SysTime now);
void deleteSchedule(sdk::Txn& txn, const std::string& id);

// The fields of a source a sync needs ({id, name, kind, config, enabled, paused}), of
// `tenant` (the leader's transaction is bound to "system", not to the schedule's tenant).
std::optional<nlohmann::json> loadSourceForSync(sdk::Txn& txn, const std::string& tenant,
                                                const std::string& source_id);

// Runs a schedule of the source started (kind "schedule") that are still queued or running.
int64_t activeScheduleRuns(sdk::Txn& txn, const std::string& tenant, const std::string& source_id);

// One decided fire: outcome fired | skipped | triggered, the skip's reason, the run it made,
// and the epoch of the leader that decided it (none for a trigger).
struct FireRecord {
  std::string tenant;
  std::string schedule_id;
  SysTime fire_at;
  std::string outcome;
  std::optional<std::string> reason;
  std::optional<std::string> run_id;
  std::optional<int64_t> leader_epoch;
};
// Records it; false when this (schedule, fire time) was decided before: the caller then
// creates nothing.
bool recordFire(sdk::Txn& txn, const FireRecord& fire);

// A schedule.* event about `schedule` (as loadSchedule shows it).
OpsEvent scheduleEvent(const std::string& type, const nlohmann::json& schedule,
                       const nlohmann::json& data = nlohmann::json::object());

// What a source's `schedule` field asks for: null deletes the source's schedule, an object
// creates or replaces it (validated by parseSourceCreate/Patch). Returns the events.
std::vector<OpsEvent> applySourceSchedule(sdk::Txn& txn, sdk::UuidV7Generator& ids,
                                          const std::string& source_id,
                                          const nlohmann::json& schedule_field);

}  // namespace jobengine::scheduler
