// jobengine/adapter/index_entry.hpp — one line of a feed's change listing (OSV modified_id.csv,
// CSAF changes.csv, ...): which document changed and when. Each plugin parses its own listing
// format into these; the kit's sync window (sync_window.hpp) picks the ones a job covers.
#pragma once

#include <string>

namespace jobengine::adapter {

struct IndexEntry {
  std::string path_or_id;  // the document: an id (OSV) or a path relative to the listing (CSAF)
  std::string modified;    // RFC 3339, as listed ("+00:00" written "Z")
};

}  // namespace jobengine::adapter
