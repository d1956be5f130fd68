// See leader_elector.hpp.
#include "leader/leader_elector.hpp"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include "log/logging.hpp"
#include "metrics/metrics_registry.hpp"

namespace jobengine::host {
namespace {

constexpr const char* kIsLeaderHelp = "1 while this replica is the elected leader, else 0";
constexpr const char* kEpochHelp = "The leadership epoch this replica holds (0 when not leading)";
constexpr const char* kTransitionsHelp =
    "Leadership changes of this replica: change=gained|lost (je.leader, docs/leader.md)";

}  // namespace

LeaderElector::LeaderElector(LeaderElectorOptions options, MetricsRegistry* metrics)
    : options_(std::move(options)), metrics_(metrics), log_(componentLogger("leader")) {
  if (options_.replica_id.empty()) {
    options_.replica_id = currentReplicaId();
  }
  if (options_.check_interval <= std::chrono::milliseconds(0)) {
    options_.check_interval = std::chrono::milliseconds(500);
  }
  publishMetrics(false, 0, nullptr);  // the series exist from the start, at 0
}

LeaderElector::~LeaderElector() { stop(); }

void LeaderElector::start() {
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = false;
  }
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "je-leader");
    run();
  });
}

void LeaderElector::stop() noexcept {
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
}

bool LeaderElector::isLeader(int64_t* epoch) const {
  const int64_t held = epoch_.load();
  if (epoch != nullptr) {
    *epoch = held;
  }
  return held != 0;
}

LeaderStatus LeaderElector::status() const {
  LeaderStatus s;
  s.replica_id = options_.replica_id;
  const int64_t held = epoch_.load();
  if (held != 0) {
    s.leader = true;
    s.epoch = held;
    s.holder = options_.replica_id;
    return s;
  }
  const std::lock_guard<std::mutex> lock(status_mutex_);
  s.epoch = observed_epoch_;
  s.holder = observed_holder_;
  return s;
}

void LeaderElector::watch(je_host* host, LeaderCallback cb, void* user) {
  watchers_.add(host, cb, user);
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    wake_ = true;
  }
  cv_.notify_all();
}

void LeaderElector::watch(LeaderObserver observer) {
  watchers_.add(std::move(observer));
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    wake_ = true;
  }
  cv_.notify_all();
}

void LeaderElector::run() {
  log_->info("leader: replica {} competes every {} ms", options_.replica_id,
             options_.check_interval.count());
  do {
    round();
    int64_t held = 0;
    const bool leading = isLeader(&held);
    watchers_.dispatch(leading, held, false);  // primes watchers added meanwhile
  } while (waitForNextRound());
  // Watchers hear it before the lock is given up, so this replica's leader work has stopped
  // (or is fenced) by the time another replica can be elected.
  lose("this replica is shutting down");
  if (session_) {
    session_->release();
  }
  dropSession();
}

void LeaderElector::round() {
  try {
    if (!session_) {
      LeaderSessionOptions session;
      session.store = options_.store;
      session.lock_timeout = electionLockTimeout(options_.check_interval);
      session.tcp_timeout = sessionTcpTimeout(options_.check_interval);
      session.commit_observer = options_.commit_observer;
      session_ = std::make_unique<LeaderSession>(session);
      backend_pid_ = session_->backendPid();
      if (!healthy_) {
        log_->info("leader: database session is back (server pid {})", session_->backendPid());
        healthy_ = true;
      }
    }
    const int64_t held = epoch_.load();
    if (held == 0) {
      const ElectionResult r = session_->tryElect(options_.replica_id);
      if (r.elected) {
        observe(r.epoch, options_.replica_id);
        gain(r.epoch, r.holder);
      } else {
        observe(r.epoch, r.holder);
      }
      return;
    }
    const LeaderCheck check = session_->check();
    observe(check.stored_epoch.value_or(0), check.stored_holder);
    if (auto reason = stepDownReason(held, check)) {
      lose(*reason);
      dropSession();  // frees the lock if this session still holds it
    }
  } catch (const std::exception& e) {
    if (epoch_.load() != 0) {
      lose(std::string("its database session failed: ") + e.what());
    } else if (healthy_) {
      log_->warn("leader: database session failed: {}; retrying every {} ms", e.what(),
                 options_.check_interval.count());
    }
    healthy_ = false;
    dropSession();
  }
}

void LeaderElector::gain(int64_t epoch, const std::optional<std::string>& previous_holder) {
  epoch_.store(epoch);
  publishMetrics(true, epoch, "gained");
  log_->info("leader: replica {} elected, epoch {} (previous holder {})", options_.replica_id,
             epoch, previous_holder.value_or("none"));
  watchers_.dispatch(true, epoch, true);
}

void LeaderElector::lose(const std::string& reason) {
  const int64_t epoch = epoch_.exchange(0);
  if (epoch == 0) {
    return;
  }
  publishMetrics(false, 0, "lost");
  log_->warn("leader: replica {} stepped down from epoch {}: {}", options_.replica_id, epoch,
             reason);
  watchers_.dispatch(false, epoch, true);
}

void LeaderElector::dropSession() noexcept {
  session_.reset();  // closes the connection: the server frees a lock it still holds
  backend_pid_ = 0;
}

void LeaderElector::observe(int64_t epoch, std::optional<std::string> holder) {
  const std::lock_guard<std::mutex> lock(status_mutex_);
  observed_epoch_ = epoch;
  observed_holder_ = std::move(holder);
}

bool LeaderElector::waitForNextRound() {
  const auto due = std::chrono::steady_clock::now() + options_.check_interval;
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    if (!cv_.wait_until(lock, due, [this] { return stopping_ || wake_; })) {
      return true;  // the round is due
    }
    if (stopping_) {
      return false;
    }
    wake_ = false;
    lock.unlock();
    int64_t held = 0;
    const bool leading = isLeader(&held);
    watchers_.dispatch(leading, held, false);
    lock.lock();
  }
}

void LeaderElector::publishMetrics(bool leader, int64_t epoch, const char* change) {
  if (metrics_ == nullptr) {
    return;
  }
  try {
    metrics_->gaugeSet("leader_is_leader", kIsLeaderHelp, {}, leader ? 1.0 : 0.0);
    metrics_->gaugeSet("leader_epoch", kEpochHelp, {}, static_cast<double>(epoch));
    if (change == nullptr) {
      metrics_->counterAdd("leader_transitions_total", kTransitionsHelp, {{"change", "gained"}},
                           0.0);
      metrics_->counterAdd("leader_transitions_total", kTransitionsHelp, {{"change", "lost"}}, 0.0);
    } else {
      metrics_->counterAdd("leader_transitions_total", kTransitionsHelp, {{"change", change}}, 1.0);
    }
  } catch (const std::exception& e) {
    log_->error("leader: metrics: {}", e.what());
  }
}

}  // namespace jobengine::host
