// PgCluster against the real PostgreSQL binaries: first start (initdb), restart reusing the
// data directory, idempotent stop, stale and live postmaster.pid, the one-line error when the
// server cannot start, and crash recovery: a server whose owner died is stopped by its watchdog
// or by the next start, while a server somebody else holds is never touched; and the OS user
// it runs as, created by many engines at once.
#include "pg_cluster.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <pqxx/pqxx>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cluster_owner.hpp"
#include "os_process.hpp"

namespace fs = std::filesystem;
namespace detail = jobengine::pgcluster::detail;
using jobengine::pgcluster::Options;
using jobengine::pgcluster::PgCluster;

namespace {

class PgClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/je-pgcluster-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
  }
  void TearDown() override {
    // A failed test may leave a server without owner or watchdog: stop it (fast shutdown).
    for (const char* dir : {"/data", "/other"}) {
      std::ifstream in(root_ + dir + "/postmaster.pid");
      long pid = 0;
      if (in >> pid && detail::isLivePostgres(static_cast<pid_t>(pid))) {
        kill(static_cast<pid_t>(pid), SIGTERM);
        for (int i = 0; i < 200 && detail::isLivePostgres(static_cast<pid_t>(pid)); ++i) {
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
      }
    }
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  Options options() const {
    Options o;
    o.data_dir = root_ + "/data";
    o.fsync = false;
    return o;
  }
  pid_t postmasterPid() const {
    std::ifstream in(root_ + "/data/postmaster.pid");
    long pid = 0;
    in >> pid;
    return static_cast<pid_t>(pid);
  }
  std::string log() const {
    std::ifstream in(root_ + "/data.log");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }
  static std::string query(const std::string& dsn, const std::string& sql) {
    pqxx::connection c(dsn);
    pqxx::nontransaction n(c);
    const pqxx::result r = n.exec(sql);
    return r.empty() || r.columns() == 0 ? "" : r[0][0].c_str();
  }
  std::string root_;
};

TEST_F(PgClusterTest, StartsStopsAndRestartsReusingTheDataDirectory) {
  {
    PgCluster cluster(options());
    cluster.start();
    ASSERT_TRUE(cluster.running());
    EXPECT_GT(cluster.port(), 0);
    EXPECT_TRUE(fs::exists(root_ + "/data/PG_VERSION"));
    EXPECT_EQ(cluster.superuserDsn(), "host=127.0.0.1 port=" + std::to_string(cluster.port()) +
                                          " user=postgres dbname=postgres");
    query(cluster.superuserDsn(), "CREATE TABLE survives_restart (x int)");
    EXPECT_EQ(query(cluster.superuserDsn(), "SHOW max_connections"), "200");
    EXPECT_EQ(query(cluster.superuserDsn(), "SHOW fsync"), "off");
    cluster.stop();
    EXPECT_FALSE(cluster.running());
    cluster.stop();  // idempotent
    EXPECT_FALSE(fs::exists(root_ + "/data/postmaster.pid"));
  }
  const auto version_time = fs::last_write_time(root_ + "/data/PG_VERSION");
  PgCluster again(options());
  again.start();  // no initdb this time: same PG_VERSION, the table is still there
  EXPECT_EQ(fs::last_write_time(root_ + "/data/PG_VERSION"), version_time);
  EXPECT_EQ(query(again.superuserDsn(),
                  "SELECT count(*) FROM pg_class WHERE relname = 'survives_restart'"),
            "1");
  // The destructor stops it.
}

// Clusters made from an initdb template: the first one makes the template (published whole,
// no staging directory left), later ones copy it; each is a cluster of its own.
TEST_F(PgClusterTest, ClustersFromAnInitdbTemplateAreIndependentCopies) {
  Options o = options();
  o.initdb_template = root_ + "/template";
  PgCluster first(o);
  first.start();
  EXPECT_TRUE(first.notices().empty()) << first.notices().front();
  bool published = false;
  for (const auto& entry : fs::directory_iterator(root_)) {
    const std::string name = entry.path().filename().string();
    EXPECT_EQ(name.find(".staging-"), std::string::npos) << name;
    published =
        published || (name.rfind("template-", 0) == 0 && fs::exists(entry.path() / "PG_VERSION"));
  }
  EXPECT_TRUE(published);
  query(first.superuserDsn(), "CREATE TABLE only_in_the_first (x int)");

  Options other = o;
  other.data_dir = root_ + "/other";
  PgCluster second(other);
  second.start();
  EXPECT_TRUE(second.notices().empty()) << second.notices().front();
  EXPECT_NE(second.port(), first.port());
  EXPECT_EQ(query(second.superuserDsn(),
                  "SELECT count(*) FROM pg_class WHERE relname = 'only_in_the_first'"),
            "0");
}

// A database restart (stop, start) must not move the server: the engines' DSNs name the port
// and they reconnect by themselves only if it is still there. Extra settings win over defaults.
TEST_F(PgClusterTest, ARestartOfTheSameClusterKeepsItsPortAndExtraSettingsApply) {
  Options o = options();
  o.settings = {"synchronous_commit=on"};
  PgCluster cluster(o);
  cluster.start();
  const int port = cluster.port();
  EXPECT_EQ(query(cluster.superuserDsn(), "SHOW synchronous_commit"), "on");  // fsync off: "off"
  cluster.stop();
  EXPECT_EQ(cluster.port(), port);
  cluster.start();
  EXPECT_EQ(cluster.port(), port);
  EXPECT_EQ(query("host=127.0.0.1 port=" + std::to_string(port) + " user=postgres dbname=postgres",
                  "SELECT 1"),
            "1");
}

TEST_F(PgClusterTest, RemovesAStalePidFile) {
  {
    PgCluster cluster(options());
    cluster.start();
  }
  const pid_t child = fork();
  if (child == 0) {
    _exit(0);
  }
  ASSERT_GT(child, 0);
  waitpid(child, nullptr, 0);  // a pid that is certainly dead now
  {
    std::ofstream pid_file(root_ + "/data/postmaster.pid");
    pid_file << child << "\n" << root_ << "/data\n";
  }
  PgCluster cluster(options());
  cluster.start();
  EXPECT_EQ(query(cluster.superuserDsn(), "SELECT 1"), "1");
}

TEST_F(PgClusterTest, RefusesADataDirectoryARunningServerUses) {
  PgCluster first(options());
  first.start();
  PgCluster second(options());
  try {
    second.start();
    FAIL() << "second start on the same data directory succeeded";
  } catch (const std::runtime_error& e) {
    // The owner (this very process) is alive: the message names it and how to stop it.
    const std::string what = e.what();
    EXPECT_NE(what.find("is in use by a running postmaster (pid " +
                        std::to_string(first.postmasterPid()) + ")"),
              std::string::npos)
        << what;
    EXPECT_NE(what.find("process " + std::to_string(getpid()) + " ("), std::string::npos) << what;
    EXPECT_NE(what.find("kill -TERM " + std::to_string(getpid())), std::string::npos) << what;
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
  }
  EXPECT_EQ(query(first.superuserDsn(), "SELECT 1"), "1");
  EXPECT_TRUE(second.notices().empty());
}

TEST_F(PgClusterTest, FailsWithOneLineAndTheLogTailWhenThePortIsTaken) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  Options o = options();
  o.port = ntohs(addr.sin_port);
  PgCluster cluster(o);
  try {
    cluster.start();
    FAIL() << "started on a taken port";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("failed to start on port " + std::to_string(o.port)), std::string::npos)
        << what;
    EXPECT_NE(what.find("could not"), std::string::npos) << what;  // from the server log
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
  }
  close(fd);
}

