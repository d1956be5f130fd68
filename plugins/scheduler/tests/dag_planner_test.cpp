// dag_planner_test.cpp — validation errors (cycles named, unknown keys, self-edges,
// duplicates), deterministic order, depth, critical path, descendants, and a 10k chain.
#include "core/dag_planner.hpp"

#include <gtest/gtest.h>

#include <chrono>

using namespace jobengine::scheduler;  // NOLINT(google-build-using-namespace)

namespace {
std::vector<DagJob> jobs(std::initializer_list<const char*> keys) {
  std::vector<DagJob> out;
  for (const char* k : keys) {
    out.push_back({k, std::nullopt});
  }
  return out;
}
std::vector<std::string> codes(const DagResult& r) {
  std::vector<std::string> out;
  for (const auto& e : r.errors) {
    out.push_back(e.code);
  }
  return out;
}
}  // namespace

TEST(DagPlanner, TwoNodeCycleIsNamed) {
  const auto r = Dag::build(jobs({"b", "a"}), {{"a", "b"}, {"b", "a"}});
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.errors.size(), 1U);
  EXPECT_EQ(r.errors[0].code, "DAG_CYCLE");
  EXPECT_EQ(r.errors[0].message, "cycle: a -> b -> a");
}

TEST(DagPlanner, ThreeNodeCycleWithTailIsNamed) {
  // root -> c; c -> a -> b -> c is the cycle; d hangs below it.
  const auto r = Dag::build(jobs({"root", "a", "b", "c", "d"}),
                            {{"root", "c"}, {"c", "a"}, {"a", "b"}, {"b", "c"}, {"b", "d"}});
  ASSERT_EQ(r.errors.size(), 1U);
  EXPECT_EQ(r.errors[0].message, "cycle: a -> b -> c -> a");
}

TEST(DagPlanner, SelfLoopRefused) {
  const auto r = Dag::build(jobs({"a"}), {{"a", "a"}});
  EXPECT_EQ(codes(r), std::vector<std::string>{"DAG_SELF_EDGE"});
  EXPECT_EQ(r.errors[0].message, "self-edge: a -> a");
}

TEST(DagPlanner, UnknownKeysAndDuplicatesAllReported) {
  const auto r = Dag::build(jobs({"a", "b", "a"}), {{"a", "x"}, {"y", "b"}});
  EXPECT_EQ(codes(r),
            (std::vector<std::string>{"DAG_DUPLICATE_KEY", "DAG_UNKNOWN_KEY", "DAG_UNKNOWN_KEY"}));
  EXPECT_NE(r.errors[1].message.find("unknown key x"), std::string::npos);
  EXPECT_NE(r.errors[2].message.find("unknown key y"), std::string::npos);
}

TEST(DagPlanner, InvalidCostRefused) {
  const auto r = Dag::build({{"a", -1.0}}, {});
  EXPECT_EQ(codes(r), std::vector<std::string>{"DAG_INVALID_COST"});
}

TEST(DagPlanner, TiesBrokenByKeyWhateverTheInputOrder) {
  const auto r1 = Dag::build(jobs({"c", "b", "a", "z"}), {{"c", "z"}});
  const auto r2 = Dag::build(jobs({"z", "a", "c", "b"}), {{"c", "z"}, {"c", "z"}});
  ASSERT_TRUE(r1.ok());
  ASSERT_TRUE(r2.ok());
  const std::vector<std::string> expected = {"a", "b", "c", "z"};
  EXPECT_EQ(r1.dag->plan().order, expected);
  EXPECT_EQ(r2.dag->plan().order, expected);
  EXPECT_EQ(r2.dag->plan().edges.size(), 1U);  // duplicate edge merged
}

