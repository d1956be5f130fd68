// admission_store.hpp — je.ratelimit admit: a claim's admission, inside the claim's
// transaction (DESIGN: the scheduler asks, the ratelimit plugin decides, neither reads the
// other's tables).
//
// One round trip reads and locks the limits of every candidate group
// (ratelimit.admission_state_v1); the decision is the core's decideAdmission per group; the
// active count a concurrency limit needs comes from je.jobs count_jobs in the same
// transaction, after the limit's row is locked, so two replicas cannot both see room for the
// same slot. What admission spends (tokens, half-open probes) is written back in the same
// transaction: it counts only if the claim commits. Groups of one (tenant, job type) in one
// call share their quota: the second sees the first's admitted jobs as active and its tokens
// as spent. Reservations of a key (reservation_keeper.hpp) count as active jobs here; the
// first admission of a key with room takes the key's first block (claimFirstTake).
#pragma once

#include <jobengine/plugin.hpp>

#include <nlohmann/json.hpp>

#include "core/admission.hpp"
#include "core/ratelimit_settings.hpp"
#include "job_counts.hpp"
#include "outcome_recorder.hpp"
#include "reservation_keeper.hpp"

namespace jobengine::ratelimit {

class AdmissionStore {
 public:
  AdmissionStore(const RatelimitSettings& settings, const JobCounts& counts,
                 ReservationKeeper& reservations, OutcomeRecorder& outcomes)
      : settings_(settings), counts_(counts), reservations_(reservations), outcomes_(outcomes) {}

  // {"groups": [{tenant, jobType, sourceId, requested, sourcePaused?}]} ->
  // {"groups": [{admitted, reason, nextEligibleAt: [...]}]} (abi.h, je_ratelimit_v1.admit).
  // Throws std::invalid_argument for a malformed request, sdk::Error for the database.
  nlohmann::json admit(sdk::Txn& txn, const nlohmann::json& request) const;

  // {"jobTypes": [...], "maxCount": n} -> {"limited": [...], "covered": [...], "claim": t}
  // (abi.h, je_ratelimit_v1.limited_types): the types with a quota, an active job-type
  // throttle or a breaker that is not closed, in any tenant; every given type while a source
  // throttle is active. Of the quota'd ones, those this replica's reservations cover for
  // maxCount jobs are "covered" instead (reservation_keeper.hpp). One read, no lock.
  nlohmann::json limitedTypes(sdk::Txn& txn, const nlohmann::json& request) const;

 private:
  int64_t firstBlockSize(const Quota& quota, int64_t active) const;

  const RatelimitSettings& settings_;
  const JobCounts& counts_;
  ReservationKeeper& reservations_;
  OutcomeRecorder& outcomes_;  // told of every breaker admission sees that is not closed
};

}  // namespace jobengine::ratelimit
