// PgCluster against the real PostgreSQL binaries: first start (initdb), restart reusing the
// data directory, idempotent stop, stale and live postmaster.pid, and the one-line error when
// the server cannot start.
#include "pg_cluster.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <pqxx/pqxx>

namespace fs = std::filesystem;
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
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  Options options() const {
    Options o;
    o.data_dir = root_ + "/data";
    o.fsync = false;
    return o;
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
    const std::string what = e.what();
    EXPECT_NE(what.find("is in use by a running postmaster"), std::string::npos) << what;
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
  }
  EXPECT_EQ(query(first.superuserDsn(), "SELECT 1"), "1");
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

}  // namespace
