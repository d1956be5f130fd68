// The scheduler's client commands without an engine: argument and environment parsing, the
// tenant read from a token, tables, error lines, usage errors and an unreachable engine.
// (tests/integration/cli_commands_test.cpp runs them against a real one.)
#include <gtest/gtest.h>

#include <jobengine/base64url.hpp>

#include <map>

#include "cli/client_commands.hpp"
#include "cli/client_config.hpp"
#include "cli/output.hpp"

namespace jobengine::scheduler::cli {
namespace {

Getenv envOf(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    if (it == vars.end()) {
      return std::nullopt;
    }
    return it->second;
  };
}

std::string tokenWith(const nlohmann::json& claims) {
  return sdk::base64urlEncode(R"({"alg":"HS256","typ":"JWT"})") + "." +
         sdk::base64urlEncode(claims.dump()) + ".c2lnbmF0dXJl";
}

TEST(CliClientTest, ParsesFlagsInBothFormsAndKeepsWordsInOrder) {
  const ParsedArgs a = parseArgs({"list", "--status", "queued", "--type=x.y", "-o", "json", "more"},
                                 {"status", "type", "output"});
  EXPECT_EQ(a.positional, (std::vector<std::string>{"list", "more"}));
  EXPECT_EQ(a.get("status"), "queued");
  EXPECT_EQ(a.get("type"), "x.y");
  EXPECT_EQ(a.get("output"), "json");
  EXPECT_FALSE(a.has("url"));
}

TEST(CliClientTest, RefusesUnknownFlagsAndMissingValues) {
  EXPECT_THROW(parseArgs({"--colour", "red"}, {"status"}), UsageError);
  try {
    parseArgs({"list", "--status"}, {"status"});
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(), "--status needs a value");
  }
  EXPECT_THROW(parseArgs({"--all=yes"}, {}, {"all"}), UsageError);
}

TEST(CliClientTest, FlagsWinOverTheEnvironmentAndTheTenantDefaultsToTheTokens) {
  const std::string token = tokenWith({{"sub", "op"}, {"stellaops:tenant", "acme"}});
  const auto env = envOf({{"JOBENGINE_URL", "http://env:1/"}, {"JOBENGINE_TOKEN", token}});
  ClientSettings s = resolveClientSettings(parseArgs({}, commonClientFlags()), env, "http://d:2");
  EXPECT_EQ(s.url, "http://env:1");
  EXPECT_EQ(s.token, token);
  EXPECT_EQ(s.tenant, "acme");
  EXPECT_FALSE(s.json_output);
  EXPECT_EQ(s.timeout_ms, 30000);

  s = resolveClientSettings(parseArgs({"--url", "http://flag:3", "--tenant", "other", "--output",
                                       "json", "--timeout", "5"},
                                      commonClientFlags()),
                            env, "http://d:2");
  EXPECT_EQ(s.url, "http://flag:3");
  EXPECT_EQ(s.tenant, "other");
  EXPECT_TRUE(s.json_output);
  EXPECT_EQ(s.timeout_ms, 5000);

  s = resolveClientSettings(parseArgs({"--token", "t.e.s"}, commonClientFlags()), envOf({}),
                            "http://d:2");
  EXPECT_EQ(s.url, "http://d:2");
  EXPECT_EQ(s.tenant, "");  // not a JWT: no default tenant
}

TEST(CliClientTest, NoTokenOrABadOutputIsAUsageError) {
  try {
    resolveClientSettings(parseArgs({}, commonClientFlags()), envOf({}), "http://d:2");
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(), "no token: pass --token or set JOBENGINE_TOKEN");
  }
  EXPECT_THROW(
      resolveClientSettings(parseArgs({"--token", "t", "--output", "yaml"}, commonClientFlags()),
                            envOf({}), "http://d:2"),
      UsageError);
  EXPECT_THROW(
      resolveClientSettings(parseArgs({"--token", "t", "--timeout", "0"}, commonClientFlags()),
                            envOf({}), "http://d:2"),
      UsageError);
}

