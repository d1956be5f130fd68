// Plugin commands (je.cli) through the real binary: `jobengine --help` lists the host's and
// the plugins' commands with their plugin, the ABI fixture's commands run (with and without
// the database), and the scheduler's `jobs list|get` and `runs submit` talk to a running
// engine over real HTTP: a table by default, the API's JSON with --output json, and errors
// printed from the API's envelope with a non-zero exit status; `status` shows a known state
// (backlog, dead letters) as a table and as JSON, and exits 1 when nothing answers.
#include <filesystem>
#include <fstream>
#include <jobengine/time_format.hpp>

#include <regex>

#include "scheduler_fixture.hpp"

namespace jobengine::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kFixtures = std::string(JE_BINARY_DIR) + "/fixtures";
const std::string kPlugins = std::string(JE_BINARY_DIR) + "/plugins";

class CliCommandsTest : public SchedulerTest {
 protected:
  static void SetUpTestSuite() { startEngine("cli_cmds"); }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(engine_->restPort()); }
  // `jobengine <args> --url <engine> --token <tenant-a's token> --config <engine's config>`
  CommandResult client(std::vector<std::string> args) const {
    args.insert(args.end(), {"--url", url(), "--token", token()});
    return engine_->run(args);
  }
  // The fixture plugin `good` alone, from the fixture directory (the engine's config names
  // [plugins.scheduler]: switched off here).
  CommandResult fixture(std::vector<std::string> args) const {
    args.insert(args.end(), {"--plugin-dir", kFixtures, "--set", "host.plugin_order=[\"good\"]",
                             "--set", "plugins.scheduler.enabled=false"});
    return engine_->run(args);
  }
  std::string enqueue(const std::string& type) {
    const Reply r = post("/jobs", {{"type", type}, {"payload", {{"n", 1}}}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json().value("id", "");
  }
};

TEST_F(CliCommandsTest, HelpListsHostAndPluginCommandsWithTheirPlugin) {
  // One plugin directory with the real scheduler and the ABI fixture next to each other.
  const fs::path dir = fs::path(engine_->dir()) / "mixed-plugins";
  fs::create_directories(dir);
  fs::create_symlink(kPlugins + "/scheduler.so", dir / "scheduler.so");
  fs::create_symlink(kFixtures + "/good.so", dir / "good.so");
  const CommandResult r = engine_->run({"--help", "--plugin-dir", dir.string(), "--set",
                                        "host.plugin_order=[\"scheduler\",\"good\"]"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\n  serve "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nplugin commands:\n"), std::string::npos) << r.out;
  EXPECT_TRUE(std::regex_search(
      r.out, std::regex(R"(\n  jobs +list and show jobs.*\(plugin scheduler\)\n)")))
      << r.out;
  EXPECT_TRUE(
      std::regex_search(r.out, std::regex(R"(\n  runs +submit a run.*\(plugin scheduler\)\n)")))
      << r.out;
  EXPECT_TRUE(std::regex_search(
      r.out,
      std::regex(R"(\n  fixture-echo +print the arguments \(ABI fixture\) \(plugin good\)\n)")))
      << r.out;
  EXPECT_EQ(r.err, "");
}

TEST_F(CliCommandsTest, FixtureCommandRunsWithItsArgumentsAndExitStatus) {
  CommandResult r = fixture({"fixture-echo", "a", "b"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "echo: a b\n");
  EXPECT_EQ(r.err, "");

  // The host's options are taken out wherever they stand; after `--` nothing is.
  r = runCommand({engineBinary(), "fixture-echo", "a", "--plugin-dir", kFixtures, "b", "--set",
                  "host.plugin_order=[\"good\"]", "--set=plugins.scheduler.enabled=false",
                  "--config", engine_->configPath(), "--", "--set", "c", "-c", "d"},
                 std::chrono::seconds(60));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "echo: a b --set c -c d\n");

  r = fixture({"fixture-echo", "--fail"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "fixture-echo: asked to fail\n");

  r = fixture({"fixture-echo", "--help"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("jobengine fixture-echo: print the arguments (ABI fixture) (plugin good)\n"
                        "usage: jobengine fixture-echo [--fail] [words...]\n",
                        0),
            0u)
      << r.out;
}

TEST_F(CliCommandsTest, UnknownCommandIsAClearErrorWithStatusTwo) {
  const CommandResult r = fixture({"no-such-command", "x"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "jobengine: unknown command 'no-such-command'; `jobengine --help` lists the host's "
            "and the plugins' commands\n");
}

TEST_F(CliCommandsTest, CommandThatNeedsTheDatabaseGetsIt) {
  // The engine's configuration names its (external) database: the command opens it, migrates
  // like `serve` and hands the fixture a working je.store.
  const CommandResult r = fixture({"fixture-db"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "tenant: system\n");
}

TEST_F(CliCommandsTest, JobsListPrintsATableAndJsonWithTheEnqueuedJobs) {
  const std::string first = enqueue("cli.list");
  const std::string second = enqueue("cli.list");
  enqueue("cli.other");

  // No --tenant: the client sends the token's tenant.
  const CommandResult table = client({"jobs", "list", "--type", "cli.list"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_EQ(table.err, "");
  EXPECT_TRUE(
      std::regex_search(table.out, std::regex("^ID +TYPE +STATUS +PRIORITY +ATTEMPTS +CREATED\n")))
      << table.out;
  EXPECT_NE(table.out.find(first), std::string::npos) << table.out;
  EXPECT_NE(table.out.find(second), std::string::npos) << table.out;
  EXPECT_EQ(std::count(table.out.begin(), table.out.end(), '\n'), 3) << table.out;
  EXPECT_NE(table.out.find("cli.list  queued"), std::string::npos) << table.out;

  const CommandResult as_json = client({"jobs", "list", "--type", "cli.list", "--output", "json"});
  ASSERT_EQ(as_json.exit_code, 0) << as_json.err;
  const json body = json::parse(as_json.out, nullptr, false);
  ASSERT_FALSE(body.is_discarded()) << as_json.out;
  std::set<std::string> ids;
  for (const auto& job : body["items"]) {
    ids.insert(job["id"].get<std::string>());
  }
  EXPECT_EQ(ids, (std::set<std::string>{first, second}));

  // Paging: one row and the token to continue with.
  const CommandResult page = client({"jobs", "list", "--type", "cli.list", "--page-size", "1"});
  ASSERT_EQ(page.exit_code, 0) << page.err;
  EXPECT_NE(page.out.find("\nmore: --page-token "), std::string::npos) << page.out;
}

TEST_F(CliCommandsTest, EnvironmentStandsInForTheFlags) {
  const std::string id = enqueue("cli.env");
  const CommandResult r =
      runCommand({"/usr/bin/env", "JOBENGINE_URL=" + url(), "JOBENGINE_TOKEN=" + token(),
                  "JOBENGINE_TENANT=" + tenant_, engineBinary(), "jobs", "get", id, "--config",
                  engine_->configPath()},
                 std::chrono::seconds(60));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::regex_search(r.out, std::regex("^FIELD +VALUE\nid +" + id + "\n"))) << r.out;
  EXPECT_NE(r.out.find("\ntype "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("cli.env"), std::string::npos) << r.out;
}

TEST_F(CliCommandsTest, ErrorsComeFromTheEnvelopeWithCodeAndTraceId) {
  const std::string missing = "0190b1a2-0000-7000-8000-000000000000";
  CommandResult r = client({"jobs", "get", missing});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_TRUE(std::regex_match(r.err, std::regex("error: NOT_FOUND: job '" + missing +
                                                 "' not found \\(trace [0-9a-f]{32}\\)\n")))
      << r.err;

  r = client({"jobs", "list", "--tenant", "someone-else"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err.rfind("error: TENANT_MISMATCH: ", 0), 0u) << r.err;

  r = client({"jobs", "list", "--status", "sleeping"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err.rfind("error: INVALID_FILTER: status must be one of", 0), 0u) << r.err;
}

TEST_F(CliCommandsTest, RunsSubmitCreatesTheRun) {
  const std::string file = engine_->dir() + "/run.json";
  std::ofstream(file) << json{{"jobs",
                               {{{"key", "fetch"}, {"type", "cli.run"}},
                                {{"key", "parse"}, {"type", "cli.run"}, {"dependsOn", {"fetch"}}}}}}
                             .dump();

  CommandResult r = client({"runs", "submit", "-f", file});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_EQ(r.err.rfind("error: OPERATOR_REASON_REQUIRED: ", 0), 0u) << r.err;

  r = client({"runs", "submit", "-f", file, "--reason", "cli test"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.out, m, std::regex("^run ([0-9a-f-]{36}) \\S+, 2 job\\(s\\)\n")))
      << r.out;
  const std::string run_id = m[1].str();
  EXPECT_TRUE(std::regex_search(r.out, std::regex("\nKEY +ID +TYPE +STATUS\n"))) << r.out;
  EXPECT_TRUE(std::regex_search(r.out, std::regex("\nparse +[0-9a-f-]{36} +cli.run +pending\n")))
      << r.out;

  const Reply run = get("/runs/" + run_id);
  ASSERT_EQ(run.status, 200) << run.body;
  EXPECT_EQ(run.json()["jobs"].size(), 2u) << run.body;

  r = client({"runs", "submit", "-f", file, "--reason", "cli test", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json created = json::parse(r.out, nullptr, false);
  ASSERT_TRUE(created.is_object()) << r.out;
  EXPECT_EQ(created["jobs"].size(), 2u);
  EXPECT_NE(created["run"]["id"], run_id);
}

TEST_F(CliCommandsTest, StatusShowsReadinessPluginsBacklogAndDeadLetters) {
  // A tenant of its own, so the other tests' jobs do not count: 3 queued status.a (no handler
  // runs that type), 1 status.b held by a worker's lease, 1 status.dead dead-lettered.
  tenant_ = "tenant-status";
  for (int i = 0; i < 3; ++i) {
    enqueue("status.a");
  }
  const std::string leased = enqueue("status.b");
  ASSERT_EQ(claim("status.b", 1, 600).size(), 1u);
  const std::string dead =
      post("/jobs", {{"type", "status.dead"}, {"maxAttempts", 1}}).json().value("id", "");
  const json grants = claim("status.dead", 1, 600);
  ASSERT_EQ(grants.size(), 1u);
  const Reply done = post("/worker/jobs/" + dead + "/complete",
                          {{"leaseId", grants[0]["leaseId"]},
                           {"status", "failed"},
                           {"error", {{"code", "SCHEMA_INVALID"}, {"message", "bad doc"}}}});
  ASSERT_EQ(done.status, 200) << done.body;

  const CommandResult table = client({"status"});
  ASSERT_EQ(table.exit_code, 0) << table.err << table.out;
  EXPECT_EQ(table.err, "");
  EXPECT_TRUE(std::regex_search(table.out, std::regex(R"(^Engine\nREADY +LEADER +EPOCH +HOLDER\n)"
                                                      R"(yes +(yes|no) +[0-9]+ +\S+\n)")))
      << table.out;
  EXPECT_TRUE(std::regex_search(table.out, std::regex(R"(\nPlugins\nID +VERSION +STATE\n)")))
      << table.out;
  EXPECT_TRUE(std::regex_search(table.out, std::regex(R"(\nscheduler +\S+ +started\n)")))
      << table.out;
  EXPECT_TRUE(
      std::regex_search(table.out, std::regex(R"(\nBacklog\nTYPE +STATUS +COUNT +OLDEST-AGE\n)"
                                              R"(status\.a +queued +3 +[0-9dhms]+\n)"
                                              R"(status\.b +leased +1 +[0-9dhms]+\n\n)")))
      << table.out;
  EXPECT_TRUE(
      std::regex_search(table.out, std::regex(R"(\nBreakers\n(none open|ratelimit not loaded)\n)")))
      << table.out;
  EXPECT_TRUE(std::regex_search(table.out, std::regex(R"(\nDead letters \(last hour\)\n)"
                                                      R"(CLASS +COUNT\n[a-z]+ +1\ntotal +1\n$)")))
      << table.out;

  const CommandResult as_json = client({"status", "--output", "json"});
  ASSERT_EQ(as_json.exit_code, 0) << as_json.err;
  const json report = json::parse(as_json.out, nullptr, false);
  ASSERT_TRUE(report.is_object()) << as_json.out;
  EXPECT_EQ(report["ready"], true);
  EXPECT_EQ(report["readiness"]["status"], "ready");
  EXPECT_TRUE(report["leader"].is_object()) << report.dump();
  bool scheduler_started = false;
  for (const auto& p : report["plugins"]) {
    scheduler_started |= p["id"] == "scheduler" && p["state"] == "started";
  }
  EXPECT_TRUE(scheduler_started) << report.dump();
  ASSERT_EQ(report["backlog"].size(), 2u) << report.dump();  // status.dead failed: not backlog
  const json& queued = report["backlog"][0];
  EXPECT_EQ(queued["type"], "status.a");
  EXPECT_EQ(queued["status"], "queued");
  EXPECT_EQ(queued["count"], 3);
  ASSERT_TRUE(queued["oldest"].is_string()) << report.dump();
  EXPECT_TRUE(sdk::parseRfc3339(queued["oldest"].get<std::string>())) << report.dump();
  EXPECT_GE(queued["oldestAgeSeconds"].get<int64_t>(), 0);
  EXPECT_EQ(report["backlog"][1]["type"], "status.b");
  EXPECT_EQ(report["backlog"][1]["status"], "leased");
  EXPECT_EQ(report["backlog"][1]["count"], 1);
  EXPECT_EQ(report["breakers"]["open"], json::array());
  EXPECT_EQ(report["deadLetters"]["total"], 1) << report.dump();
  EXPECT_EQ(report["deadLetters"]["byJobType"], (json{{"status.dead", 1}})) << report.dump();
  EXPECT_EQ(job(leased)["status"], "leased");

  // The summary route carries the oldest createdAt itself (additively) for unfinished jobs.
  const json summary = get("/jobs/summary").json();
  EXPECT_EQ(summary["byType"]["status.a"]["queued"], 3) << summary.dump();
  EXPECT_EQ(summary["oldest"]["status.a"]["queued"], queued["oldest"]) << summary.dump();
  EXPECT_FALSE(summary["oldest"].contains("status.dead")) << summary.dump();
}

TEST_F(CliCommandsTest, StatusOfAnEngineThatIsNotThereExitsOne) {
  // Port 1: nothing listens there (connection refused).
  const CommandResult r = engine_->run(
      {"status", "--url", "http://127.0.0.1:1", "--token", token(), "--timeout", "10"});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err.rfind("error: cannot reach the engine at http://127.0.0.1:1: ", 0), 0u) << r.err;

  const CommandResult usage = client({"status", "now"});
  EXPECT_EQ(usage.exit_code, 2);
  EXPECT_NE(usage.err.find("usage: jobengine status"), std::string::npos) << usage.err;
}

TEST_F(CliCommandsTest, SchedulesNextPrintsFireTimesFromTheRealBinary) {
  // Computed locally by the scheduler plugin's code: no --url, no token.
  const CommandResult r =
      engine_->run({"schedules", "next", "--cron", "30 2 * * *", "--tz", "Europe/Berlin", "--from",
                    "2027-03-27T12:00:00Z", "--count", "2"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "2027-03-28T01:00:00Z  2027-03-28 03:00 CEST\n"
            "2027-03-29T00:30:00Z  2027-03-29 02:30 CEST\n");
  const CommandResult bad = engine_->run({"schedules", "next", "--cron", "* * 32 * *"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--cron: cron field 3 (day-of-month)"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace jobengine::testing
