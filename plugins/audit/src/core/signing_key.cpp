// Ed25519 keys over OpenSSL 3 EVP (signing_key.hpp says what a key id is and why signatures
// are deterministic).
#include "core/signing_key.hpp"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <utility>

#include <jobengine/canonical_json.hpp>

#include "core/errno_text.hpp"
#include "core/openssl_handles.hpp"

namespace jobengine::audit {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxKeyFileBytes = size_t{64} * 1024;
constexpr size_t kSeedBytes = 32;
constexpr size_t kSignatureBytes = 64;

// The oldest queued OpenSSL error as text (the queue is cleared), or `fallback`.
std::string opensslError(const char* fallback) {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) {
    return fallback;
  }
  std::array<char, 256> buf{};
  ERR_error_string_n(code, buf.data(), buf.size());
  return buf.data();
}

// Never prompts for a passphrase: an encrypted key fails to load instead of blocking on a tty.
int noPassphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*user*/) { return -1; }

BioPtr memoryBio(std::string_view text, const std::string& origin) {
  if (text.size() > static_cast<size_t>(INT_MAX)) {
    throw KeyError(origin + ": too large for a key");
  }
  BioPtr bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  if (!bio) {
    throw KeyError(origin + ": " + opensslError("out of memory"));
  }
  return bio;
}

std::string drain(BIO* bio) {
  std::string out(BIO_ctrl_pending(bio), '\0');
  if (!out.empty() &&
      BIO_read(bio, out.data(), static_cast<int>(out.size())) != static_cast<int>(out.size())) {
    throw KeyError("cannot read PEM output: " + opensslError("BIO_read failed"));
  }
  return out;
}

std::string readKeyFile(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    throw KeyError("key file " + path + ": " +
                   (fs::exists(path, ec) ? "not a regular file" : "no such file"));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw KeyError("key file " + path + ": cannot open (" + errnoText() + ")");
  }
  std::string text(kMaxKeyFileBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kMaxKeyFileBytes) {
    throw KeyError("key file " + path + ": larger than " + std::to_string(kMaxKeyFileBytes) +
                   " bytes, not a key");
  }
  return text;
}

void requireEd25519(const EVP_PKEY* key, const std::string& origin) {
  if (EVP_PKEY_get_id(key) != EVP_PKEY_ED25519) {
    throw KeyError(origin + ": not an Ed25519 key (" + EVP_PKEY_get0_type_name(key) + ")");
  }
}

std::string keyIdOf(const EVP_PKEY* key) {
  std::array<unsigned char, kSeedBytes> raw{};
  size_t len = raw.size();
  if (EVP_PKEY_get_raw_public_key(key, raw.data(), &len) != 1 || len != raw.size()) {
    throw KeyError("cannot read the raw public key: " + opensslError("unknown error"));
  }
  return sdk::sha256Hex(std::string_view(reinterpret_cast<const char*>(raw.data()), len));
}

std::string publicPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key) != 1) {
    throw KeyError("cannot write the public key as PEM: " + opensslError("unknown error"));
  }
  return drain(bio.get());
}

// "ab01..." (64 hex digits, surrounding whitespace ignored) as 32 bytes; nullopt otherwise.
std::optional<std::string> hexSeed(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())) != 0) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())) != 0) {
    text.remove_suffix(1);
  }
  if (text.size() != 2 * kSeedBytes) {
    return std::nullopt;
  }
  std::string seed;
  for (size_t i = 0; i < text.size(); i += 2) {
    int byte = 0;
    for (size_t k = 0; k < 2; ++k) {
      const char c = static_cast<char>(std::tolower(static_cast<unsigned char>(text[i + k])));
      const int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      if (v < 0) {
        return std::nullopt;
      }
      byte = byte * 16 + v;
    }
    seed.push_back(static_cast<char>(byte));
  }
  return seed;
}

}  // namespace

// ---- PublicKey ----

PublicKey::PublicKey(EvpPkeyPtr key) : key_(std::move(key)), key_id_(keyIdOf(key_.get())) {}

PublicKey PublicKey::fromPem(std::string_view pem, const std::string& origin) {
  BioPtr bio = memoryBio(pem, origin);
  EvpPkeyPtr key(PEM_read_bio_PUBKEY(bio.get(), nullptr, noPassphrase, nullptr));
  if (!key) {
    throw KeyError(origin + ": not a PEM public key (\"-----BEGIN PUBLIC KEY-----\"): " +
                   opensslError("no key found"));
  }
  requireEd25519(key.get(), origin);
  return PublicKey(std::move(key));
}

PublicKey PublicKey::load(const std::string& path) {
  return fromPem(readKeyFile(path), "key file " + path);
}

std::string PublicKey::pem() const { return publicPem(key_.get()); }

