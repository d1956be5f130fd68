// LeaderSession: the leader elector's dedicated database session and all of its SQL
// (STYLE 14). One connection of its own, not from the request pool: the leadership lock is a
// PostgreSQL *session* advisory lock, so it lives exactly as long as this connection, and a
// pooled connection could be handed to someone else or replaced without anyone noticing.
//
// The connection is a Store with a pool of one (the app role, SET ROLE in external mode,
// jit off), so the election transaction can append its `leader.elected` event through the
// host's own appendEvent. A session that saw any error must be dropped (destroyed) by its
// user: a session advisory lock survives ROLLBACK, so closing the connection is the one sure
// way to give it up. Not thread-safe: the elector's thread owns it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "leader/leader_rules.hpp"
#include "store/store.hpp"

namespace jobengine::host {

// The key of pg_try_advisory_lock(bigint) that makes a replica leader: "JobLead" in ASCII.
// The migrator's lock (0x4A6F62456E67, "JobEng") is a different key.
inline constexpr int64_t kLeaderLockKey = 0x4A6F624C656164;

struct LeaderSessionOptions {
  StoreOptions store;  // the app role's DSN and SET ROLE; pool_size is ignored (one)
  std::chrono::milliseconds lock_timeout{5000};
  std::chrono::milliseconds tcp_timeout{5000};
  std::function<void()> commit_observer;  // after the election commits (the EventNotifier)
};

// One election attempt.
struct ElectionResult {
  bool elected = false;
  int64_t epoch = 0;                  // elected: the new epoch; else the stored one
  std::optional<std::string> holder;  // elected: the previous holder; else the current one
};

class LeaderSession {
 public:
  // Connects and sets the session up; throws StoreError when it cannot.
  explicit LeaderSession(const LeaderSessionOptions& options);
  ~LeaderSession();  // closes the connection (the server drops the lock with the session)
  LeaderSession(const LeaderSession&) = delete;
  LeaderSession& operator=(const LeaderSession&) = delete;

  // pg_try_advisory_lock; when it is granted, in the same transaction: epoch + 1, holder,
  // elected_at, and the leader.elected event. Throws StoreError; after a throw the lock may
  // be held, so the caller destroys the session.
  ElectionResult tryElect(const std::string& replica_id);
  // A leader's periodic check: does this session still hold the lock, what is stored.
  // Throws StoreError (the connection is gone, most likely).
  LeaderCheck check();
  // Gives the lock up now (best effort; closing the session does it anyway).
  void release() noexcept;
  // The server process of this session (pg_backend_pid()), for logs and tests.
  int backendPid() const { return backend_pid_; }

 private:
  std::unique_ptr<Store> store_;
  int backend_pid_ = 0;
};

// dsn with `key=value` added unless the DSN names key already (keyword or URI form).
std::string withConnectionParam(const std::string& dsn, const std::string& key,
                                const std::string& value);

}  // namespace jobengine::host
