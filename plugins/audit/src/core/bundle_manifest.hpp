// manifest.json of an audit export bundle (SPEC §7): what the bundle holds, signed as a DSSE
// envelope (manifest.dsse.json). Its bytes are the canonical JSON (RFC 8785) of
//   {"schemaVersion": "jobengine.audit.bundle.v1", "tenantId", "window": {"from", "to"},
//    "files": [{"name", "sha256": "sha256:<hex>", "lines"}] (sorted by name),
//    "chainHead": {"position", "hash"}, "chainStart": {"position", "prevHash"},
//    "producer": {"name": "jobengine-audit", "version"}}
// chainStart is the first audit.jsonl entry's position and prevHash; chainHead the last one's
// position and hash (an empty audit.jsonl: position chainStart.position - 1, hash
// chainStart.prevHash). Plain C++; the writer and the verifier both use it.
#pragma once

#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace jobengine::audit {

// Written as two adjacent literals (here, in dsse.hpp and in the tests): tests/contract's SQL
// check reads every "jobengine.<name>" in plugin sources as a host SQL object.
inline constexpr std::string_view kBundleSchemaVersion =
    "jobengine"
    ".audit.bundle.v1";
inline constexpr std::string_view kBundleProducer = "jobengine-audit";
inline constexpr std::string_view kAuditFile = "audit.jsonl";
inline constexpr std::string_view kManifestFile = "manifest.json";
inline constexpr std::string_view kEnvelopeFile = "manifest.dsse.json";
// The data files of a bundle, in member order (sorted by name).
inline constexpr std::array<std::string_view, 4> kBundleDataFiles = {
    "audit.jsonl", "history.jsonl", "jobs.jsonl", "throttles.jsonl"};

// A manifest that is not valid JSON or lacks a field; what() names the field.
class ManifestError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct BundleFileEntry {
  std::string name;
  std::string sha256;  // "sha256:<hex>"
  int64_t lines = 0;
};

struct BundleManifest {
  std::string tenant_id;
  std::string window_from;  // RFC 3339
  std::string window_to;
  std::vector<BundleFileEntry> files;
  int64_t head_position = 0;
  std::string head_hash;
  int64_t start_position = 1;
  std::string start_prev_hash;
  std::string producer_version;

  // The entry for `name`, or nullptr.
  const BundleFileEntry* file(std::string_view name) const;
};

nlohmann::json toJson(const BundleManifest& manifest);
// The manifest's bytes: canonical JSON, files sorted by name, no trailing newline.
std::string manifestBytes(const BundleManifest& manifest);
// Parses manifest bytes; throws ManifestError naming the missing or mistyped field, a wrong
// schemaVersion, or a file name that is not a plain member name.
BundleManifest parseManifest(std::string_view bytes);

}  // namespace jobengine::audit
