// `jobengine schedules next` (src/cli/schedules_command.cpp): the fire times the leader would
// use, printed as UTC with the local time beside them or as POST /schedules/preview's JSON,
// and usage errors naming the flag. Times are computed by hand (docs/schedules.md).
#include "cli/schedules_command.hpp"

#include <gtest/gtest.h>
#include <jobengine/time_format.hpp>

#include <nlohmann/json.hpp>

namespace jobengine::scheduler::cli {
namespace {

std::chrono::system_clock::time_point at(const char* rfc3339) {
  return *sdk::parseRfc3339(rfc3339);
}

TEST(SchedulesCommandTest, NextPrintsUtcAndLocalTimesAcrossTheSpringGap) {
  CommandOutput io;
  const int status =
      runSchedulesCommand({"next", "--cron", "30 2 * * *", "--tz", "Europe/Berlin", "--count", "3"},
                          at("2027-03-26T12:00:00Z"), io);
  ASSERT_EQ(status, 0) << io.err;
  EXPECT_EQ(io.out,
            "2027-03-27T01:30:00Z  2027-03-27 02:30 CET\n"
            "2027-03-28T01:00:00Z  2027-03-28 03:00 CEST\n"
            "2027-03-29T00:30:00Z  2027-03-29 02:30 CEST\n");
}

TEST(SchedulesCommandTest, JsonIsThePreviewAnswerAndFromOverridesNow) {
  CommandOutput io;
  ASSERT_EQ(runSchedulesCommand({"next", "--cron", "@yearly", "--from", "2027-06-01T00:00:00Z",
                                 "--count", "2", "-o", "json"},
                                at("2030-01-01T00:00:00Z"), io),
            0)
      << io.err;
  const auto j = nlohmann::json::parse(io.out);
  EXPECT_EQ(j["timeZone"], "UTC");
  EXPECT_EQ(j["fires"], nlohmann::json::array({"2028-01-01T00:00:00Z", "2029-01-01T00:00:00Z"}));
}

TEST(SchedulesCommandTest, NeverFiringSaysSo) {
  CommandOutput io;
  ASSERT_EQ(runSchedulesCommand({"next", "--cron", "0 0 30 2 *"}, at("2027-01-01T00:00:00Z"), io),
            0);
  EXPECT_EQ(io.out, "never: 0 0 30 2 * has no fire time in the next 9 years\n");
}

TEST(SchedulesCommandTest, MistakesAreUsageErrorsNamingTheFlag) {
  const auto run = [](std::vector<std::string> args) {
    CommandOutput io;
    const int status = runSchedulesCommand(args, at("2027-01-01T00:00:00Z"), io);
    EXPECT_EQ(status, 2) << io.out;
    return io.err.substr(0, io.err.find('\n'));
  };
  EXPECT_EQ(run({"next", "--cron", "61 * * * *"}),
            "jobengine schedules: --cron: cron field 1 (minute): 61 is out of range 0-59");
  EXPECT_NE(run({"next", "--cron", "@daily", "--tz", "Nowhere/City"}).find("--tz:"),
            std::string::npos);
  EXPECT_NE(run({"next", "--cron", "@daily", "--from", "yesterday"}).find("--from:"),
            std::string::npos);
  EXPECT_NE(run({"next", "--cron", "@daily", "--count", "0"}).find("--count"), std::string::npos);
  EXPECT_NE(run({"next"}).find("--cron is required"), std::string::npos);
  EXPECT_NE(run({"list", "--cron", "@daily"}).find("next"), std::string::npos);
  EXPECT_NE(run({"next", "--cron", "@daily", "--bogus", "1"}).find("bogus"), std::string::npos);
}

}  // namespace
}  // namespace jobengine::scheduler::cli