TEST(CliClientTest, TenantClaimFallsBackToTid) {
  EXPECT_EQ(tenantFromToken(tokenWith({{"tid", "t-1"}})), "t-1");
  EXPECT_EQ(tenantFromToken(tokenWith({{"tid", "t-1"}, {"stellaops:tenant", "s"}})), "s");
  EXPECT_EQ(tenantFromToken(tokenWith({{"sub", "x"}})), std::nullopt);
  EXPECT_EQ(tenantFromToken("not-a-jwt"), std::nullopt);
  EXPECT_EQ(tenantFromToken("a.%%%.c"), std::nullopt);
}

TEST(CliClientTest, DefaultUrlReachesAWildcardBindOnLoopback) {
  EXPECT_EQ(defaultUrl("0.0.0.0", 8080), "http://127.0.0.1:8080");
  EXPECT_EQ(defaultUrl("10.0.0.5", 9000), "http://10.0.0.5:9000");
  EXPECT_EQ(defaultUrl("::1", 9000), "http://[::1]:9000");
}

TEST(CliClientTest, TableColumnsAreAligned) {
  EXPECT_EQ(renderTable({"ID", "STATUS"}, {{"a", "queued"}, {"longer-id", "-"}}),
            "ID         STATUS\n"
            "a          queued\n"
            "longer-id  -\n");
  EXPECT_EQ(cell(nlohmann::json::parse(R"({"a":1})")), R"({"a":1})");
  EXPECT_EQ(cell(nullptr), "-");
  EXPECT_EQ(cell("two\nlines"), "two lines");
}

TEST(CliClientTest, ErrorLineComesFromTheEnvelope) {
  EXPECT_EQ(errorLine(404, R"({"error":{"code":"NOT_FOUND","message":"job 'x' not found",)"
                           R"("traceId":"abc"}})"),
            "error: NOT_FOUND: job 'x' not found (trace abc)");
  EXPECT_EQ(errorLine(502, "Bad Gateway"), "error: HTTP 502: Bad Gateway");
  EXPECT_EQ(errorLine(500, ""), "error: HTTP 500");
}

TEST(CliClientTest, UsageMistakesExitTwoWithTheUsage) {
  CommandOutput io;
  EXPECT_EQ(runJobsCommand({}, envOf({}), "http://d:2", io), 2);
  EXPECT_NE(io.err.find("which one: list or get?"), std::string::npos) << io.err;
  EXPECT_NE(io.err.find("usage: jobengine jobs list"), std::string::npos) << io.err;
  io = {};
  EXPECT_EQ(runJobsCommand({"get"}, envOf({}), "http://d:2", io), 2);
  io = {};
  EXPECT_EQ(runJobsCommand({"list"}, envOf({}), "http://d:2", io), 2);
  EXPECT_NE(io.err.find("no token"), std::string::npos) << io.err;
  io = {};
  EXPECT_EQ(runRunsCommand({"submit", "--token", "t"}, envOf({}), "http://d:2", io), 2);
  EXPECT_NE(io.err.find("-f run.json is required"), std::string::npos) << io.err;
  io = {};
  EXPECT_EQ(runRunsCommand({"submit", "-f", "/nonexistent/run.json", "--token", "t"}, envOf({}),
                           "http://d:2", io),
            2);
  EXPECT_NE(io.err.find("cannot read /nonexistent/run.json"), std::string::npos) << io.err;
}

TEST(CliClientTest, AnUnreachableEngineIsOneClearLineAndExitOne) {
  CommandOutput io;
  // Port 1 on loopback: nothing listens there, the connection is refused at once.
  EXPECT_EQ(runJobsCommand({"list", "--url", "http://127.0.0.1:1", "--token", "t"}, envOf({}),
                           "http://d:2", io),
            1);
  EXPECT_EQ(io.out, "");
  EXPECT_EQ(io.err.rfind("error: cannot reach the engine at http://127.0.0.1:1: ", 0), 0u)
      << io.err;
}

}  // namespace
}  // namespace jobengine::scheduler::cli
