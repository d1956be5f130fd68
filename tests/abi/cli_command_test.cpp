// je.cli v1 in the plugin subsystem: the fixture's commands land in the manager's
// CommandRegistry with their owner, a second owner of a word is refused naming both (the host
// included), registration outside create() is refused, and malformed definitions are named.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "plugins/cli_service.hpp"
#include "plugins/plugin_error.hpp"
#include "test_services.hpp"

namespace jobengine::testing {
namespace {

using host::CommandRegistry;
using host::PluginConfig;
using host::PluginError;

const std::string kFixtureDir = JE_FIXTURE_DIR;

std::string createError(TestEngine& engine) {
  engine.manager.loadAll();
  try {
    engine.manager.createAll();
  } catch (const PluginError& e) {
    return e.what();
  }
  return "";
}

int32_t noop(void* /*user*/, const je_cli_invocation* /*inv*/) noexcept { return 0; }

je_cli_command_def def(const char* name, const char* summary = "does things") {
  je_cli_command_def d{};
  d.struct_size = sizeof(d);
  d.name = name;
  d.summary = summary;
  d.handler = &noop;
  return d;
}

// A handle in a given phase, wired to a registry, as the PluginManager makes them.
struct Handle {
  explicit Handle(host::PluginPhase phase, const char* id = "tester") {
    services.commands = &registry;
    h.plugin_id = id;
    h.services = &services;
    h.phase = phase;
    vt = host::makeCliService(&h);
  }
  je_status add(const je_cli_command_def& d) {
    err[0] = '\0';
    return vt.register_command(vt.host, &d, err, sizeof(err));
  }
  CommandRegistry registry;
  host::HostServices services;
  je_host h;
  je_cli_v1 vt{};
  char err[512] = {0};
};

TEST(CliCommandTest, FixtureCommandsAreRecordedWithTheirOwner) {
  TestEngine engine(kFixtureDir, {PluginConfig{"good", true, "{}"}});
  ASSERT_EQ(createError(engine), "");
  const auto commands = engine.manager.commands().list();
  ASSERT_EQ(commands.size(), 2u);
  EXPECT_EQ(commands[0].name, "fixture-db");
  EXPECT_EQ(commands[0].flags, JE_CLI_NEEDS_DATABASE);
  EXPECT_EQ(commands[1].name, "fixture-echo");
  EXPECT_EQ(commands[1].owner, "good");
  EXPECT_EQ(commands[1].summary, "print the arguments (ABI fixture)");
  EXPECT_EQ(commands[1].usage, "usage: jobengine fixture-echo [--fail] [words...]");
  // GET /plugins shows who owns which word, like routes and services.
  EXPECT_EQ(pluginInfo(engine.manager.infoJson(), "good")["commands"],
            nlohmann::json::array({"fixture-db", "fixture-echo"}));
  engine.manager.stopAll();
  EXPECT_TRUE(engine.manager.commands().list().empty()) << "destroyed plugins own no command";
}

TEST(CliCommandTest, SecondOwnerOfACommandIsRefusedNamingBoth) {
  TestEngine engine(kFixtureDir, {PluginConfig{"good", true, "{}"},
                                  PluginConfig{"duplicate_command", true, "{}"}});
  EXPECT_EQ(createError(engine),
            "plugin 'duplicate_command' failed in create(): command 'fixture-echo' is "
            "registered by both 'good' and 'duplicate_command'");
  EXPECT_EQ(engine.manager.commands().find("fixture-echo")->owner, "good");
}

TEST(CliCommandTest, HostWordIsRefusedNamingTheHost) {
  TestEngine engine(kFixtureDir, {PluginConfig{"duplicate_command", true, R"({"note":"serve"})"}});
  engine.manager.commands().reserveHostCommands({"serve", "migrate"});
  EXPECT_EQ(createError(engine),
            "plugin 'duplicate_command' failed in create(): command 'serve' is registered by "
            "both 'host' and 'duplicate_command'");
}

TEST(CliCommandTest, RegistrationOutsideCreateIsRefused) {
  for (const auto phase :
       {host::PluginPhase::kCreated, host::PluginPhase::kStarting, host::PluginPhase::kRunning}) {
    Handle handle(phase);
    EXPECT_EQ(handle.add(def("late")), JE_ERR_STATE);
    EXPECT_STREQ(handle.err, "plugin 'tester' registered command 'late' outside create()");
    EXPECT_TRUE(handle.registry.list().empty());
  }
}

TEST(CliCommandTest, MalformedDefinitionsAreNamed) {
  Handle handle(host::PluginPhase::kCreating);
  EXPECT_EQ(handle.add(def("Jobs")), JE_ERR_INVALID);
  EXPECT_STREQ(handle.err,
               "plugin 'tester': command name 'Jobs' must be one word of [a-z0-9-] starting with "
               "a letter (at most 32 characters)");
  EXPECT_EQ(handle.add(def("two words")), JE_ERR_INVALID);
  EXPECT_EQ(handle.add(def("")), JE_ERR_INVALID);
  EXPECT_EQ(handle.add(def("jobs", "")), JE_ERR_INVALID);
  EXPECT_STREQ(handle.err, "plugin 'tester': command 'jobs' needs a one-line summary");
  EXPECT_EQ(handle.add(def("jobs", "two\nlines")), JE_ERR_INVALID);
  je_cli_command_def no_handler = def("jobs");
  no_handler.handler = nullptr;
  EXPECT_EQ(handle.add(no_handler), JE_ERR_INVALID);
  EXPECT_STREQ(handle.err, "plugin 'tester': command 'jobs' has no handler");
  je_cli_command_def short_def = def("jobs");
  short_def.struct_size = 16;
  EXPECT_EQ(handle.add(short_def), JE_ERR_INVALID);
  EXPECT_EQ(handle.add(def("jobs")), JE_OK) << handle.err;
  EXPECT_EQ(handle.add(def("jobs")), JE_ERR_CONFLICT);
  EXPECT_STREQ(handle.err, "command 'jobs' is registered by both 'tester' and 'tester'");
}

}  // namespace
}  // namespace jobengine::testing
