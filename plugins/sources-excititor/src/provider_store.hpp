// provider_store.hpp — the excititor.providers rows (migration sources-excititor/0002): their
// JSON as the API shows it, loads, inserts and replacements. Everything runs in the caller's
// tenant-bound transaction; the scheduler side of a provider (its source) is written by the
// caller through je.sources in the same transaction.
#pragma once

#include <jobengine/plugin.hpp>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace jobengine::excititor {

// A provider as GET /excititor/providers/{id} shows it: the record plus lockKey, sourceId,
// version, createdAt, updatedAt.
std::optional<nlohmann::json> loadProvider(sdk::Txn& txn, const std::string& provider_id,
                                           bool for_update = false);
// The provider behind a scheduler source (a sync job's payload.sourceId).
std::optional<nlohmann::json> loadProviderBySource(sdk::Txn& txn, const std::string& source_id);
// Up to `limit` providers after `after` (providerId order).
nlohmann::json listProviders(sdk::Txn& txn, const std::optional<std::string>& after, int limit);

nlohmann::json insertProvider(sdk::Txn& txn, const nlohmann::json& record,
                              const std::string& source_id);
nlohmann::json replaceProvider(sdk::Txn& txn, const nlohmann::json& record);

}  // namespace jobengine::excititor
