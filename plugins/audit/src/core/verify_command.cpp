// The `audit` command's argument handling and output (verify_command.hpp).
#include "core/verify_command.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/bundle_verifier.hpp"
#include "core/signing_key.hpp"

namespace jobengine::audit {
namespace {

constexpr int kVerified = 0;
constexpr int kFailed = 1;
constexpr int kUsage = 2;

int usageError(AuditCommandOutput& io, const std::string& prefix, const std::string& problem) {
  io.err += prefix + ": " + problem + "\n" + kAuditCommandUsage + "\n";
  return kUsage;
}

int runVerify(const std::vector<std::string>& args, AuditCommandOutput& io) {
  const std::string prefix = "audit verify";
  std::string bundle;
  std::string key_file;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--public-key") {
      if (i + 1 == args.size()) {
        return usageError(io, prefix, "--public-key needs a FILE");
      }
      key_file = args[++i];
    } else if (arg.rfind("--public-key=", 0) == 0) {
      key_file = arg.substr(std::string("--public-key=").size());
    } else if (arg.size() > 1 && arg[0] == '-') {
      return usageError(io, prefix, "unknown option '" + arg + "'");
    } else if (bundle.empty()) {
      bundle = arg;
    } else {
      return usageError(io, prefix, "one bundle at a time ('" + bundle + "', then '" + arg + "')");
    }
  }
  if (bundle.empty()) {
    return usageError(io, prefix, "which bundle? give a bundle .tar or a directory");
  }
  if (key_file.empty()) {
    return usageError(io, prefix, "--public-key FILE is required (the signer's Ed25519 key)");
  }
  std::error_code ec;
  if (!std::filesystem::exists(bundle, ec)) {
    return usageError(io, prefix, "no such file or directory: " + bundle);
  }
  std::string pem;
  try {
    pem = PublicKey::load(key_file).pem();
  } catch (const KeyError& e) {
    return usageError(io, prefix, e.what());
  }
  const BundleVerdict verdict = verifyBundle(bundle, pem);
  if (!verdict.ok) {
    io.err += prefix + ": FAILED: " + verdict.kind + ": " + verdict.message + "\n";
    return kFailed;
  }
  io.out += prefix + ": OK: " + verdict.summary() + "\n";
  return kVerified;
}

}  // namespace

int runAuditCommand(const std::vector<std::string>& args, AuditCommandOutput& io) {
  if (args.empty()) {
    return usageError(io, "audit", "missing subcommand; subcommands: verify");
  }
  if (args[0] != "verify") {
    return usageError(io, "audit", "unknown subcommand '" + args[0] + "'; subcommands: verify");
  }
  return runVerify(args, io);
}

}  // namespace jobengine::audit
