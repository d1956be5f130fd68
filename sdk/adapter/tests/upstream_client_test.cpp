// Tests of the fetcher and the upstream client (fetcher.hpp, upstream_client.hpp) against the
// real local test upstream (tests/support/feed_upstream.hpp) and real files: status handling,
// conditional requests, budget reports, timeouts, the size cap, egress denials with no network
// activity, and budget refusals with no request made.
#include "jobengine/adapter/upstream_client.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "feed_upstream.hpp"
#include "jobengine/adapter/sha256.hpp"
#include "test_mirror.hpp"

namespace jobengine::adapter {
namespace {

using jobengine::testing::FeedUpstream;

// Records every acquire and report; grants unless told otherwise. Thread-safe.
class RecordingBudget : public RequestBudget {
 public:
  struct Report {
    std::string host;
    int status;
    std::optional<int64_t> retry_after_seconds;
  };
  BudgetGrant acquire(const std::string& host) override {
    const std::lock_guard<std::mutex> lock(mutex_);
    acquires.push_back(host);
    return grant;
  }
  void report(const std::string& host, int status, std::optional<int64_t> retry_after) override {
    const std::lock_guard<std::mutex> lock(mutex_);
    reports.push_back(Report{host, status, retry_after});
  }
  BudgetGrant grant{true, "", std::nullopt};
  std::vector<std::string> acquires;
  std::vector<Report> reports;

 private:
  std::mutex mutex_;
};

class UpstreamClientTest : public ::testing::Test {
 protected:
  void SetUp() override { upstream_.start(); }
  FetchRequest get(const std::string& path) const { return requestFor(upstream_.url(path)); }
  UpstreamClient client(std::vector<std::string> allowlist = {"127.0.0.1"}, bool airgap = false) {
    return UpstreamClient(EgressGuard{std::move(allowlist), airgap}, budget_);
  }

