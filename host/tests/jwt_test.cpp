// TokenVerifier, TokenMinter and StreamTokenIssuer against real RSA and EC keys generated with
// OpenSSL in the test: every accepted algorithm, every refused claim, with the exact messages.
#include "auth/jwt_codec.hpp"
#include "auth/token_minter.hpp"
#include "auth/token_verifier.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <unistd.h>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <limits>
#include <memory>
#include <string>

namespace jobengine::host {
namespace {

struct KeyPair {
  std::string private_pem;
  std::string public_pem;
};

KeyPair generateKey(bool ec) {
  EVP_PKEY* raw = ec ? EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")
                     : EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048));
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(raw, &EVP_PKEY_free);
  EXPECT_NE(key, nullptr);
  auto toPem = [&key](bool priv) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
    if (priv) {
      PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    } else {
      PEM_write_bio_PUBKEY(bio.get(), key.get());
    }
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<size_t>(len));
  };
  return KeyPair{toPem(true), toPem(false)};
}

std::string writeTemp(const std::string& text) {
  std::string path = ::testing::TempDir() + "jwt_key_XXXXXX";
  const int fd = mkstemp(path.data());
  EXPECT_GE(fd, 0);
  close(fd);
  std::ofstream(path) << text;
  return path;
}

int64_t now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class JwtTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    rsa_ = new KeyPair(generateKey(false));
    ec_ = new KeyPair(generateKey(true));
    other_rsa_ = new KeyPair(generateKey(false));
  }
  static void TearDownTestSuite() {
    delete rsa_;
    delete ec_;
    delete other_rsa_;
  }

  AuthConfig config(const std::string& mode) const {
    AuthConfig c;
    c.mode = mode;
    c.issuer = "https://authority.test";
    c.audience = "jobengine";
    c.public_key_files = {writeTemp(rsa_->public_pem), writeTemp(ec_->public_pem)};
    if (mode == "dev") {
      c.hs256_secret = "dev-secret-0123456789";
    }
    c.stream_token_secret = "stream-secret";
    return c;
  }

  nlohmann::json claims() const {
    return {{"iss", "https://authority.test"},
            {"aud", "jobengine"},
            {"sub", "alice"},
            {"stellaops:tenant", "acme"},
            {"scope", "orch:read orch:operate"},
            {"exp", now() + 600},
            {"nbf", now() - 10}};
  }

  static std::string sign(JwtAlg alg, const std::string& key, const nlohmann::json& payload) {
    auto t = encodeJwt(alg, key, payload);
    EXPECT_TRUE(t.ok()) << (t.ok() ? "" : t.error());
    return t.ok() ? t.value() : std::string{};
  }

  static KeyPair* rsa_;
  static KeyPair* ec_;
  static KeyPair* other_rsa_;
};

KeyPair* JwtTest::rsa_ = nullptr;
KeyPair* JwtTest::ec_ = nullptr;
KeyPair* JwtTest::other_rsa_ = nullptr;

TEST_F(JwtTest, AcceptsRs256AndEs256WithClaims) {
  auto v = TokenVerifier::fromConfig(config("production"));
  ASSERT_TRUE(v.ok()) << v.error();
  for (const auto& [alg, key] : {std::pair{JwtAlg::kRs256, rsa_->private_pem},
                                 std::pair{JwtAlg::kEs256, ec_->private_pem}}) {
    auto p = v->verify(sign(alg, key, claims()));
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_EQ(p->subject, "alice");
    EXPECT_EQ(p->tenant, "acme");
    EXPECT_EQ(p->scopes, (std::vector<std::string>{"orch:read", "orch:operate"}));
    EXPECT_EQ(p->kind, TokenKind::kAccess);
  }
}

TEST_F(JwtTest, TenantFallsBackToTidAndScopesFromScpArray) {
  auto v = TokenVerifier::fromConfig(config("production"));
  ASSERT_TRUE(v.ok());
  auto c = claims();
  c.erase("stellaops:tenant");
  c.erase("scope");
  c["tid"] = "globex";
  c["scp"] = {"orch:quota", "orch:read"};
  c["aud"] = {"other", "jobengine"};
  auto p = v->verify(sign(JwtAlg::kRs256, rsa_->private_pem, c));
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->tenant, "globex");
  EXPECT_TRUE(p->hasScope("orch:quota"));
  EXPECT_FALSE(p->hasScope("orch:operate"));
}

