// error_classifier_test.cpp — classes by HTTP status, code and message; normalization
// placeholders; fingerprints that cluster equal errors and separate different ones.
#include "core/error_classifier.hpp"

#include <gtest/gtest.h>

using namespace jobengine::scheduler;  // NOLINT(google-build-using-namespace)

TEST(ErrorClassifier, HttpStatus) {
  for (const int s : {408, 425, 429, 500, 502, 503, 504, 599}) {
    EXPECT_EQ(classifyHttpStatus(s), ErrorClass::kTransient) << s;
  }
  for (const int s : {400, 401, 403, 404, 409, 410, 422}) {
    EXPECT_EQ(classifyHttpStatus(s), ErrorClass::kPermanent) << s;
  }
  EXPECT_EQ(classifyHttpStatus(200), ErrorClass::kUnknown);
  EXPECT_EQ(classifyError({"", "whatever", 503, std::nullopt}), ErrorClass::kTransient);
  // The status wins over words.
  EXPECT_EQ(classifyError({"TIMEOUT", "", 404, std::nullopt}), ErrorClass::kPermanent);
}

TEST(ErrorClassifier, CodesAndMessages) {
  EXPECT_EQ(classifyError({"TIMEOUT", "", {}, {}}), ErrorClass::kTransient);
  EXPECT_EQ(classifyError({"ECONNRESET", "", {}, {}}), ErrorClass::kTransient);
  EXPECT_EQ(classifyError({"SCHEMA_INVALID", "", {}, {}}), ErrorClass::kPermanent);
  EXPECT_EQ(classifyError({"PARSE_ERROR", "", {}, {}}), ErrorClass::kPermanent);
  EXPECT_EQ(classifyError({"", "connection refused by 10.0.0.1", {}, {}}), ErrorClass::kTransient);
  EXPECT_EQ(classifyError({"", "JSON parse error at line 3", {}, {}}), ErrorClass::kPermanent);
  EXPECT_EQ(classifyError({"", "invalid timeout value", {}, {}}), ErrorClass::kPermanent);
  EXPECT_EQ(classifyError({"E42", "something odd", {}, {}}), ErrorClass::kUnknown);
  EXPECT_EQ(classifyError({}), ErrorClass::kUnknown);
}

TEST(ErrorClassifier, RetryDecision) {
  EXPECT_TRUE(classify({"", "odd", {}, {}}).retry);               // unknown: retried
  EXPECT_FALSE(classify({"SCHEMA_INVALID", "", {}, {}}).retry);   // permanent: not
  EXPECT_FALSE(classify({"TIMEOUT", "", {}, false}).retry);       // reporter wins
  EXPECT_TRUE(classify({"SCHEMA_INVALID", "", {}, true}).retry);  // reporter wins
}

TEST(ErrorClassifier, NormalizesVolatileParts) {
  EXPECT_EQ(normalizeErrorMessage(
                "Job 0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b failed at 2025-01-31T12:00:00.123Z "
                "after 3 tries reading \"/tmp/x.json\" digest "
                "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            "job <uuid> failed at <ts> after <n> tries reading <str> digest <hex>");
  EXPECT_EQ(normalizeErrorMessage("timeout after 1200ms (3rd try), -4 left"),
            "timeout after <n>ms (<n>rd try), -<n> left");
  EXPECT_EQ(normalizeErrorMessage("  HTTP2   stream 7\treset  "), "http2 stream <n> reset");
  EXPECT_EQ(normalizeErrorMessage("took 1.5s, limit 'abc'"), "took <n>s, limit <str>");
}

TEST(ErrorClassifier, FingerprintsCluster) {
  const auto a =
      classify({"FETCH_FAILED", "GET https://x/api?page=3 returned 503 after 1200 ms", 503, {}});
  const auto b =
      classify({"fetch_failed", "GET https://x/api?page=9 returned 503 after 87 ms", 503, {}});
  const auto c = classify({"FETCH_FAILED", "GET https://y/api returned 404", 404, {}});
  EXPECT_EQ(a.fingerprint, b.fingerprint);
  EXPECT_NE(a.fingerprint, c.fingerprint);
  EXPECT_EQ(a.fingerprint.rfind("sha256:", 0), 0U);
  EXPECT_EQ(a.fingerprint.size(), 7U + 64U);
  EXPECT_EQ(a.fingerprint, errorFingerprint("FETCH_FAILED",
                                            "GET https://x/api?page=4 returned "
                                            "503 after 5 ms"));
  EXPECT_NE(errorFingerprint("A", "same"), errorFingerprint("B", "same"));
  EXPECT_EQ(errorClassName(ErrorClass::kTransient), "transient");
  EXPECT_EQ(parseErrorClass("permanent"), ErrorClass::kPermanent);
}
