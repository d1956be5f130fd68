// Circuit breaker transitions and the ring-of-slots sliding window.
#include "core/circuit_breaker.hpp"

#include <algorithm>
#include <chrono>

namespace jobengine::ratelimit {

namespace {

// Tolerance for failures / completions >= failure_ratio (0.3 * 10 is 3.0000000000000004).
constexpr double kRatioEpsilon = 1e-9;

Clock::duration slotWidth(const BreakerConfig& config) {
  const Clock::duration window = std::chrono::seconds(std::max(config.window_seconds, 1));
  return window / kBreakerSlots;
}

// Start of the slot holding `now`, aligned to multiples of the width since the epoch.
TimePoint alignedSlotStart(TimePoint now, Clock::duration width) {
  const Clock::duration since_epoch = now.time_since_epoch();
  Clock::duration offset = since_epoch % width;
  if (offset < Clock::duration::zero()) {
    offset += width;
  }
  return now - offset;
}

// The ring index of the interval starting at `start`.
std::size_t ringIndex(TimePoint start, Clock::duration width) {
  auto index = (start.time_since_epoch() / width) % kBreakerSlots;
  if (index < 0) {
    index += kBreakerSlots;
  }
  return static_cast<std::size_t>(index);
}

// A ring of kBreakerSlots slots, each at its interval's position. A window stored in another
// shape (only the slots that counted something, any order) is laid out again by slot start;
// of two slots for one position the later interval wins.
void ensureRing(CircuitBreaker& breaker, Clock::duration width) {
  if (breaker.slots.size() == static_cast<std::size_t>(kBreakerSlots)) {
    bool positioned = true;
    for (std::size_t i = 0; i < breaker.slots.size() && positioned; ++i) {
      const BreakerSlot& s = breaker.slots[i];
      positioned = (s.successes == 0 && s.failures == 0) || ringIndex(s.slot_start, width) == i;
    }
    if (positioned) {
      return;
    }
  }
  std::vector<BreakerSlot> ring(static_cast<std::size_t>(kBreakerSlots), BreakerSlot{});
  for (const BreakerSlot& s : breaker.slots) {
    if (s.successes == 0 && s.failures == 0) {
      continue;
    }
    BreakerSlot& at = ring[ringIndex(s.slot_start, width)];
    if (at.slot_start < s.slot_start) {
      at = s;
    }
  }
  breaker.slots = std::move(ring);
}

// The slot for `now`, recycled when it still holds an older interval. A slot that starts later
// than `now` (the clock stepped back) is kept and counted into, so no completion is lost.
BreakerSlot& currentSlot(CircuitBreaker& breaker, const BreakerConfig& config, TimePoint now) {
  const Clock::duration width = slotWidth(config);
  ensureRing(breaker, width);
  const TimePoint start = alignedSlotStart(now, width);
  BreakerSlot& slot = breaker.slots[ringIndex(start, width)];
  if (slot.slot_start < start) {
    slot = BreakerSlot{start, 0, 0};
  }
  return slot;
}

void clearWindow(CircuitBreaker& breaker) {
  breaker.slots.assign(static_cast<std::size_t>(kBreakerSlots), BreakerSlot{});
}

void open(CircuitBreaker& breaker, const BreakerConfig& config, TimePoint now) {
  breaker.state = BreakerState::open;
  breaker.opened_until = now + std::chrono::seconds(std::max(config.open_seconds, 0));
  breaker.probes_admitted = 0;
  breaker.probe_successes = 0;
}

bool thresholdReached(const WindowCounts& counts, const BreakerConfig& config) {
  if (counts.completions <= 0 || counts.completions < config.min_completions) {
    return false;
  }
  const double ratio =
      static_cast<double>(counts.failures) / static_cast<double>(counts.completions);
  return ratio + kRatioEpsilon >= config.failure_ratio;
}

}  // namespace

WindowCounts windowCounts(const CircuitBreaker& breaker, const BreakerConfig& config,
                          TimePoint now) {
  const Clock::duration width = slotWidth(config);
  const TimePoint oldest = alignedSlotStart(now, width) - width * (kBreakerSlots - 1);
  WindowCounts counts;
  for (const BreakerSlot& slot : breaker.slots) {
    if (slot.slot_start >= oldest) {
      counts.completions += slot.successes + slot.failures;
      counts.failures += slot.failures;
    }
  }
  return counts;
}

std::optional<Transition> recordOutcome(CircuitBreaker& breaker, const BreakerConfig& config,
                                        bool success, TimePoint now) {
  switch (breaker.state) {
    case BreakerState::open:
      return std::nullopt;
    case BreakerState::half_open:
      if (!success) {
        open(breaker, config, now);
        return Transition{BreakerState::half_open, BreakerState::open};
      }
      ++breaker.probe_successes;
      if (breaker.probe_successes >= config.half_open_probes) {
        reset(breaker);
        return Transition{BreakerState::half_open, BreakerState::closed};
      }
      return std::nullopt;
    case BreakerState::closed:
      break;
  }
  BreakerSlot& slot = currentSlot(breaker, config, now);
  if (success) {
    ++slot.successes;
  } else {
    ++slot.failures;
  }
  if (thresholdReached(windowCounts(breaker, config, now), config)) {
    open(breaker, config, now);
    return Transition{BreakerState::closed, BreakerState::open};
  }
  return std::nullopt;
}

BreakerAdmission admit(CircuitBreaker& breaker, const BreakerConfig& config, int requested,
                       TimePoint now) {
  const int wanted = std::max(requested, 0);
  if (breaker.state == BreakerState::open) {
    if (now < breaker.opened_until) {
      return BreakerAdmission{0, breaker.opened_until};
    }
    breaker.state = BreakerState::half_open;
    breaker.probes_admitted = 0;
    breaker.probe_successes = 0;
  }
  if (breaker.state == BreakerState::closed) {
    return BreakerAdmission{wanted, now};
  }
  const int left = std::max(config.half_open_probes - breaker.probes_admitted, 0);
  const int allowed = std::min(wanted, left);
  breaker.probes_admitted += allowed;
  const TimePoint next =
      allowed < wanted ? now + std::chrono::seconds(std::max(config.open_seconds, 0)) : now;
  return BreakerAdmission{allowed, next};
}

void reset(CircuitBreaker& breaker) {
  breaker.state = BreakerState::closed;
  clearWindow(breaker);
  breaker.opened_until = TimePoint{};
  breaker.probes_admitted = 0;
  breaker.probe_successes = 0;
}

}  // namespace jobengine::ratelimit
