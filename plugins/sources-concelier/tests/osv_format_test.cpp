// Unit tests of the OSV record parser against the fixture mirror (tests/fixtures/feeds/osv/) and
// its malformed variants (tests/fixtures/feeds-malformed/osv/).
#include "core/osv_format.hpp"

#include "fixture_files.hpp"

#include <gtest/gtest.h>

namespace jobengine::concelier {
namespace {

using testing::readFixture;

TEST(OsvFormatTest, ExtractsEveryFieldOfARecord) {
  const AdvisoryParse parse =
      parseOsvDocument(readFixture("feeds/osv/PyPI/GHSA-4f7q-8m2x-9c3v.json"));
  ASSERT_FALSE(parse.error) << parse.error->message;
  ASSERT_EQ(parse.observations.size(), 1U);
  const AdvisoryObservation& observation = parse.observations[0];
  EXPECT_EQ(observation.advisory_id, "GHSA-4f7q-8m2x-9c3v");
  EXPECT_EQ(observation.aliases, (std::vector<std::string>{"CVE-2026-21807", "PYSEC-2026-41"}));
  EXPECT_EQ(observation.modified, "2026-03-18T09:42:11Z");
  EXPECT_EQ(observation.published, "2026-03-11T16:05:00Z");
  EXPECT_EQ(observation.summary, "fabrikam-yaml loads arbitrary Python objects from tagged YAML");
  EXPECT_EQ(observation.detail,
            nlohmann::json::parse(R"({"affected_packages": [{"ecosystem": "PyPI",
              "name": "fabrikam-yaml", "purl": "pkg:pypi/fabrikam-yaml"}],
              "schema_version": "1.6.0"})"));
}

TEST(OsvFormatTest, SummaryFallsBackToFirstLineOfDetails) {
  const AdvisoryParse parse = parseOsvDocument(readFixture("feeds/osv/PyPI/PYSEC-2026-41.json"));
  ASSERT_FALSE(parse.error) << parse.error->message;
  EXPECT_EQ(parse.observations.at(0).summary,
            "Unsafe deserialization in fabrikam-yaml before 5.2.1.");
}

TEST(OsvFormatTest, EveryMirrorRecordParses) {
  for (const char* id : {"GHSA-4f7q-8m2x-9c3v", "PYSEC-2026-41", "GHSA-r6vh-2wjc-p58m",
                         "GHSA-mx3p-j9fq-7wgr", "PYSEC-2026-17", "GHSA-c8wq-5hv2-x3jf"}) {
    const AdvisoryParse parse =
        parseOsvDocument(readFixture(std::string("feeds/osv/PyPI/") + id + ".json"));
    ASSERT_FALSE(parse.error) << id << ": " << parse.error->message;
    EXPECT_EQ(parse.observations.at(0).advisory_id, id);
  }
}

TEST(OsvFormatTest, OffsetZeroIsWrittenZ) {
  const AdvisoryParse parse =
      parseOsvDocument(R"({"id": "X-1", "modified": "2026-01-02T03:04:05+00:00"})");
  ASSERT_FALSE(parse.error) << parse.error->message;
  EXPECT_EQ(parse.observations.at(0).modified, "2026-01-02T03:04:05Z");
  EXPECT_FALSE(parse.observations.at(0).published);
  EXPECT_TRUE(parse.observations.at(0).aliases.empty());
}

TEST(OsvFormatTest, NullAliasesAndAffectedReadAsAbsent) {
  const AdvisoryParse parse = parseOsvDocument(
      R"({"id": "X-1", "modified": "2026-01-02T03:04:05Z", "aliases": null, "affected": null})");
  ASSERT_FALSE(parse.error) << parse.error->message;
  EXPECT_TRUE(parse.observations.at(0).aliases.empty());
  EXPECT_EQ(parse.observations.at(0).detail.at("affected_packages"), nlohmann::json::array());
}

TEST(OsvFormatTest, InvalidJsonIsReported) {
  const AdvisoryParse parse =
      parseOsvDocument(readFixture("feeds-malformed/osv/invalid-json.json"));
  ASSERT_TRUE(parse.error);
  EXPECT_EQ(parse.error->code, "OSV_INVALID_JSON");
  EXPECT_NE(parse.error->message.find("not valid JSON"), std::string::npos);
  EXPECT_TRUE(parse.observations.empty());
}

TEST(OsvFormatTest, MissingModifiedIsNamed) {
  const AdvisoryParse parse =
      parseOsvDocument(readFixture("feeds-malformed/osv/missing-modified.json"));
  ASSERT_TRUE(parse.error);
  EXPECT_EQ(parse.error->code, "OSV_INVALID");
  EXPECT_EQ(parse.error->message, "modified: missing (required)");
  EXPECT_TRUE(parse.observations.empty());
}

TEST(OsvFormatTest, WrongTypeNamesThePath) {
  const AdvisoryParse parse =
      parseOsvDocument(readFixture("feeds-malformed/osv/package-not-an-object.json"));
  ASSERT_TRUE(parse.error);
  EXPECT_EQ(parse.error->code, "OSV_INVALID");
  EXPECT_EQ(parse.error->message, "affected[0].package: expected an object, got a string");
}

TEST(OsvFormatTest, ShapeErrorsNameTheField) {
  EXPECT_EQ(parseOsvDocument("[]").error->message, "$: expected an object, got an array");
  EXPECT_EQ(parseOsvDocument(R"({"id": 7, "modified": "2026-01-01T00:00:00Z"})").error->message,
            "id: expected a string, got a number");
  EXPECT_EQ(parseOsvDocument(R"({"id": "X", "modified": "yesterday"})").error->message,
            "modified: expected an RFC 3339 date-time, got \"yesterday\"");
  EXPECT_EQ(parseOsvDocument(R"({"id": "X", "modified": "2026-01-01T00:00:00Z",
                                 "aliases": ["A", null]})")
                .error->message,
            "aliases[1]: expected a string, got null");
  EXPECT_EQ(parseOsvDocument(R"({"id": "X", "modified": "2026-01-01T00:00:00Z",
                                 "affected": [{"package": {"ecosystem": "PyPI"}}]})")
                .error->message,
            "affected[0].package.name: missing (required)");
  EXPECT_EQ(parseOsvDocument("").error->code, "OSV_INVALID_JSON");
}

}  // namespace
}  // namespace jobengine::concelier
