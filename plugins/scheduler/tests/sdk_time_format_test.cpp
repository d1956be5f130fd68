// sdk_time_format_test.cpp — RFC 3339 formatting and parsing of
// sdk/include/jobengine/time_format.hpp.
#include <jobengine/time_format.hpp>

#include <gtest/gtest.h>

using jobengine::sdk::formatRfc3339;
using jobengine::sdk::parseRfc3339;
using jobengine::sdk::TimePrecision;
using std::chrono::microseconds;
using std::chrono::system_clock;

namespace {
system_clock::time_point fromMicros(int64_t us) {
  return system_clock::time_point(
      std::chrono::duration_cast<system_clock::duration>(microseconds(us)));
}
int64_t toMicros(system_clock::time_point tp) {
  return std::chrono::duration_cast<microseconds>(tp.time_since_epoch()).count();
}
}  // namespace

TEST(TimeFormat, FormatsEpochAndKnownInstants) {
  EXPECT_EQ(formatRfc3339(fromMicros(0)), "1970-01-01T00:00:00.000Z");
  // 2024-02-29T12:34:56.789012Z (leap day)
  const int64_t us = 1709210096789012;
  EXPECT_EQ(formatRfc3339(fromMicros(us)), "2024-02-29T12:34:56.789Z");
  EXPECT_EQ(formatRfc3339(fromMicros(us), TimePrecision::kMicros), "2024-02-29T12:34:56.789012Z");
  EXPECT_EQ(formatRfc3339(fromMicros(us), TimePrecision::kSeconds), "2024-02-29T12:34:56Z");
  EXPECT_EQ(formatRfc3339(fromMicros(-1)), "1969-12-31T23:59:59.999Z");
}

TEST(TimeFormat, ParsesBackWhatItWrites) {
  for (const int64_t us : {int64_t{0}, int64_t{1709210096789012}, int64_t{4102444799999999},
                           int64_t{951782400000000}}) {
    const auto tp = fromMicros(us);
    const auto parsed = parseRfc3339(formatRfc3339(tp, TimePrecision::kMicros));
    ASSERT_TRUE(parsed);
    EXPECT_EQ(toMicros(*parsed), us);
  }
}

TEST(TimeFormat, ParsesOffsetsAndVariants) {
  const auto z = parseRfc3339("2025-01-31T12:00:00Z");
  ASSERT_TRUE(z);
  EXPECT_EQ(parseRfc3339("2025-01-31T14:30:00+02:30"), z);
  EXPECT_EQ(parseRfc3339("2025-01-31t07:00:00-05:00"), z);
  EXPECT_EQ(parseRfc3339("2025-01-31 12:00:00z"), z);
  const auto frac = parseRfc3339("2025-01-31T12:00:00.1234567Z");
  ASSERT_TRUE(frac);
  EXPECT_EQ(toMicros(*frac) - toMicros(*z), 123456);
}

TEST(TimeFormat, RejectsMalformed) {
  for (const char* bad :
       {"", "2025-01-31", "2025-01-31T12:00:00", "2025-13-01T00:00:00Z", "2025-02-29T00:00:00Z",
        "2025-01-31T24:00:00Z", "2025-01-31T12:00:60Z", "2025-01-31T12:00:00.Z",
        "2025-01-31T12:00:00+0200", "2025-01-31T12:00:00Zjunk", "2025/01/31T12:00:00Z"}) {
    EXPECT_FALSE(parseRfc3339(bad)) << bad;
  }
  EXPECT_TRUE(parseRfc3339("2000-02-29T00:00:00Z"));
}

// system_clock holds 1677-09-21 .. 2262-04-11 in nanoseconds; beyond that is out of range, not
// an overflow (UBSan: a year-2999 filter multiplied past int64).
TEST(TimeFormat, RejectsInstantsSystemClockCannotHold) {
  EXPECT_FALSE(parseRfc3339("2999-01-01T00:00:00Z"));
  EXPECT_FALSE(parseRfc3339("9999-12-31T23:59:59Z"));
  EXPECT_FALSE(parseRfc3339("1600-01-01T00:00:00Z"));
  EXPECT_TRUE(parseRfc3339("2262-01-01T00:00:00Z"));
  EXPECT_TRUE(parseRfc3339("1700-01-01T00:00:00Z"));
}
