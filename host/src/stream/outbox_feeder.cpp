// See outbox_feeder.hpp.
#include "stream/outbox_feeder.hpp"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <pqxx/pqxx>
#include <set>
#include <stdexcept>

#include "events/signal_watchers.hpp"
#include "log/logging.hpp"
#include "metrics/metrics_registry.hpp"
#include "stream/event_subscriptions.hpp"
#include "stream/outbox_reader.hpp"
#include "stream/stream_hub.hpp"

namespace jobengine::host {
namespace {

constexpr const char* kChannel = "jobengine_events";
constexpr const char* kPublishedMetric = "outbox_published_total";
constexpr const char* kPublishedHelp = "Outbox events published to streams";
constexpr const char* kLagMetric = "outbox_lag_seconds";
constexpr const char* kLagHelp =
    "Seconds between the last published event's occurredAt and its publish";

std::unique_ptr<pqxx::connection> openConnection(const OutboxFeederOptions& options) {
  auto conn = std::make_unique<pqxx::connection>(options.dsn);
  pqxx::nontransaction n(*conn);
  n.exec("SET jit = off");  // as on every pooled connection (store/connection_pool.cpp)
  if (!options.set_role.empty()) {
    n.exec("SET ROLE " + n.quote_name(options.set_role));
  }
  return conn;
}

double nowEpochSeconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

// A notification wakes await_notification(); its payload, when not empty, names wake-up
// signals for this replica's watchers.
class OutboxFeeder::Listener : public pqxx::notification_receiver {
 public:
  Listener(pqxx::connection& conn, SignalWatchers* signals)
      : pqxx::notification_receiver(conn, kChannel), signals_(signals) {}
  void operator()(const std::string& payload, int /*backend_pid*/) override {
    if (signals_ != nullptr && !payload.empty()) {
      signals_->dispatchPayload(payload);
    }
  }

 private:
  SignalWatchers* signals_;
};

OutboxFeeder::OutboxFeeder(OutboxFeederOptions options, StreamHub& hub,
                           EventSubscriptions* subscriptions, SignalWatchers* signals,
                           MetricsRegistry* metrics)
    : options_(std::move(options)),
      hub_(hub),
      subscriptions_(subscriptions),
      signals_(signals),
      metrics_(metrics) {}

OutboxFeeder::~OutboxFeeder() { stop(); }

void OutboxFeeder::connect() {
  listen_conn_ = openConnection(options_);
  listener_ = std::make_unique<Listener>(*listen_conn_, signals_);  // issues LISTEN
  read_conn_ = openConnection(options_);
}

void OutboxFeeder::disconnect() noexcept {
  try {
    listener_.reset();
  } catch (...) {
    // UNLISTEN on a dead connection may throw; the connection is discarded anyway.
  }
  listen_conn_.reset();
  read_conn_.reset();
}

void OutboxFeeder::start() {
  try {
    connect();
    cursor_ = visibleMaxSeq(*read_conn_);
  } catch (const std::exception& e) {
    disconnect();
    throw std::runtime_error(std::string("outbox feeder: cannot read jobengine.events: ") +
                             e.what());
  }
  if (metrics_ != nullptr) {
    // Registered now, so a scrape right after the first delivery never misses them.
    metrics_->counterAdd(kPublishedMetric, kPublishedHelp, {}, 0);
    metrics_->gaugeSet(kLagMetric, kLagHelp, {}, 0);
  }
  stopping_ = false;
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "je-outbox-feed");
    run();
  });
}

void OutboxFeeder::stop() {
  {
    const std::lock_guard<std::mutex> lock(stop_mutex_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
  disconnect();
}

void OutboxFeeder::waitBeforeReconnect() {
  std::unique_lock<std::mutex> lock(stop_mutex_);
  stop_cv_.wait_for(lock, std::chrono::milliseconds(options_.reconnect_ms),
                    [this] { return stopping_.load(); });
}

void OutboxFeeder::drain() {
  const auto read = [this](uint64_t after, std::size_t limit) {
    return readAllTenants(*read_conn_, after, limit);
  };
  if (subscriptions_ != nullptr) {
    subscriptions_->catchUp(read, cursor_.load());
  }
  bool every_tenant = false;  // this batch again, after a subscriber arrived mid-read
  for (;;) {
    // Envelopes are built only for tenants someone listens to now: a subscriber that arrives
    // later reads what it missed from the outbox (its resume), like one the hub never had.
    // One that arrives while this read runs may already be owed rows of its snapshot (they
    // committed after it subscribed): then the batch is read once more with envelopes for
    // every tenant, which needs no second look at the subscriptions (no starving while
    // subscribers keep arriving).
    const uint64_t subscriptions_before = hub_.subscriptionsMade();
    const bool plugins_listen = subscriptions_ != nullptr && subscriptions_->size() > 0;
    const std::set<std::string> tenants = hub_.subscribedTenants();
    std::vector<OutboxEvent> batch;
    if (every_tenant) {
      batch = readAllTenants(*read_conn_, cursor_.load(), options_.batch);
    } else if (plugins_listen || !tenants.empty()) {
      batch = readAllTenants(
          *read_conn_, cursor_.load(), options_.batch,
          [&](const std::string& t) { return plugins_listen || tenants.count(t) > 0; });
    } else {
      batch = readPositions(*read_conn_, cursor_.load(), options_.batch);
    }
    if (!every_tenant && hub_.subscriptionsMade() != subscriptions_before) {
      every_tenant = true;
      continue;
    }
    every_tenant = false;
    for (const auto& e : batch) {
      if (!e.event.json.empty()) {
        hub_.publish(e.event);
        if (plugins_listen) {
          subscriptions_->deliver(e);
        }
      }
      cursor_ = e.event.seq;
    }
    if (!batch.empty() && metrics_ != nullptr) {
      metrics_->counterAdd(kPublishedMetric, kPublishedHelp, {}, static_cast<double>(batch.size()));
      metrics_->gaugeSet(kLagMetric, kLagHelp, {},
                         nowEpochSeconds() - batch.back().occurred_at_epoch);
    }
    if (batch.size() < options_.batch || stopping_.load()) {
      return;
    }
  }
}

void OutboxFeeder::run() {
  auto log = componentLogger("stream");
  bool healthy = true;
  while (!stopping_.load()) {
    try {
      if (!listen_conn_) {
        connect();
        log->info("outbox feeder reconnected; resuming after seq {}", cursor_.load());
        healthy = true;
      }
      drain();
      // Blocks until a notification or the poll interval; notifications are consumed here.
      const int poll_ms = eventsHeldBack(*read_conn_) ? std::max(1, options_.poll_ms)
                                                      : std::max(1, options_.idle_poll_ms);
      listen_conn_->await_notification(poll_ms / 1000, static_cast<long>(poll_ms % 1000) * 1000);
    } catch (const std::exception& e) {
      if (healthy) {
        log->warn("outbox feeder: {}; reconnecting", e.what());
        healthy = false;
      }
      disconnect();
      waitBeforeReconnect();
    }
  }
}

}  // namespace jobengine::host
