// cron_expression.cpp — parsing, matching and canonical printing of 5-field cron expressions;
// the accepted syntax and the day rule are described in cron_expression.hpp.
#include "core/cron_expression.hpp"

#include "core/ascii.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <vector>

namespace jobengine::scheduler {
namespace {

struct FieldSpec {
  int position;
  const char* name;
  int min;
  int max;                   // largest value accepted in the text (7 for day-of-week)
  int star_max;              // largest value `*` stands for (6 for day-of-week)
  const char* const* names;  // three-letter names for min.. (nullptr when the field has none)
  int names_first;           // value of names[0]
  int names_count;
  const char* names_hint;  // "JAN-DEC" / "SUN-SAT"
};

constexpr const char* kMonthNames[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                       "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr const char* kDayNames[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

constexpr std::array<FieldSpec, 5> kFields{{
    {1, "minute", 0, 59, 59, nullptr, 0, 0, nullptr},
    {2, "hour", 0, 23, 23, nullptr, 0, 0, nullptr},
    {3, "day-of-month", 1, 31, 31, nullptr, 0, 0, nullptr},
    {4, "month", 1, 12, 12, kMonthNames, 1, 12, "JAN-DEC"},
    {5, "day-of-week", 0, 7, 6, kDayNames, 0, 7, "SUN-SAT"},
}};

struct Macro {
  const char* name;
  const char* fields;
};

constexpr std::array<Macro, 7> kMacros{{
    {"@hourly", "0 * * * *"},
    {"@daily", "0 0 * * *"},
    {"@midnight", "0 0 * * *"},
    {"@weekly", "0 0 * * 0"},
    {"@monthly", "0 0 1 * *"},
    {"@yearly", "0 0 1 1 *"},
    {"@annually", "0 0 1 1 *"},
}};

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

bool allDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Parses one field into a set of values (bits min..max) or an error message without prefix.
class FieldParser {
 public:
  explicit FieldParser(const FieldSpec& spec) : spec_(spec) {}

  std::optional<std::string> parse(std::string_view text, std::vector<bool>& bits) const {
    bits.assign(static_cast<size_t>(spec_.max) + 1, false);
    size_t start = 0;
    while (true) {
      const size_t comma = text.find(',', start);
      const std::string_view item = text.substr(
          start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
      if (item.empty()) {
        return "empty list item in " + quoted(text) + " (write items as a,b,c)";
      }
      if (auto e = parseItem(item, bits)) {
        return e;
      }
      if (comma == std::string_view::npos) {
        return std::nullopt;
      }
      start = comma + 1;
    }
  }

 private:
  [[nodiscard]] std::string rangeText() const {
    std::string r = std::to_string(spec_.min) + "-" + std::to_string(spec_.max);
    if (spec_.names != nullptr) {
      r += " or " + std::string(spec_.names_hint);
    }
    return r;
  }

  // A number or a name; the error says which and what is allowed.
  std::optional<std::string> parseValue(std::string_view s, int& out) const {
    if (s.empty()) {
      return std::string("missing value (expected ") + rangeText() + ")";
    }
    if (allDigits(s)) {
      // Long digit strings are out of range anyway; stop before int overflow.
      if (s.size() > 4) {
        return std::string(s) + " is out of range " + rangeText();
      }
      out = std::stoi(std::string(s));
      if (out < spec_.min || out > spec_.max) {
        return std::string(s) + " is out of range " + rangeText();
      }
      return std::nullopt;
    }
    if (spec_.names != nullptr) {
      const std::string u = asciiUpper(s);
      for (int i = 0; i < spec_.names_count; ++i) {
        if (u == spec_.names[i]) {
          out = spec_.names_first + i;
          return std::nullopt;
        }
      }
      return quoted(s) + " is neither a number nor a name; allowed " + rangeText();
    }
    return quoted(s) + " is not a number; allowed " + rangeText();
  }

  std::optional<std::string> parseItem(std::string_view item, std::vector<bool>& bits) const {
    std::string_view range = item;
    int step = 1;
    const size_t slash = item.find('/');
    bool has_step = false;
    if (slash != std::string_view::npos) {
      has_step = true;
      range = item.substr(0, slash);
      const std::string_view step_text = item.substr(slash + 1);
      const int max_step = spec_.star_max - spec_.min;
      if (!allDigits(step_text)) {
        return "step " + quoted(step_text) + " in " + quoted(item) +
               " is not a number; allowed 1-" + std::to_string(max_step);
      }
      step = step_text.size() > 4 ? max_step + 1 : std::stoi(std::string(step_text));
      if (step < 1 || step > max_step) {
        return "step " + std::string(step_text) + " in " + quoted(item) + " is out of range 1-" +
               std::to_string(max_step);
      }
    }
    int lo = 0;
    int hi = 0;
    if (range == "*") {
      lo = spec_.min;
      hi = spec_.star_max;
    } else {
      const size_t dash = range.find('-');
      if (dash == std::string_view::npos) {
        if (auto e = parseValue(range, lo)) {
          return e;
        }
        // `a/n` runs from a to the field's maximum; a plain `a` is just a.
        hi = has_step ? spec_.star_max : lo;
        if (has_step && lo > hi) {
          hi = lo;  // `7/2` in day-of-week: just Sunday
        }
      } else {
        const std::string_view lo_text = range.substr(0, dash);
        const std::string_view hi_text = range.substr(dash + 1);
        if (lo_text == "*" || hi_text == "*") {
          return quoted(item) + ": `*` cannot be part of a range (write * or a-b)";
        }
        if (lo_text.empty()) {
          return quoted(item) + ": range has no start (negative numbers are not allowed)";
        }
        if (auto e = parseValue(lo_text, lo)) {
          return e;
        }
        if (auto e = parseValue(hi_text, hi)) {
          return e;
        }
        if (lo > hi) {
          return "range " + std::string(range) +
                 " is reversed: the start must not exceed the end (ranges do not wrap around)";
        }
      }
    }
    for (int v = lo; v <= hi; v += step) {
      bits[static_cast<size_t>(v)] = true;
    }
    return std::nullopt;
  }

  const FieldSpec& spec_;
};

std::vector<std::string_view> splitFields(std::string_view text) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) {
      ++i;
    }
    const size_t start = i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\t') {
      ++i;
    }
    if (i > start) {
      out.push_back(text.substr(start, i - start));
    }
  }
  return out;
}

