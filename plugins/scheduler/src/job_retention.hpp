// JobRetention: the scheduler's retention duty (SPEC §9, issue 16; README "Retention"). Run by
// LeaderDuties inside the leader's fenced "system" round, at most every
// retention_interval_seconds (sooner while a backlog remains). Per tenant with old terminal
// jobs, it asks the host for the tenant's effective cutoff (je.retention: now - retention_days
// and every guard, i.e. the audit plugin's "covered until") and deletes, oldest first, at most
// retention_batch_rows terminal jobs (succeeded, failed, timed_out, canceled) finished before
// it whose run (if any) is finished before it too, with their DAG edges, artifact records and
// dead letters; then the runs of those jobs that have no job left, and old finished runs that
// never had jobs. Runs of a backfill are kept (a backfill's progress is counted from its runs).
// The jobs' history lives in the host's outbox, which the host prunes by its own
// [retention] days. Only this plugin's tables are touched.
// Threads: called only on the LeaderDuties thread.
#pragma once

#include <jobengine/plugin.hpp>

#include <chrono>
#include <cstdint>

#include "core/scheduler_settings.hpp"

namespace jobengine::scheduler {

class JobRetention {
 public:
  JobRetention(sdk::Host& host, const SchedulerSettings& settings);

  // The LeaderDuties duty: prunes when due; returns whether it deleted anything. Throws on a
  // database error (the round rolls back).
  bool runIfDue(sdk::Txn& txn);

  struct Pruned {
    int64_t jobs = 0;
    int64_t runs = 0;
    int64_t edges = 0;
    int64_t artifacts = 0;
    int64_t dead_letters = 0;
    bool more = false;  // some tenant had a full batch
  };
  // One pruning of every tenant in txn.
  Pruned run(sdk::Txn& txn);

 private:
  sdk::Host& host_;
  int64_t retention_seconds_;
  int batch_rows_;
  std::chrono::seconds interval_;
  std::chrono::steady_clock::time_point next_{};
  bool warned_ = false;
};

}  // namespace jobengine::scheduler
