// The audit ledger across a leader kill (issue 14, SPEC §7): three engine replicas on one
// database, a writer enqueuing jobs through REST round robin over the live replicas for two
// tenants (every fourth one canceled with a reason and a ticket), and the replica that leads —
// the only one that appends the ledger — SIGKILLed while the writer writes. Once the survivors
// caught up, each tenant's chain verifies (GET /audit/verify) and holds every committed event
// of that tenant exactly once, in seq order, at positions 1..n: compared with the outbox
// (jobengine.events) read directly from the database. A skipped event, an event chained twice or
// a chain that forked at the kill fails it.
//
// Requests to the killed replica fail or time out; the writer moves on. Whether such a request
// committed does not matter: the outbox says what committed. Deadlines are far above need.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <pqxx/pqxx>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "http_client.hpp"
#include "replicas.hpp"

namespace jobengine::testing {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;
constexpr const char* kAuditApi = "/api/v1/jobengine";
const std::vector<std::string> kAuditTenants = {"audit-kill-a", "audit-kill-b"};

class AuditReplicaKillTest : public ::testing::Test {
 protected:
  void SetUp() override {
    replicas_ = std::make_unique<Replicas>("audit_replica_kill", 3);
    for (const std::string& tenant : kAuditTenants) {
      tokens_[tenant] = (*replicas_)[0].mintToken(tenant, "orch:read orch:operate");
    }
  }

  std::vector<std::string> headers(const std::string& tenant, const std::string& ticket = "") {
    std::vector<std::string> h = {
        "Authorization: Bearer " + tokens_.at(tenant), "X-StellaOps-Tenant: " + tenant,
        "X-StellaOps-Operator-Reason: audit system test", "Content-Type: application/json"};
    if (!ticket.empty()) {
      h.push_back("X-StellaOps-Operator-Ticket: " + ticket);
    }
    return h;
  }
  bool alive(size_t i) const { return static_cast<int>(i) != killed_.load(); }
  std::optional<size_t> leader() {
    for (size_t i = 0; i < replicas_->size(); ++i) {
      if (alive(i)) {
        HttpClient http((*replicas_)[i].restPort());
        const Reply r = http.call("GET", std::string(kAuditApi) + "/leader", "",
                                  headers(kAuditTenants[0]), 5000);
        if (r.status == 200 && r.json().value("leader", false)) {
          return i;
        }
      }
    }
    return std::nullopt;
  }
  int64_t scalar(const std::string& sql) {
    pqxx::connection c(replicas_->dsn());
    pqxx::nontransaction n(c);
    const pqxx::result r = n.exec(sql);
    return r[0][0].is_null() ? 0 : r[0][0].as<int64_t>();
  }

  std::unique_ptr<Replicas> replicas_;
  std::map<std::string, std::string> tokens_;
  std::atomic<int> killed_{-1};
};

TEST_F(AuditReplicaKillTest, AChainKilledMidWriteVerifiesAndMissesNothingAfterCatchUp) {
  std::optional<size_t> first_leader;
  const auto elected_by = Clock::now() + std::chrono::seconds(15);
  while (!(first_leader = leader()) && Clock::now() < elected_by) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(first_leader.has_value());

  // The writer: one client per replica (a client is one connection), round robin over the
  // live ones; a failed request (the killed replica) is skipped.
  std::atomic<bool> stop{false};
  std::atomic<int> created{0};
  std::atomic<int> canceled{0};
  std::atomic<int> failed{0};
  std::thread writer([&] {
    std::vector<std::unique_ptr<HttpClient>> http;
    for (size_t i = 0; i < replicas_->size(); ++i) {
      http.push_back(std::make_unique<HttpClient>((*replicas_)[i].restPort()));
    }
    for (size_t turn = 0; !stop; ++turn) {
      const size_t r = turn % replicas_->size();
      if (!alive(r)) {
        continue;
      }
      const std::string& tenant = kAuditTenants[turn % kAuditTenants.size()];
      const Reply made =
          http[r]->call("POST", std::string(kAuditApi) + "/jobs",
                        json{{"type", "ext.audit.kill"}, {"payload", {{"turn", turn}}}}.dump(),
                        headers(tenant), 5000);
      if (made.status != 201) {
        ++failed;
        continue;
      }
      ++created;
      if (turn % 4 == 3) {
        const std::string id = made.json()["id"].get<std::string>();
        const Reply cancel =
            http[r]->call("POST", std::string(kAuditApi) + "/jobs/" + id + "/cancel", "{}",
                          headers(tenant, "OPS-" + std::to_string(turn)), 5000);
        cancel.status == 200 ? ++canceled : ++failed;
      }
    }
  });
  struct Joiner {
    std::atomic<bool>& stop;
    std::thread& thread;
    ~Joiner() {
      stop = true;
      if (thread.joinable()) {
        thread.join();
      }
    }
  } joiner{stop, writer};

  // Kill the leader once it has chained part of what was written (it is mid-append).
  const auto chaining_by = Clock::now() + std::chrono::seconds(20);
  while ((created < 150 || scalar("SELECT count(*) FROM audit.entries") < 100) &&
         Clock::now() < chaining_by) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const int64_t chained_before = scalar("SELECT count(*) FROM audit.entries");
  ASSERT_GT(chained_before, 0) << "the leader appended nothing before the kill";
  killed_ = static_cast<int>(*first_leader);
  (*replicas_)[*first_leader].signal(SIGKILL);
  const auto killed_at = Clock::now();
  const int created_at_kill = created;

  // Keep writing through the survivors until a new leader is chaining again, then a bit more.
  std::optional<size_t> new_leader;
  const auto reelected_by = Clock::now() + std::chrono::seconds(30);
  while (!(new_leader = leader()) && Clock::now() < reelected_by) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::this_thread::sleep_for(std::chrono::seconds(3));
  stop = true;
  writer.join();
  ASSERT_TRUE(new_leader.has_value()) << "no survivor took over";
  ASSERT_NE(*new_leader, *first_leader);
  ASSERT_GT(created.load(), created_at_kill) << "nothing was written after the kill";

  // Catch-up: the ledger cursor reaches the outbox's last event (the appender writes none).
  const int64_t last_seq = scalar("SELECT max(seq) FROM jobengine.events");
  const auto caught_up_by = Clock::now() + std::chrono::seconds(60);
  while (scalar("SELECT last_seq FROM audit.ledger_cursor") < last_seq &&
         Clock::now() < caught_up_by) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_GE(scalar("SELECT last_seq FROM audit.ledger_cursor"), last_seq)
      << "the survivors did not catch up within 60 s";
  const auto caught_up_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - killed_at).count();

