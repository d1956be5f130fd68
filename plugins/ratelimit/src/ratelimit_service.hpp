// ratelimit_service.hpp — the je.ratelimit v1 vtable (abi.h, ABI 1.4, settle_claim 1.6) over
// the stores: admit and limited_types (admission_store, with reservation_keeper), settle_claim
// (reservation_keeper), check_backlog (backlog_guard), record_outcomes (outcome_recorder),
// acquire / report (upstream_store). Each entry point turns exceptions into a je_status and
// a message: a malformed request is JE_ERR_INVALID, a database error keeps the host's status.
#pragma once

#include <jobengine/abi.h>
#include <jobengine/plugin.hpp>

#include "admission_store.hpp"
#include "backlog_guard.hpp"
#include "core/ratelimit_settings.hpp"
#include "job_counts.hpp"
#include "outcome_recorder.hpp"
#include "reservation_keeper.hpp"
#include "upstream_store.hpp"

namespace jobengine::ratelimit {

class RatelimitService {
 public:
  RatelimitService(const sdk::Host& host, const RatelimitSettings& settings);
  RatelimitService(const RatelimitService&) = delete;
  RatelimitService& operator=(const RatelimitService&) = delete;

  const je_ratelimit_v1* vtable() const { return &vtable_; }
  JobCounts& jobCounts() { return counts_; }
  OutcomeRecorder& outcomes() { return outcomes_; }
  ReservationKeeper& reservations() { return reservations_; }

 private:
  const sdk::Host& host_;
  JobCounts counts_;
  ReservationKeeper reservations_;  // before admission_, which uses it
  OutcomeRecorder outcomes_;        // before admission_, which tells it the breakers it saw
  AdmissionStore admission_;
  BacklogGuard backlog_;
  UpstreamStore upstream_;
  je_ratelimit_v1 vtable_{};
};

}  // namespace jobengine::ratelimit
