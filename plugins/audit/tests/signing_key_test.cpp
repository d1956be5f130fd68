// Ed25519 keys: generate, save (mode 0600, parent directories made, never overwritten), load
// back, key ids and signatures against RFC 8032's first test vector, and the errors a bad key
// file gets (each names the file).
#include "core/signing_key.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>

#include <filesystem>

#include "support/bundle_fixture.hpp"

namespace jobengine::audit {
namespace {

namespace fs = std::filesystem;
using testing::makeTempDir;
using testing::readFile;
using testing::writeFile;

std::string unhex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

std::string tohex(const std::string& bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (const char c : bytes) {
    out.push_back(kHex[static_cast<unsigned char>(c) >> 4U]);
    out.push_back(kHex[static_cast<unsigned char>(c) & 0xFU]);
  }
  return out;
}

// RFC 8032 §7.1, TEST 1.
const std::string kRfcSeed = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
const std::string kRfcPublic = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
const std::string kRfcEmptySig =
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9"
    "b46bd25bf5f0595bbe24655141438e7a100b";

std::string loadError(const std::string& path) {
  try {
    SigningKey::load(path);
  } catch (const KeyError& e) {
    return e.what();
  }
  return "loaded";
}

class SigningKeyTest : public ::testing::Test {
 protected:
  void TearDown() override { fs::remove_all(dir_); }
  std::string dir_ = makeTempDir("keys");
};

TEST_F(SigningKeyTest, KeyIdAndSignatureFollowRfc8032) {
  const SigningKey key = SigningKey::fromSeed(unhex(kRfcSeed));
  EXPECT_EQ(key.keyId(), sdk::sha256Hex(unhex(kRfcPublic)));
  EXPECT_EQ(tohex(key.sign("")), kRfcEmptySig);
  EXPECT_TRUE(key.publicKey().verify("", unhex(kRfcEmptySig)));
  EXPECT_EQ(key.publicKey().keyId(), key.keyId());
  // The same key from its hex seed in a file (the config's "raw seed" form).
  writeFile(dir_ + "/seed.hex", kRfcSeed + "\n");
  EXPECT_EQ(SigningKey::load(dir_ + "/seed.hex").keyId(), key.keyId());
}

TEST_F(SigningKeyTest, GeneratedKeySavesWithMode0600AndLoadsBack) {
  const SigningKey key = SigningKey::generate();
  const std::string path = dir_ + "/nested/deeper/signing.pem";
  key.save(path);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777U, 0600U);
  const std::string pem = readFile(path);
  EXPECT_EQ(pem.rfind("-----BEGIN PRIVATE KEY-----\n", 0), 0u) << pem;

  const SigningKey loaded = SigningKey::load(path);
  EXPECT_EQ(loaded.keyId(), key.keyId());
  EXPECT_EQ(loaded.privateKeyPem(), key.privateKeyPem());
  EXPECT_EQ(loaded.sign("bundle"), key.sign("bundle"));  // Ed25519 is deterministic
  EXPECT_TRUE(verifySignature("bundle", key.sign("bundle"), loaded.publicKeyPem()));
  EXPECT_FALSE(verifySignature("bundle!", key.sign("bundle"), loaded.publicKeyPem()));
  EXPECT_NE(SigningKey::generate().keyId(), key.keyId());
}

TEST_F(SigningKeyTest, SaveNeverReplacesAKey) {
  const std::string path = dir_ + "/signing.pem";
  SigningKey::generate().save(path);
  const std::string before = readFile(path);
  try {
    SigningKey::generate().save(path);
    FAIL() << "overwrote " << path;
  } catch (const KeyError& e) {
    EXPECT_EQ(std::string(e.what()),
              "key file " + path +
                  ": cannot create (File exists; an existing signing key is never replaced)");
  }
  EXPECT_EQ(readFile(path), before);
}

TEST_F(SigningKeyTest, PublicKeyPemRoundTripsAndNamesItsKey) {
  const SigningKey key = SigningKey::generate();
  const std::string pem = key.publicKeyPem();
  EXPECT_EQ(pem.rfind("-----BEGIN PUBLIC KEY-----\n", 0), 0u) << pem;
  const PublicKey pub = PublicKey::fromPem(pem);
  EXPECT_EQ(pub.keyId(), key.keyId());
  EXPECT_EQ(pub.pem(), pem);
  writeFile(dir_ + "/pub.pem", pem);
  EXPECT_EQ(PublicKey::load(dir_ + "/pub.pem").keyId(), key.keyId());

  const nlohmann::json doc = publicKeyDocument(key);
  EXPECT_EQ(doc, (nlohmann::json{
                     {"keyId", key.keyId()}, {"algorithm", "ed25519"}, {"publicKeyPem", pem}}));
}

TEST_F(SigningKeyTest, BadKeyFilesAreNamedWithTheProblem) {
  EXPECT_EQ(loadError(dir_ + "/absent.pem"), "key file " + dir_ + "/absent.pem: no such file");
  EXPECT_EQ(loadError(dir_), "key file " + dir_ + ": not a regular file");

  writeFile(dir_ + "/garbage.pem", "not a key\n");
  EXPECT_EQ(loadError(dir_ + "/garbage.pem")
                .rfind("key file " + dir_ +
                           "/garbage.pem: not a PKCS#8 PEM private key (\"-----BEGIN PRIVATE "
                           "KEY-----\") nor a 64-hex-digit Ed25519 seed: ",
                       0),
            0u)
      << loadError(dir_ + "/garbage.pem");

  writeFile(dir_ + "/enc.pem",
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n"
            "-----END ENCRYPTED PRIVATE KEY-----\n");
  EXPECT_EQ(loadError(dir_ + "/enc.pem"),
            "key file " + dir_ +
                "/enc.pem: the key is encrypted; the audit plugin needs an unencrypted PKCS#8 key "
                "(protect the file by its mode, 0600)");

  // A valid PKCS#8 key of another algorithm (X25519).
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_X25519, nullptr);
  EVP_PKEY* x25519 = nullptr;
  ASSERT_EQ(EVP_PKEY_keygen_init(ctx), 1);
  ASSERT_EQ(EVP_PKEY_keygen(ctx, &x25519), 1);
  EVP_PKEY_CTX_free(ctx);
  BIO* bio = BIO_new(BIO_s_mem());
  ASSERT_EQ(PEM_write_bio_PrivateKey(bio, x25519, nullptr, nullptr, 0, nullptr, nullptr), 1);
  std::string pem(BIO_ctrl_pending(bio), '\0');
  BIO_read(bio, pem.data(), static_cast<int>(pem.size()));
  BIO_free(bio);
  EVP_PKEY_free(x25519);
  writeFile(dir_ + "/x25519.pem", pem);
  EXPECT_EQ(loadError(dir_ + "/x25519.pem"),
            "key file " + dir_ + "/x25519.pem: not an Ed25519 key (X25519)");

  // A public key where a private one is expected, and the other way round.
  const SigningKey key = SigningKey::generate();
  writeFile(dir_ + "/pub.pem", key.publicKeyPem());
  EXPECT_NE(loadError(dir_ + "/pub.pem").find("not a PKCS#8 PEM private key"), std::string::npos);
  try {
    PublicKey::fromPem(key.privateKeyPem(), "key file k.pem");
    FAIL() << "a private key parsed as a public key";
  } catch (const KeyError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("key file k.pem: not a PEM public key", 0), 0u)
        << e.what();
  }
}

}  // namespace
}  // namespace jobengine::audit
