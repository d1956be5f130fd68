// Unit tests of the CycloneDX VEX parser against tests/fixtures/feeds/cyclonedx/ and its malformed
// variants.
#include "core/cyclonedx_vex_format.hpp"

#include "fixture_files.hpp"

#include <gtest/gtest.h>

namespace jobengine::excititor {
namespace {

using testing::readFixture;

TEST(CycloneDxVexFormatTest, ExtractsEveryFieldOfEveryStatement) {
  const VexParse parse =
      parseCycloneDxVex(readFixture("feeds/cyclonedx/2026/litware-reader-8.4.0.cdx.json"));
  ASSERT_FALSE(parse.error) << parse.error->message;
  ASSERT_EQ(parse.statements.size(), 4U);  // 1 + 2 affects + 1
  for (const VexStatement& statement : parse.statements) {
    EXPECT_EQ(statement.document_id, "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79");
    EXPECT_EQ(statement.modified, "2026-03-17T13:02:45Z");
  }
  const VexStatement& not_affected = parse.statements[0];
  EXPECT_EQ(not_affected.vulnerability, "CVE-2025-68113");
  EXPECT_EQ(not_affected.product, "pkg:pypi/litware-imaging@9.0.1");
  EXPECT_EQ(not_affected.status, "not_affected");
  EXPECT_EQ(not_affected.status_raw, "not_affected");
  EXPECT_EQ(not_affected.justification, "code_not_reachable");
  EXPECT_EQ(not_affected.detail,
            nlohmann::json({{"detail",
                             "litware-reader opens only JPEG and PNG; the TIFF decoder is never "
                             "called."}}));

  const VexStatement& exploitable = parse.statements[1];
  EXPECT_EQ(exploitable.vulnerability, "CVE-2026-10455");
  EXPECT_EQ(exploitable.product, "pkg:pypi/tailspin-jwt@2.0.4");  // bom-ref resolved to purl
  EXPECT_EQ(exploitable.status, "affected");
  EXPECT_EQ(exploitable.status_raw, "exploitable");
  EXPECT_FALSE(exploitable.justification);
  EXPECT_EQ(exploitable.detail.at("response"),
            nlohmann::json::array({"update", "workaround_available"}));
  EXPECT_EQ(parse.statements[2].product, "pkg:pypi/litware-reader@8.4.0");  // metadata.component

  const VexStatement& resolved = parse.statements[3];
  EXPECT_EQ(resolved.vulnerability, "GHSA-mx3p-j9fq-7wgr");
  EXPECT_EQ(resolved.product, "pkg:pypi/tailspin-jwt-crypto@2.0.4");  // a nested component
  EXPECT_EQ(resolved.status, "fixed");
  EXPECT_EQ(resolved.status_raw, "resolved");
}

TEST(CycloneDxVexFormatTest, RefsWithoutPurlStayAsWritten) {
  const VexParse parse =
      parseCycloneDxVex(readFixture("feeds/cyclonedx/2026/fabrikam-notes-1.12.0.cdx.json"));
  ASSERT_FALSE(parse.error) << parse.error->message;
  ASSERT_EQ(parse.statements.size(), 3U);
  EXPECT_EQ(parse.statements[0].product, "pkg:pypi/northwind-orm@3.4.1");
  EXPECT_EQ(parse.statements[0].status_raw, "resolved_with_pedigree");
  EXPECT_EQ(parse.statements[0].status, "fixed");
  EXPECT_EQ(parse.statements[1].product, "fabrikam-notes");  // metadata.component has no purl
  EXPECT_EQ(parse.statements[1].status_raw, "false_positive");
  EXPECT_EQ(parse.statements[1].status, "not_affected");
  EXPECT_EQ(parse.statements[2].product,
            "urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/3#litware-reader");  // a BOM-Link
  EXPECT_EQ(parse.statements[2].status, "under_investigation");
  EXPECT_EQ(parse.statements[2].detail, nlohmann::json::object());
  EXPECT_EQ(parse.statements[2].modified, "2026-02-11T07:30:00Z");
}

TEST(CycloneDxVexFormatTest, InvalidJsonIsReported) {
  const VexParse parse =
      parseCycloneDxVex(readFixture("feeds-malformed/cyclonedx/invalid-json.json"));
  ASSERT_TRUE(parse.error);
  EXPECT_EQ(parse.error->code, "CYCLONEDX_INVALID_JSON");
}

TEST(CycloneDxVexFormatTest, MissingStateIsNamed) {
  const VexParse parse =
      parseCycloneDxVex(readFixture("feeds-malformed/cyclonedx/missing-analysis-state.json"));
  ASSERT_TRUE(parse.error);
  EXPECT_EQ(parse.error->code, "CYCLONEDX_INVALID");
  EXPECT_EQ(parse.error->message, "vulnerabilities[2].analysis.state: missing (required)");
  EXPECT_TRUE(parse.statements.empty());
}

TEST(CycloneDxVexFormatTest, WrongTypeIsNamed) {
  const VexParse parse =
      parseCycloneDxVex(readFixture("feeds-malformed/cyclonedx/affects-ref-number.json"));
  ASSERT_TRUE(parse.error);
  EXPECT_EQ(parse.error->code, "CYCLONEDX_INVALID");
  EXPECT_EQ(parse.error->message,
            "vulnerabilities[0].affects[0].ref: expected a string, got a number");
}

TEST(CycloneDxVexFormatTest, HeaderAndStateAreChecked) {
  EXPECT_EQ(parseCycloneDxVex(R"({"bomFormat": "SPDX"})").error->message,
            "bomFormat: expected \"CycloneDX\", got \"SPDX\"");
  EXPECT_EQ(parseCycloneDxVex(R"({"bomFormat": "CycloneDX", "specVersion": "1.3"})").error->message,
            "specVersion: expected one of 1.4, 1.5, 1.6, got \"1.3\"");
  EXPECT_EQ(parseCycloneDxVex(R"({"bomFormat": "CycloneDX", "specVersion": "1.6",
      "serialNumber": "urn:uuid:x", "metadata": {"timestamp": "2026-01-01T00:00:00Z"},
      "vulnerabilities": [{"id": "CVE-1", "analysis": {"state": "fixed"}, "affects": []}]})")
                .error->message,
            "vulnerabilities[0].analysis.state: expected one of not_affected, false_positive, "
            "exploitable, resolved, resolved_with_pedigree, in_triage, got \"fixed\"");
}

}  // namespace
}  // namespace jobengine::excititor
