// catch_up.cpp — the catch-up planner; the rules are in catch_up.hpp.
#include "core/catch_up.hpp"

#include <algorithm>

namespace jobengine::scheduler {

std::optional<CatchUpMode> parseCatchUpMode(std::string_view name) {
  if (name == "skip") {
    return CatchUpMode::kSkip;
  }
  if (name == "one") {
    return CatchUpMode::kOne;
  }
  if (name == "all") {
    return CatchUpMode::kAll;
  }
  return std::nullopt;
}

const char* catchUpModeName(CatchUpMode mode) {
  switch (mode) {
    case CatchUpMode::kSkip:
      return "skip";
    case CatchUpMode::kOne:
      return "one";
    case CatchUpMode::kAll:
      return "all";
  }
  return "skip";
}

CatchUpPlan planCatchUp(const CronExpression& expr, const cctz::time_zone& tz,
                        std::optional<SysTime> last_fired_at, SysTime created_at, SysTime now,
                        int max_lag_minutes, CatchUpMode mode, size_t max_fires,
                        std::chrono::seconds on_time_grace) {
  constexpr SysTime::duration kTick{1};
  const size_t cap = std::max<size_t>(max_fires, 1);
  const SysTime base = last_fired_at.value_or(created_at);
  CatchUpPlan plan;
  plan.next_fire_at = nextFire(expr, tz, std::max(now, base));
  if (now <= base) {
    return plan;
  }
  // Due fires split into (base, too_old_end] (older than the lag allows) and
  // (eligible_after, now].
  SysTime eligible_after = base;
  // Compared in minutes first: a huge max_lag_minutes (the schema allows 10^9) must not
  // overflow the nanosecond clock, and a lag longer than the whole interval changes nothing.
  if (max_lag_minutes > 0 &&
      std::chrono::duration_cast<std::chrono::minutes>(now - base).count() >= max_lag_minutes) {
    const SysTime cutoff = now - std::chrono::minutes(max_lag_minutes);
    eligible_after = std::max(base, cutoff - kTick);
  }
  const SysTime too_old_end = eligible_after;
  plan.skipped = firesBetween(expr, tz, base, too_old_end, cap);
  const uint64_t too_old_count = countFires(expr, tz, base, too_old_end);
  const uint64_t eligible_count = countFires(expr, tz, eligible_after, now);

  // Eligible fires that are skipped lie in (skipped_from, skipped_until].
  SysTime skipped_from = eligible_after;
  SysTime skipped_until = now;
  if (mode == CatchUpMode::kAll) {
    plan.fire = firesBetween(expr, tz, eligible_after, now, cap);
    if (!plan.fire.empty()) {
      skipped_from = plan.fire.back();
    }
  } else if (eligible_count > 0) {
    const std::optional<SysTime> newest = previousFire(expr, tz, now);
    if (newest && *newest > eligible_after &&
        (mode == CatchUpMode::kOne || now - *newest <= on_time_grace)) {
      plan.fire.push_back(*newest);
      skipped_until = *newest - kTick;
    }
  }
  if (plan.skipped.size() < cap) {
    const std::vector<SysTime> more =
        firesBetween(expr, tz, skipped_from, skipped_until, cap - plan.skipped.size());
    plan.skipped.insert(plan.skipped.end(), more.begin(), more.end());
  }
  plan.skipped_count = too_old_count + eligible_count - plan.fire.size();
  return plan;
}

}  // namespace jobengine::scheduler
