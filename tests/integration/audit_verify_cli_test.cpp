// `jobengine audit verify` through the real binary and the real audit plugin, offline: no
// database is started (the command is registered without JE_CLI_NEEDS_DATABASE). A bundle is
// built in-process with the audit core (the exporter's writer), then verified as a tar and as
// an extracted directory, tampered with, and checked with the wrong key.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/bundle_writer.hpp"
#include "engine_process.hpp"
#include "support/bundle_fixture.hpp"

namespace jobengine::testing {
namespace {

namespace fs = std::filesystem;
namespace at = jobengine::audit::testing;

class AuditVerifyCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Only the audit plugin, from a directory of its own, with a config naming only it.
    fs::create_directories(dir_ + "/plugins");
    fs::create_symlink(std::string(JE_BINARY_DIR) + "/plugins/audit.so",
                       dir_ + "/plugins/audit.so");
    at::writeFile(dir_ + "/jobengine.toml",
                  "[host]\nplugin_order = [\"audit\"]\n[plugins.audit]\nenabled = true\n");
    at::writeBundleFiles(dir_ + "/src", 6);
    audit::writeBundle(at::fixtureInput(dir_ + "/src"), key_, dir_ + "/bundle.tar");
    at::extractTar(dir_ + "/bundle.tar", dir_ + "/x");
    at::writeFile(dir_ + "/signer.pub", key_.publicKeyPem());
  }
  void TearDown() override { fs::remove_all(dir_); }

  CommandResult audit(std::vector<std::string> args) const {
    std::vector<std::string> argv = {engineBinary(), "audit"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(),
                {"--config", dir_ + "/jobengine.toml", "--plugin-dir", dir_ + "/plugins"});
    return runCommand(argv, std::chrono::seconds(60));
  }

  std::string dir_ = at::makeTempDir("cli");
  audit::SigningKey key_ = audit::SigningKey::generate();
};

TEST_F(AuditVerifyCliTest, GoodBundleVerifiesAsTarAndDirectory) {
  for (const std::string& bundle : {dir_ + "/bundle.tar", dir_ + "/x"}) {
    const CommandResult r = audit({"verify", bundle, "--public-key", dir_ + "/signer.pub"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err, "");
    EXPECT_EQ(r.out.rfind("audit verify: OK: tenant acme, window 2026-12-01T00:00:00Z .. "
                          "2026-12-02T00:00:00Z, 6 audit entries (positions 1..6), chain head "
                          "sha256:",
                          0),
              0u)
        << r.out;
    EXPECT_NE(r.out.find(", key " + key_.keyId() + "\n"), std::string::npos) << r.out;
  }
}

TEST_F(AuditVerifyCliTest, TamperedBundleFailsNamingWhatAndWhere) {
  auto lines = at::readLines(dir_ + "/x/audit.jsonl");
  std::swap(lines[3], lines[4]);
  at::writeLines(dir_ + "/x/audit.jsonl", lines);
  CommandResult r = audit({"verify", dir_ + "/x", "--public-key", dir_ + "/signer.pub"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "audit verify: FAILED: line_reordered: audit.jsonl line 4: position 5 comes before "
            "position 4 (entries reordered; the latter is entry 5)\n");

  const audit::SigningKey other = audit::SigningKey::generate();
  at::writeFile(dir_ + "/other.pub", other.publicKeyPem());
  r = audit({"verify", dir_ + "/bundle.tar", "--public-key", dir_ + "/other.pub"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "audit verify: FAILED: wrong_key: manifest.dsse.json is signed by key " +
                       key_.keyId() + ", not by the given key " + other.keyId() + "\n");
}

TEST_F(AuditVerifyCliTest, OtherSubcommandIsAUsageErrorListingVerify) {
  const CommandResult r = audit({"export"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err.rfind("audit: unknown subcommand 'export'; subcommands: verify\n"
                        "usage: jobengine audit verify <bundle.tar | directory> --public-key "
                        "FILE\n",
                        0),
            0u)
      << r.err;
}

}  // namespace
}  // namespace jobengine::testing
