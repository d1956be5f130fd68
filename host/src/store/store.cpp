// Store and Transaction (see store.hpp). BEGIN and the tenant binding go to the server in one
// round trip; statements run as cached prepared statements through a nontransaction, so the
// transaction boundaries are ours and libpqxx only ferries statements.
#include "store/store.hpp"

#include <pqxx/pqxx>

namespace jobengine::host {

namespace {

constexpr std::size_t kMaxPreparedPerConnection = 512;  // beyond: run unprepared

StoreError stateError(const std::string& what) { return StoreError(JE_ERR_STATE, "", what); }

// Runs every callback with args, in order; one that throws does not stop the others.
template <typename... Args>
void runEach(std::vector<std::function<void(Args...)>>& callbacks, Args... args) noexcept {
  for (auto& fn : callbacks) {
    try {
      fn(args...);
    } catch (...) {  // NOLINT(bugprone-empty-catch): one failing callback must not stop others
    }
  }
}

}  // namespace

std::string tenantProblem(std::string_view tenant) {
  if (tenant.empty()) {
    return "tenant must not be empty";
  }
  if (tenant.size() > kMaxTenantLength) {
    return "tenant is " + std::to_string(tenant.size()) + " bytes; at most " +
           std::to_string(kMaxTenantLength) + " are allowed";
  }
  if (tenant.find('\0') != std::string_view::npos) {
    return "tenant must not contain NUL bytes";
  }
  return "";
}

Transaction::Transaction(ConnectionPool::Lease lease, std::string tenant, TxnActor actor,
                         bool read_only, const std::function<void()>* commit_observer)
    : lease_(std::move(lease)),
      tenant_(std::move(tenant)),
      actor_(std::move(actor)),
      read_only_(read_only),
      commit_observer_(commit_observer) {}

Transaction::Transaction(Transaction&& other) noexcept
    : lease_(std::move(other.lease_)),
      tx_(std::move(other.tx_)),
      tenant_(std::move(other.tenant_)),
      actor_(std::move(other.actor_)),
      read_only_(other.read_only_),
      aborted_(other.aborted_),
      commit_observer_(other.commit_observer_),
      on_commit_(std::move(other.on_commit_)),
      on_end_(std::move(other.on_end_)) {}

Transaction::~Transaction() { rollback(); }

void Transaction::requireUsable() const {
  if (!lease_) {
    throw stateError("transaction already finished");
  }
  if (aborted_) {
    throw StoreError(JE_ERR_STATE, "25P02",
                     "transaction aborted by an earlier error; only rollback is allowed");
  }
}

const std::string& Transaction::statementFor(std::string_view sql) {
  PooledConnection& pc = *lease_;
  const std::string key(sql);
  const auto found = pc.statements.find(key);
  if (found != pc.statements.end()) {
    return found->second;
  }
  const std::string name = "je_s" + std::to_string(++pc.next_statement);
  pc.conn->prepare(name, key);
  try {
    pc.conn->prepare_now(name);  // a bad statement fails here, before it enters the cache
  } catch (...) {
    pc.conn->unprepare(name);  // never registered server-side: no DEALLOCATE is sent
    throw;
  }
  return pc.statements.emplace(key, name).first->second;
}

uint64_t Transaction::exec(std::string_view sql, const SqlParams& params, const RowFn& on_row) {
  const pqxx::result r = query(sql, params);
  if (on_row) {
    for (const auto& row : r) {
      if (!on_row(row)) {
        break;
      }
    }
  }
  const auto affected = r.affected_rows();
  return affected > 0 ? static_cast<uint64_t>(affected) : static_cast<uint64_t>(r.size());
}

pqxx::result Transaction::query(std::string_view sql, const SqlParams& params) {
  requireUsable();
  if (sql.empty()) {
    throw StoreError(JE_ERR_INVALID, "", "empty SQL statement");
  }
  try {
    const auto dynamic = pqxx::prepare::make_dynamic_params(params);
    if (lease_->statements.size() >= kMaxPreparedPerConnection &&
        lease_->statements.count(std::string(sql)) == 0) {
      return tx_->exec_params(std::string(sql), dynamic);
    }
    return tx_->exec_prepared(statementFor(sql), dynamic);
  } catch (const pqxx::broken_connection& e) {
    aborted_ = true;
    lease_.markBroken();
    throw classify(e);
  } catch (const pqxx::sql_error& e) {
    aborted_ = true;
    throw classify(e);
  } catch (const pqxx::transaction_rollback& e) {
    aborted_ = true;
    throw classify(e);
  } catch (const pqxx::failure& e) {
    aborted_ = true;
    lease_.markBroken();  // protocol-level trouble: do not trust this connection again
    throw StoreError(JE_ERR_DB, "XX000", "SQLSTATE XX000: " + primaryMessage(e.what()));
  }
}

void Transaction::commit() {
  requireUsable();
  try {
    // aborted_ is tracked by query(), so COMMIT never silently turns into ROLLBACK here.
    tx_->exec("COMMIT");
  } catch (const pqxx::broken_connection& e) {
    lease_.markBroken();
    finish();
    throw StoreError(JE_ERR_RETRY, "08006",
                     "SQLSTATE 08006: connection lost during COMMIT (outcome unknown): " +
                         primaryMessage(e.what()));
  } catch (const pqxx::transaction_rollback& e) {
    finish();  // serialization failure at COMMIT: the caller retries the whole transaction
    throw classify(e);
  } catch (const pqxx::sql_error& e) {
    finish();  // a failed COMMIT (deferred constraint, serialization) ends the transaction
    throw classify(e);
  }
  std::vector<std::function<void()>> callbacks = std::move(on_commit_);
  std::vector<std::function<void(bool)>> ends = std::move(on_end_);
  finish();  // the connection goes back before callbacks, so they may begin transactions
  if (!read_only_ && commit_observer_ != nullptr && *commit_observer_) {
    (*commit_observer_)();
  }
  runEach(callbacks);
  runEach(ends, true);
}

void Transaction::rollback() noexcept {
  if (!lease_) {
    return;
  }
  try {
    tx_->exec("ROLLBACK");
  } catch (...) {
    lease_.markBroken();  // state unknown: discard the connection rather than reuse it
  }
  finish();
}

// Every end but a successful commit (which takes on_end_ first) passes here: the end
// callbacks hear committed = false.
void Transaction::finish() noexcept {
  tx_.reset();
  on_commit_.clear();
  lease_.release();
  std::vector<std::function<void(bool)>> ends = std::move(on_end_);
  on_end_.clear();
  runEach(ends, false);
}

void Transaction::onCommit(std::function<void()> fn) {
  if (!lease_) {
    throw stateError("transaction already finished");
  }
  on_commit_.push_back(std::move(fn));
}

void Transaction::onEnd(std::function<void(bool committed)> fn) {
  if (!lease_) {
    throw stateError("transaction already finished");
  }
  on_end_.push_back(std::move(fn));
}

Store::Store(StoreOptions options) : pool_(std::move(options)) {}

Store::~Store() = default;

Transaction Store::begin(std::string_view tenant, bool read_only, std::string_view system_actor) {
  if (const std::string problem = tenantProblem(tenant); !problem.empty()) {
    throw StoreError(JE_ERR_INVALID, "", problem);
  }
  const TxnActor* request_actor = currentRequestActor();
  TxnActor actor = request_actor != nullptr ? *request_actor : systemActor(system_actor);
  // A connection that died while idle (server restart) surfaces here; nothing has happened
  // yet, so one retry on a fresh connection is safe.
  for (int attempt = 0;; ++attempt) {
    ConnectionPool::Lease lease = pool_.acquire();
    try {
      auto tx = std::make_unique<pqxx::nontransaction>(*lease->conn, "je");
      // The tenant binding and the actor (txn_actor.hpp) in the same round trip.
      const std::string bind =
          std::string(read_only ? "BEGIN READ ONLY" : "BEGIN") +
          "; SELECT set_config('jobengine.tenant', " + lease->conn->quote(std::string(tenant)) +
          ", true), set_config('jobengine.actor', " + lease->conn->quote(actor.subject) +
          ", true), set_config('jobengine.request', " + lease->conn->quote(actor.request_json) +
          ", true)";
      tx->exec(bind);
      Transaction txn(std::move(lease), std::string(tenant), actor, read_only, &commit_observer_);
      txn.tx_ = std::move(tx);
      return txn;
    } catch (const pqxx::broken_connection& e) {
      lease.markBroken();
      if (attempt >= 1) {
        throw classify(e);
      }
      pool_.discardIdle();  // its idle siblings most likely died with it: retry on a fresh one
    } catch (const pqxx::sql_error& e) {
      lease.markBroken();
      throw classify(e);
    }
  }
}

bool Store::ping() noexcept {
  try {
    ConnectionPool::Lease lease = pool_.acquire();
    try {
      pqxx::nontransaction tx(*lease->conn, "ping");
      tx.exec("SELECT 1");
      return true;
    } catch (...) {
      lease.markBroken();
      return false;
    }
  } catch (...) {
    return false;
  }
}

}  // namespace jobengine::host
