// How the scheduler's client commands judge an engine's answer before they use it: a transport
// failure or a non-2xx status becomes one `error:` line on stderr (from the API's error
// envelope, output.hpp) and exit status 1; a 2xx body that is not JSON is an error too. Shared
// by client_commands.cpp (jobs, runs) and status_command.cpp.
#pragma once

#include <nlohmann/json.hpp>

#include "cli/client_commands.hpp"
#include "cli/rest_client.hpp"

namespace jobengine::scheduler::cli {

// Prints the reply's failure (if any) and returns the exit status it deserves (0: none).
int reportFailure(const RestClient& client, const RestReply& reply, CommandOutput& io);

// The body as JSON; false (with the error line printed) when it is not JSON.
bool parseJsonBody(const RestReply& reply, nlohmann::json& out, CommandOutput& io);

}  // namespace jobengine::scheduler::cli
