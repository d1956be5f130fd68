// The engine's open-file limit: raised at start-up from the soft limit to the hard one.
//
// Every HTTP and stream connection, pool connection, plugin socket and log file is a
// descriptor, and a soft limit of 1024 (the default for services and containers on Debian 12,
// with hard limits of 524288 or more) runs out at a few hundred idle clients. The soft limit is
// meant to be raised by programs that need more, so serve raises it once at start-up (it is
// per process: every thread and every child started later has it) and logs what it did. Nothing
// here uses select(), which cannot handle descriptors past FD_SETSIZE.
#pragma once

#include <cstdint>
#include <string>

namespace jobengine::host {

struct OpenFileLimit {
  std::uint64_t before = 0;  // soft limit found
  std::uint64_t after = 0;   // soft limit now
  std::uint64_t hard = 0;    // hard limit (capped at /proc/sys/fs/nr_open when unlimited)
  std::string error;         // why raising failed ("" when it did not or need not)
};

// Sets the soft RLIMIT_NOFILE to the hard limit when it is lower.
OpenFileLimit raiseOpenFileLimit();

}  // namespace jobengine::host
