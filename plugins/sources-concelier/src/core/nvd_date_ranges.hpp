// nvd_date_ranges.hpp — the lastModStartDate / lastModEndDate ranges an NVD fetch asks for. The
// NVD CVE API 2.0 refuses a date range longer than 120 consecutive days, so a sync window (a
// backfill of a year, a watermark left behind by a long pause) is walked as consecutive ranges of
// at most that length, each paged on its own. Pure.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace jobengine::concelier {

// The longest range the API accepts (https://nvd.nist.gov/developers/vulnerabilities).
inline constexpr int kNvdMaxRangeDays = 120;

struct NvdDateRange {
  std::string start;  // RFC 3339, UTC ("...Z", milliseconds)
  std::string end;
};

// The ranges covering [from, to], in order, each at most kNvdMaxRangeDays long; consecutive
// ranges share their boundary instant (the API's range is inclusive; a CVE modified exactly there
// is fetched twice, and map writes it once). No window (either end absent) -> no ranges: walk the
// whole feed without date parameters. An end that does not parse, or to <= from, is passed
// through as one range for the upstream to judge.
std::vector<NvdDateRange> nvdDateRanges(const std::optional<std::string>& from,
                                        const std::optional<std::string>& to);

}  // namespace jobengine::concelier
