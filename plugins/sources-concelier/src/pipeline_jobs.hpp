// pipeline_jobs.hpp — the three in-process job types of a Concelier sync and the sync DAG that
// strings them together (SPEC §8, issue 15):
//
//   concelier.fetch -> concelier.parse -> concelier.map      for kinds concelier.osv / .nvd / .kev
//
// fetch stores every new document verbatim (raw-document store, content-addressed) with its
// provenance as the run's documents and records each as an artifact; parse validates each
// document's shape and extracts its advisories, dead-lettering a malformed document alone
// (je.sources dead_letter_document: its digest, error class permanent) while the rest goes on;
// map writes one immutable observation per advisory (the same bytes again: nothing new) and
// confirms the listing validators. The scheduler advances the watermark when the run succeeds.
// Handlers open short tenant-bound transactions of their own (one per document or batch).
#pragma once

#include <jobengine/jobs.hpp>
#include <jobengine/sources.hpp>

#include "adapter_context.hpp"

namespace jobengine::concelier {

// Registers the job types with je.jobs and declares the sync DAG of each source kind with
// je.sources (only in start()).
void registerPipeline(sdk::Jobs& jobs, const sdk::Sources& sources, AdapterContext& context);

}  // namespace jobengine::concelier
