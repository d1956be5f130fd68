// The host's exact reaction to each fixture plugin (tests/abi/fixture_plugin.cpp): ABI
// mismatches, a missing entry, a short descriptor, throwing create(), registration outside
// create(), duplicate routes, leaked threads, and the plugin-service visibility rule.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "plugins/plugin_error.hpp"
#include "test_services.hpp"

namespace jobengine::testing {
namespace {

using host::PluginConfig;
using host::PluginError;

const std::string kDir = JE_FIXTURE_DIR;

std::vector<PluginConfig> enabled(const std::vector<std::string>& ids) {
  std::vector<PluginConfig> out;
  for (const auto& id : ids) {
    out.push_back(PluginConfig{id, true, "{}"});
  }
  return out;
}

// Runs loadAll and returns the PluginError text ("" when nothing was thrown).
std::string loadError(TestEngine& engine) {
  try {
    engine.manager.loadAll();
  } catch (const PluginError& e) {
    return e.what();
  }
  return "";
}

std::string path(const std::string& id) { return kDir + "/" + id + ".so"; }

TEST(FixtureTest, GoodPluginRunsTheWholeLifeCycle) {
  TestEngine engine(kDir, enabled({"good"}));
  engine.manager.loadAll();
  EXPECT_EQ(pluginInfo(engine.manager.infoJson(), "good")["state"], "loaded");
  engine.manager.createAll();
  EXPECT_EQ(pluginInfo(engine.manager.infoJson(), "good")["state"], "created");
  engine.manager.startAll();
  EXPECT_EQ(engine.manager.recordJobType("good", "good.noop", true), std::nullopt);

  const auto info = pluginInfo(engine.manager.infoJson(), "good");
  EXPECT_EQ(info["state"], "started");
  EXPECT_EQ(info["version"], "0.0.1");
  EXPECT_EQ(info["abi"], "1." + std::to_string(JE_ABI_MINOR));
  EXPECT_EQ(info["description"], "ABI test fixture good");
  EXPECT_EQ(info["path"], "good.so");  // relative to the plugin directory
  EXPECT_EQ(info["routes"], nlohmann::json::parse(R"([
      {"method":"GET","path":"/api/v1/jobengine/good/ping","scope":"orch:read"},
      {"method":"GET","path":"/api/v1/jobengine/good/slow","scope":"orch:read"},
      {"method":"POST","path":"/api/v1/jobengine/good/notes","scope":"orch:operate"},
      {"method":"POST","path":"/api/v1/jobengine/good/watermark","scope":"orch:operate"}])"));
  EXPECT_EQ(info["jobTypes"],
            nlohmann::json::parse(R"([{"type":"good.noop","mode":"in-process"}])"));
  EXPECT_EQ(info["services"], nlohmann::json::parse(R"([{"name":"fixture.echo","version":1}])"));

  const TestResponse ping = engine.routes.call("GET", "/api/v1/jobengine/good/ping");
  EXPECT_EQ(ping.status, 200);
  EXPECT_EQ(nlohmann::json::parse(ping.body)["id"], "good");

  engine.manager.stopAll();
  const auto after = pluginInfo(engine.manager.infoJson(), "good");
  EXPECT_EQ(after["state"], "stopped");
  EXPECT_FALSE(after.contains("error")) << after.dump();
  EXPECT_FALSE(after.contains("leakedThreads"));
}

TEST(FixtureTest, DisabledPluginIsListedAndNeverOpened) {
  TestEngine engine(kDir, {PluginConfig{"not_even_a_file", false, "{}"}});
  EXPECT_EQ(loadError(engine), "");
  engine.manager.createAll();
  engine.manager.startAll();
  const auto info = pluginInfo(engine.manager.infoJson(), "not_even_a_file");
  EXPECT_EQ(info["state"], "disabled");
  EXPECT_EQ(info["version"], "");
}

TEST(FixtureTest, MissingFileReportsTheLoadersReason) {
  TestEngine engine(kDir, enabled({"absent"}));
  EXPECT_EQ(loadError(engine), "plugin 'absent' (" + path("absent") +
                                   "): cannot load: " + path("absent") +
                                   ": cannot open shared object file: No such file or directory");
  EXPECT_EQ(pluginInfo(engine.manager.infoJson(), "absent")["state"], "failed");
}

TEST(FixtureTest, WrongMajorIsRefused) {
  TestEngine engine(kDir, enabled({"wrong_major"}));
  const std::string minor = std::to_string(JE_ABI_MINOR);
  EXPECT_EQ(loadError(engine), "plugin 'wrong_major' (" + path("wrong_major") +
                                   "): built for ABI 2." + minor + ", host offers 1." + minor +
                                   " (major must match)");
}

TEST(FixtureTest, OlderMinorLoadsAndRuns) {
  TestEngine engine(kDir, enabled({"older_minor"}));
  engine.manager.loadAll();
  engine.manager.createAll();
  engine.manager.startAll();
  const auto info = pluginInfo(engine.manager.infoJson(), "older_minor");
  EXPECT_EQ(info["state"], "started");
  EXPECT_EQ(info["abi"], "1.0");
  engine.manager.stopAll();
}

TEST(FixtureTest, PluginsBuiltWithThe10To18HeadersLoadAndRun) {
  // C plugins compiled against the abi.h of 1.0 to 1.8 as released (tests/abi/legacy).
  for (const std::string id : {"legacy_1_0", "legacy_1_1", "legacy_1_2", "legacy_1_3", "legacy_1_4",
                               "legacy_1_5", "legacy_1_6", "legacy_1_7", "legacy_1_8"}) {
    const std::string minor = "1." + id.substr(id.size() - 1);
    TestEngine engine(kDir, enabled({id}));
    engine.manager.loadAll();
    engine.manager.createAll();
    engine.manager.startAll();
    const auto info = pluginInfo(engine.manager.infoJson(), id);
    EXPECT_EQ(info["state"], "started") << info.dump();
    EXPECT_EQ(info["abi"], minor);
    const TestResponse ping = engine.routes.call("GET", "/api/v1/jobengine/" + id + "/ping");
    ASSERT_EQ(ping.status, 200) << ping.body;
    const auto body = nlohmann::json::parse(ping.body);
    EXPECT_EQ(body["id"], id);
    EXPECT_EQ(body["builtFor"], minor);
    EXPECT_EQ(body["started"], 1);
    engine.manager.stopAll();
    const auto after = pluginInfo(engine.manager.infoJson(), id);
    EXPECT_EQ(after["state"], "stopped");
    EXPECT_FALSE(after.contains("error")) << after.dump();
  }
}

TEST(FixtureTest, NewerMinorIsRefused) {
  TestEngine engine(kDir, enabled({"newer_minor"}));
  EXPECT_EQ(loadError(engine), "plugin 'newer_minor' (" + path("newer_minor") +
                                   "): built for ABI 1." + std::to_string(JE_ABI_MINOR + 1) +
                                   ", newer than the host's 1." + std::to_string(JE_ABI_MINOR));
}

TEST(FixtureTest, MissingEntryIsRefused) {
  TestEngine engine(kDir, enabled({"no_entry"}));
  EXPECT_EQ(loadError(engine),
            "plugin 'no_entry' (" + path("no_entry") + "): no je_plugin_entry_v1 symbol");
}

TEST(FixtureTest, ShortDescriptorIsRefused) {
  TestEngine engine(kDir, enabled({"short_descriptor"}));
  EXPECT_EQ(loadError(engine), "plugin 'short_descriptor' (" + path("short_descriptor") +
                                   "): descriptor too short (40 bytes, need 80)");
}

TEST(FixtureTest, IdMustMatchTheConfiguredId) {
  const auto dir = std::filesystem::temp_directory_path() / "je_fixture_rename";
  std::filesystem::create_directories(dir);
  std::filesystem::copy_file(path("good"), dir / "renamed.so",
                             std::filesystem::copy_options::overwrite_existing);
  TestEngine engine(dir.string(), enabled({"renamed"}));
  EXPECT_EQ(loadError(engine),
            "plugin 'renamed' (" + (dir / "renamed.so").string() +
                "): descriptor id 'good' does not match the configured plugin id 'renamed'");
  std::filesystem::remove_all(dir);
}

TEST(FixtureTest, ThrowingCreateIsOneLineAndEarlierPluginsAreDestroyed) {
  TestEngine engine(kDir, enabled({"good", "throws_in_create"}));
  engine.manager.loadAll();
  try {
    engine.manager.createAll();
    FAIL() << "createAll should throw";
  } catch (const PluginError& e) {
    EXPECT_STREQ(e.what(),
                 "plugin 'throws_in_create' failed in create(): fixture refuses to be created");
    EXPECT_EQ(e.pluginId(), "throws_in_create");
  }
  engine.manager.stopAll();
  const auto info = engine.manager.infoJson();
  EXPECT_EQ(pluginInfo(info, "throws_in_create")["state"], "failed");
  EXPECT_EQ(pluginInfo(info, "good")["state"], "stopped");
}

TEST(FixtureTest, UnknownConfigKeyFailsCreateNamingPluginAndKey) {
  TestEngine engine(kDir, {PluginConfig{"good", true, R"({"colour":"red"})"}});
  engine.manager.loadAll();
  try {
    engine.manager.createAll();
    FAIL() << "createAll should throw";
  } catch (const PluginError& e) {
    EXPECT_STREQ(e.what(),
                 "plugin 'good' failed in create(): plugins.good: unknown key 'colour' "
                 "(allowed: note)");
  }
}

TEST(FixtureTest, RegisteringOutsideCreateIsRefused) {
  TestEngine engine(kDir, enabled({"registers_outside_create"}));
  engine.manager.loadAll();
  engine.manager.createAll();
  try {
    engine.manager.startAll();
    FAIL() << "startAll should throw";
  } catch (const PluginError& e) {
    EXPECT_STREQ(e.what(),
                 "plugin 'registers_outside_create' failed in start(): plugin "
                 "'registers_outside_create' may register routes only inside create()");
  }
  EXPECT_TRUE(engine.routes.ownedBy("registers_outside_create").size() == 1);
}

TEST(FixtureTest, DuplicateRouteNamesBothOwners) {
  TestEngine engine(kDir, enabled({"good", "duplicate_route"}));
  engine.manager.loadAll();
  try {
    engine.manager.createAll();
    FAIL() << "createAll should throw";
  } catch (const PluginError& e) {
    EXPECT_STREQ(e.what(),
                 "plugin 'duplicate_route' failed in create(): route GET "
                 "/api/v1/jobengine/good/ping is already registered by 'good'; refused for "
                 "'duplicate_route'");
  }
}

TEST(FixtureTest, LeakedThreadIsReportedAndAttributedToItsPlugin) {
  // No unloading here: the leaked thread keeps running code of the library.
  TestEngine engine(kDir, enabled({"good", "leaks_thread"}), /*allow_unload=*/false);
  engine.manager.loadAll();
  engine.manager.createAll();
  engine.manager.startAll();
  engine.manager.stopAll();
  const auto info = engine.manager.infoJson();
  const auto leaky = pluginInfo(info, "leaks_thread");
  EXPECT_EQ(leaky["state"], "stopped");
  EXPECT_EQ(leaky["leakedThreads"], 1);
  EXPECT_EQ(leaky["error"], "plugin 'leaks_thread' left 1 thread(s) running after stop()");
  // good was started before leaks_thread and stopped after it: its own thread was joined.
  EXPECT_FALSE(pluginInfo(info, "good").contains("leakedThreads"));
}

TEST(FixtureTest, PluginServicesAreVisibleFromStartOnlyWhateverTheOrder) {
  for (const auto& order : {std::vector<std::string>{"consumer", "good"},
                            std::vector<std::string>{"good", "consumer"}}) {
    TestEngine engine(kDir, enabled(order));
    engine.manager.loadAll();
    engine.manager.createAll();
    engine.manager.startAll();
    const auto body =
        nlohmann::json::parse(engine.routes.call("GET", "/api/v1/jobengine/consumer/ping").body);
    EXPECT_EQ(body["create"],
              "status 4: service 'fixture.echo' is not a host service: plugin-provided services "
              "may be looked up only in start() or later; 'consumer' asked in create()");
    EXPECT_EQ(body["start"], "answer 42");
  }
}

TEST(FixtureTest, ListOnlyNeverThrowsAndNeverCreates) {
  TestEngine engine(kDir,
                    {PluginConfig{"good", true, "{}"}, PluginConfig{"wrong_major", true, "{}"},
                     PluginConfig{"off", false, "{}"}});
  const auto info = engine.manager.listOnly();
  ASSERT_EQ(info.size(), 3U);
  EXPECT_EQ(info[0]["state"], "loaded");
  EXPECT_EQ(info[0]["routes"], nlohmann::json::array());
  EXPECT_EQ(info[1]["state"], "failed");
  EXPECT_NE(info[1]["error"].get<std::string>().find("major must match"), std::string::npos);
  EXPECT_EQ(info[2]["state"], "disabled");
}

TEST(FixtureTest, PluginConfiguredTwiceIsRefused) {
  TestEngine engine(kDir, enabled({"good", "good"}));
  EXPECT_EQ(loadError(engine), "plugin 'good' is configured twice");
}

}  // namespace
}  // namespace jobengine::testing