// What a child that started a cluster and then died left behind.
struct Abandoned {
  pid_t postmaster = 0;
  pid_t watchdog = 0;
};

// Forks a child that starts a cluster, creates table left_behind, reports the postmaster and
// watchdog pids through a pipe and dies without stopping anything: by SIGKILL (kill_self) or by
// _exit, which runs no destructor either. The child is reaped, so its pid is certainly dead.
Abandoned startInChildAndDie(const Options& o, bool kill_self) {
  int fds[2] = {-1, -1};
  if (pipe(fds) != 0) {
    return {};
  }
  const pid_t child = fork();
  if (child == 0) {
    close(fds[0]);
    long pids[2] = {0, 0};
    try {
      PgCluster cluster(o);
      cluster.start();
      pqxx::connection c(cluster.superuserDsn());
      pqxx::nontransaction n(c);
      n.exec("CREATE TABLE left_behind (x int)");
      pids[0] = cluster.postmasterPid();
      pids[1] = cluster.watchdogPid();
      (void)!write(fds[1], pids, sizeof(pids));
      if (kill_self) {
        raise(SIGKILL);
      }
      _exit(0);
    } catch (...) {
      (void)!write(fds[1], pids, sizeof(pids));
      _exit(1);
    }
  }
  close(fds[1]);
  long pids[2] = {0, 0};
  std::size_t got = 0;
  while (got < sizeof(pids)) {
    const ssize_t n = read(fds[0], reinterpret_cast<char*>(pids) + got, sizeof(pids) - got);
    if (n <= 0) {
      break;
    }
    got += static_cast<std::size_t>(n);
  }
  close(fds[0]);
  waitpid(child, nullptr, 0);
  return {static_cast<pid_t>(pids[0]), static_cast<pid_t>(pids[1])};
}

