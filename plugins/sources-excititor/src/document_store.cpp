// document_store.cpp — see document_store.hpp. Bytes cross the SQL boundary as hex (the store
// passes parameters as text), so a document is stored exactly as fetched whatever it holds.
#include "document_store.hpp"

#include <jobengine/adapter/sha256.hpp>

namespace jobengine::excititor {

namespace {

std::string toHex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4U]);
    out.push_back(kDigits[c & 0x0FU]);
  }
  return out;
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  return c - 'A' + 10;
}

std::string fromHex(std::string_view hex) {
  std::string out;
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>((hexValue(hex[i]) << 4) | hexValue(hex[i + 1])));
  }
  return out;
}

const char* const kTime = "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'";

}  // namespace

void clearRunDocuments(sdk::Txn& txn, const std::string& run_id) {
  txn.exec("DELETE FROM excititor.fetched_documents WHERE tenant_id = $1 AND run_id = $2::uuid",
           {txn.tenant(), run_id});
}

std::string storeDocument(sdk::Txn& txn, const std::string& run_id, int ordinal,
                          const std::string& provider_id, const FetchedDocument& document) {
  const std::string digest = adapter::sha256Digest(document.body);
  txn.exec(
      "INSERT INTO excititor.raw_documents (tenant_id, digest, body, media_type, size_bytes) "
      "VALUES ($1, $2, decode($3, 'hex'), $4, $5::bigint) ON CONFLICT DO NOTHING",
      {txn.tenant(), digest, toHex(document.body), document.media_type,
       static_cast<int64_t>(document.body.size())});
  txn.exec(
      "INSERT INTO excititor.fetched_documents (tenant_id, run_id, ordinal, provider_id, uri, "
      "digest, upstream_etag, last_modified) VALUES ($1, $2::uuid, $3::int, $4, $5, $6, $7, $8)",
      {txn.tenant(), run_id, ordinal, provider_id, document.uri, digest, document.etag,
       document.last_modified});
  return digest;
}

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
    d.body = fromHex(r.view(5));
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

void markDeadLettered(sdk::Txn& txn, const std::string& run_id, int ordinal) {
  txn.exec(
      "UPDATE excititor.fetched_documents SET status = 'dead_lettered' WHERE tenant_id = $1 AND "
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

std::optional<Validators> confirmedValidators(sdk::Txn& txn, const std::string& provider_id,
                                              const std::string& uri) {
  std::optional<Validators> out;
  txn.exec(
      "SELECT etag, last_modified FROM excititor.upstream_validators WHERE tenant_id = $1 AND "
      "provider_id = $2 AND uri = $3 AND confirmed",
      {txn.tenant(), provider_id, uri}, [&](const sdk::Row& r) {
        out = Validators{r.opt(0), r.opt(1)};
      });
  return out;
}

void recordValidators(sdk::Txn& txn, const std::string& provider_id, const std::string& uri,
                      const Validators& validators, const std::string& run_id) {
  txn.exec(
      "INSERT INTO excititor.upstream_validators (tenant_id, provider_id, uri, etag, "
      "last_modified, run_id, confirmed) VALUES ($1, $2, $3, $4, $5, $6::uuid, false) ON "
      "CONFLICT (tenant_id, provider_id, uri) DO UPDATE SET etag = EXCLUDED.etag, "
      "last_modified = EXCLUDED.last_modified, run_id = EXCLUDED.run_id, confirmed = false, "
      "updated_at = now()",
      {txn.tenant(), provider_id, uri, validators.etag, validators.last_modified, run_id});
}

void confirmValidators(sdk::Txn& txn, const std::string& run_id) {
  txn.exec(
      "UPDATE excititor.upstream_validators SET confirmed = true, updated_at = now() WHERE "
      "tenant_id = $1 AND run_id = $2::uuid AND NOT confirmed",
      {txn.tenant(), run_id});
}

}  // namespace jobengine::excititor
