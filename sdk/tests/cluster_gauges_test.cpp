// cluster_gauges_test.cpp — sdk/include/jobengine/cluster_gauges.hpp, the pure part: the
// gauge writes GaugeSeriesTracker makes so that a series whose label set vanished (a drained
// queue) goes to 0 instead of keeping its last value, and clear() after a lost leadership.
// The refresher thread itself runs in the plugins' integration tests (it needs a host).
#include <jobengine/cluster_gauges.hpp>

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace jobengine::sdk {
namespace {

using Writes = std::map<std::string, double>;  // "name labels" -> value

Writes asMap(const std::vector<GaugeSample>& samples) {
  Writes out;
  for (const auto& s : samples) {
    out[s.name + " " + s.labels.dump()] = s.value;
  }
  return out;
}

GaugeSnapshot depth(std::initializer_list<std::pair<const char*, double>> by_tenant) {
  GaugeSnapshot snapshot;
  for (const auto& [tenant, value] : by_tenant) {
    snapshot.set("queue_depth", "help", {{"tenant", tenant}, {"status", "queued"}}, value);
  }
  return snapshot;
}

TEST(GaugeSeriesTracker, FirstPublishWritesTheSnapshot) {
  GaugeSeriesTracker tracker;
  EXPECT_TRUE(tracker.empty());
  const Writes w = asMap(tracker.publish(depth({{"t1", 3}, {"t2", 1}})));
  EXPECT_EQ(w, (Writes{{R"(queue_depth {"status":"queued","tenant":"t1"})", 3},
                       {R"(queue_depth {"status":"queued","tenant":"t2"})", 1}}));
  EXPECT_FALSE(tracker.empty());
}

TEST(GaugeSeriesTracker, AVanishedSeriesIsWrittenAsZeroOnce) {
  GaugeSeriesTracker tracker;
  tracker.publish(depth({{"t1", 3}, {"t2", 1}}));
  EXPECT_EQ(asMap(tracker.publish(depth({{"t1", 2}}))),
            (Writes{{R"(queue_depth {"status":"queued","tenant":"t1"})", 2},
                    {R"(queue_depth {"status":"queued","tenant":"t2"})", 0}}));
  // Zeroed once: the next refresh no longer mentions it.
  EXPECT_EQ(asMap(tracker.publish(depth({{"t1", 2}}))),
            (Writes{{R"(queue_depth {"status":"queued","tenant":"t1"})", 2}}));
}

TEST(GaugeSeriesTracker, TheLastValueOfASeriesSetTwiceWins) {
  GaugeSeriesTracker tracker;
  EXPECT_EQ(asMap(tracker.publish(depth({{"t1", 3}, {"t1", 5}}))),
            (Writes{{R"(queue_depth {"status":"queued","tenant":"t1"})", 5}}));
}

TEST(GaugeSeriesTracker, ClearZeroesEverythingAndForgetsIt) {
  GaugeSeriesTracker tracker;
  tracker.publish(depth({{"t1", 3}, {"t2", 1}}));
  EXPECT_EQ(asMap(tracker.clear()),
            (Writes{{R"(queue_depth {"status":"queued","tenant":"t1"})", 0},
                    {R"(queue_depth {"status":"queued","tenant":"t2"})", 0}}));
  EXPECT_TRUE(tracker.empty());
  EXPECT_TRUE(tracker.clear().empty());
}

}  // namespace
}  // namespace jobengine::sdk