bool waitUntil(const std::function<bool()>& done, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

std::string readText(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST_F(PgClusterTest, StopsAServerWhoseOwnerDiedAndStartsAgain) {
  Options o = options();
  o.watchdog = false;  // owner and watchdog both gone, as after `kill -9` of both
  const Abandoned left = startInChildAndDie(o, true);
  ASSERT_GT(left.postmaster, 0);
  EXPECT_EQ(left.watchdog, 0);
  ASSERT_TRUE(detail::isLivePostgres(left.postmaster)) << "the orphan should still run";

  PgCluster cluster(options());
  cluster.start();
  ASSERT_EQ(cluster.notices().size(), 1u);
  const std::string notice = cluster.notices()[0];
  EXPECT_NE(
      notice.find("stopped the PostgreSQL server (pid " + std::to_string(left.postmaster) + ")"),
      std::string::npos)
      << notice;
  EXPECT_NE(notice.find("when it died (fast shutdown)"), std::string::npos) << notice;
  EXPECT_NE(cluster.postmasterPid(), left.postmaster);
  EXPECT_EQ(
      query(cluster.superuserDsn(), "SELECT count(*) FROM pg_class WHERE relname = 'left_behind'"),
      "1");
  const auto owner = detail::readOwnerFile(cluster.ownerFile());
  ASSERT_TRUE(owner.has_value());
  EXPECT_EQ(owner->owner.pid, getpid());
  EXPECT_EQ(owner->postmaster.pid, cluster.postmasterPid());
  EXPECT_EQ(owner->watchdog_pid, cluster.watchdogPid());
}

TEST_F(PgClusterTest, LeavesAServerNoOwnerRecordClaimsAloneAndSaysHowToStopIt) {
  Options o = options();
  o.watchdog = false;
  const Abandoned left = startInChildAndDie(o, false);
  ASSERT_GT(left.postmaster, 0);
  const std::string owner_file = root_ + "/data.owner";
  const std::string record = readText(owner_file);
  ASSERT_FALSE(record.empty());
  fs::remove(owner_file);  // as if started by hand or by an engine from before owner files

  PgCluster cluster(options());
  try {
    cluster.start();
    FAIL() << "started over a server nobody recorded";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("is in use by a running postmaster (pid " +
                        std::to_string(left.postmaster) + ")"),
              std::string::npos)
        << what;
    EXPECT_NE(what.find("pg_ctl -D " + root_ + "/data -m fast stop"), std::string::npos) << what;
    if (geteuid() == 0) {
      EXPECT_NE(what.find("runuser -u jobengine -- "), std::string::npos) << what;
    }
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
  }
  EXPECT_TRUE(detail::isLivePostgres(left.postmaster)) << "a refused server is never touched";

  // With the record back, the same start recognises the orphan and takes over.
  std::ofstream(owner_file) << record;
  cluster.start();
  EXPECT_EQ(cluster.notices().size(), 1u);
  EXPECT_EQ(query(cluster.superuserDsn(), "SELECT 1"), "1");
}

TEST_F(PgClusterTest, TheWatchdogStopsTheServerWhenItsOwnerIsKilled) {
  const Abandoned left = startInChildAndDie(options(), true);
  ASSERT_GT(left.postmaster, 0);
  ASSERT_GT(left.watchdog, 0);
  EXPECT_TRUE(
      waitUntil([&] { return !detail::isLivePostgres(left.postmaster); }, std::chrono::seconds(60)))
      << log();
  // The watchdog ends too (processStartTicks is 0 for a zombie its new parent has not reaped).
  EXPECT_TRUE(waitUntil([&] { return detail::processStartTicks(left.watchdog) == 0; },
                        std::chrono::seconds(30)));
  EXPECT_NE(log().find("jobengine watchdog: process "), std::string::npos) << log();
  EXPECT_FALSE(fs::exists(root_ + "/data/postmaster.pid"));

  PgCluster cluster(options());
  cluster.start();
  EXPECT_TRUE(cluster.notices().empty());
  EXPECT_EQ(
      query(cluster.superuserDsn(), "SELECT count(*) FROM pg_class WHERE relname = 'left_behind'"),
      "1");
}

TEST_F(PgClusterTest, ACleanStopEndsAndReapsTheWatchdog) {
  PgCluster cluster(options());
  cluster.start();
  const pid_t watchdog = cluster.watchdogPid();
  ASSERT_GT(watchdog, 0);
  EXPECT_NE(detail::processStartTicks(watchdog), 0u);
  EXPECT_EQ(cluster.postmasterPid(), postmasterPid());
  ASSERT_TRUE(fs::exists(cluster.ownerFile()));
  cluster.stop();
  EXPECT_EQ(cluster.watchdogPid(), 0);
  EXPECT_EQ(cluster.postmasterPid(), 0);
  // Reaped by stop(): no zombie is left, the pid is gone from the process table.
  errno = 0;
  EXPECT_NE(kill(watchdog, 0), 0);
  EXPECT_EQ(errno, ESRCH);
  EXPECT_FALSE(fs::exists(cluster.ownerFile()));
  EXPECT_EQ(log().find("jobengine watchdog:"), std::string::npos) << "nothing to do after a stop";
}

TEST_F(PgClusterTest, AStalePidFileNamingAnotherClustersServerLeavesThatServerAlone) {
  Options other = options();
  other.data_dir = root_ + "/other";
  PgCluster a(other);
  a.start();
  {
    PgCluster b(options());  // initdb, then stopped
    b.start();
  }
  {
    std::ofstream pid_file(root_ + "/data/postmaster.pid");
    pid_file << a.postmasterPid() << "\n" << root_ << "/data\n";
  }
  PgCluster b(options());
  b.start();
  ASSERT_EQ(b.notices().size(), 1u);
  EXPECT_NE(b.notices()[0].find("now belongs to the PostgreSQL of " + root_ + "/other"),
            std::string::npos)
      << b.notices()[0];
  EXPECT_EQ(query(a.superuserDsn(), "SELECT 1"), "1");
  EXPECT_EQ(query(b.superuserDsn(), "SELECT 1"), "1");
}

TEST(PgClusterOwnerRecordTest, RoundTripsAndRejectsIncompleteRecords) {
  detail::OwnerRecord r;
  r.owner = detail::ProcessId{123, 456};
  r.boot_id = "b0f1";
  r.postmaster = detail::ProcessId{789, 1011};
  r.watchdog_pid = 1213;
  r.command = "jobengine serve --config x\ny";
  const auto back = detail::parseOwnerRecord(detail::formatOwnerRecord(r));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->owner.pid, 123);
  EXPECT_EQ(back->owner.start_ticks, 456u);
  EXPECT_EQ(back->boot_id, "b0f1");
  EXPECT_EQ(back->postmaster.pid, 789);
  EXPECT_EQ(back->postmaster.start_ticks, 1011u);
  EXPECT_EQ(back->watchdog_pid, 1213);
  EXPECT_EQ(back->command, "jobengine serve --config x y");
  EXPECT_FALSE(detail::parseOwnerRecord("owner_pid=1\nowner_start_ticks=2\n").has_value());
  EXPECT_FALSE(detail::parseOwnerRecord("owner_pid=x\nowner_start_ticks=2\npostmaster_pid=3\n"
                                        "postmaster_start_ticks=4\n")
                   .has_value());
  EXPECT_FALSE(detail::parseOwnerRecord("").has_value());
}

