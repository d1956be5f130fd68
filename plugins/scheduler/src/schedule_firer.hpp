// ScheduleFirer: the leader's schedule duty (LeaderDuties, leader_duties.hpp). Each round, in
// the leader's epoch-fenced "system" transaction, it takes up to kDueBatch due schedules
// (`next_fire_at <= now()`, FOR UPDATE SKIP LOCKED) and for each decides every fire in
// (planned_through, now] by its catch-up rule (core/catch_up.hpp):
//   fire     -> a run through source_sync (kind "schedule", idempotency key
//               "schedule:<id>:<fire time>") and `schedule.fired`; or skipped (recorded)
//               when the source is paused or disabled, or maxParallelRuns runs of the schedule
//               are still queued or running;
//   skipped  -> recorded (reason max_lag or catch_up), with one `schedule.skipped` event per
//               schedule and round that counts them;
// then moves planned_through to now and next_fire_at to the next fire. Every decision is a
// schedule_fires row keyed by (schedule, fire time), so no fire is decided twice whatever
// replica leads. A stored schedule whose cron or zone no longer parses (a migrated one, or a
// zone removed from tzdata) is disabled with `schedule.disabled` saying why.
#pragma once

#include <jobengine/ids.hpp>
#include <jobengine/plugin.hpp>

#include <cstdint>

#include "job_service.hpp"

namespace jobengine::scheduler {

class ScheduleFirer {
 public:
  explicit ScheduleFirer(JobService& service) : service_(service) {}

  // One round under the leader's transaction (fenced with leader_epoch, which each decision
  // records); returns how many due schedules it handled (each one writes: its fires, skips or
  // its disabling, and its advance), 0 when none was due and nothing was written.
  size_t fireDue(sdk::Txn& txn, int64_t leader_epoch);

 private:
  JobService& service_;
  sdk::UuidV7Generator ids_;
};

}  // namespace jobengine::scheduler
