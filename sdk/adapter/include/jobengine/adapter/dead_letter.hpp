// jobengine/adapter/dead_letter.hpp — how a step after fetch (parse, normalize) sets one
// malformed document of its run aside without failing the job: je.sources dead_letter_document
// (the job, the document's digest and uri, error class permanent, the parser's code and message)
// and the run's row marked dead_lettered, both in the caller's transaction, so the rest of the
// run goes on. Part of je_adapter_registry.
#pragma once

#include <jobengine/adapter/adapter_context.hpp>
#include <jobengine/jobs.hpp>

#include <optional>
#include <string>

namespace jobengine::adapter {

// One document of a run and why it cannot be read.
struct MalformedDocument {
  int ordinal = 0;
  std::string digest;
  std::string uri;
  std::string error_code;
  std::string error_message;
};

// Needs je.sources (the pipeline is registered only when it is there).
void deadLetterDocument(const AdapterServices& services, sdk::Txn& txn, const sdk::JobContext& job,
                        const MalformedDocument& document);

// The parse step's branch: when `error` (a plugin's parse error: code, message) is set,
// dead-letters `document` (a plugin's run row: ordinal, digest, uri) and returns true.
template <typename RunDocument, typename ParseError>
bool deadLetterIfMalformed(const AdapterServices& services, sdk::Txn& txn,
                           const sdk::JobContext& job, const RunDocument& document,
                           const std::optional<ParseError>& error) {
  if (!error) {
    return false;
  }
  deadLetterDocument(
      services, txn, job,
      {document.ordinal, document.digest, document.uri, error->code, error->message});
  return true;
}

}  // namespace jobengine::adapter
