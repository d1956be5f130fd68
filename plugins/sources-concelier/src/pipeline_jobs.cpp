// pipeline_jobs.cpp — see pipeline_jobs.hpp.
#include "pipeline_jobs.hpp"

#include <jobengine/adapter/dead_letter.hpp>
#include <jobengine/adapter/fetch_job.hpp>
#include <jobengine/adapter/run_batches.hpp>

#include "core/connector_spec.hpp"
#include "core/kev_format.hpp"
#include "core/nvd_format.hpp"
#include "core/osv_format.hpp"
#include "document_store.hpp"
#include "feed_fetcher.hpp"

namespace jobengine::concelier {

namespace {

constexpr int kBatch = 200;

AdvisoryParse parseDocument(const std::string& source, const std::string& body) {
  if (source == "osv") {
    return parseOsvDocument(body);
  }
  if (source == "nvd") {
    return parseNvdPage(body, nullptr);
  }
  return parseKevCatalog(body);
}

nlohmann::json recordsOf(const AdvisoryParse& parsed) {
  nlohmann::json records = nlohmann::json::array();
  for (const auto& o : parsed.observations) {
    records.push_back(
        {{"advisory_id", o.advisory_id},
         {"aliases", o.aliases},
         {"modified", o.modified.empty() ? nlohmann::json() : nlohmann::json(o.modified)},
         {"published", o.published ? nlohmann::json(*o.published) : nlohmann::json()},
         {"summary", o.summary},
         {"detail", o.detail.is_object() ? o.detail : nlohmann::json::object()}});
  }
  return records;
}

void runFetch(AdapterContext& ctx, sdk::JobContext& job) {
  const nlohmann::json connector = adapter::recordOfJob(ctx, job);
  const adapter::SyncWindow window = adapter::windowOf(job.payload());
  const int stored = adapter::runFetchJob(
      ctx, job, connector, [&](FetchHooks hooks, adapter::RequestBudget& budget) {
        return FeedFetcher(connector, window, ctx.settings(), budget, std::move(hooks)).run();
      });
  static const std::string metric = std::string(kPluginName) + "_documents_fetched_total";
  ctx.host().counterAdd(metric.c_str(),
                        "Upstream documents stored by the fetch step, by source format",
                        {{"source", connector["source"]}}, stored);
  job.progress(100, std::to_string(stored) + " documents fetched");
}

void runParse(AdapterContext& ctx, sdk::JobContext& job) {
  const std::string run_id(job.runId());
  const std::string source = adapter::recordOfJob(ctx, job)["source"].get<std::string>();
  int parsed = 0;
  int dead = 0;
  const auto summary = [&] {
    return std::to_string(parsed) + " parsed, " + std::to_string(dead) + " dead-lettered";
  };
  adapter::forEachRunBatch(
      ctx.host(), std::string(job.tenant()),
      [&](sdk::Txn& txn, int after) {
        return runDocuments(txn, run_id, "fetched", after, kBatch, true);
      },
      [&](sdk::Txn& txn, const RunDocument& document) {
        const AdvisoryParse result = parseDocument(source, document.body);
        if (adapter::deadLetterIfMalformed(ctx, txn, job, document, result.error)) {
          ++dead;
        } else {
          markParsed(txn, run_id, document.ordinal, recordsOf(result));
          ++parsed;
        }
      },
      nullptr, [&] { job.progress(50, summary()); });
  static const std::string metric = std::string(kPluginName) + "_documents_dead_lettered_total";
  ctx.host().counterAdd(metric.c_str(),
                        "Documents the parse step dead-lettered as malformed, by source format",
                        {{"source", source}}, dead);
  job.progress(100, summary());
}

void runMap(AdapterContext& ctx, sdk::JobContext& job) {
  const std::string run_id(job.runId());
  const nlohmann::json connector = adapter::recordOfJob(ctx, job);
  const std::string connector_id = connector["connectorId"].get<std::string>();
  const std::string source = connector["source"].get<std::string>();
  int64_t created = 0;
  adapter::forEachRunBatch(
      ctx.host(), std::string(job.tenant()),
      [&](sdk::Txn& txn, int after) {
        return runDocuments(txn, run_id, "parsed", after, kBatch, false);
      },
      [&](sdk::Txn& txn, const RunDocument& document) {
        created += insertObservations(txn, connector_id, source, document, run_id);
        markMapped(txn, run_id, document.ordinal);
      },
      // The listings behind these documents are done: their validators may be sent next time.
      [&](sdk::Txn& txn) { ctx.documents().confirmValidators(txn, run_id); },
      [&] { job.progress(50, std::to_string(created) + " observations"); });
  static const std::string metric = std::string(kPluginName) + "_observations_total";
  ctx.host().counterAdd(metric.c_str(),
                        "New observations written by the map step, by source format",
                        {{"source", source}}, static_cast<double>(created));
  job.progress(100, std::to_string(created) + " new observations");
}

}  // namespace

void registerPipeline(sdk::Jobs& jobs, const sdk::Sources& sources, AdapterContext& context) {
  AdapterContext* ctx = &context;
  sdk::JobTypeOptions fetch_options;
  fetch_options.lease_seconds = 120;
  fetch_options.max_attempts = 5;
  jobs.registerType(
      kJobFetch, [ctx](sdk::JobContext& job) { runFetch(*ctx, job); }, fetch_options);
  jobs.registerType(kJobParse, [ctx](sdk::JobContext& job) { runParse(*ctx, job); });
  jobs.registerType(kJobMap, [ctx](sdk::JobContext& job) { runMap(*ctx, job); });
  for (const char* source : {"osv", "nvd", "kev"}) {
    sources.declareSync(
        sourceKindOf(source),
        {{"fetch", kJobFetch, {}}, {"parse", kJobParse, {"fetch"}}, {"map", kJobMap, {"parse"}}});
  }
}

}  // namespace jobengine::concelier
