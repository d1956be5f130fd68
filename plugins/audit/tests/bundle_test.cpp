// Export bundles end to end in C++: the member order and manifest, byte-identical rebuilds, the
// writer's refusal to sign a broken chain, a good bundle verifying as a tar and as an extracted
// directory, and a 1,000,000-entry audit.jsonl verifying in bounded memory.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <cstdio>
#include <filesystem>

#include "core/bundle_verifier.hpp"
#include "core/bundle_writer.hpp"
#include "core/dsse.hpp"
#include "core/stream_scan.hpp"
#include "core/tar_reader.hpp"
#include "core/tar_writer.hpp"
#include "support/bundle_fixture.hpp"

namespace jobengine::audit {
namespace {

namespace fs = std::filesystem;
using namespace testing;  // NOLINT(google-build-using-namespace): the fixture helpers

class BundleTest : public ::testing::Test {
 protected:
  void TearDown() override { fs::remove_all(dir_); }
  std::string dir_ = makeTempDir("bundle");
  SigningKey key_ = SigningKey::generate();
};

TEST_F(BundleTest, MembersAndManifestFollowTheFormat) {
  const auto entries = writeBundleFiles(dir_ + "/src", 5);
  const WrittenBundle b = writeBundle(fixtureInput(dir_ + "/src"), key_, dir_ + "/b.tar");

  std::vector<std::string> names;
  for (const TarMember& m : listTar(dir_ + "/b.tar")) {
    names.push_back(m.name);
  }
  EXPECT_EQ(names,
            (std::vector<std::string>{"audit.jsonl", "history.jsonl", "jobs.jsonl",
                                      "throttles.jsonl", "manifest.json", "manifest.dsse.json"}));

  const nlohmann::json manifest = nlohmann::json::parse(b.manifest_bytes);
  EXPECT_EQ(b.manifest_bytes, sdk::canonicalJson(manifest));
  EXPECT_EQ(manifest["schemaVersion"],
            "jobengine"
            ".audit.bundle.v1");
  EXPECT_EQ(manifest["tenantId"], "acme");
  EXPECT_EQ(manifest["window"],
            (nlohmann::json{{"from", "2026-12-01T00:00:00Z"}, {"to", "2026-12-02T00:00:00Z"}}));
  EXPECT_EQ(manifest["chainStart"], (nlohmann::json{{"position", 1}, {"prevHash", kGenesisHash}}));
  EXPECT_EQ(manifest["chainHead"],
            (nlohmann::json{{"position", 5}, {"hash", entries.back()["hash"]}}));
  EXPECT_EQ(manifest["producer"],
            (nlohmann::json{{"name", "jobengine-audit"}, {"version", "0.1.0"}}));
  ASSERT_EQ(manifest["files"].size(), 4u);
  EXPECT_EQ(manifest["files"][0],
            (nlohmann::json{{"name", "audit.jsonl"},
                            {"sha256", sdk::sha256Digest(readFile(dir_ + "/src/audit.jsonl"))},
                            {"lines", 5}}));
  EXPECT_EQ(manifest["files"][3]["name"], "throttles.jsonl");
  EXPECT_EQ(manifest["files"][3]["lines"], 1);

  // The envelope signs exactly manifest.json's bytes.
  extractTar(dir_ + "/b.tar", dir_ + "/x");
  EXPECT_EQ(readFile(dir_ + "/x/manifest.json"), b.manifest_bytes);
  const DsseEnvelope envelope = parseEnvelope(readFile(dir_ + "/x/manifest.dsse.json"));
  EXPECT_EQ(envelope.payload, b.manifest_bytes);
  EXPECT_EQ(envelope.payload_type,
            "application/vnd.jobengine"
            ".audit-manifest+json");
  EXPECT_EQ(envelope.signatures.at(0).keyid, key_.keyId());
}

TEST_F(BundleTest, SameInputsGiveByteIdenticalBundles) {
  writeBundleFiles(dir_ + "/src", 20);
  writeBundle(fixtureInput(dir_ + "/src"), key_, dir_ + "/one.tar");
  // The same key loaded again from its file, the same files written again elsewhere.
  key_.save(dir_ + "/key.pem");
  writeBundleFiles(dir_ + "/src2", 20);
  writeBundle(fixtureInput(dir_ + "/src2"), SigningKey::load(dir_ + "/key.pem"), dir_ + "/two.tar");
  const std::string one = readFile(dir_ + "/one.tar");
  ASSERT_GT(one.size(), 4096u);
  EXPECT_TRUE(one == readFile(dir_ + "/two.tar"));

  // One byte more in one file: another bundle.
  writeLines(dir_ + "/src2/jobs.jsonl", {"{\"id\":\"job-x\"}"});
  writeBundle(fixtureInput(dir_ + "/src2"), key_, dir_ + "/three.tar");
  EXPECT_FALSE(one == readFile(dir_ + "/three.tar"));
}

TEST_F(BundleTest, GoodBundleVerifiesAsTarAndAsDirectory) {
  const auto entries = writeBundleFiles(dir_ + "/src", 12);
  writeBundle(fixtureInput(dir_ + "/src"), key_, dir_ + "/b.tar");
  extractTar(dir_ + "/b.tar", dir_ + "/x");
  for (const std::string& path : {dir_ + "/b.tar", dir_ + "/x"}) {
    const BundleVerdict v = verifyBundle(path, key_.publicKeyPem());
    ASSERT_TRUE(v.ok) << path << ": " << v.kind << ": " << v.message;
    EXPECT_EQ(v.entries, 12);
    EXPECT_EQ(v.summary(),
              "tenant acme, window 2026-12-01T00:00:00Z .. 2026-12-02T00:00:00Z, 12 "
              "audit entries (positions 1..12), chain head " +
                  entries.back()["hash"].get<std::string>() + ", key " + key_.keyId());
  }
}

TEST_F(BundleTest, ChainMayStartMidLedgerAndBeEmpty) {
  // Entries 41..50 of a chain: the bundle starts after entry 40's hash.
  const std::string prev = "sha256:" + std::string(64, 'a');
  writeBundleFiles(dir_ + "/src", 10, 41, prev);
  writeBundle(fixtureInput(dir_ + "/src", 41, prev), key_, dir_ + "/mid.tar");
  const BundleVerdict mid = verifyBundle(dir_ + "/mid.tar", key_.publicKeyPem());
  ASSERT_TRUE(mid.ok) << mid.kind << ": " << mid.message;
  EXPECT_EQ(mid.start_position, 41);
  EXPECT_EQ(mid.head_position, 50);

  // A window without entries: the head is the start's prevHash at position start - 1.
  writeBundleFiles(dir_ + "/empty", 0);
  writeBundle(fixtureInput(dir_ + "/empty", 51, prev), key_, dir_ + "/empty.tar");
  const BundleVerdict empty = verifyBundle(dir_ + "/empty.tar", key_.publicKeyPem());
  ASSERT_TRUE(empty.ok) << empty.kind << ": " << empty.message;
  EXPECT_EQ(empty.entries, 0);
  EXPECT_EQ(empty.head_position, 50);
  EXPECT_EQ(empty.head_hash, prev);
}

TEST_F(BundleTest, WriterRefusesToSignABrokenChainOrMissingFile) {
  writeBundleFiles(dir_ + "/src", 5);
  auto lines = readLines(dir_ + "/src/audit.jsonl");
  std::swap(lines[1], lines[2]);
  writeLines(dir_ + "/src/audit.jsonl", lines);
  try {
    writeBundle(fixtureInput(dir_ + "/src"), key_, dir_ + "/b.tar");
    FAIL() << "signed a reordered chain";
  } catch (const BundleError& e) {
    EXPECT_EQ(std::string(e.what()),
              "bundle: " + dir_ +
                  "/src/audit.jsonl is not an intact chain from position 1: entry 2: position 3 "
                  "comes before position 2 (entries reordered; the latter is entry 3)");
  }
  EXPECT_FALSE(fs::exists(dir_ + "/b.tar"));

  writeBundleFiles(dir_ + "/src", 5);
  fs::remove(dir_ + "/src/throttles.jsonl");
  try {
    writeBundle(fixtureInput(dir_ + "/src"), key_, dir_ + "/b.tar");
    FAIL() << "wrote a bundle without throttles.jsonl";
  } catch (const BundleError& e) {
    EXPECT_EQ(std::string(e.what()), "bundle: " + dir_ + "/src/throttles.jsonl is missing");
  }
  EXPECT_FALSE(fs::exists(dir_ + "/b.tar"));
}

// 1,000,000 entries of a minimal (but valid) chain, written without JSON objects so the test
// spends its time in the code under test. Returns the head hash.
std::string writeLongChain(const std::string& path, int64_t entries) {
  std::FILE* out = std::fopen(path.c_str(), "wb");
  if (out == nullptr) {
    throw std::runtime_error("cannot create " + path);
  }
  auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  std::string prev = kGenesisHash;
  std::string raw_prev(32, '\0');
  for (int64_t position = 1; position <= entries; ++position) {
    // Canonical JSON of {"position", "prevHash", "tenantId"} (keys sorted).
    const std::string body = "\"position\":" + std::to_string(position) + ",\"prevHash\":\"" +
                             prev + "\",\"tenantId\":\"acme\"";
    const std::string hash = sdk::sha256Digest(raw_prev + "{" + body + "}");
    const std::string line = "{\"hash\":\"" + hash + "\"," + body + "}\n";
    std::fwrite(line.data(), 1, line.size(), out);
    prev = hash;
    for (size_t i = 0; i < 32; ++i) {
      raw_prev[i] = static_cast<char>(nibble(prev[7 + 2 * i]) * 16 + nibble(prev[8 + 2 * i]));
    }
  }
  std::fclose(out);
  return prev;
}

// A signed bundle of the files in src whose chain (1..entries) ends at head, packed without
// writeBundle's own chain walk (this test is about the verifier; the writer streams through
// the same scanner).
void packBundle(const std::string& src, int64_t entries, const std::string& head,
                const SigningKey& key, const std::string& tar_path) {
  BundleManifest m;
  m.tenant_id = "acme";
  m.window_from = "2026-12-01T00:00:00Z";
  m.window_to = "2026-12-02T00:00:00Z";
  m.start_position = 1;
  m.start_prev_hash = kGenesisHash;
  m.head_position = entries;
  m.head_hash = head;
  m.producer_version = "0.1.0";
  for (const std::string_view name : kBundleDataFiles) {
    const ScanResult scan = scanFile(src + "/" + std::string(name));
    m.files.push_back({std::string(name), scan.sha256, scan.lines});
  }
  const std::string bytes = manifestBytes(m);
  TarWriter tar(tar_path);
  for (const std::string_view name : kBundleDataFiles) {
    tar.addFile(std::string(name), src + "/" + std::string(name));
  }
  tar.addBytes("manifest.json", bytes);
  tar.addBytes("manifest.dsse.json",
               envelopeJson(signEnvelope(bytes, std::string(kManifestPayloadType), key)));
  tar.finish();
}

long maxRssKb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

// 200,000 entries (~38 MB of audit.jsonl): holding the file, or its entries, in memory would
// grow the process by more than the bound below. The 1,000,000-entry figures (time and peak
// RSS) are a benchmark's job, not the test suite's (rule 5). Sanitizer runtimes keep freed
// memory in quarantine, so RSS follows allocation churn there, not live data: those builds
// check the verdict and skip the memory bound.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)  // GCC
#define JE_SANITIZED_BUILD 1
#elif defined(__has_feature)  // Clang
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define JE_SANITIZED_BUILD 1
#endif
#endif
#if defined(JE_SANITIZED_BUILD)
constexpr bool kRssIsMeaningful = false;
#else
constexpr bool kRssIsMeaningful = true;
#endif
constexpr int64_t kLongChainLines = 200000;

TEST_F(BundleTest, LongChainVerifiesInBoundedMemory) {
  constexpr int64_t kLines = kLongChainLines;
  writeBundleFiles(dir_ + "/src", 0);
  const std::string head = writeLongChain(dir_ + "/src/audit.jsonl", kLines);
  const auto audit_bytes = fs::file_size(dir_ + "/src/audit.jsonl");
  ASSERT_GT(audit_bytes, static_cast<uintmax_t>(kLines) * 150);
  packBundle(dir_ + "/src", kLines, head, key_, dir_ + "/big.tar");
  fs::remove(dir_ + "/src/audit.jsonl");

  const long before_kb = maxRssKb();
  const BundleVerdict v = verifyBundle(dir_ + "/big.tar", key_.publicKeyPem());
  const long grown_kb = maxRssKb() - before_kb;
  ASSERT_TRUE(v.ok) << v.kind << ": " << v.message;
  EXPECT_EQ(v.entries, kLines);
  EXPECT_EQ(v.head_position, kLines);
  EXPECT_EQ(v.head_hash, head);
  if (!kRssIsMeaningful) {
    return;
  }
  // Verifying a ~38 MB audit.jsonl may not grow the process by more than 16 MB.
  EXPECT_LT(grown_kb, 16L * 1024) << "max RSS grew by " << grown_kb << " KiB for "
                                  << audit_bytes / 1024 << " KiB of audit.jsonl";
}

}  // namespace
}  // namespace jobengine::audit