  pqxx::connection c(replicas_->dsn());
  HttpClient http((*replicas_)[*new_leader].restPort());
  for (const std::string& tenant : kAuditTenants) {
    pqxx::nontransaction n(c);
    std::vector<int64_t> committed;
    for (const auto& row : n.exec_params(
             "SELECT seq FROM jobengine.events WHERE tenant_id = $1 ORDER BY seq", tenant)) {
      committed.push_back(row[0].as<int64_t>());
    }
    std::vector<int64_t> chained;
    std::string head;
    int64_t position = 0;
    for (const auto& row :
         n.exec_params("SELECT position, event_seq, hash FROM audit.entries WHERE tenant_id = $1 "
                       "ORDER BY position",
                       tenant)) {
      EXPECT_EQ(row[0].as<int64_t>(), ++position) << tenant << ": positions not 1..n";
      chained.push_back(row[1].as<int64_t>());
      head = row[2].as<std::string>();
    }
    ASSERT_FALSE(committed.empty()) << tenant;
    // Each committed seq exactly once, in seq order (no gap, no duplicate, nothing extra).
    EXPECT_EQ(chained, committed) << tenant << ": " << chained.size() << " entries for "
                                  << committed.size() << " committed events";
    EXPECT_EQ(std::set<int64_t>(chained.begin(), chained.end()).size(), chained.size())
        << tenant << ": an event chained twice";

    const Reply verify =
        http.call("GET", std::string(kAuditApi) + "/audit/verify", "", headers(tenant), 30000);
    ASSERT_EQ(verify.status, 200) << verify.body;
    const json v = verify.json();
    EXPECT_EQ(v["valid"], true) << tenant << " " << v.dump();
    EXPECT_EQ(v["length"], static_cast<int64_t>(committed.size())) << tenant << " " << v.dump();
    EXPECT_EQ(v["head"], head) << tenant;
  }
  // The cancels carried their reason and ticket into the ledger.
  EXPECT_EQ(scalar("SELECT count(*) FROM audit.entries WHERE event_type = 'job.canceled' AND "
                   "entry::jsonb #>> '{operator,ticket}' LIKE 'OPS-%' AND "
                   "entry::jsonb #>> '{operator,reason}' = 'audit system test'"),
            scalar("SELECT count(*) FROM jobengine.events WHERE event_type = 'job.canceled'"));
  std::cout << "jobs created " << created << " (" << created_at_kill << " before the kill), "
            << "canceled " << canceled << ", failed requests " << failed << ", entries before "
            << "the kill " << chained_before << ", outbox last seq " << last_seq << ", caught up "
            << caught_up_ms << " ms after the kill\n";
}

}  // namespace
}  // namespace jobengine::testing
