// pipeline_jobs.hpp — the two in-process job types of an Excititor sync and the sync DAG that
// strings them together (SPEC §8, issue 15):
//
//   excititor.fetch -> excititor.normalize   for kinds excititor.openvex / .csaf / .cyclonedx
//
// fetch lists changes.csv (conditionally) and stores every document modified in the sync window
// verbatim (raw-document store, content-addressed) with its provenance as the run's documents,
// recording each as an artifact; normalize parses each document with the parser of the
// provider's source, dead-lettering a malformed document alone (je.sources
// dead_letter_document: its digest, error class permanent) while the rest goes on, writes one
// immutable statement per (vulnerability, product) (the same bytes again: nothing new) and then
// confirms the listing validators. VEX needs no separate map step: the parsers already return
// the statements' plain values. The scheduler advances the watermark when the run succeeds.
// Handlers open short tenant-bound transactions of their own (one per document or batch).
#pragma once

#include <jobengine/jobs.hpp>
#include <jobengine/sources.hpp>

#include "adapter_context.hpp"

namespace jobengine::excititor {

// Registers the job types with je.jobs and declares the sync DAG of each source kind with
// je.sources (only in start()).
void registerPipeline(sdk::Jobs& jobs, const sdk::Sources& sources, AdapterContext& context);

}  // namespace jobengine::excititor
