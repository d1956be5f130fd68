// jobengine/adapter/document_store.hpp — the SQL every adapter plugin's fetch step shares, over
// the plugin's own tables (its migrations create them in its schema): raw documents (verbatim,
// content-addressed by sha256, stored once per tenant and digest), what a run fetched (with
// provenance: uri, digest, upstream ETag / Last-Modified), the dead-lettering of one of them,
// and the listing validators for conditional requests (recorded unconfirmed by fetch, confirmed
// by the step that finishes a run's documents). Each call runs in the caller's tenant-bound
// transaction.
//
// What stays in each plugin: reading a run's documents for its own steps (their statuses and
// columns differ) and writing its results (observations, statements). Part of
// je_adapter_registry.
#pragma once

#include <jobengine/plugin.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace jobengine::adapter {

// A document as fetched, before it is stored.
struct FetchedDocument {
  std::string uri;
  std::string body;
  std::string media_type;
  std::optional<std::string> etag;
  std::optional<std::string> last_modified;
};

// Validators of a listing URI (conditional requests).
struct Validators {
  std::optional<std::string> etag;
  std::optional<std::string> last_modified;
};

// Where a plugin keeps its documents: <schema>.raw_documents, <schema>.fetched_documents and
// <schema>.upstream_validators, keyed by the record's id column.
struct DocumentTables {
  std::string schema;     // "concelier"
  std::string id_column;  // "connector_id"
};

class DocumentStore {
 public:
  explicit DocumentStore(const DocumentTables& tables);

  // Forgets what an earlier attempt of this run's fetch stored (its raw documents stay).
  void clearRun(sdk::Txn& txn, const std::string& run_id) const;
  // Stores the bytes once per digest and records the document as ordinal `ordinal` of the run,
  // fetched for record `record_id`; returns the digest ("sha256:<hex>").
  std::string store(sdk::Txn& txn, const std::string& run_id, int ordinal,
                    const std::string& record_id, const FetchedDocument& document) const;
  void markDeadLettered(sdk::Txn& txn, const std::string& run_id, int ordinal) const;

  std::optional<Validators> confirmedValidators(sdk::Txn& txn, const std::string& record_id,
                                                const std::string& uri) const;
  void recordValidators(sdk::Txn& txn, const std::string& record_id, const std::string& uri,
                        const Validators& validators, const std::string& run_id) const;
  void confirmValidators(sdk::Txn& txn, const std::string& run_id) const;

 private:
  std::string clear_run_;
  std::string insert_raw_;
  std::string insert_fetched_;
  std::string mark_dead_lettered_;
  std::string select_validators_;
  std::string upsert_validators_;
  std::string confirm_validators_;
};

// Bytes cross the SQL boundary as hex (the store passes parameters as text), so a document is
// stored exactly as fetched whatever it holds: encode(body, 'hex') in SQL, decodeHex here.
std::string encodeHex(std::string_view bytes);
std::string decodeHex(std::string_view hex);

}  // namespace jobengine::adapter
