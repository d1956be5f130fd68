// The owner file and the leftover-postmaster verdict (see cluster_owner.hpp).
#include "cluster_owner.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

namespace jobengine::pgcluster::detail {

namespace {

bool parseNumber(const std::map<std::string, std::string>& fields, const std::string& key,
                 unsigned long long& out) {
  const auto it = fields.find(key);
  if (it == fields.end() || it->second.empty()) {
    return false;
  }
  char* end = nullptr;
  errno = 0;
  out = std::strtoull(it->second.c_str(), &end, 10);
  return errno == 0 && end != nullptr && *end == '\0';
}

}  // namespace

std::string formatOwnerRecord(const OwnerRecord& record) {
  std::string command = record.command;
  for (char& c : command) {
    c = (c == '\n' || c == '\r') ? ' ' : c;  // one record per line
  }
  std::ostringstream out;
  out << "# jobengine: the process that started the PostgreSQL server of this data directory\n"
      << "owner_pid=" << record.owner.pid << "\n"
      << "owner_start_ticks=" << record.owner.start_ticks << "\n"
      << "boot_id=" << record.boot_id << "\n"
      << "postmaster_pid=" << record.postmaster.pid << "\n"
      << "postmaster_start_ticks=" << record.postmaster.start_ticks << "\n"
      << "watchdog_pid=" << record.watchdog_pid << "\n"
      << "command=" << command << "\n";
  return out.str();
}

std::optional<OwnerRecord> parseOwnerRecord(const std::string& text) {
  std::map<std::string, std::string> fields;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    const std::size_t eq = line.find('=');
    if (line.empty() || line[0] == '#' || eq == std::string::npos) {
      continue;
    }
    fields[line.substr(0, eq)] = line.substr(eq + 1);
  }
  unsigned long long owner_pid = 0;
  unsigned long long owner_start = 0;
  unsigned long long postmaster_pid = 0;
  unsigned long long postmaster_start = 0;
  if (!parseNumber(fields, "owner_pid", owner_pid) ||
      !parseNumber(fields, "owner_start_ticks", owner_start) ||
      !parseNumber(fields, "postmaster_pid", postmaster_pid) ||
      !parseNumber(fields, "postmaster_start_ticks", postmaster_start) || owner_pid == 0 ||
      postmaster_pid == 0) {
    return std::nullopt;
  }
  OwnerRecord record;
  record.owner = ProcessId{static_cast<pid_t>(owner_pid), owner_start};
  record.postmaster = ProcessId{static_cast<pid_t>(postmaster_pid), postmaster_start};
  record.boot_id = fields["boot_id"];
  unsigned long long watchdog_pid = 0;
  if (parseNumber(fields, "watchdog_pid", watchdog_pid)) {
    record.watchdog_pid = static_cast<pid_t>(watchdog_pid);
  }
  record.command = fields["command"];
  return record;
}

void writeOwnerFile(const std::string& path, const OwnerRecord& record) {
  const std::string tmp = path + ".tmp." + std::to_string(getpid());
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << formatOwnerRecord(record);
    out.close();
    if (!out) {
      throw std::runtime_error("pgcluster: cannot write " + tmp);
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    std::remove(tmp.c_str());
    throw std::runtime_error("pgcluster: cannot write " + path + ": " + why);
  }
}

std::optional<OwnerRecord> readOwnerFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parseOwnerRecord(text.str());
}

Leftover judgeLeftover(const LeftoverFacts& facts) {
  if (!facts.postgres_alive) {
    return Leftover::kNone;
  }
  if (facts.serves_data_dir == DirMatch::kNo) {
    return Leftover::kOtherCluster;
  }
  if (facts.serves_data_dir == DirMatch::kUnknown || !facts.same_user) {
    return Leftover::kOtherUser;
  }
  const bool recorded = facts.owner.has_value() && facts.owner->boot_id == facts.boot_id &&
                        !facts.boot_id.empty() &&
                        facts.owner->postmaster.pid == facts.postmaster.pid &&
                        facts.owner->postmaster.start_ticks == facts.postmaster.start_ticks &&
                        facts.postmaster.start_ticks != 0;
  if (!recorded) {
    return Leftover::kUnowned;
  }
  return facts.owner_alive ? Leftover::kLiveOwner : Leftover::kOrphan;
}

}  // namespace jobengine::pgcluster::detail
