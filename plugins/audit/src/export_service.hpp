// AuditExports: the export half of the audit plugin (SPEC §7, issue 14). It owns
//  * the signing key: [plugins.audit] signing_key_file (PEM or hex seed), or, when that is
//    empty, <host.data_dir>/audit/signing_key.pem, generated (mode 0600) and logged on the first
//    start; bundles are never unsigned. Loaded in start(), not create(): a CLI command (which
//    creates plugins but never starts them) neither reads nor generates a key; a bad key file
//    still stops the engine's start with one line naming it.
//  * the audit.export job (registered through je.jobs in start(); it runs on the scheduler's
//    runner): reads the tenant's ledger slice of the window in pages of kPage entries, each page
//    in a short transaction of its own, writes the four data files (core/export_files), then the
//    signed tar (core/bundle_writer) under <host.data_dir>/audit/exports/<id>.tar, and marks the
//    export succeeded (or failed) with an export.completed (export.failed) event in the same
//    transaction. Memory is one page, whatever the window.
//  * the replica name: which replica holds a bundle (the file lives on the replica that built
//    it): "<hostname>:<absolute data_dir>".
// Threads: the job and the routes run on host and scheduler threads; everything here is set in
// create() or start() (before any route is served or job run) and only read afterwards.
#pragma once

#include <jobengine/jobs.hpp>
#include <jobengine/plugin.hpp>

#include <cstdint>
#include <optional>
#include <string>

#include "core/audit_settings.hpp"
#include "core/signing_key.hpp"

namespace jobengine::audit {

class AuditExports {
 public:
  static constexpr const char* kJobType = "audit.export";
  static constexpr int kPage = 2000;

  AuditExports(sdk::Host& host, AuditSettings settings);

  // In the plugin's start(): reads host.data_dir, loads (or generates) the signing key,
  // registers audit.export through je.jobs. Throws KeyError / sdk::Error. A host without
  // host.data_dir or without je.jobs (a test host) leaves exports unavailable, says so once
  // in the log, and starts: the exports routes then answer 503 EXPORTS_UNAVAILABLE.
  void start();

  bool hasKey() const { return key_.has_value(); }
  bool available() const { return key_.has_value() && jobs_.has_value(); }
  // The signing key; only when hasKey().
  const SigningKey& key() const;
  const std::string& replica() const { return replica_; }
  // Enqueues the export's job in txn; returns the job id. Throws sdk::Error.
  std::string enqueue(sdk::Txn& txn, const std::string& export_id) const;

 private:
  void run(sdk::JobContext& job);
  void build(sdk::JobContext& job, const std::string& tenant, const std::string& id);

  sdk::Host& host_;
  AuditSettings settings_;
  std::string data_dir_;
  std::string replica_;
  std::optional<SigningKey> key_;
  std::optional<sdk::Jobs> jobs_;
};

}  // namespace jobengine::audit
