// LeaderElector: makes this replica the database's one leader when nobody else is (je.leader,
// DESIGN §6, docs/leader.md).
//
// Its own thread and its own connection (LeaderSession). Every check_interval: while not
// leading, try the advisory lock; granted, the same transaction advances the epoch and
// appends `leader.elected`, and the replica leads from that commit. While leading, check that
// the session still holds the lock and the stored epoch is still ours. Any error or failed
// check: step down at once (isLeader() false, watchers called with 0), drop the connection
// (which frees the lock on the server), reconnect at the next round and compete again.
// Writes a deposed leader makes before it notices are fenced by the epoch
// (jobengine.leader_epoch_is_current_v1). Metrics: jobengine_leader_is_leader,
// jobengine_leader_epoch (gauges), jobengine_leader_transitions_total{change}.
//
// Threads: start()/stop() from the owner; isLeader(), status(), watch() from any thread.
// stop() steps down (watchers called with 0), releases the lock and joins; the engine calls it
// before stopping plugins. status_mutex_ guards the observed row; epoch_ is atomic.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "leader/leader_store.hpp"
#include "leader/leader_watchers.hpp"

namespace spdlog {
class logger;
}

namespace jobengine::host {

class MetricsRegistry;

struct LeaderElectorOptions {
  StoreOptions store;      // the app role's DSN (and SET ROLE in external mode)
  std::string replica_id;  // empty: currentReplicaId()
  std::chrono::milliseconds check_interval{500};
  std::function<void()> commit_observer;  // signals the EventNotifier after the election
};

// What GET /api/v1/jobengine/leader shows.
struct LeaderStatus {
  bool leader = false;
  int64_t epoch = 0;  // leading: ours; else the stored epoch as last read (0: none yet)
  std::string replica_id;
  std::optional<std::string> holder;  // the stored holder as last read
};

class LeaderElector {
 public:
  // metrics may be null (tests).
  LeaderElector(LeaderElectorOptions options, MetricsRegistry* metrics);
  ~LeaderElector();  // stop()
  LeaderElector(const LeaderElector&) = delete;
  LeaderElector& operator=(const LeaderElector&) = delete;

  void start();
  void stop() noexcept;

  // true while this replica leads; *epoch (may be null) gets the epoch, 0 when not leading.
  bool isLeader(int64_t* epoch = nullptr) const;
  LeaderStatus status() const;
  const std::string& replicaId() const { return options_.replica_id; }
  // Registers a watcher (LeaderWatchers) and wakes the thread to prime it soon.
  void watch(je_host* host, LeaderCallback cb, void* user);
  void watch(LeaderObserver observer);
  // The current session's server process id (0 without one); for tests and logs.
  int sessionBackendPid() const { return backend_pid_.load(); }

 private:
  void run();
  void round();
  void gain(int64_t epoch, const std::optional<std::string>& previous_holder);
  void lose(const std::string& reason);
  void dropSession() noexcept;
  void observe(int64_t epoch, std::optional<std::string> holder);
  // Waits until the next round is due; primes new watchers meanwhile. false: stopping.
  bool waitForNextRound();
  void publishMetrics(bool leader, int64_t epoch, const char* change);

  LeaderElectorOptions options_;
  MetricsRegistry* metrics_;
  std::shared_ptr<spdlog::logger> log_;
  std::unique_ptr<LeaderSession> session_;  // the elector's thread only
  bool healthy_ = true;                     // the elector's thread only: for log lines
  std::atomic<int64_t> epoch_{0};           // held epoch; 0: not leading
  std::atomic<int> backend_pid_{0};
  LeaderWatchers watchers_;

  mutable std::mutex status_mutex_;
  int64_t observed_epoch_ = 0;                  // guarded by status_mutex_
  std::optional<std::string> observed_holder_;  // guarded by status_mutex_

  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mutex_
  bool wake_ = false;      // guarded by mutex_: a new watcher waits to be primed
  std::thread thread_;
};

}  // namespace jobengine::host
