// completion_decision.hpp — what happens to a job when its worker reports (SPEC §2): success,
// cancel, or a failure / time-out that is either retried with backoff (attempts left and the
// error retryable) or dead-lettered with its error class and fingerprint.
//
// A pure function of plain values (STYLE §13): the completion data path (job_completion.cpp)
// classifies nothing and draws no random numbers itself; it turns the decision into the row
// kCompleteBatch writes. The decided (status, cause) pair is always one job_state.hpp allows
// from leased or running (completion_decision_test checks it).
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/backoff.hpp"
#include "core/error_classifier.hpp"
#include "core/job_state.hpp"
#include "core/sys_time.hpp"

namespace jobengine::scheduler {

// The status a worker (or the runner) reports.
enum class ReportedOutcome { kSucceeded, kFailed, kTimedOut, kCanceled };

// "succeeded" | "failed" | "timed_out" | "canceled"; nullopt for anything else.
std::optional<ReportedOutcome> parseReportedOutcome(std::string_view status);
std::string_view reportedOutcomeName(ReportedOutcome outcome);

// The error of a failed / timed-out report ({code, message, retryable, httpStatus}, every key
// optional, anything but an object counts as none). The code defaults to "TIMEOUT" for a
// time-out and "FAILED" otherwise; keys of the wrong type are ignored.
JobError reportedError(const nlohmann::json& error, ReportedOutcome outcome);

struct CompletionInput {
  ReportedOutcome outcome = ReportedOutcome::kSucceeded;
  JobError error;         // failed / timed_out only (see reportedError)
  int attempts_made = 0;  // attempts so far, the reported one included
  BackoffPolicy policy;   // max_attempts and the backoff of the job (or its type)
  SysTime now;
};

struct CompletionDecision {
  // The job's new status: succeeded, canceled, queued (retry scheduled), or the reported
  // failed / timed_out (dead-lettered).
  JobStatus status = JobStatus::kSucceeded;
  TransitionCause cause = TransitionCause::kSucceed;
  // "" (success), "canceled", "retry", "attempts_exhausted" or "non_retryable".
  std::string reason;
  // Failed / timed-out reports only: the error as reported (code defaulted) and its class.
  std::optional<JobError> error;
  std::optional<ErrorClassification> classification;
  // Retry only: the jittered delay and when the job becomes claimable again.
  std::chrono::milliseconds backoff{0};
  std::optional<SysTime> next_eligible_at;
  bool dead_letter = false;  // a dead-letter row is written (failed / timed_out, no retry)
};

// rng: uniform in [0, 1) for the backoff jitter (defaultUniformRandom() in production).
CompletionDecision decideCompletion(const CompletionInput& input, const UniformRandom& rng);

}  // namespace jobengine::scheduler