TEST(PgClusterLeftoverTest, OnlyARecordedServerOfThisDirectoryAndUserWithADeadOwnerIsStopped) {
  using detail::DirMatch;
  using detail::Leftover;
  detail::LeftoverFacts orphan;
  orphan.postgres_alive = true;
  orphan.serves_data_dir = DirMatch::kYes;
  orphan.same_user = true;
  orphan.postmaster = detail::ProcessId{100, 5000};
  orphan.boot_id = "boot-1";
  detail::OwnerRecord record;
  record.owner = detail::ProcessId{42, 4000};
  record.boot_id = "boot-1";
  record.postmaster = detail::ProcessId{100, 5000};
  orphan.owner = record;
  orphan.owner_alive = false;
  EXPECT_EQ(detail::judgeLeftover(orphan), Leftover::kOrphan);

  auto with = [&](const std::function<void(detail::LeftoverFacts&)>& change) {
    detail::LeftoverFacts f = orphan;
    change(f);
    return detail::judgeLeftover(f);
  };
  EXPECT_EQ(with([](auto& f) { f.postgres_alive = false; }), Leftover::kNone);
  EXPECT_EQ(with([](auto& f) { f.owner_alive = true; }), Leftover::kLiveOwner);
  EXPECT_EQ(with([](auto& f) { f.serves_data_dir = DirMatch::kNo; }), Leftover::kOtherCluster);
  EXPECT_EQ(with([](auto& f) { f.serves_data_dir = DirMatch::kUnknown; }), Leftover::kOtherUser);
  EXPECT_EQ(with([](auto& f) { f.same_user = false; }), Leftover::kOtherUser);
  EXPECT_EQ(with([](auto& f) { f.owner.reset(); }), Leftover::kUnowned);
  // The record is for another server: a pid reused by a postmaster started since, or another
  // boot, or a record without a start time to compare.
  EXPECT_EQ(with([](auto& f) { f.owner->postmaster.pid = 101; }), Leftover::kUnowned);
  EXPECT_EQ(with([](auto& f) { f.owner->postmaster.start_ticks = 5001; }), Leftover::kUnowned);
  EXPECT_EQ(with([](auto& f) { f.owner->boot_id = "boot-0"; }), Leftover::kUnowned);
  EXPECT_EQ(with([](auto& f) {
              f.boot_id.clear();
              f.owner->boot_id.clear();
            }),
            Leftover::kUnowned);
  EXPECT_EQ(with([](auto& f) {
              f.postmaster.start_ticks = 0;
              f.owner->postmaster.start_ticks = 0;
            }),
            Leftover::kUnowned);
  // Another user's server is refused even when its owner is alive or dead.
  EXPECT_EQ(with([](auto& f) {
              f.same_user = false;
              f.owner_alive = true;
            }),
            Leftover::kOtherUser);
}

