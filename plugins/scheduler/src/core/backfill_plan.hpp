// backfill_plan.hpp — what a backfill request asks for and how it is cut into windows
// (SPEC §4, issue 13), as pure functions: the body of POST /backfills checked field by field,
// [from, to) split into windows of `window_minutes` (the last one shorter), and the overlap
// test of two half-open intervals the 409 BACKFILL_OVERLAP rests on. No SDK or SQL here: the
// route carries the result (routes_backfills.cpp), the unit tests check every rule.
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/ops_validation.hpp"
#include "core/sys_time.hpp"

namespace jobengine::scheduler {

// A half-open event-time interval [from, to).
struct TimeWindow {
  SysTime from;
  SysTime to;
  bool operator==(const TimeWindow& o) const { return from == o.from && to == o.to; }
};

// Most windows one backfill may have: more is 422 naming windowMinutes (a larger window or a
// shorter range), so one request never writes an unbounded number of runs.
inline constexpr int64_t kMaxBackfillWindows = 10000;
inline constexpr int kMaxWindowMinutes = 525600;  // one year
inline constexpr const char* kDefaultWatermarkScope = "default";

struct BackfillRequest {
  std::string source_id;
  TimeWindow range;
  std::string scope = kDefaultWatermarkScope;
  int window_minutes = 1440;
  bool dry_run = false;
};

struct BackfillInput {
  BackfillRequest request;
  std::optional<FieldError> error;  // 422 VALIDATION_FAILED naming the field
};

// A watermark scope: 1..64 of [A-Za-z0-9._:-] (it is also a path segment of
// PUT /sources/{id}/watermarks/{scope}).
bool validWatermarkScope(const std::string& scope);

// Checks the body {sourceId, from, to, scope?, windowMinutes?, dryRun?}: from and to RFC 3339,
// from < to, windowMinutes 1..kMaxWindowMinutes (default `default_window_minutes`), at most
// `max_windows` windows. Unknown fields are refused.
BackfillInput parseBackfillBody(const nlohmann::json& body, int default_window_minutes,
                                int64_t max_windows = kMaxBackfillWindows);

// How many windows planWindows makes (0 when from >= to); no allocation, so a huge request is
// refused before anything is built.
int64_t windowCount(const TimeWindow& range, std::chrono::minutes size);

// [from, to) cut at from + k * size; the last window ends at `to` (shorter when the range is
// not a multiple of size). Empty when from >= to or size <= 0.
std::vector<TimeWindow> planWindows(const TimeWindow& range, std::chrono::minutes size);

// True when [a.from, a.to) and [b.from, b.to) share an instant (touching ends do not).
bool overlaps(const TimeWindow& a, const TimeWindow& b);

}  // namespace jobengine::scheduler
