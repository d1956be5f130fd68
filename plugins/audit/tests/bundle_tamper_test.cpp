// The tamper suite: a good bundle is changed the ways an attacker or an accident would, and
// verifyBundle must name each change by its kind and say where it is. Most cases edit the
// extracted directory; the tar-only ones (an extra member, a repacked changed file) edit the
// archive.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/base64.hpp"
#include "core/bundle_verifier.hpp"
#include "core/bundle_writer.hpp"
#include "core/dsse.hpp"
#include "core/tar_writer.hpp"
#include "support/bundle_fixture.hpp"

namespace jobengine::audit {
namespace {

namespace fs = std::filesystem;
using namespace testing;  // NOLINT(google-build-using-namespace): the fixture helpers

constexpr int kEntries = 8;

class BundleTamperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    entries_ = writeBundleFiles(dir_ + "/src", kEntries);
    written_ = writeBundle(fixtureInput(dir_ + "/src"), key_, tar_);
    extractTar(tar_, x_);
    const BundleVerdict good = verify();
    ASSERT_TRUE(good.ok) << good.kind << ": " << good.message;
  }
  void TearDown() override { fs::remove_all(dir_); }

  BundleVerdict verify(const std::string& path = "") const {
    return verifyBundle(path.empty() ? x_ : path, key_.publicKeyPem());
  }
  std::string file(const std::string& name) const { return x_ + "/" + name; }
  // Repacks the extracted directory (members in bundle order, plus `extra`) into a tar.
  std::string repack(const std::vector<std::string>& extra = {}) const {
    const std::string out = dir_ + "/repacked.tar";
    TarWriter w(out);
    for (const char* name : {"audit.jsonl", "history.jsonl", "jobs.jsonl", "throttles.jsonl",
                             "manifest.json", "manifest.dsse.json"}) {
      w.addFile(name, file(name));
    }
    for (const std::string& name : extra) {
      w.addBytes(name, "extra\n");
    }
    w.finish();
    return out;
  }

  std::string dir_ = makeTempDir("tamper");
  std::string tar_ = dir_ + "/bundle.tar";
  std::string x_ = dir_ + "/x";
  SigningKey key_ = SigningKey::generate();
  std::vector<nlohmann::json> entries_;
  WrittenBundle written_;
};

#define EXPECT_VERDICT(verdict, expected_kind, expected_message) \
  do {                                                           \
    const BundleVerdict v_ = (verdict);                          \
    EXPECT_FALSE(v_.ok);                                         \
    EXPECT_EQ(v_.kind, expected_kind);                           \
    EXPECT_EQ(v_.message, expected_message);                     \
  } while (false)

TEST_F(BundleTamperTest, FlippedSignatureByteIsBadSignature) {
  DsseEnvelope envelope = parseEnvelope(readFile(file("manifest.dsse.json")));
  envelope.signatures[0].sig[0] = static_cast<char>(envelope.signatures[0].sig[0] ^ 0x01);
  writeFile(file("manifest.dsse.json"), envelopeJson(envelope));
  EXPECT_VERDICT(verify(), "bad_signature",
                 "manifest.dsse.json: the signature does not verify with key " + key_.keyId() +
                     " (the manifest or the signature was changed)");
}

TEST_F(BundleTamperTest, ResignedManifestWithAnotherKeyIsWrongKey) {
  const SigningKey other = SigningKey::generate();
  EXPECT_VERDICT(verifyBundle(x_, other.publicKeyPem()), "wrong_key",
                 "manifest.dsse.json is signed by key " + key_.keyId() + ", not by the given key " +
                     other.keyId());
  // An attacker signing their own manifest with their own key fails against ours.
  writeFile(file("manifest.dsse.json"),
            envelopeJson(
                signEnvelope(written_.manifest_bytes, std::string(kManifestPayloadType), other)));
  EXPECT_EQ(verify().kind, "wrong_key");
}

