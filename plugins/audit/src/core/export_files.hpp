// The data files of an export bundle (SPEC §7), derived from the tenant's ledger entries of the
// window, one entry at a time, in position order:
//   audit.jsonl      every entry, exactly as stored (its canonical JSON, "hash" included);
//   jobs.jsonl       one line per job created in the window (a job.created entry): the job as
//                    created, with who created it;
//   history.jsonl    one line per job transition (every job.* entry): the job's status after it,
//                    attempt and reason, with who and why;
//   throttles.jsonl  one line per throttle.* entry: the throttle document the event carried.
// Each derived line is the canonical JSON (RFC 8785) of its object, ends with '\n', and carries
// the entry's position and eventSeq, so every line can be traced to its ledger entry. Nothing is
// aggregated: a job's current status is its last history line. That keeps the writer's memory
// one entry, whatever the window, and the files a pure function of the entries (two exports of
// the same entries are byte-identical). Plain C++, no database.
//
// The writer also walks audit.jsonl's hash chain as it writes it (each entry is parsed once, for
// its lines and its hash), so the bundle writer need not read the file back to check it.
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "core/ledger_chain.hpp"

namespace jobengine::audit {

// The derived lines of one entry (nullopt: the entry adds no line to that file).
std::optional<nlohmann::json> jobLine(const nlohmann::json& entry);
std::optional<nlohmann::json> historyLine(const nlohmann::json& entry);
std::optional<nlohmann::json> throttleLine(const nlohmann::json& entry);

// A file that cannot be created or written; what() names it.
class ExportFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Writes the four data files into a directory (created if missing; existing files are
// replaced), one entry at a time. Not thread-safe; one writer per directory.
class ExportFilesWriter {
 public:
  // The entries are checked as one chain from chain_start_position after chain_start_prev_hash
  // (the window's slice: BundleInput's chain start).
  explicit ExportFilesWriter(const std::string& dir, int64_t chain_start_position = 1,
                             std::string chain_start_prev_hash = kGenesisHash);
  ~ExportFilesWriter();
  ExportFilesWriter(const ExportFilesWriter&) = delete;
  ExportFilesWriter& operator=(const ExportFilesWriter&) = delete;

  // Adds one entry: `entry_text` its stored canonical JSON (written to audit.jsonl as it is).
  // Throws ExportFileError on a write failure, std::invalid_argument when it is not JSON.
  void add(const std::string& entry_text);
  // Flushes and closes every file; throws ExportFileError when one cannot be written.
  void finish();

  int64_t entries() const { return entries_; }
  // audit.jsonl's chain as written so far; a break does not stop the writer (the bundle writer
  // refuses to sign it: BundleInput::checked_chain).
  const ChainVerifier& chain() const { return chain_; }

 private:
  struct File {
    std::string path;
    std::FILE* handle = nullptr;
  };
  void writeLine(File& file, const std::string& line);
  File audit_;
  File history_;
  File jobs_;
  File throttles_;
  ChainVerifier chain_;
  std::string line_;  // the derived line being written (its capacity reused)
  int64_t entries_ = 0;
};

}  // namespace jobengine::audit
