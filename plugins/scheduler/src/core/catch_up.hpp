// catch_up.hpp — what a cron schedule does about fires that fell due while nobody fired them
// (engine down, source paused, first tick after creation). A pure decision on plain values
// (STYLE habit 13): the schedule tick enqueues `fire`, records `skipped` / `skipped_count`,
// and stores `next_fire_at`.
//
// Due fires are those in (last_fired_at or created_at, now]; `last_fired_at` is the scheduled
// instant of the last fire, not the moment it was enqueued.
//   1. maxLag: with max_lag_minutes > 0, a due fire older than now - max_lag_minutes is
//      skipped in every mode (a fire exactly max_lag_minutes old still counts).
//   2. Of the remaining due fires:
//        all  -> every one, oldest first, at most max_fires; the newer rest are skipped.
//        one  -> only the newest; the older ones are skipped.
//        skip -> only the newest, and only if it is on time (at most `on_time_grace` before
//                now); everything else is skipped.
// `skipped` lists the oldest skipped fires, at most max_fires of them; `skipped_count` is the
// total. `next_fire_at` is the first fire after now (after last_fired_at if that is later).
// Work is bounded: fires are counted per day (countFires), never enumerated beyond max_fires.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/cron_expression.hpp"
#include "core/schedule_clock.hpp"

namespace jobengine::scheduler {

enum class CatchUpMode { kSkip, kOne, kAll };

// "skip", "one", "all" (exact, lower case); nullopt otherwise.
std::optional<CatchUpMode> parseCatchUpMode(std::string_view name);
const char* catchUpModeName(CatchUpMode mode);

inline constexpr std::chrono::seconds kDefaultOnTimeGrace{60};

struct CatchUpPlan {
  std::vector<SysTime> fire;     // to enqueue now, oldest first
  std::vector<SysTime> skipped;  // the oldest skipped fires, at most max_fires
  uint64_t skipped_count = 0;    // all skipped fires
  std::optional<SysTime> next_fire_at;
};

// max_lag_minutes <= 0 means no limit; max_fires < 1 counts as 1.
CatchUpPlan planCatchUp(const CronExpression& expr, const cctz::time_zone& tz,
                        std::optional<SysTime> last_fired_at, SysTime created_at, SysTime now,
                        int max_lag_minutes, CatchUpMode mode, size_t max_fires,
                        std::chrono::seconds on_time_grace = kDefaultOnTimeGrace);

}  // namespace jobengine::scheduler
