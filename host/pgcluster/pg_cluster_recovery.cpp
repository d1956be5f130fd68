// PgCluster and the servers a previous owner left running (see pg_cluster.hpp): the owner file
// written after every start, the watchdog launched with it, and the start-up check that stops an
// orphaned postmaster or refuses, naming who holds the data directory and how to stop it.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <system_error>
#include <thread>

#include "cluster_owner.hpp"
#include "os_process.hpp"
#include "pg_cluster.hpp"
#include "watchdog.hpp"

namespace jobengine::pgcluster {

namespace fs = std::filesystem;

namespace {

constexpr int kOrphanStopTimeoutS = 30;  // pg_ctl -t for each of fast and immediate
constexpr auto kExitGrace = std::chrono::seconds(10);

// The first line of postmaster.pid (0 when missing or not a number).
pid_t postmasterPidFromFile(const std::string& data_dir) {
  std::ifstream in(fs::path(data_dir) / "postmaster.pid");
  long pid = 0;
  if (!(in >> pid) || pid <= 0) {
    return 0;
  }
  return static_cast<pid_t>(pid);
}

// A shell word: as is when it needs no quoting, else in single quotes.
std::string shellWord(const std::string& value) {
  bool plain = !value.empty();
  for (const char c : value) {
    const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '/' || c == '.' || c == '_' || c == '-' || c == '+' || c == ':' ||
                      c == '@' || c == '=' || c == ',';
    plain = plain && safe;
  }
  if (plain) {
    return value;
  }
  std::string out = "'";
  for (const char c : value) {
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  }
  return out + "'";
}

// Waits until `id` no longer names a live process; true when it is gone.
bool waitGone(const detail::ProcessId& id, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (detail::processAlive(id)) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

std::string describeOwner(const detail::OwnerRecord& owner) {
  std::string text = "process " + std::to_string(owner.owner.pid);
  if (!owner.command.empty()) {
    text += " (" + owner.command + ")";
  }
  return text;
}

}  // namespace

std::string PgCluster::stopCommand(const std::string& user) const {
  std::string prefix;
  if (geteuid() == 0) {
    prefix = "runuser -u " + shellWord(user) + " -- ";
  } else if (user != detail::userName(geteuid())) {
    prefix = "sudo -u " + shellWord(user) + " ";
  }
  const std::string bin = bin_dir_.empty() ? std::string("pg_ctl") : bin_dir_ + "/pg_ctl";
  return prefix + shellWord(bin) + " -D " + shellWord(data_dir_) + " -m fast stop";
}

void PgCluster::takeOverLeftoverServer() {
  const pid_t pid = postmasterPidFromFile(data_dir_);
  if (pid == 0) {
    return;
  }
  detail::LeftoverFacts facts;
  facts.postgres_alive = detail::isLivePostgres(pid);
  if (!facts.postgres_alive) {
    return;  // a stale lock file: removeStalePid() deals with it after prepareDirectories()
  }
  facts.postmaster = detail::ProcessId{pid, detail::processStartTicks(pid)};
  const std::string cwd = detail::processCwd(pid);
  if (!cwd.empty()) {
    std::error_code ec;
    facts.serves_data_dir =
        fs::equivalent(cwd, data_dir_, ec) ? detail::DirMatch::kYes : detail::DirMatch::kNo;
  }
  uid_t server_uid = 0;
  const bool uid_known = detail::processUid(pid, server_uid);
  const uid_t our_server_uid = drop_privileges_ ? uid_ : geteuid();
  facts.same_user = uid_known && server_uid == our_server_uid;
  facts.boot_id = detail::bootId();
  facts.owner = detail::readOwnerFile(owner_file_);
  facts.owner_alive = facts.owner.has_value() && facts.owner->boot_id == facts.boot_id &&
                      detail::processAlive(facts.owner->owner);

  const std::string in_use = "pgcluster: data directory " + data_dir_ +
                             " is in use by a running postmaster (pid " + std::to_string(pid) + ")";
  const std::string server_user =
      uid_known ? detail::userName(server_uid)
                : (drop_privileges_ ? options_.run_as_user : detail::userName(geteuid()));
  switch (detail::judgeLeftover(facts)) {
    case detail::Leftover::kNone:
      return;
    case detail::Leftover::kOtherCluster: {
      std::error_code ec;
      fs::remove(fs::path(data_dir_) / "postmaster.pid", ec);
      notices_.push_back("removed a stale postmaster.pid from " + data_dir_ + ": its pid " +
                         std::to_string(pid) + " now belongs to the PostgreSQL of " + cwd +
                         ", which was left alone");
      return;
    }
    case detail::Leftover::kOtherUser:
      throw std::runtime_error(
          in_use + " of OS user " + server_user + ", not " +
          (drop_privileges_ ? options_.run_as_user : detail::userName(geteuid())) +
          " who runs this cluster; it is left alone: stop it with `" + stopCommand(server_user) +
          "` and start again");
    case detail::Leftover::kUnowned:
      throw std::runtime_error(
          in_use + " that no live engine recorded in " + owner_file_ +
          " (started by hand, by another tool or by an engine from before owner files); it is "
          "left alone: stop it with `" +
          stopCommand(server_user) + "` and start again");
    case detail::Leftover::kLiveOwner:
      throw std::runtime_error(in_use + " that " + describeOwner(*facts.owner) +
                               " started and still holds; stop that process first (kill -TERM " +
                               std::to_string(facts.owner->owner.pid) +
                               ": it stops its PostgreSQL on the way out) or give this one "
                               "another data directory");
    case detail::Leftover::kOrphan:
      stopOrphan(pid, facts.postmaster.start_ticks, describeOwner(*facts.owner));
      return;
  }
}

void PgCluster::stopOrphan(pid_t postmaster, unsigned long long start_ticks,
                           const std::string& owner) {
  const detail::ProcessId id{postmaster, start_ticks};
  std::error_code ec;
  fs::create_directories(fs::path(log_file_).parent_path(), ec);
  const std::string pg_ctl = bin_dir_ + "/pg_ctl";
  const std::string timeout = std::to_string(kOrphanStopTimeoutS);
  // Its own watchdog may be stopping it at the same moment: a second fast shutdown request is
  // harmless, and pg_ctl failing because the lock file just went away is fine; only whether the
  // postmaster is gone counts.
  run({pg_ctl, "-D", data_dir_, "-m", "fast", "-w", "-t", timeout, "stop"});
  std::string how = "fast shutdown";
  if (!waitGone(id, kExitGrace)) {
    if (postmasterPidFromFile(data_dir_) == postmaster) {
      run({pg_ctl, "-D", data_dir_, "-m", "immediate", "-w", "-t", timeout, "stop"});
    }
    how = "immediate shutdown after the fast one did not finish";
    if (!waitGone(id, kExitGrace)) {
      throw std::runtime_error(
          "pgcluster: cannot stop the postmaster (pid " + std::to_string(postmaster) + ") that " +
          owner + " left running in " + data_dir_ + "; log " + log_file_ + ": " + logTail(4));
    }
  }
  notices_.push_back("stopped the PostgreSQL server (pid " + std::to_string(postmaster) +
                     ") that " + owner + " left running in " + data_dir_ + " when it died (" + how +
                     "); starting it again");
}

void PgCluster::recordOwner() {
  postmaster_pid_ = postmasterPidFromFile(data_dir_);
  if (options_.watchdog && postmaster_pid_ > 0) {
    detail::WatchdogSpec spec;
    spec.pg_ctl = bin_dir_ + "/pg_ctl";
    spec.data_dir = data_dir_;
    spec.postmaster_pid = postmaster_pid_;
    spec.owner_pid = getpid();
    spec.run_as = detail::RunAs{drop_privileges_, uid_, gid_};
    spec.cwd = fs::path(data_dir_).parent_path().string();
    spec.log_path = log_file_;
    try {
      watchdog_ = std::make_unique<detail::Watchdog>();
      watchdog_->launch(spec);
    } catch (const std::exception& e) {
      watchdog_.reset();
      notices_.push_back(std::string("no watchdog for the server (it keeps running if this "
                                     "process dies without stopping it): ") +
                         e.what());
    }
  }
  detail::OwnerRecord record;
  record.owner = detail::selfProcessId();
  record.boot_id = detail::bootId();
  record.postmaster =
      detail::ProcessId{postmaster_pid_, detail::processStartTicks(postmaster_pid_)};
  record.watchdog_pid = watchdogPid();
  record.command = detail::processCommandLine(getpid());
  try {
    detail::writeOwnerFile(owner_file_, record);
  } catch (const std::exception& e) {
    notices_.push_back(std::string(e.what()) +
                       " (a later start cannot recognise this server as left behind)");
  }
}

}  // namespace jobengine::pgcluster
