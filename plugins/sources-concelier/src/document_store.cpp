// document_store.cpp — see document_store.hpp. Bytes cross the SQL boundary as hex (the store
// passes parameters as text), so a document is stored exactly as fetched whatever it holds.
#include "document_store.hpp"
#include "plugin_identity.hpp"

#include <jobengine/adapter/sha256.hpp>

namespace jobengine::concelier {

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
  txn.exec("DELETE FROM " JE_ADAPTER_SCHEMA
           ".fetched_documents WHERE tenant_id = $1 AND run_id = $2::uuid",
           {txn.tenant(), run_id});
}

std::string storeDocument(sdk::Txn& txn, const std::string& run_id, int ordinal,
                          const std::string& connector_id, const FetchedDocument& document) {
  const std::string digest = adapter::sha256Digest(document.body);
  txn.exec("INSERT INTO " JE_ADAPTER_SCHEMA
           ".raw_documents (tenant_id, digest, body, media_type, size_bytes) "
           "VALUES ($1, $2, decode($3, 'hex'), $4, $5::bigint) ON CONFLICT DO NOTHING",
           {txn.tenant(), digest, toHex(document.body), document.media_type,
            static_cast<int64_t>(document.body.size())});
  txn.exec(
      "INSERT INTO " JE_ADAPTER_SCHEMA
      ".fetched_documents (tenant_id, run_id, ordinal, connector_id, uri, "
      "digest, upstream_etag, last_modified) VALUES ($1, $2::uuid, $3::int, $4, $5, $6, $7, $8)",
      {txn.tenant(), run_id, ordinal, connector_id, document.uri, digest, document.etag,
       document.last_modified});
  return digest;
}

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
      d.body = fromHex(r.view(6));
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

void markDeadLettered(sdk::Txn& txn, const std::string& run_id, int ordinal) {
  txn.exec("UPDATE " JE_ADAPTER_SCHEMA
           ".fetched_documents SET status = 'dead_lettered' WHERE tenant_id = $1 AND "
           "run_id = $2::uuid AND ordinal = $3::int",
           {txn.tenant(), run_id, ordinal});
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

std::optional<Validators> confirmedValidators(sdk::Txn& txn, const std::string& connector_id,
                                              const std::string& uri) {
  std::optional<Validators> out;
  txn.exec("SELECT etag, last_modified FROM " JE_ADAPTER_SCHEMA
           ".upstream_validators WHERE tenant_id = $1 AND "
           "connector_id = $2 AND uri = $3 AND confirmed",
           {txn.tenant(), connector_id, uri}, [&](const sdk::Row& r) {
             out = Validators{r.opt(0), r.opt(1)};
           });
  return out;
}

void recordValidators(sdk::Txn& txn, const std::string& connector_id, const std::string& uri,
                      const Validators& validators, const std::string& run_id) {
  txn.exec("INSERT INTO " JE_ADAPTER_SCHEMA
           ".upstream_validators (tenant_id, connector_id, uri, etag, "
           "last_modified, run_id, confirmed) VALUES ($1, $2, $3, $4, $5, $6::uuid, false) ON "
           "CONFLICT (tenant_id, connector_id, uri) DO UPDATE SET etag = EXCLUDED.etag, "
           "last_modified = EXCLUDED.last_modified, run_id = EXCLUDED.run_id, confirmed = false, "
           "updated_at = now()",
           {txn.tenant(), connector_id, uri, validators.etag, validators.last_modified, run_id});
}

void confirmValidators(sdk::Txn& txn, const std::string& run_id) {
  txn.exec("UPDATE " JE_ADAPTER_SCHEMA
           ".upstream_validators SET confirmed = true, updated_at = now() WHERE "
           "tenant_id = $1 AND run_id = $2::uuid AND NOT confirmed",
           {txn.tenant(), run_id});
}

}  // namespace jobengine::concelier
