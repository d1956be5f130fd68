// limits_sweeper.hpp — the ratelimit plugin's one background thread ("rl-sweeper"): writes the
// folded breaker outcomes every outcome_flush_ms (OutcomeRecorder::flush) and, every second,
// deletes the throttles whose expiry passed, appending throttle.expired for each in the same
// transaction. Every replica runs it: the DELETE ... RETURNING hands each expired row to
// exactly one of them, so each expiry is one event. Admission ignores an expired throttle at
// once; the sweep only tidies and tells.
#pragma once

#include <jobengine/plugin.hpp>

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

  const sdk::Host& host_;
  const RatelimitSettings& settings_;
  OutcomeRecorder& outcomes_;
  std::mutex mutex_;  // guards stopping_
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace jobengine::ratelimit
