// A 500 leaks nothing (issue 11, hygiene): whatever a handler put into its 500 (here the good
// fixture's own message; in real life SQLSTATE text or a file path), the client gets a generic
// message with the trace id, and the engine's log keeps the detail under that trace id.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "api_support.hpp"
#include "http_client.hpp"

namespace jobengine::testing {
namespace {

TEST(ApiErrorsTest, AnInternalErrorShowsTheTraceIdAndNothingElse) {
  EngineProcess engine(goodFixtureEngine("apierrors"));
  engine.start();
  const std::string token = engine.mintToken("t1", "orch:read orch:operate");
  HttpClient http(engine.restPort());
  const Reply r = http.post(kNotesPath + "?fail=1", {{"text", "x"}},
                            authHeaders(token, "t1", {"X-StellaOps-Operator-Reason: test"}));
  ASSERT_EQ(r.status, 500) << r.body;
  const auto err = r.json()["error"];
  const std::string trace_id = err["traceId"].get<std::string>();
  ASSERT_EQ(trace_id.size(), 32U) << r.body;
  EXPECT_EQ(err["code"], "FIXTURE_FAILURE");
  EXPECT_EQ(err["message"],
            "internal error; the engine's log has the details under trace id " + trace_id);
  EXPECT_FALSE(err.contains("details")) << r.body;
  EXPECT_EQ(r.body.find("asked to fail"), std::string::npos) << r.body;

  // The detail is in the log, on the line with the same trace id.
  bool logged = false;
  for (int i = 0; i < 50 && !logged; ++i) {
    const std::string out = engine.output();
    const size_t at = out.find("trace_id=" + trace_id);
    logged = at != std::string::npos &&
             out.find("asked to fail", out.rfind('\n', at) + 1) < out.find('\n', at);
    if (!logged) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  EXPECT_TRUE(logged) << engine.output();
}

}  // namespace
}  // namespace jobengine::testing
