// outcome_recorder.hpp — je.ratelimit record_outcomes: job outcomes for the circuit breakers.
//
// The scheduler calls it after every completion commit, on its hot path; so calls only fold
// counts in memory, per (tenant, job type), and flush() writes them (the maintenance thread
// calls it every outcome_flush_ms): per tenant one transaction that locks each breaker row
// (created on first use), runs the core's recordOutcome for every outcome, writes the row back
// and appends circuit.opened / circuit.closed for each transition, in that transaction. A
// replica that dies loses what it had folded: a breaker judges a trend, and the window is a
// minute.
//
// Which keys a flush writes is core/outcome_flush.hpp's rule: a busy job type that only
// succeeds, with its breaker closed, is written every 2 s instead of every outcome_flush_ms;
// failures and the outcomes of a breaker last seen open or half-open (by this recorder's own
// write, or by admission, which tells it through sawBreaker) at the next flush.
#pragma once

#include <jobengine/plugin.hpp>

#include <chrono>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "core/circuit_breaker.hpp"
#include "core/ratelimit_settings.hpp"

namespace jobengine::ratelimit {

class OutcomeRecorder {
 public:
  OutcomeRecorder(const sdk::Host& host, const RatelimitSettings& settings)
      : host_(host), settings_(settings) {}

  // {"outcomes": [{tenant, jobType, succeeded, failed}]}: folded, nothing written yet. Throws
  // std::invalid_argument for a malformed request (nothing of it is kept).
  void add(const nlohmann::json& request);
  // Writes what was folded and is due (all of it with `everything`, as at stop); what fails to
  // write is put back for the next flush.
  void flush(bool everything = false);
  // Admission saw this breaker in `state` (it reads those that are not closed).
  void sawBreaker(const std::pair<std::string, std::string>& key, BreakerState state);

 private:
  using Key = std::pair<std::string, std::string>;  // (tenant, job type)
  struct Counts {
    int64_t succeeded = 0;
    int64_t failed = 0;
  };
  using Folded = std::map<Key, Counts>;
  // What this replica last knew of a key's breaker, and when it last wrote the key.
  struct Known {
    BreakerState state = BreakerState::closed;
    std::chrono::steady_clock::time_point written{};
  };
  // Writes folded (one tenant's keys) and returns each key's breaker state after the write.
  std::map<Key, BreakerState> writeTenant(const std::string& tenant, const Folded& folded);
  void putBack(const Folded& folded);

  const sdk::Host& host_;
  const RatelimitSettings& settings_;
  std::mutex mutex_;  // guards folded_ and known_; never held while writing
  Folded folded_;
  std::map<Key, Known> known_;
};

}  // namespace jobengine::ratelimit
