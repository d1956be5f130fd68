// Test helper shared by the audit unit tests and the `jobengine audit verify` integration test:
// writes the four .jsonl files of an export bundle the way the exporter will (one canonical JSON
// value per line, '\n' after each, audit.jsonl a valid hash chain built with makeEntry), and
// small file utilities for tampering with them. Header-only; not a test of its own.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <jobengine/canonical_json.hpp>

#include "core/bundle_writer.hpp"
#include "core/ledger_chain.hpp"
#include "core/tar_reader.hpp"

namespace jobengine::audit::testing {

namespace fs = std::filesystem;

// A fresh directory under $TMPDIR (or /tmp); the caller removes it.
inline std::string makeTempDir(const std::string& tag) {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base != nullptr && *base != '\0' ? base : "/tmp") +
                        "/je-audit-" + tag + "-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("mkdtemp failed for " + pattern);
  }
  return pattern;
}

inline std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void writeFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) {
    throw std::runtime_error("cannot write " + path);
  }
}

inline std::vector<std::string> readLines(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    lines.push_back(line);
  }
  return lines;
}

inline void writeLines(const std::string& path, const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) {
    text += line + "\n";
  }
  writeFile(path, text);
}

// An orch.event.v1 envelope of tenant acme with sequence number seq.
inline nlohmann::json fixtureEvent(int64_t seq) {
  return {{"schemaVersion", "orch.event.v1"},
          {"eventId", "urn:orch:event:" + std::to_string(seq)},
          {"seq", seq},
          {"eventType", seq % 3 == 0 ? "job.succeeded" : "job.created"},
          {"occurredAt", "2026-12-01T10:00:00.000000Z"},
          {"tenantId", "acme"},
          {"actor", {{"subject", "alice"}, {"scopes", {"orch:operate"}}}},
          {"job", {{"id", "job-" + std::to_string(seq)}, {"status", "queued"}}}};
}

// Writes audit.jsonl (`entries` chained entries from start_position after prev_hash),
// jobs.jsonl, history.jsonl and throttles.jsonl into dir. Returns the audit entries.
inline std::vector<nlohmann::json> writeBundleFiles(const std::string& dir, int entries,
                                                    int64_t start_position = 1,
                                                    std::string prev_hash = kGenesisHash) {
  fs::create_directories(dir);
  std::vector<nlohmann::json> chain;
  std::vector<std::string> audit;
  std::vector<std::string> jobs;
  std::vector<std::string> history;
  for (int i = 0; i < entries; ++i) {
    const int64_t position = start_position + i;
    chain.push_back(makeEntry(fixtureEvent(1000 + position), position, prev_hash));
    prev_hash = chain.back()["hash"].get<std::string>();
    audit.push_back(sdk::canonicalJson(chain.back()));
    jobs.push_back(sdk::canonicalJson(
        {{"id", "job-" + std::to_string(1000 + position)}, {"type", "demo"}, {"attempt", 1}}));
    history.push_back(sdk::canonicalJson({{"jobId", "job-" + std::to_string(1000 + position)},
                                          {"from", "queued"},
                                          {"to", "leased"},
                                          {"seq", 1000 + position}}));
  }
  writeLines((fs::path(dir) / "audit.jsonl").string(), audit);
  writeLines((fs::path(dir) / "jobs.jsonl").string(), jobs);
  writeLines((fs::path(dir) / "history.jsonl").string(), history);
  writeLines((fs::path(dir) / "throttles.jsonl").string(),
             {sdk::canonicalJson({{"id", "thr-1"}, {"scope", "job_type"}, {"rate_per_s", 5}})});
  return chain;
}

inline BundleInput fixtureInput(const std::string& dir, int64_t start_position = 1,
                                std::string prev_hash = kGenesisHash) {
  BundleInput in;
  in.source_dir = dir;
  in.tenant_id = "acme";
  in.window_from = "2026-12-01T00:00:00Z";
  in.window_to = "2026-12-02T00:00:00Z";
  in.chain_start_position = start_position;
  in.chain_start_prev_hash = std::move(prev_hash);
  in.producer_version = "0.1.0";
  return in;
}

// Extracts every member of a tar into dir (created).
inline void extractTar(const std::string& tar, const std::string& dir) {
  fs::create_directories(dir);
  TarReader reader(tar);
  while (reader.next()) {
    std::ofstream out(fs::path(dir) / reader.member().name, std::ios::binary | std::ios::trunc);
    char buffer[4096];
    for (size_t n = reader.read(buffer, sizeof buffer); n > 0;
         n = reader.read(buffer, sizeof buffer)) {
      out.write(buffer, static_cast<std::streamsize>(n));
    }
  }
}

}  // namespace jobengine::audit::testing
