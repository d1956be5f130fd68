// Robustness of the concelier parsers: every truncation and many one-byte corruptions of every
// mirror document give either a whole result or one error, and never an exception.
#include "core/feed_index.hpp"
#include "core/kev_format.hpp"
#include "core/nvd_format.hpp"
#include "core/osv_format.hpp"

#include "fixture_files.hpp"

#include <gtest/gtest.h>

#include <functional>

namespace jobengine::concelier {
namespace {

using testing::readFixture;

// Feeds damaged copies of bytes to parse; parse returns true when it reported an error, and
// must then have returned no records.
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

bool advisoryErrorIsWhole(const AdvisoryParse& parse) {
  EXPECT_TRUE(!parse.error || parse.observations.empty());
  return parse.error.has_value();
}

TEST(ConcelierParserRobustnessTest, OsvRecords) {
  expectNoThrowOnDamage(
      readFixture("feeds/osv/PyPI/GHSA-4f7q-8m2x-9c3v.json"),
      [](std::string_view b) { return advisoryErrorIsWhole(parseOsvDocument(b)); });
  EXPECT_TRUE(parseOsvDocument(std::string(100000, '[')).error);  // deep nesting
}

TEST(ConcelierParserRobustnessTest, NvdPages) {
  expectNoThrowOnDamage(readFixture("feeds/nvd/page-2.json"), [](std::string_view b) {
    return advisoryErrorIsWhole(parseNvdPage(b, nullptr));
  });
}

TEST(ConcelierParserRobustnessTest, KevCatalog) {
  expectNoThrowOnDamage(
      readFixture("feeds/kev/known_exploited_vulnerabilities.json"),
      [](std::string_view b) { return advisoryErrorIsWhole(parseKevCatalog(b)); });
}

TEST(ConcelierParserRobustnessTest, OsvListing) {
  expectNoThrowOnDamage(readFixture("feeds/osv/PyPI/modified_id.csv"), [](std::string_view b) {
    const IndexParse parse = parseOsvModifiedIndex(b);
    EXPECT_TRUE(!parse.error || parse.entries.empty());
    return parse.error.has_value();
  });
}

}  // namespace
}  // namespace jobengine::concelier
