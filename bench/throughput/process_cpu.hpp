// process_cpu.hpp — CPU time the engine and its database spend, read from /proc: a steadier
// measure of what a change costs than a drain's rate on a shared 2-core machine, where the
// rate of one drain varies by ±15 % from round to round.
//
// A snapshot holds utime + stime of the engine process (all its threads) and of every live
// `postgres` process (the benchmark runs one cluster at a time, so these are the engine's
// cluster: its pooled backends live through a drain). cpuSince() is the CPU each side used
// between two snapshots; a backend that started in between counts from zero, one that ended
// in between is lost (rare during a drain: the pool keeps its connections).
#pragma once

#include <sys/types.h>

#include <map>

namespace jobengine::bench {

struct CpuSnapshot {
  double engine_seconds = 0;
  std::map<pid_t, double> postgres_seconds;  // per process
};

struct CpuUsed {
  double engine_seconds = 0;
  double postgres_seconds = 0;
};

CpuSnapshot cpuSnapshot(pid_t engine);
CpuUsed cpuSince(const CpuSnapshot& before, const CpuSnapshot& after);

}  // namespace jobengine::bench
