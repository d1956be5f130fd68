// Glue between je.cli and the client commands in src/cli/: the arguments, the process
// environment, the default URL from the host's http.bind / http.port (je.config), and the
// command's stdout/stderr.
#include "cli_commands.hpp"

#include <optional>
#include <string>

#include "cli/client_commands.hpp"
#include "cli/schedules_command.hpp"
#include "cli/status_command.hpp"

namespace jobengine::scheduler {
namespace {

// The engine the loaded configuration describes (http.bind, http.port).
std::string configuredUrl(const sdk::Host& host) {
  const auto bind = host.hostSetting("http.bind");
  const auto port = host.hostSetting("http.port");
  return cli::defaultUrl(bind && bind->is_string() ? bind->get<std::string>() : "",
                         port && port->is_number_integer() ? port->get<int>() : 8080);
}

using Runner = int (*)(const std::vector<std::string>&, const cli::Getenv&, const std::string&,
                       cli::CommandOutput&);

sdk::CommandFn clientCommand(const sdk::Host& host, Runner run) {
  return [&host, run](sdk::CliInvocation& inv) {
    cli::CommandOutput io;
    const int status = run(inv.args(), cli::processEnvironment(), configuredUrl(host), io);
    inv.out(io.out);
    inv.err(io.err);
    return status;
  };
}

}  // namespace

void registerCliCommands(sdk::Host& host) {
  host.addCommand({"jobs", cli::kJobsSummary, cli::kJobsUsage},
                  clientCommand(host, &cli::runJobsCommand));
  host.addCommand({"runs", cli::kRunsSummary, cli::kRunsUsage},
                  clientCommand(host, &cli::runRunsCommand));
  host.addCommand({"status", cli::kStatusSummary, cli::kStatusUsage},
                  clientCommand(host, &cli::runStatusCommand));
  host.addCommand({"schedules", cli::kSchedulesSummary, cli::kSchedulesUsage},
                  [](sdk::CliInvocation& inv) {
                    cli::CommandOutput io;
                    const int status =
                        cli::runSchedulesCommand(inv.args(), std::chrono::system_clock::now(), io);
                    inv.out(io.out);
                    inv.err(io.err);
                    return status;
                  });
}

}  // namespace jobengine::scheduler
