// sustained_load.hpp — the engine-side half of the sustained-load benchmark (bench/README.md,
// "sustained"; the driver is sustained_main.cpp): one thread offering bench.steady jobs at a
// constant rate, and every job's enqueue -> handler-start latency, summarized per minute of
// the run. Each job's payload carries its enqueue instant ({"t": steady-clock nanoseconds});
// the handler runs in this process, so the clocks agree.
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

namespace jobengine::bench {

class SustainedLoad {
 public:
  using Clock = std::chrono::steady_clock;
  // Enqueues a JSON array of jobs in one transaction; throws on failure.
  using Enqueue = std::function<void(const nlohmann::json& jobs)>;

  SustainedLoad() = default;
  SustainedLoad(const SustainedLoad&) = delete;
  SustainedLoad& operator=(const SustainedLoad&) = delete;
  ~SustainedLoad() { stop(); }

  // Starts `rate` jobs a second for `seconds`; false if a load is already running.
  bool start(double rate, int seconds, Enqueue enqueue) {
    std::lock_guard<std::mutex> lock(mu_);
    if (running_) {
      return false;
    }
    if (thread_.joinable()) {
      thread_.join();  // the previous run ended by itself
    }
    running_ = true;
    stopping_ = false;
    rate_ = rate;
    seconds_ = seconds;
    t0_ = Clock::now();
    enqueued_ = started_ = failed_ = 0;
    minute_ = 0;
    window_.clear();
    minutes_ = nlohmann::json::array();
    last_error_.clear();
    thread_ = std::thread([this, enqueue = std::move(enqueue)] { offer(enqueue); });
    return true;
  }

  void stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) {
      thread_.join();
    }
  }

  // Called by the bench.steady handler when a job starts.
  void started(std::string_view payload) {
    const auto now = Clock::now();
    const auto key = payload.find("\"t\":");
    if (key == std::string_view::npos) {
      return;
    }
    const std::string digits(payload.substr(key + 4, 24));
    const Clock::time_point enqueued{Clock::duration(std::strtoll(digits.c_str(), nullptr, 10))};
    std::lock_guard<std::mutex> lock(mu_);
    rollLocked(now);
    ++started_;
    window_.push_back(std::chrono::duration<double, std::milli>(now - enqueued).count());
  }

  // {running, rate, seconds, elapsedSeconds, enqueued, started, failedEnqueues, lastError,
  //  minutes: [{minute, started, p50Ms, p99Ms, maxMs}]} — only minutes that have ended.
  nlohmann::json report() {
    std::lock_guard<std::mutex> lock(mu_);
    rollLocked(Clock::now());
    return {{"running", running_},
            {"rate", rate_},
            {"seconds", seconds_},
            {"elapsedSeconds", std::chrono::duration<double>(Clock::now() - t0_).count()},
            {"enqueued", enqueued_},
            {"started", started_},
            {"failedEnqueues", failed_},
            {"lastError", last_error_},
            {"minutes", minutes_}};
  }

 private:
  static constexpr auto kTick = std::chrono::milliseconds(10);
  // je.jobs takes at most 1,000 jobs per enqueue (more is VALIDATION_FAILED, and the batch is
  // lost to the offered load: the first recorded run lost 28 batches that way).
  static constexpr int64_t kMaxBatch = 1000;

  // The offering thread: every tick, enqueues what the constant rate owes since t0 (so a slow
  // enqueue is caught up, never silently dropped), in one transaction.
  void offer(const Enqueue& enqueue) {
    const auto end = t0_ + std::chrono::seconds(seconds_);
    int64_t offered = 0;
    while (true) {
      const auto now = Clock::now();
      if (now >= end) {
        break;
      }
      const double elapsed = std::chrono::duration<double>(now - t0_).count();
      const auto owed = std::min(kMaxBatch, static_cast<int64_t>(rate_ * elapsed) - offered);
      if (owed > 0) {
        const auto t = Clock::now().time_since_epoch().count();
        nlohmann::json jobs = nlohmann::json::array();
        for (int64_t i = 0; i < owed; ++i) {
          jobs.push_back({{"jobType", "bench.steady"}, {"payload", {{"t", t}}}});
        }
        try {
          enqueue(jobs);
          std::lock_guard<std::mutex> lock(mu_);
          enqueued_ += owed;
        } catch (const std::exception& e) {
          std::lock_guard<std::mutex> lock(mu_);
          ++failed_;
          last_error_ = e.what();
        }
        offered += owed;  // a failed batch is not offered again: the rate stays the rate
      }
      std::unique_lock<std::mutex> lock(mu_);
      if (cv_.wait_for(lock, kTick, [&] { return stopping_; })) {
        break;
      }
    }
    std::lock_guard<std::mutex> lock(mu_);
    running_ = false;
  }

  // Closes every minute of the run that ended before `now`.
  void rollLocked(Clock::time_point now) {
    const auto minute = std::chrono::duration_cast<std::chrono::minutes>(now - t0_).count();
    while (minute_ < minute) {
      std::sort(window_.begin(), window_.end());
      const auto pct = [&](double p) {
        return window_.empty()
                   ? -1.0
                   : window_[static_cast<size_t>(p * static_cast<double>(window_.size() - 1))];
      };
      minutes_.push_back({{"minute", minute_ + 1},
                          {"started", window_.size()},
                          {"p50Ms", pct(0.50)},
                          {"p99Ms", pct(0.99)},
                          {"maxMs", window_.empty() ? -1.0 : window_.back()}});
      window_.clear();
      ++minute_;
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::thread thread_;
  bool running_ = false;
  bool stopping_ = false;
  double rate_ = 0;
  int seconds_ = 0;
  Clock::time_point t0_{};
  int64_t enqueued_ = 0;
  int64_t started_ = 0;
  int64_t failed_ = 0;
  int64_t minute_ = 0;  // minutes of the run already closed
  std::vector<double> window_;
  nlohmann::json minutes_ = nlohmann::json::array();
  std::string last_error_;
};

}  // namespace jobengine::bench
