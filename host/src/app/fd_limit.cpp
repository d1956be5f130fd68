// See fd_limit.hpp.
#include "app/fd_limit.hpp"

#include <sys/resource.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace jobengine::host {

namespace {

// The kernel's ceiling for RLIMIT_NOFILE; an unlimited hard limit cannot be used as the soft.
std::uint64_t kernelNrOpen() {
  std::ifstream in("/proc/sys/fs/nr_open");
  std::uint64_t value = 0;
  in >> value;
  return value > 0 ? value : 1048576;
}

}  // namespace

OpenFileLimit raiseOpenFileLimit() {
  OpenFileLimit out;
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    out.error = std::string("getrlimit(RLIMIT_NOFILE): ") + std::strerror(errno);
    return out;
  }
  out.before = limit.rlim_cur;
  out.hard = limit.rlim_max == RLIM_INFINITY ? kernelNrOpen() : limit.rlim_max;
  out.after = out.before;
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < out.hard) {
    limit.rlim_cur = out.hard;
    if (setrlimit(RLIMIT_NOFILE, &limit) == 0) {
      out.after = out.hard;
    } else {
      out.error = std::string("setrlimit(RLIMIT_NOFILE): ") + std::strerror(errno);
    }
  }
  return out;
}

}  // namespace jobengine::host
