// fetch_job.cpp — the frame of an adapter plugin's fetch job (see
// jobengine/adapter/fetch_job.hpp).
#include "jobengine/adapter/fetch_job.hpp"

#include <jobengine/adapter/ratelimit_budget.hpp>

#include <chrono>

namespace jobengine::adapter {

namespace {

// Progress at most once a second (each report renews the lease in the database).
class ProgressThrottle {
 public:
  explicit ProgressThrottle(const sdk::JobContext& job) : job_(job) {}
  void report(int percent) {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_ >= std::chrono::seconds(1)) {
      last_ = now;
      job_.progress(percent);
    }
  }

 private:
  const sdk::JobContext& job_;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace

nlohmann::json recordOfJob(const AdapterServices& services, const sdk::JobContext& job) {
  auto txn = services.host().begin(job.tenant(), JE_TXN_READ_ONLY);
  auto record = services.records().loadBySource(txn, std::string(job.sourceId()));
  txn.commit();
  if (!record) {
    const RecordKind& kind = services.records().kind();
    throw sdk::JobFailure(errorNoun(kind) + "_NOT_FOUND",
                          "no " + kind.noun + " stands behind source " +
                              std::string(job.sourceId()) + " (was it deleted?)",
                          false);
  }
  return *record;
}

int runFetchJob(const AdapterServices& services, sdk::JobContext& job, const nlohmann::json& record,
                const FetchWalk& walk) {
  sdk::Host& host = services.host();
  const DocumentStore& documents = services.documents();
  const std::string tenant(job.tenant());
  const std::string run_id(job.runId());
  {
    auto txn = host.begin(tenant);
    documents.clearRun(txn, run_id);  // an earlier attempt's rows; the bytes stay stored
    txn.commit();
  }
  const std::string record_id = record[services.records().kind().id_field].get<std::string>();
  RateLimitBudget budget(services.ratelimit(), tenant, record["ratePolicy"]);
  ProgressThrottle progress(job);
  int ordinal = 0;
  FetchHooks hooks;
  const nlohmann::json payload = job.payload();
  const bool backfill = payload.contains("backfillId") && !payload["backfillId"].is_null();
  hooks.validators = [&](const std::string& uri) -> std::optional<Validators> {
    if (backfill) {
      return std::nullopt;
    }
    auto txn = host.begin(tenant, JE_TXN_READ_ONLY);
    auto found = documents.confirmedValidators(txn, record_id, uri);
    txn.commit();
    return found;
  };
  hooks.remember = [&](const std::string& uri, const Validators& validators) {
    if (backfill) {
      return;
    }
    auto txn = host.begin(tenant);
    documents.recordValidators(txn, record_id, uri, validators, run_id);
    txn.commit();
  };
  hooks.store = [&](FetchedDocument&& document) {
    auto txn = host.begin(tenant);
    const std::string digest = documents.store(txn, run_id, ++ordinal, record_id, document);
    txn.commit();
    job.addArtifact(document.uri, digest, document.media_type,
                    static_cast<int64_t>(document.body.size()));
  };
  hooks.canceled = [&] { return job.cancelRequested(); };
  hooks.progress = [&](int percent) { progress.report(percent); };
  return walk(std::move(hooks), budget);
}

}  // namespace jobengine::adapter
