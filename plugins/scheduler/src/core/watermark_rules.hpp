// watermark_rules.hpp — when a source's watermark moves (SPEC §4, issue 13), as one pure
// function. A watermark is, per (source, scope), the event-time position up to which data has
// been ingested. Every run that covers an event-time window (a live sync or schedule fire:
// [current watermark, fire time); a backfill window: [from, to)) counts once it *succeeded*.
//
// The rule (plugins/scheduler/README.md, "Watermarks and backfills"):
//  * Start: the current watermark. With none yet, the earliest start of any window of the
//    scope, whatever its status (a window with an open start, i.e. a first live sync made
//    before any watermark existed, starts at the beginning of time).
//  * Chain: walk the succeeded windows by start; a window that starts at or before the position
//    moves it to its end (when later). The first window that starts after the position is a
//    gap: the walk stops there, so a later window that succeeded while an earlier one is
//    pending, failed or canceled never moves the watermark past the gap. A new backfill (or the
//    next live sync, which starts at the watermark) covering the gap lets it move on.
//  * Never backwards: the answer is only ever later than the current watermark (the admin PUT
//    is the one way back, and it does not go through here).
#pragma once

#include <optional>
#include <vector>

#include "core/backfill_plan.hpp"

namespace jobengine::scheduler {

// A run's window: `from` empty = open start (covers everything before `to`).
struct CoveredWindow {
  std::optional<SysTime> from;
  SysTime to;
  bool succeeded = false;
};

// The new watermark, or nullopt when it does not move. `windows`: the windows of the scope
// that matter (with a watermark: at least the succeeded ones ending after it; without: all of
// the scope, any status, so the earliest start is known).
std::optional<SysTime> advancedWatermark(const std::optional<SysTime>& current,
                                         std::vector<CoveredWindow> windows);

}  // namespace jobengine::scheduler
