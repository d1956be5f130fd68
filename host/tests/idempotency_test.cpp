// Idempotency helpers and the byte encodings: the pure pieces of the SPEC §5 conventions that
// stay in the host. Pagination and ETag/If-Match moved to the SDK (sdk/tests/pagination_test,
// sdk/tests/etag_test).
#include "api/idempotency.hpp"
#include "api/encoding.hpp"

#include <gtest/gtest.h>

namespace jobengine::host {
namespace {

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
