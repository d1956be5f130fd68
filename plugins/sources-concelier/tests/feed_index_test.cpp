// Unit tests of the OSV modified_id.csv listing parser (the RFC 3339 reader it relies on is the
// adapter kit's, tested in sdk/adapter/tests/rfc3339_test.cpp).
#include "core/feed_index.hpp"
#include "core/osv_format.hpp"

#include "fixture_files.hpp"

#include <gtest/gtest.h>

namespace jobengine::concelier {
namespace {

using testing::readFixture;

TEST(OsvModifiedIndexTest, ReadsTheMirrorListingNewestFirst) {
  const IndexParse parse = parseOsvModifiedIndex(readFixture("feeds/osv/PyPI/modified_id.csv"));
  ASSERT_FALSE(parse.error) << parse.error->message;
  ASSERT_EQ(parse.entries.size(), 6U);
  EXPECT_EQ(parse.entries[0].path_or_id, "GHSA-4f7q-8m2x-9c3v");
  EXPECT_EQ(parse.entries[0].modified, "2026-03-18T09:42:11Z");
  EXPECT_EQ(parse.entries[2].modified, "2026-02-27T14:03:55.118Z");
  EXPECT_EQ(parse.entries[5].path_or_id, "GHSA-c8wq-5hv2-x3jf");
}

TEST(OsvModifiedIndexTest, EveryListedIdHasARecordWithThatModifiedTime) {
  const IndexParse parse = parseOsvModifiedIndex(readFixture("feeds/osv/PyPI/modified_id.csv"));
  ASSERT_FALSE(parse.error) << parse.error->message;
  for (const IndexEntry& entry : parse.entries) {
    const AdvisoryParse record =
        parseOsvDocument(readFixture("feeds/osv/PyPI/" + entry.path_or_id + ".json"));
    ASSERT_FALSE(record.error) << entry.path_or_id << ": " << record.error->message;
    EXPECT_EQ(record.observations.at(0).modified, entry.modified);
  }
}

TEST(OsvModifiedIndexTest, CrLfAndMissingFinalNewlineAreAccepted) {
  const IndexParse parse =
      parseOsvModifiedIndex("2026-01-02T00:00:00+00:00,A-2\r\n2026-01-01T00:00:00Z,A-1");
  ASSERT_FALSE(parse.error) << parse.error->message;
  ASSERT_EQ(parse.entries.size(), 2U);
  EXPECT_EQ(parse.entries[0].modified, "2026-01-02T00:00:00Z");
  EXPECT_EQ(parse.entries[1].path_or_id, "A-1");
  EXPECT_TRUE(parseOsvModifiedIndex("").entries.empty());
}

TEST(OsvModifiedIndexTest, OutOfOrderLineIsNamed) {
  const IndexParse parse =
      parseOsvModifiedIndex(readFixture("feeds-malformed/osv/modified_id-unordered.csv"));
  ASSERT_TRUE(parse.error);
  EXPECT_EQ(parse.error->code, "OSV_INDEX_INVALID");
  EXPECT_EQ(parse.error->message,
            "line 3: modified 2026-03-15T22:10:37Z is newer than the line above; the listing "
            "must be newest first");
  EXPECT_TRUE(parse.entries.empty());
}

TEST(OsvModifiedIndexTest, BadLinesAreNamed) {
  EXPECT_EQ(parseOsvModifiedIndex(readFixture("feeds-malformed/osv/modified_id-no-comma.csv"))
                .error->message,
            "line 2: expected \"<modified>,<id>\", found no comma");
  EXPECT_EQ(parseOsvModifiedIndex("2026-01-01T00:00:00Z,A\n\n").error->message,
            "line 2: empty line");
  EXPECT_EQ(
      parseOsvModifiedIndex("2026-13-01T00:00:00Z,A\n").error->message,
      "line 1: expected an RFC 3339 date-time before the comma, got \"2026-13-01T00:00:00Z\"");
  EXPECT_EQ(parseOsvModifiedIndex("2026-01-01T00:00:00Z,\n").error->message,
            "line 1: expected one non-empty id after the comma, got \"\"");
}

}  // namespace
}  // namespace jobengine::concelier
