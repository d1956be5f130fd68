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

StoreError classify(const pqxx::sql_error& e) {
  const std::string state = e.sqlstate().empty() ? "XX000" : e.sqlstate();
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
