// StoreError: what the store throws, already classified the way je.store reports errors.
//
// status is a je_status (abi.h): JE_ERR_CONFLICT for unique violations, JE_ERR_RETRY for
// serialization failures, deadlocks and lost connections, JE_ERR_DB for every other database
// error, JE_ERR_STATE / JE_ERR_INVALID for misuse. Database messages read
// "SQLSTATE xxxxx: <primary message>" on one line.
#pragma once

#include <jobengine/abi.h>

#include <stdexcept>
#include <string>

#include <pqxx/except>

namespace jobengine::host {

class StoreError : public std::runtime_error {
 public:
  StoreError(je_status status, std::string sqlstate, const std::string& message)
      : std::runtime_error(message), status_(status), sqlstate_(std::move(sqlstate)) {}
  je_status status() const { return status_; }
  const std::string& sqlstate() const { return sqlstate_; }

 private:
  je_status status_;
  std::string sqlstate_;
};

// The first line of a PostgreSQL error text without its "ERROR:  " prefix.
std::string primaryMessage(const std::string& what);
// Classifies a pqxx::sql_error (SQLSTATE mapping above).
StoreError classify(const pqxx::sql_error& e);
// Serialization failure / deadlock (libpqxx 6.4 does not derive these from sql_error): RETRY.
StoreError classify(const pqxx::transaction_rollback& e);
// A lost connection: JE_ERR_RETRY, SQLSTATE 08006.
StoreError classify(const pqxx::broken_connection& e);

}  // namespace jobengine::host
