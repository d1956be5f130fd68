// The engine's start-up and shutdown contract, on the real binary: it comes up with all five
// plugins; a bad config, a plugin with a wrong ABI and a changed migration each stop the
// start-up with one precise line and a non-zero exit.
#include <gtest/gtest.h>

#include <sys/types.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "engine_process.hpp"
#include "http_client.hpp"

namespace jobengine::testing {
namespace {

EngineOptions named(const std::string& name) {
  EngineOptions options;
  options.name = name;
  return options;
}

TEST(StartupTest, ServesAllFivePluginsAndStopsCleanly) {
  EngineProcess engine(named("startup"));
  engine.start();
  HttpClient http(engine.restPort());
  EXPECT_EQ(http.get("/healthz").status, 200);
  const Reply ready = http.get("/readyz");
  EXPECT_EQ(ready.status, 200) << ready.body;
  const std::string token = engine.mintToken("t1", "orch:read");
  const Reply plugins = http.get("/api/v1/jobengine/plugins",
                                 {"Authorization: Bearer " + token, "X-StellaOps-Tenant: t1"});
  ASSERT_EQ(plugins.status, 200) << plugins.body;
  int started = 0;
  const auto body = plugins.json();
  for (const auto& p : body["plugins"]) {
    started += p["state"] == "started" ? 1 : 0;
  }
  EXPECT_EQ(started, 5) << plugins.body;
  EXPECT_EQ(engine.stop(), 0) << engine.output();
}

TEST(StartupTest, UnknownConfigKeyStopsWithOneLine) {
  EngineOptions options = named("badcfg");
  options.extra_toml = "[plugins.scheduler]\nrunner_thread = 4\n";
  EngineProcess engine(options);
  const CommandResult check = engine.run({"config", "check"});
  EXPECT_NE(check.exit_code, 0);
  EXPECT_NE(check.err.find("unknown key 'runner_thread'"), std::string::npos) << check.err;
  EXPECT_NE(check.err.find("scheduler"), std::string::npos) << check.err;

  const CommandResult host_key = runCommand(
      {engineBinary(), "config", "check", "--config", engine.configPath(), "--set", "http.prot=1"},
      std::chrono::seconds(30));
  EXPECT_NE(host_key.exit_code, 0);
  EXPECT_EQ(host_key.err,
            "jobengine config check: --set http.prot: unknown key 'prot' in [http] (allowed: bind, "
            "port, stream_port, body_limit_bytes, json_max_depth, reactor_threads, worker_threads, "
            "drain_timeout_ms, idempotency_retention_hours)\n");

  EXPECT_THROW(engine.start(), std::runtime_error);
  EXPECT_NE(engine.output().find("unknown key 'runner_thread'"), std::string::npos);
}

TEST(StartupTest, PluginWithWrongAbiStopsStartup) {
  // The wrong-major fixture, configured as an enabled plugin.
  const std::string fixtures = std::string(JE_BINARY_DIR) + "/fixtures";
  EngineOptions options = named("badabi");
  options.plugin_dir = fixtures;
  EngineProcess engine(options);
  const CommandResult r = runCommand({engineBinary(), "serve", "--config", engine.configPath(),
                                      "--set", "host.plugin_order=[\"wrong_major\"]"},
                                     std::chrono::seconds(60));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("wrong_major"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("major must match"), std::string::npos) << r.err;
}

TEST(StartupTest, ChangedMigrationStopsStartupNamingTheFile) {
  // A private copy of migrations/ that we can edit after it was applied.
  EngineProcess engine(named("migchange"));
  const std::string copy = engine.dir() + "/migrations";
  std::filesystem::copy(std::string(JE_SOURCE_DIR) + "/migrations", copy,
                        std::filesystem::copy_options::recursive);
  const std::vector<std::string> args{engineBinary(), "migrate",
                                      "--config",     engine.configPath(),
                                      "--set",        "host.migrations_dir=\"" + copy + "\""};
  const CommandResult first = runCommand(args, std::chrono::seconds(60));
  ASSERT_EQ(first.exit_code, 0) << first.err;
  std::ofstream(copy + "/host/0001_host_base.sql", std::ios::app) << "\n-- edited\n";
  const CommandResult second = runCommand(args, std::chrono::seconds(60));
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_NE(second.err.find("0001_host_base.sql changed after it was applied"), std::string::npos)
      << second.err;
  EXPECT_EQ(std::count(second.err.begin(), second.err.end(), '\n'), 1) << second.err;
}

// SIGTERM during a slow request: it still gets its answer, new requests get 503, and the
// engine's embedded PostgreSQL is gone afterwards.
TEST(StartupTest, SigtermDrainsInFlightRequestsAndStopsTheDatabase) {
  const std::string fixtures = std::string(JE_BINARY_DIR) + "/fixtures";
  EngineOptions options = named("drain");
  options.args = {"--set", "host.plugin_order=[\"good\"]"};
  options.embedded = true;
  options.plugin_dir = fixtures;
  EngineProcess engine(options);
  engine.start();
  const std::string marker = engine.dir() + "/slow.started";
  const std::string token = engine.mintToken("t1", "orch:read");
  auto slow = std::async(std::launch::async, [&] {
    HttpClient client(engine.restPort());
    return client.get("/api/v1/jobengine/good/slow?ms=3000&marker=" + marker,
                      {"Authorization: Bearer " + token, "X-StellaOps-Tenant: t1"});
  });
  while (!std::filesystem::exists(marker)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  engine.signal(SIGTERM);
  HttpClient probe(engine.restPort());
  Reply during;
  do {  // until the engine has seen the signal
    during = probe.get("/healthz");
  } while (during.status == 200);
  EXPECT_EQ(during.status, 503) << during.body << during.error;
  EXPECT_EQ(during.json()["error"]["code"], "SHUTTING_DOWN") << during.body;
  EXPECT_EQ(slow.wait_for(std::chrono::seconds(0)), std::future_status::timeout)
      << "the slow request should still be in flight";

  const Reply finished = slow.get();
  EXPECT_EQ(finished.status, 200) << finished.body << finished.error;
  EXPECT_EQ(engine.wait(std::chrono::seconds(30)), 0) << engine.output();
  const CommandResult ps = runCommand({"/usr/bin/pgrep", "-f", engine.dir() + "/var/postgres"},
                                      std::chrono::seconds(10));
  EXPECT_EQ(ps.exit_code, 1) << "postgres still running: " << ps.out;
}

}  // namespace
}  // namespace jobengine::testing