TEST_F(JwtTest, RefusesWithPreciseMessages) {
  auto v = TokenVerifier::fromConfig(config("production"));
  ASSERT_TRUE(v.ok());
  auto expect = [&](const nlohmann::json& c, const std::string& message_start,
                    const std::string& key = "") {
    auto p = v->verify(sign(JwtAlg::kRs256, key.empty() ? rsa_->private_pem : key, c));
    ASSERT_FALSE(p.ok());
    EXPECT_EQ(p.error().code, "UNAUTHENTICATED");
    EXPECT_EQ(p.error().message.rfind(message_start, 0), 0U) << p.error().message;
  };
  auto c = claims();
  c["exp"] = 1000;
  expect(c, "token expired at 1970-01-01T00:16:40Z");
  c = claims();
  c["aud"] = "someone-else";
  expect(c, "audience mismatch");
  c = claims();
  c["iss"] = "https://evil.test";
  expect(c, "issuer mismatch");
  c = claims();
  c["nbf"] = now() + 3600;
  expect(c, "token not valid before");
  c = claims();
  c.erase("exp");
  expect(c, "token has no numeric exp claim");
  expect(claims(), "signature invalid", other_rsa_->private_pem);
}

TEST_F(JwtTest, ClockSkewIsHonoured) {
  auto cfg = config("production");
  cfg.clock_skew_seconds = 60;
  constexpr int64_t kExp = 1'000'000;
  auto v = TokenVerifier::fromConfig(cfg, [] { return kExp + 59; });
  ASSERT_TRUE(v.ok());
  auto c = claims();
  c["exp"] = kExp;
  c["nbf"] = kExp - 100;
  EXPECT_TRUE(v->verify(sign(JwtAlg::kEs256, ec_->private_pem, c)).ok());
  auto late = TokenVerifier::fromConfig(cfg, [] { return kExp + 61; });
  EXPECT_FALSE(late->verify(sign(JwtAlg::kEs256, ec_->private_pem, c)).ok());
}

TEST_F(JwtTest, Hs256OnlyInDevMode) {
  auto prod = TokenVerifier::fromConfig(config("production"));
  auto dev = TokenVerifier::fromConfig(config("dev"));
  ASSERT_TRUE(prod.ok());
  ASSERT_TRUE(dev.ok()) << dev.error();
  const auto token = sign(JwtAlg::kHs256, "dev-secret-0123456789", claims());
  auto refused = prod->verify(token);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message, "algorithm HS256 not allowed outside dev mode");
  EXPECT_TRUE(dev->verify(token).ok());
  EXPECT_FALSE(dev->verify(sign(JwtAlg::kHs256, "wrong-secret", claims())).ok());
}

TEST_F(JwtTest, ReservedTenantAndGarbageAreRefused) {
  auto v = TokenVerifier::fromConfig(config("production"));
  auto c = claims();
  c["stellaops:tenant"] = "system";
  auto p = v->verify(sign(JwtAlg::kRs256, rsa_->private_pem, c));
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, "TENANT_RESERVED");
  EXPECT_FALSE(v->verify("not-a-token").ok());
  EXPECT_FALSE(v->verify("a.b.c").ok());
  // alg "none" is never allowed.
  const std::string none_token = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.x";
  auto n = v->verify(none_token);
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.error().message.rfind("algorithm none not allowed", 0), 0U) << n.error().message;
}

TEST_F(JwtTest, ConfigErrorsNameTheProblem) {
  auto cfg = config("production");
  cfg.public_key_files = {"/nonexistent/key.pem"};
  auto v = TokenVerifier::fromConfig(cfg);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.error().find("/nonexistent/key.pem"), std::string::npos);
  cfg.public_key_files = {writeTemp("garbage")};
  EXPECT_FALSE(TokenVerifier::fromConfig(cfg).ok());
  cfg = config("production");
  cfg.hs256_secret = "x";
  EXPECT_FALSE(TokenVerifier::fromConfig(cfg).ok());
}

