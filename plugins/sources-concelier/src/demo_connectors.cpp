// demo_connectors.cpp — see demo_connectors.hpp.
#include "demo_connectors.hpp"

#include <filesystem>

#include "connector_store.hpp"
#include "core/connector_spec.hpp"

namespace jobengine::concelier {

void registerDemoConnectors(AdapterContext& ctx) {
  const std::string& mirror = ctx.settings().demo_feed_mirror;
  const sdk::Sources* sources = ctx.sources();
  if (mirror.empty() || sources == nullptr) {
    return;
  }
  std::error_code ec;
  const auto root = std::filesystem::absolute(mirror, ec);
  if (ec || !std::filesystem::is_directory(root, ec)) {
    ctx.host().warn("demo_feed_mirror '" + mirror + "' is not a folder: no demo connectors");
    return;
  }
  const std::string base = "file://" + root.string();
  const std::vector<std::pair<std::string, std::string>> demos = {
      {"osv", base + "/osv/PyPI/"},
      {"nvd", base + "/nvd/"},
      {"kev", base + "/kev/known_exploited_vulnerabilities.json"}};
  auto txn = ctx.host().begin(ctx.settings().demo_tenant);
  int created = 0;
  for (const auto& [source, uri] : demos) {
    const std::string id = "demo-" + source;
    if (loadConnector(txn, id, true)) {
      continue;
    }
    const ConnectorInput input =
        parseConnectorCreate({{"connectorId", id},
                              {"source", source},
                              {"baseUri", uri},
                              {"schedule", {{"cron", "* * * * *"}, {"timeZone", "UTC"}}}});
    if (input.error) {
      ctx.host().warn("demo connector " + id + ": " + input.error->message);
      continue;
    }
    const auto answer = sources->upsertSource(txn, schedulerSourceFor(txn.tenant(), input.record));
    const auto connector =
        insertConnector(txn, input.record, answer["source"]["id"].get<std::string>());
    ctx.host().emit(txn, {{"eventType", "connector.created"},
                          {"sourceId", connector["sourceId"]},
                          {"data", {{"connector", connector}}}});
    ++created;
  }
  txn.commit();
  if (created > 0) {
    ctx.host().info("registered " + std::to_string(created) +
                    " demo connectors (demo-osv, demo-nvd, demo-kev) of tenant '" +
                    ctx.settings().demo_tenant + "' reading " + root.string());
  }
}

}  // namespace jobengine::concelier
