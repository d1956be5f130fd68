// Unit tests of the status vocabularies: the mapping the issue fixes, word for word, and that
// the parsers act on the same tables (vex_status.hpp is the single source of truth).
#include "core/vex_status.hpp"
#include "core/csaf_vex_format.hpp"
#include "core/cyclonedx_vex_format.hpp"
#include "core/openvex_format.hpp"

#include <gtest/gtest.h>

namespace jobengine::excititor {
namespace {

using Table = std::vector<std::pair<std::string_view, std::string_view>>;

TEST(VexStatusTest, CycloneDxStatesMapAsTheIssueSays) {
  EXPECT_EQ(cycloneDxStateTable(), (Table{{"not_affected", "not_affected"},
                                          {"false_positive", "not_affected"},
                                          {"exploitable", "affected"},
                                          {"resolved", "fixed"},
                                          {"resolved_with_pedigree", "fixed"},
                                          {"in_triage", "under_investigation"}}));
}

TEST(VexStatusTest, CsafProductStatusKeysMap) {
  EXPECT_EQ(csafProductStatusTable(), (Table{{"known_not_affected", "not_affected"},
                                             {"known_affected", "affected"},
                                             {"first_affected", "affected"},
                                             {"last_affected", "affected"},
                                             {"fixed", "fixed"},
                                             {"first_fixed", "fixed"},
                                             {"under_investigation", "under_investigation"}}));
  EXPECT_FALSE(normalizeStatus(csafProductStatusTable(), "recommended"));
}

TEST(VexStatusTest, OpenVexStatusesAreAlreadyNormal) {
  for (const auto& [raw, normalized] : openVexStatusTable()) {
    EXPECT_EQ(raw, normalized);
  }
  EXPECT_EQ(openVexStatusTable().size(), 4U);
}

TEST(VexStatusTest, EveryNormalizedWordIsOneOfFour) {
  for (const Table* table :
       {&openVexStatusTable(), &csafProductStatusTable(), &cycloneDxStateTable()}) {
    for (const auto& entry : *table) {
      EXPECT_TRUE(entry.second == kNotAffected || entry.second == kAffected ||
                  entry.second == kFixed || entry.second == kUnderInvestigation)
          << entry.first;
    }
  }
}

TEST(VexStatusTest, CycloneDxParserAppliesEveryRowOfTheTable) {
  for (const auto& [raw, normalized] : cycloneDxStateTable()) {
    const VexParse parse = parseCycloneDxVex(
        R"({"bomFormat": "CycloneDX", "specVersion": "1.6", "serialNumber": "urn:uuid:x",
            "metadata": {"timestamp": "2026-01-01T00:00:00Z"},
            "vulnerabilities": [{"id": "CVE-1", "analysis": {"state": ")" +
        std::string(raw) + R"("}, "affects": [{"ref": "r"}]}]})");
    ASSERT_FALSE(parse.error) << parse.error->message;
    EXPECT_EQ(parse.statements.at(0).status, normalized);
    EXPECT_EQ(parse.statements.at(0).status_raw, raw);
  }
}

TEST(VexStatusTest, CsafParserAppliesEveryRowOfTheTable) {
  for (const auto& [raw, normalized] : csafProductStatusTable()) {
    const VexParse parse = parseCsafVex(
        R"({"document": {"category": "csaf_vex", "csaf_version": "2.0", "publisher": {},
            "title": "t", "tracking": {"id": "T-1", "current_release_date": "2026-01-01T00:00:00Z"}},
            "product_tree": {"full_product_names": [{"product_id": "P", "name": "p"}]},
            "vulnerabilities": [{"cve": "CVE-1", "product_status": {")" +
        std::string(raw) + R"(": ["P"]}}]})");
    ASSERT_FALSE(parse.error) << parse.error->message;
    EXPECT_EQ(parse.statements.at(0).status, normalized);
    EXPECT_EQ(parse.statements.at(0).status_raw, raw);
  }
}

TEST(VexStatusTest, OpenVexParserAppliesEveryRowOfTheTable) {
  for (const auto& [raw, normalized] : openVexStatusTable()) {
    const VexParse parse = parseOpenVex(
        R"({"@context": "https://openvex.dev/ns/v0.2.0", "@id": "d", "author": "a",
            "timestamp": "2026-01-01T00:00:00Z", "version": 1,
            "statements": [{"vulnerability": {"name": "CVE-1"}, "products": [{"@id": "p"}],
            "status": ")" +
        std::string(raw) + R"("}]})");
    ASSERT_FALSE(parse.error) << parse.error->message;
    EXPECT_EQ(parse.statements.at(0).status, normalized);
  }
}

}  // namespace
}  // namespace jobengine::excititor
