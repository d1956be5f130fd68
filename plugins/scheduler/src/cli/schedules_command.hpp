// `jobengine schedules next`: when a cron fires, computed locally by the same code the leader
// fires with (core/schedule_spec.hpp, core/schedule_clock.hpp): no engine, no database, no
// token. The command-line twin of POST /schedules/preview. Exit status: 0 printed, 2 a usage
// mistake or an invalid cron / zone / time (one line naming it, then the usage).
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "cli/client_commands.hpp"

namespace jobengine::scheduler::cli {

extern const char* const kSchedulesSummary;
extern const char* const kSchedulesUsage;

// `now` is the default of --from (the caller's clock, passed in so tests can fix it).
int runSchedulesCommand(const std::vector<std::string>& args,
                        std::chrono::system_clock::time_point now, CommandOutput& io);

}  // namespace jobengine::scheduler::cli
