// Tests of the local test upstream itself (tests/support/feed_upstream.hpp, feed_mirror.hpp):
// the NVD 2.0 emulation, path traversal, overridden bodies and the request log. Kept with the
// adapter tests because the adapter kit is what it stands in front of.
#include "feed_upstream.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "feed_mirror.hpp"
#include "jobengine/adapter/fetcher.hpp"
#include "test_mirror.hpp"

namespace jobengine::testing {
namespace {

using adapter::fetchOnce;
using adapter::requestFor;

std::vector<std::string> ids(const nlohmann::json& page) {
  std::vector<std::string> out;
  for (const auto& v : page["vulnerabilities"]) {
    out.push_back(v["cve"]["id"].get<std::string>());
  }
  return out;
}

class FeedUpstreamTest : public ::testing::Test {
 protected:
  void SetUp() override { upstream_.start(); }
  nlohmann::json nvd(const std::string& query) {
    const auto r = fetchOnce(requestFor(upstream_.url(std::string(kNvdApiPath) + "?" + query)));
    EXPECT_EQ(r.status, 200) << query << ": " << r.body;
    return nlohmann::json::parse(r.body, nullptr, false);
  }

  adapter::test::TestMirror mirror_;
  FeedUpstream upstream_{mirror_.root()};
};

TEST_F(FeedUpstreamTest, NvdApiSlicesAllPagesInOrder) {
  const auto all = nvd("");
  EXPECT_EQ(all["totalResults"], 3);
  EXPECT_EQ(all["resultsPerPage"], 3);
  EXPECT_EQ(all["format"], "NVD_CVE");
  EXPECT_EQ(all["version"], "2.0");
  EXPECT_TRUE(all["timestamp"].is_string());
  EXPECT_EQ(ids(all),
            (std::vector<std::string>{"CVE-2024-0001", "CVE-2024-0002", "CVE-2024-0003"}));

  const auto second = nvd("startIndex=1&resultsPerPage=1");
  EXPECT_EQ(second["startIndex"], 1);
  EXPECT_EQ(second["totalResults"], 3);
  EXPECT_EQ(ids(second), std::vector<std::string>{"CVE-2024-0002"});
  EXPECT_TRUE(ids(nvd("startIndex=5")).empty());
}

TEST_F(FeedUpstreamTest, NvdApiFiltersByLastModified) {
  const auto window = nvd(
      "lastModStartDate=2024-01-15T00:00:00.000&lastModEndDate=2024-03-01T12:00:00.000%2B00:00");
  EXPECT_EQ(window["totalResults"], 2);
  EXPECT_EQ(ids(window), (std::vector<std::string>{"CVE-2024-0002", "CVE-2024-0003"}));
  EXPECT_EQ(ids(nvd("cveId=CVE-2024-0003")), std::vector<std::string>{"CVE-2024-0003"});

  const std::string api = kNvdApiPath;
  EXPECT_EQ(
      fetchOnce(requestFor(upstream_.url(api + "?lastModStartDate=2024-01-01T00:00:00"))).status,
      400);
  EXPECT_EQ(fetchOnce(requestFor(upstream_.url(api + "?resultsPerPage=5000"))).status, 400);
  const auto unknown = fetchOnce(requestFor(upstream_.url(api + "?keywordSearch=x")));
  EXPECT_EQ(unknown.status, 400);
  EXPECT_NE(unknown.body.find("unsupported parameter 'keywordSearch'"), std::string::npos);
}

TEST_F(FeedUpstreamTest, RefusesTraversalAndAnswersMissingWith404) {
  const MirrorRequest escape{"GET", "/../etc/passwd", std::nullopt, std::nullopt};
  EXPECT_EQ(answerMirror(mirror_.root(), escape).status, 400);
  const MirrorRequest encoded{"GET", "/osv/%2e%2e/%2e%2e/x", std::nullopt, std::nullopt};
  EXPECT_EQ(answerMirror(mirror_.root(), encoded).status, 400);
  const MirrorRequest dir{"GET", "/osv/PyPI", std::nullopt, std::nullopt};
  EXPECT_EQ(answerMirror(mirror_.root(), dir).status, 404);
  const MirrorRequest post{"POST", "/kev/known_exploited_vulnerabilities.json", std::nullopt,
                           std::nullopt};
  EXPECT_EQ(answerMirror(mirror_.root(), post).status, 405);
  EXPECT_EQ(fetchOnce(requestFor(upstream_.url("nope.json"))).status, 404);
  const auto csv = answerMirror(mirror_.root(), MirrorRequest{"GET", "/osv/PyPI/modified_id.csv",
                                                              std::nullopt, std::nullopt});
  EXPECT_EQ(csv.status, 200);
  bool csv_type = false;
  for (const auto& [name, value] : csv.headers) {
    csv_type = csv_type || (name == "Content-Type" && value == "text/csv");
  }
  EXPECT_TRUE(csv_type);
}

TEST_F(FeedUpstreamTest, OverrideBodyServesMalformedBytesAndTheLogRecordsIt) {
  upstream_.overrideBody("/kev/known_exploited_vulnerabilities.json", "{not json");
  const auto r = fetchOnce(requestFor(upstream_.url("kev/known_exploited_vulnerabilities.json")));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{not json");
  auto conditional = requestFor(upstream_.url("kev/known_exploited_vulnerabilities.json"));
  conditional.if_none_match = r.etag;
  EXPECT_EQ(fetchOnce(conditional).status, 304);

  const auto log = upstream_.requests();
  ASSERT_EQ(log.size(), 2U);
  EXPECT_EQ(log[0].method, "GET");
  EXPECT_EQ(log[0].target, "/kev/known_exploited_vulnerabilities.json");
  EXPECT_EQ(log[0].status, 200);
  EXPECT_EQ(log[1].if_none_match, r.etag);
  EXPECT_EQ(upstream_.acceptedConnections(), 2);

  upstream_.clearFaults();
  upstream_.clearLog();
  EXPECT_NE(fetchOnce(requestFor(upstream_.url("kev/known_exploited_vulnerabilities.json"))).body,
            "{not json");
  EXPECT_EQ(upstream_.requests().size(), 1U);
  EXPECT_EQ(upstream_.acceptedConnections(), 1);
}

}  // namespace
}  // namespace jobengine::testing