TEST_F(BundleTamperTest, ChangedManifestPayloadIsBadSignature) {
  DsseEnvelope envelope = parseEnvelope(readFile(file("manifest.dsse.json")));
  const std::string from = "\"lines\":8";
  envelope.payload.replace(envelope.payload.find(from), from.size(), "\"lines\":9");
  writeFile(file("manifest.dsse.json"), envelopeJson(envelope));
  EXPECT_EQ(verify().kind, "bad_signature");
}

TEST_F(BundleTamperTest, EditedJobsLineIsFileChanged) {
  auto lines = readLines(file("jobs.jsonl"));
  const size_t at = lines[1].find("demo");
  ASSERT_NE(at, std::string::npos);
  lines[1].replace(at, 4, "dem0");
  writeLines(file("jobs.jsonl"), lines);
  EXPECT_VERDICT(verify(), "file_changed",
                 "jobs.jsonl has digest " + sdk::sha256Digest(readFile(file("jobs.jsonl"))) +
                     ", the manifest lists " + written_.manifest.file("jobs.jsonl")->sha256);
  EXPECT_EQ(verify(repack()).kind, "file_changed");  // the same inside a tar
}

TEST_F(BundleTamperTest, RemovedAuditLineIsLineRemoved) {
  auto lines = readLines(file("audit.jsonl"));
  lines.erase(lines.begin() + 3);  // position 4
  writeLines(file("audit.jsonl"), lines);
  EXPECT_VERDICT(verify(), "line_removed",
                 "audit.jsonl has 7 lines, the manifest lists 8; line 4: position 5 follows "
                 "position 3: 1 entries missing");
}

TEST_F(BundleTamperTest, RemovedLastAuditLineIsLineRemoved) {
  auto lines = readLines(file("audit.jsonl"));
  lines.pop_back();
  writeLines(file("audit.jsonl"), lines);
  EXPECT_VERDICT(verify(), "line_removed", "audit.jsonl has 7 lines, the manifest lists 8");
}

TEST_F(BundleTamperTest, SwappedAuditLinesAreLineReordered) {
  auto lines = readLines(file("audit.jsonl"));
  std::swap(lines[2], lines[3]);  // positions 3 and 4
  writeLines(file("audit.jsonl"), lines);
  EXPECT_VERDICT(verify(), "line_reordered",
                 "audit.jsonl line 3: position 4 comes before position 3 (entries reordered; "
                 "the latter is entry 4)");
}

TEST_F(BundleTamperTest, RelinkedEntryIsBrokenLink) {
  // Entry 5 points at another predecessor and carries a hash recomputed for it: the entry is
  // self-consistent, the link is not. Nothing is re-signed.
  auto lines = readLines(file("audit.jsonl"));
  nlohmann::json entry = nlohmann::json::parse(lines[4]);
  const std::string forged_prev = entries_[1]["hash"].get<std::string>();
  entry["prevHash"] = forged_prev;
  entry["hash"] = entryHash(entry, forged_prev);
  lines[4] = sdk::canonicalJson(entry);
  writeLines(file("audit.jsonl"), lines);
  EXPECT_VERDICT(verify(), "broken_link",
                 "audit.jsonl line 5: prevHash does not match the hash of the entry before it "
                 "(broken link)");
}

TEST_F(BundleTamperTest, EditedAuditEntryIsEntryChanged) {
  auto lines = readLines(file("audit.jsonl"));
  nlohmann::json entry = nlohmann::json::parse(lines[5]);
  entry["actor"]["subject"] = "mallory";
  lines[5] = sdk::canonicalJson(entry);
  writeLines(file("audit.jsonl"), lines);
  EXPECT_VERDICT(verify(), "entry_changed",
                 "audit.jsonl line 6: the entry's content does not match its hash (entry "
                 "changed)");

  lines[5] = "not json";
  writeLines(file("audit.jsonl"), lines);
  const BundleVerdict v = verify();
  EXPECT_EQ(v.kind, "entry_changed");
  EXPECT_EQ(v.message.rfind("audit.jsonl line 6: not JSON (", 0), 0u) << v.message;
}

