// OutboxPruner: retention of the host's outbox (SPEC §9, issue 16; docs/operations.md
// "Retention"). jobengine.events is also the job history, so pruning it prunes both.
//
// One thread, "host-retention", in every replica:
//  * every replica refreshes the RetentionRegistry's pruned-through marks from
//    jobengine.retention (a few rows) every couple of seconds, so its stream listener refuses
//    a pruned resume position (410 POSITION_PRUNED) without a database round trip;
//  * the leader (je.leader's elector) prunes every [retention] interval_seconds: per tenant
//    with events, it asks the registry for the tenant's effective cutoff (now - days, and
//    every je.retention guard: the audit plugin's exports), reads the tenant's oldest
//    batch_rows events in seq order and deletes the prefix that is older than the cutoff and
//    below the delivery horizon (retention_rules: prunablePrefixEnd), in one short
//    transaction fenced by jobengine.leader_epoch_is_current_v1, which also moves the
//    tenant's jobengine.retention mark forward. A tenant with a backlog gets several batches
//    per round (bounded), and the next round comes sooner.
// Threads: start()/stop() from the engine's main thread; the rest on the pruner's thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "config/host_config.hpp"

namespace jobengine::host {

class Store;
class LeaderElector;
class RetentionRegistry;

class OutboxPruner {
 public:
  OutboxPruner(RetentionConfig config, Store& store, LeaderElector& leader,
               RetentionRegistry& registry);
  ~OutboxPruner();
  OutboxPruner(const OutboxPruner&) = delete;
  OutboxPruner& operator=(const OutboxPruner&) = delete;

  void start();
  void stop();

  // One pruning of every tenant (the leader's round); how many rows were deleted, or -1 when
  // the epoch was no longer current. `more` is set when some tenant still had a full batch.
  int64_t pruneOnce(int64_t epoch, bool& more);
  // Reads jobengine.retention into the registry.
  void refreshMarks();

 private:
  void loop();
  int64_t pruneTenant(const std::string& tenant, int64_t epoch, bool& more, bool& deposed);

  RetentionConfig config_;
  Store& store_;
  LeaderElector& leader_;
  RetentionRegistry& registry_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
};

}  // namespace jobengine::host
