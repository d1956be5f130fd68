// Read-only views of buckets and breakers (see limit_views.hpp).
#include "core/limit_views.hpp"

#include <chrono>
#include <cmath>

namespace jobengine::ratelimit {

BucketView bucketViewAt(const TokenBucket& bucket, TimePoint now) {
  TokenBucket refilled = bucket;
  refill(refilled, now);
  BucketView view;
  view.level = refilled.level;
  if (wholeTokens(refilled, 1) >= 1 || refilled.refill_per_s <= 0.0) {
    return view;
  }
  const TimePoint at = whenAvailable(bucket, 1.0, now);
  if (at != kNever) {
    view.next_token_at = at;
  }
  return view;
}

double upstreamLevelAt(const UpstreamBucket& bucket, TimePoint now) {
  TokenBucket view{static_cast<double>(bucket.burst), bucket.current_per_s, bucket.level,
                   bucket.updated_at};
  refill(view, now);
  return view.level;
}

std::vector<BreakerSlot> breakerSlotsFromJson(const nlohmann::json& slots) {
  std::vector<BreakerSlot> out;
  if (!slots.is_array()) {
    return out;
  }
  for (const auto& s : slots) {
    if (!s.is_object() || !s.contains("start") || !s["start"].is_number()) {
      continue;
    }
    const double start_s = s["start"].get<double>();
    if (!std::isfinite(start_s)) {
      continue;
    }
    BreakerSlot slot;
    slot.slot_start = TimePoint(
        std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(start_s)));
    slot.successes = s.value("ok", 0);
    slot.failures = s.value("failed", 0);
    out.push_back(slot);
  }
  return out;
}

nlohmann::json breakerSlotsToJson(const std::vector<BreakerSlot>& slots) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& slot : slots) {
    if (slot.successes == 0 && slot.failures == 0) {
      continue;
    }
    const double start_s =
        std::chrono::duration<double>(slot.slot_start.time_since_epoch()).count();
    // Whole seconds (the default 5 s slots) stay integers; other widths keep their fraction.
    const nlohmann::json start = std::floor(start_s) == start_s
                                     ? nlohmann::json(static_cast<int64_t>(start_s))
                                     : nlohmann::json(start_s);
    out.push_back({{"start", start}, {"ok", slot.successes}, {"failed", slot.failures}});
  }
  return out;
}

BreakerState breakerStateFromText(std::string_view text) {
  if (text == "open") {
    return BreakerState::open;
  }
  if (text == "half_open") {
    return BreakerState::half_open;
  }
  return BreakerState::closed;
}

const char* breakerStateText(BreakerState state) {
  switch (state) {
    case BreakerState::open:
      return "open";
    case BreakerState::half_open:
      return "half_open";
    case BreakerState::closed:
      break;
  }
  return "closed";
}

BreakerView breakerViewAt(const CircuitBreaker& breaker, const BreakerConfig& config,
                          TimePoint now) {
  const WindowCounts counts = windowCounts(breaker, config, now);
  BreakerView view;
  view.completions = counts.completions;
  view.failures = counts.failures;
  if (counts.completions > 0) {
    view.failure_ratio =
        static_cast<double>(counts.failures) / static_cast<double>(counts.completions);
  }
  return view;
}

}  // namespace jobengine::ratelimit
