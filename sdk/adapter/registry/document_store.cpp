// document_store.cpp — the fetch step's shared SQL (see jobengine/adapter/document_store.hpp).
#include "jobengine/adapter/document_store.hpp"

#include <jobengine/hex.hpp>

#include <stdexcept>
#include <utility>

#include "jobengine/adapter/sha256.hpp"

namespace jobengine::adapter {

std::string encodeHex(std::string_view bytes) { return sdk::hexEncode(bytes); }

std::string decodeHex(std::string_view hex) {
  auto bytes = sdk::hexDecode(hex);
  if (!bytes) {
    throw std::runtime_error("document store: a stored body is not hex (" +
                             std::to_string(hex.size()) + " characters)");
  }
  return std::move(*bytes);
}

DocumentStore::DocumentStore(const DocumentTables& t) {
  const std::string fetched = t.schema + ".fetched_documents";
  const std::string validators = t.schema + ".upstream_validators";
  clear_run_ = "DELETE FROM " + fetched + " WHERE tenant_id = $1 AND run_id = $2::uuid";
  insert_raw_ = "INSERT INTO " + t.schema +
                ".raw_documents (tenant_id, digest, body, media_type, size_bytes) VALUES ($1, $2, "
                "decode($3, 'hex'), $4, $5::bigint) ON CONFLICT DO NOTHING";
  insert_fetched_ = "INSERT INTO " + fetched + " (tenant_id, run_id, ordinal, " + t.id_column +
                    ", uri, digest, upstream_etag, last_modified) VALUES ($1, $2::uuid, $3::int, "
                    "$4, $5, $6, $7, $8)";
  mark_dead_lettered_ = "UPDATE " + fetched +
                        " SET status = 'dead_lettered' WHERE tenant_id = $1 AND run_id = $2::uuid "
                        "AND ordinal = $3::int";
  select_validators_ = "SELECT etag, last_modified FROM " + validators +
                       " WHERE tenant_id = $1 AND " + t.id_column +
                       " = $2 AND uri = $3 AND "
                       "confirmed";
  upsert_validators_ = "INSERT INTO " + validators + " (tenant_id, " + t.id_column +
                       ", uri, etag, last_modified, run_id, confirmed) VALUES ($1, $2, $3, $4, "
                       "$5, $6::uuid, false) ON CONFLICT (tenant_id, " +
                       t.id_column +
                       ", uri) DO UPDATE SET etag = EXCLUDED.etag, last_modified = "
                       "EXCLUDED.last_modified, run_id = EXCLUDED.run_id, confirmed = false, "
                       "updated_at = now()";
  confirm_validators_ = "UPDATE " + validators +
                        " SET confirmed = true, updated_at = now() WHERE tenant_id = $1 AND "
                        "run_id = $2::uuid AND NOT confirmed";
}

void DocumentStore::clearRun(sdk::Txn& txn, const std::string& run_id) const {
  txn.exec(clear_run_, {txn.tenant(), run_id});
}

std::string DocumentStore::store(sdk::Txn& txn, const std::string& run_id, int ordinal,
                                 const std::string& record_id,
                                 const FetchedDocument& document) const {
  const std::string digest = sha256Digest(document.body);
  txn.exec(insert_raw_, {txn.tenant(), digest, encodeHex(document.body), document.media_type,
                         static_cast<int64_t>(document.body.size())});
  txn.exec(insert_fetched_, {txn.tenant(), run_id, ordinal, record_id, document.uri, digest,
                             document.etag, document.last_modified});
  return digest;
}

void DocumentStore::markDeadLettered(sdk::Txn& txn, const std::string& run_id, int ordinal) const {
  txn.exec(mark_dead_lettered_, {txn.tenant(), run_id, ordinal});
}

std::optional<Validators> DocumentStore::confirmedValidators(sdk::Txn& txn,
                                                             const std::string& record_id,
                                                             const std::string& uri) const {
  std::optional<Validators> out;
  txn.exec(select_validators_, {txn.tenant(), record_id, uri}, [&](const sdk::Row& r) {
    out = Validators{r.opt(0), r.opt(1)};
  });
  return out;
}

void DocumentStore::recordValidators(sdk::Txn& txn, const std::string& record_id,
                                     const std::string& uri, const Validators& validators,
                                     const std::string& run_id) const {
  txn.exec(upsert_validators_,
           {txn.tenant(), record_id, uri, validators.etag, validators.last_modified, run_id});
}

void DocumentStore::confirmValidators(sdk::Txn& txn, const std::string& run_id) const {
  txn.exec(confirm_validators_, {txn.tenant(), run_id});
}

}  // namespace jobengine::adapter
