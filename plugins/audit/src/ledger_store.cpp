// See ledger_store.hpp. Batches travel as one JSON parameter unpacked by jsonb_to_recordset,
// so a round of 2000 entries is one INSERT and one upsert, not 2000 round trips.
#include "ledger_store.hpp"

#include <jobengine/canonical_json.hpp>

namespace jobengine::audit {
namespace {

// Appends `,"name":` (no comma before the first member) to a JSON object being written.
void appendName(std::string& out, const char* name) {
  if (out.back() != '{') {
    out.push_back(',');
  }
  out.push_back('"');
  out += name;
  out += "\":";
}

void appendText(std::string& out, const char* name, const std::string& value) {
  appendName(out, name);
  sdk::canonical_detail::writeString(out, value);
}

void appendText(std::string& out, const char* name, const std::optional<std::string>& value) {
  if (value) {
    appendText(out, name, *value);
  } else {
    appendName(out, name);
    out += "null";
  }
}

void appendNumber(std::string& out, const char* name, int64_t value) {
  appendName(out, name);
  out += std::to_string(value);
}

// The JSON array of the rows' records, written directly (no JSON object per row, the multi-MB
// text not copied through a document): the entries are the bulk of it, each escaped once.
std::string recordsText(const std::vector<LedgerRow>& rows) {
  size_t size = 2;
  for (const LedgerRow& row : rows) {
    size += row.entry.size() + row.entry.size() / 8 + 512;
  }
  std::string out;
  out.reserve(size);
  out.push_back('[');
  for (const LedgerRow& row : rows) {
    if (out.size() > 1) {
      out.push_back(',');
    }
    out.push_back('{');
    appendText(out, "tenant_id", row.tenant_id);
    appendNumber(out, "position", row.position);
    appendNumber(out, "event_seq", row.event_seq);
    appendText(out, "event_id", row.event_id);
    appendText(out, "event_type", row.event_type);
    appendText(out, "occurred_at", row.occurred_at);
    appendText(out, "actor_subject", row.actor_subject);
    appendText(out, "subject_kind", row.subject_kind);
    appendText(out, "subject_id", row.subject_id);
    appendText(out, "entry", row.entry);
    appendText(out, "prev_hash", row.prev_hash);
    appendText(out, "hash", row.hash);
    out.push_back('}');
  }
  out.push_back(']');
  return out;
}

}  // namespace

namespace {

int64_t cursorFrom(sdk::Txn& txn, const char* sql) {
  std::optional<int64_t> seq;
  txn.exec(sql, {}, [&](const sdk::Row& r) { seq = r.i64(0); });
  if (!seq) {
    throw sdk::Error(JE_ERR_STATE, "audit.ledger_cursor has no row (migration 0002 not applied?)");
  }
  return *seq;
}

}  // namespace

int64_t readCursor(sdk::Txn& txn) {
  return cursorFrom(txn, "SELECT last_seq FROM audit.ledger_cursor WHERE id");
}

int64_t lockCursor(sdk::Txn& txn) {
  return cursorFrom(txn, "SELECT last_seq FROM audit.ledger_cursor WHERE id FOR UPDATE");
}

void saveCursor(sdk::Txn& txn, int64_t last_seq) {
  txn.exec("UPDATE audit.ledger_cursor SET last_seq = $1::bigint, updated_at = now() WHERE id",
           {last_seq});
}

std::map<std::string, ChainHead> loadHeads(sdk::Txn& txn, const std::vector<std::string>& tenants) {
  std::map<std::string, ChainHead> heads;
  txn.exec(
      "SELECT h.tenant_id, h.position, h.hash FROM audit.chain_heads h "
      "WHERE h.tenant_id IN (SELECT jsonb_array_elements_text($1::jsonb))",
      {nlohmann::json(tenants).dump()}, [&](const sdk::Row& r) {
        heads[r.str(0)] = ChainHead{r.i64(1), r.str(2)};
      });
  return heads;
}

void saveHeads(sdk::Txn& txn, const std::map<std::string, ChainHead>& heads) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& [tenant, head] : heads) {
    rows.push_back({{"tenant_id", tenant}, {"position", head.position}, {"hash", head.hash}});
  }
  txn.exec(
      "INSERT INTO audit.chain_heads (tenant_id, position, hash) "
      "SELECT r.tenant_id, r.position, r.hash "
      "FROM jsonb_to_recordset($1::jsonb) AS r(tenant_id text, position bigint, hash text) "
      "ON CONFLICT (tenant_id) DO UPDATE SET position = EXCLUDED.position, hash = EXCLUDED.hash, "
      "updated_at = now()",
      {rows.dump()});
}

