// `jobengine status` without an engine: the report object built from canned REST answers
// (backlog rows only for non-terminal statuses, ages from the oldest createdAt, open breakers,
// dead letters), the rendered sections, and the short age format.
// (tests/integration/cli_commands_test.cpp runs the command against a real engine.)
#include <gtest/gtest.h>

#include <jobengine/time_format.hpp>

#include "cli/status_report.hpp"

namespace jobengine::scheduler::cli {
namespace {

using nlohmann::json;

StatusAnswers readyEngine() {
  StatusAnswers a;
  a.readiness = {{"status", "ready"},
                 {"checks", {{"db", true}, {"migrations", true}, {"plugins", true}}},
                 {"detail", json::object()}};
  a.leader = {{"leader", true}, {"epoch", 7}, {"replicaId", "r1"}, {"holder", "r1"}};
  a.plugins = json::array({{{"id", "scheduler"}, {"version", "0.4.0"}, {"state", "started"}}});
  a.summary = {
      {"total", 9},
      {"byStatus", {{"queued", 3}, {"running", 1}, {"succeeded", 5}}},
      {"byType", {{"b.type", {{"running", 1}, {"succeeded", 5}}}, {"a.type", {{"queued", 3}}}}},
      {"oldest",
       {{"a.type", {{"queued", "2026-12-07T09:58:00.000Z"}}},
        {"b.type", {{"running", "2026-12-07T07:00:00.000Z"}}}}}};
  a.dead_letters = {{"total", 0},
                    {"byErrorClass", {{"transient", 0}, {"permanent", 0}, {"unknown", 0}}},
                    {"byJobType", json::object()}};
  a.dead_letters_since = "2026-12-07T09:00:00Z";
  return a;
}

// The client's clock in these tests.
std::chrono::system_clock::time_point testNow() {
  return *sdk::parseRfc3339("2026-12-07T10:00:00Z");
}

TEST(CliStatusReport, BacklogHasOnlyUnfinishedStatusesWithTheirAge) {
  const json report = buildStatusReport(readyEngine(), testNow());
  EXPECT_TRUE(report["ready"].get<bool>());
  ASSERT_EQ(report["backlog"].size(), 2u) << report.dump();
  EXPECT_EQ(report["backlog"][0], (json{{"type", "a.type"},
                                        {"status", "queued"},
                                        {"count", 3},
                                        {"oldest", "2026-12-07T09:58:00.000Z"},
                                        {"oldestAgeSeconds", 120}}));
  EXPECT_EQ(report["backlog"][1]["type"], "b.type");
  EXPECT_EQ(report["backlog"][1]["oldestAgeSeconds"], 3 * 3600);
  EXPECT_EQ(report["breakers"], (json{{"loaded", false}, {"open", json::array()}}));
  EXPECT_EQ(report["plugins"][0],
            (json{{"id", "scheduler"}, {"version", "0.4.0"}, {"state", "started"}}));
}

TEST(CliStatusReport, TableShowsEverySection) {
  const std::string table = renderStatusTable(buildStatusReport(readyEngine(), testNow()));
  EXPECT_EQ(table,
            "Engine\n"
            "READY  LEADER  EPOCH  HOLDER\n"
            "yes    yes     7      r1\n"
            "\n"
            "Plugins\n"
            "ID         VERSION  STATE\n"
            "scheduler  0.4.0    started\n"
            "\n"
            "Backlog\n"
            "TYPE    STATUS   COUNT  OLDEST-AGE\n"
            "a.type  queued   3      2m00s\n"
            "b.type  running  1      3h00m\n"
            "\n"
            "Breakers\n"
            "ratelimit not loaded\n"
            "\n"
            "Dead letters (last hour)\n"
            "none\n");
}

TEST(CliStatusReport, NotReadyOpenBreakersAndDeadLetters) {
  StatusAnswers a = readyEngine();
  a.readiness = {{"status", "not_ready"},
                 {"checks", {{"db", true}, {"migrations", true}, {"plugins", false}}},
                 {"detail", {{"plugins", "starting"}}}};
  a.leader = nullptr;
  a.breakers = json::array({{{"key", "x.fetch"},
                             {"state", "open"},
                             {"failures", 5},
                             {"completions", 6},
                             {"openedUntil", "2026-12-07T10:05:00Z"}},
                            {{"key", "y.fetch"}, {"state", "closed"}}});
  a.dead_letters["total"] = 2;
  a.dead_letters["byErrorClass"]["permanent"] = 2;
  const json report = buildStatusReport(a, testNow());
  EXPECT_FALSE(report["ready"].get<bool>());
  EXPECT_EQ(report["breakers"]["open"].size(), 1u);
  EXPECT_EQ(report["deadLetters"]["total"], 2);
  const std::string table = renderStatusTable(report);
  EXPECT_NE(table.find(
                "Engine\nREADY  LEADER  EPOCH  HOLDER\nno     -       -      -\n"
                "checks: db=ok migrations=ok plugins=failed\ndetail: {\"plugins\":\"starting\"}\n"),
            std::string::npos)
      << table;
  EXPECT_NE(table.find("Breakers\nKEY      STATE  FAILURES  COMPLETIONS  OPEN-UNTIL\n"
                       "x.fetch  open   5         6            2026-12-07T10:05:00Z\n"),
            std::string::npos)
      << table;
  EXPECT_NE(table.find("Dead letters (last hour)\nCLASS      COUNT\npermanent  2\ntotal      2\n"),
            std::string::npos)
      << table;
}

TEST(CliStatusReport, RatelimitCountsOnlyWhenStarted) {
  EXPECT_FALSE(ratelimitStarted(json::array()));
  EXPECT_FALSE(ratelimitStarted(json::array({{{"id", "ratelimit"}, {"state", "disabled"}}})));
  EXPECT_TRUE(ratelimitStarted(json::array({{{"id", "ratelimit"}, {"state", "started"}}})));
}

TEST(CliStatusReport, AgesAreShort) {
  using std::chrono::seconds;
  EXPECT_EQ(formatAge(seconds(-5)), "0s");
  EXPECT_EQ(formatAge(seconds(45)), "45s");
  EXPECT_EQ(formatAge(seconds(725)), "12m05s");
  EXPECT_EQ(formatAge(seconds(3 * 3600 + 120)), "3h02m");
  EXPECT_EQ(formatAge(seconds(2 * 86400 + 4 * 3600 + 59)), "2d04h");
}

}  // namespace
}  // namespace jobengine::scheduler::cli
