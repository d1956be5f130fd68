// Builds an export bundle (SPEC §7) from the four .jsonl files an exporter wrote into a
// directory: streams each file once for its sha256 and line count (walking audit.jsonl's hash
// chain on the way), builds manifest.json, signs it as a DSSE envelope and writes the tar:
// audit.jsonl, history.jsonl, jobs.jsonl, throttles.jsonl, manifest.json, manifest.dsse.json.
//
// Deterministic: fixed tar headers, canonical JSON, Ed25519 signatures (deterministic), so the
// same files, window and key give byte-identical bundles. Memory is bounded by a chunk and the
// longest audit line, whatever the files' sizes. Plain C++ (no database): the export job calls
// it after filling the directory.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include "core/bundle_manifest.hpp"
#include "core/ledger_chain.hpp"
#include "core/signing_key.hpp"

namespace jobengine::audit {

// A bundle that cannot be built: a file missing or unreadable, or audit.jsonl not a chain.
class BundleError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct BundleInput {
  std::string source_dir;  // holds the four kBundleDataFiles
  std::string tenant_id;
  std::string window_from;  // RFC 3339
  std::string window_to;
  // Where audit.jsonl's chain starts: its first entry's position and prevHash.
  int64_t chain_start_position = 1;
  std::string chain_start_prev_hash = kGenesisHash;
  std::string producer_version;
  // audit.jsonl's chain as its writer already walked it (ExportFilesWriter::chain(), from the
  // chain start above): then the file is only hashed, not parsed and checked a second time.
  // Null: the chain is walked while hashing.
  const ChainVerifier* checked_chain = nullptr;
};

struct WrittenBundle {
  BundleManifest manifest;
  std::string manifest_bytes;  // manifest.json
  std::string envelope_json;   // manifest.dsse.json
};

// Writes the bundle to tar_path (via "<tar_path>.partial", renamed when complete). The files
// are read twice (hashed, then copied), so they must not change while this runs. Throws
// BundleError naming the file (and for audit.jsonl the entry) that stops it, KeyError or
// TarError.
WrittenBundle writeBundle(const BundleInput& input, const SigningKey& key,
                          const std::string& tar_path);

}  // namespace jobengine::audit
