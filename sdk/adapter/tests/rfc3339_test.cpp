// Unit tests of rfc3339.hpp: the RFC 3339 §5.6 grammar (impossible dates refused), instants
// across offsets, and the "+00:00" -> "Z" normalization the parsers apply. Merged from the two
// adapter plugins' copies of these tests.
#include <gtest/gtest.h>

#include "jobengine/adapter/rfc3339.hpp"

namespace jobengine::adapter {
namespace {

TEST(Rfc3339Test, AcceptsTheGrammarAndRejectsTheRest) {
  EXPECT_TRUE(parseRfc3339("2026-02-28T23:59:60Z"));  // leap second
  EXPECT_TRUE(parseRfc3339("2024-02-29T00:00:00.123456789-05:30"));
  EXPECT_TRUE(parseRfc3339("2026-03-03T11:30:00.000Z"));
  EXPECT_TRUE(parseRfc3339("2026-03-03t11:30:00z"));
  EXPECT_FALSE(parseRfc3339("2026-02-29T00:00:00Z"));
  EXPECT_FALSE(parseRfc3339("2026-04-31T00:00:00Z"));
  EXPECT_FALSE(parseRfc3339("2026-01-01T00:00:00"));
  EXPECT_FALSE(parseRfc3339("2026-01-01 00:00:00Z"));
  EXPECT_FALSE(parseRfc3339("2026-01-01T00:00:00.Z"));
  EXPECT_FALSE(parseRfc3339("2026-01-01T00:00:00Zjunk"));
  EXPECT_FALSE(parseRfc3339(""));
}

TEST(Rfc3339Test, OffsetsGiveTheSameInstant) {
  EXPECT_EQ(parseRfc3339("1970-01-01T01:00:00+01:00")->epoch_seconds, 0);
  EXPECT_EQ(parseRfc3339("2026-01-01T00:00:00Z")->epoch_seconds, 1767225600);
  EXPECT_EQ(parseRfc3339("2026-01-01T00:00:00-01:00")->epoch_seconds, 1767225600 + 3600);
  EXPECT_EQ(parseRfc3339("2026-01-01T00:00:00.5Z")->nanos, 500000000);
  EXPECT_TRUE(*parseRfc3339("2026-01-01T00:00:00Z") < *parseRfc3339("2026-01-01T00:00:00.001Z"));
}

TEST(Rfc3339Test, OnlyAZeroOffsetIsRewritten) {
  EXPECT_EQ(normalizeUtcSuffix("2026-01-01T00:00:00+00:00"), "2026-01-01T00:00:00Z");
  EXPECT_EQ(normalizeUtcSuffix("2026-01-01T00:00:00-00:00"), "2026-01-01T00:00:00Z");
  EXPECT_EQ(normalizeUtcSuffix("2026-01-01T00:00:00+01:00"), "2026-01-01T00:00:00+01:00");
}

}  // namespace
}  // namespace jobengine::adapter
