// demo_providers.cpp — see demo_providers.hpp.
#include "demo_providers.hpp"

#include <filesystem>

#include "core/provider_spec.hpp"
#include "provider_store.hpp"

namespace jobengine::excititor {

void registerDemoProviders(AdapterContext& ctx) {
  const std::string& mirror = ctx.settings().demo_feed_mirror;
  const sdk::Sources* sources = ctx.sources();
  if (mirror.empty() || sources == nullptr) {
    return;
  }
  std::error_code ec;
  const auto root = std::filesystem::absolute(mirror, ec);
  if (ec || !std::filesystem::is_directory(root, ec)) {
    ctx.host().warn("demo_feed_mirror '" + mirror + "' is not a folder: no demo providers");
    return;
  }
  const std::string base = "file://" + root.string();
  const std::vector<std::pair<std::string, std::string>> demos = {
      {"openvex", base + "/openvex/"},
      {"csaf", base + "/csaf/"},
      {"cyclonedx", base + "/cyclonedx/"}};
  auto txn = ctx.host().begin(ctx.settings().demo_tenant);
  int created = 0;
  for (const auto& [source, uri] : demos) {
    const std::string id = "demo-" + source;
    if (loadProvider(txn, id, true)) {
      continue;
    }
    const ProviderInput input =
        parseProviderCreate({{"providerId", id},
                             {"source", source},
                             {"baseUri", uri},
                             {"schedule", {{"cron", "* * * * *"}, {"timeZone", "UTC"}}}});
    if (input.error) {
      ctx.host().warn("demo provider " + id + ": " + input.error->message);
      continue;
    }
    const auto answer = sources->upsertSource(txn, schedulerSourceFor(txn.tenant(), input.record));
    const auto provider =
        insertProvider(txn, input.record, answer["source"]["id"].get<std::string>());
    ctx.host().emit(txn, {{"eventType", "provider.created"},
                          {"sourceId", provider["sourceId"]},
                          {"data", {{"provider", provider}}}});
    ++created;
  }
  txn.commit();
  if (created > 0) {
    ctx.host().info("registered " + std::to_string(created) +
                    " demo providers (demo-openvex, demo-csaf, demo-cyclonedx) of tenant '" +
                    ctx.settings().demo_tenant + "' reading " + root.string());
  }
}

}  // namespace jobengine::excititor
