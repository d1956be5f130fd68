// ConnectionPool (see connection_pool.hpp).
#include "store/connection_pool.hpp"

#include <pqxx/pqxx>

#include <chrono>

#include "store/store_error.hpp"

namespace jobengine::host {

namespace {

std::string withApplicationName(const std::string& dsn) {
  if (dsn.find("application_name") != std::string::npos) {
    return dsn;
  }
  if (dsn.rfind("postgres://", 0) == 0 || dsn.rfind("postgresql://", 0) == 0) {
    return dsn + (dsn.find('?') == std::string::npos ? "?" : "&") + "application_name=jobengine";
  }
  return dsn + (dsn.empty() ? "" : " ") + "application_name=jobengine";
}

}  // namespace

PooledConnection::~PooledConnection() = default;

ConnectionPool::Lease& ConnectionPool::Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    release();
    pool_ = other.pool_;
    conn_ = std::move(other.conn_);
  }
  return *this;
}

void ConnectionPool::Lease::release() noexcept {
  if (conn_ != nullptr && pool_ != nullptr) {
    pool_->giveBack(std::move(conn_));
  }
  conn_.reset();
}

ConnectionPool::ConnectionPool(StoreOptions options)
    : options_(std::move(options)), dsn_(withApplicationName(options_.dsn)) {
  if (options_.pool_size == 0) {
    options_.pool_size = 1;
  }
  auto first = connect();
  const std::lock_guard<std::mutex> lock(mutex_);
  idle_.push_back(std::move(first));
  open_ = 1;
}

ConnectionPool::~ConnectionPool() = default;

std::unique_ptr<PooledConnection> ConnectionPool::connect() const {
  auto pooled = std::make_unique<PooledConnection>();
  try {
    pooled->conn = std::make_unique<pqxx::connection>(dsn_);
    // A silent libpqxx reconnect would lose SET ROLE and the statement cache: never allow it.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"  // still honoured by 6.4
    pooled->conn->inhibit_reactivation(true);
#pragma GCC diagnostic pop
    pqxx::nontransaction setup(*pooled->conn);
    // JIT compiles a plan whose estimated cost passes jit_above_cost: hundreds of milliseconds
    // per statement, never repaid by the short statements an engine runs, and set off by
    // nothing more than an enable_* = off planner setting inflating an estimate (measured: a
    // 4 ms claim took 420 ms). Off for every engine connection, embedded or external database.
    setup.exec("SET jit = off");
    if (!options_.set_role.empty()) {
      setup.exec("SET ROLE " + pooled->conn->quote_name(options_.set_role));
    }
  } catch (const pqxx::sql_error& e) {
    const StoreError err = classify(e);
    throw StoreError(JE_ERR_DB, err.sqlstate(),
                     "cannot set up a database connection: " + std::string(err.what()));
  } catch (const pqxx::broken_connection& e) {
    throw StoreError(JE_ERR_RETRY, "08006",
                     "SQLSTATE 08006: cannot connect to the database: " + primaryMessage(e.what()));
  }
  return pooled;
}

void ConnectionPool::setObserver(PoolObserver observer) {
  const std::lock_guard<std::mutex> lock(mutex_);
  observer_ = std::move(observer);
  reportCountsLocked();
}

void ConnectionPool::reportCountsLocked() const noexcept {
  if (!observer_.on_counts) {
    return;
  }
  try {
    observer_.on_counts(open_ - idle_.size(), idle_.size());
  } catch (...) {  // NOLINT(bugprone-empty-catch): metrics must never fail a transaction
  }
}

ConnectionPool::Lease ConnectionPool::acquire() {
  const auto asked = std::chrono::steady_clock::now();
  std::unique_lock<std::mutex> lock(mutex_);
  available_.wait(lock, [&] { return !idle_.empty() || open_ < options_.pool_size; });
  if (observer_.on_wait) {
    try {
      observer_.on_wait(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - asked).count());
    } catch (...) {  // NOLINT(bugprone-empty-catch): metrics must never fail a transaction
    }
  }
  if (!idle_.empty()) {
    auto conn = std::move(idle_.back());
    idle_.pop_back();
    if (conn->conn->is_open()) {
      reportCountsLocked();
      return Lease(this, std::move(conn));
    }
    --open_;  // closed underneath us: replace it below
  }
  ++open_;
  reportCountsLocked();
  lock.unlock();
  try {
    return Lease(this, connect());
  } catch (...) {
    lock.lock();
    --open_;
    reportCountsLocked();
    available_.notify_one();
    throw;
  }
}

void ConnectionPool::discardIdle() noexcept {
  std::vector<std::unique_ptr<PooledConnection>> dead;
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    dead.swap(idle_);
    open_ -= dead.size();
    reportCountsLocked();
  }
  dead.clear();  // closes the sockets outside the lock
  available_.notify_all();
}

void ConnectionPool::giveBack(std::unique_ptr<PooledConnection> conn) noexcept {
  const bool keep = !conn->broken;
  if (!keep) {
    conn.reset();  // closes the socket outside the lock
  }
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    if (keep) {
      idle_.push_back(std::move(conn));
    } else {
      --open_;
    }
    reportCountsLocked();
  }
  available_.notify_one();
}

}  // namespace jobengine::host
