// Crash recovery of the embedded PostgreSQL on the real binary (issue 20): an engine killed
// with SIGKILL while clients enqueue jobs leaves its cluster to its watchdog, which stops it;
// with the watchdog killed too, the next `serve` finds the orphaned postmaster, stops it and
// says so. Either way the next `serve` on the same data directory becomes ready and every job
// a client was told about and every event committed before the kill is still there. A second
// engine on a data directory a live engine holds refuses with one line naming that engine.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <fstream>
#include <functional>
#include <iostream>
#include <mutex>
#include <pqxx/pqxx>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "engine_process.hpp"
#include "http_client.hpp"

namespace jobengine::testing {
namespace {

using nlohmann::json;

constexpr const char* kTenant = "recovery";

// The last "database: embedded cluster ... on 127.0.0.1:PORT (postmaster pid P, watchdog pid
// W)" line of the engine's output.
struct ClusterLine {
  int port = 0;
  pid_t postmaster = 0;
  pid_t watchdog = 0;
};

ClusterLine lastClusterLine(const std::string& output) {
  static const std::regex line(
      R"(embedded cluster in \S+ on 127\.0\.0\.1:(\d+) \(postmaster pid (\d+), watchdog pid (\d+)\))");
  ClusterLine found;
  for (auto it = std::sregex_iterator(output.begin(), output.end(), line);
       it != std::sregex_iterator(); ++it) {
    found.port = std::stoi((*it)[1].str());
    found.postmaster = static_cast<pid_t>(std::stol((*it)[2].str()));
    found.watchdog = static_cast<pid_t>(std::stol((*it)[3].str()));
  }
  return found;
}

bool alive(pid_t pid) {
  if (pid <= 0 || kill(pid, 0) != 0) {
    return false;
  }
  // A zombie nobody has reaped yet is dead for our purposes.
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  std::getline(stat, text);
  const std::size_t paren = text.rfind(')');
  return paren == std::string::npos || text.compare(paren + 1, 3, " Z ") != 0;
}

bool waitDead(pid_t pid, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (alive(pid)) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

// Every (tenant, seq) of the outbox, straight from the embedded cluster as its superuser.
std::set<std::string> outboxKeys(int port) {
  pqxx::connection c("host=127.0.0.1 port=" + std::to_string(port) +
                     " user=postgres dbname=jobengine");
  pqxx::nontransaction n(c);
  std::set<std::string> keys;
  for (const auto& row : n.exec("SELECT tenant_id || '/' || seq FROM jobengine.events")) {
    keys.insert(row[0].c_str());
  }
  return keys;
}

class EmbeddedRecoveryTest : public ::testing::Test {
 protected:
  // data_dir: another engine's host.data_dir to serve again ("" for a fresh one).
  static EngineOptions embeddedEngine(const std::string& name, const std::string& data_dir = "") {
    EngineOptions options;
    options.name = name;
    options.embedded = true;
    options.extra_toml = "[plugins.scheduler]\nsweep_interval_ms = 200\npoll_interval_ms = 50\n";
    if (!data_dir.empty()) {
      options.args = {"--set", "host.data_dir=\"" + data_dir + "\""};
    }
    return options;
  }
  std::vector<std::string> headers(const EngineProcess& engine) {
    if (token_.empty()) {
      token_ = engine.mintToken(kTenant, "orch:read orch:operate");
    }
    return {"Authorization: Bearer " + token_, std::string("X-StellaOps-Tenant: ") + kTenant,
            "X-StellaOps-Operator-Reason: recovery test"};
  }

  // Enqueues jobs from a client thread until `engine` dies under it; returns the ids of every
  // job the engine acknowledged with 201. `kill` runs once at least `before_kill` were.
  std::vector<std::string> enqueueWhileKilling(EngineProcess& engine, std::size_t before_kill,
                                               const std::function<void()>& kill) {
    std::mutex mu;
    std::vector<std::string> acked;
    Reply last_failure;
    std::atomic<bool> failed{false};
    const std::vector<std::string> h = headers(engine);
    std::thread client([&] {
      HttpClient http(engine.restPort());
      for (int i = 0; i < 100000; ++i) {
        const Reply r = http.post("/api/v1/jobengine/jobs",
                                  {{"type", "ext.recovery"}, {"payload", {{"i", i}}}}, h);
        std::lock_guard<std::mutex> lock(mu);
        if (r.status != 201) {
          last_failure = r;
          failed = true;  // the engine is gone (status 0) or refused: stop
          return;
        }
        acked.push_back(r.json()["id"].get<std::string>());
      }
    });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!failed && std::chrono::steady_clock::now() < deadline) {
      {
        std::lock_guard<std::mutex> lock(mu);
        if (acked.size() >= before_kill) {
          break;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    kill();
    client.join();
    EXPECT_GE(acked.size(), before_kill) << "enqueue failed early: " << last_failure.status << " "
                                         << last_failure.body << last_failure.error;
    return acked;
  }

  // After a restart: every acknowledged job is there, queued, with its job.created event, and
  // every outbox row seen before the kill is still there.
  void expectNothingLost(EngineProcess& engine, const std::vector<std::string>& acked,
                         const std::set<std::string>& events_before) {
    HttpClient http(engine.restPort());
    const Reply ready = http.get("/readyz");
    EXPECT_EQ(ready.status, 200) << ready.body;
    int missing = 0;
    for (const std::string& id : acked) {
      const Reply job = http.get("/api/v1/jobengine/jobs/" + id, headers(engine));
      if (job.status != 200 || job.json()["status"] != "queued") {
        ++missing;
        ADD_FAILURE() << "job " << id << ": " << job.status << " " << job.body;
        continue;
      }
      const Reply history = http.get("/api/v1/jobengine/jobs/" + id + "/history", headers(engine));
      const json items = history.json()["items"];
      if (items.empty() || items[0]["eventType"] != "job.created") {
        ++missing;
        ADD_FAILURE() << "job " << id << " history: " << history.body;
      }
    }
    EXPECT_EQ(missing, 0) << "of " << acked.size() << " acknowledged jobs";
    const std::set<std::string> after = outboxKeys(lastClusterLine(engine.output()).port);
    std::size_t lost = 0;
    for (const std::string& key : events_before) {
      lost += after.count(key) == 0 ? 1 : 0;
    }
    EXPECT_EQ(lost, 0u) << "of " << events_before.size() << " events committed before the kill";
    std::cout << "[recovery] after restart: " << acked.size() - static_cast<std::size_t>(missing)
              << " of " << acked.size() << " acknowledged jobs and " << events_before.size() - lost
              << " of " << events_before.size() << " events seen before the kill are there"
              << std::endl;
  }

  std::string token_;
};

TEST_F(EmbeddedRecoveryTest, ServeAfterSigkillRecoversTheClusterAndLosesNothing) {
  // Three engine processes, one after the other, on the first one's data directory.
  EngineProcess engine(embeddedEngine("recovery"));
  engine.start();
  const std::string data_dir = engine.dir() + "/var";
  const ClusterLine first = lastClusterLine(engine.output());
  ASSERT_GT(first.port, 0) << engine.output();
  ASSERT_GT(first.watchdog, 0) << engine.output();

  // 1. Only the engine is killed: its watchdog stops the cluster.
  std::set<std::string> events_before;
  const std::vector<std::string> acked1 = enqueueWhileKilling(engine, 40, [&] {
    events_before = outboxKeys(first.port);
    engine.stop(SIGKILL);
  });
  EXPECT_TRUE(waitDead(first.postmaster, std::chrono::seconds(60)))
      << "the watchdog did not stop PostgreSQL pid " << first.postmaster;
  EXPECT_TRUE(waitDead(first.watchdog, std::chrono::seconds(30)));
  EngineProcess again(embeddedEngine("recovery2", data_dir));
  again.start();
  const ClusterLine second = lastClusterLine(again.output());
  EXPECT_NE(second.postmaster, first.postmaster);
  expectNothingLost(again, acked1, events_before);

  // 2. The engine and its watchdog are killed (kill -9 of both, an OOM kill of the group): the
  // postmaster is left running, and the next serve stops it and says so.
  ASSERT_TRUE(alive(second.watchdog));
  const pid_t killed_engine = again.pid();
  std::vector<std::string> acked2 = enqueueWhileKilling(again, 40, [&] {
    events_before = outboxKeys(second.port);
    kill(second.watchdog, SIGKILL);
    again.stop(SIGKILL);
  });
  ASSERT_TRUE(waitDead(second.watchdog, std::chrono::seconds(10)));
  ASSERT_TRUE(alive(second.postmaster)) << "the orphan should still be running";
  EngineProcess third(embeddedEngine("recovery3", data_dir));
  third.start();
  const std::string out = third.output();
  EXPECT_NE(out.find("stopped the PostgreSQL server (pid " + std::to_string(second.postmaster) +
                     ") that process " + std::to_string(killed_engine) + " ("),
            std::string::npos)
      << out;
  EXPECT_FALSE(alive(second.postmaster));
  acked2.insert(acked2.end(), acked1.begin(), acked1.end());
  expectNothingLost(third, acked2, events_before);

  // A clean stop leaves neither the cluster nor the watchdog behind.
  const ClusterLine last = lastClusterLine(third.output());
  EXPECT_EQ(third.stop(), 0) << third.output();
  EXPECT_FALSE(alive(last.postmaster));
  EXPECT_FALSE(alive(last.watchdog));
}

TEST_F(EmbeddedRecoveryTest, ASecondEngineOnTheSameDataDirectoryRefusesNamingTheFirst) {
  EngineProcess engine(embeddedEngine("twoengines"));
  engine.start();
  const ClusterLine cluster = lastClusterLine(engine.output());
  const CommandResult second = runCommand(
      {engineBinary(), "serve", "--config", engine.configPath()}, std::chrono::seconds(60));
  EXPECT_EQ(second.exit_code, 1) << second.err;
  EXPECT_NE(second.err.find("is in use by a running postmaster (pid " +
                            std::to_string(cluster.postmaster) + ")"),
            std::string::npos)
      << second.err;
  EXPECT_NE(second.err.find("process " + std::to_string(engine.pid()) + " ("), std::string::npos)
      << second.err;
  EXPECT_NE(second.err.find("kill -TERM " + std::to_string(engine.pid())), std::string::npos)
      << second.err;
  EXPECT_NE(second.err.find(engine.configPath()), std::string::npos) << second.err;
  // The first engine and its database are untouched.
  HttpClient http(engine.restPort());
  EXPECT_EQ(http.get("/readyz").status, 200);
  EXPECT_TRUE(alive(cluster.postmaster));
  EXPECT_EQ(engine.stop(), 0) << engine.output();
}

}  // namespace
}  // namespace jobengine::testing
