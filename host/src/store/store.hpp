// Store: tenant-bound transactions on the host's PostgreSQL pool (DESIGN.md §5, je.store).
//
// Every transaction is bound to a tenant, or explicitly to "system", by
// `set_config('jobengine.tenant', <tenant>, true)` at BEGIN; the row-level-security policies of
// tenant tables read that setting (docs/storage.md), and the pool connects as a role without
// BYPASSRLS, so a statement without a tenant filter still sees only its tenant's rows.
// Statements are parameterized and prepared once per connection, keyed by SQL text, because the
// scheduler's hot path issues the same few statements thousands of times per second.
// Thread safety: Store is thread-safe; a Transaction belongs to one thread at a time.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/connection_pool.hpp"
#include "store/store_error.hpp"
#include "store/txn_actor.hpp"

#include <pqxx/nontransaction>
#include <pqxx/result>

namespace jobengine::host {

// Text-format parameters; std::nullopt sends SQL NULL.
using SqlParams = std::vector<std::optional<std::string>>;
// Called once per result row; return false to stop early.
using RowFn = std::function<bool(const pqxx::row&)>;

inline constexpr std::size_t kMaxTenantLength = 128;
inline constexpr std::string_view kSystemTenant = "system";

class Transaction {
 public:
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();  // rolls back when still open

  // Runs one parameterized statement ($1, $2, ...). Rows go to on_row (may be empty). Returns
  // the affected or returned row count. Throws StoreError; after a database error the
  // transaction is aborted and only rollback() is allowed.
  uint64_t exec(std::string_view sql, const SqlParams& params = {}, const RowFn& on_row = {});
  // Runs a statement and returns its whole result.
  pqxx::result query(std::string_view sql, const SqlParams& params = {});
  // Commits, returns the connection to the pool, then runs the on-commit callbacks in
  // registration order on this thread (exceptions from callbacks are swallowed). Throws
  // StoreError when the commit fails; the transaction is finished either way.
  void commit();
  // Rolls back and returns the connection; safe on an aborted or finished transaction.
  void rollback() noexcept;
  // Registers fn to run once after a successful commit (never on rollback).
  void onCommit(std::function<void()> fn);
  // Registers fn to run once when the transaction ends, however: fn(true) after a successful
  // commit (after the on-commit callbacks), fn(false) on rollback, a failed COMMIT or one whose
  // outcome is unknown (ABI 1.9 on_end: what lets a plugin free what it registered).
  void onEnd(std::function<void(bool committed)> fn);

  const std::string& tenant() const { return tenant_; }
  // Who the transaction acts for (txn_actor.hpp): what its events carry.
  const TxnActor& actor() const { return actor_; }
  bool readOnly() const { return read_only_; }
  bool active() const { return static_cast<bool>(lease_); }
  bool aborted() const { return aborted_; }

 private:
  friend class Store;
  Transaction(ConnectionPool::Lease lease, std::string tenant, TxnActor actor, bool read_only,
              const std::function<void()>* commit_observer);
  void requireUsable() const;
  const std::string& statementFor(std::string_view sql);
  void finish() noexcept;

  ConnectionPool::Lease lease_;
  std::unique_ptr<pqxx::nontransaction> tx_;
  std::string tenant_;
  TxnActor actor_;
  bool read_only_ = false;
  bool aborted_ = false;
  const std::function<void()>* commit_observer_ = nullptr;  // the Store's; may be empty
  std::vector<std::function<void()>> on_commit_;
  std::vector<std::function<void(bool)>> on_end_;
};

class Store {
 public:
  // Opens the pool (one connection right away: a bad DSN fails here with StoreError).
  explicit Store(StoreOptions options);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Begins a transaction bound to tenant ("system" for cross-tenant maintenance). Blocks while
  // every pooled connection is busy. The tenant must be 1..128 bytes without NUL
  // (StoreError JE_ERR_INVALID otherwise). The transaction acts for the request the calling
  // thread serves (currentRequestActor()), else for "system:<system_actor>" (txn_actor.hpp):
  // the plugin that began it, or the host itself.
  Transaction begin(std::string_view tenant, bool read_only = false,
                    std::string_view system_actor = "host");
  // true when a pooled connection answers SELECT 1.
  bool ping() noexcept;
  ConnectionPool& pool() { return pool_; }
  // Called after every successful commit of a read-write transaction, before its on-commit
  // callbacks (the engine signals the EventNotifier: the transaction may have appended
  // events). Set once at start-up, before the first begin(); must not throw.
  void setCommitObserver(std::function<void()> observer) { commit_observer_ = std::move(observer); }

 private:
  ConnectionPool pool_;
  std::function<void()> commit_observer_;
};

// Checks a tenant string; returns an error message, or "" when valid.
std::string tenantProblem(std::string_view tenant);

}  // namespace jobengine::host
