// The worker SDK's pure parts (jobengine/worker_client.hpp): Retry-After parsing, the bounded
// back-off, which answers are retried, the error envelope, the request bodies; and the retry
// loop against a port nobody listens on (no engine needed). The bridge itself is exercised
// against a live engine in tests/integration/worker_sdk_test.cpp.
#include <gtest/gtest.h>

#include <jobengine/worker.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace jobengine::worker {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(WorkerClientTest, RetryAfterIsDeltaSecondsOnly) {
  EXPECT_EQ(detail::parseRetryAfter("5"), seconds(5));
  EXPECT_EQ(detail::parseRetryAfter(" 12\r\n"), seconds(12));
  EXPECT_EQ(detail::parseRetryAfter("0"), seconds(0));
  EXPECT_EQ(detail::parseRetryAfter(""), std::nullopt);
  EXPECT_EQ(detail::parseRetryAfter("-1"), std::nullopt);
  EXPECT_EQ(detail::parseRetryAfter("1.5"), std::nullopt);
  EXPECT_EQ(detail::parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT"), std::nullopt);
  EXPECT_EQ(detail::parseRetryAfter("9999999999"), std::nullopt);  // absurd: ignored
}

TEST(WorkerClientTest, BackoffDoublesWithEqualJitterUpToTheCeiling) {
  RetryPolicy p;
  p.initial_delay = milliseconds(200);
  p.max_delay = milliseconds(1000);
  EXPECT_EQ(detail::backoffDelay(p, 1, 0.0), milliseconds(100));
  EXPECT_EQ(detail::backoffDelay(p, 1, 1.0), milliseconds(200));
  EXPECT_EQ(detail::backoffDelay(p, 2, 0.0), milliseconds(200));
  EXPECT_EQ(detail::backoffDelay(p, 3, 1.0), milliseconds(800));
  EXPECT_EQ(detail::backoffDelay(p, 4, 1.0), milliseconds(1000));  // capped
  EXPECT_EQ(detail::backoffDelay(p, 4, 0.0), milliseconds(500));   // never below half
  EXPECT_EQ(detail::backoffDelay(p, 1000, 1.0), milliseconds(1000));
  EXPECT_EQ(detail::backoffDelay(p, 2, 7.0), milliseconds(400));  // unit clamped to [0, 1]
}

TEST(WorkerClientTest, OnlyTransientAnswersAreRetried) {
  for (const long status : {0L, 429L, 502L, 503L, 504L}) {
    EXPECT_TRUE(detail::retryableStatus(status, "")) << status;
  }
  EXPECT_TRUE(detail::retryableStatus(409, "IDEMPOTENCY_IN_FLIGHT"));
  EXPECT_FALSE(detail::retryableStatus(409, "LEASE_STALE"));
  for (const long status : {400L, 401L, 403L, 404L, 413L, 422L, 500L}) {
    EXPECT_FALSE(detail::retryableStatus(status, "X")) << status;
  }
  EXPECT_TRUE(detail::retryableCurlCode(CURLE_COULDNT_CONNECT));
  EXPECT_TRUE(detail::retryableCurlCode(CURLE_GOT_NOTHING));
  EXPECT_TRUE(detail::retryableCurlCode(CURLE_RECV_ERROR));
  EXPECT_FALSE(detail::retryableCurlCode(CURLE_URL_MALFORMAT));
  EXPECT_FALSE(detail::retryableCurlCode(CURLE_UNSUPPORTED_PROTOCOL));
}

