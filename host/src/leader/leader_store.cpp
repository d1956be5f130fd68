// See leader_store.hpp. The SQL of the leadership protocol (docs/leader.md and
// migrations/host/0007_leader.sql).
#include "leader/leader_store.hpp"

#include <pqxx/pqxx>

#include "events/events_service.hpp"

namespace jobengine::host {
namespace {

// Session settings, applied once after connecting (set_config(..., false) in a committed
// transaction lasts for the session). lock_timeout: an election waits at most this long for
// transactions fenced with the old epoch. The tcp_keepalives_* make the *server* notice a
// vanished leader host within ~11 s (the defaults take hours), so its lock is freed; they are
// ignored on Unix sockets.
constexpr const char* kSetup =
    "SELECT set_config('lock_timeout', $1, false), "
    "set_config('statement_timeout', $2, false), "
    "set_config('tcp_keepalives_idle', '5', false), "
    "set_config('tcp_keepalives_interval', '2', false), "
    "set_config('tcp_keepalives_count', '3', false), "
    "set_config('application_name', 'jobengine-leader', false), "
    "pg_backend_pid()";

// The lock attempt reads the row in the same round trip: not elected, the caller still
// learns the current epoch and holder (GET /leader shows them).
constexpr const char* kTryLock =
    "SELECT pg_try_advisory_lock($1::bigint), "
    "(SELECT epoch FROM jobengine.leader WHERE id), (SELECT holder FROM jobengine.leader WHERE "
    "id), "
    "pg_backend_pid()";

// Waits (up to lock_timeout) for every transaction that share-locked the row through
// jobengine.leader_epoch_is_current_v1 with the old epoch: their writes commit before the new
// epoch exists, and any check after this commit sees the new one.
constexpr const char* kAdvance =
    "UPDATE jobengine.leader SET epoch = epoch + 1, holder = $1, elected_at = clock_timestamp() "
    "WHERE id RETURNING epoch";

// pg_locks shows a bigint advisory key as classid = high 32 bits, objid = low 32 bits,
// objsubid = 1.
constexpr const char* kCheck =
    "SELECT (SELECT epoch FROM jobengine.leader WHERE id), "
    "(SELECT holder FROM jobengine.leader WHERE id), "
    "EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() "
    "AND granted AND objsubid = 1 AND classid = ($1::bigint >> 32)::oid "
    "AND objid = ($1::bigint & 4294967295)::oid), "
    "pg_backend_pid()";

std::optional<std::string> optionalText(const pqxx::field& f) {
  return f.is_null() ? std::nullopt : std::optional<std::string>(f.as<std::string>());
}

// The store replaces a connection that broke while idle (Store::begin retries once on a fresh
// one), which is right for the pool but not here: the fresh one holds no lock and lacks the
// session settings. Every statement reports its server pid, and a different one ends the
// session.
void requireSameSession(int expected, const pqxx::field& actual) {
  const int pid = actual.as<int>();
  if (pid != expected) {
    throw StoreError(JE_ERR_RETRY, "08006",
                     "SQLSTATE 08006: the leader session's connection was replaced (server pid " +
                         std::to_string(pid) + ", was " + std::to_string(expected) + ")");
  }
}

std::string millis(std::chrono::milliseconds ms) { return std::to_string(ms.count()) + "ms"; }

StoreOptions sessionStoreOptions(const LeaderSessionOptions& options) {
  StoreOptions store = options.store;
  store.pool_size = 1;
  store.dsn = withConnectionParam(store.dsn, "tcp_user_timeout",
                                  std::to_string(options.tcp_timeout.count()));
  return store;
}

}  // namespace

std::string withConnectionParam(const std::string& dsn, const std::string& key,
                                const std::string& value) {
  if (dsn.find(key + "=") != std::string::npos) {
    return dsn;
  }
  if (dsn.rfind("postgres://", 0) == 0 || dsn.rfind("postgresql://", 0) == 0) {
    return dsn + (dsn.find('?') == std::string::npos ? "?" : "&") + key + "=" + value;
  }
  return dsn + (dsn.empty() ? "" : " ") + key + "=" + value;
}

LeaderSession::LeaderSession(const LeaderSessionOptions& options)
    : store_(std::make_unique<Store>(sessionStoreOptions(options))) {
  if (options.commit_observer) {
    store_->setCommitObserver(options.commit_observer);
  }
  Transaction t = store_->begin(kSystemTenant);
  // The statement may run longer than the lock wait it bounds, never forever.
  t.exec(kSetup, {millis(options.lock_timeout), millis(options.lock_timeout * 2)},
         [this](const pqxx::row& row) {
           backend_pid_ = row[6].as<int>();
           return false;
         });
  t.commit();
}

LeaderSession::~LeaderSession() = default;

ElectionResult LeaderSession::tryElect(const std::string& replica_id) {
  ElectionResult result;
  Transaction t = store_->begin(kSystemTenant);
  const pqxx::result lock = t.query(kTryLock, {std::to_string(kLeaderLockKey)});
  requireSameSession(backend_pid_, lock[0][3]);
  result.epoch = lock[0][1].is_null() ? 0 : lock[0][1].as<int64_t>();
  result.holder = optionalText(lock[0][2]);
  if (!lock[0][0].as<bool>()) {
    t.rollback();
    return result;
  }
  // From here this session holds the lock: a throw leaves it held until the caller drops the
  // session (ROLLBACK does not release a session advisory lock).
  const pqxx::result advanced = t.query(kAdvance, {replica_id});
  if (advanced.empty()) {
    throw StoreError(JE_ERR_DB, "",
                     "jobengine.leader has no row (migrations/host/0007_leader.sql inserts "
                     "it; it must never be deleted): cannot advance the epoch");
  }
  const auto epoch = advanced[0][0].as<int64_t>();
  appendEvent(t, leaderElectedEvent(epoch, replica_id, result.holder));
  t.commit();
  result.elected = true;
  result.epoch = epoch;
  return result;
}

LeaderCheck LeaderSession::check() {
  LeaderCheck check;
  Transaction t = store_->begin(kSystemTenant, true);
  const pqxx::result r = t.query(kCheck, {std::to_string(kLeaderLockKey)});
  t.commit();
  requireSameSession(backend_pid_, r[0][3]);
  if (!r[0][0].is_null()) {
    check.stored_epoch = r[0][0].as<int64_t>();
  }
  check.stored_holder = optionalText(r[0][1]);
  check.lock_held = r[0][2].as<bool>();
  return check;
}

void LeaderSession::release() noexcept {
  try {
    Transaction t = store_->begin(kSystemTenant);
    t.exec("SELECT pg_advisory_unlock_all()");
    t.commit();
  } catch (...) {  // NOLINT(bugprone-empty-catch): closing the session releases it anyway
  }
}

}  // namespace jobengine::host
