// jobengine/adapter/sync_window.hpp — the event-time window a sync job covers (the scheduler
// puts it in every job of the run: payload.window {scope, from, to}; from null = no watermark
// yet) and which listed documents fall in it: from <= modified < to. Pure; shared by every
// adapter plugin's fetch step.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "jobengine/adapter/index_entry.hpp"

namespace jobengine::adapter {

struct SyncWindow {
  std::optional<std::string> from;  // RFC 3339; nullopt: open start
  std::optional<std::string> to;    // RFC 3339; nullopt: open end (a job without a window)
};

SyncWindow windowOf(const nlohmann::json& payload);

// Whether `modified` is in [from, to). A time that does not parse is in every window (parse
// decides what the document is worth).
bool inWindow(const std::string& modified, const SyncWindow& window);

// The index entries in the window, in listing order.
std::vector<IndexEntry> entriesInWindow(const std::vector<IndexEntry>& entries,
                                        const SyncWindow& window);

}  // namespace jobengine::adapter
