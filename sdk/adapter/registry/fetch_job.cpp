// fetch_job.cpp — the frame of an adapter plugin's fetch job (see
// jobengine/adapter/fetch_job.hpp).
#include "jobengine/adapter/fetch_job.hpp"

#include <jobengine/adapter/ratelimit_budget.hpp>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

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

// The fetched documents, stored in batches: one transaction per kMaxDocuments documents or
// kMaxBytes of bodies, whichever comes first, and the rest when the walk ends. A commit per
// document was most of an OSV sync's time (bench/README.md, ingest). Nothing reads a run's
// documents before the fetch job succeeds, and a failed attempt's rows are cleared by the next,
// so a batch lost with its job loses nothing.
class DocumentBatches {
 public:
  static constexpr size_t kMaxDocuments = 200;
  static constexpr size_t kMaxBytes = size_t{16} * 1024 * 1024;

  DocumentBatches(sdk::Host& host, const DocumentStore& documents, const sdk::JobContext& job,
                  std::string record_id)
      : host_(host),
        documents_(documents),
        job_(job),
        tenant_(job.tenant()),
        run_id_(job.runId()),
        record_id_(std::move(record_id)) {}

  void add(FetchedDocument&& document) {
    bytes_ += document.body.size();
    pending_.push_back(std::move(document));
    if (pending_.size() >= kMaxDocuments || bytes_ >= kMaxBytes) {
      flush();
    }
  }

  void flush() {
    if (pending_.empty()) {
      return;
    }
    std::vector<std::string> digests;
    digests.reserve(pending_.size());
    auto txn = host_.begin(tenant_);
    for (const FetchedDocument& document : pending_) {
      digests.push_back(documents_.store(txn, run_id_, ++ordinal_, record_id_, document));
    }
    txn.commit();
    for (size_t i = 0; i < pending_.size(); ++i) {
      job_.addArtifact(pending_[i].uri, digests[i], pending_[i].media_type,
                       static_cast<int64_t>(pending_[i].body.size()));
    }
    pending_.clear();
    bytes_ = 0;
  }

 private:
  sdk::Host& host_;
  const DocumentStore& documents_;
  const sdk::JobContext& job_;
  const std::string tenant_;
  const std::string run_id_;
  const std::string record_id_;
  std::vector<FetchedDocument> pending_;
  size_t bytes_ = 0;
  int ordinal_ = 0;
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
  DocumentBatches batches(host, documents, job, record_id);
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
  hooks.store = [&](FetchedDocument&& document) { batches.add(std::move(document)); };
  hooks.canceled = [&] { return job.cancelRequested(); };
  hooks.progress = [&](int percent) { progress.report(percent); };
  const int fetched = walk(std::move(hooks), budget);
  batches.flush();
  return fetched;
}

}  // namespace jobengine::adapter
