// See outbox_writer.hpp.
#include "outbox_writer.hpp"

#include <libpq-fe.h>

#include <cstdio>
#include <random>
#include <stdexcept>
#include <vector>

namespace jobengine::testing {

OutboxWriter::OutboxWriter(const std::string& dsn) : conn_(PQconnectdb(dsn.c_str())) {
  if (PQstatus(conn_) != CONNECTION_OK) {
    const std::string message = PQerrorMessage(conn_);
    PQfinish(conn_);
    conn_ = nullptr;
    throw std::runtime_error("OutboxWriter: " + message);
  }
}

OutboxWriter::~OutboxWriter() {
  if (conn_ != nullptr) {
    PQfinish(conn_);
  }
}

void OutboxWriter::exec(const std::string& sql) {
  PGresult* r = PQexec(conn_, sql.c_str());
  const auto status = PQresultStatus(r);
  const std::string message = PQresultErrorMessage(r);
  PQclear(r);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    throw std::runtime_error("OutboxWriter: " + sql + ": " + message);
  }
}

void OutboxWriter::begin() { exec("BEGIN"); }
void OutboxWriter::commit() { exec("COMMIT"); }
void OutboxWriter::rollback() { exec("ROLLBACK"); }

uint64_t OutboxWriter::add(const OutboxRow& row) {
  const char* sql =
      "INSERT INTO jobengine.events (tenant_id, seq, event_type, run_id, job_id, source_id, body)"
      " VALUES ($1, jobengine.reserve_event_seqs(1), $2, nullif($3, '')::uuid,"
      " nullif($4, '')::uuid, nullif($5, ''), $6::jsonb) RETURNING seq";
  const std::vector<const char*> params{row.tenant.c_str(),    row.type.c_str(),
                                        row.run_id.c_str(),    row.job_id.c_str(),
                                        row.source_id.c_str(), row.body_json.c_str()};
  PGresult* r = PQexecParams(conn_, sql, static_cast<int>(params.size()), nullptr, params.data(),
                             nullptr, nullptr, 0);
  if (PQresultStatus(r) != PGRES_TUPLES_OK) {
    const std::string message = PQresultErrorMessage(r);
    PQclear(r);
    throw std::runtime_error("OutboxWriter insert: " + message);
  }
  const uint64_t seq = std::stoull(PQgetvalue(r, 0, 0));
  PQclear(r);
  exec("SELECT pg_notify('jobengine_events', '')");
  return seq;
}

uint64_t OutboxWriter::append(const OutboxRow& row) {
  begin();
  const uint64_t seq = add(row);
  commit();
  return seq;
}

std::string randomUuid() {
  thread_local std::mt19937_64 gen{std::random_device{}()};
  const uint64_t a = gen();
  const uint64_t b = gen();
  char out[37];
  std::snprintf(out, sizeof out, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32U),
                static_cast<unsigned>((a >> 16U) & 0xFFFFU), static_cast<unsigned>(a & 0xFFFU),
                static_cast<unsigned>(0x8000U | ((b >> 48U) & 0x3FFFU)),
                static_cast<unsigned long long>(b & 0xFFFFFFFFFFFFULL));
  return out;
}

}  // namespace jobengine::testing
