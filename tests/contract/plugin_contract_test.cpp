// The contract every real plugin .so keeps (DESIGN.md §2, §7): it exports exactly one dynamic
// symbol, loads, creates with its default config, refuses an unknown key naming itself and
// the key, answers its /info route, starts, and stops without leaving a thread behind. Its
// descriptor agrees with VERSION and config.schema.json, and the schema's defaults are the
// parser's defaults. The database is not needed: je.store is present but answers "no
// database in this test"; je.http is the in-test registrar from tests/abi.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "plugins/plugin_error.hpp"
#include "test_services.hpp"

namespace jobengine::testing {
namespace {

const std::string kPluginDir = JE_PLUGIN_DIR;
const std::string kSourceDir = JE_SOURCE_DIR;

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string run(const std::string& command) {
  std::string out;
  std::FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) {
    return out;
  }
  char buf[4096];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof(buf), pipe)) > 0) {
    out.append(buf, n);
  }
  ::pclose(pipe);
  return out;
}

class PluginContractTest : public ::testing::TestWithParam<std::string> {
 protected:
  std::string id() const { return GetParam(); }
  // Where the plugin's routes live: its id, except the source adapters, whose routes SPEC §5.1
  // puts under /concelier and /excititor.
  std::string infoRoute() const {
    const std::string prefix = id().rfind("sources-", 0) == 0 ? id().substr(8) : id();
    return "/api/v1/jobengine/" + prefix + "/info";
  }
  std::string soPath() const { return kPluginDir + "/" + id() + ".so"; }
};

TEST_P(PluginContractTest, ExportsExactlyOneDynamicSymbol) {
  const std::string out = run("nm -D --defined-only '" + soPath() + "'");
  std::vector<std::string> symbols;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) {
      symbols.push_back(line.substr(line.rfind(' ') + 1));
    }
  }
  EXPECT_EQ(symbols, std::vector<std::string>{"je_plugin_entry_v1"}) << out;
  EXPECT_EQ(run("readelf --dyn-syms '" + soPath() + "' | grep -c UNIQUE"), "0\n")
      << "STB_GNU_UNIQUE symbols would pin the library (build with -fno-gnu-unique)";
}

TEST_P(PluginContractTest, LoadsCreatesStartsAndStopsCleanly) {
  TestEngine engine(kPluginDir, {host::PluginConfig{id(), true, "{}"}});
  engine.manager.loadAll();
  engine.manager.createAll();
  engine.manager.startAll();
  auto info = pluginInfo(engine.manager.infoJson(), id());
  EXPECT_EQ(info["state"], "started");
  EXPECT_EQ(info["abi"], "1." + std::to_string(JE_ABI_MINOR));

  const std::string route = infoRoute();
  const auto routes = engine.routes.ownedBy(id());
  ASSERT_FALSE(routes.empty());
  EXPECT_EQ(routes[0].path, route);
  EXPECT_EQ(routes[0].scope, "orch:read");
  const TestResponse answer = engine.routes.call("GET", route);
  ASSERT_EQ(answer.status, 200);
  const auto body = nlohmann::json::parse(answer.body);
  EXPECT_EQ(body["id"], id());
  EXPECT_EQ(body["version"], info["version"]);
  EXPECT_EQ(body["description"], info["description"]);
  EXPECT_TRUE(body["config"].is_object());

  engine.manager.stopAll();
  info = pluginInfo(engine.manager.infoJson(), id());
  EXPECT_EQ(info["state"], "stopped");
  EXPECT_FALSE(info.contains("leakedThreads")) << info.dump();
  EXPECT_FALSE(info.contains("error")) << info.dump();
}

TEST_P(PluginContractTest, RejectsAnUnknownConfigKeyNamingPluginAndKey) {
  TestEngine engine(kPluginDir, {host::PluginConfig{id(), true, R"({"no_such_key":1})"}});
  engine.manager.loadAll();
  try {
    engine.manager.createAll();
    FAIL() << "createAll should refuse the config";
  } catch (const host::PluginError& e) {
    const std::string prefix = "plugin '" + id() + "' failed in create(): plugins." + id() +
                               ": unknown key 'no_such_key' (allowed: ";
    EXPECT_EQ(std::string(e.what()).rfind(prefix, 0), 0U) << e.what();
  }
  EXPECT_EQ(pluginInfo(engine.manager.infoJson(), id())["state"], "failed");
}

TEST_P(PluginContractTest, DescriptorMatchesVersionFileAndSchema) {
  const std::string folder = kSourceDir + "/plugins/" + id();
  std::string version = readFile(folder + "/VERSION");
  version.erase(version.find_last_not_of(" \n\r\t") + 1);
  const auto schema = nlohmann::json::parse(readFile(folder + "/config.schema.json"));
  EXPECT_EQ(schema["type"], "object");
  EXPECT_EQ(schema["additionalProperties"], false);

  TestEngine engine(kPluginDir, {host::PluginConfig{id(), true, "{}"}});
  engine.manager.loadAll();
  engine.manager.createAll();
  EXPECT_EQ(pluginInfo(engine.manager.infoJson(), id())["version"], version);
  const auto body = nlohmann::json::parse(engine.routes.call("GET", infoRoute()).body);
  // Every setting is documented, and the documented default is the parser's default.
  const auto& properties = schema["properties"];
  EXPECT_EQ(properties.size(), body["config"].size());
  for (const auto& [key, value] : body["config"].items()) {
    ASSERT_TRUE(properties.contains(key)) << key << " is not in config.schema.json";
    EXPECT_EQ(properties[key]["default"], value) << key;
  }
}

INSTANTIATE_TEST_SUITE_P(RealPlugins, PluginContractTest,
                         ::testing::Values("scheduler", "ratelimit", "audit", "sources-concelier",
                                           "sources-excititor"),
                         [](const ::testing::TestParamInfo<std::string>& param) {
                           std::string name = param.param;
                           for (char& c : name) {
                             c = c == '-' ? '_' : c;
                           }
                           return name;
                         });

}  // namespace
}  // namespace jobengine::testing
