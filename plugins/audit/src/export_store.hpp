// export_store — every SQL statement of audit exports (migrations/audit/0003_exports.sql), so
// the routes and the export job hold none. Statements run in the caller's transaction: a
// request's tenant-bound one, or the job's short tenant-bound ones (row-level security confines
// both to the tenant; the statements name it as well).
#pragma once

#include <jobengine/plugin.hpp>

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace jobengine::audit {

struct ExportRow {
  std::string id;
  std::string tenant_id;
  std::string window_from;  // RFC 3339 UTC, microseconds (as the database formats it)
  std::string window_to;
  std::string status;
  int64_t entries_done = 0;
  std::optional<int64_t> entries_total;
  std::optional<std::string> error;
  std::string requested_by;
  std::string reason;
  std::optional<std::string> ticket;
  std::optional<std::string> job_id;
  std::optional<std::string> bundle_path;
  std::optional<std::string> bundle_sha256;
  std::optional<int64_t> bundle_size;
  std::optional<std::string> replica;
  std::string created_at;
  std::optional<std::string> started_at;
  std::optional<std::string> finished_at;
  std::optional<int64_t> first_position;  // the chain slice the bundle holds (once succeeded,
  std::optional<int64_t> last_position;   // with entries; migration 0004)
};

struct NewExport {
  std::string id;
  std::string tenant_id;
  std::string window_from;  // RFC 3339
  std::string window_to;
  std::string requested_by;
  std::string reason;
  std::optional<std::string> ticket;
};

void insertExport(sdk::Txn& txn, const NewExport& e);
void setExportJob(sdk::Txn& txn, const std::string& tenant, const std::string& id,
                  const std::string& job_id);
// The tenant's export, or nullopt. lock: FOR UPDATE.
std::optional<ExportRow> loadExport(sdk::Txn& txn, const std::string& tenant, const std::string& id,
                                    bool lock = false);
// queued (or running: a retried job) -> running, with the number of entries to write.
void markRunning(sdk::Txn& txn, const std::string& tenant, const std::string& id, int64_t total);
void setProgress(sdk::Txn& txn, const std::string& tenant, const std::string& id, int64_t done);
void markSucceeded(sdk::Txn& txn, const std::string& tenant, const std::string& id,
                   const std::string& path, const std::string& sha256, int64_t size,
                   const std::string& replica);
void markFailed(sdk::Txn& txn, const std::string& tenant, const std::string& id,
                const std::string& error);

// The window's slice of the tenant's chain: the positions of its first and last entry with
// from <= occurredAt < to (every position between them is exported, so the slice is a chain).
struct ChainSlice {
  int64_t first = 0;
  int64_t last = 0;
  std::string prev_hash;  // the first entry's prevHash
};
std::optional<ChainSlice> windowSlice(sdk::Txn& txn, const std::string& tenant,
                                      const std::string& from, const std::string& to);

// The export as GET /audit/exports/{id} shows it.
nlohmann::json exportJson(const ExportRow& row);

}  // namespace jobengine::audit
