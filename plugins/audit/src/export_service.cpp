// See export_service.hpp. The job's steps, each its own short transaction:
//   1. lock the export row; already succeeded (a repeated job): done. Find the window's chain
//      slice (export_store windowSlice) and mark it running with the number of entries.
//   2. per page of kPage entries: read them (ledger_store walkEntries) and append them to the
//      data files; record the progress and report it to the scheduler (renewing the lease).
//   3. write the signed tar (files hashed and counted by core/stream_scan inside writeBundle),
//      hash the tar, mark succeeded (with the chain slice the bundle holds, which retention
//      reads: ledger_pruner.hpp) and emit export.completed in one transaction.
// A failure marks the export failed and emits export.failed (one transaction), removes the
// partial files and ends the job failed without retry: a new POST starts a new export.
#include "export_service.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <optional>
#include <utility>

#include "core/bundle_writer.hpp"
#include "core/export_files.hpp"
#include "core/stream_scan.hpp"
#include "export_store.hpp"
#include "ledger_store.hpp"
#include "plugin_meta.hpp"
#include "retention_store.hpp"

namespace jobengine::audit {
namespace {

namespace fs = std::filesystem;

// A host setting that is a path; nullopt when the host has none (a test host). Throws
// sdk::Error when it is there but not a non-empty string.
std::optional<std::string> hostPath(const sdk::Host& host, const char* path) {
  const std::optional<nlohmann::json> value = host.hostSetting(path);
  if (!value) {
    return std::nullopt;
  }
  if (!value->is_string() || value->get<std::string>().empty()) {
    throw sdk::Error(JE_ERR_INVALID, std::string("audit: host setting ") + path +
                                         " is not a path: " + value->dump());
  }
  return value->get<std::string>();
}

SigningKey loadOrGenerateKey(const sdk::Host& host, const AuditSettings& settings,
                             const std::string& data_dir) {
  if (!settings.signing_key_file.empty()) {
    return SigningKey::load(settings.signing_key_file);
  }
  const std::string path = (fs::path(data_dir) / "audit" / "signing_key.pem").string();
  std::error_code ec;
  if (fs::exists(path, ec)) {
    return SigningKey::load(path);
  }
  SigningKey key = SigningKey::generate();
  key.save(path);
  host.warn("audit: plugins.audit.signing_key_file is empty: generated an Ed25519 signing key at " +
            path + " (mode 0600, keyId " + key.keyId() +
            "); export bundles are signed with it. Set signing_key_file to use your own key.");
  return key;
}

std::string replicaName(const std::string& data_dir) {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) {
    name[0] = '\0';
  }
  std::error_code ec;
  const fs::path abs = fs::absolute(data_dir, ec);
  return std::string(name) + ":" + (ec ? data_dir : abs.lexically_normal().string());
}

}  // namespace

AuditExports::AuditExports(sdk::Host& host, AuditSettings settings)
    : host_(host), settings_(std::move(settings)) {}

const SigningKey& AuditExports::key() const {
  if (!key_) {
    throw sdk::Error(JE_ERR_STATE, "audit: no signing key (see the log of the plugin's start)");
  }
  return *key_;
}

void AuditExports::start() {
  const std::optional<std::string> data_dir = hostPath(host_, "host.data_dir");
  if (data_dir) {
    data_dir_ = *data_dir;
    replica_ = replicaName(data_dir_);
  }
  if (data_dir || !settings_.signing_key_file.empty()) {
    key_.emplace(loadOrGenerateKey(host_, settings_, data_dir_));
  }
  if (!data_dir) {
    host_.warn("audit: this host has no host.data_dir; exports are unavailable");
    return;
  }
  try {
    jobs_.emplace(host_);
  } catch (const sdk::Error& e) {
    if (e.status() != JE_ERR_NOT_FOUND) {
      throw;
    }
    host_.warn("audit: no plugin provides je.jobs (the scheduler); exports are unavailable");
    return;
  }
  sdk::JobTypeOptions options;
  options.max_attempts = 1;     // a failed export is reported; a new POST starts a new one
  options.lease_seconds = 600;  // renewed per page; the tar is written in one go at the end
  jobs_->registerType(
      kJobType, [this](sdk::JobContext& job) { run(job); }, options);
}

