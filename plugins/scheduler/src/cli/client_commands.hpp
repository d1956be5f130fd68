// `jobengine jobs list|get` and `jobengine runs submit`: the scheduler's operator commands, as
// REST clients of a running engine (GET /jobs, GET /jobs/{id}, POST /runs). Each takes the
// arguments after its name and returns the exit status: 0 done, 1 the engine refused or could
// not be reached (one `error:` line on stderr), 2 a usage mistake (the line and the usage).
// No SDK types: the glue (src/cli_commands.cpp) hands in the arguments and the environment and
// writes what these produce.
#pragma once

#include <string>
#include <vector>

#include "cli/client_config.hpp"

namespace jobengine::scheduler::cli {

// What a command printed.
struct CommandOutput {
  std::string out;
  std::string err;
};

extern const char* const kJobsSummary;
extern const char* const kJobsUsage;
extern const char* const kRunsSummary;
extern const char* const kRunsUsage;

int runJobsCommand(const std::vector<std::string>& args, const Getenv& env,
                   const std::string& default_url, CommandOutput& io);
int runRunsCommand(const std::vector<std::string>& args, const Getenv& env,
                   const std::string& default_url, CommandOutput& io);

}  // namespace jobengine::scheduler::cli