  test::TestMirror mirror_;
  FeedUpstream upstream_{mirror_.root()};
  RecordingBudget budget_;
};

TEST_F(UpstreamClientTest, Answers200WithEtagAndReportsTheStatus) {
  const auto r = client().fetch(get("osv/PyPI/GHSA-aaaa-bbbb-cccc.json"));
  ASSERT_TRUE(r.ok()) << r.error_code << ": " << r.error_message;
  EXPECT_EQ(r.status, 200);
  EXPECT_FALSE(r.not_modified);
  EXPECT_EQ(r.body, R"({"id":"GHSA-aaaa-bbbb-cccc","modified":"x"})");
  EXPECT_EQ(r.etag, "\"" + sha256Hex(r.body) + "\"");
  ASSERT_TRUE(r.last_modified);
  EXPECT_EQ(r.last_modified->size(), 29U) << *r.last_modified;
  EXPECT_EQ(budget_.acquires, std::vector<std::string>{"127.0.0.1"});
  ASSERT_EQ(budget_.reports.size(), 1U);
  EXPECT_EQ(budget_.reports[0].host, "127.0.0.1");
  EXPECT_EQ(budget_.reports[0].status, 200);
  EXPECT_FALSE(budget_.reports[0].retry_after_seconds);
}

TEST_F(UpstreamClientTest, ConditionalRequestsAnswer304WithoutBody) {
  const auto first = client().fetch(get("osv/PyPI/modified_id.csv"));
  ASSERT_TRUE(first.ok()) << first.error_message;
  ASSERT_TRUE(first.etag && first.last_modified);

  auto by_etag = get("osv/PyPI/modified_id.csv");
  by_etag.if_none_match = first.etag;
  const auto r = client().fetch(by_etag);
  EXPECT_TRUE(r.ok()) << r.error_message;
  EXPECT_EQ(r.status, 304);
  EXPECT_TRUE(r.not_modified);
  EXPECT_TRUE(r.body.empty());

  auto by_date = get("osv/PyPI/modified_id.csv");
  by_date.if_modified_since = first.last_modified;
  EXPECT_EQ(client().fetch(by_date).status, 304);

  auto stale = get("osv/PyPI/modified_id.csv");
  stale.if_none_match = "\"something-else\"";
  EXPECT_EQ(client().fetch(stale).status, 200);

  const auto log = upstream_.requests();
  ASSERT_EQ(log.size(), 4U);
  EXPECT_EQ(log[1].if_none_match, first.etag);
  EXPECT_EQ(log[1].status, 304);
  EXPECT_EQ(log[2].if_modified_since, first.last_modified);
  EXPECT_EQ(log[2].status, 304);
  ASSERT_EQ(budget_.reports.size(), 4U);
  EXPECT_EQ(budget_.reports[1].status, 304);
}

TEST_F(UpstreamClientTest, TooManyRequestsIsTransientAndReportsRetryAfter) {
  upstream_.failNext("/osv/", 429, 1, 1);
  const auto r = client().fetch(get("osv/PyPI/modified_id.csv"));
  EXPECT_EQ(r.error_code, "UPSTREAM_STATUS");
  EXPECT_EQ(r.status, 429);
  EXPECT_TRUE(r.transient);
  EXPECT_EQ(r.retry_after_seconds, 1);
  ASSERT_TRUE(r.retry_at);
  EXPECT_GT(*r.retry_at, std::chrono::system_clock::now());
  EXPECT_NE(r.error_message.find("answered 429 (Retry-After: 1 s)"), std::string::npos)
      << r.error_message;
  ASSERT_EQ(budget_.reports.size(), 1U);
  EXPECT_EQ(budget_.reports[0].status, 429);
  EXPECT_EQ(budget_.reports[0].retry_after_seconds, 1);
  // The rule was for one request only.
  EXPECT_TRUE(client().fetch(get("osv/PyPI/modified_id.csv")).ok());
}

TEST_F(UpstreamClientTest, ServerErrorsAreTransientOther4xxPermanent) {
  upstream_.failNext("/kev/", 500, 1);
  const auto r500 = client().fetch(get("kev/known_exploited_vulnerabilities.json"));
  EXPECT_EQ(r500.error_code, "UPSTREAM_STATUS");
  EXPECT_EQ(r500.status, 500);
  EXPECT_TRUE(r500.transient);
  upstream_.failNext("/kev/", 503, 1);
  EXPECT_TRUE(client().fetch(get("kev/known_exploited_vulnerabilities.json")).transient);

  const auto r404 = client().fetch(get("kev/missing.json"));
  EXPECT_EQ(r404.error_code, "UPSTREAM_STATUS");
  EXPECT_EQ(r404.status, 404);
  EXPECT_FALSE(r404.transient);
  upstream_.failNext("/kev/", 403, 1);
  EXPECT_FALSE(client().fetch(get("kev/known_exploited_vulnerabilities.json")).transient);
  EXPECT_EQ(budget_.reports.size(), 4U);
}

TEST_F(UpstreamClientTest, SlowResponseTimesOut) {
  upstream_.setDelay("/kev/", std::chrono::milliseconds(3000));
  auto request = get("kev/known_exploited_vulnerabilities.json");
  request.timeout = std::chrono::milliseconds(300);
  const auto started = std::chrono::steady_clock::now();
  const auto r = client().fetch(request);
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(r.error_code, "FETCH_TIMEOUT") << r.error_message;
  EXPECT_TRUE(r.transient);
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.error_message.find("timeout 300 ms"), std::string::npos) << r.error_message;
  EXPECT_LT(took, std::chrono::milliseconds(2000));
  EXPECT_TRUE(budget_.reports.empty()) << "an unanswered request is not reported";
}

TEST_F(UpstreamClientTest, BodyOverTheCapIsRefused) {
  auto request = get("osv/PyPI/modified_id.csv");
  request.max_bytes = 10;
  const auto r = client().fetch(request);
  EXPECT_EQ(r.error_code, "FETCH_TOO_LARGE") << r.error_message;
  EXPECT_FALSE(r.transient);
  EXPECT_NE(r.error_message.find("cap of 10 bytes"), std::string::npos) << r.error_message;
}

TEST_F(UpstreamClientTest, ConnectionRefusedIsTransient) {
  FeedUpstream gone(mirror_.root());
  gone.start();
  const std::string url = gone.url("kev/known_exploited_vulnerabilities.json");
  gone.stop();
  auto request = requestFor(url);
  request.timeout = std::chrono::milliseconds(2000);
  const auto r = client().fetch(request);
  EXPECT_EQ(r.error_code, "FETCH_CONNECT") << r.error_message;
  EXPECT_TRUE(r.transient);
}

TEST_F(UpstreamClientTest, FileUrisReadTheMirrorAndAnswerConditionals) {
  // Air-gapped with an empty allowlist: file:// still works, and never touches the budget.
  const UpstreamClient offline = client({}, true);
  const auto r = offline.fetch(requestFor(mirror_.fileUri("osv/PyPI/modified_id.csv")));
  ASSERT_TRUE(r.ok()) << r.error_code << ": " << r.error_message;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.etag, "\"" + sha256Digest(r.body) + "\"");
  ASSERT_TRUE(r.last_modified);
  EXPECT_NE(r.body.find("GHSA-aaaa-bbbb-cccc"), std::string::npos);