CronError wholeError(std::string message) {
  return CronError{0, "", "cron expression: " + std::move(message)};
}

enum class Star { kIrrelevant, kYes, kNo };

// Renders values min..max of `bits` (see canonical() in the header). For the two day fields
// whether the text starts with `*` changes the day rule, so it must survive a re-parse.
template <size_t N>
std::string renderField(const std::bitset<N>& bits, int min, int max, Star star) {
  const auto in = [&](int v) { return bits.test(static_cast<size_t>(v)); };
  const auto stepSet = [&](int step) {
    for (int v = min; v <= max; ++v) {
      if (in(v) != ((v - min) % step == 0)) {
        return false;
      }
    }
    return true;
  };
  const auto stepSubset = [&](int step) {
    for (int v = min; v <= max; v += step) {
      if (!in(v)) {
        return false;
      }
    }
    return true;
  };
  if (star != Star::kNo) {
    for (int step = 1; step <= max - min; ++step) {
      if (stepSet(step)) {
        return step == 1 ? "*" : "*/" + std::to_string(step);
      }
    }
  }
  std::string out;
  std::vector<bool> covered(static_cast<size_t>(max) + 1, false);
  if (star == Star::kYes) {
    // The field started with `*` (it matters for the day rule): keep a `*/n` first item.
    for (int step = 2; step <= max - min; ++step) {
      if (stepSubset(step)) {
        out = "*/" + std::to_string(step);
        for (int v = min; v <= max; v += step) {
          covered[static_cast<size_t>(v)] = true;
        }
        break;
      }
    }
  }
  int v = min;
  while (v <= max) {
    if (!in(v) || covered[static_cast<size_t>(v)]) {
      ++v;
      continue;
    }
    int end = v;
    while (end + 1 <= max && in(end + 1) && !covered[static_cast<size_t>(end) + 1]) {
      ++end;
    }
    if (!out.empty()) {
      out += ",";
    }
    out += std::to_string(v);
    if (end > v) {
      out += "-" + std::to_string(end);
    }
    v = end + 1;
  }
  return out;
}

