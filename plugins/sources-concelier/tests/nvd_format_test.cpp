// Unit tests of the NVD CVE API 2.0 page parser against the three-page fixture feed
// (tests/fixtures/feeds/nvd/page-<startIndex>.json) and its malformed variants.
#include "core/nvd_format.hpp"

#include "fixture_files.hpp"

#include <gtest/gtest.h>

namespace jobengine::concelier {
namespace {

using testing::readFixture;

TEST(NvdFormatTest, ExtractsEveryFieldOfACve) {
  NvdPage page;
  const AdvisoryParse parse = parseNvdPage(readFixture("feeds/nvd/page-2.json"), &page);
  ASSERT_FALSE(parse.error) << parse.error->message;
  EXPECT_EQ(page.start_index, 2);
  EXPECT_EQ(page.results_per_page, 2);
  EXPECT_EQ(page.total_results, 5);
  ASSERT_EQ(parse.observations.size(), 2U);
  const AdvisoryObservation& observation = parse.observations[1];
  EXPECT_EQ(observation.advisory_id, "CVE-2026-21807");
  EXPECT_TRUE(observation.aliases.empty());
  EXPECT_EQ(observation.modified, "2026-03-19T02:00:01.557Z");
  EXPECT_EQ(observation.published, "2026-03-11T17:15:44.210Z");
  EXPECT_EQ(observation.summary,
            "fabrikam-yaml before 5.2.1 resolves !!python/object tags in safe_load, allowing "
            "instantiation of arbitrary classes from an untrusted YAML document.");
  EXPECT_EQ(observation.detail, nlohmann::json::parse(R"({
    "vulnStatus": "Analyzed",
    "metrics": [
      {"metric": "cvssMetricV31", "source": "nvd@nist.gov", "type": "Primary", "version": "3.1",
       "baseScore": 9.8, "baseSeverity": "CRITICAL",
       "vectorString": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"},
      {"metric": "cvssMetricV31", "source": "security-advisories@github.com", "type": "Secondary",
       "version": "3.1", "baseScore": 8.1, "baseSeverity": "HIGH",
       "vectorString": "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
    "cisaExploitAdd": "2026-03-16",
    "cisaActionDue": "2026-04-06",
    "cisaRequiredAction": "Apply mitigations per vendor instructions or discontinue use of the product if mitigations are unavailable.",
    "cisaVulnerabilityName": "Fabrikam fabrikam-yaml Deserialization of Untrusted Data Vulnerability"
  })"));
}

TEST(NvdFormatTest, CvssV4AndV31AreBothKeptNewestVersionFirst) {
  const AdvisoryParse parse = parseNvdPage(readFixture("feeds/nvd/page-2.json"), nullptr);
  ASSERT_FALSE(parse.error) << parse.error->message;
  const nlohmann::json& metrics = parse.observations.at(0).detail.at("metrics");
  ASSERT_EQ(metrics.size(), 2U);
  EXPECT_EQ(metrics[0].at("metric"), "cvssMetricV40");
  EXPECT_EQ(metrics[0].at("baseScore"), 7.1);
  EXPECT_EQ(metrics[1].at("metric"), "cvssMetricV31");
  EXPECT_EQ(parse.observations.at(0).detail.at("vulnStatus"), "Modified");
}

TEST(NvdFormatTest, ThePagesTogetherHoldTheFiveCves) {
  std::vector<std::string> ids;
  for (const int start : {0, 2, 4}) {
    NvdPage page;
    const AdvisoryParse parse =
        parseNvdPage(readFixture("feeds/nvd/page-" + std::to_string(start) + ".json"), &page);
    ASSERT_FALSE(parse.error) << parse.error->message;
    EXPECT_EQ(page.start_index, start);
    EXPECT_EQ(page.total_results, 5);
    for (const AdvisoryObservation& observation : parse.observations) {
      ids.push_back(observation.advisory_id);
    }
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"CVE-2025-68113", "CVE-2026-10455", "CVE-2026-19342",
                                           "CVE-2026-21807", "CVE-2026-23001"}));
}

TEST(NvdFormatTest, CvssV2SeverityIsReadBesideCvssData) {
  const AdvisoryParse parse = parseNvdPage(R"({"format": "NVD_CVE", "version": "2.0",
    "resultsPerPage": 1, "startIndex": 0, "totalResults": 1, "vulnerabilities": [{"cve": {
      "id": "CVE-2016-0001", "published": "2016-01-01T00:00:00.000",
      "lastModified": "2016-01-02T00:00:00.000", "descriptions": [],
      "metrics": {"cvssMetricV2": [{"source": "nvd@nist.gov", "type": "Primary",
        "cvssData": {"version": "2.0", "vectorString": "AV:N/AC:L/Au:N/C:P/I:P/A:P",
                     "baseScore": 7.5}, "baseSeverity": "HIGH"}]}}}]})",
                                           nullptr);
  ASSERT_FALSE(parse.error) << parse.error->message;
  const AdvisoryObservation& observation = parse.observations.at(0);
  EXPECT_EQ(observation.summary, "");
  EXPECT_FALSE(observation.detail.contains("vulnStatus"));
  EXPECT_EQ(observation.detail.at("metrics").at(0).at("baseSeverity"), "HIGH");
}

TEST(NvdFormatTest, InvalidJsonIsReportedAndPageUntouched) {
  NvdPage page{-1, -1, -1};
  const AdvisoryParse parse =
      parseNvdPage(readFixture("feeds-malformed/nvd/invalid-json.json"), &page);
  ASSERT_TRUE(parse.error);
  EXPECT_EQ(parse.error->code, "NVD_INVALID_JSON");
  EXPECT_EQ(page.start_index, -1);
}

TEST(NvdFormatTest, MissingLastModifiedIsNamed) {
  const AdvisoryParse parse =
      parseNvdPage(readFixture("feeds-malformed/nvd/missing-lastModified.json"), nullptr);
  ASSERT_TRUE(parse.error);
  EXPECT_EQ(parse.error->code, "NVD_INVALID");
  EXPECT_EQ(parse.error->message, "vulnerabilities[1].cve.lastModified: missing (required)");
  EXPECT_TRUE(parse.observations.empty());  // the valid first cve is not returned either
}

TEST(NvdFormatTest, WrongTypeNamesThePath) {
  const AdvisoryParse parse =
      parseNvdPage(readFixture("feeds-malformed/nvd/baseScore-string.json"), nullptr);
  ASSERT_TRUE(parse.error);
  EXPECT_EQ(parse.error->code, "NVD_INVALID");
  EXPECT_EQ(parse.error->message,
            "vulnerabilities[0].cve.metrics.cvssMetricV31[0].cvssData.baseScore: expected a "
            "number, got a string");
}

TEST(NvdFormatTest, HeaderConstantsAreChecked) {
  EXPECT_EQ(parseNvdPage(R"({"format": "NVD_CPE", "version": "2.0"})", nullptr).error->message,
            "format: expected \"NVD_CVE\", got \"NVD_CPE\"");
  EXPECT_EQ(
      parseNvdPage(R"({"format": "NVD_CVE", "version": "2.0", "resultsPerPage": "2"})", nullptr)
          .error->message,
      "resultsPerPage: expected an integer, got a string");
}

}  // namespace
}  // namespace jobengine::concelier
