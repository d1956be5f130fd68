// The leadership rules (host/src/leader/leader_rules.hpp) and the session's DSN helper: pure
// functions, no database.
#include "leader/leader_rules.hpp"

#include <gtest/gtest.h>

#include <chrono>

#include "leader/leader_store.hpp"

using namespace jobengine::host;  // NOLINT(google-build-using-namespace): test brevity

namespace {

using std::chrono::milliseconds;

TEST(LeaderRulesTest, StepDownReasons) {
  LeaderCheck ok{true, 7, std::string("me")};
  EXPECT_EQ(stepDownReason(7, ok), std::nullopt);
  LeaderCheck lost = ok;
  lost.lock_held = false;
  EXPECT_NE(stepDownReason(7, lost), std::nullopt);
  LeaderCheck moved = ok;
  moved.stored_epoch = 8;
  moved.stored_holder = "other";
  const auto reason = stepDownReason(7, moved);
  ASSERT_NE(reason, std::nullopt);
  EXPECT_NE(reason->find("8"), std::string::npos) << *reason;
  EXPECT_NE(reason->find("other"), std::string::npos) << *reason;
  LeaderCheck gone = ok;
  gone.stored_epoch.reset();
  EXPECT_NE(stepDownReason(7, gone), std::nullopt);
}

TEST(LeaderRulesTest, ElectedEventAndReplicaIdAndTimeouts) {
  const auto event = leaderElectedEvent(3, "h:1:abcdef", std::string("h:2:000001"));
  EXPECT_EQ(event["eventType"], "leader.elected");
  EXPECT_EQ(event["tenantId"], "system");
  EXPECT_FALSE(event.contains("actor"));  // the host's, from the transaction (txn_actor.hpp)
  EXPECT_EQ(event["data"]["epoch"], 3);
  EXPECT_EQ(event["data"]["previousEpoch"], 2);
  EXPECT_EQ(event["data"]["replicaId"], "h:1:abcdef");
  EXPECT_EQ(event["data"]["previousHolder"], "h:2:000001");
  EXPECT_TRUE(leaderElectedEvent(1, "x", std::nullopt)["data"]["previousHolder"].is_null());

  EXPECT_EQ(makeReplicaId("node-a", 42, 0xABCDEFu), "node-a:42:abcdef");
  EXPECT_EQ(makeReplicaId("", 7, 0x1FFFFFFu), "localhost:7:ffffff");
  EXPECT_NE(currentReplicaId(), currentReplicaId());  // the random part differs

  EXPECT_EQ(electionLockTimeout(milliseconds(100)), milliseconds(2000));
  EXPECT_EQ(electionLockTimeout(milliseconds(1000)), milliseconds(4000));
  EXPECT_EQ(electionLockTimeout(milliseconds(60000)), milliseconds(30000));
  EXPECT_EQ(sessionTcpTimeout(milliseconds(500)), milliseconds(2000));
}

TEST(LeaderRulesTest, ConnectionParamsAreAddedOnceInEitherDsnForm) {
  EXPECT_EQ(withConnectionParam("host=h dbname=d", "tcp_user_timeout", "2000"),
            "host=h dbname=d tcp_user_timeout=2000");
  EXPECT_EQ(withConnectionParam("postgresql://u@h/d", "tcp_user_timeout", "2000"),
            "postgresql://u@h/d?tcp_user_timeout=2000");
  EXPECT_EQ(withConnectionParam("postgres://u@h/d?sslmode=disable", "tcp_user_timeout", "1"),
            "postgres://u@h/d?sslmode=disable&tcp_user_timeout=1");
  EXPECT_EQ(withConnectionParam("host=h tcp_user_timeout=5", "tcp_user_timeout", "1"),
            "host=h tcp_user_timeout=5");
}

}  // namespace
