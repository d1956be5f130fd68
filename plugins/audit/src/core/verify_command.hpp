// `jobengine audit verify <bundle.tar | directory> --public-key FILE` as a plain function of its
// arguments (the je.cli glue in src/cli_verify.cpp only passes them in and prints the output),
// so the argument handling is unit tested without the host. Offline: no database, no engine.
//
// Exit status: 0 verified (one summary line on stdout); 1 verification failed ("audit verify:
// FAILED: <kind>: <message>" on stderr); 2 usage error (bad arguments, an unreadable key file or
// bundle path; the problem and the usage on stderr).
#pragma once

#include <string>
#include <vector>

namespace jobengine::audit {

inline constexpr const char* kAuditCommandSummary =
    "verify audit export bundles offline (signature, digests, hash chain)";
inline constexpr const char* kAuditCommandUsage =
    "usage: jobengine audit verify <bundle.tar | directory> --public-key FILE\n"
    "  Checks the bundle's DSSE signature with the Ed25519 public key (SPKI PEM), every file's\n"
    "  line count and sha256, and the audit.jsonl hash chain. Exit 0: verified; 1: failed\n"
    "  (the first failure on stderr); 2: usage error.";

struct AuditCommandOutput {
  std::string out;
  std::string err;
};

// Runs `jobengine audit <args...>`; returns the exit status.
int runAuditCommand(const std::vector<std::string>& args, AuditCommandOutput& io);

}  // namespace jobengine::audit
