// EventNotifier: tells every replica's outbox feeder that events may have committed, without
// a NOTIFY inside the writing transactions.
//
// Why: a transaction that NOTIFYs takes PostgreSQL's single notify-queue lock at COMMIT and
// holds it through its WAL flush, so every event-writing commit in the database queued behind
// the previous one's fsync: no group commit, ~285 commits/s on a 3.5 ms fsync (measured: a
// third of the runner's drain time was spent waiting on "Lock:object" in COMMIT). Now writers
// only append outbox rows; after a read-write transaction commits, the Store calls signal(),
// and this one thread sends `SELECT pg_notify('jobengine_events', '')` on its own connection
// with synchronous_commit off (the lock is held for microseconds, no fsync is awaited).
// Signals that arrive while a notification is being sent fold into the next one, and at most
// one is sent per min_interval, so a busy replica sends a bounded number however many
// transactions commit. Every feeder (this replica's too) LISTENs and also polls, so a lost
// notification (the connection down) delays delivery by one poll interval and loses nothing.
// Named wake-up signals (je.events signal, abi.h 1.1) ride on the same notification: the
// payload is the ','-joined set of names raised since the last one (events/signal_watchers).
// Threads: signal() is lock-free when a notification is already pending, callable from any
// thread and after stop(); signalNamed() takes a short lock; start()/stop() from the owner.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include <pqxx/connection>

namespace jobengine::host {

struct EventNotifierOptions {
  std::string dsn;       // the app role's DSN
  std::string set_role;  // non-empty: SET ROLE after connecting (external mode)
  std::chrono::microseconds min_interval{1000};
  std::chrono::milliseconds reconnect{500};
};

class EventNotifier {
 public:
  explicit EventNotifier(EventNotifierOptions options);
  ~EventNotifier();  // stop()
  EventNotifier(const EventNotifier&) = delete;
  EventNotifier& operator=(const EventNotifier&) = delete;

  void start();
  void stop();
  // Events may have committed: make sure one notification goes out after this call.
  void signal() noexcept;
  // Also carry `name` (already validated) to every replica's signal watchers.
  void signalNamed(const std::string& name);
  uint64_t sent() const { return sent_.load(); }

 private:
  void run();
  void notifyOnce();

  EventNotifierOptions options_;
  std::unique_ptr<pqxx::connection> conn_;  // the notifier thread only
  std::atomic<bool> pending_{false};
  std::atomic<uint64_t> sent_{0};
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mutex_
  std::mutex names_mutex_;
  std::set<std::string> pending_names_;  // guarded by names_mutex_
  std::thread thread_;
};

}  // namespace jobengine::host
