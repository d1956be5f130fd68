// Unit tests of the egress guard (egress_guard.hpp): the decision table.
#include "jobengine/adapter/egress_guard.hpp"

#include <gtest/gtest.h>

namespace jobengine::adapter {
namespace {

struct Row {
  std::vector<std::string> allowlist;
  bool airgap;
  const char* uri;
  const char* code;  // "" = allowed
};

TEST(EgressGuard, DecisionTable) {
  const std::vector<std::string> list = {"api.osv.dev", "mirror.local:8443", "*.nist.gov",
                                         " CISA.gov "};
  const Row rows[] = {
      {list, false, "https://api.osv.dev/v1/vulns", ""},
      {list, false, "https://API.OSV.DEV./v1/vulns", ""},  // case and trailing dot
      {list, false, "http://api.osv.dev:8080/", ""},       // a bare host allows any port
      {list, false, "https://evil.osv.dev/", "EGRESS_NOT_ALLOWED"},
      {list, false, "https://mirror.local:8443/x", ""},
      {list, false, "https://mirror.local/x", "EGRESS_NOT_ALLOWED"},  // 443 != 8443
      {list, false, "https://services.nvd.nist.gov/rest", ""},
      {list, false, "https://nvd.nist.gov/", ""},
      {list, false, "https://nist.gov/", "EGRESS_NOT_ALLOWED"},  // "*." is subdomains only
      {list, false, "https://evilnist.gov/", "EGRESS_NOT_ALLOWED"},
      {list, false, "https://www.cisa.gov/", "EGRESS_NOT_ALLOWED"},
      {list, false, "https://cisa.gov/", ""},
      {list, false, "file:///srv/mirror/kev.json", ""},
      {list, true, "file:///srv/mirror/kev.json", ""},  // the offline mirror, even air-gapped
      {list, true, "https://api.osv.dev/", "EGRESS_AIRGAP"},
      {{}, false, "https://api.osv.dev/", "EGRESS_NOT_ALLOWED"},  // fail closed
      {{}, false, "file:///x", ""},
      {{"*.", "*", ":443", ""}, false, "https://a.b/", "EGRESS_NOT_ALLOWED"},
      {{"127.0.0.1"}, false, "http://127.0.0.1:5000/", ""},
      {{"[::1]:9000"}, false, "http://[::1]:9000/", ""},
      {{"[::1]:9000"}, false, "http://[::1]:9001/", "EGRESS_NOT_ALLOWED"},
      {{"*.example.com:8443"}, false, "https://a.example.com:8443/", ""},
      {{"*.example.com:8443"}, false, "https://a.example.com/", "EGRESS_NOT_ALLOWED"},
      {list, false, "gopher://api.osv.dev/", "URI_INVALID"},
  };
  for (const auto& row : rows) {
    const EgressDecision d = checkEgress(EgressGuard{row.allowlist, row.airgap}, row.uri);
    EXPECT_EQ(d.code, row.code) << row.uri << " airgap=" << row.airgap << ": " << d.message;
    EXPECT_EQ(d.allowed, std::string(row.code).empty()) << row.uri;
  }
}

TEST(EgressGuard, MessagesNameTheHostAndTheAllowlist) {
  const auto d =
      checkEgress(EgressGuard{{"api.osv.dev", "*.nist.gov"}, false}, "https://evil.example/x");
  EXPECT_EQ(d.message,
            "host 'evil.example:443' is not on the egress allowlist [api.osv.dev, "
            "*.nist.gov]");
  const auto empty = checkEgress(EgressGuard{}, "https://evil.example/x");
  EXPECT_NE(empty.message.find("allowlist is empty"), std::string::npos) << empty.message;
  const auto airgap = checkEgress(EgressGuard{{"evil.example"}, true}, "http://evil.example/x");
  EXPECT_EQ(airgap.message,
            "air-gap mode allows file:// mirrors only; refused http://evil.example:80");
}

}  // namespace
}  // namespace jobengine::adapter
