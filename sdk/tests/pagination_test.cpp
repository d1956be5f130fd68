// pagination_test.cpp — sdk/include/jobengine/pagination.hpp and base64url.hpp: page_size
// limits, token round trip, every way a token is refused (binding, arity, key types, version,
// encoding), and finishPage over a std::vector and a JSON array. Links no OpenSSL: the headers
// must not need it.
#include <jobengine/base64url.hpp>
#include <jobengine/pagination.hpp>

#include <gtest/gtest.h>

#include <cctype>
#include <string>
#include <vector>

namespace jobengine::sdk {
namespace {

using nlohmann::json;

constexpr std::string_view kJobs = "GET /jobs?status=failed";

TEST(PageSize, DefaultsAndLimits) {
  const auto def = parsePageSize(std::nullopt);
  ASSERT_TRUE(def);
  EXPECT_EQ(def.value, 50);
  EXPECT_EQ(parsePageSize("1").value, 1);
  EXPECT_EQ(parsePageSize("500").value, 500);
  for (const char* bad : {"0", "501", "-1", "+5", "abc", "10x", " 5", "", "99999999999"}) {
    const auto r = parsePageSize(std::string_view(bad));
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error->status, 400);
    EXPECT_EQ(r.error->code, "INVALID_PAGE_SIZE");
    EXPECT_EQ(r.error->details["parameter"], "page_size");
  }
}

TEST(PageRequest, FirstPageAndFetchLimit) {
  const auto first = parsePageRequest(std::nullopt, std::nullopt, kJobs, 2);
  ASSERT_TRUE(first);
  EXPECT_EQ(first.value.page_size, 50);
  EXPECT_EQ(first.value.fetchLimit(), 51);
  EXPECT_FALSE(first.value.after);
  // An empty page_token is the first page, not an error.
  const auto empty = parsePageRequest("10", "", kJobs, 2);
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty.value.page_size, 10);
  EXPECT_FALSE(empty.value.after);
  EXPECT_EQ(parsePageRequest("0", std::nullopt, kJobs, 2).error->code, "INVALID_PAGE_SIZE");
}

TEST(PageToken, RoundTripAndRefusals) {
  const json key = {"2024-01-01T00:00:00.000001Z", "0190a0c8-0000-7000-8000-000000000001"};
  const std::string token = encodePageToken(key, kJobs);
  for (const char c : token) {
    EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') << token;
  }
  const auto back = parsePageRequest("10", token, kJobs, 2);
  ASSERT_TRUE(back) << back.error->message;
  EXPECT_EQ(*back.value.after, key);

  const auto expectBad = [](const std::string& t, std::string_view binding = kJobs,
                            std::size_t arity = 2) {
    const auto r = decodePageToken(t, binding, arity);
    ASSERT_FALSE(r) << t;
    EXPECT_EQ(r.error->status, 400);
    EXPECT_EQ(r.error->code, "INVALID_PAGE_TOKEN");
    EXPECT_EQ(r.error->details["parameter"], "page_token");
  };
  expectBad("garbage!");
  expectBad("@@@");
  expectBad(base64urlEncode("not json"));
  expectBad(base64urlEncode("[1,2]"));          // the old scheduler form: a bare array
  expectBad(std::string(5000, 'A'));            // too long
  expectBad(token, "GET /jobs?status=queued");  // other filters
  expectBad(token, "GET /runs");                // other listing
  expectBad(token, kJobs, 3);                   // other key shape
  expectBad(encodePageToken(json::array({1.5, "x"}), kJobs));           // a float key
  expectBad(encodePageToken(json::array({json::object(), 1}), kJobs));  // a nested key
  expectBad(encodePageToken(json::object(), kJobs));                    // not an array
  // The same document with another version, and the old host form (payload.mac).
  json v1 = json::parse(*base64urlDecode(token));
  v1["v"] = 1;
  expectBad(base64urlEncode(v1.dump()));
  expectBad(token + ".c2lnbmF0dXJl");
}

TEST(PageToken, BindingFromRouteAndFilters) {
  EXPECT_EQ(pageBinding("GET /jobs"), "GET /jobs");
  EXPECT_EQ(pageBinding("GET /jobs", {{"status", "failed"}, {"type", std::nullopt}}),
            "GET /jobs?status=failed&type=");
  // Absent and empty filters are one listing; different values are not.
  EXPECT_EQ(pageBinding("GET /jobs", {{"type", std::nullopt}}),
            pageBinding("GET /jobs", {{"type", ""}}));
  const std::string token =
      encodePageToken(json::array({7}), pageBinding("GET /jobs", {{"type", "a"}}));
  EXPECT_TRUE(decodePageToken(token, pageBinding("GET /jobs", {{"type", "a"}}), 1));
  EXPECT_FALSE(decodePageToken(token, pageBinding("GET /jobs", {{"type", "b"}}), 1));
}

TEST(FinishPage, EmitsATokenOnlyWhenMoreRowsExist) {
  PageRequest req;
  req.page_size = 3;
  const auto key_of = [](int r) { return json::array({r}); };
  std::vector<int> rows = {1, 2, 3, 4};
  const auto next = finishPage(rows, req, key_of, "GET /x");
  ASSERT_TRUE(next);
  EXPECT_EQ(rows, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(decodePageToken(*next, "GET /x", 1).value, json::array({3}));
  std::vector<int> last = {5, 6, 7};
  EXPECT_FALSE(finishPage(last, req, key_of, "GET /x"));
  EXPECT_EQ(last.size(), 3U);
}

TEST(FinishPage, TrimsAJsonArray) {
  PageRequest req;
  req.page_size = 2;
  json items = json::array({{{"id", "a"}}, {{"id", "b"}}, {{"id", "c"}}});
  const auto next = finishPage(
      items, req, [](const json& i) { return json::array({i["id"]}); }, "GET /y");
  ASSERT_TRUE(next);
  EXPECT_EQ(items.size(), 2U);
  EXPECT_EQ(decodePageToken(*next, "GET /y", 1).value, json::array({"b"}));
}

TEST(Base64url, RoundTripAlphabetAndPadding) {
  for (const std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar", "\xff\xfe"}) {
    EXPECT_EQ(base64urlDecode(base64urlEncode(s)), s);
  }
  EXPECT_EQ(base64urlEncode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64urlEncode("fo"), "Zm8");
  EXPECT_EQ(base64urlEncode("\xfb\xff"), "-_8");
  EXPECT_EQ(base64urlDecode("Zm8="), "fo");
  EXPECT_FALSE(base64urlDecode("a+b/"));
  EXPECT_FALSE(base64urlDecode(std::string_view("Zm\0v", 4)));
  EXPECT_FALSE(base64urlDecode("Zm9vY"));  // 4n + 1 characters: no encoder writes that
}

}  // namespace
}  // namespace jobengine::sdk