  auto again = requestFor(mirror_.fileUri("osv/PyPI/modified_id.csv"));
  again.if_none_match = r.etag;
  const auto cached = offline.fetch(again);
  EXPECT_TRUE(cached.ok());
  EXPECT_EQ(cached.status, 304);
  EXPECT_TRUE(cached.not_modified);
  EXPECT_TRUE(cached.body.empty());

  auto by_date = requestFor(mirror_.fileUri("osv/PyPI/modified_id.csv"));
  by_date.if_modified_since = r.last_modified;
  EXPECT_EQ(offline.fetch(by_date).status, 304);

  const auto missing = offline.fetch(requestFor(mirror_.fileUri("osv/nope.json")));
  EXPECT_EQ(missing.error_code, "FETCH_FILE_NOT_FOUND");
  EXPECT_FALSE(missing.transient);
  EXPECT_NE(missing.error_message.find("osv/nope.json"), std::string::npos);

  auto capped = requestFor(mirror_.fileUri("osv/PyPI/modified_id.csv"));
  capped.max_bytes = 4;
  EXPECT_EQ(offline.fetch(capped).error_code, "FETCH_TOO_LARGE");

  EXPECT_TRUE(budget_.acquires.empty());
  EXPECT_TRUE(budget_.reports.empty());
}

TEST_F(UpstreamClientTest, EgressDenialsMakeNoNetworkActivity) {
  const auto not_listed =
      client({"api.osv.dev"}).fetch(get("kev/known_exploited_vulnerabilities.json"));
  EXPECT_EQ(not_listed.error_code, "EGRESS_NOT_ALLOWED");
  EXPECT_FALSE(not_listed.transient);
  EXPECT_NE(not_listed.error_message.find("127.0.0.1"), std::string::npos);
  EXPECT_NE(not_listed.error_message.find("[api.osv.dev]"), std::string::npos);

  const auto airgap =
      client({"127.0.0.1"}, true).fetch(get("kev/known_exploited_vulnerabilities.json"));
  EXPECT_EQ(airgap.error_code, "EGRESS_AIRGAP");
  EXPECT_FALSE(airgap.transient);

  const auto empty = client({}).fetch(get("kev/known_exploited_vulnerabilities.json"));
  EXPECT_EQ(empty.error_code, "EGRESS_NOT_ALLOWED");

  EXPECT_EQ(upstream_.acceptedConnections(), 0);
  EXPECT_TRUE(upstream_.requests().empty());
  EXPECT_TRUE(budget_.acquires.empty()) << "the guard runs before the budget";
}

TEST_F(UpstreamClientTest, BudgetRefusalMakesNoRequest) {
  const auto at = std::chrono::system_clock::now() + std::chrono::seconds(30);
  budget_.grant = BudgetGrant{false, "host budget 10/min spent", at};
  const auto r = client().fetch(get("kev/known_exploited_vulnerabilities.json"));
  EXPECT_EQ(r.error_code, "RATE_LIMITED");
  EXPECT_TRUE(r.transient);
  EXPECT_EQ(r.retry_at, at);
  EXPECT_NE(r.error_message.find("host budget 10/min spent"), std::string::npos);
  EXPECT_EQ(budget_.acquires, std::vector<std::string>{"127.0.0.1"});
  EXPECT_TRUE(budget_.reports.empty());
  EXPECT_EQ(upstream_.acceptedConnections(), 0);
}