template <size_t N>
void copyBits(const std::vector<bool>& from, std::bitset<N>& to) {
  for (size_t i = 0; i < N && i < from.size(); ++i) {
    to.set(i, from[i]);
  }
}

}  // namespace

std::variant<CronExpression, CronError> CronExpression::parse(std::string_view text) {
  std::vector<std::string_view> fields = splitFields(text);
  if (fields.empty()) {
    return wholeError("is empty; expected 5 fields (minute hour day-of-month month day-of-week)");
  }
  if (fields.size() == 1 && fields[0].front() == '@') {
    const std::string name = asciiLower(fields[0]);
    for (const Macro& m : kMacros) {
      if (name == m.name) {
        return parse(m.fields);
      }
    }
    return wholeError("unknown macro " + quoted(fields[0]) +
                      "; allowed @hourly, @daily, @midnight, @weekly, @monthly, @yearly, "
                      "@annually");
  }
  if (fields.size() != 5) {
    return wholeError("has " + std::to_string(fields.size()) +
                      (fields.size() == 1 ? " field" : " fields") +
                      "; expected 5 (minute hour day-of-month month day-of-week) or a macro "
                      "such as @daily");
  }
  CronExpression expr;
  std::vector<bool> bits;
  for (size_t i = 0; i < kFields.size(); ++i) {
    const FieldSpec& spec = kFields[i];
    if (auto e = FieldParser(spec).parse(fields[i], bits)) {
      return CronError{
          spec.position, spec.name,
          "cron field " + std::to_string(spec.position) + " (" + spec.name + "): " + *e};
    }
    switch (spec.position) {
      case 1:
        copyBits(bits, expr.minutes_);
        break;
      case 2:
        copyBits(bits, expr.hours_);
        break;
      case 3:
        copyBits(bits, expr.days_of_month_);
        expr.dom_star_ = fields[i].front() == '*';
        break;
      case 4:
        copyBits(bits, expr.months_);
        break;
      default:
        bits[0] = bits[0] || bits[7];  // 7 is Sunday too
        copyBits(bits, expr.days_of_week_);
        expr.dow_star_ = fields[i].front() == '*';
        break;
    }
  }
  return expr;
}

bool CronExpression::matchesDay(const cctz::civil_day& day) const {
  if (!months_.test(static_cast<size_t>(day.month()))) {
    return false;
  }
  const bool dom = days_of_month_.test(static_cast<size_t>(day.day()));
  // cctz::weekday runs monday..sunday; cron counts from Sunday = 0.
  const int dow = (static_cast<int>(cctz::get_weekday(day)) + 1) % 7;
  const bool dow_ok = days_of_week_.test(static_cast<size_t>(dow));
  if (dom_star_ || dow_star_) {
    return dom && dow_ok;
  }
  return dom || dow_ok;
}

bool CronExpression::matches(const cctz::civil_minute& cm) const {
  return minutes_.test(static_cast<size_t>(cm.minute())) &&
         hours_.test(static_cast<size_t>(cm.hour())) && matchesDay(cctz::civil_day(cm));
}

std::string CronExpression::canonical() const {
  const auto star = [](bool s) { return s ? Star::kYes : Star::kNo; };
  return renderField(minutes_, 0, 59, Star::kIrrelevant) + " " +
         renderField(hours_, 0, 23, Star::kIrrelevant) + " " +
         renderField(days_of_month_, 1, 31, star(dom_star_)) + " " +
         renderField(months_, 1, 12, Star::kIrrelevant) + " " +
         renderField(days_of_week_, 0, 6, star(dow_star_));
}

bool CronExpression::operator==(const CronExpression& other) const {
  return minutes_ == other.minutes_ && hours_ == other.hours_ &&
         days_of_month_ == other.days_of_month_ && months_ == other.months_ &&
         days_of_week_ == other.days_of_week_ && dom_star_ == other.dom_star_ &&
         dow_star_ == other.dow_star_;
}

}  // namespace jobengine::scheduler
