// Reads /proc/self/task to list the process's threads (Linux only, like the rest of the host).
#include "plugins/thread_census.hpp"

#include <dirent.h>

#include <algorithm>
#include <cstdlib>
#include <iterator>
#include <mutex>
#include <thread>

#if defined(__SANITIZE_THREAD__)  // GCC
#define JE_THREAD_SANITIZER 1
#elif defined(__has_feature)  // Clang
#if __has_feature(thread_sanitizer)
#define JE_THREAD_SANITIZER 1
#endif
#endif

namespace jobengine::host {
namespace {

// ThreadSanitizer starts one background thread of its own, at the first pthread_create() of the
// process. When that first thread is a plugin's (the contract and fixture tests load a plugin
// before anything else starts a thread), the census would see two new threads in create() and
// blame the sanitizer's, which never ends, on the plugin: "left 1 thread(s) running after
// stop()". Starting and joining one thread before the first census puts the sanitizer's thread
// into every "before" set. Other builds have no such thread and skip this.
void settleSanitizerThreads() {
#ifdef JE_THREAD_SANITIZER
  static std::once_flag once;
  std::call_once(once, [] { std::thread([] {}).join(); });
#endif
}

}  // namespace

ThreadIds currentThreadIds() {
  settleSanitizerThreads();
  ThreadIds ids;
  DIR* dir = ::opendir("/proc/self/task");
  if (dir == nullptr) {
    return ids;
  }
  while (const dirent* entry = ::readdir(dir)) {
    char* end = nullptr;
    const long tid = std::strtol(entry->d_name, &end, 10);
    if (end != entry->d_name && *end == '\0' && tid > 0) {
      ids.insert(static_cast<int>(tid));
    }
  }
  ::closedir(dir);
  return ids;
}

ThreadIds newThreads(const ThreadIds& before, const ThreadIds& after) {
  ThreadIds out;
  std::set_difference(after.begin(), after.end(), before.begin(), before.end(),
                      std::inserter(out, out.begin()));
  return out;
}

ThreadIds survivors(const ThreadIds& watched, std::chrono::milliseconds grace) {
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (true) {
    const ThreadIds now = currentThreadIds();
    ThreadIds alive;
    std::set_intersection(watched.begin(), watched.end(), now.begin(), now.end(),
                          std::inserter(alive, alive.begin()));
    if (alive.empty() || std::chrono::steady_clock::now() >= deadline) {
      return alive;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace jobengine::host
