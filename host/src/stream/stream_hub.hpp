// The per-replica fan-out of committed events to stream subscribers, independent of Beast and
// of the database.
//
// One feeder thread calls publish() in strictly increasing seq order (the outbox reader after
// merge). Each Subscription has a tenant, a filter and a bounded queue; a consumer that falls
// `queue_capacity` events behind is dropped (it resumes later with its last id) so a slow
// client never slows the feeder. Resume without gaps or duplicates: subscribe(after=X)
// registers first (live events are buffered from then on), then the consumer's poll() reads
// the injected BacklogReader in batches, and finally merges the buffered live events, skipping
// every seq ≤ the last one seen. Locking: hub mutex_ guards the subscriber list; each
// Subscription's mutex_ guards its queue; notify callbacks run outside both locks.
#pragma once

#include "api/http_error.hpp"
#include "api/result.hpp"

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace jobengine::host {

struct StreamEvent {
  uint64_t seq = 0;
  std::string tenant;
  std::string type;  // "job.succeeded"
  std::string run_id;
  std::string job_id;
  std::string source_id;
  std::string json;  // the orch.event.v1 envelope, compact JSON
};

using StreamEventPtr = std::shared_ptr<const StreamEvent>;

// Events of `tenant` with seq > after_seq, ascending, at most `limit`. Must be safe to call
// from the stream io threads (the DB outbox read after merge).
using BacklogReader = std::function<std::vector<StreamEvent>(
    const std::string& tenant, uint64_t after_seq, std::size_t limit)>;

struct StreamFilter {
  std::vector<std::string> types;  // exact "job.failed" or prefix "job.*"; empty = all
  std::string run_id;
  std::string job_id;
  std::string source_id;

  bool matches(const StreamEvent& e) const;
  // From query parameters runId, jobId, sourceId, types (comma list); 400 INVALID_FILTER.
  static Result<StreamFilter, HttpError> fromQuery(
      const std::vector<std::pair<std::string, std::string>>& query);
};

struct StreamHubOptions {
  std::size_t queue_capacity = 1024;
  std::size_t backlog_batch = 500;
  std::function<void(std::size_t)> on_subscribers;  // gauge: current subscriber count
  std::function<void()> on_dropped;                 // counter: one slow consumer dropped
};

class Subscription {
 public:
  enum class State { kOpen, kDropped, kClosed };

  // Moves up to `max` ready events into `out` (reading the backlog first when resuming).
  // Returns the state; kDropped / kClosed are terminal and come with no further events.
  State poll(std::vector<StreamEventPtr>& out, std::size_t max);
  const std::string& tenant() const { return tenant_; }
  uint64_t lastSeq() const;
  // The current state without taking events (a writer stuck on a slow socket checks this).
  State state() const;

 private:
  friend class StreamHub;
  Subscription(std::string tenant, StreamFilter filter, std::optional<uint64_t> after,
               std::function<void()> notify, std::size_t capacity);
  // Called by publish (under no hub lock): returns true when the consumer must be notified.
  bool offer(const StreamEventPtr& e, bool& dropped_now);
  void terminate(State state);

  const std::string tenant_;
  const StreamFilter filter_;
  const std::function<void()> notify_;
  const std::size_t capacity_;
  BacklogReader backlog_;
  std::size_t backlog_batch_ = 500;

  mutable std::mutex mutex_;
  State state_ = State::kOpen;
  bool catching_up_ = false;
  uint64_t live_overflows_ = 0;             // times live_buffer_ overflowed during catch-up
  uint64_t last_seq_ = 0;                   // last seq seen (delivered or filtered out)
  std::deque<StreamEventPtr> queue_;        // ready for the consumer
  std::deque<StreamEventPtr> live_buffer_;  // live events seen while catching up
};

class StreamHub {
 public:
  StreamHub(BacklogReader backlog, StreamHubOptions options);
  ~StreamHub();
  StreamHub(const StreamHub&) = delete;
  StreamHub& operator=(const StreamHub&) = delete;

  // Registers a subscriber. `after`: resume after this seq (backlog first); nullopt: live only.
  // `notify` is called from the feeder thread when poll() has something new (events, drop,
  // close); it must be cheap and must not call back into the hub.
  std::shared_ptr<Subscription> subscribe(const std::string& tenant, StreamFilter filter,
                                          std::optional<uint64_t> after,
                                          std::function<void()> notify);
  void unsubscribe(const std::shared_ptr<Subscription>& sub);
  // Delivers one committed event; seq must increase across calls. Never blocks on consumers.
  void publish(const StreamEvent& event);
  // Closes every subscription (graceful stop); later subscribe() calls get closed ones.
  void closeAll();

  std::size_t subscriberCount() const;
  // The tenants that have at least one subscriber now (a snapshot).
  std::set<std::string> subscribedTenants() const;
  // How many subscribe() calls were ever made: the feeder compares it before and after a read
  // to learn that a subscriber arrived while it read (outbox_feeder.cpp).
  uint64_t subscriptionsMade() const { return subscriptions_made_.load(); }
  uint64_t droppedCount() const { return dropped_.load(); }

 private:
  void removeLocked(const Subscription* sub);
  BacklogReader backlog_;
  StreamHubOptions options_;
  mutable std::mutex mutex_;
  bool closed_ = false;
  std::vector<std::shared_ptr<Subscription>> subs_;
  std::atomic<uint64_t> dropped_{0};
  std::atomic<uint64_t> subscriptions_made_{0};
};

}  // namespace jobengine::host
