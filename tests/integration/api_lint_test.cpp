// The live OpenAPI document of an engine with all five real plugins passes Redocly CLI's lint
// with the rule set checked in at tools/openapi-lint/redocly.yaml (`recommended`, every
// exception justified there) at zero errors. Warnings are printed, not failed on. Needs
// scripts/install-test-tools.sh (npm ci in tools/openapi-lint).
#include <gtest/gtest.h>

#include <iostream>

#include "openapi_tools.hpp"

namespace jobengine::testing {
namespace {

TEST(ApiLintTest, LiveDocumentHasNoLintErrors) {
  const std::string tool = toolDir("openapi-lint");
  ASSERT_TRUE(toolInstalled("openapi-lint", "@redocly/cli"))
      << "run scripts/install-test-tools.sh (npm ci in " << tool << ")";
  EngineProcess engine(allPluginsEngine("apilint"));
  engine.start();
  const std::string out = keptOutputDir("api_lint");
  const std::string doc_path = out + "/openapi.json";
  const auto doc = dumpLiveDocument(engine, doc_path);
  ASSERT_TRUE(doc.is_object());

  // Offline and quiet: no telemetry, no update check (CI may have no route to the internet).
  const ShellResult lint = runShell(
      "cd '" + tool +
      "' && REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true NO_COLOR=1 "
      "node_modules/.bin/redocly lint --config redocly.yaml --format stylish --max-problems 500 '" +
      doc_path + "'");
  std::cout << "redocly lint of " << doc_path << ":\n" << lint.output << std::endl;
  EXPECT_EQ(lint.exit_code, 0) << "redocly lint found errors (rules: " << tool
                               << "/redocly.yaml):\n"
                               << lint.output;
  EXPECT_EQ(engine.stop(), 0) << engine.output();
}

}  // namespace
}  // namespace jobengine::testing
