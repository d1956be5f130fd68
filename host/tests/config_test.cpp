// Unit tests for the strict TOML config loader: defaults, overrides, and the one-line errors
// that name file:line:column and the allowed keys.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "config/config_loader.hpp"

namespace jobengine::host {
namespace {

class ConfigFile {
 public:
  explicit ConfigFile(const std::string& text) {
    char tmpl[] = "/tmp/je-config-XXXXXX";
    const int fd = mkstemp(tmpl);
    path_ = tmpl;
    std::ofstream(path_) << text;
    close(fd);
  }
  ~ConfigFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string errorOf(const std::string& text, const std::vector<ConfigOverride>& o = {}) {
  ConfigFile f(text);
  try {
    loadConfig(f.path(), o);
  } catch (const ConfigError& e) {
    std::string msg = e.what();
    const auto pos = msg.find(f.path());
    if (pos != std::string::npos) {
      msg.replace(pos, f.path().size(), "FILE");
    }
    return msg;
  }
  return "no error";
}

TEST(ConfigTest, DefaultsWhenNoFile) {
  const HostConfig c = loadConfig("", {});
  EXPECT_EQ(c.http.port, 8080);
  EXPECT_EQ(c.http.stream_port, 8081);
  EXPECT_TRUE(c.database.dsn.empty());
  ASSERT_EQ(c.plugins.size(), 5u);
  EXPECT_EQ(c.plugins[0].id, "scheduler");
  EXPECT_TRUE(c.plugins[0].enabled);
  EXPECT_EQ(c.plugins[0].config_json, "{}");
}

TEST(ConfigTest, ShippedConfigLoads) {
  const HostConfig c = loadConfig(std::string(JE_SOURCE_DIR) + "/config/jobengine.toml", {});
  EXPECT_EQ(c.auth.mode, "dev");
  EXPECT_EQ(c.plugins.size(), 5u);
}

TEST(ConfigTest, UnknownKeyNamesFileLineColumnAndAllowedKeys) {
  EXPECT_EQ(errorOf("[http]\nport = 1\nprot = 2\n"),
            "FILE:3:1: unknown key 'prot' in [http] (allowed: bind, port, stream_port, "
            "body_limit_bytes, json_max_depth, reactor_threads, worker_threads, drain_timeout_ms, "
            "idempotency_retention_hours)");
}

TEST(ConfigTest, UnknownTableIsRefused) {
  EXPECT_EQ(
      errorOf("[htp]\nport = 1\n"),
      "FILE:1:2: unknown table [htp] (allowed: host, http, database, auth, log, leader, retention, "
      "plugins)");
}

TEST(ConfigTest, WrongTypeIsRefused) {
  EXPECT_EQ(errorOf("[http]\nport = \"8080\"\n"), "FILE:2:8: http.port must be an integer");
  EXPECT_EQ(errorOf("[database]\nfsync = 1\n"), "FILE:2:9: database.fsync must be a boolean");
}

TEST(ConfigTest, OutOfRangeAndBadChoice) {
  EXPECT_EQ(errorOf("[http]\nport = 70000\n"),
            "FILE:2:8: http.port = 70000 is out of range [0, 65535]");
  EXPECT_EQ(errorOf("[auth]\nmode = \"lax\"\n"),
            "FILE:2:8: auth.mode = \"lax\" is not allowed (allowed: dev, production)");
}

TEST(ConfigTest, LeaderCheckIntervalHasADefaultARangeAndAnEnvironmentName) {
  EXPECT_EQ(loadConfig("", {}).leader.check_interval_ms, 500);
  ConfigFile f("[leader]\ncheck_interval_ms = 250\n");
  EXPECT_EQ(loadConfig(f.path(), {}).leader.check_interval_ms, 250);
  EXPECT_EQ(errorOf("[leader]\ncheck_interval_ms = 10\n"),
            "FILE:2:21: leader.check_interval_ms = 10 is out of range [50, 60000]");
  EXPECT_EQ(errorOf("[leader]\ninterval = 10\n"),
            "FILE:2:1: unknown key 'interval' in [leader] (allowed: check_interval_ms)");
  setenv("JOBENGINE_LEADER_CHECK_INTERVAL_MS", "1000", 1);
  const HostConfig c = loadConfig("", overridesFromEnvironment());
  unsetenv("JOBENGINE_LEADER_CHECK_INTERVAL_MS");
  EXPECT_EQ(c.leader.check_interval_ms, 1000);
  EXPECT_EQ(nlohmann::json::parse(publicSettingsJson(c))["leader"]["check_interval_ms"], 1000);
}

TEST(ConfigTest, RetentionHasDefaultsRangesAndEnvironmentNames) {
  const HostConfig d = loadConfig("", {});
  EXPECT_EQ(d.retention.days, 30);
  EXPECT_EQ(d.retention.interval_seconds, 60);
  EXPECT_EQ(d.retention.batch_rows, 5000);
  ConfigFile f("[retention]\ndays = 0\ninterval_seconds = 5\nbatch_rows = 100\n");
  const HostConfig c = loadConfig(f.path(), {});
  EXPECT_EQ(c.retention.days, 0);  // 0: keep forever
  EXPECT_EQ(c.retention.interval_seconds, 5);
  EXPECT_EQ(c.retention.batch_rows, 100);
  EXPECT_EQ(errorOf("[retention]\nbatch_rows = 10\n"),
            "FILE:2:14: retention.batch_rows = 10 is out of range [100, 100000]");
  EXPECT_EQ(errorOf("[retention]\nretention_days = 1\n"),
            "FILE:2:1: unknown key 'retention_days' in [retention] (allowed: days, "
            "interval_seconds, batch_rows)");
  setenv("JOBENGINE_RETENTION_DAYS", "7", 1);
  const HostConfig e = loadConfig("", overridesFromEnvironment());
  unsetenv("JOBENGINE_RETENTION_DAYS");
  EXPECT_EQ(e.retention.days, 7);
  EXPECT_EQ(nlohmann::json::parse(publicSettingsJson(e))["retention"]["days"], 7);
  // A decimal period (about a minute: tests, the sustained-load benchmark); not a string.
  ConfigFile decimal("[retention]\ndays = 0.0007\n");
  EXPECT_DOUBLE_EQ(loadConfig(decimal.path(), {}).retention.days, 0.0007);
  setenv("JOBENGINE_RETENTION_DAYS", "0.5", 1);
  const HostConfig half = loadConfig("", overridesFromEnvironment());
  unsetenv("JOBENGINE_RETENTION_DAYS");
  EXPECT_DOUBLE_EQ(half.retention.days, 0.5);
  EXPECT_EQ(errorOf("[retention]\ndays = \"x\"\n"), "FILE:2:8: retention.days must be a number");
  EXPECT_EQ(errorOf("[retention]\ndays = -0.5\n"),
            "FILE:2:8: retention.days = -0.5 is out of range [0, 36500]");
}

TEST(ConfigTest, SyntaxErrorHasPosition) {
  const std::string e = errorOf("[http]\nport = = 1\n");
  EXPECT_EQ(e.rfind("FILE:2:", 0), 0u) << e;
}

TEST(ConfigTest, PluginTablesBecomeJsonWithoutEnabled) {
  ConfigFile f(
      "[plugins.scheduler]\nenabled = false\nrunner_threads = 4\n[plugins.extra]\nx = 1\n");
  const HostConfig c = loadConfig(f.path(), {});
  ASSERT_EQ(c.plugins.size(), 6u);
  EXPECT_FALSE(c.plugins[0].enabled);
  EXPECT_EQ(nlohmann::json::parse(c.plugins[0].config_json),
            nlohmann::json({{"runner_threads", 4}}));
  EXPECT_EQ(c.plugins[5].id, "extra");
}

TEST(ConfigTest, PluginEnabledMustBeBoolean) {
  EXPECT_EQ(errorOf("[plugins.audit]\nenabled = \"yes\"\n"),
            "FILE:2:11: plugins.audit.enabled must be a boolean");
}

// toml++ parses key paths recursively: 50,000 segments overflowed the stack (fuzz/README.md).
TEST(ConfigTest, AKeyPathDeeperThan64SegmentsIsRefusedBeforeParsing) {
  std::string deep = "[plugins.p";
  for (int i = 0; i < 50000; ++i) {
    deep += ".a";
  }
  deep += "]\nx = 1\n";
  EXPECT_EQ(errorOf("[http]\nport = 1\n" + deep), "FILE:3:1: key path has more than 64 segments");
  std::string dotted = "a";
  for (int i = 0; i < 70; ++i) {
    dotted += ".a";
  }
  EXPECT_EQ(errorOf(dotted + " = 1\n"), "FILE:1:1: key path has more than 64 segments");
  EXPECT_EQ(
      errorOf("", {parseSetOption("plugins" + dotted.substr(1) + "=1")}).find("--set plugins.a.a"),
      0U);
  EXPECT_NE(errorOf("", {parseSetOption("plugins" + dotted.substr(1) + "=1")})
                .find("key path has more than 64 segments"),
            std::string::npos);
  // Dots in values, strings and comments do not count.
  EXPECT_EQ(errorOf("[http]\nbind = \"" + dotted + "\" # " + dotted + "\n"), "no error");
}

TEST(ConfigTest, OverridesWinAndAreCheckedToo) {
  ConfigFile f("[http]\nport = 1234\n");
  const HostConfig c = loadConfig(
      f.path(), {parseSetOption("http.port=9999"), parseSetOption("plugins.audit.enabled=false")});
  EXPECT_EQ(c.http.port, 9999);
  EXPECT_FALSE(c.plugins[2].enabled);
  EXPECT_EQ(
      errorOf("", {parseSetOption("http.nope=1")}).find("--set http.nope: unknown key 'nope'"), 0u);
}

TEST(ConfigTest, EnvironmentOverridesStringsLiterally) {
  setenv("JOBENGINE_DATABASE_DSN", "postgresql://u:pw@db/x", 1);
  setenv("JOBENGINE_HTTP_PORT", "7070", 1);
  const HostConfig c = loadConfig("", overridesFromEnvironment());
  unsetenv("JOBENGINE_DATABASE_DSN");
  unsetenv("JOBENGINE_HTTP_PORT");
  EXPECT_EQ(c.database.dsn, "postgresql://u:pw@db/x");
  EXPECT_EQ(c.http.port, 7070);
}

TEST(ConfigTest, DsnPasswordsAreRedacted) {
  EXPECT_EQ(redactDsn("postgresql://u:secret@db:5432/x"), "postgresql://u:***@db:5432/x");
  EXPECT_EQ(redactDsn("host=db user=u password=secret dbname=x"),
            "host=db user=u password=*** dbname=x");
  EXPECT_EQ(publicSettingsJson(loadConfig("", {})).find("secret"), std::string::npos);
}

}  // namespace
}  // namespace jobengine::host
