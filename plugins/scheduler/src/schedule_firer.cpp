// schedule_firer.cpp — see schedule_firer.hpp.
#include "schedule_firer.hpp"

#include <jobengine/time_format.hpp>

#include <map>
#include <string>
#include <vector>

#include "core/catch_up.hpp"
#include "core/schedule_spec.hpp"
#include "ops_store.hpp"
#include "schedule_store.hpp"
#include "source_sync.hpp"

namespace jobengine::scheduler {

namespace {

constexpr int kDueBatch = 50;
// Most fires one schedule makes (catchUp "all") or records as skipped in one round; the rest
// of a long outage's fires count as skipped.
constexpr size_t kMaxFiresPerRound = 100;

constexpr std::string_view kDue = R"sql(
SELECT s.tenant_id, s.id::text, s.source_id::text, s.cron, s.time_zone, s.max_parallel_runs,
       s.max_lag_minutes, s.catch_up, (extract(epoch FROM s.planned_through) * 1000000)::bigint,
       (extract(epoch FROM now()) * 1000000)::bigint, scheduler.schedule_json(s)
  FROM scheduler.schedules s
 WHERE s.enabled AND s.next_fire_at <= now()
 ORDER BY s.next_fire_at
 LIMIT $1::int
   FOR UPDATE SKIP LOCKED
)sql";

constexpr std::string_view kAdvance = R"sql(
UPDATE scheduler.schedules
   SET planned_through = $3::timestamptz, next_fire_at = $4::timestamptz,
       last_fired_at = coalesce($5::timestamptz, last_fired_at)
 WHERE tenant_id = $1 AND id = $2::uuid
)sql";

constexpr std::string_view kDisable = R"sql(
UPDATE scheduler.schedules AS s
   SET enabled = false, next_fire_at = NULL, version = version + 1, updated_at = now()
 WHERE tenant_id = $1 AND id = $2::uuid
RETURNING scheduler.schedule_json(s)
)sql";

struct DueSchedule {
  std::string tenant;
  std::string id;
  std::string source_id;
  std::string cron;
  std::string time_zone;
  int max_parallel_runs = 1;
  int max_lag_minutes = 0;
  std::string catch_up;
  SysTime planned_through;
  SysTime now;
  nlohmann::json json;
};

std::optional<std::string> optionalTime(const std::optional<SysTime>& t) {
  return t ? std::optional<std::string>(rfc3339Micros(*t)) : std::nullopt;
}

}  // namespace

