// document_store.cpp — see document_store.hpp. Bodies are read as hex (encode(body, 'hex')) and
// decoded by the kit (adapter::decodeHex), so a document comes back exactly as fetched.
#include "document_store.hpp"

namespace jobengine::excititor {

namespace {

const char* const kTime = "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'";

}  // namespace

std::vector<RunDocument> fetchedDocuments(sdk::Txn& txn, const std::string& run_id,
                                          int after_ordinal, int limit) {
  const std::string sql =
      std::string("SELECT f.ordinal, f.uri, f.digest, to_char(f.fetched_at AT TIME ZONE 'UTC', ") +
      kTime +
      "), f.upstream_etag, encode(r.body, 'hex') FROM excititor.fetched_documents f JOIN "
      "excititor.raw_documents r ON r.tenant_id = f.tenant_id AND r.digest = f.digest WHERE "
      "f.tenant_id = $1 AND f.run_id = $2::uuid AND f.status = 'fetched' AND f.ordinal > "
      "$3::int ORDER BY f.ordinal LIMIT $4::int";
  std::vector<RunDocument> out;
  txn.exec(sql, {txn.tenant(), run_id, after_ordinal, limit}, [&](const sdk::Row& r) {
    RunDocument d;
    d.ordinal = static_cast<int>(r.i64(0));
    d.uri = r.str(1);
    d.digest = r.str(2);
    d.fetched_at = r.str(3);
    d.etag = r.opt(4);
    d.body = adapter::decodeHex(r.view(5));
    out.push_back(std::move(d));
  });
  return out;
}

void markNormalized(sdk::Txn& txn, const std::string& run_id, int ordinal) {
  txn.exec(
      "UPDATE excititor.fetched_documents SET status = 'normalized' WHERE tenant_id = $1 AND "
      "run_id = $2::uuid AND ordinal = $3::int",
      {txn.tenant(), run_id, ordinal});
}

int64_t insertStatements(sdk::Txn& txn, const std::string& provider_id,
                         const std::string& source_kind, const RunDocument& document,
                         const std::string& run_id, const nlohmann::json& records) {
  // One statement per document: the records come as one JSON array.
  static const std::string sql = R"SQL(
INSERT INTO excititor.statements (tenant_id, id, provider_id, source_kind, document_id,
  vulnerability, product, status, status_raw, justification, modified, detail, digest, uri,
  fetched_at, upstream_etag, run_id)
SELECT $1, excititor.uuid_v7(), $2, $3, x.document_id, x.vulnerability, x.product, x.status,
  x.status_raw, x.justification, nullif(x.modified, '')::timestamptz, coalesce(x.detail, '{}'::jsonb), $4,
  $5, $6::timestamptz, $7, $8::uuid
FROM jsonb_to_recordset($9::jsonb) AS x(document_id text, vulnerability text, product text,
                                         status text, status_raw text, justification text,
                                         modified text, detail jsonb)
ON CONFLICT (tenant_id, provider_id, digest, vulnerability, product) DO NOTHING
)SQL";
  return static_cast<int64_t>(
      txn.exec(sql, {txn.tenant(), provider_id, source_kind, document.digest, document.uri,
                     document.fetched_at, document.etag, run_id, records.dump()}));
}

adapter::DocumentStore documentStore() {
  return adapter::DocumentStore({"excititor", "provider_id"});
}

}  // namespace jobengine::excititor
