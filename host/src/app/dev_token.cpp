// See dev_token.hpp.
#include "app/dev_token.hpp"

#include <sstream>
#include <stdexcept>

#include "auth/token_minter.hpp"

namespace jobengine::host {

std::string mintDevToken(const AuthConfig& auth, const std::string& tenant,
                         const std::string& scopes, const std::string& subject, int ttl_seconds) {
  if (auth.mode != "dev") {
    throw std::runtime_error("tokens can only be minted with auth.mode = \"dev\" (it is \"" +
                             auth.mode + "\")");
  }
  if (tenant.empty()) {
    throw std::runtime_error("--tenant is required");
  }
  auto minter = TokenMinter::fromConfig(auth);
  if (!minter) {
    throw std::runtime_error(minter.error());
  }
  MintRequest request;
  request.tenant = tenant;
  if (!subject.empty()) {
    request.subject = subject;
  }
  std::istringstream words(scopes);
  for (std::string scope; words >> scope;) {
    request.scopes.push_back(scope);
  }
  request.ttl_seconds = ttl_seconds;
  auto token = minter.value().mint(request);
  if (!token) {
    throw std::runtime_error(token.error());
  }
  return token.value();
}

}  // namespace jobengine::host
