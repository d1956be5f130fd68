// Child processes of a test: fork + exec with stdout and stderr in files, and a bounded wait.
// The engine (engine_process.hpp) and Prometheus (prometheus_server.hpp) are started with it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace jobengine::testing {

// Starts argv[0] (a path) with argv, stdout appended to out_path and stderr to err_path (may
// be the same file), stdin /dev/null, a clean signal mask, and SIGTERM when the test process
// dies (so a crashed test leaves nothing running). Returns the child's pid.
pid_t spawnChild(const std::vector<std::string>& argv, const std::string& out_path,
                 const std::string& err_path);

// Waits up to timeout for pid to exit; its exit status (128 + n when killed by signal n), or
// -1 when it is still running (or is not our child).
int waitForChild(pid_t pid, std::chrono::milliseconds timeout);

}  // namespace jobengine::testing
