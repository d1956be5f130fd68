// `jobengine status`: a running engine's health at a glance (issue 18) — readiness, leader,
// plugins, the backlog and its oldest job per type and status, open circuit breakers and the
// dead letters of the last hour — as aligned sections or, with --output json, one object
// (status_report.hpp). A REST client of public routes only, with the shared client options
// (client_config.hpp). Exit status: 0 the engine is ready, 1 it is not ready, cannot be
// reached or answered an API error (one `error:` line from the envelope), 2 a usage mistake.
#pragma once

#include <string>
#include <vector>

#include "cli/client_commands.hpp"

namespace jobengine::scheduler::cli {

extern const char* const kStatusSummary;
extern const char* const kStatusUsage;

int runStatusCommand(const std::vector<std::string>& args, const Getenv& env,
                     const std::string& default_url, CommandOutput& io);

}  // namespace jobengine::scheduler::cli
