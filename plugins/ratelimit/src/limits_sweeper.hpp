// limits_sweeper.hpp — the ratelimit plugin's one background thread ("rl-sweeper"): writes the
// folded breaker outcomes every outcome_flush_ms (OutcomeRecorder::flush) and, when the next
// throttle expires (read in the same read-only check; at least every 5 s, at most every 100 ms),
// deletes the throttles whose expiry passed, appending throttle.expired for each in the same
// transaction. An idle check commits nothing, so it wakes no replica's outbox feeder. Every replica
// runs it: the DELETE ... RETURNING hands each expired row to exactly one of them, so each expiry
// is one event. Admission ignores an expired throttle at once; the sweep only tidies and tells.
#pragma once

#include <jobengine/plugin.hpp>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "core/ratelimit_settings.hpp"
#include "outcome_recorder.hpp"

namespace jobengine::ratelimit {

class LimitsSweeper {
 public:
  LimitsSweeper(const sdk::Host& host, const RatelimitSettings& settings, OutcomeRecorder& outcomes)
      : host_(host), settings_(settings), outcomes_(outcomes) {}
  LimitsSweeper(const LimitsSweeper&) = delete;
  LimitsSweeper& operator=(const LimitsSweeper&) = delete;
  ~LimitsSweeper() { stop(); }

  void start();
  // Stops and joins the thread, then flushes what is still folded.
  void stop();
  // One expiry round: returns the throttles expired (tests and the thread).
  size_t expireThrottles();

 private:
  void loop();
  // The expiry round; returns how long until the next throttle expires (kMaxExpiryWait when
  // none does), and stores how many it expired in *expired when given.
  std::chrono::milliseconds expireThrottlesAndPlan(size_t* expired = nullptr);

  const sdk::Host& host_;
  const RatelimitSettings& settings_;
  OutcomeRecorder& outcomes_;
  std::mutex mutex_;  // guards stopping_
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace jobengine::ratelimit
