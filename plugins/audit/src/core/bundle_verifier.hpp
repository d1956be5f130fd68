// Offline verification of an audit export bundle (SPEC §7, `jobengine audit verify`): the
// signature, every file's line count and digest, and audit.jsonl's hash chain. Checks run in
// this order and stop at the first failure, which is named by a machine `kind` and a one-line
// message naming the file (and line):
//   malformed        the archive, envelope or manifest cannot be read
//   wrong_key        no signature carries the given key's id
//   bad_signature    the envelope's signature does not verify with the key
//   missing_file     manifest.json or a file the manifest lists is absent
//   unexpected_file  the tar holds a member the manifest does not list
//   file_changed     manifest.json differs from the signed one, or a file's digest differs
//   line_removed / line_added    a file has fewer / more lines than the manifest says
//   line_reordered / broken_link / entry_changed   audit.jsonl's chain, walked from the
//                    manifest's chainStart, breaks there (ledger_chain.hpp's ChainVerifier)
//   head_mismatch    the chain's last entry is not the manifest's chainHead
// For audit.jsonl the chain walk classifies a change before the digest does: a reordered file
// keeps its line count and would otherwise only be "file_changed". Every file is streamed, so
// a bundle of any size verifies in bounded memory. Plain C++ (no database).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace jobengine::audit {

namespace verify_kind {
inline constexpr std::string_view kMalformed = "malformed";
inline constexpr std::string_view kWrongKey = "wrong_key";
inline constexpr std::string_view kBadSignature = "bad_signature";
inline constexpr std::string_view kMissingFile = "missing_file";
inline constexpr std::string_view kUnexpectedFile = "unexpected_file";
inline constexpr std::string_view kFileChanged = "file_changed";
inline constexpr std::string_view kLineRemoved = "line_removed";
inline constexpr std::string_view kLineAdded = "line_added";
inline constexpr std::string_view kLineReordered = "line_reordered";
inline constexpr std::string_view kBrokenLink = "broken_link";
inline constexpr std::string_view kEntryChanged = "entry_changed";
inline constexpr std::string_view kHeadMismatch = "head_mismatch";
}  // namespace verify_kind

struct BundleVerdict {
  bool ok = false;
  std::string kind;     // a verify_kind; empty when ok
  std::string message;  // one line
  // When ok: what the bundle proves.
  std::string tenant_id;
  std::string window_from;
  std::string window_to;
  int64_t entries = 0;  // audit.jsonl lines
  int64_t start_position = 0;
  int64_t head_position = 0;
  std::string head_hash;
  std::string key_id;
  // "tenant T, window A .. B, N audit entries (positions S..H), chain head HASH, key ID"
  std::string summary() const;
};

// Verifies the bundle at `path` (a bundle .tar, or a directory holding its extracted files)
// against the Ed25519 public key in `public_key_pem` (SPKI PEM). Throws KeyError when the PEM is
// not an Ed25519 public key; every problem of the bundle is a verdict.
BundleVerdict verifyBundle(const std::string& path, std::string_view public_key_pem);

}  // namespace jobengine::audit
