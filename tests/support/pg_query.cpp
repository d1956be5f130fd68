// pgQueryOne (see pg_query.hpp).
#include "pg_query.hpp"

#include <libpq-fe.h>

#include <stdexcept>

namespace jobengine::testing {

std::string pgQueryOne(int port, const std::string& dbname, const std::string& sql) {
  const std::string dsn = "host=127.0.0.1 port=" + std::to_string(port) +
                          " user=postgres connect_timeout=5 dbname=" + dbname;
  PGconn* conn = PQconnectdb(dsn.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    const std::string why = PQerrorMessage(conn);
    PQfinish(conn);
    throw std::runtime_error("cannot connect to 127.0.0.1:" + std::to_string(port) + "/" + dbname +
                             ": " + why);
  }
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);  // "does not exist, skipping"
  PGresult* res = PQexec(conn, sql.c_str());
  const ExecStatusType st = PQresultStatus(res);
  std::string out;
  if (st == PGRES_TUPLES_OK && PQntuples(res) > 0 && PQnfields(res) > 0 &&
      PQgetisnull(res, 0, 0) == 0) {
    out = PQgetvalue(res, 0, 0);
  }
  const std::string why = PQerrorMessage(conn);
  PQclear(res);
  PQfinish(conn);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    throw std::runtime_error(sql + ": " + why);
  }
  return out;
}

}  // namespace jobengine::testing
