// document_store.hpp — the pipeline's rows (migration sources-concelier/0002). Raw documents
// (verbatim, content-addressed), what a run fetched (with provenance) and the listing validators
// for conditional requests are written by the adapter kit's DocumentStore over this plugin's
// tables (documentStore()); here: reading a run's documents, how far the pipeline got, and the
// observations map writes. Each function runs in the caller's tenant-bound transaction.
#pragma once

#include <jobengine/adapter/document_store.hpp>
#include <jobengine/plugin.hpp>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace jobengine::concelier {

// The kit's store of raw documents, fetched documents and validators (dead letters included)
// over this plugin's tables; what follows here is this plugin's own.
adapter::DocumentStore documentStore();
using adapter::FetchedDocument;
using adapter::Validators;

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

// The run's documents in `status` after `after_ordinal`, at most `limit`, by ordinal; bodies
// are read only when `with_body`.
std::vector<RunDocument> runDocuments(sdk::Txn& txn, const std::string& run_id,
                                      const std::string& status, int after_ordinal, int limit,
                                      bool with_body);
void markParsed(sdk::Txn& txn, const std::string& run_id, int ordinal,
                const nlohmann::json& extracted);
void markMapped(sdk::Txn& txn, const std::string& run_id, int ordinal);

// Writes the observations of one document; the same (connector, digest, advisory) again is
// skipped. Returns how many were new.
int64_t insertObservations(sdk::Txn& txn, const std::string& connector_id,
                           const std::string& source_kind, const RunDocument& document,
                           const std::string& run_id);

}  // namespace jobengine::concelier
