// Maps libpqxx exceptions to StoreError (see store_error.hpp).
#include "store/store_error.hpp"

#include <pqxx/except>

namespace jobengine::host {

std::string primaryMessage(const std::string& what) {
  std::string line = what.substr(0, what.find('\n'));
  for (const char* prefix : {"ERROR:  ", "FATAL:  ", "PANIC:  "}) {
    if (line.rfind(prefix, 0) == 0) {
      line.erase(0, std::char_traits<char>::length(prefix));
      break;
    }
  }
  while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) {
    line.pop_back();
  }
  return line;
}

namespace {

// libpqxx 6.4 leaves sqlstate() empty for some subclasses; recover the code from the type.
std::string sqlstateOf(const pqxx::sql_error& e) {
  if (!e.sqlstate().empty()) {
    return e.sqlstate();
  }
  if (dynamic_cast<const pqxx::insufficient_privilege*>(&e) != nullptr) {
    return "42501";
  }
  if (dynamic_cast<const pqxx::unique_violation*>(&e) != nullptr) {
    return "23505";
  }
  if (dynamic_cast<const pqxx::foreign_key_violation*>(&e) != nullptr) {
    return "23503";
  }
  if (dynamic_cast<const pqxx::not_null_violation*>(&e) != nullptr) {
    return "23502";
  }
  if (dynamic_cast<const pqxx::check_violation*>(&e) != nullptr) {
    return "23514";
  }
  if (dynamic_cast<const pqxx::undefined_table*>(&e) != nullptr) {
    return "42P01";
  }
  if (dynamic_cast<const pqxx::undefined_column*>(&e) != nullptr) {
    return "42703";
  }
  if (dynamic_cast<const pqxx::syntax_error*>(&e) != nullptr) {
    return "42601";
  }
  return "XX000";
}

}  // namespace

StoreError classify(const pqxx::transaction_rollback& e) {
  std::string state = "40000";
  if (dynamic_cast<const pqxx::serialization_failure*>(&e) != nullptr) {
    state = "40001";
  } else if (dynamic_cast<const pqxx::deadlock_detected*>(&e) != nullptr) {
    state = "40P01";
  } else if (dynamic_cast<const pqxx::statement_completion_unknown*>(&e) != nullptr) {
    state = "40003";
  }
  return StoreError(JE_ERR_RETRY, state, "SQLSTATE " + state + ": " + primaryMessage(e.what()));
}

StoreError classify(const pqxx::sql_error& e) {
  const std::string state = sqlstateOf(e);
  je_status status = JE_ERR_DB;
  if (state == "23505") {
    status = JE_ERR_CONFLICT;
  } else if (state == "40001" || state == "40P01" || state.rfind("08", 0) == 0) {
    status = JE_ERR_RETRY;
  }
  return StoreError(status, state, "SQLSTATE " + state + ": " + primaryMessage(e.what()));
}

StoreError classify(const pqxx::broken_connection& e) {
  return StoreError(JE_ERR_RETRY, "08006",
                    "SQLSTATE 08006: connection to the database lost: " + primaryMessage(e.what()));
}

}  // namespace jobengine::host
