// outcome_recorder.hpp — je.ratelimit record_outcomes: job outcomes for the circuit breakers.
//
// The scheduler calls it after every completion commit, on its hot path; so calls only fold
// counts in memory, per (tenant, job type), and flush() writes them (the maintenance thread
// calls it every outcome_flush_ms): per tenant one transaction that locks each breaker row
// (created on first use), runs the core's recordOutcome for every outcome, writes the row back
// and appends circuit.opened / circuit.closed for each transition, in that transaction. A
// replica that dies loses at most one interval of folded outcomes: a breaker judges a trend,
// and the window is a minute.
#pragma once

#include <jobengine/plugin.hpp>

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "core/ratelimit_settings.hpp"

namespace jobengine::ratelimit {

class OutcomeRecorder {
 public:
  OutcomeRecorder(const sdk::Host& host, const RatelimitSettings& settings)
      : host_(host), settings_(settings) {}

  // {"outcomes": [{tenant, jobType, succeeded, failed}]}: folded, nothing written yet. Throws
  // std::invalid_argument for a malformed request (nothing of it is kept).
  void add(const nlohmann::json& request);
  // Writes what was folded; what fails to write is put back for the next flush.
  void flush();

 private:
  struct Counts {
    int64_t succeeded = 0;
    int64_t failed = 0;
  };
  using Folded = std::map<std::pair<std::string, std::string>, Counts>;
  void writeTenant(const std::string& tenant, const Folded& folded);

  const sdk::Host& host_;
  const RatelimitSettings& settings_;
  std::mutex mutex_;  // guards folded_; never held while writing
  Folded folded_;
};

}  // namespace jobengine::ratelimit
