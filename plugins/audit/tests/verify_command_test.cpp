// `jobengine audit ...` argument handling and output: exit 0 with one summary line, 1 with
// "audit verify: FAILED: <kind>: <message>", 2 with a usage error naming the problem.
#include "core/verify_command.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/bundle_writer.hpp"
#include "support/bundle_fixture.hpp"

namespace jobengine::audit {
namespace {

namespace fs = std::filesystem;
using namespace testing;  // NOLINT(google-build-using-namespace): the fixture helpers

class VerifyCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    writeBundleFiles(dir_ + "/src", 3);
    writeBundle(fixtureInput(dir_ + "/src"), key_, tar_);
    writeFile(pub_, key_.publicKeyPem());
  }
  void TearDown() override { fs::remove_all(dir_); }
  int run(const std::vector<std::string>& args) {
    io_ = {};
    return runAuditCommand(args, io_);
  }
  std::string usageAfter(const std::string& line) const {
    return line + "\n" + kAuditCommandUsage + "\n";
  }

  std::string dir_ = makeTempDir("cmd");
  std::string tar_ = dir_ + "/bundle.tar";
  std::string pub_ = dir_ + "/pub.pem";
  SigningKey key_ = SigningKey::generate();
  AuditCommandOutput io_;
};

TEST_F(VerifyCommandTest, GoodBundlePrintsOneSummaryLine) {
  EXPECT_EQ(run({"verify", tar_, "--public-key", pub_}), 0) << io_.err;
  EXPECT_EQ(io_.err, "");
  EXPECT_EQ(io_.out.rfind("audit verify: OK: tenant acme, window 2026-12-01T00:00:00Z .. "
                          "2026-12-02T00:00:00Z, 3 audit entries (positions 1..3), chain head "
                          "sha256:",
                          0),
            0u)
      << io_.out;
  EXPECT_EQ(io_.out.find('\n'), io_.out.size() - 1);
  EXPECT_EQ(run({"verify", "--public-key=" + pub_, tar_}), 0) << io_.err;
}

TEST_F(VerifyCommandTest, FailedVerificationExitsOneNamingKindAndPlace) {
  const SigningKey other = SigningKey::generate();
  writeFile(dir_ + "/other.pem", other.publicKeyPem());
  EXPECT_EQ(run({"verify", tar_, "--public-key", dir_ + "/other.pem"}), 1);
  EXPECT_EQ(io_.out, "");
  EXPECT_EQ(io_.err, "audit verify: FAILED: wrong_key: manifest.dsse.json is signed by key " +
                         key_.keyId() + ", not by the given key " + other.keyId() + "\n");

  extractTar(tar_, dir_ + "/x");
  auto lines = readLines(dir_ + "/x/audit.jsonl");
  std::swap(lines[0], lines[1]);
  writeLines(dir_ + "/x/audit.jsonl", lines);
  EXPECT_EQ(run({"verify", dir_ + "/x", "--public-key", pub_}), 1);
  EXPECT_EQ(io_.err,
            "audit verify: FAILED: line_reordered: audit.jsonl line 1: position 2 comes before "
            "position 1 (entries reordered; the latter is entry 2)\n");
}

TEST_F(VerifyCommandTest, UsageErrorsExitTwo) {
  EXPECT_EQ(run({}), 2);
  EXPECT_EQ(io_.err, usageAfter("audit: missing subcommand; subcommands: verify"));
  EXPECT_EQ(run({"export"}), 2);
  EXPECT_EQ(io_.err, usageAfter("audit: unknown subcommand 'export'; subcommands: verify"));
  EXPECT_EQ(run({"verify", "--public-key", pub_}), 2);
  EXPECT_EQ(io_.err, usageAfter("audit verify: which bundle? give a bundle .tar or a directory"));
  EXPECT_EQ(run({"verify", tar_}), 2);
  EXPECT_EQ(io_.err, usageAfter("audit verify: --public-key FILE is required (the signer's "
                                "Ed25519 key)"));
  EXPECT_EQ(run({"verify", tar_, "--public-key"}), 2);
  EXPECT_EQ(io_.err, usageAfter("audit verify: --public-key needs a FILE"));
  EXPECT_EQ(run({"verify", tar_, "--key", pub_}), 2);
  EXPECT_EQ(io_.err, usageAfter("audit verify: unknown option '--key'"));
  EXPECT_EQ(run({"verify", tar_, tar_, "--public-key", pub_}), 2);
  EXPECT_EQ(io_.err,
            usageAfter("audit verify: one bundle at a time ('" + tar_ + "', then '" + tar_ + "')"));
  EXPECT_EQ(run({"verify", dir_ + "/absent.tar", "--public-key", pub_}), 2);
  EXPECT_EQ(io_.err,
            usageAfter("audit verify: no such file or directory: " + dir_ + "/absent.tar"));
  EXPECT_EQ(run({"verify", tar_, "--public-key", dir_ + "/absent.pem"}), 2);
  EXPECT_EQ(io_.err, usageAfter("audit verify: key file " + dir_ + "/absent.pem: no such file"));
  EXPECT_EQ(io_.out, "");
}

}  // namespace
}  // namespace jobengine::audit
