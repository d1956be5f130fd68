// json_limits.hpp: the depth scan counts only brackets outside strings, finds the first
// bracket past the limit, and parseJsonBounded never builds a tree deeper than its limit (so a
// 1,000,000-level document costs one linear scan and no stack).
#include <gtest/gtest.h>

#include <jobengine/json_limits.hpp>
#include <string>

namespace jobengine::sdk {
namespace {

std::string nestedArrays(size_t levels) {
  return std::string(levels, '[') + std::string(levels, ']');
}

TEST(JsonLimitsTest, ScalarsAndFlatValuesAreWithinAnyLimit) {
  EXPECT_FALSE(findJsonDepthViolation("1", 0));
  EXPECT_FALSE(findJsonDepthViolation(R"("[[[[")", 0));
  EXPECT_FALSE(findJsonDepthViolation("[1,2,3]", 1));
  EXPECT_FALSE(findJsonDepthViolation(R"({"a":[1],"b":{"c":2}})", 2));
}

TEST(JsonLimitsTest, TheFirstBracketPastTheLimitIsReported) {
  const auto v = findJsonDepthViolation(R"({"a":{"b":{"c":1}}})", 2);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->offset, 10U);  // the third '{'
  EXPECT_EQ(v->limit, 2);
  EXPECT_FALSE(findJsonDepthViolation(R"({"a":{"b":{"c":1}}})", 3));
}

TEST(JsonLimitsTest, BracketsInsideStringsAndEscapesDoNotCount) {
  EXPECT_FALSE(findJsonDepthViolation(R"(["[[[[\"[[[[", "\\", "{{{{"])", 1));
  // An escaped backslash ends before the quote: the string closes, the next '[' counts.
  const auto v = findJsonDepthViolation(R"(["\\", [1]])", 1);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->offset, 7U);
}

TEST(JsonLimitsTest, SiblingsDoNotAddUp) {
  std::string wide = "[";
  for (int i = 0; i < 10000; ++i) {
    wide += (i == 0 ? "" : ",") + std::string("[[1]]");
  }
  wide += "]";
  EXPECT_FALSE(findJsonDepthViolation(wide, 3));
  EXPECT_TRUE(findJsonDepthViolation(wide, 2));
}

TEST(JsonLimitsTest, AMillionLevelsAreRefusedWithoutRecursion) {
  const auto parsed = parseJsonBounded(nestedArrays(1000000), "the body", 64);
  EXPECT_FALSE(parsed.ok());
  EXPECT_TRUE(parsed.depth_exceeded);
  EXPECT_EQ(parsed.error, "the body nests deeper than the limit of 64 levels (at byte 64)");
  EXPECT_TRUE(parsed.value.is_null());
}

TEST(JsonLimitsTest, ExactlyTheLimitParses) {
  const auto parsed = parseJsonBounded(nestedArrays(64), "x", 64);
  ASSERT_TRUE(parsed.ok()) << parsed.error;
  EXPECT_TRUE(parsed.value.is_array());
  EXPECT_FALSE(parseJsonBounded(nestedArrays(65), "x", 64).ok());
}

TEST(JsonLimitsTest, InvalidJsonSaysWhereItBroke) {
  const auto parsed = parseJsonBounded(R"({"a":)", "the request body");
  EXPECT_FALSE(parsed.ok());
  EXPECT_FALSE(parsed.depth_exceeded);
  EXPECT_NE(parsed.error.find("the request body is not valid JSON"), std::string::npos);
  EXPECT_THROW(parseJsonBoundedOrThrow("[", "col"), std::invalid_argument);
  EXPECT_EQ(parseJsonBoundedOrThrow(R"({"k":[1,2]})", "col")["k"][1], 2);
}

TEST(JsonLimitsTest, TheDefaultCeilingIsWhatSdkParsesEnforce) {
  EXPECT_TRUE(parseJsonBounded(nestedArrays(kJsonMaxDepthCeiling)).ok());
  EXPECT_FALSE(parseJsonBounded(nestedArrays(kJsonMaxDepthCeiling + 1)).ok());
  EXPECT_LE(kJsonMinMaxDepth, kJsonDefaultMaxDepth);
  EXPECT_LE(kJsonDefaultMaxDepth, kJsonMaxDepthCeiling);
}

}  // namespace
}  // namespace jobengine::sdk
