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
// Cadence: one round per tick, sweep_interval_ms capped at one second. With je.ratelimit loaded,
// the round also reads when the earliest throttled job becomes eligible (a refused job's
// nextEligibleAt is a token's arrival: a second's delay would waste a small bucket's tokens) and
// the next round comes then, but not sooner than 100 ms after this one; a claim that throttles
// jobs wakes the leader at once (wake(), through the je.events signal kThrottledSignal from any
// replica). Expired leases are swept every sweep_interval_ms, due schedules fired every tick (a
// fire is late by at most one tick plus the round). A round that changed something is followed
// by the next one 100 ms later (a retention or sweep backlog drains at ten rounds a second, not
// one). A round that changed nothing rolls back instead of committing: every commit makes each
// replica's outbox feeder wake and read, so an idle leader's rounds cost one short read-only
// transaction a second and nothing else.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "job_service.hpp"

namespace jobengine::scheduler {

// The je.events signal raised after a commit that throttled jobs; every replica's LeaderDuties
// watches it (only the leader's acts).
inline constexpr const char* kThrottledSignal = "scheduler.jobs-throttled";

class LeaderDuties {
 public:
  // One duty run in the fenced round; returns whether it changed anything (the round commits
  // only then), throws on a database error (the round rolls back and is tried again at the next
  // tick).
  using Duty = std::function<bool(sdk::Txn& txn, int64_t epoch)>;

  explicit LeaderDuties(JobService& service);
  ~LeaderDuties();
  LeaderDuties(const LeaderDuties&) = delete;
  LeaderDuties& operator=(const LeaderDuties&) = delete;

  // Adds a duty run at every tick while leading (before start()).
  void add(Duty duty);
  void start();
  void stop();
  // Runs a round now (jobs were throttled: the earliest may be due before the next tick).
  void wake();

 private:
  // What a round found out: whether the epoch was current (false: nothing was done), and when
  // the earliest throttled job becomes eligible (with je.ratelimit; none: no throttled job).
  struct RoundResult {
    bool current = false;
    bool changed = false;  // it wrote: more may be waiting (a pruning backlog, a sweep batch)
    std::optional<std::chrono::system_clock::time_point> next_throttled;
  };
  void loop();
  RoundResult round(int64_t epoch, bool sweep_now);

  JobService& service_;
  std::vector<Duty> duties_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool woken_ = false;
};

}  // namespace jobengine::scheduler
