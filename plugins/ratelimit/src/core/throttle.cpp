// Throttle matching and the "any pause wins, else the smallest cap" fold.
#include "core/throttle.hpp"

#include <algorithm>

namespace jobengine::ratelimit {

namespace {

void keepSmaller(std::optional<int>& cap, int value) { cap = cap ? std::min(*cap, value) : value; }

// Orders candidate deciders: the later expiry first, then the smaller id.
bool decidesBefore(const Throttle& a, const Throttle& b) {
  if (a.expires_at != b.expires_at) {
    return a.expires_at > b.expires_at;
  }
  return a.id < b.id;
}

}  // namespace

bool isActive(const Throttle& throttle, TimePoint now) { return now < throttle.expires_at; }

bool appliesTo(const Throttle& throttle, std::string_view job_type, std::string_view source_id) {
  if (throttle.target_kind == ThrottleTarget::source) {
    return !source_id.empty() && throttle.target == source_id;
  }
  return throttle.target == job_type;
}

std::optional<int> ThrottleEffect::smallestCap() const {
  std::optional<int> cap = job_type_cap;
  if (source_cap) {
    keepSmaller(cap, *source_cap);
  }
  return cap;
}

ThrottleEffect effectiveThrottle(const std::vector<Throttle>& throttles, std::string_view job_type,
                                 std::string_view source_id, TimePoint now) {
  ThrottleEffect effect;
  const Throttle* source_pause = nullptr;
  const Throttle* type_pause = nullptr;
  const Throttle* smallest_cap = nullptr;
  for (const Throttle& throttle : throttles) {
    if (!isActive(throttle, now) || !appliesTo(throttle, job_type, source_id)) {
      continue;
    }
    const bool on_source = throttle.target_kind == ThrottleTarget::source;
    if (throttle.action == ThrottleAction::pause) {
      const Throttle*& best = on_source ? source_pause : type_pause;
      if (best == nullptr || decidesBefore(throttle, *best)) {
        best = &throttle;
      }
      effect.paused_until = std::max(effect.paused_until, throttle.expires_at);
      continue;
    }
    const int cap = std::max(throttle.max_active, 0);
    keepSmaller(on_source ? effect.source_cap : effect.job_type_cap, cap);
    if (smallest_cap == nullptr || cap < std::max(smallest_cap->max_active, 0) ||
        (cap == std::max(smallest_cap->max_active, 0) && throttle.id < smallest_cap->id)) {
      smallest_cap = &throttle;
    }
  }
  effect.source_paused = source_pause != nullptr;
  effect.job_type_paused = type_pause != nullptr;
  const Throttle* decider = source_pause != nullptr ? source_pause
                            : type_pause != nullptr ? type_pause
                                                    : smallest_cap;
  if (decider != nullptr) {
    effect.decided_by = decider->id;
  }
  return effect;
}

}  // namespace jobengine::ratelimit
