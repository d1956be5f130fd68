// leader_duties.cpp — the leader-only round of the scheduler. See leader_duties.hpp.
#include "leader_duties.hpp"

#include <pthread.h>

#include <algorithm>
#include <exception>
#include <string>

namespace jobengine::scheduler {

namespace {

constexpr std::chrono::milliseconds kRateLimitTick{100};
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

void LeaderDuties::loop() {
  pthread_setname_np(pthread_self(), "sched-leader");
  const auto sweep_every = std::chrono::milliseconds(service_.settings().sweep_interval_ms);
  const auto tick = std::min(sweep_every, service_.hasRateLimit() ? kRateLimitTick : kIdleTickCap);
  auto next_sweep = std::chrono::steady_clock::now();
  bool warned = false;
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      if (cv_.wait_for(lock, tick, [&] { return stopping_; })) {
        return;
      }
    }
    int64_t epoch = 0;
    if (!service_.host().isLeader(&epoch)) {
      continue;
    }
    const auto now = std::chrono::steady_clock::now();
    const bool sweep_now = now >= next_sweep;
    try {
      round(epoch, sweep_now);
      if (sweep_now) {
        next_sweep = now + sweep_every;
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

bool LeaderDuties::round(int64_t epoch, bool sweep_now) {
  auto txn = service_.host().begin(JE_TENANT_SYSTEM);
  bool current = false;
  txn.exec("SELECT jobengine.leader_epoch_is_current_v1($1::bigint)", {epoch},
           [&](const sdk::Row& r) { current = r.boolean(0); });
  if (!current) {
    return false;  // deposed: the transaction rolls back on destruction, having written nothing
  }
  if (service_.hasRateLimit() || sweep_now) {
    service_.unthrottleDue(txn, kUnthrottleBatch, kActor);
  }
  if (sweep_now) {
    service_.sweepExpired(txn, kSweepBatch, kActor);
  }
  for (const auto& duty : duties_) {
    duty(txn, epoch);
  }
  txn.commit();
  return true;
}

}  // namespace jobengine::scheduler
