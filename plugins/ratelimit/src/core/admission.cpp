// Admission: every limit as "allowed count + next eligible time", the minimum wins.
#include "core/admission.hpp"

#include <algorithm>
#include <limits>

namespace jobengine::ratelimit {

namespace {

constexpr int kUnlimited = std::numeric_limits<int>::max();

enum class NextRule { fixed, recheck, bucket_spread };

// One limit: how many candidates it lets through, the reason for the rest, and how their
// next_eligible_at is computed.
struct Limit {
  std::string_view reason;
  int allowed = kUnlimited;
  NextRule rule = NextRule::recheck;
  TimePoint fixed_at{};
};

int roomUnder(int max_active, int active) { return std::max(max_active - std::max(active, 0), 0); }

// A pause's next time: its expiry, or a recheck when it has none.
Limit pauseLimit(std::string_view reason, TimePoint paused_until) {
  if (paused_until == kNever) {
    return Limit{reason, 0, NextRule::recheck, {}};
  }
  return Limit{reason, 0, NextRule::fixed, paused_until};
}

}  // namespace

AdmissionDecision decideAdmission(const AdmissionRequest& request, TimePoint now) {
  const int requested = std::max(request.requested, 0);
  AdmissionDecision decision;
  std::vector<Limit> limits;  // in precedence order

  if (request.quota && request.quota->paused) {
    limits.push_back(Limit{kReasonQuotaPaused, 0, NextRule::recheck, {}});
  }

  const ThrottleEffect throttle =
      effectiveThrottle(request.throttles, request.job_type, request.source_id, now);
  if (throttle.source_paused) {
    limits.push_back(pauseLimit(kReasonSourcePaused, throttle.paused_until));
  }
  if (throttle.job_type_paused) {
    limits.push_back(pauseLimit(kReasonThrottled, throttle.paused_until));
  }

  if (request.breaker) {
    CircuitBreaker peek = request.breaker->state;
    const BreakerAdmission breaker = admit(peek, request.breaker->config, requested, now);
    limits.push_back(
        Limit{kReasonCircuitOpen, breaker.allowed, NextRule::fixed, breaker.next_eligible_at});
  }

  int cap_room = kUnlimited;
  if (throttle.job_type_cap) {
    cap_room = std::min(cap_room, roomUnder(*throttle.job_type_cap, request.active));
  }
  if (throttle.source_cap) {
    const int source_active = request.source_active.value_or(request.active);
    cap_room = std::min(cap_room, roomUnder(*throttle.source_cap, source_active));
  }
  limits.push_back(Limit{kReasonThrottled, cap_room, NextRule::recheck, {}});

  if (request.quota && request.quota->max_active) {
    limits.push_back(Limit{kReasonQuotaExhausted,
                           roomUnder(*request.quota->max_active, request.active),
                           NextRule::recheck,
                           {}});
  }

  std::optional<TokenBucket> bucket;
  if (request.quota && request.quota->bucket) {
    bucket = request.quota->bucket;
    refill(*bucket, now);
    limits.push_back(
        Limit{kReasonRateLimited, wholeTokens(*bucket, requested), NextRule::bucket_spread, {}});
  }

  // The tightest limit; the first in precedence on a tie.
  const Limit* tightest = nullptr;
  for (const Limit& limit : limits) {
    if (tightest == nullptr || limit.allowed < tightest->allowed) {
      tightest = &limit;
    }
  }
  decision.admitted = tightest == nullptr ? requested : std::min(requested, tightest->allowed);

  if (bucket) {
    take(*bucket, decision.admitted, now);
    decision.bucket = bucket;
  }
  if (request.breaker) {
    CircuitBreaker breaker = request.breaker->state;
    admit(breaker, request.breaker->config, decision.admitted, now);
    decision.breaker = breaker;
  }

  const int refused = requested - decision.admitted;
  if (refused == 0 || tightest == nullptr) {
    return decision;
  }
  decision.reason = std::string(tightest->reason);
  const TimePoint recheck_at = now + request.recheck;
  decision.next_eligible_at.reserve(static_cast<std::size_t>(refused));
  for (int i = 0; i < refused; ++i) {
    TimePoint at = recheck_at;
    if (tightest->rule == NextRule::fixed) {
      at = tightest->fixed_at;
    } else if (tightest->rule == NextRule::bucket_spread && bucket) {
      at = whenNthAvailable(*bucket, i + 1, now);
    }
    decision.next_eligible_at.push_back(at == kNever ? recheck_at : at);
  }
  return decision;
}

}  // namespace jobengine::ratelimit
