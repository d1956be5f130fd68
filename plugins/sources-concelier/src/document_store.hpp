// document_store.hpp — the pipeline's rows (migration sources-concelier/0002): raw documents
// (verbatim, content-addressed), what a run fetched (with provenance and how far the pipeline
// got), the listing validators for conditional requests, and the observations map writes.
// Each function runs in the caller's tenant-bound transaction.
#pragma once

#include <jobengine/plugin.hpp>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace jobengine::concelier {

// A document as fetched, before it is stored.
struct FetchedDocument {
  std::string uri;
  std::string body;
  std::string media_type;
  std::optional<std::string> etag;
  std::optional<std::string> last_modified;
};

// A stored document of a run, as parse and map read it.
struct RunDocument {
  int ordinal = 0;
  std::string uri;
  std::string digest;
  std::string fetched_at;
  std::optional<std::string> etag;
  std::string body;          // parse only
  nlohmann::json extracted;  // map only
};

// Forgets what an earlier attempt of this run's fetch stored (its raw documents stay).
void clearRunDocuments(sdk::Txn& txn, const std::string& run_id);
// Stores the bytes once per digest and records the document as ordinal `ordinal` of the run;
// returns the digest ("sha256:<hex>").
std::string storeDocument(sdk::Txn& txn, const std::string& run_id, int ordinal,
                          const std::string& connector_id, const FetchedDocument& document);

// The run's documents in `status` after `after_ordinal`, at most `limit`, by ordinal; bodies
// are read only when `with_body`.
std::vector<RunDocument> runDocuments(sdk::Txn& txn, const std::string& run_id,
                                      const std::string& status, int after_ordinal, int limit,
                                      bool with_body);
void markParsed(sdk::Txn& txn, const std::string& run_id, int ordinal,
                const nlohmann::json& extracted);
void markDeadLettered(sdk::Txn& txn, const std::string& run_id, int ordinal);
void markMapped(sdk::Txn& txn, const std::string& run_id, int ordinal);

// Writes the observations of one document; the same (connector, digest, advisory) again is
// skipped. Returns how many were new.
int64_t insertObservations(sdk::Txn& txn, const std::string& connector_id,
                           const std::string& source_kind, const RunDocument& document,
                           const std::string& run_id);

// Confirmed validators of a listing URI (conditional requests), and their write / confirm.
struct Validators {
  std::optional<std::string> etag;
  std::optional<std::string> last_modified;
};
std::optional<Validators> confirmedValidators(sdk::Txn& txn, const std::string& connector_id,
                                              const std::string& uri);
void recordValidators(sdk::Txn& txn, const std::string& connector_id, const std::string& uri,
                      const Validators& validators, const std::string& run_id);
void confirmValidators(sdk::Txn& txn, const std::string& run_id);

}  // namespace jobengine::concelier