size_t ScheduleFirer::fireDue(sdk::Txn& txn, int64_t leader_epoch) {
  std::vector<DueSchedule> due;
  txn.exec(kDue, {kDueBatch}, [&](const sdk::Row& r) {
    due.push_back(DueSchedule{r.str(0), r.str(1), r.str(2), r.str(3), r.str(4),
                              static_cast<int>(r.i64(5)), static_cast<int>(r.i64(6)), r.str(7),
                              fromEpochMicros(r.i64(8)), fromEpochMicros(r.i64(9)), r.json(10)});
  });
  size_t runs_created = 0;
  for (const DueSchedule& s : due) {
    const Origin origin = Origin::engine(s.tenant);
    const ParsedSchedule parsed = parseCronAndZone(s.cron, s.time_zone);
    if (parsed.error) {
      nlohmann::json disabled;
      txn.exec(kDisable, {s.tenant, s.id}, [&](const sdk::Row& r) { disabled = r.json(0); });
      appendEvents(
          txn, {scheduleEvent("schedule.disabled", disabled, {{"reason", parsed.error->message}})},
          ids_, origin);
      service_.host().warn("schedule " + s.id + " disabled: " + parsed.error->message);
      continue;
    }
    const CatchUpMode mode = parseCatchUpMode(s.catch_up).value_or(CatchUpMode::kOne);
    const CatchUpPlan plan =
        planCatchUp(*parsed.cron, *parsed.zone, s.planned_through, s.planned_through, s.now,
                    s.max_lag_minutes, mode, kMaxFiresPerRound);
    const auto source = loadSourceForSync(txn, s.tenant, s.source_id);
    std::vector<OpsEvent> events;
    std::map<std::string, uint64_t> skipped_by_reason;
    std::vector<std::string> skipped_times;
    const auto skip = [&](SysTime fire_at, const std::string& reason) {
      if (recordFire(txn,
                     {s.tenant, s.id, fire_at, "skipped", reason, std::nullopt, leader_epoch})) {
        ++skipped_by_reason[reason];
        skipped_times.push_back(rfc3339Micros(fire_at));
      }
    };
    const SysTime lag_limit = s.now - std::chrono::minutes(s.max_lag_minutes);
    for (const SysTime fire_at : plan.skipped) {
      skip(fire_at, s.max_lag_minutes > 0 && fire_at < lag_limit ? "max_lag" : "catch_up");
    }
    // Skipped fires beyond what the plan lists are counted, not recorded one by one.
    const uint64_t unlisted = plan.skipped_count - plan.skipped.size();
    if (unlisted > 0) {
      skipped_by_reason["unrecorded"] += unlisted;
    }
    std::optional<SysTime> last_fired;
    int64_t active = activeScheduleRuns(txn, s.tenant, s.source_id);
    for (const SysTime fire_at : plan.fire) {
      if (!(*source)["enabled"].get<bool>()) {
        skip(fire_at, "source_disabled");
        continue;
      }
      if ((*source)["paused"].get<bool>()) {
        skip(fire_at, "source_paused");
        continue;
      }
      if (active >= s.max_parallel_runs) {
        skip(fire_at, "max_parallel_runs");
        continue;
      }
      if (activeSyncOfLock(txn, s.tenant, *source)) {
        skip(fire_at, "sync_in_progress");
        continue;
      }
      const std::string fire_text = rfc3339Micros(fire_at);
      SyncRequest sync;
      sync.run_kind = "schedule";
      sync.trigger = "schedule";
      sync.extra = {{"scheduleId", s.id}, {"fireAt", fire_text}};
      sync.reason = "schedule " + s.id + " fire at " + fire_text;
      sync.idempotency_key = "schedule:" + s.id + ":" + fire_text;
      sync.run_id = ids_.next();
      sync.window = liveWindow(txn, s.tenant, s.source_id, fire_text);
      if (!recordFire(
              txn, {s.tenant, s.id, fire_at, "fired", std::nullopt, sync.run_id, leader_epoch})) {
        continue;  // decided before (cannot happen under the fence; kept as the last guard)
      }
      SyncRun run = createSyncRun(txn, ids_, service_.syncDags(), *source, sync, origin);
      ++active;
      ++runs_created;
      last_fired = fire_at;
      const auto late_ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(s.now - fire_at).count();
      run.events.push_back(
          scheduleEvent("schedule.fired", s.json,
                        {{"runId", run.run_id}, {"fireAt", fire_text}, {"lateMs", late_ms}}));
      events.insert(events.end(), run.events.begin(), run.events.end());
    }
    if (!skipped_by_reason.empty()) {
      uint64_t count = 0;
      for (const auto& [reason, n] : skipped_by_reason) {
        count += n;
      }
      events.push_back(scheduleEvent(
          "schedule.skipped", s.json,
          {{"count", count}, {"byReason", skipped_by_reason}, {"fireTimes", skipped_times}}));
    }
    txn.exec(kAdvance, {s.tenant, s.id, rfc3339Micros(s.now), optionalTime(plan.next_fire_at),
                        optionalTime(last_fired)});
    appendEvents(txn, events, ids_, origin);
  }
  if (runs_created > 0) {
    service_.wakeRunnersAfterCommit(txn);
  }
  return due.size();
}

}  // namespace jobengine::scheduler
