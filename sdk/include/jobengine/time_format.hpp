// time_format.hpp — RFC 3339 UTC timestamps ("2025-01-31T12:34:56.789Z") to and from
// std::chrono::system_clock, header-only and free of locale / time-zone state.
//
// Formatting always writes UTC with 'Z' and a fixed number of fractional digits (milliseconds
// by default, microseconds on request), truncating toward the past. Parsing accepts what
// RFC 3339 §5.6 allows: 'T' or 't' or ' ' separator, any number of fractional digits (kept to
// microseconds), and 'Z'/'z' or a numeric offset (±hh:mm), which is applied. Leap seconds
// (second 60) are refused. Civil-date arithmetic follows Howard Hinnant's days_from_civil.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace jobengine::sdk {

enum class TimePrecision { kSeconds, kMillis, kMicros };

namespace time_detail {

constexpr int64_t daysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

struct Civil {
  int64_t year;
  unsigned month;
  unsigned day;
};

constexpr Civil civilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return Civil{static_cast<int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0), m, d};
}

inline void appendPadded(std::string& out, int64_t v, int width) {
  std::string digits = std::to_string(v);
  if (static_cast<int>(digits.size()) < width) {
    out.append(static_cast<size_t>(width) - digits.size(), '0');
  }
  out += digits;
}

inline bool readDigits(std::string_view s, size_t pos, size_t count, int64_t& out) {
  if (pos + count > s.size()) {
    return false;
  }
  out = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    if (s[i] < '0' || s[i] > '9') {
      return false;
    }
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

}  // namespace time_detail

// Formats tp as RFC 3339 UTC with 'Z'.
inline std::string formatRfc3339(std::chrono::system_clock::time_point tp,
                                 TimePrecision precision = TimePrecision::kMillis) {
  using std::chrono::duration_cast;
  using std::chrono::microseconds;
  const int64_t us = duration_cast<microseconds>(tp.time_since_epoch()).count();
  int64_t days = us / 86400000000LL;
  int64_t rem = us % 86400000000LL;
  if (rem < 0) {
    rem += 86400000000LL;
    --days;
  }
  const auto civil = time_detail::civilFromDays(days);
  const int64_t secs_of_day = rem / 1000000;
  const int64_t frac_us = rem % 1000000;
  std::string out;
  out.reserve(32);
  time_detail::appendPadded(out, civil.year, 4);
  out.push_back('-');
  time_detail::appendPadded(out, civil.month, 2);
  out.push_back('-');
  time_detail::appendPadded(out, civil.day, 2);
  out.push_back('T');
  time_detail::appendPadded(out, secs_of_day / 3600, 2);
  out.push_back(':');
  time_detail::appendPadded(out, (secs_of_day / 60) % 60, 2);
  out.push_back(':');
  time_detail::appendPadded(out, secs_of_day % 60, 2);
  if (precision == TimePrecision::kMillis) {
    out.push_back('.');
    time_detail::appendPadded(out, frac_us / 1000, 3);
  } else if (precision == TimePrecision::kMicros) {
    out.push_back('.');
    time_detail::appendPadded(out, frac_us, 6);
  }
  out.push_back('Z');
  return out;
}

inline std::string nowRfc3339(TimePrecision precision = TimePrecision::kMillis) {
  return formatRfc3339(std::chrono::system_clock::now(), precision);
}

// Parses an RFC 3339 date-time; nullopt when malformed or out of range.
inline std::optional<std::chrono::system_clock::time_point> parseRfc3339(std::string_view s) {
  int64_t year = 0;
  int64_t month = 0;
  int64_t day = 0;
  int64_t hour = 0;
  int64_t minute = 0;
  int64_t second = 0;
  using time_detail::readDigits;
  if (s.size() < 20 || !readDigits(s, 0, 4, year) || s[4] != '-' || !readDigits(s, 5, 2, month) ||
      s[7] != '-' || !readDigits(s, 8, 2, day) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
      !readDigits(s, 11, 2, hour) || s[13] != ':' || !readDigits(s, 14, 2, minute) ||
      s[16] != ':' || !readDigits(s, 17, 2, second)) {
    return std::nullopt;
  }
  static constexpr int kDaysIn[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (month < 1 || month > 12 || day < 1 || day > kDaysIn[month - 1] ||
      (month == 2 && day == 29 && !leap) || hour > 23 || minute > 59 || second > 59) {
    return std::nullopt;
  }
  size_t pos = 19;
  int64_t frac_us = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int64_t scale = 100000;
    const size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      frac_us += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) {
      return std::nullopt;
    }
  }
  int64_t offset_s = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int64_t oh = 0;
    int64_t om = 0;
    if (!readDigits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !readDigits(s, pos + 4, 2, om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset_s = (oh * 3600 + om * 60) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) {
    return std::nullopt;
  }
  const int64_t days =
      time_detail::daysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  const int64_t secs = days * 86400 + hour * 3600 + minute * 60 + second - offset_s;
  // system_clock counts nanoseconds in 64 bits: 1677-09-21 to 2262-04-11. Outside that the
  // conversion below would overflow (UBSan found year 2999 in a query filter doing so).
  constexpr int64_t kMaxSeconds =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::duration::max())
          .count() -
      1;
  if (secs > kMaxSeconds || secs < -kMaxSeconds) {
    return std::nullopt;
  }
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::microseconds(secs * 1000000 + frac_us)));
}

}  // namespace jobengine::sdk