TEST_F(UpstreamClientTest, RedirectsAreFollowedHopByHopThroughGuardAndBudget) {
  upstream_.redirect("/old/kev.json", upstream_.url("kev/known_exploited_vulnerabilities.json"));
  const auto r = client().fetch(get("old/kev.json"));
  ASSERT_TRUE(r.ok()) << r.error_code << ": " << r.error_message;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.redirects, 1);
  EXPECT_EQ(r.final_uri, upstream_.url("kev/known_exploited_vulnerabilities.json"));
  EXPECT_EQ(budget_.acquires.size(), 2U);
  ASSERT_EQ(budget_.reports.size(), 2U);
  EXPECT_EQ(budget_.reports[0].status, 302);

  // "localhost" is the same server but not on the allowlist: refused before connecting.
  upstream_.clearLog();
  upstream_.redirect("/away.json", "http://localhost:" + std::to_string(upstream_.port()) +
                                       "/kev/known_exploited_vulnerabilities.json");
  const auto away = client().fetch(get("away.json"));
  EXPECT_EQ(away.error_code, "EGRESS_NOT_ALLOWED");
  EXPECT_NE(away.error_message.find("redirect 1 of"), std::string::npos) << away.error_message;
  EXPECT_EQ(upstream_.acceptedConnections(), 1);

  upstream_.redirect("/file.json", "file:///etc/passwd");
  EXPECT_EQ(client().fetch(get("file.json")).error_code, "FETCH_REDIRECT_REFUSED");

  upstream_.redirect("/loop.json", "/loop.json", 307);
  const auto loop = client().fetch(get("loop.json"));
  EXPECT_EQ(loop.error_code, "FETCH_TOO_MANY_REDIRECTS");
  EXPECT_EQ(loop.redirects, kMaxRedirects);
}

TEST_F(UpstreamClientTest, HeaderInjectionIsRefusedBeforeSending) {
  auto request = get("kev/known_exploited_vulnerabilities.json");
  request.headers = {{"X-Trace", "a\r\nX-Evil: 1"}};
  const auto r = client().fetch(request);
  EXPECT_EQ(r.error_code, "FETCH_BAD_HEADER") << r.error_message;
  EXPECT_NE(r.error_message.find("'X-Trace'"), std::string::npos) << r.error_message;
  EXPECT_FALSE(r.transient);
  auto etag = get("kev/known_exploited_vulnerabilities.json");
  etag.if_none_match = "\"x\"\nX-Evil: 1";
  EXPECT_EQ(client().fetch(etag).error_code, "FETCH_BAD_HEADER");
  EXPECT_EQ(upstream_.acceptedConnections(), 0);
  EXPECT_TRUE(budget_.acquires.empty()) << "a request never sent takes no budget";
}

TEST_F(UpstreamClientTest, OneClientServesManyThreads) {
  const UpstreamClient shared = client();
  constexpr int kThreads = 6;
  constexpr int kEach = 5;
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        const auto r = shared.fetch(get("osv/PyPI/modified_id.csv"));
        ok.fetch_add(r.ok() && r.status == 200 ? 1 : 0);
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(ok.load(), kThreads * kEach);
  EXPECT_EQ(budget_.reports.size(), static_cast<size_t>(kThreads * kEach));
  EXPECT_EQ(upstream_.acceptedConnections(), kThreads * kEach);
}

TEST(UpstreamStatus, Classification) {
  for (const int s : {408, 425, 429, 500, 502, 503, 504, 599}) {
    EXPECT_TRUE(isTransientStatus(s)) << s;
  }
  for (const int s : {200, 304, 400, 401, 403, 404, 410, 422}) {
    EXPECT_FALSE(isTransientStatus(s)) << s;
  }
}

TEST(Fetcher, RefusesInvalidUris) {
  const auto r = fetchOnce(requestFor("ftp://example.com/x"));
  EXPECT_EQ(r.error_code, "URI_INVALID");
  EXPECT_NE(r.error_message.find("unsupported scheme 'ftp'"), std::string::npos);
}

}  // namespace
}  // namespace jobengine::adapter
