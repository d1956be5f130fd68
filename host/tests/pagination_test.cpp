// Pagination tokens and page_size parsing, ETag/If-Match, and idempotency helpers: the pure
// pieces of the SPEC §5 conventions.
#include "api/pagination.hpp"
#include "api/encoding.hpp"
#include "api/etag.hpp"
#include "api/idempotency.hpp"

#include <gtest/gtest.h>

namespace jobengine::host {
namespace {

TEST(Pagination, DefaultsAndLimits) {
  PageTokenCodec codec("secret");
  auto def = parsePageRequest(std::nullopt, std::nullopt, codec);
  ASSERT_TRUE(def.ok());
  EXPECT_EQ(def->page_size, 50);
  EXPECT_EQ(def->fetchLimit(), 51);
  EXPECT_FALSE(def->after.has_value());
  EXPECT_EQ(parsePageRequest("500", std::nullopt, codec)->page_size, 500);
  for (const char* bad : {"0", "501", "-1", "abc", "10x", ""}) {
    auto r = parsePageRequest(std::string_view(bad), std::nullopt, codec);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().status, 400);
    EXPECT_EQ(r.error().code, "INVALID_PAGE_SIZE");
  }
}

TEST(Pagination, TokenRoundTripAndTamperDetection) {
  PageTokenCodec codec("secret");
  const nlohmann::json key = {"2024-01-01T00:00:00Z", 42};
  const auto token = codec.encode(key, "/jobs?status=failed");
  auto back = parsePageRequest("10", token, codec, "/jobs?status=failed", 2);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back->after, key);

  auto expectBad = [&codec](const std::string& t, std::string_view binding = "/jobs?status=failed",
                            std::size_t n = 2) {
    auto r = parsePageRequest(std::nullopt, t, codec, binding, n);
    ASSERT_FALSE(r.ok()) << t;
    EXPECT_EQ(r.error().code, "INVALID_PAGE_TOKEN");
    EXPECT_EQ(r.error().status, 400);
  };
  expectBad("garbage");
  expectBad(token, "/runs");                                              // other listing
  expectBad(token, "/jobs?status=failed", 3);                             // other key shape
  expectBad(PageTokenCodec("other").encode(key, "/jobs?status=failed"));  // other secret
  std::string tampered = token;
  tampered[2] = tampered[2] == 'A' ? 'B' : 'A';
  expectBad(tampered);
  // A well-signed token of another version is refused too.
  const std::string v2 = nlohmann::json{{"k", key}, {"v", 2}}.dump();
  std::string input = v2;
  input.push_back('\0');
  input += "/jobs?status=failed";
  expectBad(base64urlEncode(v2) + "." + base64urlEncode(hmacSha256("secret", input).substr(0, 16)));
}

TEST(Pagination, FinishPageOnlyEmitsTokenWhenMoreRowsExist) {
  PageTokenCodec codec("s");
  PageRequest req;
  req.page_size = 3;
  std::vector<int> rows = {1, 2, 3, 4};
  auto next = finishPage(rows, req, codec, [](int r) { return nlohmann::json::array({r}); });
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(rows, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(*codec.decode(*next).value().begin(), 3);
  std::vector<int> last = {5, 6, 7};
  EXPECT_FALSE(finishPage(last, req, codec, [](int r) { return nlohmann::json::array({r}); }));
  EXPECT_EQ(last.size(), 3U);
}

TEST(Etag, FormatParseAndIfMatch) {
  EXPECT_EQ(makeEtag(7), "\"v7\"");
  EXPECT_EQ(makeEtag(7, true), "W/\"v7\"");
  EXPECT_EQ(parseEtagVersion("\"v12\""), 12U);
  EXPECT_EQ(parseEtagVersion("W/\"v12\""), 12U);
  EXPECT_FALSE(parseEtagVersion("\"x12\""));
  EXPECT_FALSE(parseEtagVersion("v12"));
  EXPECT_FALSE(checkIfMatch(std::nullopt, 3));
  EXPECT_FALSE(checkIfMatch("*", 3));
  EXPECT_FALSE(checkIfMatch("\"v3\"", 3));
  EXPECT_FALSE(checkIfMatch("\"v1\", W/\"v3\"", 3));
  auto stale = checkIfMatch("\"v2\"", 3);
  ASSERT_TRUE(stale);
  EXPECT_EQ(stale->status, 412);
  EXPECT_EQ(stale->code, "PRECONDITION_FAILED");
  EXPECT_EQ(stale->details["currentEtag"], "\"v3\"");
  auto required = checkIfMatch(std::nullopt, 3, true);
  ASSERT_TRUE(required);
  EXPECT_EQ(required->status, 428);
}

TEST(Idempotency, FingerprintIgnoresJsonFormattingButNotContent) {
  const auto a = requestFingerprint("POST", "/jobs", R"({"b":1,"a":[1,2]})");
  const auto b = requestFingerprint("POST", "/jobs", "{ \"a\": [1, 2],\n \"b\": 1 }");
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.size(), 64U);
  EXPECT_NE(a, requestFingerprint("POST", "/jobs", R"({"b":2,"a":[1,2]})"));
  EXPECT_NE(a, requestFingerprint("POST", "/runs", R"({"b":1,"a":[1,2]})"));
  EXPECT_NE(a, requestFingerprint("PUT", "/jobs", R"({"b":1,"a":[1,2]})"));
  EXPECT_EQ(canonicalBody("not json"), "not json");
}

