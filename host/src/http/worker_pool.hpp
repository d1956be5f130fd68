// A fixed pool of named worker threads ("je-http-N") over a bounded FIFO queue.
//
// Pistache handlers run on its reactor threads; anything that may block (database, plugin code)
// is posted here so a slow handler never stalls the connections of a reactor (DEPS.md §1).
// Locking: mutex_ guards queue_ and stopping_; tasks run without the lock held.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace jobengine::host {

class WorkerPool {
 public:
  using Task = std::function<void()>;

  // Starts `threads` (>= 1) threads named "<name_prefix>-N"; at most queue_capacity tasks may
  // wait (0: unbounded).
  WorkerPool(size_t threads, size_t queue_capacity, std::string name_prefix = "je-http");
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues a task. false when the queue is full or the pool is stopping (the task is not run
  // and the caller must answer for it). A task that throws is contained (logged nowhere: the
  // HTTP layer wraps its tasks in its own catch-all).
  bool post(Task task);
  // Runs every task already queued, then joins all threads. Idempotent.
  void stop();
  size_t threadCount() const { return threads_.size(); }

 private:
  void run();

  const size_t capacity_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Task> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace jobengine::host