bool PublicKey::verify(std::string_view bytes, std::string_view signature) const {
  if (signature.size() != kSignatureBytes) {
    return false;
  }
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) != 1) {
    throw KeyError("cannot start an Ed25519 verification: " + opensslError("unknown error"));
  }
  const int rc = EVP_DigestVerify(
      ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
      reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  ERR_clear_error();  // a bad signature queues an error nobody reads
  return rc == 1;
}

// ---- SigningKey ----

SigningKey::SigningKey(EvpPkeyPtr key) : key_(std::move(key)), key_id_(keyIdOf(key_.get())) {}

SigningKey SigningKey::generate() {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_keygen(ctx.get(), &raw) != 1) {
    throw KeyError("cannot generate an Ed25519 key: " + opensslError("unknown error"));
  }
  return SigningKey(EvpPkeyPtr(raw));
}

SigningKey SigningKey::fromSeed(std::string_view seed) {
  if (seed.size() != kSeedBytes) {
    throw KeyError("an Ed25519 seed has 32 bytes, not " + std::to_string(seed.size()));
  }
  EvpPkeyPtr key(EVP_PKEY_new_raw_private_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(seed.data()), seed.size()));
  if (!key) {
    throw KeyError("cannot build an Ed25519 key from a seed: " + opensslError("unknown error"));
  }
  return SigningKey(std::move(key));
}

SigningKey SigningKey::fromPem(std::string_view text, const std::string& origin) {
  if (const auto seed = hexSeed(text)) {
    return fromSeed(*seed);
  }
  if (text.find("-----BEGIN ENCRYPTED PRIVATE KEY-----") != std::string_view::npos) {
    throw KeyError(origin + ": the key is encrypted; the audit plugin needs an unencrypted " +
                   "PKCS#8 key (protect the file by its mode, 0600)");
  }
  BioPtr bio = memoryBio(text, origin);
  EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, noPassphrase, nullptr));
  if (!key) {
    throw KeyError(origin + ": not a PKCS#8 PEM private key (\"-----BEGIN PRIVATE KEY-----\") " +
                   "nor a 64-hex-digit Ed25519 seed: " + opensslError("no key found"));
  }
  requireEd25519(key.get(), origin);
  return SigningKey(std::move(key));
}

SigningKey SigningKey::load(const std::string& path) {
  return fromPem(readKeyFile(path), "key file " + path);
}

void SigningKey::save(const std::string& path) const {
  const std::string pem = privateKeyPem();
  const fs::path target(path);
  std::error_code ec;
  if (target.has_parent_path()) {
    fs::create_directories(target.parent_path(), ec);
    if (ec) {
      throw KeyError("key file " + path + ": cannot create its directory (" + ec.message() + ")");
    }
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    throw KeyError("key file " + path + ": cannot create (" + errnoText() +
                   (errno == EEXIST ? "; an existing signing key is never replaced" : "") + ")");
  }
  bool ok = ::fchmod(fd, 0600) == 0;  // whatever the umask allowed, 0600 exactly
  size_t written = 0;
  while (ok && written < pem.size()) {
    const ssize_t n = ::write(fd, pem.data() + written, pem.size() - written);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    ok = n > 0;
    written += ok ? static_cast<size_t>(n) : 0;
  }
  ok = ok && ::fsync(fd) == 0;
  const int saved_errno = errno;
  ok = ::close(fd) == 0 && ok;
  if (!ok) {
    ::unlink(path.c_str());
    throw KeyError("key file " + path + ": cannot write (" + errnoText(saved_errno) + ")");
  }
}

std::string SigningKey::privateKeyPem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    throw KeyError("cannot write the private key as PEM: " + opensslError("unknown error"));
  }
  return drain(bio.get());
}

std::string SigningKey::publicKeyPem() const { return publicPem(key_.get()); }

PublicKey SigningKey::publicKey() const { return PublicKey::fromPem(publicKeyPem()); }

std::string SigningKey::sign(std::string_view bytes) const {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  std::string signature(kSignatureBytes, '\0');
  size_t len = signature.size();
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) != 1 ||
      EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &len,
                     reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()) != 1) {
    throw KeyError("Ed25519 signing failed: " + opensslError("unknown error"));
  }
  signature.resize(len);
  return signature;
}

bool verifySignature(std::string_view bytes, std::string_view signature,
                     std::string_view public_key_pem) {
  return PublicKey::fromPem(public_key_pem).verify(bytes, signature);
}

nlohmann::json publicKeyDocument(const PublicKey& key) {
  return {{"keyId", key.keyId()}, {"algorithm", "ed25519"}, {"publicKeyPem", key.pem()}};
}

nlohmann::json publicKeyDocument(const SigningKey& key) {
  return publicKeyDocument(key.publicKey());
}

}  // namespace jobengine::audit
