// See outbox_reader.hpp.
#include "stream/outbox_reader.hpp"

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "events/event_envelope.hpp"
#include "store/store.hpp"

namespace jobengine::host {
namespace {

// The shared columns (events/event_envelope.hpp) plus the epoch for the lag metric.
std::string columns() {
  return std::string(kEventColumns) + ", extract(epoch FROM occurred_at)::float8";
}

// Every read here is "the next rows after seq X in seq order, LIMIT n": an ordered index scan
// that stops after n rows is always the right plan. On a young, fast-growing outbox the
// statistics lag far behind (the rows above X are newer than the last ANALYZE) and the planner
// took a bitmap scan of every row above X plus a sort instead: measured 80-220 ms per feeder
// read at 14k rows behind, busy-looping one core during a drain. These transaction-local
// settings leave the ordered scan as the only plan without a disabled node.
constexpr const char* kOrderedScanOnly =
    "set_config('enable_sort', 'off', true), set_config('enable_bitmapscan', 'off', true)";

std::string textOr(const pqxx::field& f) { return f.is_null() ? std::string{} : f.c_str(); }

OutboxEvent eventFromRow(const pqxx::row& row, bool with_json = true) {
  OutboxEvent out;
  StreamEvent& e = out.event;
  e.seq = row[1].as<uint64_t>();
  e.tenant = textOr(row[0]);
  e.type = textOr(row[2]);
  e.run_id = textOr(row[5]);
  e.job_id = textOr(row[6]);
  e.source_id = textOr(row[7]);
  if (with_json) {
    e.json = envelopeFromRow(eventRowFrom(row))
                 .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  out.occurred_at_epoch = row[9].is_null() ? 0.0 : row[9].as<double>();
  return out;
}

}  // namespace

std::vector<OutboxEvent> readAllTenants(pqxx::connection& conn, uint64_t after_seq,
                                        std::size_t limit, const TenantFilter& wanted) {
  pqxx::work tx(conn);
  tx.exec(std::string("SELECT set_config('jobengine.tenant', 'system', true), ") +
          kOrderedScanOnly);
  const pqxx::result rows =
      tx.exec_params("SELECT " + columns() +
                         " FROM jobengine.events WHERE seq > $1 AND seq < jobengine.event_horizon()"
                         " ORDER BY seq LIMIT $2",
                     static_cast<int64_t>(after_seq), static_cast<int64_t>(limit));
  tx.commit();
  std::vector<OutboxEvent> out;
  out.reserve(rows.size());
  for (const auto& row : rows) {
    out.push_back(eventFromRow(row, !wanted || wanted(textOr(row[0]))));
  }
  return out;
}

std::vector<OutboxEvent> readPositions(pqxx::connection& conn, uint64_t after_seq,
                                       std::size_t limit) {
  pqxx::work tx(conn);
  tx.exec(std::string("SELECT set_config('jobengine.tenant', 'system', true), ") +
          kOrderedScanOnly);
  const pqxx::result rows = tx.exec_params(
      "SELECT seq, extract(epoch FROM occurred_at)::float8 FROM jobengine.events "
      "WHERE seq > $1 AND seq < jobengine.event_horizon() ORDER BY seq LIMIT $2",
      static_cast<int64_t>(after_seq), static_cast<int64_t>(limit));
  tx.commit();
  std::vector<OutboxEvent> out(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    out[i].event.seq = rows[i][0].as<uint64_t>();
    out[i].occurred_at_epoch = rows[i][1].is_null() ? 0.0 : rows[i][1].as<double>();
  }
  return out;
}

namespace {

// One value read in a short read-only transaction bound to "system" (every tenant's rows).
template <typename T>
T systemScalar(pqxx::connection& conn, const char* sql) {
  pqxx::read_transaction tx(conn);
  tx.exec("SELECT set_config('jobengine.tenant', 'system', true)");
  const pqxx::row row = tx.exec1(sql);
  tx.commit();
  return row[0].as<T>();
}

}  // namespace

uint64_t visibleMaxSeq(pqxx::connection& conn) {
  return systemScalar<uint64_t>(
      conn,
      "SELECT coalesce(max(seq), 0) FROM jobengine.events WHERE seq < jobengine.event_horizon()");
}

bool eventsHeldBack(pqxx::connection& conn) {
  return systemScalar<bool>(
      conn,
      "SELECT EXISTS (SELECT 1 FROM jobengine.events WHERE seq >= jobengine.event_horizon())");
}

std::size_t readAfterInTransaction(Transaction& txn, uint64_t after_seq, std::size_t limit,
                                   const EventVisitor& visit) {
  // Transaction-local settings outlive the read: remember them (the subquery is evaluated
  // before the set_config calls), force the ordered scan, read, then put them back.
  const pqxx::result saved =
      txn.query(std::string("SELECT s.sort, s.bitmap, ") + kOrderedScanOnly +
                " FROM (SELECT current_setting('enable_sort') AS sort, "
                "current_setting('enable_bitmapscan') AS bitmap OFFSET 0) s");
  std::size_t visited = 0;
  txn.exec("SELECT " + columns() +
               " FROM jobengine.events WHERE seq > $1 AND seq < jobengine.event_horizon()"
               " ORDER BY seq LIMIT $2",
           SqlParams{std::to_string(after_seq), std::to_string(limit)}, [&](const pqxx::row& row) {
             const OutboxEvent e = eventFromRow(row);
             visit(e.event.seq, e.event.json);
             ++visited;
             return true;
           });
  txn.exec("SELECT set_config('enable_sort', $1, true), set_config('enable_bitmapscan', $2, true)",
           SqlParams{saved[0][0].c_str(), saved[0][1].c_str()});
  return visited;
}

BacklogReader makeBacklogReader(Store& store) {
  return [&store](const std::string& tenant, uint64_t after_seq, std::size_t limit) {
    Transaction tx = store.begin(tenant, true);
    tx.query(std::string("SELECT ") + kOrderedScanOnly);
    const pqxx::result rows =
        tx.query("SELECT " + columns() +
                     " FROM jobengine.events WHERE tenant_id = $1 AND seq > $2"
                     " AND seq < jobengine.event_horizon() ORDER BY seq LIMIT $3",
                 SqlParams{tenant, std::to_string(after_seq), std::to_string(limit)});
    tx.commit();
    std::vector<StreamEvent> out;
    out.reserve(rows.size());
    for (const auto& row : rows) {
      out.push_back(eventFromRow(row).event);
    }
    return out;
  };
}

}  // namespace jobengine::host
