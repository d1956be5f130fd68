// process_cpu.cpp — see process_cpu.hpp.
#include "process_cpu.hpp"

#include <dirent.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace jobengine::bench {

namespace {

struct ProcStat {
  std::string comm;
  double cpu_seconds = 0;
};

// /proc/<pid>/stat: "pid (comm) state ..." with utime and stime the 14th and 15th fields.
bool readStat(pid_t pid, ProcStat& out) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) {
    return false;
  }
  const auto open = line.find('(');
  const auto close = line.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open) {
    return false;
  }
  out.comm = line.substr(open + 1, close - open - 1);
  std::istringstream rest(line.substr(close + 2));
  std::string field;
  unsigned long long utime = 0;
  unsigned long long stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) {
      utime = std::strtoull(field.c_str(), nullptr, 10);
    } else if (i == 15) {
      stime = std::strtoull(field.c_str(), nullptr, 10);
    }
  }
  static const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  out.cpu_seconds = static_cast<double>(utime + stime) / ticks;
  return true;
}

}  // namespace

CpuSnapshot cpuSnapshot(pid_t engine) {
  CpuSnapshot snap;
  ProcStat s;
  if (engine > 0 && readStat(engine, s)) {
    snap.engine_seconds = s.cpu_seconds;
  }
  DIR* proc = opendir("/proc");
  if (proc == nullptr) {
    return snap;
  }
  while (const dirent* e = readdir(proc)) {
    char* end = nullptr;
    const long pid = std::strtol(e->d_name, &end, 10);
    if (end == e->d_name || *end != '\0' || pid <= 0) {
      continue;
    }
    if (readStat(static_cast<pid_t>(pid), s) && s.comm == "postgres") {
      snap.postgres_seconds[static_cast<pid_t>(pid)] = s.cpu_seconds;
    }
  }
  closedir(proc);
  return snap;
}

CpuUsed cpuSince(const CpuSnapshot& before, const CpuSnapshot& after) {
  CpuUsed used;
  used.engine_seconds = after.engine_seconds - before.engine_seconds;
  for (const auto& [pid, seconds] : after.postgres_seconds) {
    const auto was = before.postgres_seconds.find(pid);
    used.postgres_seconds += seconds - (was == before.postgres_seconds.end() ? 0.0 : was->second);
  }
  return used;
}

}  // namespace jobengine::bench
