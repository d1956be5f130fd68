// sync_window.cpp — the sync window of a job (see jobengine/adapter/sync_window.hpp).
#include "jobengine/adapter/sync_window.hpp"

#include "jobengine/adapter/rfc3339.hpp"

namespace jobengine::adapter {

SyncWindow windowOf(const nlohmann::json& payload) {
  SyncWindow w;
  if (!payload.is_object() || !payload.contains("window") || !payload["window"].is_object()) {
    return w;
  }
  const auto& window = payload["window"];
  if (window.contains("from") && window["from"].is_string()) {
    w.from = window["from"].get<std::string>();
  }
  if (window.contains("to") && window["to"].is_string()) {
    w.to = window["to"].get<std::string>();
  }
  return w;
}

bool inWindow(const std::string& modified, const SyncWindow& window) {
  const auto at = parseRfc3339(modified);
  if (!at) {
    return true;
  }
  if (window.from) {
    const auto from = parseRfc3339(*window.from);
    if (from && *at < *from) {
      return false;
    }
  }
  if (window.to) {
    const auto to = parseRfc3339(*window.to);
    if (to && !(*at < *to)) {
      return false;
    }
  }
  return true;
}

std::vector<IndexEntry> entriesInWindow(const std::vector<IndexEntry>& entries,
                                        const SyncWindow& window) {
  std::vector<IndexEntry> out;
  for (const auto& entry : entries) {
    if (inWindow(entry.modified, window)) {
      out.push_back(entry);
    }
  }
  return out;
}

}  // namespace jobengine::adapter
