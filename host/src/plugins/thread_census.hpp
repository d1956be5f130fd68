// Thread census from /proc/self/task: which threads exist now, and which of a set survive.
//
// The plugin manager uses it to prove DESIGN.md's rule "stop() joins every thread a plugin
// started": threads that appear while a plugin's create() or start() runs are attributed to
// that plugin and must be gone once its stop() and destroy() returned.
#pragma once

#include <chrono>
#include <set>

namespace jobengine::host {

using ThreadIds = std::set<int>;

// Kernel thread ids of this process. In a ThreadSanitizer build the sanitizer's own background
// thread is always among them, even on the first call (see thread_census.cpp).
ThreadIds currentThreadIds();

// Ids in `after` that are not in `before`.
ThreadIds newThreads(const ThreadIds& before, const ThreadIds& after);

// Those of `watched` still alive, polling up to grace: a thread that was just joined can stay
// listed for a moment while the kernel finishes reaping it.
ThreadIds survivors(const ThreadIds& watched, std::chrono::milliseconds grace);

}  // namespace jobengine::host
