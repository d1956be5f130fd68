// RouteTable and je.http registration unit tests: matching, literal-over-param precedence,
// duplicates naming both owners, 405 method lists, stable entry addresses, validation.
#include <gtest/gtest.h>

#include "core/host_handle.hpp"
#include "http/http_service.hpp"
#include "http/route_table.hpp"

namespace jobengine::host {
namespace {

RouteEntry route(std::string owner, std::string method, std::string pattern) {
  RouteEntry e;
  e.owner = std::move(owner);
  e.method = std::move(method);
  e.pattern = std::move(pattern);
  e.scope = "orch:read";
  e.handler = [](const je_request*, je_response*) { return JE_OK; };
  return e;
}

TEST(RouteTable, MatchesLiteralAndParamSegments) {
  RouteTable table;
  ASSERT_FALSE(table.add(route("scheduler", "GET", "/api/v1/jobengine/jobs/:id")));
  const RouteMatch m = table.match("GET", "/api/v1/jobengine/jobs/42");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/api/v1/jobengine/jobs/:id");
  ASSERT_EQ(m.params.size(), 1u);
  EXPECT_EQ(m.params[0].first, "id");
  EXPECT_EQ(m.params[0].second, "42");
  EXPECT_EQ(table.match("GET", "/api/v1/jobengine/jobs").route, nullptr);
  EXPECT_EQ(table.match("GET", "/api/v1/jobengine/jobs/42/x").route, nullptr);
}

TEST(RouteTable, LiteralBeatsParamRegardlessOfOrder) {
  RouteTable table;
  ASSERT_FALSE(table.add(route("scheduler", "GET", "/jobs/:id")));
  ASSERT_FALSE(table.add(route("scheduler", "GET", "/jobs/summary")));
  ASSERT_FALSE(table.add(route("scheduler", "GET", "/:kind/summary/:n")));
  ASSERT_FALSE(table.add(route("scheduler", "GET", "/jobs/:id/:n")));
  EXPECT_EQ(table.match("GET", "/jobs/summary").route->pattern, "/jobs/summary");
  EXPECT_EQ(table.match("GET", "/jobs/7").route->pattern, "/jobs/:id");
  // The first literal-vs-param difference from the left decides.
  EXPECT_EQ(table.match("GET", "/jobs/summary/3").route->pattern, "/jobs/:id/:n");
  EXPECT_EQ(table.match("GET", "/runs/summary/3").route->pattern, "/:kind/summary/:n");
}

TEST(RouteTable, ParamValuesArePercentDecoded) {
  RouteTable table;
  ASSERT_FALSE(table.add(route("host", "GET", "/items/:name")));
  const RouteMatch m = table.match("GET", "/items/a%20b%2Fc+d");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.params[0].second, "a b/c+d");
}

TEST(RouteTable, DuplicateNamesBothOwnersEvenWithOtherParamNames) {
  RouteTable table;
  ASSERT_FALSE(table.add(route("scheduler", "GET", "/api/v1/jobengine/x/:id")));
  const auto error = table.add(route("audit", "GET", "/api/v1/jobengine/x/:other"));
  ASSERT_TRUE(error);
  EXPECT_EQ(*error,
            "route GET /api/v1/jobengine/x/:id is registered by both 'scheduler' and 'audit'");
  EXPECT_EQ(table.size(), 1u);
  // Same pattern, other method: fine. Literal vs param in the same place: not a duplicate.
  EXPECT_FALSE(table.add(route("audit", "POST", "/api/v1/jobengine/x/:id")));
  EXPECT_FALSE(table.add(route("audit", "GET", "/api/v1/jobengine/x/summary")));
}

TEST(RouteTable, RefusesBadPatterns) {
  RouteTable table;
  EXPECT_TRUE(table.add(route("p", "GET", "jobs")));
  EXPECT_TRUE(table.add(route("p", "GET", "/jobs/:")));
  EXPECT_EQ(table.size(), 0u);
}

TEST(RouteTable, OnlyTheHostsLiteralRoutesAreAnsweredOnTheReactor) {
  RouteTable table;
  RouteEntry metrics = route("host", "GET", "/metrics");
  metrics.on_reactor = true;
  ASSERT_FALSE(table.add(metrics));
  ASSERT_FALSE(table.add(route("host", "GET", "/readyz")));
  EXPECT_TRUE(table.answeredOnReactor("GET", "/metrics"));
  EXPECT_FALSE(table.answeredOnReactor("POST", "/metrics"));
  EXPECT_FALSE(table.answeredOnReactor("GET", "/readyz"));
  EXPECT_FALSE(table.answeredOnReactor("GET", "/metrics/x"));

  RouteEntry plugin = route("scheduler", "GET", "/api/v1/jobengine/jobs");
  plugin.on_reactor = true;
  const auto refused = table.add(plugin);
  ASSERT_TRUE(refused);
  EXPECT_EQ(*refused,
            "route GET /api/v1/jobengine/jobs of 'scheduler': only the host's routes without "
            "parameters are answered on the reactor");
  RouteEntry with_param = route("host", "GET", "/things/:id");
  with_param.on_reactor = true;
  EXPECT_TRUE(table.add(with_param));
  EXPECT_FALSE(table.answeredOnReactor("GET", "/api/v1/jobengine/jobs"));
  EXPECT_EQ(table.size(), 2u);
}

TEST(RouteTable, WrongMethodListsAllowedMethodsSorted) {
  RouteTable table;
  ASSERT_FALSE(table.add(route("s", "POST", "/jobs/:id")));
  ASSERT_FALSE(table.add(route("s", "DELETE", "/jobs/:id")));
  ASSERT_FALSE(table.add(route("s", "GET", "/jobs/:id")));
  const RouteMatch m = table.match("PUT", "/jobs/1");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_EQ(m.allowed_methods, (std::vector<std::string>{"DELETE", "GET", "POST"}));
  EXPECT_TRUE(table.match("GET", "/jobs/1").allowed_methods.empty());
  EXPECT_TRUE(table.match("PUT", "/nothing").allowed_methods.empty());
}

TEST(RouteTable, TrailingAndDoubleSlashesMatchTheSameRoute) {
  RouteTable table;
  ASSERT_FALSE(table.add(route("host", "GET", "/healthz")));
  EXPECT_NE(table.match("GET", "/healthz/").route, nullptr);
  EXPECT_NE(table.match("GET", "//healthz").route, nullptr);
}

TEST(RouteTable, EntryAddressesStayValidAsRoutesAreAdded) {
  RouteTable table;
  ASSERT_FALSE(table.add(route("host", "GET", "/first")));
  const RouteEntry* first = table.match("GET", "/first").route;
  for (int i = 0; i < 1000; ++i) {
    ASSERT_FALSE(table.add(route("p", "GET", "/r/" + std::to_string(i))));
  }
  EXPECT_EQ(table.match("GET", "/first").route, first);
  EXPECT_EQ(first->pattern, "/first");
}

TEST(RouteTable, ListAndOwnedBy) {
  RouteTable table;
  ASSERT_FALSE(table.add(route("a", "GET", "/a")));
  ASSERT_FALSE(table.add(route("b", "GET", "/b")));
  ASSERT_FALSE(table.add(route("a", "POST", "/a")));
  const auto all = table.list();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[1].pattern, "/b");
  const auto owned = table.ownedBy("a");
  ASSERT_EQ(owned.size(), 2u);
  EXPECT_EQ(owned[1].method, "POST");
}

