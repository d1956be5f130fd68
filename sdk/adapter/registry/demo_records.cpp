// demo_records.cpp — the demo records of an adapter plugin (see
// jobengine/adapter/demo_records.hpp).
#include "jobengine/adapter/demo_records.hpp"

#include <filesystem>

namespace jobengine::adapter {

void registerDemoRecords(AdapterServices& services, const std::string& mirror,
                         const std::string& tenant, const std::vector<DemoRecord>& demos) {
  const sdk::Sources* sources = services.sources();
  if (mirror.empty() || sources == nullptr) {
    return;
  }
  const RecordStore& store = services.records();
  const RecordKind& kind = store.kind();
  sdk::Host& host = services.host();
  std::error_code ec;
  const auto root = std::filesystem::absolute(mirror, ec);
  if (ec || !std::filesystem::is_directory(root, ec)) {
    host.warn("demo_feed_mirror '" + mirror + "' is not a folder: no demo " + kind.noun_plural);
    return;
  }
  const std::string base = "file://" + root.string();
  auto txn = host.begin(tenant);
  int created = 0;
  std::string names;
  for (const auto& demo : demos) {
    const std::string id = "demo-" + demo.source;
    names += (names.empty() ? "" : ", ") + id;
    if (store.load(txn, id, true)) {
      continue;
    }
    const RecordInput input =
        parseRecordCreate(kind, {{kind.id_field, id},
                                 {"source", demo.source},
                                 {"baseUri", base + demo.mirror_path},
                                 {"schedule", {{"cron", "* * * * *"}, {"timeZone", "UTC"}}}});
    if (input.error) {
      host.warn("demo " + kind.noun + " " + id + ": " + input.error->message);
      continue;
    }
    const auto answer =
        sources->upsertSource(txn, schedulerSourceFor(kind, txn.tenant(), input.record));
    const auto record = store.insert(txn, input.record, answer["source"]["id"].get<std::string>());
    host.emit(txn, {{"eventType", kind.noun + ".created"},
                    {"sourceId", record["sourceId"]},
                    {"data", {{kind.noun, record}}}});
    ++created;
  }
  txn.commit();
  if (created > 0) {
    host.info("registered " + std::to_string(created) + " demo " + kind.noun_plural + " (" + names +
              ") of tenant '" + tenant + "' reading " + root.string());
  }
}

}  // namespace jobengine::adapter
