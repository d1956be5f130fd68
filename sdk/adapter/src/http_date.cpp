// HTTP-date formatting and parsing (see http_date.hpp). Day and month names are spelled out
// here rather than taken from strftime, whose %a / %b follow the process locale.
#include "jobengine/adapter/http_date.hpp"

#include <ctime>

namespace jobengine::adapter {
namespace {

constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

bool digits(std::string_view s, size_t pos, size_t count, int& out) {
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

void two(std::string& out, int v) {
  out.push_back(static_cast<char>('0' + v / 10));
  out.push_back(static_cast<char>('0' + v % 10));
}

}  // namespace

std::string formatHttpDate(std::chrono::system_clock::time_point tp) {
  const std::time_t t =
      std::chrono::system_clock::to_time_t(std::chrono::time_point_cast<std::chrono::seconds>(tp));
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::string out;
  out.reserve(29);
  out += kDays[tm.tm_wday];
  out += ", ";
  two(out, tm.tm_mday);
  out += ' ';
  out += kMonths[tm.tm_mon];
  out += ' ';
  out += std::to_string(tm.tm_year + 1900);
  out += ' ';
  two(out, tm.tm_hour);
  out += ':';
  two(out, tm.tm_min);
  out += ':';
  two(out, tm.tm_sec);
  out += " GMT";
  return out;
}

// "Sun, 06 Nov 1994 08:49:37 GMT": fixed width, 29 characters.
std::optional<std::chrono::system_clock::time_point> parseHttpDate(std::string_view text) {
  const std::string_view s = text;
  if (s.size() != 29 || s.substr(3, 2) != ", " || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' ||
      s[19] != ':' || s[22] != ':' || s.substr(25) != " GMT") {
    return std::nullopt;
  }
  std::tm tm{};
  int month = -1;
  for (int i = 0; i < 12; ++i) {
    if (s.substr(8, 3) == kMonths[i]) {
      month = i;
    }
  }
  int day = 0;
  int year = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  if (month < 0 || !digits(s, 5, 2, day) || !digits(s, 12, 4, year) || !digits(s, 17, 2, hour) ||
      !digits(s, 20, 2, minute) || !digits(s, 23, 2, second) || day < 1 || day > 31 || hour > 23 ||
      minute > 59 || second > 60) {
    return std::nullopt;
  }
  tm.tm_year = year - 1900;
  tm.tm_mon = month;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  const std::time_t t = timegm(&tm);
  return std::chrono::system_clock::from_time_t(t);
}

std::optional<int64_t> parseRetryAfter(std::string_view value,
                                       std::chrono::system_clock::time_point now) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
    value.remove_prefix(1);
  }
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t' || value.back() == '\r' ||
                            value.back() == '\n')) {
    value.remove_suffix(1);
  }
  if (value.empty()) {
    return std::nullopt;
  }
  if (value.find_first_not_of("0123456789") == std::string_view::npos) {
    if (value.size() > 12) {
      return std::nullopt;
    }
    int64_t seconds = 0;
    for (const char c : value) {
      seconds = seconds * 10 + (c - '0');
    }
    return seconds;
  }
  const auto date = parseHttpDate(value);
  if (!date) {
    return std::nullopt;
  }
  const auto delta = std::chrono::duration_cast<std::chrono::seconds>(*date - now).count();
  return delta > 0 ? static_cast<int64_t>(delta) : 0;
}

}  // namespace jobengine::adapter
