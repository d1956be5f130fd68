// leader_duties.cpp — the leader-only round of the scheduler. See leader_duties.hpp.
#include "leader_duties.hpp"

#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <string>

namespace jobengine::scheduler {

namespace {

// Rounds come at least this far apart, however soon throttled jobs are due or wakes arrive.
constexpr std::chrono::milliseconds kMinRoundGap{100};
constexpr std::chrono::milliseconds kIdleTickCap{1000};
constexpr int kSweepBatch = 500;
constexpr int kUnthrottleBatch = 1000;
constexpr const char* kActor = "leader";

}  // namespace

LeaderDuties::LeaderDuties(JobService& service) : service_(service) {}

LeaderDuties::~LeaderDuties() { stop(); }

void LeaderDuties::add(Duty duty) { duties_.push_back(std::move(duty)); }

void LeaderDuties::start() {
  thread_ = std::thread([this] { loop(); });
}

void LeaderDuties::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
}

void LeaderDuties::wake() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    woken_ = true;
  }
  cv_.notify_all();
}

void LeaderDuties::loop() {
  pthread_setname_np(pthread_self(), "sched-leader");
  const auto sweep_every = std::chrono::milliseconds(service_.settings().sweep_interval_ms);
  const auto tick = std::min(sweep_every, kIdleTickCap);
  auto next_sweep = std::chrono::steady_clock::now();
  auto wait = tick;
  auto last_round = std::chrono::steady_clock::now();
  bool warned = false;
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      if (cv_.wait_for(lock, wait, [&] { return stopping_ || woken_; })) {
        if (stopping_) {
          return;
        }
        // Woken: throttled jobs may be due soon; rounds still stay kMinRoundGap apart.
        const auto earliest = last_round + kMinRoundGap;
        if (std::chrono::steady_clock::now() < earliest &&
            cv_.wait_until(lock, earliest, [&] { return stopping_; })) {
          return;
        }
      }
      woken_ = false;
    }
    wait = tick;
    int64_t epoch = 0;
    if (!service_.host().isLeader(&epoch)) {
      continue;
    }
    const auto now = std::chrono::steady_clock::now();
    last_round = now;
    const bool sweep_now = now >= next_sweep;
    try {
      const RoundResult result = round(epoch, sweep_now);
      if (sweep_now) {
        next_sweep = now + sweep_every;
      }
      if (result.changed) {
        wait = std::min(tick, kMinRoundGap);  // work was waiting: there may be more
      } else if (result.next_throttled) {
        const auto until = *result.next_throttled - std::chrono::system_clock::now();
        wait = std::min(
            tick,
            std::max(kMinRoundGap, std::chrono::duration_cast<std::chrono::milliseconds>(until)));
      }
      warned = false;
    } catch (const std::exception& e) {
      if (!warned) {  // a database outage fails every tick: say it once until a round works
        service_.host().warn(std::string("leader round failed: ") + e.what());
        warned = true;
      }
    }
  }
}

LeaderDuties::RoundResult LeaderDuties::round(int64_t epoch, bool sweep_now) {
  RoundResult result;
  auto txn = service_.host().begin(JE_TENANT_SYSTEM);
  txn.exec("SELECT jobengine.leader_epoch_is_current_v1($1::bigint)", {epoch},
           [&](const sdk::Row& r) { result.current = r.boolean(0); });
  if (!result.current) {
    return result;  // deposed: the transaction rolls back on destruction, having written nothing
  }
  bool changed = false;
  if (service_.hasRateLimit() || sweep_now) {
    changed = service_.unthrottleDue(txn, kUnthrottleBatch, kActor) > 0;
  }
  if (sweep_now) {
    changed = service_.sweepExpired(txn, kSweepBatch, kActor) > 0 || changed;
  }
  for (const auto& duty : duties_) {
    changed = duty(txn, epoch) || changed;  // every duty runs, whatever the others did
  }
  if (service_.hasRateLimit()) {
    result.next_throttled = service_.nextThrottledAt(txn);
  }
  if (changed) {
    txn.commit();
  }  // else: rolls back on destruction, which also releases the fence
  result.changed = changed;
  return result;
}

}  // namespace jobengine::scheduler
