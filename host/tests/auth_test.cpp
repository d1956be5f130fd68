// RequestAuthorizer: every SPEC §5 rule (401, tenant 403s, scope 403, operator headers, header
// limits, legacy header names, public routes) with real ES256 tokens.
#include "auth/jwt_codec.hpp"
#include "auth/request_authorizer.hpp"

#include <jobengine/abi.h>

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <unistd.h>
#include <chrono>
#include <fstream>
#include <memory>

namespace jobengine::host {
namespace {

class AuthorizerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
        EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"), &EVP_PKEY_free);
    ASSERT_NE(key, nullptr);
    std::unique_ptr<BIO, decltype(&BIO_free)> priv(BIO_new(BIO_s_mem()), &BIO_free);
    std::unique_ptr<BIO, decltype(&BIO_free)> pub(BIO_new(BIO_s_mem()), &BIO_free);
    PEM_write_bio_PrivateKey(priv.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    PEM_write_bio_PUBKEY(pub.get(), key.get());
    char* data = nullptr;
    long len = BIO_get_mem_data(priv.get(), &data);
    private_pem_.assign(data, static_cast<size_t>(len));
    len = BIO_get_mem_data(pub.get(), &data);
    std::string path = ::testing::TempDir() + "authz_key_XXXXXX";
    const int fd = mkstemp(path.data());
    ASSERT_GE(fd, 0);
    close(fd);
    std::ofstream(path) << std::string(data, static_cast<size_t>(len));
    AuthConfig cfg;
    cfg.mode = "production";
    cfg.issuer = "iss";
    cfg.audience = "jobengine";
    cfg.public_key_files = {path};
    auto v = TokenVerifier::fromConfig(cfg);
    ASSERT_TRUE(v.ok()) << v.error();
    verifier_ = std::make_unique<TokenVerifier>(std::move(v).value());
    authz_ = std::make_unique<RequestAuthorizer>(*verifier_);
  }

  std::string token(const std::string& tenant, const std::string& scopes) const {
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    nlohmann::json c = {{"iss", "iss"},
                        {"aud", "jobengine"},
                        {"sub", "alice"},
                        {"scope", scopes},
                        {"exp", now + 600}};
    if (!tenant.empty()) {
      c["stellaops:tenant"] = tenant;
    }
    return "Bearer " + encodeJwt(JwtAlg::kEs256, private_pem_, c).value();
  }

  Result<AuthContext, HttpError> run(const HeaderMap& h, const char* method,
                                     const std::string& scope, uint32_t flags = 0) const {
    return authz_->authorize(h, RouteRequirement::forRoute(method, scope, flags));
  }

  static void expectError(const Result<AuthContext, HttpError>& r, int status,
                          const std::string& code) {
    ASSERT_FALSE(r.ok()) << "expected " << code;
    EXPECT_EQ(r.error().status, status) << r.error().message;
    EXPECT_EQ(r.error().code, code) << r.error().message;
  }

  std::string private_pem_;
  std::unique_ptr<TokenVerifier> verifier_;
  std::unique_ptr<RequestAuthorizer> authz_;
};

TEST_F(AuthorizerTest, MissingOrBadTokenIs401) {
  expectError(run({}, "GET", "orch:read"), 401, "UNAUTHENTICATED");
  expectError(run({{"Authorization", "Basic abc"}}, "GET", "orch:read"), 401, "UNAUTHENTICATED");
  expectError(run({{"authorization", "Bearer x.y.z"}}, "GET", "orch:read"), 401, "UNAUTHENTICATED");
}

TEST_F(AuthorizerTest, PublicRoutesSkipEverything) {
  auto r = run({}, "GET", "", JE_ROUTE_PUBLIC);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->authenticated);
}

TEST_F(AuthorizerTest, TenantFromTokenHeaderOrLegacyHeader) {
  auto r = run({{"Authorization", token("acme", "orch:read")}, {"x-stellaops-project", "p1"}},
               "GET", "orch:read");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->tenant, "acme");
  EXPECT_EQ(r->project, "p1");
  EXPECT_EQ(r->subject, "alice");

  auto same = run({{"Authorization", token("acme", "orch:read")}, {"X-StellaOps-Tenant", "acme"}},
                  "GET", "orch:read");
  EXPECT_TRUE(same.ok());

  auto from_header = run({{"Authorization", token("", "orch:read")},
                          {"X-Stella-Tenant", "globex"},
                          {"X-Stella-Project", "legacy-p"}},
                         "GET", "orch:read");
  ASSERT_TRUE(from_header.ok()) << from_header.error().message;
  EXPECT_EQ(from_header->tenant, "globex");
  EXPECT_EQ(from_header->project, "legacy-p");
}

