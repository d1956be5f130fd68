// Export bundle writer (bundle_writer.hpp).
#include "core/bundle_writer.hpp"

#include <filesystem>

#include "core/dsse.hpp"
#include "core/stream_scan.hpp"
#include "core/tar_writer.hpp"

namespace jobengine::audit {
namespace {

namespace fs = std::filesystem;

}  // namespace

WrittenBundle writeBundle(const BundleInput& input, const SigningKey& key,
                          const std::string& tar_path) {
  if (input.tenant_id.empty()) {
    throw BundleError("bundle: tenantId is empty");
  }
  WrittenBundle out;
  BundleManifest& m = out.manifest;
  m.tenant_id = input.tenant_id;
  m.window_from = input.window_from;
  m.window_to = input.window_to;
  m.start_position = input.chain_start_position;
  m.start_prev_hash = input.chain_start_prev_hash;
  m.producer_version = input.producer_version;

  for (const std::string_view name : kBundleDataFiles) {
    const std::string path = (fs::path(input.source_dir) / std::string(name)).string();
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) {
      throw BundleError("bundle: " + path + " is missing");
    }
    ScanResult scan;
    if (name == kAuditFile) {
      // The chain is walked while hashing (unless its writer walked it): a bundle is never
      // signed over a broken chain.
      ChainVerifier walked(input.chain_start_position, input.chain_start_prev_hash);
      const ChainVerifier& chain = input.checked_chain != nullptr ? *input.checked_chain : walked;
      try {
        if (input.checked_chain != nullptr) {
          scan = scanFile(path);
        } else {
          scan = scanFile(path, [&walked](const std::string& line, int64_t /*line_no*/) {
            walked.addLine(line);
          });
        }
      } catch (const std::exception& e) {
        throw BundleError(std::string("bundle: ") + e.what());
      }
      if (!chain.valid()) {
        throw BundleError("bundle: " + path + " is not an intact chain from position " +
                          std::to_string(input.chain_start_position) + ": " +
                          chain.firstBreak()->message);
      }
      if (chain.length() != scan.lines) {
        throw BundleError("bundle: " + path + " has " + std::to_string(scan.lines) +
                          " lines but its chain was checked over " +
                          std::to_string(chain.length()) + " entries");
      }
      m.head_position = input.chain_start_position + chain.length() - 1;
      m.head_hash = chain.head();
    } else {
      try {
        scan = scanFile(path);
      } catch (const std::exception& e) {
        throw BundleError(std::string("bundle: ") + e.what());
      }
    }
    m.files.push_back({std::string(name), scan.sha256, scan.lines});
  }

  out.manifest_bytes = manifestBytes(m);
  out.envelope_json =
      envelopeJson(signEnvelope(out.manifest_bytes, std::string(kManifestPayloadType), key));

  TarWriter tar(tar_path);
  for (const std::string_view name : kBundleDataFiles) {
    tar.addFile(std::string(name), (fs::path(input.source_dir) / std::string(name)).string());
  }
  tar.addBytes(std::string(kManifestFile), out.manifest_bytes);
  tar.addBytes(std::string(kEnvelopeFile), out.envelope_json);
  tar.finish();
  return out;
}

}  // namespace jobengine::audit
