// ConnectionPool: a fixed-size pool of libpqxx connections for the store.
//
// A connection belongs to one thread at a time (libpqxx is not thread-safe per connection), so
// acquire() hands out an exclusive Lease and blocks on a condition variable while all are busy.
// Connections open lazily up to pool_size. A connection that saw pqxx::broken_connection is
// marked broken by its user and destroyed on release; the next acquire() opens a fresh one (and
// with it a fresh prepared-statement cache). Every connection runs as the application role:
// either the DSN's user (embedded mode connects as jobengine_app) or, when set_role is given,
// through `SET ROLE` right after connecting (external mode). Locking: mutex_ guards idle_,
// open_ and observer_; a leased PooledConnection is touched only by its holder. A PoolObserver
// (the engine's pool metrics, pool_metrics.hpp) hears every change of the counts, under
// mutex_ so the last value it hears is the current one, and every wait, outside it.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <pqxx/connection>

namespace jobengine::host {

struct StoreOptions {
  std::string dsn;       // libpq keyword/value or URI; application_name=jobengine is added
  std::string set_role;  // non-empty: SET ROLE to it after connecting (external mode)
  std::size_t pool_size = 8;
};

// One pooled connection plus its prepared-statement cache (SQL text -> statement name).
struct PooledConnection {
  std::unique_ptr<pqxx::connection> conn;
  std::unordered_map<std::string, std::string> statements;
  uint64_t next_statement = 0;
  bool broken = false;  // set by the holder; the pool discards it on release
  ~PooledConnection();
};

// What the pool reports (docs/metrics.md: jobengine_db_pool_*). Both may be empty; neither may
// throw or call back into the pool.
struct PoolObserver {
  // Connections leased and idle after every acquire and release (called under the pool lock).
  std::function<void(std::size_t in_use, std::size_t idle)> on_counts;
  // Seconds one acquire() waited before it had a connection or a free slot (0: none waited).
  std::function<void(double wait_seconds)> on_wait;
};

class ConnectionPool {
 public:
  class Lease {
   public:
    Lease() = default;
    Lease(ConnectionPool* pool, std::unique_ptr<PooledConnection> conn)
        : pool_(pool), conn_(std::move(conn)) {}
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&& other) noexcept;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() { release(); }

    PooledConnection& operator*() const { return *conn_; }
    PooledConnection* operator->() const { return conn_.get(); }
    explicit operator bool() const { return conn_ != nullptr; }
    void markBroken() const { conn_->broken = true; }
    // Returns the connection to the pool now (idempotent).
    void release() noexcept;

   private:
    ConnectionPool* pool_ = nullptr;
    std::unique_ptr<PooledConnection> conn_;
  };

  // Opens one connection right away so a bad DSN or role fails at start-up (StoreError).
  explicit ConnectionPool(StoreOptions options);
  ~ConnectionPool();
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // Blocks until a connection is free; opens a new one when below pool_size. Throws StoreError
  // (JE_ERR_RETRY) when a new connection cannot be opened.
  Lease acquire();
  // Closes every idle connection (after a server restart they are all dead). Leased ones are
  // left to their holders.
  void discardIdle() noexcept;
  std::size_t capacity() const { return options_.pool_size; }
  // Replaces the observer (reports the current counts to it at once).
  void setObserver(PoolObserver observer);
  const StoreOptions& options() const { return options_; }

 private:
  std::unique_ptr<PooledConnection> connect() const;
  void giveBack(std::unique_ptr<PooledConnection> conn) noexcept;
  // Tells observer_ the counts; mutex_ must be held.
  void reportCountsLocked() const noexcept;

  StoreOptions options_;
  std::string dsn_;  // options_.dsn with application_name
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<PooledConnection>> idle_;
  std::size_t open_ = 0;  // idle + leased
  PoolObserver observer_;
};

}  // namespace jobengine::host
