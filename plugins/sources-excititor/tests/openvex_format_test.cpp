// Unit tests of the OpenVEX 0.2.0 parser against tests/fixtures/feeds/openvex/ and its malformed
// variants.
#include "core/openvex_format.hpp"

#include "fixture_files.hpp"

#include <gtest/gtest.h>

namespace jobengine::excititor {
namespace {

using testing::readFixture;

constexpr const char* kGateway426 =
    "pkg:oci/"
    "adatum-gateway@sha256%3A6f1e3c9a52d0b8e4a7c2f9d1b3e5a7c9d2f4b6a8c0e2d4f6a8b0c2d4e6f8a0b2"
    "?repository_url=registry.example.com%2Fadatum%2Fgateway&tag=4.2.6";
constexpr const char* kGateway427 =
    "pkg:oci/"
    "adatum-gateway@sha256%3A0c4d8e2f6a1b5c9d3e7f1a5b9c3d7e1f5a9b3c7d1e5f9a3b7c1d5e9f3a7b1c5d"
    "?repository_url=registry.example.com%2Fadatum%2Fgateway&tag=4.2.7";

TEST(OpenVexFormatTest, ExtractsEveryFieldOfEveryStatement) {
  const VexParse parse = parseOpenVex(readFixture("feeds/openvex/2026/adt-vex-2026-0003.json"));
  ASSERT_FALSE(parse.error) << parse.error->message;
  ASSERT_EQ(parse.statements.size(), 4U);  // 2 products + 1 + 1
  const std::string document_id = "https://vex.example.com/adatum/ADT-VEX-2026-0003";

  const VexStatement& first = parse.statements[0];
  EXPECT_EQ(first.document_id, document_id);
  EXPECT_EQ(first.vulnerability, "CVE-2026-21807");
  EXPECT_EQ(first.product, kGateway426);
  EXPECT_EQ(first.status, "not_affected");
  EXPECT_EQ(first.status_raw, "not_affected");
  EXPECT_EQ(first.justification, "vulnerable_code_not_in_execute_path");
  EXPECT_EQ(first.modified, "2026-03-19T22:40:00Z");  // the statement's own timestamp
  EXPECT_EQ(
      first.detail,
      nlohmann::json({{"status_notes",
                       "Adatum Gateway parses only its own configuration with fabrikam-yaml, "
                       "through yaml.CSafeLoader, which never resolves python/object tags."}}));
  EXPECT_EQ(parse.statements[1].product, kGateway427);
  EXPECT_EQ(parse.statements[1].vulnerability, "CVE-2026-21807");

  const VexStatement& affected = parse.statements[2];
  EXPECT_EQ(affected.vulnerability, "CVE-2026-23001");
  EXPECT_EQ(affected.status, "affected");
  EXPECT_FALSE(affected.justification);
  EXPECT_EQ(
      affected.detail.at("action_statement"),
      "Upgrade to Adatum Gateway 4.2.7, or block /export at the reverse proxy until you can.");

  const VexStatement& fixed = parse.statements[3];
  EXPECT_EQ(fixed.product, kGateway427);
  EXPECT_EQ(fixed.status, "fixed");
  EXPECT_EQ(fixed.modified, "2026-03-21T08:05:12Z");  // no statement timestamp: last_updated
  EXPECT_EQ(fixed.detail.at("status_notes"),
            "Fixed by rejecting encoded dot segments before path normalization.");
}

TEST(OpenVexFormatTest, DocumentTimestampIsTheLastFallback) {
  const VexParse parse = parseOpenVex(readFixture("feeds/openvex/2026/nw-vex-2026-0011.json"));
  ASSERT_FALSE(parse.error) << parse.error->message;
  ASSERT_EQ(parse.statements.size(), 3U);
  EXPECT_EQ(parse.statements[0].status, "under_investigation");
  EXPECT_EQ(parse.statements[0].modified, "2026-02-28T16:20:00Z");  // "+00:00" written "Z"
  EXPECT_EQ(parse.statements[1].modified, "2026-02-27T09:00:00Z");
  const VexStatement& impact_only = parse.statements[2];
  EXPECT_EQ(impact_only.status, "not_affected");
  EXPECT_FALSE(impact_only.justification);  // the schema allows a justification or an impact
  EXPECT_EQ(impact_only.detail.at("impact_statement"),
            "Northwind Portal reads YAML only from its signed release bundle, never from users; "
            "fabrikam-yaml is never given attacker-controlled input.");
}

TEST(OpenVexFormatTest, ProductFallsBackToIdentifiersPurlAndVulnerabilityToId) {
  const VexParse parse = parseOpenVex(R"({"@context": "https://openvex.dev/ns/v0.2.0",
    "@id": "d", "author": "a", "timestamp": "2026-01-01T00:00:00Z", "version": 1,
    "statements": [{"vulnerability": {"@id": "https://osv.dev/GHSA-x"},
      "products": [{"identifiers": {"purl": "pkg:pypi/p@1"}}], "status": "affected"}]})");
  ASSERT_FALSE(parse.error) << parse.error->message;
  EXPECT_EQ(parse.statements.at(0).vulnerability, "https://osv.dev/GHSA-x");
  EXPECT_EQ(parse.statements.at(0).product, "pkg:pypi/p@1");
}

TEST(OpenVexFormatTest, InvalidJsonIsReported) {
  const VexParse parse = parseOpenVex(readFixture("feeds-malformed/openvex/invalid-json.json"));
  ASSERT_TRUE(parse.error);
  EXPECT_EQ(parse.error->code, "OPENVEX_INVALID_JSON");
}

TEST(OpenVexFormatTest, MissingStatusIsNamed) {
  const VexParse parse = parseOpenVex(readFixture("feeds-malformed/openvex/missing-status.json"));
  ASSERT_TRUE(parse.error);
  EXPECT_EQ(parse.error->code, "OPENVEX_INVALID");
  EXPECT_EQ(parse.error->message, "statements[1].status: missing (required)");
  EXPECT_TRUE(parse.statements.empty());  // statement 0 was valid, and is not returned either
}

TEST(OpenVexFormatTest, WrongTypeIsNamed) {
  const VexParse parse =
      parseOpenVex(readFixture("feeds-malformed/openvex/products-not-an-array.json"));
  ASSERT_TRUE(parse.error);
  EXPECT_EQ(parse.error->code, "OPENVEX_INVALID");
  EXPECT_EQ(parse.error->message, "statements[0].products: expected an array, got an object");
}

TEST(OpenVexFormatTest, UnknownStatusAndContextAreNamed) {
  const std::string head = R"({"@context": "https://openvex.dev/ns/v0.2.0", "@id": "d",
    "author": "a", "timestamp": "2026-01-01T00:00:00Z", "version": 1, "statements": [)";
  EXPECT_EQ(parseOpenVex(head + R"({"vulnerability": {"name": "CVE-1"}, "products": [],
                                    "status": "resolved"}]})")
                .error->message,
            "statements[0].status: expected one of not_affected, affected, fixed, "
            "under_investigation, got \"resolved\"");
  EXPECT_EQ(parseOpenVex(head + R"({"vulnerability": {}, "products": [], "status": "fixed"}]})")
                .error->message,
            "statements[0].vulnerability: needs a name or an @id");
  EXPECT_EQ(parseOpenVex(R"({"@context": "https://example.com/ns"})").error->message,
            "@context: expected an OpenVEX context (\"https://openvex.dev/ns/v0.2.0\"), got "
            "\"https://example.com/ns\"");
}

}  // namespace
}  // namespace jobengine::excititor
