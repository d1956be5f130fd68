// completion_decision.cpp — the completion decision of completion_decision.hpp: classify the
// reported error, then retry with backoff while the error is retryable and attempts are left,
// else dead-letter. Success and cancel pass straight through.
#include "core/completion_decision.hpp"

namespace jobengine::scheduler {

std::optional<ReportedOutcome> parseReportedOutcome(std::string_view status) {
  if (status == "succeeded") {
    return ReportedOutcome::kSucceeded;
  }
  if (status == "failed") {
    return ReportedOutcome::kFailed;
  }
  if (status == "timed_out") {
    return ReportedOutcome::kTimedOut;
  }
  if (status == "canceled") {
    return ReportedOutcome::kCanceled;
  }
  return std::nullopt;
}

std::string_view reportedOutcomeName(ReportedOutcome outcome) {
  switch (outcome) {
    case ReportedOutcome::kSucceeded:
      return "succeeded";
    case ReportedOutcome::kFailed:
      return "failed";
    case ReportedOutcome::kTimedOut:
      return "timed_out";
    case ReportedOutcome::kCanceled:
      return "canceled";
  }
  return "unknown";
}

JobError reportedError(const nlohmann::json& error, ReportedOutcome outcome) {
  const nlohmann::json& e = error.is_object() ? error : nlohmann::json::object();
  JobError out;
  out.code = e.value("code", outcome == ReportedOutcome::kTimedOut ? "TIMEOUT" : "FAILED");
  out.message = e.value("message", "");
  if (e.contains("httpStatus") && e["httpStatus"].is_number_integer()) {
    out.http_status = e["httpStatus"].get<int>();
  }
  if (e.contains("retryable") && e["retryable"].is_boolean()) {
    out.retryable = e["retryable"].get<bool>();
  }
  return out;
}

CompletionDecision decideCompletion(const CompletionInput& input, const UniformRandom& rng) {
  CompletionDecision d;
  switch (input.outcome) {
    case ReportedOutcome::kSucceeded:
      d.status = JobStatus::kSucceeded;
      d.cause = TransitionCause::kSucceed;
      return d;
    case ReportedOutcome::kCanceled:
      d.status = JobStatus::kCanceled;
      d.cause = TransitionCause::kCancel;
      d.reason = "canceled";
      return d;
    case ReportedOutcome::kFailed:
    case ReportedOutcome::kTimedOut:
      break;
  }
  d.error = input.error;
  d.classification = classify(input.error);
  if (d.classification->retry && hasAttemptsLeft(input.attempts_made, input.policy)) {
    d.status = JobStatus::kQueued;
    d.cause = TransitionCause::kRetry;
    d.reason = "retry";
    d.backoff = nextDelay(input.attempts_made, input.policy, rng);
    d.next_eligible_at = input.now + d.backoff;
    return d;
  }
  const bool timed_out = input.outcome == ReportedOutcome::kTimedOut;
  d.status = timed_out ? JobStatus::kTimedOut : JobStatus::kFailed;
  d.cause = timed_out ? TransitionCause::kTimeout : TransitionCause::kFail;
  d.reason = d.classification->retry ? "attempts_exhausted" : "non_retryable";
  d.dead_letter = true;
  return d;
}

}  // namespace jobengine::scheduler