TEST_F(BundleTamperTest, AddedLinesAreLineAdded) {
  auto jobs = readLines(file("jobs.jsonl"));
  jobs.push_back(jobs.front());
  writeLines(file("jobs.jsonl"), jobs);
  EXPECT_VERDICT(verify(), "line_added", "jobs.jsonl has 9 lines, the manifest lists 8");
}

TEST_F(BundleTamperTest, ValidlyChainedAppendedEntryIsLineAdded) {
  // Anyone can extend an unkeyed chain; the signed line count and head catch it.
  auto lines = readLines(file("audit.jsonl"));
  const nlohmann::json extra =
      makeEntry(fixtureEvent(9999), kEntries + 1, entries_.back()["hash"].get<std::string>());
  lines.push_back(sdk::canonicalJson(extra));
  writeLines(file("audit.jsonl"), lines);
  EXPECT_VERDICT(verify(), "line_added", "audit.jsonl has 9 lines, the manifest lists 8");
}

TEST_F(BundleTamperTest, MissingFilesAreMissingFile) {
  fs::remove(file("history.jsonl"));
  EXPECT_VERDICT(verify(), "missing_file",
                 "history.jsonl (listed in the manifest) is not in directory " + x_);
  fs::remove(file("manifest.dsse.json"));
  EXPECT_VERDICT(verify(), "missing_file",
                 "manifest.dsse.json (the signed manifest) is not in directory " + x_);
}

TEST_F(BundleTamperTest, EditedManifestFileIsFileChanged) {
  writeFile(file("manifest.json"), readFile(file("manifest.json")) + " ");
  EXPECT_VERDICT(verify(), "file_changed",
                 "manifest.json differs from the manifest signed in manifest.dsse.json");
}

TEST_F(BundleTamperTest, ExtraTarMemberIsUnexpectedFile) {
  const std::string tar = repack({"notes.txt"});
  EXPECT_VERDICT(verify(tar), "unexpected_file",
                 "notes.txt is in " + tar + " but not in the manifest");
  // A second audit.jsonl (which one would a reader take?) makes the archive malformed.
  const std::string twice = repack({"audit.jsonl"});
  EXPECT_VERDICT(verify(twice), "malformed",
                 "tar " + twice + ": member 'audit.jsonl' appears twice");
}

TEST_F(BundleTamperTest, SignedManifestWithAnotherHeadIsHeadMismatch) {
  // Only the key holder can produce this (a faulty exporter): the chain verifies, the head the
  // manifest promises does not match it.
  BundleManifest manifest = written_.manifest;
  manifest.head_hash = entries_[6]["hash"].get<std::string>();
  const std::string bytes = manifestBytes(manifest);
  writeFile(file("manifest.json"), bytes);
  writeFile(file("manifest.dsse.json"),
            envelopeJson(signEnvelope(bytes, std::string(kManifestPayloadType), key_)));
  EXPECT_VERDICT(verify(), "head_mismatch",
                 "audit.jsonl ends at position 8 " + entries_.back()["hash"].get<std::string>() +
                     ", the manifest's chainHead is position 8 " + manifest.head_hash);
}

TEST_F(BundleTamperTest, UnreadableEnvelopeOrArchiveIsMalformed) {
  writeFile(file("manifest.dsse.json"), "{\"payload\": 1}");
  EXPECT_VERDICT(verify(), "malformed",
                 "manifest.dsse.json: DSSE envelope: the envelope: \"payload\" is not a string");

  std::string tar = readFile(tar_);
  tar.resize(tar.size() - 1024);  // the end-of-archive blocks cut off
  writeFile(tar_, tar);
  const BundleVerdict v = verify(tar_);
  EXPECT_EQ(v.kind, "malformed");
  EXPECT_NE(v.message.find("without the end-of-archive blocks"), std::string::npos) << v.message;
}

}  // namespace
}  // namespace jobengine::audit
