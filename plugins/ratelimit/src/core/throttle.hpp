// Throttle: an operator override with an expiry that pauses a source or a job type, or caps its
// concurrency (SPEC §3), and the rule that folds several of them into one effective constraint:
// any pause wins; otherwise the smallest cap.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time_types.hpp"

namespace jobengine::ratelimit {

enum class ThrottleTarget { source, job_type };
enum class ThrottleAction { pause, cap };

struct Throttle {
  std::string id;
  ThrottleTarget target_kind = ThrottleTarget::job_type;
  std::string target;  // the source id or the job type
  ThrottleAction action = ThrottleAction::pause;
  int max_active = 0;             // cap: most jobs leased or running at once (negative counts as 0)
  TimePoint expires_at = kNever;  // active while now < expires_at; kNever: until lifted
};

// True while now < expires_at.
bool isActive(const Throttle& throttle, TimePoint now);

// True when the throttle targets this job type, or this source (an empty source_id, a job
// without a source, matches no source throttle).
bool appliesTo(const Throttle& throttle, std::string_view job_type, std::string_view source_id);

// What the active throttles that apply to one (job type, source) impose together.
struct ThrottleEffect {
  bool source_paused = false;    // an active pause on the source applies
  bool job_type_paused = false;  // an active pause on the job type applies
  // Latest expiry among the applicable pauses (all must lapse); kNever when one has none.
  TimePoint paused_until{};
  std::optional<int> job_type_cap;  // smallest applicable cap on the job type
  std::optional<int> source_cap;    // smallest applicable cap on the source
  // The deciding throttle: the pause that gives the reason (source before job type, latest
  // expiry, then smallest id), else the smallest cap (then smallest id); empty when none applies.
  std::string decided_by;

  [[nodiscard]] bool paused() const { return source_paused || job_type_paused; }
  // The smallest cap of either kind (for when caps on both count the same jobs).
  [[nodiscard]] std::optional<int> smallestCap() const;
};

// Folds the throttles that are active at `now` and apply to (job_type, source_id); others are
// skipped, so the caller may pass all of a tenant's throttles. Independent of input order.
ThrottleEffect effectiveThrottle(const std::vector<Throttle>& throttles, std::string_view job_type,
                                 std::string_view source_id, TimePoint now);

}  // namespace jobengine::ratelimit
