// Unit tests of the CSAF 2.0 VEX parser against tests/fixtures/feeds/csaf/ and its malformed
// variants.
#include "core/csaf_vex_format.hpp"

#include "fixture_files.hpp"

#include <gtest/gtest.h>

namespace jobengine::excititor {
namespace {

using testing::readFixture;

TEST(CsafVexFormatTest, ExtractsEveryFieldOfEveryStatement) {
  const VexParse parse = parseCsafVex(readFixture("feeds/csaf/2026/contoso-sa-2026-0007.json"));
  ASSERT_FALSE(parse.error) << parse.error->message;
  ASSERT_EQ(parse.statements.size(), 4U);
  for (const VexStatement& statement : parse.statements) {
    EXPECT_EQ(statement.document_id, "CONTOSO-SA-2026-0007");
    EXPECT_EQ(statement.vulnerability, "CVE-2026-19342");
    EXPECT_EQ(statement.modified, "2026-03-03T11:30:00.000Z");
  }
  // In the order of csafProductStatusTable(): known_not_affected, known_affected, fixed,
  // under_investigation.
  const VexStatement& not_affected = parse.statements[0];
  EXPECT_EQ(not_affected.product, "pkg:generic/contoso/cloud-agent@2.2.5");
  EXPECT_EQ(not_affected.status, "not_affected");
  EXPECT_EQ(not_affected.status_raw, "known_not_affected");
  EXPECT_EQ(not_affected.justification, "vulnerable_code_not_present");
  EXPECT_EQ(not_affected.detail,
            nlohmann::json({{"impact_statement",
                             "Agent 2.2.x bundles contoso-http 0.9, which predates the redirect "
                             "handling."}}));

  const VexStatement& affected = parse.statements[1];
  EXPECT_EQ(affected.product, "pkg:generic/contoso/cloud-agent@2.3.1");
  EXPECT_EQ(affected.status, "affected");
  EXPECT_EQ(affected.status_raw, "known_affected");
  EXPECT_FALSE(affected.justification);
  EXPECT_EQ(affected.detail,
            nlohmann::json({{"action_statement", "Upgrade to Contoso Cloud Agent 2.4.0."}}));

  EXPECT_EQ(parse.statements[2].product, "pkg:generic/contoso/cloud-agent@2.4.0");
  EXPECT_EQ(parse.statements[2].status, "fixed");
  EXPECT_EQ(parse.statements[2].status_raw, "fixed");
  EXPECT_EQ(parse.statements[2].detail, nlohmann::json::object());

  // No purl in its definition: the product id names it.
  EXPECT_EQ(parse.statements[3].product, "CCA-3.0.0-BETA1");
  EXPECT_EQ(parse.statements[3].status, "under_investigation");
}

TEST(CsafVexFormatTest, RelationshipsAndGroupsAreResolved) {
  const VexParse parse = parseCsafVex(readFixture("feeds/csaf/2026/contoso-sa-2026-0001.json"));
  ASSERT_FALSE(parse.error) << parse.error->message;
  ASSERT_EQ(parse.statements.size(), 2U);
  EXPECT_EQ(parse.statements[0].product, "pkg:generic/contoso/document-scanner@5.1");
  EXPECT_EQ(parse.statements[1].product, "pkg:generic/contoso/document-scanner@5.2");
  for (const VexStatement& statement : parse.statements) {
    EXPECT_EQ(statement.document_id, "CONTOSO-SA-2026-0001");
    EXPECT_EQ(statement.vulnerability, "CVE-2025-68113");
    EXPECT_EQ(statement.modified, "2026-01-09T15:45:00Z");
    EXPECT_EQ(statement.justification, "vulnerable_code_cannot_be_controlled_by_adversary");
    EXPECT_TRUE(statement.detail.contains("impact_statement"));
  }
}

TEST(CsafVexFormatTest, InvalidJsonIsReported) {
  const VexParse parse = parseCsafVex(readFixture("feeds-malformed/csaf/invalid-json.json"));
  ASSERT_TRUE(parse.error);
  EXPECT_EQ(parse.error->code, "CSAF_INVALID_JSON");
}

TEST(CsafVexFormatTest, MissingTrackingIdIsNamed) {
  const VexParse parse = parseCsafVex(readFixture("feeds-malformed/csaf/missing-tracking-id.json"));
  ASSERT_TRUE(parse.error);
  EXPECT_EQ(parse.error->code, "CSAF_INVALID");
  EXPECT_EQ(parse.error->message, "document.tracking.id: missing (required)");
}

TEST(CsafVexFormatTest, WrongTypeIsNamed) {
  const VexParse parse = parseCsafVex(readFixture("feeds-malformed/csaf/fixed-not-an-array.json"));
  ASSERT_TRUE(parse.error);
  EXPECT_EQ(parse.error->code, "CSAF_INVALID");
  EXPECT_EQ(parse.error->message,
            "vulnerabilities[0].product_status.fixed: expected an array, got a string");
}

TEST(CsafVexFormatTest, UndefinedProductIdIsNamed) {
  const VexParse parse =
      parseCsafVex(readFixture("feeds-malformed/csaf/undefined-product-id.json"));
  ASSERT_TRUE(parse.error);
  EXPECT_EQ(parse.error->message,
            "vulnerabilities[0].product_status.known_affected[1]: product id \"CCA-2.3.2\" is not "
            "defined in product_tree");
  EXPECT_TRUE(parse.statements.empty());
}

TEST(CsafVexFormatTest, OnlyTheVexProfileIsAccepted) {
  EXPECT_EQ(parseCsafVex(R"({"document": {"category": "csaf_security_advisory"}})").error->message,
            "document.category: expected \"csaf_vex\", got \"csaf_security_advisory\"");
  EXPECT_EQ(parseCsafVex(R"({"document": {"category": "csaf_vex", "csaf_version": "2.1"}})")
                .error->message,
            "document.csaf_version: expected \"2.0\", got \"2.1\"");
}

}  // namespace
}  // namespace jobengine::excititor
