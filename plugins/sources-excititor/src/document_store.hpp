// document_store.hpp — the pipeline's rows (migration sources-excititor/0002). Raw documents
// (verbatim, content-addressed), what a run fetched (with provenance) and the listing validators
// for conditional requests are written by the adapter kit's DocumentStore over this plugin's
// tables (documentStore()); here: reading a run's documents, how far the pipeline got, and the
// statements normalize writes. Each function runs in the caller's tenant-bound transaction.
#pragma once

#include <jobengine/adapter/document_store.hpp>
#include <jobengine/plugin.hpp>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace jobengine::excititor {

// The kit's store of raw documents, fetched documents and validators (dead letters included)
// over this plugin's tables; what follows here is this plugin's own.
adapter::DocumentStore documentStore();
using adapter::FetchedDocument;
using adapter::Validators;

// A stored document of a run, as normalize reads it.
struct RunDocument {
  int ordinal = 0;
  std::string uri;
  std::string digest;
  std::string fetched_at;
  std::optional<std::string> etag;
  std::string body;
};

// The run's documents still `fetched` after `after_ordinal`, at most `limit`, by ordinal, with
// their bodies.
std::vector<RunDocument> fetchedDocuments(sdk::Txn& txn, const std::string& run_id,
                                          int after_ordinal, int limit);
void markNormalized(sdk::Txn& txn, const std::string& run_id, int ordinal);

// Writes the statements of one document (`records`: a JSON array of {document_id,
// vulnerability, product, status, status_raw, justification, modified, detail}); the same
// (provider, digest, vulnerability, product) again is skipped. Returns how many were new.
int64_t insertStatements(sdk::Txn& txn, const std::string& provider_id,
                         const std::string& source_kind, const RunDocument& document,
                         const std::string& run_id, const nlohmann::json& records);

}  // namespace jobengine::excititor