je_status noopHandler(void*, const je_request*, je_response*) { return JE_OK; }

// je.http v1 register_route: duplicates name both owners; validation; truncated errors.
TEST(HttpService, RefusesDuplicatesAndInvalidDefinitions) {
  RouteTable routes;
  HostServices services;
  services.routes = &routes;
  je_host plugin;
  plugin.plugin_id = "scheduler";
  plugin.services = &services;
  plugin.phase = PluginPhase::kCreating;
  const je_http_v1 http = makeHttpService(&plugin);
  je_route_def def{};
  def.struct_size = sizeof(def);
  def.method = "GET";
  def.path = "/api/v1/jobengine/x/:id";
  def.scope = "orch:read";
  def.handler = &noopHandler;
  char err[256] = {0};
  ASSERT_EQ(http.register_route(http.host, &def, err, sizeof(err)), JE_OK) << err;
  EXPECT_EQ(routes.list().at(0).owner, "scheduler");

  je_host other;
  other.plugin_id = "audit";
  other.services = &services;
  other.phase = PluginPhase::kCreating;
  const je_http_v1 other_http = makeHttpService(&other);
  je_route_def dup = def;
  dup.path = "/api/v1/jobengine/x/:other";
  EXPECT_EQ(other_http.register_route(other_http.host, &dup, err, sizeof(err)), JE_ERR_CONFLICT);
  EXPECT_STREQ(err,
               "route GET /api/v1/jobengine/x/:id is registered by both 'scheduler' and 'audit'");

  // Validation, and a tiny error buffer that is truncated but still NUL-terminated.
  je_route_def bad = def;
  bad.path = "/api/v1/jobengine/y";
  bad.scope = nullptr;
  EXPECT_EQ(other_http.register_route(other_http.host, &bad, err, sizeof(err)), JE_ERR_INVALID);
  EXPECT_NE(std::string(err).find("scope is required"), std::string::npos) << err;
  bad.flags = JE_ROUTE_PUBLIC;
  bad.method = "BREW";
  char tiny[8];
  EXPECT_EQ(other_http.register_route(other_http.host, &bad, tiny, sizeof(tiny)), JE_ERR_INVALID);
  EXPECT_EQ(std::string(tiny), "plugin ");
  bad.method = "GET";
  bad.path = "relative";
  EXPECT_EQ(other_http.register_route(other_http.host, &bad, err, sizeof(err)), JE_ERR_INVALID);
}

}  // namespace
}  // namespace jobengine::host
