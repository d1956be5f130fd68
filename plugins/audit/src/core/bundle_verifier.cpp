// Offline bundle verification (bundle_verifier.hpp lists the checks and their order).
#include "core/bundle_verifier.hpp"

#include <algorithm>
#include <optional>
#include <vector>

#include "core/bundle_manifest.hpp"
#include "core/bundle_source.hpp"
#include "core/dsse.hpp"
#include "core/ledger_chain.hpp"
#include "core/signing_key.hpp"
#include "core/tar_format.hpp"

namespace jobengine::audit {
namespace {

constexpr size_t kMaxManifestBytes = size_t{4} * 1024 * 1024;

BundleVerdict failed(std::string_view kind, std::string message) {
  BundleVerdict v;
  v.kind = std::string(kind);
  v.message = std::move(message);
  return v;
}

std::string lines(int64_t n) { return std::to_string(n) + (n == 1 ? " line" : " lines"); }

// "entry 3: position 4 follows ..." -> "position 4 follows ..." (the line is named separately).
std::string withoutEntryPrefix(const std::string& message) {
  if (message.rfind("entry ", 0) == 0) {
    const size_t colon = message.find(": ");
    if (colon != std::string::npos) {
      return message.substr(colon + 2);
    }
  }
  return message;
}

std::string_view chainKind(const std::string& kind) {
  if (kind == "reordered") {
    return verify_kind::kLineReordered;
  }
  if (kind == "missing") {
    return verify_kind::kLineRemoved;
  }
  if (kind == "broken_link") {
    return verify_kind::kBrokenLink;
  }
  return verify_kind::kEntryChanged;  // "changed", "unreadable"
}

// A data file's checks (line count, then digest). `chain` is audit.jsonl's walk, null for the
// other files.
std::optional<BundleVerdict> checkFile(BundleSource& source, const BundleFileEntry& listed,
                                       ChainVerifier* chain) {
  ScanResult scan;
  try {
    if (chain != nullptr) {
      scan = source.scan(listed.name,
                         [chain](const std::string& line, int64_t) { chain->addLine(line); });
    } else {
      scan = source.scan(listed.name, nullptr);
    }
  } catch (const LineTooLong& e) {
    return failed(verify_kind::kMalformed, e.what());
  } catch (const std::exception& e) {
    return failed(verify_kind::kMalformed, listed.name + ": " + e.what());
  }
  const std::optional<ChainBreak>& broken =
      chain != nullptr ? chain->firstBreak() : std::optional<ChainBreak>{};
  const std::string at_break =
      broken ? "; line " + std::to_string(broken->line) + ": " + withoutEntryPrefix(broken->message)
             : "";
  if (scan.lines != listed.lines) {
    const bool fewer = scan.lines < listed.lines;
    return failed(fewer ? verify_kind::kLineRemoved : verify_kind::kLineAdded,
                  listed.name + " has " + lines(scan.lines) + ", the manifest lists " +
                      std::to_string(listed.lines) + at_break);
  }
  if (broken) {
    return failed(chainKind(broken->kind), listed.name + " line " + std::to_string(broken->line) +
                                               ": " + withoutEntryPrefix(broken->message));
  }
  if (scan.sha256 != listed.sha256) {
    return failed(verify_kind::kFileChanged, listed.name + " has digest " + scan.sha256 +
                                                 ", the manifest lists " + listed.sha256);
  }
  return std::nullopt;
}

}  // namespace

std::string BundleVerdict::summary() const {
  return "tenant " + tenant_id + ", window " + window_from + " .. " + window_to + ", " +
         std::to_string(entries) + " audit entries (positions " + std::to_string(start_position) +
         ".." + std::to_string(head_position) + "), chain head " + head_hash + ", key " + key_id;
}

BundleVerdict verifyBundle(const std::string& path, std::string_view public_key_pem) {
  const PublicKey key = PublicKey::fromPem(public_key_pem);
  std::unique_ptr<BundleSource> source;
  try {
    source = BundleSource::open(path);
  } catch (const std::exception& e) {
    return failed(verify_kind::kMalformed, e.what());
  }

  // The signature first: nothing else in the bundle is trusted before it.
  const std::string envelope_name(kEnvelopeFile);
  if (!source->has(envelope_name)) {
    return failed(verify_kind::kMissingFile,
                  envelope_name + " (the signed manifest) is not in " + source->describe());
  }
  DsseEnvelope envelope;
  try {
    envelope = parseEnvelope(source->readSmall(envelope_name, kMaxManifestBytes));
  } catch (const std::exception& e) {
    return failed(verify_kind::kMalformed, envelope_name + ": " + e.what());
  }
  const bool key_named = std::any_of(
      envelope.signatures.begin(), envelope.signatures.end(),
      [&key](const DsseSignature& s) { return s.keyid.empty() || s.keyid == key.keyId(); });
  if (!key_named) {
    return failed(verify_kind::kWrongKey, envelope_name + " is signed by key " +
                                              envelope.signatures.front().keyid +
                                              ", not by the given key " + key.keyId());
  }
  if (!verifyEnvelope(envelope, key)) {
    return failed(verify_kind::kBadSignature,
                  envelope_name + ": the signature does not verify with key " + key.keyId() +
                      " (the manifest or the signature was changed)");
  }
  if (envelope.payload_type != kManifestPayloadType) {
    return failed(verify_kind::kMalformed, envelope_name + ": payloadType '" +
                                               envelope.payload_type + "' is not '" +
                                               std::string(kManifestPayloadType) + "'");
  }
  BundleManifest manifest;
  try {
    manifest = parseManifest(envelope.payload);
  } catch (const std::exception& e) {
    return failed(verify_kind::kMalformed, envelope_name + ": signed " + e.what());
  }
  if (manifest.file(kAuditFile) == nullptr) {
    return failed(verify_kind::kMalformed, "the signed manifest lists no audit.jsonl");
  }

  // Every listed file present before any content is read.
  const std::string manifest_name(kManifestFile);
  std::vector<std::string> expected = {manifest_name, envelope_name};
  if (!source->has(manifest_name)) {
    return failed(verify_kind::kMissingFile, manifest_name + " is not in " + source->describe());
  }
  for (const BundleFileEntry& f : manifest.files) {
    expected.push_back(f.name);
    if (!source->has(f.name)) {
      return failed(verify_kind::kMissingFile,
                    f.name + " (listed in the manifest) is not in " + source->describe());
    }
  }
  if (const auto extra = source->extra(expected); !extra.empty()) {
    return failed(verify_kind::kUnexpectedFile,
                  extra.front() + " is in " + source->describe() + " but not in the manifest");
  }
  try {
    if (source->readSmall(manifest_name, kMaxManifestBytes) != envelope.payload) {
      return failed(verify_kind::kFileChanged,
                    manifest_name + " differs from the manifest signed in " + envelope_name);
    }
  } catch (const std::exception& e) {
    return failed(verify_kind::kFileChanged, manifest_name + ": " + e.what());
  }

  BundleVerdict ok;
  std::vector<BundleFileEntry> files = manifest.files;
  std::sort(files.begin(), files.end(),
            [](const BundleFileEntry& a, const BundleFileEntry& b) { return a.name < b.name; });
  for (const BundleFileEntry& f : files) {
    if (f.name != kAuditFile) {
      if (auto verdict = checkFile(*source, f, nullptr)) {
        return *verdict;
      }
      continue;
    }
    ChainVerifier chain(manifest.start_position, manifest.start_prev_hash);
    try {
      (void)entryHash(nlohmann::json::object(), manifest.start_prev_hash);
    } catch (const std::exception& e) {
      return failed(verify_kind::kMalformed,
                    "the signed manifest's chainStart.prevHash: " + std::string(e.what()));
    }
    if (auto verdict = checkFile(*source, f, &chain)) {
      return *verdict;
    }
    const int64_t head = manifest.start_position + chain.length() - 1;
    if (head != manifest.head_position || chain.head() != manifest.head_hash) {
      return failed(verify_kind::kHeadMismatch,
                    std::string(kAuditFile) + " ends at position " + std::to_string(head) + " " +
                        chain.head() + ", the manifest's chainHead is position " +
                        std::to_string(manifest.head_position) + " " + manifest.head_hash);
    }
    ok.entries = chain.length();
  }

  ok.ok = true;
  ok.tenant_id = manifest.tenant_id;
  ok.window_from = manifest.window_from;
  ok.window_to = manifest.window_to;
  ok.start_position = manifest.start_position;
  ok.head_position = manifest.head_position;
  ok.head_hash = manifest.head_hash;
  ok.key_id = key.keyId();
  return ok;
}

}  // namespace jobengine::audit
