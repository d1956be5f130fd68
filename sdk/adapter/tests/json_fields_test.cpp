// Unit tests of json_fields.hpp: paths in error messages, type names, and required / optional
// members (an absent optional is absent, a mistyped one is an error).
#include <gtest/gtest.h>

#include <functional>

#include "jobengine/adapter/json_fields.hpp"

namespace jobengine::adapter::json_fields {
namespace {

using nlohmann::json;

std::string shapeErrorOf(const std::function<void()>& read) {
  try {
    read();
  } catch (const ShapeError& e) {
    return e.what();
  }
  return "";
}

TEST(JsonFieldsTest, PathsNameTheMember) {
  EXPECT_EQ(memberPath("$", "id"), "id");
  EXPECT_EQ(memberPath("affected[0]", "package"), "affected[0].package");
  EXPECT_EQ(elementPath("affected", 2), "affected[2]");
}

TEST(JsonFieldsTest, ParseJsonReportsTheParserMessage) {
  json out;
  EXPECT_FALSE(parseJson(R"({"a": 1})", out));
  EXPECT_EQ(out["a"], 1);
  EXPECT_TRUE(parseJson("{", out));
}

TEST(JsonFieldsTest, RequiredAndOptionalMembers) {
  const json doc = {{"id", "A-1"}, {"n", 3}, {"when", "2026-01-01T00:00:00+00:00"}};
  EXPECT_EQ(requireString(doc, "$", "id"), "A-1");
  EXPECT_EQ(requireInteger(doc, "$", "n"), 3);
  EXPECT_EQ(requireTime(doc, "$", "when"), "2026-01-01T00:00:00Z");
  EXPECT_FALSE(optionalString(doc, "$", "summary"));
  EXPECT_EQ(optionalArray(doc, "$", "aliases"), nullptr);
  EXPECT_EQ(shapeErrorOf([&] { requireString(doc, "$", "summary"); }),
            "summary: missing (required)");
  EXPECT_NE(shapeErrorOf([&] { optionalString(doc, "$", "n"); }).find("n: "), std::string::npos);
  EXPECT_NE(shapeErrorOf([&] { requireTime(doc, "$", "id"); }).find("id: "), std::string::npos);
}

}  // namespace
}  // namespace jobengine::adapter::json_fields
