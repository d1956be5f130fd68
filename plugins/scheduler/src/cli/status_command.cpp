// `jobengine status` (see status_command.hpp): six GETs, in the order the report reads, then
// the report. The leader route is optional on a host (404: shown as "-"); /circuit-breakers is
// asked only when GET /plugins lists ratelimit as started, so an engine without it shows
// "ratelimit not loaded" instead of failing. "Last hour" is measured on the client's clock.
#include "cli/status_command.hpp"

#include <jobengine/time_format.hpp>

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>

#include "cli/reply_checks.hpp"
#include "cli/rest_client.hpp"
#include "cli/status_report.hpp"

namespace jobengine::scheduler::cli {

const char* const kStatusSummary = "show a running engine's health at a glance (REST client)";
const char* const kStatusUsage =
    "usage: jobengine status [client options]\n"
    "Readiness (GET /readyz), leader and epoch, plugins, the backlog (jobs not yet finished,\n"
    "by type and status, with the age of the oldest), open circuit breakers (ratelimit) and\n"
    "the dead letters of the last hour by error class.\n"
    "client options: --url, --token, --tenant, --output table|json, --timeout (see\n"
    "`jobengine jobs --help`).\n"
    "Exit status: 0 the engine is ready, 1 not ready, unreachable or an API error, 2 usage.";

namespace {

using nlohmann::json;

// The most breakers one status reads (pages of 500): enough for any real job type list.
constexpr int kMaxBreakerPages = 20;

int usage(CommandOutput& io, const std::string& message) {
  io.err += "jobengine status: " + message + "\n" + kStatusUsage + "\n";
  return 2;
}

// GET path (under the API base) that must answer 2xx with JSON; else prints and returns 1.
int getJson(RestClient& client, const std::string& path,
            const std::map<std::string, std::string>& query, json& out, CommandOutput& io) {
  const RestReply reply = client.get(path, query);
  if (const int status = reportFailure(client, reply, io)) {
    return status;
  }
  return parseJsonBody(reply, out, io) ? 0 : 1;
}

// GET /readyz answers 200 ready or 503 not ready, both with the readiness object.
int getReadiness(RestClient& client, json& out, CommandOutput& io) {
  const RestReply reply = client.getFromRoot("/readyz");
  if (reply.transport_error.empty() && (reply.status == 200 || reply.status == 503)) {
    out = json::parse(reply.body, nullptr, false);
    if (out.is_object() && out.contains("status")) {
      return 0;
    }
  }
  if (const int status = reportFailure(client, reply, io)) {
    return status;
  }
  io.err += "error: GET /readyz answered HTTP " + std::to_string(reply.status) +
            " without a readiness object\n";
  return 1;
}

int getLeader(RestClient& client, json& out, CommandOutput& io) {
  const RestReply reply = client.get("/leader");
  if (reply.transport_error.empty() && reply.status == 404) {
    out = nullptr;  // this host serves no leader route
    return 0;
  }
  if (const int status = reportFailure(client, reply, io)) {
    return status;
  }
  return parseJsonBody(reply, out, io) ? 0 : 1;
}

int getBreakers(RestClient& client, json& out, CommandOutput& io) {
  out = json::array();
  std::map<std::string, std::string> query = {{"page_size", "500"}};
  for (int page = 0; page < kMaxBreakerPages; ++page) {
    json body;
    if (const int status = getJson(client, "/circuit-breakers", query, body, io)) {
      return status;
    }
    for (const auto& b : body.value("breakers", json::array())) {
      out.push_back(b);
    }
    if (!body.contains("nextPageToken") || !body["nextPageToken"].is_string()) {
      break;
    }
    query["page_token"] = body["nextPageToken"].get<std::string>();
  }
  return 0;
}

int fetchAnswers(RestClient& client, std::chrono::system_clock::time_point now,
                 StatusAnswers& answers, CommandOutput& io) {
  if (const int status = getReadiness(client, answers.readiness, io)) {
    return status;
  }
  if (const int status = getLeader(client, answers.leader, io)) {
    return status;
  }
  json plugins;
  if (const int status = getJson(client, "/plugins", {}, plugins, io)) {
    return status;
  }
  answers.plugins = plugins.value("plugins", json::array());
  if (const int status = getJson(client, "/jobs/summary", {}, answers.summary, io)) {
    return status;
  }
  if (ratelimitStarted(answers.plugins)) {
    json breakers;
    if (const int status = getBreakers(client, breakers, io)) {
      return status;
    }
    answers.breakers = breakers;
  }
  answers.dead_letters_since =
      sdk::formatRfc3339(now - std::chrono::hours(1), sdk::TimePrecision::kSeconds);
  return getJson(client, "/deadletter/stats", {{"since", answers.dead_letters_since}},
                 answers.dead_letters, io);
}

}  // namespace

int runStatusCommand(const std::vector<std::string>& args, const Getenv& env,
                     const std::string& default_url, CommandOutput& io) {
  ClientSettings settings;
  try {
    const ParsedArgs parsed = parseArgs(args, commonClientFlags());
    if (!parsed.positional.empty()) {
      return usage(io, "takes no words, only options (got '" + parsed.positional[0] + "')");
    }
    settings = resolveClientSettings(parsed, env, default_url);
  } catch (const UsageError& e) {
    return usage(io, e.what());
  }
  RestClient client(settings);
  const auto now = std::chrono::system_clock::now();
  StatusAnswers answers;
  if (const int status = fetchAnswers(client, now, answers, io)) {
    return status;
  }
  const json report = buildStatusReport(answers, now);
  io.out += client.settings().json_output ? report.dump(2) + "\n" : renderStatusTable(report);
  return report["ready"].get<bool>() ? 0 : 1;
}

}  // namespace jobengine::scheduler::cli
