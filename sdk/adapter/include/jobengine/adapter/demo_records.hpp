// jobengine/adapter/demo_records.hpp — `make run`'s first impression (issue 15), for any adapter
// plugin: when the plugin's demo_feed_mirror setting names an input mirror (tests/fixtures/feeds),
// start() registers one record per format, "demo-<source>" of the demo tenant, reading the mirror
// through file://, each with a schedule firing every minute, so a new user sees real ingestion at
// once. An existing record of that id is left as it is; a missing mirror folder is logged and
// skipped; nothing happens without je.sources. Part of je_adapter_registry.
#pragma once

#include <jobengine/adapter/adapter_context.hpp>

#include <string>
#include <vector>

namespace jobengine::adapter {

struct DemoRecord {
  std::string source;       // "osv": the record is "demo-osv"
  std::string mirror_path;  // under the mirror folder: "/osv/PyPI/"
};

void registerDemoRecords(AdapterServices& services, const std::string& mirror,
                         const std::string& tenant, const std::vector<DemoRecord>& demos);

}  // namespace jobengine::adapter
