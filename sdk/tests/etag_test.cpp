// etag_test.cpp — sdk/include/jobengine/etag.hpp: ETag format and parse, the If-Match rules
// (absent, required, "*", lists, weak tags, stale) and If-None-Match list matching.
#include <jobengine/etag.hpp>

#include <gtest/gtest.h>

namespace jobengine::sdk {
namespace {

TEST(Etag, FormatAndParse) {
  EXPECT_EQ(makeEtag(7), "\"v7\"");
  EXPECT_EQ(makeEtag(7, true), "W/\"v7\"");
  EXPECT_EQ(parseEtagVersion("\"v12\""), 12U);
  EXPECT_EQ(parseEtagVersion(" W/\"v12\" "), 12U);
  EXPECT_FALSE(parseEtagVersion("\"x12\""));
  EXPECT_FALSE(parseEtagVersion("v12"));
  EXPECT_FALSE(parseEtagVersion("\"v\""));
  EXPECT_FALSE(parseEtagVersion("\"v-1\""));
  EXPECT_FALSE(parseEtagVersion("\"v1x\""));
}

TEST(Etag, IfMatch) {
  EXPECT_FALSE(checkIfMatch(std::nullopt, 3));
  EXPECT_FALSE(checkIfMatch("  ", 3));
  EXPECT_FALSE(checkIfMatch("*", 3));
  EXPECT_FALSE(checkIfMatch("\"v3\"", 3));
  EXPECT_FALSE(checkIfMatch("W/\"v3\"", 3));
  EXPECT_FALSE(checkIfMatch("\"v1\", W/\"v3\"", 3));
  const auto stale = checkIfMatch("\"v2\"", 3);
  ASSERT_TRUE(stale);
  EXPECT_EQ(stale->status, 412);
  EXPECT_EQ(stale->code, "PRECONDITION_FAILED");
  EXPECT_EQ(stale->details["currentEtag"], "\"v3\"");
  EXPECT_EQ(stale->details["header"], "If-Match");
  EXPECT_TRUE(checkIfMatch("garbage", 3));
  EXPECT_TRUE(checkIfMatch("\"v1\", \"v2\"", 3));
  const auto required = checkIfMatch(std::nullopt, 3, true);
  ASSERT_TRUE(required);
  EXPECT_EQ(required->status, 428);
  EXPECT_EQ(required->code, "PRECONDITION_REQUIRED");
  EXPECT_EQ(required->details["currentEtag"], "\"v3\"");
  EXPECT_FALSE(checkIfMatch("\"v3\"", 3, true));
}

TEST(Etag, ListMatchingForIfNoneMatch) {
  EXPECT_TRUE(etagListMatches("*", 9));
  EXPECT_TRUE(etagListMatches("\"v9\"", 9));
  EXPECT_TRUE(etagListMatches("W/\"v9\"", 9));
  EXPECT_TRUE(etagListMatches("\"v1\",\"v9\"", 9));
  EXPECT_FALSE(etagListMatches("\"v8\"", 9));
  EXPECT_FALSE(etagListMatches("", 9));
}

}  // namespace
}  // namespace jobengine::sdk
