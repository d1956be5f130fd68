// manifest.json both ways: canonical bytes with files sorted by name, a parse that gives the
// same manifest back, and the field a bad manifest gets named by.
#include "core/bundle_manifest.hpp"

#include <gtest/gtest.h>

#include <jobengine/canonical_json.hpp>

namespace jobengine::audit {
namespace {

BundleManifest sample() {
  BundleManifest m;
  m.tenant_id = "acme";
  m.window_from = "2026-12-01T00:00:00Z";
  m.window_to = "2026-12-02T00:00:00Z";
  m.files = {{"jobs.jsonl", "sha256:" + std::string(64, 'b'), 2},
             {"audit.jsonl", "sha256:" + std::string(64, 'a'), 3}};
  m.head_position = 3;
  m.head_hash = "sha256:" + std::string(64, 'c');
  m.start_position = 1;
  m.start_prev_hash = "sha256:" + std::string(64, '0');
  m.producer_version = "0.1.0";
  return m;
}

std::string parseError(const std::string& bytes) {
  try {
    parseManifest(bytes);
  } catch (const ManifestError& e) {
    return e.what();
  }
  return "parsed";
}

TEST(BundleManifest, BytesAreCanonicalWithFilesSortedByName) {
  const std::string bytes = manifestBytes(sample());
  EXPECT_EQ(
      bytes,
      "{\"chainHead\":{\"hash\":\"sha256:" + std::string(64, 'c') +
          "\",\"position\":3},\"chainStart\":{\"position\":1,\"prevHash\":\"sha256:" +
          std::string(64, '0') +
          "\"},\"files\":[{\"lines\":3,\"name\":\"audit.jsonl\","
          "\"sha256\":\"sha256:" +
          std::string(64, 'a') +
          "\"},{\"lines\":2,\"name\":\"jobs.jsonl\",\"sha256\":\"sha256:" + std::string(64, 'b') +
          "\"}],\"producer\":{\"name\":\"jobengine-audit\",\"version\":\"0.1.0\"},"
          "\"schemaVersion\":\"jobengine"
          ".audit.bundle.v1\",\"tenantId\":\"acme\","
          "\"window\":{\"from\":\"2026-12-01T00:00:00Z\",\"to\":\"2026-12-02T00:00:00Z\"}}");
}

TEST(BundleManifest, ParseGivesTheSameManifestBack) {
  const BundleManifest m = parseManifest(manifestBytes(sample()));
  EXPECT_EQ(m.tenant_id, "acme");
  EXPECT_EQ(m.window_to, "2026-12-02T00:00:00Z");
  ASSERT_EQ(m.files.size(), 2u);
  EXPECT_EQ(m.files[0].name, "audit.jsonl");
  EXPECT_EQ(m.file("jobs.jsonl")->lines, 2);
  EXPECT_EQ(m.file("throttles.jsonl"), nullptr);
  EXPECT_EQ(m.head_position, 3);
  EXPECT_EQ(m.start_prev_hash, "sha256:" + std::string(64, '0'));
  EXPECT_EQ(m.producer_version, "0.1.0");
  EXPECT_EQ(manifestBytes(m), manifestBytes(sample()));
}

TEST(BundleManifest, BadManifestNamesTheField) {
  nlohmann::json doc = toJson(sample());
  auto without = [&doc](const nlohmann::json::json_pointer& at) {
    nlohmann::json copy = doc;
    copy.at(at.parent_pointer()).erase(at.back());
    return parseError(sdk::canonicalJson(copy));
  };
  EXPECT_EQ(without("/tenantId"_json_pointer), "manifest: the manifest has no \"tenantId\"");
  EXPECT_EQ(without("/window/to"_json_pointer), "manifest: window has no \"to\"");
  EXPECT_EQ(without("/chainHead/hash"_json_pointer), "manifest: chainHead has no \"hash\"");
  EXPECT_EQ(without("/files/1/lines"_json_pointer), "manifest: files[1] has no \"lines\"");

  nlohmann::json bad = doc;
  bad["schemaVersion"] =
      "jobengine"
      ".audit.bundle.v2";
  EXPECT_EQ(parseError(bad.dump()),
            "manifest: schemaVersion 'jobengine"
            ".audit.bundle.v2' is not "
            "'jobengine"
            ".audit.bundle.v1'");
  bad = doc;
  bad["files"][0]["lines"] = "3";
  EXPECT_EQ(parseError(bad.dump()), "manifest: files[0].lines is not an integer");
  bad = doc;
  bad["files"][0]["name"] = "../etc/passwd";
  EXPECT_EQ(parseError(bad.dump()),
            "manifest: files[0].name '../etc/passwd' is not a plain file name");
  bad = doc;
  bad["files"][1]["name"] = "audit.jsonl";
  EXPECT_EQ(parseError(bad.dump()), "manifest: file 'audit.jsonl' is listed twice");
  EXPECT_EQ(parseError("[1]"), "manifest: not a JSON object");
  EXPECT_EQ(parseError("{").rfind("manifest: not JSON (", 0), 0u);
}

}  // namespace
}  // namespace jobengine::audit
