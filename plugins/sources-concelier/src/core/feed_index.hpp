// Feed index listings: the small text files a mirror publishes so a fetch step can download only
// what changed since its watermark. Concelier reads OSV's modified_id.csv; excititor has the CSAF
// changes.csv reader (its own feed_index.hpp).
#pragma once

#include "core/advisory_observation.hpp"

#include <jobengine/adapter/index_entry.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace jobengine::concelier {

// One listed document (the kit's type): path_or_id is the OSV record id (the document is
// <ECOSYSTEM>/<id>.json).
using adapter::IndexEntry;

struct IndexParse {
  std::vector<IndexEntry> entries;  // in listing order (newest first); empty when error is set
  std::optional<ParseError> error;
};

// OSV <ECOSYSTEM>/modified_id.csv: one "<RFC 3339 modified>,<ID>" per line, newest first, as on
// osv-vulnerabilities.storage.googleapis.com. "\r\n" line ends and a final newline are accepted;
// an empty line, a missing comma, an empty id, a bad time or an entry newer than the line above
// is an OSV_INDEX_INVALID error whose message starts "line <n>: ". Never throws.
IndexParse parseOsvModifiedIndex(std::string_view bytes);

}  // namespace jobengine::concelier