// Many engines starting at once on a fresh machine (the test suite starts dozens) all create
// the OS user PostgreSQL runs as. Each must end up with the uid the user really has: useradd
// alone let a second creator replace the first's entry with another uid.
TEST(PgClusterUserTest, ConcurrentCreatorsAllGetTheUserThatExists) {
  if (geteuid() != 0) {
    GTEST_SKIP() << "creating an OS user needs root (CI runs as root)";
  }
  const std::string name = "je-ua-test-" + std::to_string(getpid());
  struct Cleanup {
    std::string name;
    ~Cleanup() { std::system(("userdel " + name + " >/dev/null 2>&1").c_str()); }
  } cleanup{name};
  constexpr int kCreators = 8;
  std::vector<std::pair<pid_t, int>> children;  // pid, read end of its pipe
  for (int i = 0; i < kCreators; ++i) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(fds[0]);
      uid_t uid = 0;
      gid_t gid = 0;
      try {
        detail::ensureUser(name, uid, gid);
      } catch (...) {
        _exit(2);
      }
      const std::string text = std::to_string(uid);
      _exit(write(fds[1], text.data(), text.size()) == static_cast<ssize_t>(text.size()) ? 0 : 3);
    }
    close(fds[1]);
    children.emplace_back(pid, fds[0]);
  }
  std::vector<std::string> uids;
  for (const auto& [pid, fd] : children) {
    char buf[32] = {};
    const ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    ASSERT_EQ(WEXITSTATUS(status), 0) << "creator " << pid << " failed";
    uids.emplace_back(buf, n > 0 ? static_cast<size_t>(n) : 0);
  }
  const passwd* pw = getpwnam(name.c_str());
  ASSERT_NE(pw, nullptr) << "the user " << name << " does not exist";
  for (const auto& uid : uids) {
    EXPECT_EQ(uid, std::to_string(pw->pw_uid)) << "a creator got a uid the user no longer has";
  }
}

}  // namespace
