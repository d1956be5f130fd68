// Ed25519 keys of the audit plugin (SPEC §7): the private key that signs export manifests (the
// [plugins.audit] signing_key_file) and the public key a verifier checks them with. OpenSSL 3
// EVP, plain C++ (no ABI types), so the export job, the keys route and `jobengine audit verify`
// share one definition of a key id.
//
// keyId = lower-case hex sha256 of the raw 32-byte public key. Ed25519 signatures are
// deterministic (RFC 8032): the same key signing the same bytes gives the same signature, which
// makes two exports of the same data byte-identical.
#pragma once

#include <openssl/evp.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace jobengine::audit {

// A key that cannot be read, parsed, written or used; what() names the file when there is one.
class KeyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct EvpPkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyFree>;

// An Ed25519 public key: checks signatures and names itself by keyId.
class PublicKey {
 public:
  // From SPKI PEM ("-----BEGIN PUBLIC KEY-----"). `origin` (a file name) goes into errors.
  static PublicKey fromPem(std::string_view pem, const std::string& origin = "public key");
  // Reads and parses a PEM file; the error names the file.
  static PublicKey load(const std::string& path);

  const std::string& keyId() const { return key_id_; }
  std::string pem() const;
  // True when `signature` is this key's Ed25519 signature of `bytes`.
  bool verify(std::string_view bytes, std::string_view signature) const;

 private:
  explicit PublicKey(EvpPkeyPtr key);
  EvpPkeyPtr key_;
  std::string key_id_;
};

// An Ed25519 private key.
class SigningKey {
 public:
  // A fresh random key.
  static SigningKey generate();
  // From a PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----", unencrypted) or a raw seed written as 64
  // hex digits. `origin` (a file name) goes into errors.
  static SigningKey fromPem(std::string_view text, const std::string& origin = "private key");
  // Reads a key file (either form above); the error names the file and what is wrong.
  static SigningKey load(const std::string& path);
  // From the 32-byte RFC 8032 seed.
  static SigningKey fromSeed(std::string_view seed);

  // Writes the key as PKCS#8 PEM to a new file with mode 0600, creating missing parent
  // directories. Refuses to replace an existing file (a signing key is never overwritten).
  void save(const std::string& path) const;

  std::string privateKeyPem() const;
  std::string publicKeyPem() const;
  PublicKey publicKey() const;
  const std::string& keyId() const { return key_id_; }
  // The 64-byte Ed25519 signature of bytes.
  std::string sign(std::string_view bytes) const;

 private:
  explicit SigningKey(EvpPkeyPtr key);
  EvpPkeyPtr key_;
  std::string key_id_;
};

// True when `signature` is a valid signature of `bytes` by the key in `public_key_pem`. Throws
// KeyError when the PEM is not an Ed25519 public key.
bool verifySignature(std::string_view bytes, std::string_view signature,
                     std::string_view public_key_pem);

// What the keys route shows for a key: {"keyId", "algorithm": "ed25519", "publicKeyPem"}.
nlohmann::json publicKeyDocument(const PublicKey& key);
nlohmann::json publicKeyDocument(const SigningKey& key);

}  // namespace jobengine::audit