TEST(Idempotency, KeyValidationAndDecisions) {
  EXPECT_FALSE(validateIdempotencyKey("abc-123"));
  EXPECT_TRUE(validateIdempotencyKey(""));
  EXPECT_TRUE(validateIdempotencyKey("has space"));
  EXPECT_TRUE(validateIdempotencyKey(std::string(256, 'k')));

  EXPECT_EQ(decideIdempotency(std::nullopt, "f").action, IdempotencyAction::kExecute);
  IdempotencyRecord rec;
  rec.fingerprint = "f";
  rec.completed = false;
  auto in_flight = decideIdempotency(rec, "f");
  EXPECT_EQ(in_flight.action, IdempotencyAction::kReject);
  EXPECT_EQ(in_flight.error->status, 409);
  rec.completed = true;
  EXPECT_EQ(decideIdempotency(rec, "f").action, IdempotencyAction::kReplay);
  auto reused = decideIdempotency(rec, "g");
  EXPECT_EQ(reused.action, IdempotencyAction::kReject);
  EXPECT_EQ(reused.error->status, 422);
  EXPECT_EQ(reused.error->code, "IDEMPOTENCY_KEY_REUSED");
}

TEST(Idempotency, RecordRoundTripKeepsOnlyReplayableHeaders) {
  IdempotencyRecord rec;
  rec.status = 201;
  rec.fingerprint = "abc";
  rec.completed = true;
  rec.body = R"({"id":"j1"})";
  rec.headers = replayableHeaders({{"content-type", "application/json"},
                                   {"Location", "/api/v1/jobengine/jobs/j1"},
                                   {"X-Request-Id", "r1"},
                                   {"Set-Cookie", "x"}});
  ASSERT_EQ(rec.headers.size(), 2U);
  auto back = IdempotencyRecord::fromJson(rec.toJson());
  ASSERT_TRUE(back);
  EXPECT_EQ(back->status, 201);
  EXPECT_EQ(back->body, rec.body);
  EXPECT_EQ(back->headers, rec.headers);
  EXPECT_TRUE(back->completed);
  EXPECT_FALSE(IdempotencyRecord::fromJson(nlohmann::json::array()));
}

TEST(Encoding, Base64urlAndQuery) {
  for (const std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar", "\xff\xfe"}) {
    EXPECT_EQ(base64urlDecode(base64urlEncode(s)), s);
  }
  EXPECT_EQ(base64urlEncode("\xfb\xff"), "-_8");
  EXPECT_FALSE(base64urlDecode("a+b/"));
  const auto q = parseQueryString("types=job.*%2Crun.created&tenant=acme&x&after=5&e=a+b");
  ASSERT_EQ(q.size(), 5U);
  EXPECT_EQ(q[0].second, "job.*,run.created");
  EXPECT_EQ(q[2].first, "x");
  EXPECT_EQ(q[4].second, "a b");
  EXPECT_FALSE(urlDecode("%zz"));
  EXPECT_FALSE(urlDecode("%4"));
}

}  // namespace
}  // namespace jobengine::host
