// WorkerPool implementation (see worker_pool.hpp).
#include "http/worker_pool.hpp"

#include <pthread.h>

namespace jobengine::host {

WorkerPool::WorkerPool(size_t threads, size_t queue_capacity, std::string name_prefix)
    : capacity_(queue_capacity) {
  const size_t n = threads == 0 ? 1 : threads;
  threads_.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    threads_.emplace_back([this] { run(); });
    // Linux thread names are at most 15 characters.
    const std::string name = (name_prefix + "-" + std::to_string(i)).substr(0, 15);
    pthread_setname_np(threads_.back().native_handle(), name.c_str());
  }
}

WorkerPool::~WorkerPool() { stop(); }

bool WorkerPool::post(Task task) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || (capacity_ != 0 && queue_.size() >= capacity_)) {
      return false;
    }
    queue_.push_back(std::move(task));
  }
  cv_.notify_one();
  return true;
}

void WorkerPool::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& thread : threads_) {
    if (thread.joinable()) {
      thread.join();
    }
  }
}

void WorkerPool::run() {
  for (;;) {
    Task task;
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) {
        return;  // stopping and drained
      }
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    try {
      task();
    } catch (...) {  // NOLINT(bugprone-empty-catch): a task must never kill its worker
    }
  }
}

}  // namespace jobengine::host