TEST_F(JwtTest, MinterWorksOnlyInDevModeAndTokensVerify) {
  EXPECT_FALSE(TokenMinter::fromConfig(config("production")).ok());
  auto minter = TokenMinter::fromConfig(config("dev"));
  ASSERT_TRUE(minter.ok()) << minter.error();
  auto token = minter->mint(MintRequest{"acme", "bob", {"orch:read", "orch:operate"}, 3600});
  ASSERT_TRUE(token.ok()) << token.error();
  auto v = TokenVerifier::fromConfig(config("dev"));
  auto p = v->verify(token.value());
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->tenant, "acme");
  EXPECT_EQ(p->subject, "bob");
  EXPECT_TRUE(p->hasScope("orch:operate"));
  EXPECT_FALSE(minter->mint(MintRequest{"system", "bob", {}, 60}).ok());
  EXPECT_FALSE(minter->mint(MintRequest{"acme", "bob", {}, 0}).ok());
}

TEST_F(JwtTest, StreamTokensOnlyOnTheStreamPath) {
  auto issuer = StreamTokenIssuer::fromConfig(config("production"));
  ASSERT_TRUE(issuer.ok());
  Principal caller{"alice", "acme", {"orch:read"}, TokenKind::kAccess, 0};
  auto st = issuer->issue(caller, "acme");
  ASSERT_TRUE(st.ok()) << st.error();
  EXPECT_GT(st->expires_at, now());
  EXPECT_LE(st->expires_at, now() + 301);
  // A second replica with the same configured secret accepts it.
  auto replica = TokenVerifier::fromConfig(config("production"));
  auto p = replica->verifyStreamToken(st->token);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->kind, TokenKind::kStream);
  EXPECT_EQ(p->tenant, "acme");
  EXPECT_TRUE(p->hasScope("orch:read"));
  // Not an access token, even in dev mode.
  auto dev_cfg = config("dev");
  dev_cfg.hs256_secret = "stream-secret";
  EXPECT_FALSE(TokenVerifier::fromConfig(dev_cfg)->verify(st->token).ok());
  EXPECT_FALSE(replica->verify(st->token).ok());
  // An access token is not a stream token.
  EXPECT_FALSE(replica->verifyStreamToken(sign(JwtAlg::kRs256, rsa_->private_pem, claims())).ok());
  // A different secret (another deployment) refuses it.
  auto other = config("production");
  other.stream_token_secret = "different";
  EXPECT_FALSE(TokenVerifier::fromConfig(other)->verifyStreamToken(st->token).ok());
}

// Found by fuzz/jwt_fuzz: exp and nbf beyond int64_t (1e96, or INT64_MAX plus the skew) were
// converted and added unchecked (undefined behaviour); they are clamped to a far-away date now.
TEST_F(JwtTest, HugeNumericDatesAreClamped) {
  auto v = TokenVerifier::fromConfig(config("production"));
  ASSERT_TRUE(v.ok());
  auto verify = [&](const nlohmann::json& c) {
    return v->verify(sign(JwtAlg::kRs256, rsa_->private_pem, c));
  };
  auto c = claims();
  c["exp"] = 1e96;
  EXPECT_TRUE(verify(c).ok());
  c["exp"] = std::numeric_limits<int64_t>::max();
  EXPECT_TRUE(verify(c).ok());
  c["exp"] = std::numeric_limits<uint64_t>::max();
  EXPECT_TRUE(verify(c).ok());
  c["exp"] = -1e96;
  ASSERT_FALSE(verify(c).ok());
  EXPECT_EQ(verify(c).error().message.rfind("token expired at", 0), 0U);
  c = claims();
  c["nbf"] = 1e96;
  ASSERT_FALSE(verify(c).ok());
  EXPECT_EQ(verify(c).error().message.rfind("token not valid before", 0), 0U);
}

}  // namespace
}  // namespace jobengine::host
