// Runner: the in-process job runner and the lease sweeper of the scheduler plugin.
//
// runner_threads named threads ("sched-run-N") claim batches of jobs whose type has an
// in-process handler (FOR UPDATE SKIP LOCKED, "system"-bound transactions), run the handlers
// and complete the batch in one statement, in the same transaction as the next claim (one
// commit per batch). Plugins cannot LISTEN, so an idle claimer sleeps
// on a condition variable: an enqueue in this replica wakes it at once (Txn::onCommit), and
// it polls every poll_interval_ms for work enqueued by other replicas.
//
// One "sched-sweep" thread renews the leases of handlers that run long (and picks up
// cancel_requested for them) and, every sweep_interval_ms, sweeps expired leases — only in the
// replica that wins pg_try_advisory_xact_lock for that sweep transaction (there is no
// je.leader yet; the lock makes sweeps one-at-a-time across replicas).
//
// Locking: mutex_ guards stopping_ and wake_seq_; inflight_mutex_ guards inflight_. stop()
// joins every thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "job_service.hpp"

namespace jobengine::scheduler {

class Runner {
 public:
  explicit Runner(JobService& service);
  ~Runner();
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  void start();
  void stop();
  // Wakes idle claimers (after an enqueue of in-process work committed).
  void wake();

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
  // Drops finished jobs from inflight_ (their leases are no longer renewed).
  void forget(const std::vector<Completion>& completions);
  void sweepLoop();
  void renewLeases();
  Completion execute(const Grant& grant);
  // In-process job types grouped by their lease (the type's, else the plugin default).
  std::map<int, std::vector<std::string>> typesByLease() const;

  JobService& service_;
  std::vector<std::thread> threads_;
  std::thread sweeper_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
  uint64_t wake_seq_ = 0;
  std::mutex inflight_mutex_;
  std::map<std::string, InFlight> inflight_;  // by job id
};

}  // namespace jobengine::scheduler