std::string AuditExports::enqueue(sdk::Txn& txn, const std::string& export_id) const {
  if (!jobs_) {
    throw sdk::Error(JE_ERR_STATE, "audit: je.jobs is not available yet");
  }
  const nlohmann::json out = jobs_->enqueue(
      &txn, txn.tenant(), {{"type", kJobType}, {"payload", {{"exportId", export_id}}}});
  return out.at("jobs").at(0).at("id").get<std::string>();
}

void AuditExports::run(sdk::JobContext& job) {
  const std::string tenant(job.tenant());
  const nlohmann::json payload = job.payload();
  if (!payload.contains("exportId") || !payload["exportId"].is_string()) {
    throw sdk::JobFailure("PAYLOAD_INVALID", "audit.export needs {\"exportId\": \"<uuid>\"}",
                          false);
  }
  const std::string id = payload["exportId"].get<std::string>();
  try {
    build(job, tenant, id);
  } catch (const std::exception& e) {
    const std::string message = e.what();
    host_.error("audit: export " + id + " of tenant " + tenant + " failed: " + message);
    std::error_code ec;
    fs::remove_all(fs::path(data_dir_) / "audit" / "exports" / (id + ".d"), ec);
    sdk::Txn txn = host_.begin(tenant);
    markFailed(txn, tenant, id, message);
    host_.emit(txn,
               {{"eventType", "export.failed"}, {"data", {{"exportId", id}, {"error", message}}}});
    txn.commit();
    throw sdk::JobFailure("EXPORT_FAILED", message, false);
  }
}

void AuditExports::build(sdk::JobContext& job, const std::string& tenant, const std::string& id) {
  std::optional<ExportRow> row;
  std::optional<ChainSlice> slice;
  {
    sdk::Txn txn = host_.begin(tenant);
    row = loadExport(txn, tenant, id, true);
    if (!row) {
      throw std::runtime_error("export " + id + " does not exist for tenant " + tenant);
    }
    if (row->status == "succeeded") {
      return;
    }
    slice = windowSlice(txn, tenant, row->window_from, row->window_to);
    markRunning(txn, tenant, id, slice ? slice->last - slice->first + 1 : 0);
    txn.commit();
  }

  const fs::path base = fs::path(data_dir_) / "audit" / "exports";
  const std::string dir = (base / (id + ".d")).string();
  fs::remove_all(dir);
  int64_t done = 0;
  BundleInput in;
  if (slice) {
    in.chain_start_position = slice->first;
    in.chain_start_prev_hash = slice->prev_hash;
  }
  ExportFilesWriter files(dir, in.chain_start_position, in.chain_start_prev_hash);
  {
    if (slice) {
      const int64_t total = slice->last - slice->first + 1;
      int64_t after = slice->first - 1;
      while (after < slice->last) {
        sdk::Txn txn = host_.begin(tenant);
        const int n = walkEntries(txn, tenant, after, slice->last, kPage,
                                  [&](int64_t position, const std::string& entry) {
                                    after = position;
                                    files.add(entry);
                                  });
        done += n;
        setProgress(txn, tenant, id, done);
        txn.commit();
        if (n == 0) {
          throw std::runtime_error("the ledger ends at position " + std::to_string(after) +
                                   " before the window's last entry " +
                                   std::to_string(slice->last));
        }
        if (job.progress(static_cast<int>(done * 99 / total), "entries written")) {
          throw std::runtime_error("export canceled");
        }
      }
    }
    files.finish();
  }

  in.source_dir = dir;
  in.tenant_id = tenant;
  in.window_from = row->window_from;
  in.window_to = row->window_to;
  in.producer_version = kPluginVersion;
  in.checked_chain = &files.chain();  // walked while audit.jsonl was written: one pass
  const std::string tar = (base / (id + ".tar")).string();
  writeBundle(in, key(), tar);
  fs::remove_all(dir);
  ::chmod(tar.c_str(), 0640);
  const ScanResult scanned = scanFile(tar);

  sdk::Txn txn = host_.begin(tenant);
  markSucceeded(txn, tenant, id, tar, scanned.sha256, static_cast<int64_t>(scanned.bytes),
                replica_);
  if (slice) {  // what the bundle holds: retention prunes only entries a bundle holds
    setExportSlice(txn, tenant, id, slice->first, slice->last);
  }
  host_.emit(txn, {{"eventType", "export.completed"},
                   {"data",
                    {{"exportId", id},
                     {"entries", done},
                     {"bundleSha256", scanned.sha256},
                     {"sizeBytes", scanned.bytes},
                     {"keyId", key().keyId()}}}});
  txn.commit();
}

}  // namespace jobengine::audit