TEST(WorkerClientTest, ErrorsCarryTheEnvelope) {
  const ApiError e = detail::errorFromAnswer(
      409, R"({"error":{"code":"LEASE_STALE","message":"lease 'x' is not current",)"
           R"("traceId":"4bf92f3577b34da6a3ce929d0e0e4736","details":{"jobId":"j"}}})");
  EXPECT_EQ(e.status(), 409);
  EXPECT_EQ(e.code(), "LEASE_STALE");
  EXPECT_EQ(e.message(), "lease 'x' is not current");
  EXPECT_EQ(e.traceId(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(e.details()["jobId"], "j");
  EXPECT_TRUE(e.leaseStale());
  EXPECT_NE(std::string(e.what()).find("4bf92f3577b34da6a3ce929d0e0e4736"), std::string::npos);

  const ApiError proxy = detail::errorFromAnswer(502, "<html>bad gateway</html>");
  EXPECT_EQ(proxy.code(), "HTTP_502");
  EXPECT_EQ(proxy.message(), "<html>bad gateway</html>");
  EXPECT_FALSE(proxy.leaseStale());

  // An envelope of the wrong shape still gives an ApiError, never nlohmann's type_error.
  const ApiError odd = detail::errorFromAnswer(409, R"({"error":{"code":5,"message":["x"]}})");
  EXPECT_EQ(odd.code(), "HTTP_409");
  EXPECT_EQ(odd.message(), "");
  EXPECT_EQ(detail::field(nlohmann::json::array(), "jobId", "none"), "none");
  EXPECT_EQ(detail::field(nlohmann::json{{"attempt", "2"}}, "attempt", 0), 0);
  EXPECT_EQ(detail::field(nlohmann::json{{"attempt", 2}}, "attempt", 0), 2);
}

TEST(WorkerClientTest, CompletionBodiesFollowTheBridge) {
  Completion c;
  c.job_id = "j";
  c.lease_id = "l";
  c.outcome = Outcome::kFailed;
  c.error = JobError{"UPSTREAM_503", "busy", true, 503};
  c.artifacts.push_back({"s3://b/k", "sha256:ab", "application/json", 42});
  c.artifacts.push_back({"s3://b/l", "sha256:cd", "", std::nullopt});
  EXPECT_EQ(detail::completionJson(c), nlohmann::json::parse(R"({"leaseId":"l","status":"failed",
              "error":{"code":"UPSTREAM_503","message":"busy","retryable":true,"httpStatus":503},
              "artifacts":[{"uri":"s3://b/k","digest":"sha256:ab","mediaType":"application/json",
                            "sizeBytes":42},{"uri":"s3://b/l","digest":"sha256:cd"}]})"));
  Completion done;
  done.lease_id = "l";
  EXPECT_EQ(detail::completionJson(done),
            nlohmann::json::parse(R"({"leaseId":"l","status":"succeeded"})"));
  EXPECT_EQ(detail::heartbeatJson(HeartbeatItem{"j", "l", 140, "m"}),
            nlohmann::json::parse(R"({"leaseId":"l","progress":100,"message":"m"})"));
}

TEST(WorkerClientTest, ConnectionLossIsRetriedWithinTheBudgetThenThrown) {
  Options o;
  o.base_url = "http://127.0.0.1:1";  // nothing listens on port 1: connection refused
  o.tenant = "t1";
  o.retry.initial_delay = milliseconds(10);
  o.retry.max_delay = milliseconds(40);
  o.retry.max_elapsed = milliseconds(400);
  std::vector<RetryNotice> notices;
  o.on_retry = [&](const RetryNotice& n) { notices.push_back(n); };
  Client client(o);
  try {
    client.complete(Completion{"j", "l", Outcome::kSucceeded, std::nullopt, {}});
    FAIL() << "expected a TransportError";
  } catch (const TransportError& e) {
    EXPECT_EQ(e.curlCode(), static_cast<int>(CURLE_COULDNT_CONNECT)) << e.what();
  }
  ASSERT_GE(notices.size(), 2u);
  for (size_t i = 0; i < notices.size(); ++i) {
    EXPECT_EQ(notices[i].attempt, static_cast<int>(i) + 1);
    EXPECT_EQ(notices[i].status, 0);
    EXPECT_EQ(notices[i].path, "/worker/jobs/j/complete");
    EXPECT_LE(notices[i].delay, milliseconds(40));
  }
}

TEST(WorkerClientTest, AStopCutsTheBackoffShort) {
  Options o;
  o.base_url = "http://127.0.0.1:1";
  o.tenant = "t1";
  o.retry.max_elapsed = std::chrono::hours(1);
  StopFlag stop;
  o.on_retry = [&](const RetryNotice&) { stop.request(); };
  Client client(o);
  EXPECT_THROW(client.claim(ClaimRequest{{"x"}, 1, 0, ""}, &stop), TransportError);
}

TEST(WorkerClientTest, AnUnusableUrlIsNotRetried) {
  Options o;
  o.base_url = "gopher+nope://127.0.0.1:1";
  o.tenant = "t1";
  int retries = 0;
  o.on_retry = [&](const RetryNotice&) { ++retries; };
  Client client(o);
  EXPECT_THROW(client.claim(ClaimRequest{{"x"}, 1, 0, ""}), TransportError);
  EXPECT_EQ(retries, 0);
}

TEST(WorkerClientTest, OptionsAreChecked) {
  EXPECT_THROW(Client(Options{}), std::invalid_argument);  // no tenant
  Options o;
  o.tenant = "t1";
  WorkerOptions w;
  EXPECT_THROW(Worker(o, w, [](Job&) {}), std::invalid_argument);  // no job types
  w.job_types = {"x"};
  w.concurrency = 0;
  EXPECT_THROW(Worker(o, w, [](Job&) {}), std::invalid_argument);
  w.concurrency = 1;
  EXPECT_THROW(Worker(o, w, Handler()), std::invalid_argument);
  EXPECT_NO_THROW(Worker(o, w, [](Job&) {}));
}

}  // namespace
}  // namespace jobengine::worker