void insertEntries(sdk::Txn& txn, const std::vector<LedgerRow>& rows) {
  std::vector<sdk::Param> params;
  params.emplace_back(recordsText(rows));  // moved, not copied: it holds every entry
  txn.exec(
      "INSERT INTO audit.entries (tenant_id, position, event_seq, event_id, event_type, "
      "occurred_at, actor_subject, subject_kind, subject_id, entry, prev_hash, hash) "
      "SELECT r.tenant_id, r.position, r.event_seq, r.event_id, r.event_type, r.occurred_at, "
      "r.actor_subject, r.subject_kind, r.subject_id, r.entry, r.prev_hash, r.hash "
      "FROM jsonb_to_recordset($1::jsonb) AS r(tenant_id text, position bigint, event_seq bigint, "
      "event_id text, event_type text, occurred_at timestamptz, actor_subject text, "
      "subject_kind text, subject_id text, entry text, prev_hash text, hash text)",
      params);
}

void listEntries(sdk::Txn& txn, const std::string& tenant, const AuditFilter& filter,
                 std::optional<int64_t> after, int limit, const EntryFn& fn) {
  const std::optional<std::string> like =
      filter.action_prefix ? std::optional<std::string>(likePrefix(*filter.action_prefix))
                           : std::nullopt;
  txn.exec(
      "SELECT e.position, e.entry FROM audit.entries e WHERE e.tenant_id = $1 "
      "AND ($2::timestamptz IS NULL OR e.occurred_at >= $2::timestamptz) "
      "AND ($3::timestamptz IS NULL OR e.occurred_at < $3::timestamptz) "
      "AND ($4::text IS NULL OR e.actor_subject = $4) "
      "AND ($5::text IS NULL OR e.event_type = $5) "
      "AND ($6::text IS NULL OR e.event_type LIKE $6) "
      "AND ($7::text IS NULL OR e.subject_kind = $7) "
      "AND ($8::text IS NULL OR e.subject_id = $8) "
      "AND ($9::bigint IS NULL OR e.position > $9::bigint) "
      "ORDER BY e.position LIMIT $10::int",
      {tenant, filter.from, filter.to, filter.actor, filter.action, like, filter.subject_kind,
       filter.subject_id, after, limit},
      [&](const sdk::Row& r) { fn(r.i64(0), r.str(1)); });
}

std::optional<ChainHead> loadHead(sdk::Txn& txn, const std::string& tenant) {
  std::optional<ChainHead> head;
  txn.exec("SELECT position, hash FROM audit.chain_heads WHERE tenant_id = $1", {tenant},
           [&](const sdk::Row& r) {
             head = ChainHead{r.i64(0), r.str(1)};
           });
  return head;
}

int walkEntries(sdk::Txn& txn, const std::string& tenant, int64_t after,
                std::optional<int64_t> upto, int limit, const EntryFn& fn) {
  int n = 0;
  txn.exec(
      "SELECT e.position, e.entry FROM audit.entries e WHERE e.tenant_id = $1 "
      "AND e.position > $2::bigint AND ($3::bigint IS NULL OR e.position <= $3::bigint) "
      "ORDER BY e.position LIMIT $4::int",
      {tenant, after, upto, limit}, [&](const sdk::Row& r) {
        ++n;
        fn(r.i64(0), r.str(1));
      });
  return n;
}

}  // namespace jobengine::audit
