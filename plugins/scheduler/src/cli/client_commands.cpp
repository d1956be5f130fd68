// The scheduler's client commands (see client_commands.hpp): argument checks, one REST call
// each, and the table or JSON they print.
#include "cli/client_commands.hpp"

#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/output.hpp"
#include "cli/reply_checks.hpp"
#include "cli/rest_client.hpp"

namespace jobengine::scheduler::cli {

const char* const kJobsSummary = "list and show jobs of a running engine (REST client)";
const char* const kJobsUsage =
    "usage: jobengine jobs list [--status S] [--type T] [--source-id ID] [--run-id ID]\n"
    "                           [--page-size N] [--page-token T] [client options]\n"
    "       jobengine jobs get <job id> [client options]\n"
    "The filters are GET /api/v1/jobengine/jobs's query parameters (status, type, sourceId,\n"
    "runId, page_size, page_token).\n"
    "client options:\n"
    "  --url URL          the engine (or JOBENGINE_URL; default: http.bind/http.port of the\n"
    "                     configuration)\n"
    "  --token JWT        bearer token (or JOBENGINE_TOKEN); required\n"
    "  --tenant ID        X-StellaOps-Tenant (or JOBENGINE_TENANT; default: the token's tenant)\n"
    "  --output table|json, -o   a table (default) or the API's JSON\n"
    "  --timeout SECONDS  for the whole request (default 30)\n"
    "Exit status: 0 done, 1 the engine answered an error or could not be reached, 2 usage.";
const char* const kRunsSummary = "submit a run (jobs and dependencies) to a running engine";
const char* const kRunsUsage =
    "usage: jobengine runs submit -f run.json --reason TEXT [--ticket T]\n"
    "                             [--idempotency-key K] [client options]\n"
    "Posts the file (or stdin with -f -) to POST /api/v1/jobengine/runs: {\"jobs\": [{\"key\",\n"
    "\"type\", \"payload\", \"dependsOn\": [keys]}], ...}. orch:operate needs --reason.\n"
    "client options: --url, --token, --tenant, --output table|json, --timeout (see\n"
    "`jobengine jobs --help`).\n"
    "Exit status: 0 created, 1 the engine answered an error or could not be reached, 2 usage.";

namespace {

int usage(CommandOutput& io, const std::string& command, const std::string& message,
          const char* text) {
  io.err += "jobengine " + command + ": " + message + "\n" + text + "\n";
  return 2;
}

std::string attempts(const nlohmann::json& job) {
  return field(job, "attempts") + "/" + field(job, "maxAttempts");
}

int jobsList(RestClient& client, const ParsedArgs& args, CommandOutput& io) {
  static const std::map<std::string, std::string> kQueryOf = {
      {"status", "status"}, {"type", "type"},           {"source-id", "sourceId"},
      {"run-id", "runId"},  {"page-size", "page_size"}, {"page-token", "page_token"}};
  std::map<std::string, std::string> query;
  for (const auto& [flag, param] : kQueryOf) {
    if (auto v = args.get(flag)) {
      query[param] = *v;
    }
  }
  const RestReply reply = client.get("/jobs", query);
  if (const int status = reportFailure(client, reply, io)) {
    return status;
  }
  nlohmann::json body;
  if (!parseJsonBody(reply, body, io)) {
    return 1;
  }
  if (client.settings().json_output) {
    io.out += body.dump() + "\n";
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& job : body.value("items", nlohmann::json::array())) {
    rows.push_back({field(job, "id"), field(job, "type"), field(job, "status"),
                    field(job, "priority"), attempts(job), field(job, "createdAt")});
  }
  io.out += renderTable({"ID", "TYPE", "STATUS", "PRIORITY", "ATTEMPTS", "CREATED"}, rows);
  if (body.contains("nextPageToken")) {
    io.out += "more: --page-token " + field(body, "nextPageToken") + "\n";
  }
  return 0;
}

int jobsGet(RestClient& client, const std::string& id, CommandOutput& io) {
  const RestReply reply = client.get("/jobs/" + client.escape(id));
  if (const int status = reportFailure(client, reply, io)) {
    return status;
  }
  nlohmann::json job;
  if (!parseJsonBody(reply, job, io)) {
    return 1;
  }
  if (client.settings().json_output) {
    io.out += job.dump() + "\n";
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  for (const char* name :
       {"id", "type", "status", "reason", "priority", "runId", "jobKey", "sourceId", "projectId",
        "correlationId", "leasedBy", "leaseUntil", "progress", "createdAt", "startedAt",
        "finishedAt", "lastError", "payloadDigest", "payload"}) {
    rows.push_back({name, field(job, name)});
  }
  rows.insert(rows.begin() + 5, {"attempts", attempts(job)});
  io.out += renderTable({"FIELD", "VALUE"}, rows);
  return 0;
}

std::optional<std::string> readRunFile(const std::string& path, std::string& error) {
  std::ostringstream text;
  if (path == "-") {
    text << std::cin.rdbuf();
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      error = "cannot read " + path;
      return std::nullopt;
    }
    text << in.rdbuf();
  }
  return text.str();
}

}  // namespace

int runJobsCommand(const std::vector<std::string>& args, const Getenv& env,
                   const std::string& default_url, CommandOutput& io) {
  try {
    std::set<std::string> valued = commonClientFlags();
    valued.insert({"status", "type", "source-id", "run-id", "page-size", "page-token"});
    const ParsedArgs parsed = parseArgs(args, valued);
    const auto& words = parsed.positional;
    if (words.empty()) {
      return usage(io, "jobs", "which one: list or get?", kJobsUsage);
    }
    const std::string& sub = words[0];
    if (sub == "list" && words.size() == 1) {
      RestClient client(resolveClientSettings(parsed, env, default_url));
      return jobsList(client, parsed, io);
    }
    if (sub == "get" && words.size() == 2) {
      for (const auto& flag :
           {"status", "type", "source-id", "run-id", "page-size", "page-token"}) {
        if (parsed.has(flag)) {
          return usage(io, "jobs get", std::string("--") + flag + " belongs to jobs list",
                       kJobsUsage);
        }
      }
      RestClient client(resolveClientSettings(parsed, env, default_url));
      return jobsGet(client, words[1], io);
    }
    if (sub == "get") {
      return usage(io, "jobs get", "expects exactly one job id", kJobsUsage);
    }
    if (sub == "list") {
      return usage(io, "jobs list", "takes no words, only options", kJobsUsage);
    }
    return usage(io, "jobs", "unknown subcommand '" + sub + "'", kJobsUsage);
  } catch (const UsageError& e) {
    return usage(io, "jobs", e.what(), kJobsUsage);
  }
}

int runRunsCommand(const std::vector<std::string>& args, const Getenv& env,
                   const std::string& default_url, CommandOutput& io) {
  try {
    std::set<std::string> valued = commonClientFlags();
    valued.insert({"file", "reason", "ticket", "idempotency-key"});
    const ParsedArgs parsed = parseArgs(args, valued);
    const auto& words = parsed.positional;
    if (words.size() != 1 || words[0] != "submit") {
      return usage(io, "runs",
                   words.empty() ? "which one: submit?" : "unknown subcommand '" + words[0] + "'",
                   kRunsUsage);
    }
    const auto file = parsed.get("file");
    if (!file) {
      return usage(io, "runs submit", "-f run.json is required", kRunsUsage);
    }
    std::string error;
    const auto text = readRunFile(*file, error);
    if (!text) {
      return usage(io, "runs submit", error, kRunsUsage);
    }
    const auto body = nlohmann::json::parse(*text, nullptr, false);
    if (!body.is_object()) {
      return usage(io, "runs submit", *file + " is not a JSON object", kRunsUsage);
    }
    for (const auto& flag : {"reason", "ticket", "idempotency-key"}) {
      if (auto v = parsed.get(flag); v && v->find_first_of("\r\n") != std::string::npos) {
        return usage(io, "runs submit", std::string("--") + flag + " must be one line", kRunsUsage);
      }
    }
    RestClient client(resolveClientSettings(parsed, env, default_url));
    std::vector<std::string> headers;
    if (auto reason = parsed.get("reason")) {
      headers.push_back("X-StellaOps-Operator-Reason: " + *reason);
    }
    if (auto ticket = parsed.get("ticket")) {
      headers.push_back("X-StellaOps-Operator-Ticket: " + *ticket);
    }
    if (auto key = parsed.get("idempotency-key")) {
      headers.push_back("Idempotency-Key: " + *key);
    }
    const RestReply reply = client.post("/runs", body.dump(), headers);
    if (const int status = reportFailure(client, reply, io)) {
      return status;
    }
    nlohmann::json created;
    if (!parseJsonBody(reply, created, io)) {
      return 1;
    }
    if (client.settings().json_output) {
      io.out += created.dump() + "\n";
      return 0;
    }
    const nlohmann::json run = created.value("run", nlohmann::json::object());
    io.out += "run " + field(run, "id") + " " + field(run, "status") + ", " +
              field(run, "jobsTotal") + " job(s)\n";
    std::vector<std::vector<std::string>> rows;
    for (const auto& job : created.value("jobs", nlohmann::json::array())) {
      rows.push_back(
          {field(job, "key"), field(job, "id"), field(job, "type"), field(job, "status")});
    }
    io.out += renderTable({"KEY", "ID", "TYPE", "STATUS"}, rows);
    return 0;
  } catch (const UsageError& e) {
    return usage(io, "runs", e.what(), kRunsUsage);
  }
}

}  // namespace jobengine::scheduler::cli