TEST(DagPlanner, DiamondDepthsOrderAndCriticalPath) {
  // fetch -> parse_a, parse_b -> map
  std::vector<DagJob> js = {{"fetch", 1.0}, {"parse_b", 5.0}, {"parse_a", 2.0}, {"map", 1.0}};
  const auto r = Dag::build(
      js, {{"fetch", "parse_a"}, {"fetch", "parse_b"}, {"parse_a", "map"}, {"parse_b", "map"}});
  ASSERT_TRUE(r.ok());
  const auto& dag = *r.dag;
  EXPECT_EQ(dag.plan().order, (std::vector<std::string>{"fetch", "parse_a", "parse_b", "map"}));
  EXPECT_EQ(dag.depth("fetch"), 0);
  EXPECT_EQ(dag.depth("parse_a"), 1);
  EXPECT_EQ(dag.depth("map"), 2);
  EXPECT_EQ(dag.parentCount("map"), 2U);
  EXPECT_EQ(dag.plan().critical_path, (std::vector<std::string>{"fetch", "parse_b", "map"}));
  EXPECT_DOUBLE_EQ(dag.plan().critical_path_cost, 7.0);
  EXPECT_EQ(dag.descendants("fetch"), (std::vector<std::string>{"parse_a", "parse_b", "map"}));
  EXPECT_EQ(dag.descendants("parse_b"), std::vector<std::string>{"map"});
  EXPECT_TRUE(dag.descendants("map").empty());
  EXPECT_TRUE(dag.descendants("nope").empty());
  EXPECT_EQ(dag.parents("map"), (std::vector<std::string>{"parse_a", "parse_b"}));
  EXPECT_EQ(dag.children("fetch"), (std::vector<std::string>{"parse_a", "parse_b"}));
}

TEST(DagPlanner, CriticalPathTiesGoToSmallerKeys) {
  // Two equal-cost branches: a -> c and b -> c; default cost 1 everywhere.
  const auto r = Dag::build(jobs({"c", "b", "a"}), {{"b", "c"}, {"a", "c"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.dag->plan().critical_path, (std::vector<std::string>{"a", "c"}));
  // Disconnected equal chains x1 -> x2 and y1 -> y2: the path ending at the smaller key wins.
  const auto r2 = Dag::build(jobs({"y1", "y2", "x1", "x2"}), {{"y1", "y2"}, {"x1", "x2"}});
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2.dag->plan().critical_path, (std::vector<std::string>{"x1", "x2"}));
}

TEST(DagPlanner, DisconnectedGraphsAndEmpty) {
  const auto r = Dag::build(jobs({"b2", "a1", "a2", "b1", "lone"}), {{"a1", "a2"}, {"b1", "b2"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.dag->plan().order, (std::vector<std::string>{"a1", "a2", "b1", "b2", "lone"}));
  EXPECT_EQ(r.dag->depth("b2"), 1);
  EXPECT_EQ(r.dag->depth("lone"), 0);
  const auto empty = Dag::build({}, {});
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty.dag->plan().order.empty());
  EXPECT_TRUE(empty.dag->plan().critical_path.empty());
}

TEST(DagPlanner, TenThousandNodeChain) {
  constexpr int kN = 10000;
  std::vector<DagJob> js;
  std::vector<DagEdge> es;
  auto key = [](int i) {
    char buf[16];
    std::snprintf(buf, sizeof(buf), "j%05d", i);
    return std::string(buf);
  };
  for (int i = kN - 1; i >= 0; --i) {
    js.push_back({key(i), std::nullopt});
    if (i > 0) {
      es.push_back({key(i - 1), key(i)});
    }
  }
  const auto start = std::chrono::steady_clock::now();
  const auto r = Dag::build(js, es);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.dag->plan().order.front(), "j00000");
  EXPECT_EQ(r.dag->depth(key(kN - 1)), kN - 1);
  EXPECT_EQ(r.dag->plan().critical_path.size(), static_cast<size_t>(kN));
  EXPECT_EQ(r.dag->descendants(key(0)).size(), static_cast<size_t>(kN - 1));
  // A long cycle is still named (closing the chain).
  es.push_back({key(kN - 1), key(0)});
  const auto cyc = Dag::build(js, es);
  ASSERT_EQ(cyc.errors.size(), 1U);
  EXPECT_EQ(cyc.errors[0].message.rfind("cycle: j00000 -> j00001 -> ", 0), 0U);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count();
  RecordProperty("elapsed_ms", static_cast<int>(ms));
}
