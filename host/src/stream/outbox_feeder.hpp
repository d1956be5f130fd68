// OutboxFeeder: the one thread per replica (je-outbox-feed) that moves committed outbox rows
// into the StreamHub and to plugin subscribers, in seq order (DESIGN §4, docs/events.md).
//
// It owns two dedicated connections: one that only LISTENs on `jobengine_events` and never
// opens a transaction (libpq does not process notifications inside one, DEPS.md §4), and one
// for short read transactions bound to the "system" tenant. On each notification, and every
// poll_ms anyway (the horizon may have held rows back, and notifications are lost while
// disconnected), it reads rows above its cursor and below the horizon in batches until none
// are left and publishes them. A broken connection is rebuilt (re-LISTEN) with backoff and
// the cursor simply continues, so nothing is missed. A notification's payload names the
// wake-up signals raised with it (events/signal_watchers.hpp): they are dispatched to the
// watchers first, before any read, so a remote claimer wakes as early as it can. start() places the
// cursor at the largest visible seq: the hub serves older events from its BacklogReader on resume.
// Threads: the feeder thread alone uses the connections, the cursor and the hub's publish();
// stop() wakes and joins it.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <pqxx/connection>

namespace jobengine::host {

class StreamHub;
class EventSubscriptions;
class SignalWatchers;
class MetricsRegistry;

struct OutboxFeederOptions {
  std::string dsn;          // the app role's DSN
  std::string set_role;     // non-empty: SET ROLE after connecting (external mode)
  int poll_ms = 250;        // while rows are held back by the horizon
  int idle_poll_ms = 5000;  // otherwise
  std::size_t batch = 1000;
  int reconnect_ms = 500;
};

class OutboxFeeder {
 public:
  // `subscriptions`, `signals` and `metrics` may be null; everything given must outlive the
  // feeder.
  OutboxFeeder(OutboxFeederOptions options, StreamHub& hub, EventSubscriptions* subscriptions,
               SignalWatchers* signals, MetricsRegistry* metrics);
  ~OutboxFeeder();  // stop()
  OutboxFeeder(const OutboxFeeder&) = delete;
  OutboxFeeder& operator=(const OutboxFeeder&) = delete;

  // Connects, places the cursor and starts the thread. Throws std::runtime_error (one line,
  // no password) when the database cannot be reached.
  void start();
  // Idempotent; joins the thread.
  void stop();
  uint64_t cursor() const { return cursor_.load(); }

 private:
  class Listener;
  void run();
  void connect();
  void disconnect() noexcept;
  void drain();
  void waitBeforeReconnect();

  OutboxFeederOptions options_;
  StreamHub& hub_;
  EventSubscriptions* subscriptions_;
  SignalWatchers* signals_;
  MetricsRegistry* metrics_;

  std::unique_ptr<pqxx::connection> listen_conn_;  // feeder thread only (after start)
  std::unique_ptr<Listener> listener_;
  std::unique_ptr<pqxx::connection> read_conn_;
  std::atomic<uint64_t> cursor_{0};

  std::atomic<bool> stopping_{false};
  std::mutex stop_mutex_;
  std::condition_variable stop_cv_;
  std::thread thread_;
};

}  // namespace jobengine::host
