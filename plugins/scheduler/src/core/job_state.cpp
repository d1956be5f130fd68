// job_state.cpp — the transition table and its lookups. Keep in sync with
// docs/state_machine.md (the unit test enumerates all 81 pairs against the same expectations).
#include "core/job_state.hpp"

#include <algorithm>

namespace jobengine::scheduler {

namespace {

using S = JobStatus;
using C = TransitionCause;

const std::vector<Transition>& table() {
  static const std::vector<Transition> kTable = {
      {S::kPending, S::kQueued, C::kParentsSucceeded, "job.queued"},
      {S::kPending, S::kCanceled, C::kUpstreamFailed, "job.canceled"},
      {S::kPending, S::kCanceled, C::kCancel, "job.canceled"},
      {S::kQueued, S::kThrottled, C::kThrottle, "job.throttled"},
      {S::kQueued, S::kLeased, C::kClaim, "job.leased"},
      {S::kQueued, S::kCanceled, C::kCancel, "job.canceled"},
      {S::kThrottled, S::kQueued, C::kUnthrottle, "job.queued"},
      {S::kThrottled, S::kCanceled, C::kCancel, "job.canceled"},
      {S::kLeased, S::kQueued, C::kLeaseExpired, "job.lease_expired"},
      {S::kLeased, S::kQueued, C::kRetry, "job.retry_scheduled"},
      {S::kLeased, S::kRunning, C::kStart, "job.started"},
      {S::kLeased, S::kSucceeded, C::kSucceed, "job.succeeded"},
      {S::kLeased, S::kFailed, C::kFail, "job.failed"},
      {S::kLeased, S::kTimedOut, C::kTimeout, "job.timed_out"},
      {S::kLeased, S::kCanceled, C::kCancel, "job.canceled"},
      {S::kRunning, S::kQueued, C::kLeaseExpired, "job.lease_expired"},
      {S::kRunning, S::kQueued, C::kRetry, "job.retry_scheduled"},
      {S::kRunning, S::kSucceeded, C::kSucceed, "job.succeeded"},
      {S::kRunning, S::kFailed, C::kFail, "job.failed"},
      {S::kRunning, S::kTimedOut, C::kTimeout, "job.timed_out"},
      {S::kRunning, S::kCanceled, C::kCancel, "job.canceled"},
      {S::kFailed, S::kQueued, C::kOperatorRetry, "job.retry_scheduled"},
      {S::kTimedOut, S::kQueued, C::kOperatorRetry, "job.retry_scheduled"},
  };
  return kTable;
}

}  // namespace

std::string_view statusName(JobStatus status) {
  switch (status) {
    case S::kPending:
      return "pending";
    case S::kQueued:
      return "queued";
    case S::kThrottled:
      return "throttled";
    case S::kLeased:
      return "leased";
    case S::kRunning:
      return "running";
    case S::kSucceeded:
      return "succeeded";
    case S::kFailed:
      return "failed";
    case S::kTimedOut:
      return "timed_out";
    case S::kCanceled:
      return "canceled";
  }
  return "unknown";
}

std::optional<JobStatus> parseStatus(std::string_view name) {
  for (const auto status : kAllJobStatuses) {
    if (statusName(status) == name) {
      return status;
    }
  }
  return std::nullopt;
}

std::string_view causeName(TransitionCause cause) {
  switch (cause) {
    case C::kParentsSucceeded:
      return "parents_succeeded";
    case C::kUpstreamFailed:
      return "upstream_failed";
    case C::kThrottle:
      return "throttle";
    case C::kUnthrottle:
      return "unthrottle";
    case C::kClaim:
      return "claim";
    case C::kStart:
      return "start";
    case C::kSucceed:
      return "succeed";
    case C::kFail:
      return "fail";
    case C::kTimeout:
      return "timeout";
    case C::kCancel:
      return "cancel";
    case C::kLeaseExpired:
      return "lease_expired";
    case C::kRetry:
      return "retry";
    case C::kOperatorRetry:
      return "operator_retry";
  }
  return "unknown";
}

bool isTerminal(JobStatus status) {
  return status == S::kSucceeded || status == S::kFailed || status == S::kTimedOut ||
         status == S::kCanceled;
}

bool isInFlight(JobStatus status) { return status == S::kLeased || status == S::kRunning; }

bool isInitialStatus(JobStatus status) { return status == S::kPending || status == S::kQueued; }

const std::vector<Transition>& allowedTransitions() { return table(); }

std::optional<std::string> checkTransition(JobStatus from, JobStatus to) {
  const auto& t = table();
  if (std::any_of(t.begin(), t.end(),
                  [&](const Transition& tr) { return tr.from == from && tr.to == to; })) {
    return std::nullopt;
  }
  std::string why = "transition ";
  why += statusName(from);
  why += " -> ";
  why += statusName(to);
  why += " is not allowed";
  if (from == to) {
    why += " (no self transitions)";
  } else if (from == S::kSucceeded || from == S::kCanceled) {
    why += " (";
    why += statusName(from);
    why += " is terminal; replay creates a new job)";
  } else if (isTerminal(from)) {
    why += " (";
    why += statusName(from);
    why += " is terminal; only an operator retry re-queues it)";
  }
  return why;
}

std::optional<std::string> checkTransition(JobStatus from, JobStatus to, TransitionCause cause) {
  if (auto err = checkTransition(from, to)) {
    return err;
  }
  if (eventTypeFor(from, to, cause)) {
    return std::nullopt;
  }
  std::string why = "transition ";
  why += statusName(from);
  why += " -> ";
  why += statusName(to);
  why += " cannot be caused by ";
  why += causeName(cause);
  return why;
}

std::optional<std::string_view> eventTypeFor(JobStatus from, JobStatus to, TransitionCause cause) {
  for (const auto& tr : table()) {
    if (tr.from == from && tr.to == to && tr.cause == cause) {
      return tr.event_type;
    }
  }
  return std::nullopt;
}

std::optional<std::string_view> eventTypeFor(JobStatus from, JobStatus to) {
  for (const auto& tr : table()) {
    if (tr.from == from && tr.to == to) {
      return tr.event_type;
    }
  }
  return std::nullopt;
}

}  // namespace jobengine::scheduler
