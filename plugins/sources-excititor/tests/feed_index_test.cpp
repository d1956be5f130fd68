// Unit tests of the changes.csv listing parser over the three VEX mirrors of the fixture feed
// (the RFC 3339 reader it relies on is the adapter kit's, sdk/adapter/tests/rfc3339_test.cpp).
#include "core/feed_index.hpp"
#include "core/csaf_vex_format.hpp"
#include "core/cyclonedx_vex_format.hpp"
#include "core/openvex_format.hpp"

#include <jobengine/adapter/rfc3339.hpp>

#include "fixture_files.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace jobengine::excititor {
namespace {

using testing::readFixture;

TEST(ChangesCsvTest, ReadsTheCsafListing) {
  const IndexParse parse = parseChangesCsv(readFixture("feeds/csaf/changes.csv"));
  ASSERT_FALSE(parse.error) << parse.error->message;
  ASSERT_EQ(parse.entries.size(), 2U);
  EXPECT_EQ(parse.entries[0].path_or_id, "2026/contoso-sa-2026-0007.json");
  EXPECT_EQ(parse.entries[0].modified, "2026-03-03T11:30:00.000Z");
  EXPECT_EQ(parse.entries[1].path_or_id, "2026/contoso-sa-2026-0001.json");
  EXPECT_EQ(parse.entries[1].modified, "2026-01-09T15:45:00Z");
}

TEST(ChangesCsvTest, EveryListedDocumentOfEveryMirrorExists) {
  for (const std::string mirror : {"csaf", "openvex", "cyclonedx"}) {
    const IndexParse parse = parseChangesCsv(readFixture("feeds/" + mirror + "/changes.csv"));
    ASSERT_FALSE(parse.error) << mirror << ": " << parse.error->message;
    EXPECT_EQ(parse.entries.size(), 2U) << mirror;
    for (const IndexEntry& entry : parse.entries) {
      EXPECT_NO_THROW(readFixture("feeds/" + mirror + "/" + entry.path_or_id));
    }
  }
}

TEST(ChangesCsvTest, ListedTimesAreTheDocumentsOwnModifiedTimes) {
  const std::vector<std::pair<std::string, VexParse (*)(std::string_view)>> mirrors = {
      {"csaf", &parseCsafVex}, {"openvex", &parseOpenVex}, {"cyclonedx", &parseCycloneDxVex}};
  for (const auto& [mirror, parse_document] : mirrors) {
    const IndexParse listing = parseChangesCsv(readFixture("feeds/" + mirror + "/changes.csv"));
    ASSERT_FALSE(listing.error) << mirror << ": " << listing.error->message;
    for (const IndexEntry& entry : listing.entries) {
      const VexParse parse =
          parse_document(readFixture("feeds/" + mirror + "/" + entry.path_or_id));
      ASSERT_FALSE(parse.error) << entry.path_or_id << ": " << parse.error->message;
      // The newest statement time of the document is the time the listing gives.
      adapter::Rfc3339Instant newest;
      for (const VexStatement& statement : parse.statements) {
        newest = std::max(newest, *adapter::parseRfc3339(statement.modified));
      }
      const adapter::Rfc3339Instant listed = *adapter::parseRfc3339(entry.modified);
      EXPECT_FALSE(newest < listed || listed < newest) << entry.path_or_id;
    }
  }
}

TEST(ChangesCsvTest, CsvQuotingRulesAreFollowed) {
  const IndexParse parse = parseChangesCsv(
      "\"2026/a \"\"quoted\"\", "
      "b.json\",\"2026-01-02T00:00:00Z\"\r\n2026/c.json,2026-01-01T00:00:00Z");
  ASSERT_FALSE(parse.error) << parse.error->message;
  ASSERT_EQ(parse.entries.size(), 2U);
  EXPECT_EQ(parse.entries[0].path_or_id, "2026/a \"quoted\", b.json");
  EXPECT_EQ(parse.entries[1].path_or_id, "2026/c.json");
  EXPECT_TRUE(parseChangesCsv("").entries.empty());
}

TEST(ChangesCsvTest, BadTimeIsNamedWithItsLine) {
  const IndexParse parse =
      parseChangesCsv(readFixture("feeds-malformed/csaf/changes-bad-time.csv"));
  ASSERT_TRUE(parse.error);
  EXPECT_EQ(parse.error->code, "CHANGES_INVALID");
  EXPECT_EQ(parse.error->message,
            "line 2: expected an RFC 3339 date-time in field 2, got \"2026-01-09 15:45:00Z\"");
  EXPECT_TRUE(parse.entries.empty());
}

TEST(ChangesCsvTest, PathsMustStayInsideTheMirror) {
  EXPECT_EQ(parseChangesCsv(readFixture("feeds-malformed/csaf/changes-escapes-mirror.csv"))
                .error->message,
            "line 1: the path \"../../etc/passwd\" has an empty, \".\" or \"..\" segment");
  EXPECT_EQ(parseChangesCsv("\"/etc/passwd\",\"2026-01-01T00:00:00Z\"").error->message,
            "line 1: the path \"/etc/passwd\" must be relative, with / separators");
  EXPECT_EQ(parseChangesCsv("\"a//b.json\",\"2026-01-01T00:00:00Z\"").error->message,
            "line 1: the path \"a//b.json\" has an empty, \".\" or \"..\" segment");
}

TEST(ChangesCsvTest, MalformedLinesAreNamed) {
  EXPECT_EQ(parseChangesCsv("\"a.json\",\"2026-01-01T00:00:00Z\"\n\n").error->message,
            "line 2: empty line");
  EXPECT_EQ(parseChangesCsv("\"a.json\"").error->message,
            "line 1: expected 2 fields (path, time), found 1");
  EXPECT_EQ(parseChangesCsv("\"a.json,\"2026-01-01T00:00:00Z\"").error->message,
            "line 1: expected a comma after field 1");
  EXPECT_EQ(parseChangesCsv("\"a.json\",\"2026-01-01T00:00:00Z").error->message,
            "line 1: unterminated quoted field");
  EXPECT_EQ(parseChangesCsv("\"a.json\",\"2026-01-01T00:00:00Z\"\n"
                            "\"b.json\",\"2026-02-01T00:00:00Z\"\n")
                .error->message,
            "line 2: time 2026-02-01T00:00:00Z is newer than the line above; the listing must be "
            "newest first");
}

}  // namespace
}  // namespace jobengine::excititor
