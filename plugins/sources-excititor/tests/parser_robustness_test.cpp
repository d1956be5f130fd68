// Robustness of the excititor parsers: every truncation and many one-byte corruptions of every
// mirror document give either a whole result or one error, and never an exception.
#include "core/csaf_vex_format.hpp"
#include "core/cyclonedx_vex_format.hpp"
#include "core/feed_index.hpp"
#include "core/openvex_format.hpp"

#include "fixture_files.hpp"

#include <gtest/gtest.h>

#include <functional>

namespace jobengine::excititor {
namespace {

using testing::readFixture;

// Feeds damaged copies of bytes to parse; parse returns true when it reported an error.
void expectNoThrowOnDamage(const std::string& bytes,
                           const std::function<bool(std::string_view)>& parse) {
  for (std::size_t length = 0; length < bytes.size(); length += 5) {
    EXPECT_NO_THROW(parse(std::string_view(bytes).substr(0, length))) << "prefix " << length;
  }
  for (std::size_t pos = 0; pos < bytes.size(); pos += 11) {
    for (const char replacement : {'x', '"', '{', ']', '0', '\n'}) {
      std::string damaged = bytes;
      damaged[pos] = replacement;
      EXPECT_NO_THROW(parse(damaged)) << "byte " << pos << " -> " << replacement;
    }
  }
}

// A VEX parse reports an error with no statements, or statements without an error.
std::function<bool(std::string_view)> wholeOrError(VexParse (*parse_document)(std::string_view)) {
  return [parse_document](std::string_view bytes) {
    const VexParse parse = parse_document(bytes);
    EXPECT_TRUE(!parse.error || parse.statements.empty());
    return parse.error.has_value();
  };
}

TEST(ExcititorParserRobustnessTest, OpenVex) {
  expectNoThrowOnDamage(readFixture("feeds/openvex/2026/adt-vex-2026-0003.json"),
                        wholeOrError(&parseOpenVex));
}

TEST(ExcititorParserRobustnessTest, CsafVex) {
  expectNoThrowOnDamage(readFixture("feeds/csaf/2026/contoso-sa-2026-0001.json"),
                        wholeOrError(&parseCsafVex));
}

TEST(ExcititorParserRobustnessTest, CycloneDxVex) {
  expectNoThrowOnDamage(readFixture("feeds/cyclonedx/2026/litware-reader-8.4.0.cdx.json"),
                        wholeOrError(&parseCycloneDxVex));
}

// A nesting of `levels` objects, each `{"<key>": [ ... ]}`, around `innermost`.
std::string nested(const std::string& key, int levels, const std::string& innermost) {
  std::string text;
  for (int i = 0; i < levels; ++i) {
    text += R"({"name": "n", "category": "vendor", ")" + key + R"(": [)";
  }
  text += innermost;
  for (int i = 0; i < levels; ++i) {
    text += "]}";
  }
  return text;
}

TEST(ExcititorParserRobustnessTest, DeepCsafBranchesAreRefusedNotRecursedInto) {
  const std::string head = R"({"document": {"category": "csaf_vex", "csaf_version": "2.0",
      "publisher": {}, "title": "t", "tracking": {"id": "T", "current_release_date":
      "2026-01-01T00:00:00Z"}}, "product_tree": {"branches": [)";
  const std::string product = R"({"name": "v", "category": "product_version", "product":
      {"name": "p", "product_id": "P"}})";
  const std::string tail = R"(]}, "vulnerabilities": [{"cve": "CVE-1",
      "product_status": {"fixed": ["P"]}}]})";
  const VexParse shallow = parseCsafVex(head + nested("branches", 31, product) + tail);
  ASSERT_FALSE(shallow.error) << shallow.error->message;
  EXPECT_EQ(shallow.statements.at(0).product, "P");
  const VexParse deep = parseCsafVex(head + nested("branches", 100000, product) + tail);
  ASSERT_TRUE(deep.error);
  EXPECT_NE(deep.error->message.find(": nested deeper than 32 levels"), std::string::npos)
      << deep.error->message;
}

TEST(ExcititorParserRobustnessTest, DeepCycloneDxComponentsAreRefusedNotRecursedInto) {
  const std::string head = R"({"bomFormat": "CycloneDX", "specVersion": "1.6",
      "serialNumber": "urn:uuid:x", "metadata": {"timestamp": "2026-01-01T00:00:00Z"},
      "components": [)";
  const std::string component = R"({"bom-ref": "r", "purl": "pkg:pypi/p@1"})";
  const std::string tail = R"(], "vulnerabilities": [{"id": "CVE-1",
      "analysis": {"state": "in_triage"}, "affects": [{"ref": "r"}]}]})";
  const VexParse shallow = parseCycloneDxVex(head + nested("components", 31, component) + tail);
  ASSERT_FALSE(shallow.error) << shallow.error->message;
  EXPECT_EQ(shallow.statements.at(0).product, "pkg:pypi/p@1");
  const VexParse deep = parseCycloneDxVex(head + nested("components", 100000, component) + tail);
  ASSERT_TRUE(deep.error);
  EXPECT_NE(deep.error->message.find(": nested deeper than 32 levels"), std::string::npos)
      << deep.error->message;
}

TEST(ExcititorParserRobustnessTest, ChangesListing) {
  expectNoThrowOnDamage(readFixture("feeds/csaf/changes.csv"), [](std::string_view b) {
    const IndexParse parse = parseChangesCsv(b);
    EXPECT_TRUE(!parse.error || parse.entries.empty());
    return parse.error.has_value();
  });
}

}  // namespace
}  // namespace jobengine::excititor
