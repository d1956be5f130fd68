// See event_notifier.hpp.
#include "events/event_notifier.hpp"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <pqxx/pqxx>

#include "events/signal_watchers.hpp"
#include "log/logging.hpp"

namespace jobengine::host {

EventNotifier::EventNotifier(EventNotifierOptions options) : options_(std::move(options)) {}

EventNotifier::~EventNotifier() { stop(); }

void EventNotifier::start() {
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = false;
  }
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "je-evt-notify");
    run();
  });
}

void EventNotifier::stop() {
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
  conn_.reset();
}

void EventNotifier::signal() noexcept {
  if (pending_.exchange(true)) {
    return;  // the thread has not taken the previous signal yet: it covers this one
  }
  // Taking the lock orders this store before the thread's predicate check (no lost wake-up).
  { const std::lock_guard<std::mutex> lock(mutex_); }
  cv_.notify_one();
}

void EventNotifier::signalNamed(const std::string& name) {
  {
    const std::lock_guard<std::mutex> lock(names_mutex_);
    pending_names_.insert(name);
  }
  signal();  // after the insert: the notification this guarantees carries the name
}

void EventNotifier::notifyOnce() {
  if (!conn_) {
    conn_ = std::make_unique<pqxx::connection>(options_.dsn);
    pqxx::nontransaction setup(*conn_);
    setup.exec("SET synchronous_commit = off");  // a wake-up signal, not data: never fsync
    setup.exec("SET jit = off");
    if (!options_.set_role.empty()) {
      setup.exec("SET ROLE " + setup.quote_name(options_.set_role));
    }
  }
  std::set<std::string> names;
  {
    const std::lock_guard<std::mutex> lock(names_mutex_);
    names.swap(pending_names_);
  }
  pqxx::nontransaction n(*conn_);
  try {
    n.exec_params("SELECT pg_notify('jobengine_events', $1)", joinSignalNames(names));
  } catch (...) {
    const std::lock_guard<std::mutex> lock(names_mutex_);
    pending_names_.insert(names.begin(), names.end());  // sent again after the reconnect
    throw;
  }
  sent_.fetch_add(1);
}

void EventNotifier::run() {
  auto log = componentLogger("events");
  bool healthy = true;
  auto last_sent = std::chrono::steady_clock::now() - options_.min_interval;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      cv_.wait(lock, [this] { return stopping_ || pending_.load(); });
      if (stopping_) {
        return;
      }
      // At most one notification per min_interval: signals arriving meanwhile fold into it.
      const auto due = last_sent + options_.min_interval;
      if (std::chrono::steady_clock::now() < due &&
          cv_.wait_until(lock, due, [this] { return stopping_; })) {
        return;
      }
    }
    pending_.store(false);  // before sending: a commit after this point gets another one
    try {
      notifyOnce();
      last_sent = std::chrono::steady_clock::now();
      if (!healthy) {
        log->info("event notifier reconnected");
        healthy = true;
      }
    } catch (const std::exception& e) {
      if (healthy) {
        log->warn("event notifier: {}; feeders fall back to polling until it reconnects", e.what());
        healthy = false;
      }
      conn_.reset();
      pending_.store(true);  // retry after the back-off
      std::unique_lock<std::mutex> lock(mutex_);
      if (cv_.wait_for(lock, options_.reconnect, [this] { return stopping_; })) {
        return;
      }
    }
  }
}

}  // namespace jobengine::host
