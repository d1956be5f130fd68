// OutboxWriter: writes rows into jobengine.events the way the engine's je.events.append does
// (seq from jobengine.reserve_event_seqs, pg_notify('jobengine_events') in the transaction),
// on its own libpq connection as the superuser. Tests use it to produce events with explicit
// control over transactions: hold one open, commit later, roll back.
#pragma once

#include <cstdint>
#include <string>

struct pg_conn;

namespace jobengine::testing {

struct OutboxRow {
  std::string tenant;
  std::string type = "job.created";
  std::string run_id;     // uuid text or empty
  std::string job_id;     // uuid text or empty
  std::string source_id;  // empty: NULL
  std::string body_json = "{}";
};

class OutboxWriter {
 public:
  explicit OutboxWriter(const std::string& dsn);  // throws std::runtime_error
  ~OutboxWriter();
  OutboxWriter(const OutboxWriter&) = delete;
  OutboxWriter& operator=(const OutboxWriter&) = delete;

  // One event in its own transaction (committed); returns its seq.
  uint64_t append(const OutboxRow& row);
  // Explicit transactions: begin(), add() any number of times, then commit() or rollback().
  void begin();
  uint64_t add(const OutboxRow& row);
  void commit();
  void rollback();
  // Runs a statement (throws with the server's message).
  void exec(const std::string& sql);

 private:
  pg_conn* conn_ = nullptr;
};

// A random RFC 4122 UUID string (for run/job ids).
std::string randomUuid();

}  // namespace jobengine::testing
