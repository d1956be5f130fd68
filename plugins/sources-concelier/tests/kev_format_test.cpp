// Unit tests of the CISA KEV catalog parser against tests/fixtures/feeds/kev/ and its malformed
// variants.
#include "core/kev_format.hpp"

#include "fixture_files.hpp"

#include <gtest/gtest.h>

namespace jobengine::concelier {
namespace {

using testing::readFixture;

TEST(KevFormatTest, ExtractsEveryFieldOfAnEntry) {
  const AdvisoryParse parse =
      parseKevCatalog(readFixture("feeds/kev/known_exploited_vulnerabilities.json"));
  ASSERT_FALSE(parse.error) << parse.error->message;
  ASSERT_EQ(parse.observations.size(), 4U);
  const AdvisoryObservation& observation = parse.observations[0];
  EXPECT_EQ(observation.advisory_id, "CVE-2026-23001");
  EXPECT_TRUE(observation.aliases.empty());
  EXPECT_EQ(observation.modified, "2026-03-19T00:00:00Z");  // dateAdded, see kev_format.hpp
  EXPECT_FALSE(observation.published);
  EXPECT_EQ(observation.summary, "Adatum Gateway Path Traversal Vulnerability");
  EXPECT_EQ(observation.detail, nlohmann::json::parse(R"({
    "vendorProject": "Adatum", "product": "Adatum Gateway", "dateAdded": "2026-03-19",
    "dueDate": "2026-04-09",
    "requiredAction": "Apply mitigations per vendor instructions, follow applicable BOD 22-01 guidance for cloud services, or discontinue use of the product if mitigations are unavailable.",
    "knownRansomwareCampaignUse": "Known"})"));
  EXPECT_EQ(parse.observations[3].advisory_id, "CVE-2025-68113");
  EXPECT_EQ(parse.observations[3].modified, "2026-01-12T00:00:00Z");
}

TEST(KevFormatTest, InvalidJsonIsReported) {
  const AdvisoryParse parse = parseKevCatalog(readFixture("feeds-malformed/kev/invalid-json.json"));
  ASSERT_TRUE(parse.error);
  EXPECT_EQ(parse.error->code, "KEV_INVALID_JSON");
}

TEST(KevFormatTest, MissingCveIdIsNamed) {
  const AdvisoryParse parse =
      parseKevCatalog(readFixture("feeds-malformed/kev/missing-cveID.json"));
  ASSERT_TRUE(parse.error);
  EXPECT_EQ(parse.error->code, "KEV_INVALID");
  EXPECT_EQ(parse.error->message, "vulnerabilities[2].cveID: missing (required)");
  EXPECT_TRUE(parse.observations.empty());
}

TEST(KevFormatTest, WrongTypeIsNamed) {
  const AdvisoryParse parse =
      parseKevCatalog(readFixture("feeds-malformed/kev/vulnerabilities-not-an-array.json"));
  ASSERT_TRUE(parse.error);
  EXPECT_EQ(parse.error->code, "KEV_INVALID");
  EXPECT_EQ(parse.error->message, "vulnerabilities: expected an array, got an object");
}

TEST(KevFormatTest, TitleIsOptionalAsInTheSchema) {
  const AdvisoryParse parse = parseKevCatalog(
      R"({"catalogVersion": "1", "dateReleased": "2026-01-01T00:00:00Z", "count": 0,
          "vulnerabilities": []})");
  EXPECT_FALSE(parse.error);
  EXPECT_EQ(parseKevCatalog(R"({"title": 1})").error->message,
            "title: expected a string, got a number");
}

TEST(KevFormatTest, CountMustMatchAndDatesMustBeDates) {
  EXPECT_EQ(parseKevCatalog(R"({"title": "t", "catalogVersion": "1",
                                "dateReleased": "2026-01-01T00:00:00Z", "count": 2,
                                "vulnerabilities": []})")
                .error->message,
            "count: says 2 but vulnerabilities has 0 entries");
  EXPECT_EQ(parseKevCatalog(R"({"title": "t", "catalogVersion": "1",
                                "dateReleased": "2026-01-01T00:00:00Z", "count": 1,
                                "vulnerabilities": [{"cveID": "CVE-1", "dateAdded": "03/19/2026"}]})")
                .error->message,
            "vulnerabilities[0].dateAdded: expected a date YYYY-MM-DD, got \"03/19/2026\"");
}

}  // namespace
}  // namespace jobengine::concelier
