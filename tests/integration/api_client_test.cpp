// A typed TypeScript client generated from the live OpenAPI document at test time: the
// engine (all five real plugins) serves its document, openapi-typescript turns it into
// api.d.ts, and `tsc --strict` checks tools/openapi-client/sample.ts — a worker that claims a
// job on the worker bridge and completes it with openapi-fetch — against those types. The
// sample reads typed fields (a grant's jobId and leaseId, the completion's status), so it
// compiles only while the document describes them. Needs scripts/install-test-tools.sh (npm ci
// in tools/openapi-client). The generated files stay in build/tests/integration/output/api_client.
#include <gtest/gtest.h>

#include <iostream>

#include "openapi_tools.hpp"

namespace jobengine::testing {
namespace {

TEST(ApiClientTest, SampleWorkerTypeChecksAgainstTheGeneratedClient) {
  const std::string tool = toolDir("openapi-client");
  for (const char* package : {"openapi-typescript", "openapi-fetch", "typescript"}) {
    ASSERT_TRUE(toolInstalled("openapi-client", package))
        << "run scripts/install-test-tools.sh (npm ci in " << tool << ")";
  }
  EngineProcess engine(allPluginsEngine("apiclient"));
  engine.start();
  const std::string out = keptOutputDir("api_client");
  const auto doc = dumpLiveDocument(engine, out + "/openapi.json");
  ASSERT_TRUE(doc.contains("paths"));
  EXPECT_EQ(engine.stop(), 0) << engine.output();

  const ShellResult generate =
      runShell("cd '" + tool + "' && NO_COLOR=1 node_modules/.bin/openapi-typescript '" + out +
               "/openapi.json' -o '" + out + "/api.d.ts'");
  ASSERT_EQ(generate.exit_code, 0) << "openapi-typescript failed:\n" << generate.output;

  const nlohmann::json tsconfig = {
      {"extends", tool + "/tsconfig.json"},
      {"compilerOptions", {{"paths", {{"jobengine-api", {out + "/api.d.ts"}}}}}}};
  std::ofstream(out + "/tsconfig.json") << tsconfig.dump(2);
  const ShellResult tsc = runShell("cd '" + tool + "' && node_modules/.bin/tsc --strict --noEmit " +
                                   "--pretty false -p '" + out + "/tsconfig.json'");
  std::cout << "generated " << out << "/api.d.ts; tsc on " << tool << "/sample.ts: exit "
            << tsc.exit_code << std::endl;
  EXPECT_EQ(tsc.exit_code, 0)
      << "sample.ts does not type-check against the client generated from the live document "
         "(a field it reads is untyped or missing in the document?):\n"
      << tsc.output;
}

}  // namespace
}  // namespace jobengine::testing
