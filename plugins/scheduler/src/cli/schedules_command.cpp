// `jobengine schedules next` (see schedules_command.hpp).
#include "cli/schedules_command.hpp"

#include <jobengine/time_format.hpp>

#include <nlohmann/json.hpp>

#include "core/schedule_spec.hpp"

namespace jobengine::scheduler::cli {

const char* const kSchedulesSummary = "show when a cron schedule fires (computed locally)";
const char* const kSchedulesUsage =
    "usage: jobengine schedules next --cron EXPR [--tz ZONE] [--from TIME] [--count N]\n"
    "                                [--output table|json]\n"
    "Prints the next N (default 10, at most 1000) fire times strictly after TIME (RFC 3339,\n"
    "default now) of the 5-field cron EXPR (or @hourly, @daily, @weekly, @monthly, @yearly)\n"
    "read in the IANA zone ZONE (default UTC), the way the engine's leader fires it: a local\n"
    "time skipped by a DST change fires at the end of the gap, a repeated one at its first\n"
    "occurrence (plugins/scheduler/docs/schedules.md). One UTC time per line, with the local\n"
    "time beside it; --output json prints POST /schedules/preview's answer.\n"
    "Exit status: 0 printed, 2 usage or an invalid cron, zone or time.";

int runSchedulesCommand(const std::vector<std::string>& args,
                        std::chrono::system_clock::time_point now, CommandOutput& io) {
  const auto usage = [&](const std::string& message) {
    io.err += "jobengine schedules: " + message + "\n" + kSchedulesUsage + "\n";
    return 2;
  };
  ParsedArgs parsed;
  try {
    parsed = parseArgs(args, {"cron", "tz", "from", "count", "output"});
  } catch (const UsageError& e) {
    return usage(e.what());
  }
  if (parsed.positional.size() != 1 || parsed.positional[0] != "next") {
    return usage("expected the subcommand `next`");
  }
  nlohmann::json body = nlohmann::json::object();
  if (!parsed.get("cron")) {
    return usage("--cron is required");
  }
  body["cron"] = *parsed.get("cron");
  if (const auto tz = parsed.get("tz")) {
    body["timeZone"] = *tz;
  }
  if (const auto from = parsed.get("from")) {
    body["from"] = *from;
  }
  if (const auto count = parsed.get("count")) {
    const auto n = parseNonNegative(*count);
    if (!n || *n < 1 || *n > 1000) {
      return usage("--count: must be an integer from 1 to 1000");
    }
    body["count"] = *n;
  }
  const std::string output = parsed.get("output").value_or("table");
  if (output != "table" && output != "json") {
    return usage("--output: must be table or json");
  }
  const PreviewInput input = parsePreviewBody(body);
  if (input.error) {
    std::string message = input.error->message;
    // The body's field names are the flags' here.
    for (const auto& [field, flag] : {std::pair<std::string, std::string>{"timeZone:", "--tz:"},
                                      {"cron:", "--cron:"},
                                      {"from:", "--from:"}}) {
      if (message.rfind(field, 0) == 0) {
        message = flag + message.substr(field.size());
      }
    }
    return usage(message);
  }
  const ParsedSchedule schedule = parseCronAndZone(input.cron, input.time_zone);
  nlohmann::json fires = nlohmann::json::array();
  std::string table;
  auto at = input.from.value_or(now);
  for (int i = 0; i < input.count; ++i) {
    const auto next = nextFire(*schedule.cron, *schedule.zone, at);
    if (!next) {
      break;
    }
    const std::string utc = sdk::formatRfc3339(*next, sdk::TimePrecision::kSeconds);
    fires.push_back(utc);
    table += utc + "  " + cctz::format("%Y-%m-%d %H:%M %Z", *next, *schedule.zone) + "\n";
    at = *next;
  }
  if (output == "json") {
    io.out +=
        nlohmann::json{{"cron", input.cron}, {"timeZone", input.time_zone}, {"fires", fires}}.dump(
            2) +
        "\n";
  } else if (fires.empty()) {
    io.out += "never: " + input.cron + " has no fire time in the next 9 years\n";
  } else {
    io.out += table;
  }
  return 0;
}

}  // namespace jobengine::scheduler::cli
