// document_store.cpp — see document_store.hpp. Bodies are read as hex (encode(body, 'hex')) and
// decoded by the kit (adapter::decodeHex), so a document comes back exactly as fetched.
#include "document_store.hpp"
#include "plugin_identity.hpp"

namespace jobengine::concelier {

namespace {

const char* const kTime = "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'";

}  // namespace

std::vector<RunDocument> runDocuments(sdk::Txn& txn, const std::string& run_id,
                                      const std::string& status, int after_ordinal, int limit,
                                      bool with_body) {
  const std::string sql =
      std::string("SELECT f.ordinal, f.uri, f.digest, to_char(f.fetched_at AT TIME ZONE 'UTC', ") +
      kTime + "), f.upstream_etag, f.extracted, " + (with_body ? "encode(r.body, 'hex')" : "NULL") +
      " FROM " JE_ADAPTER_SCHEMA ".fetched_documents f JOIN " JE_ADAPTER_SCHEMA
      ".raw_documents r ON r.tenant_id = "
      "f.tenant_id AND r.digest = f.digest WHERE f.tenant_id = $1 AND f.run_id = $2::uuid AND "
      "f.status = $3 AND f.ordinal > $4::int ORDER BY f.ordinal LIMIT $5::int";
  std::vector<RunDocument> out;
  txn.exec(sql, {txn.tenant(), run_id, status, after_ordinal, limit}, [&](const sdk::Row& r) {
    RunDocument d;
    d.ordinal = static_cast<int>(r.i64(0));
    d.uri = r.str(1);
    d.digest = r.str(2);
    d.fetched_at = r.str(3);
    d.etag = r.opt(4);
    d.extracted = r.json(5);
    if (with_body) {
      d.body = adapter::decodeHex(r.view(6));
    }
    out.push_back(std::move(d));
  });
  return out;
}

void markParsed(sdk::Txn& txn, const std::string& run_id, int ordinal,
                const nlohmann::json& extracted) {
  txn.exec("UPDATE " JE_ADAPTER_SCHEMA
           ".fetched_documents SET status = 'parsed', extracted = $4::jsonb WHERE "
           "tenant_id = $1 AND run_id = $2::uuid AND ordinal = $3::int",
           {txn.tenant(), run_id, ordinal, extracted.dump()});
}

void markMapped(sdk::Txn& txn, const std::string& run_id, int ordinal) {
  txn.exec("UPDATE " JE_ADAPTER_SCHEMA
           ".fetched_documents SET status = 'mapped', extracted = NULL WHERE "
           "tenant_id = $1 AND run_id = $2::uuid AND ordinal = $3::int",
           {txn.tenant(), run_id, ordinal});
}

int64_t insertObservations(sdk::Txn& txn, const std::string& connector_id,
                           const std::string& source_kind, const RunDocument& document,
                           const std::string& run_id) {
  // One statement per document: the records come as one JSON array (parse's `extracted`).
  static const std::string sql =
      R"SQL(
INSERT INTO )SQL" JE_ADAPTER_SCHEMA
      R"SQL(.observations (tenant_id, id, connector_id, source_kind, advisory_id,
  aliases, modified, published, summary, detail, digest, uri, fetched_at, upstream_etag, run_id)
SELECT $1, )SQL" JE_ADAPTER_SCHEMA R"SQL(.uuid_v7(), $2, $3, x.advisory_id,
  ARRAY(SELECT jsonb_array_elements_text(coalesce(x.aliases, '[]'::jsonb))),
  x.modified::timestamptz, x.published::timestamptz, coalesce(x.summary, ''),
  coalesce(x.detail, '{}'::jsonb), $4, $5, $6::timestamptz, $7, $8::uuid
FROM jsonb_to_recordset($9::jsonb) AS x(advisory_id text, aliases jsonb, modified text,
                                         published text, summary text, detail jsonb)
ON CONFLICT (tenant_id, connector_id, digest, advisory_id) DO NOTHING
)SQL";
  return static_cast<int64_t>(
      txn.exec(sql, {txn.tenant(), connector_id, source_kind, document.digest, document.uri,
                     document.fetched_at, document.etag, run_id, document.extracted.dump()}));
}

adapter::DocumentStore documentStore() {
  return adapter::DocumentStore({JE_ADAPTER_SCHEMA, "connector_id"});
}

}  // namespace jobengine::concelier
