// LeaderDuties: what only the elected replica does (SPEC §9, DESIGN §6, docs/leader.md):
// sweeping expired leases, returning throttled jobs whose time came to `queued`, and firing
// schedules. One thread, "sched-leader", in every replica; it acts only while the host's
// je.leader says this replica leads, and every round runs in one "system" transaction that
// starts with jobengine.leader_epoch_is_current_v1(epoch). That check share-locks the epoch
// until the commit, so a newly elected replica cannot take over until the round committed or
// rolled back, and a deposed leader's round (it has not noticed yet) changes nothing.
//
// Retry-delayed jobs need no release: they are `queued` with a future nextEligibleAt, and
// claims skip them until then.
//
// Cadence: one round per tick. The tick is 100 ms when je.ratelimit is loaded (a refused job's
// nextEligibleAt is a token's arrival: a second's delay would waste a small bucket's tokens),
// else sweep_interval_ms capped at one second, so an idle leader makes at most one short
// transaction a second. Expired leases are swept every sweep_interval_ms, due schedules fired
// every tick (a fire is late by at most one tick plus the round).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

#include "job_service.hpp"

namespace jobengine::scheduler {

class LeaderDuties {
 public:
  // One duty run in the fenced round; returns nothing, throws on a database error (the round
  // rolls back and is tried again at the next tick).
  using Duty = std::function<void(sdk::Txn& txn, int64_t epoch)>;

  explicit LeaderDuties(JobService& service);
  ~LeaderDuties();
  LeaderDuties(const LeaderDuties&) = delete;
  LeaderDuties& operator=(const LeaderDuties&) = delete;

  // Adds a duty run at every tick while leading (before start()).
  void add(Duty duty);
  void start();
  void stop();

 private:
  void loop();
  // One fenced round; false when the epoch was no longer current (nothing was done).
  bool round(int64_t epoch, bool sweep_now);

  JobService& service_;
  std::vector<Duty> duties_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
};

}  // namespace jobengine::scheduler