TEST_F(AuthorizerTest, TenantRules) {
  expectError(run({{"Authorization", token("acme", "orch:read")}, {"X-StellaOps-Tenant", "other"}},
                  "GET", "orch:read"),
              403, "TENANT_MISMATCH");
  expectError(run({{"Authorization", token("acme", "orch:read")}, {"X-Stella-Tenant", "other"}},
                  "GET", "orch:read"),
              403, "TENANT_MISMATCH");
  expectError(run({{"Authorization", token("", "orch:read")}}, "GET", "orch:read"), 403,
              "TENANT_REQUIRED");
  expectError(run({{"Authorization", token("", "orch:read")}, {"X-StellaOps-Tenant", "system"}},
                  "GET", "orch:read"),
              403, "TENANT_RESERVED");
  expectError(run({{"Authorization", token("system", "orch:read")}}, "GET", "orch:read"), 403,
              "TENANT_RESERVED");
  expectError(run({{"Authorization", token("", "orch:read")}, {"X-StellaOps-Tenant", "a b"}}, "GET",
                  "orch:read"),
              400, "INVALID_HEADER");
  expectError(run({{"Authorization", token("", "orch:read")},
                   {"X-StellaOps-Tenant", "a"},
                   {"X-Stella-Tenant", "b"}},
                  "GET", "orch:read"),
              400, "INVALID_HEADER");
}

TEST_F(AuthorizerTest, ScopeMissingNamesTheScope) {
  auto r =
      run({{"Authorization", token("acme", "orch:read")}, {"X-StellaOps-Operator-Reason", "x"}},
          "POST", "orch:operate");
  expectError(r, 403, "SCOPE_MISSING");
  EXPECT_EQ(r.error().details["requiredScope"], "orch:operate");
}

TEST_F(AuthorizerTest, OperatorReasonRequiredForOperateAndQuota) {
  for (const std::string scope : {"orch:operate", "orch:quota"}) {
    expectError(run({{"Authorization", token("acme", scope)}}, "POST", scope), 400,
                "OPERATOR_REASON_REQUIRED");
    auto ok =
        run({{"Authorization", token("acme", scope)}, {"X-Stella-Operator-Reason", "stuck job"}},
            "POST", scope);
    ASSERT_TRUE(ok.ok()) << ok.error().message;
    EXPECT_EQ(ok->reason, "stuck job");
    // Reads with the same scope need no reason.
    EXPECT_TRUE(run({{"Authorization", token("acme", scope)}}, "GET", scope).ok());
  }
  // orch:read mutations (none exist today) need no reason.
  EXPECT_TRUE(run({{"Authorization", token("acme", "orch:read")}}, "POST", "orch:read").ok());
}

TEST_F(AuthorizerTest, BackfillNeedsReasonAndTicket) {
  const auto t = token("acme", "orch:backfill");
  expectError(run({{"Authorization", t}}, "POST", "orch:backfill"), 400,
              "OPERATOR_REASON_REQUIRED");
  expectError(
      run({{"Authorization", t}, {"X-StellaOps-Operator-Reason", "r"}}, "POST", "orch:backfill"),
      400, "OPERATOR_TICKET_REQUIRED");
  auto ok = run({{"Authorization", t},
                 {"X-StellaOps-Operator-Reason", "r"},
                 {"X-StellaOps-Operator-Ticket", "INC-1"}},
                "PATCH", "orch:backfill");
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->ticket, "INC-1");
}

TEST_F(AuthorizerTest, TooLongHeadersAre400NamingHeaderAndLimit) {
  const auto t = token("acme", "orch:backfill");
  auto r = run({{"Authorization", t}, {"X-StellaOps-Operator-Reason", std::string(257, 'r')}},
               "POST", "orch:backfill");
  expectError(r, 400, "INVALID_HEADER");
  EXPECT_NE(r.error().message.find("X-StellaOps-Operator-Reason"), std::string::npos);
  EXPECT_NE(r.error().message.find("256"), std::string::npos);
  EXPECT_TRUE(run({{"Authorization", t},
                   {"X-StellaOps-Operator-Reason", std::string(256, 'r')},
                   {"X-StellaOps-Operator-Ticket", std::string(128, 't')}},
                  "POST", "orch:backfill")
                  .ok());
  auto legacy = run({{"Authorization", t},
                     {"X-StellaOps-Operator-Reason", "r"},
                     {"X-Stella-Operator-Ticket", std::string(129, 't')}},
                    "POST", "orch:backfill");
  expectError(legacy, 400, "INVALID_HEADER");
  EXPECT_NE(legacy.error().message.find("X-Stella-Operator-Ticket"), std::string::npos);
  EXPECT_NE(legacy.error().message.find("128"), std::string::npos);
}

TEST_F(AuthorizerTest, DecideAcceptsAStreamPrincipal) {
  Principal p{"alice", "acme", {"orch:read"}, TokenKind::kStream, 0};
  auto r = RequestAuthorizer::decide(p, {{"X-StellaOps-Tenant", "acme"}},
                                     RouteRequirement::forRoute("GET", "orch:read", 0));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->token_kind, TokenKind::kStream);
}

}  // namespace
}  // namespace jobengine::host
