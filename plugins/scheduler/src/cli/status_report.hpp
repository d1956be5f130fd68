// What `jobengine status` shows, built from a running engine's answers to its public REST
// routes (GET /readyz, /leader, /plugins, /jobs/summary, /circuit-breakers and
// /deadletter/stats?since=<an hour ago>) and rendered as aligned sections for people or as one
// JSON object for scripts. Pure functions over parsed JSON and a clock value, unit tested in
// plugins/scheduler/tests/cli_status_test.cpp; status_command.cpp fetches the answers.
//
// The JSON object: {"ready", "readiness", "leader", "plugins", "backlog", "breakers",
// "deadLetters"} (plugins/scheduler/README.md, "Client commands", has the field list).
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace jobengine::scheduler::cli {

struct StatusAnswers {
  nlohmann::json readiness;  // GET /readyz: {"status", "checks": {db, migrations, plugins}, ...}
  nlohmann::json leader;     // GET /leader, or null when the host serves no leader route
  nlohmann::json plugins;    // GET /plugins: its "plugins" array
  nlohmann::json summary;    // GET /jobs/summary: {total, byStatus, byType, oldest}
  // Every breaker GET /circuit-breakers listed (all pages); nullopt: ratelimit is not loaded.
  std::optional<nlohmann::json> breakers;
  nlohmann::json dead_letters;     // GET /deadletter/stats?since=... (total, byErrorClass, ...)
  std::string dead_letters_since;  // the `since` it was asked with (RFC 3339)
};

// True when GET /plugins lists the ratelimit plugin as started (it serves /circuit-breakers).
bool ratelimitStarted(const nlohmann::json& plugins);

// The report object. `now` (the client's clock) turns each oldest createdAt into an age.
nlohmann::json buildStatusReport(const StatusAnswers& answers,
                                 std::chrono::system_clock::time_point now);

// The sections Engine, Plugins, Backlog, Breakers and "Dead letters (last hour)", each a title
// line and an aligned table (or one line such as "none"), separated by blank lines.
std::string renderStatusTable(const nlohmann::json& report);

// A short age: "45s", "12m05s", "3h02m", "2d04h"; negative ages (clock skew) print as "0s".
std::string formatAge(std::chrono::seconds age);

}  // namespace jobengine::scheduler::cli
