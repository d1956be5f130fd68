// pipeline_jobs.cpp — see pipeline_jobs.hpp.
#include "pipeline_jobs.hpp"

#include <jobengine/adapter/dead_letter.hpp>
#include <jobengine/adapter/fetch_job.hpp>
#include <jobengine/adapter/run_batches.hpp>

#include "core/csaf_vex_format.hpp"
#include "core/cyclonedx_vex_format.hpp"
#include "core/openvex_format.hpp"
#include "core/provider_spec.hpp"
#include "document_store.hpp"
#include "feed_fetcher.hpp"

namespace jobengine::excititor {

namespace {

constexpr int kBatch = 200;

VexParse parseDocument(const std::string& source, const std::string& body) {
  if (source == "openvex") {
    return parseOpenVex(body);
  }
  if (source == "csaf") {
    return parseCsafVex(body);
  }
  return parseCycloneDxVex(body);
}

nlohmann::json recordsOf(const VexParse& parsed) {
  nlohmann::json records = nlohmann::json::array();
  for (const auto& s : parsed.statements) {
    records.push_back(
        {{"document_id", s.document_id},
         {"vulnerability", s.vulnerability},
         {"product", s.product},
         {"status", s.status},
         {"status_raw", s.status_raw},
         {"justification", s.justification ? nlohmann::json(*s.justification) : nlohmann::json()},
         {"modified", s.modified},
         {"detail", s.detail.is_object() ? s.detail : nlohmann::json::object()}});
  }
  return records;
}

void runFetch(AdapterContext& ctx, sdk::JobContext& job) {
  const nlohmann::json provider = adapter::recordOfJob(ctx, job);
  const adapter::SyncWindow window = adapter::windowOf(job.payload());
  const int stored = adapter::runFetchJob(
      ctx, job, provider, [&](FetchHooks hooks, adapter::RequestBudget& budget) {
        return FeedFetcher(provider, window, ctx.settings(), budget, std::move(hooks)).run();
      });
  ctx.host().counterAdd("excititor_documents_fetched_total",
                        "Upstream documents stored by the fetch step, by source format",
                        {{"source", provider["source"]}}, stored);
  job.progress(100, std::to_string(stored) + " documents fetched");
}

void runNormalize(AdapterContext& ctx, sdk::JobContext& job) {
  const std::string run_id(job.runId());
  const nlohmann::json provider = adapter::recordOfJob(ctx, job);
  const std::string provider_id = provider["providerId"].get<std::string>();
  const std::string source = provider["source"].get<std::string>();
  int normalized = 0;
  int dead = 0;
  int64_t created = 0;
  const auto summary = [&] {
    return std::to_string(normalized) + " normalized, " + std::to_string(dead) +
           " dead-lettered, " + std::to_string(created) + " new statements";
  };
  adapter::forEachRunBatch(
      ctx.host(), std::string(job.tenant()),
      [&](sdk::Txn& txn, int after) { return fetchedDocuments(txn, run_id, after, kBatch); },
      [&](sdk::Txn& txn, const RunDocument& document) {
        const VexParse result = parseDocument(source, document.body);
        if (adapter::deadLetterIfMalformed(ctx, txn, job, document, result.error)) {
          ++dead;
        } else {
          created +=
              insertStatements(txn, provider_id, source, document, run_id, recordsOf(result));
          markNormalized(txn, run_id, document.ordinal);
          ++normalized;
        }
      },
      // The listings behind these documents are done: their validators may be sent next time.
      [&](sdk::Txn& txn) { ctx.documents().confirmValidators(txn, run_id); },
      [&] { job.progress(50, summary()); });
  job.progress(100, summary());
  ctx.host().counterAdd("excititor_documents_dead_lettered_total",
                        "Documents the normalize step dead-lettered as malformed, by source format",
                        {{"source", source}}, dead);
  ctx.host().counterAdd("excititor_statements_total",
                        "New VEX statements written by the normalize step, by source format",
                        {{"source", source}}, static_cast<double>(created));
}

}  // namespace

void registerPipeline(sdk::Jobs& jobs, const sdk::Sources& sources, AdapterContext& context) {
  AdapterContext* ctx = &context;
  sdk::JobTypeOptions fetch_options;
  fetch_options.lease_seconds = 120;
  fetch_options.max_attempts = 5;
  jobs.registerType(
      "excititor.fetch", [ctx](sdk::JobContext& job) { runFetch(*ctx, job); }, fetch_options);
  jobs.registerType("excititor.normalize",
                    [ctx](sdk::JobContext& job) { runNormalize(*ctx, job); });
  for (const char* source : {"openvex", "csaf", "cyclonedx"}) {
    sources.declareSync(sourceKindOf(source), {{"fetch", "excititor.fetch", {}},
                                               {"normalize", "excititor.normalize", {"fetch"}}});
  }
}

}  // namespace jobengine::excititor
