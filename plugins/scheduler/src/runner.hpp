// Runner: the in-process job runner and the lease sweeper of the scheduler plugin.
//
// A bounded pool: runner_threads workers ("sched-run-N") and min(4, runner_threads) claimers
// ("sched-claim-N"). A claimer leases up to claim_batch_size jobs in one statement (FOR
// UPDATE SKIP LOCKED, "system"-bound transaction) and completes the jobs the workers finished
// in the same transaction (one commit for both); several claimers keep several such
// transactions in flight. While the workers have work, a claimer waits until a transaction
// is worth it: half a claim batch finished or of room free (fast handlers), or the oldest
// finished job waited kCompletionLinger; when the workers run dry it goes at once. (Before,
// every finished job woke a claimer: ~45 jobs per claim under load.) Workers take ready jobs
// one at a time, so a slow handler never holds up the jobs claimed with it: up to
// runner_threads handlers run at once. How many leased jobs the replica holds adapts to the
// handlers: while they are fast (moving average under 5 ms) up to claim_batch_size per
// claimer, so no-op-like work drains in big batches; once they are slow, only runner_threads
// (no job waits leased here while other replicas could run it). An idle claimer sleeps on a
// condition variable: a commit in this replica that made jobs claimable wakes it at once
// (Txn::onCommit), the same commit in another replica wakes it through the je.events signal
// kJobsSignal (LISTEN/NOTIFY in the host, milliseconds later), finished jobs wake it to
// complete them, and the first claimer polls anyway: when a retry this replica scheduled
// becomes claimable (its completion said when), and on a timer for what no signal announces
// (retries of leases that expired elsewhere, signals lost to a dropped connection). The timer
// starts at poll_interval_ms and doubles after each poll that found nothing, up to
// idle_poll_max_ms; any work sets it back. An idle replica's runner thus makes one read-only
// transaction per idle_poll_max_ms.
//
// One "sched-sweep" thread renews the leases of jobs held here (running, or ready and waiting
// for a worker; and picks up cancel_requested for them). Sweeping expired leases and
// releasing throttled jobs are the leader's (leader_duties.hpp).
//
// Locking: mutex_ guards stopping_, wake_seq_, ready_, finished_, busy_, reserved_,
// avg_handler_ms_ and retries_due_; inflight_mutex_
// guards inflight_. stop() lets the workers run the jobs already leased, completes them, and
// joins every thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "job_service.hpp"

namespace jobengine::scheduler {

// The je.events signal raised after a commit that made jobs claimable now; every replica's
// runner watches it.
inline constexpr const char* kJobsSignal = "scheduler.jobs-claimable";

class Runner {
 public:
  explicit Runner(JobService& service);
  ~Runner();
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  void start();
  void stop();
  // Wakes idle claimers (jobs became claimable, here or in another replica).
  void wake();
  // Hand-off (JobService::setHandoff): how many jobs idle workers could start now, and jobs
  // an enqueue leased to this runner (after its commit). Jobs accepted beyond the idle
  // workers (two enqueues saw the same idle ones) wait in the ready queue with their leases
  // renewed, like claimed ones.
  int idleWorkers() const;
  void accept(std::vector<Grant> grants, int lease_seconds);

  // One running in-process job, as seen by its je_job_context.
  struct InFlight {
    std::string tenant;
    std::string lease_id;
    int lease_seconds = 60;  // the job type's lease (renewals extend by as much)
    std::chrono::steady_clock::time_point renewed;
    std::shared_ptr<std::atomic<bool>> cancel = std::make_shared<std::atomic<bool>>(false);
  };

  JobService& service() { return service_; }
  // Heartbeats one in-process job now (ctx->progress); returns cancel_requested.
  bool progress(const std::string& job_id, std::optional<int> percent,
                std::optional<std::string> message);

 private:
  void claimLoop(int index);
  // How many leased jobs this replica may hold (ready + running + being claimed) now.
  int capacityLocked() const;
  // How many finished jobs, or how much room, make a claimer transaction worth its round trips
  // and its commit while the workers still have work (1 once handlers are slow).
  int batchThresholdLocked() const;
  // The claimer should commit the finished jobs now: enough of them, nothing else will finish
  // soon, the oldest waited kCompletionLinger, or the runner stops.
  bool completeNowLocked() const;
  void workLoop(int index);
  // One transaction: complete `done`, then lease up to `want` jobs (0: none). Returns the
  // grants; on failure logs, returns none (the leases of `done` expire and are retried).
  std::vector<Grant> completeAndClaim(const std::vector<Completion>& done, int want);
  // Remembers when retries scheduled by this replica's completions become claimable.
  void noteRetries(const std::vector<CompletionResult>& results);
  // Drops finished jobs from inflight_ (their leases are no longer renewed).
  void forget(const std::vector<Completion>& completions);
  void sweepLoop();
  void renewLeases();
  Completion execute(const Grant& grant);
  // In-process job types grouped by their lease (the type's, else the plugin default).
  std::vector<LeaseGroup> typesByLease() const;

  JobService& service_;
  std::vector<std::thread> workers_;
  std::vector<std::thread> claimers_;
  std::thread sweeper_;
  mutable std::mutex mutex_;
  std::condition_variable claim_cv_;  // the claimer: wake, finished jobs, stop
  std::condition_variable work_cv_;   // the workers: ready jobs, stop
  std::condition_variable sweep_cv_;  // the sweeper: stop
  bool stopping_ = false;
  bool claimer_done_ = false;  // no more jobs will be made ready
  uint64_t wake_seq_ = 0;
  std::deque<Grant> ready_;           // leased here, waiting for a worker
  std::vector<Completion> finished_;  // run, waiting for the claimer to complete them
  std::chrono::steady_clock::time_point finished_since_;  // when finished_ became non-empty
  int busy_ = 0;                                          // workers running a handler
  int reserved_ = 0;                                      // jobs claimers are claiming right now
  int claimer_count_ = 0;                                 // set in start() before any thread runs
  double avg_handler_ms_ = 0;                             // moving average of handler run time
  // When retries this replica scheduled become claimable (the earliest kMaxRetriesDue).
  std::set<std::chrono::steady_clock::time_point> retries_due_;
  std::atomic<int64_t> claim_failures_{0};  // failed claim transactions since the last success
  std::mutex inflight_mutex_;
  std::map<std::string, InFlight> inflight_;  // by job id
};

}  // namespace jobengine::scheduler
