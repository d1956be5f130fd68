// Unit tests of sync_window.hpp: the window a job's payload names, from inclusive and to
// exclusive, an open start, and which listed documents a window takes.
#include <gtest/gtest.h>

#include "jobengine/adapter/sync_window.hpp"

namespace jobengine::adapter {
namespace {

TEST(SyncWindowTest, TakesFromInclusiveToExclusive) {
  const SyncWindow window =
      windowOf({{"window", {{"from", "2026-02-01T00:00:00Z"}, {"to", "2026-03-01T00:00:00Z"}}}});
  EXPECT_TRUE(inWindow("2026-02-01T00:00:00Z", window));
  EXPECT_TRUE(inWindow("2026-02-28T16:20:00+00:00", window));
  EXPECT_FALSE(inWindow("2026-03-01T00:00:00Z", window));
  EXPECT_FALSE(inWindow("2026-01-31T23:59:59.999Z", window));
  const SyncWindow open =
      windowOf({{"window", {{"from", nullptr}, {"to", "2026-03-01T00:00:00Z"}}}});
  EXPECT_TRUE(inWindow("1999-01-01T00:00:00Z", open));
  EXPECT_EQ(entriesInWindow(
                {{"a.json", "2026-03-21T08:05:12Z"}, {"b.json", "2026-02-28T16:20:00Z"}}, open)
                .size(),
            1U);
}

TEST(SyncWindowTest, APayloadWithoutAWindowTakesEverything) {
  const SyncWindow none = windowOf({{"sourceId", "x"}});
  EXPECT_FALSE(none.from);
  EXPECT_FALSE(none.to);
  EXPECT_TRUE(inWindow("2026-01-01T00:00:00Z", none));
  EXPECT_FALSE(windowOf(nlohmann::json::array()).to);
}

TEST(SyncWindowTest, AnUnparsableTimeIsInEveryWindow) {
  const SyncWindow window =
      windowOf({{"window", {{"from", "2026-02-01T00:00:00Z"}, {"to", "2026-03-01T00:00:00Z"}}}});
  EXPECT_TRUE(inWindow("last tuesday", window));
}

}  // namespace
}  // namespace jobengine::adapter
