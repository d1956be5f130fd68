// Shared by the tests that run outside tools over the engine's live OpenAPI document
// (api_lint_test, api_docs_test, api_client_test): an engine with all five real plugins, its
// document written to a file, a shell command run to completion with its output, and a folder
// under the build tree that outlives the test (the screenshot, the generated client) so a
// failure can be looked at afterwards.
#pragma once

#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "engine_process.hpp"
#include "http_client.hpp"

namespace jobengine::testing {

// tools/<name> in the source tree.
inline std::string toolDir(const std::string& name) {
  return std::string(JE_SOURCE_DIR) + "/tools/" + name;
}

// Whether `npm ci` ran in tools/<name> (scripts/install-test-tools.sh does): a package's
// package.json under its node_modules.
inline bool toolInstalled(const std::string& name, const std::string& package) {
  return std::ifstream(toolDir(name) + "/node_modules/" + package + "/package.json").good();
}

// build/tests/integration/<name>, created empty (kept after the test, for a look).
inline std::string keptOutputDir(const std::string& name) {
  const std::filesystem::path dir =
      std::filesystem::path(JE_BINARY_DIR) / "tests" / "integration" / "output" / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

struct ShellResult {
  int exit_code = -1;  // -1: not run or killed by a signal
  std::string output;  // stdout and stderr together
};

// Runs `command` with /bin/sh, stderr merged into stdout. Paths inside it must be quoted by
// the caller (they are ours: build and source directories).
inline ShellResult runShell(const std::string& command) {
  ShellResult result;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) {
    return result;
  }
  char buf[4096];
  while (fgets(buf, sizeof buf, pipe) != nullptr) {
    result.output.append(buf);
  }
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// The live document of `engine`, also written (indented) to `path`.
inline nlohmann::json dumpLiveDocument(const EngineProcess& engine, const std::string& path) {
  HttpClient http(engine.restPort());
  const Reply reply = http.get("/openapi/jobengine.json");
  EXPECT_EQ(reply.status, 200) << reply.body.substr(0, 500);
  nlohmann::json doc = reply.json();
  std::ofstream(path) << doc.dump(2);
  return doc;
}

// An engine with the five real plugins (the build's plugins/ folder).
inline EngineOptions allPluginsEngine(const std::string& name) {
  EngineOptions options;
  options.name = name;
  return options;
}

}  // namespace jobengine::testing
