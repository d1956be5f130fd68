// sources_service.hpp — je.sources (abi.h 1.7), the scheduler's service for source adapter
// plugins: declare a kind's sync DAG, upsert a source and its schedule, read and advance a
// watermark, dead-letter one document. The vtable's functions translate JSON to the same
// stores the /sources routes use (source_store, schedule_store, watermark_store), so nothing
// an adapter writes looks different from an operator's write. Provided from create(), used
// from the adapters' start() on.
#pragma once

#include <jobengine/abi.h>
#include <jobengine/ids.hpp>

#include "job_service.hpp"

namespace jobengine::scheduler {

class SourcesService {
 public:
  explicit SourcesService(JobService& jobs);
  SourcesService(const SourcesService&) = delete;
  SourcesService& operator=(const SourcesService&) = delete;

  const je_sources_v1* vtable() const { return &vtable_; }
  sdk::Host& host() const { return jobs_.host(); }

  // Each returns the answer JSON or throws ApiError (invalid 422 / conflict 409 / 404) or
  // sdk::Error; the vtable maps them to je_status.
  void declareSync(je_host* caller, const nlohmann::json& body);
  nlohmann::json upsertSource(sdk::Txn& txn, const nlohmann::json& body);
  nlohmann::json readWatermark(sdk::Txn& txn, const nlohmann::json& body);
  nlohmann::json advanceWatermark(sdk::Txn& txn, const nlohmann::json& body);
  nlohmann::json deadLetterDocument(sdk::Txn& txn, const nlohmann::json& body);

 private:
  JobService& jobs_;
  sdk::UuidV7Generator ids_;
  je_sources_v1 vtable_{};
};

}  // namespace jobengine::scheduler
