// Feed index listings for the VEX mirrors: the CSAF changes.csv (CSAF 2.0 §7.1.16), which the
// project also publishes beside its OpenVEX and CycloneDX mirrors, so a fetch step downloads only
// the documents changed since its watermark. Concelier has the OSV listing (its feed_index.hpp).
#pragma once

#include "core/vex_statement.hpp"

#include <jobengine/adapter/index_entry.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace jobengine::excititor {

// One listed document (the kit's type): path_or_id is the document's path relative to the directory
// of changes.csv.
using adapter::IndexEntry;

struct IndexParse {
  std::vector<IndexEntry> entries;  // in listing order (newest first); empty when error is set
  std::optional<ParseError> error;
};

// changes.csv: one `"<relative path>","<RFC 3339 time>"` per line, newest first. Fields are
// CSV (RFC 4180): quoted with "" standing for a quote inside, or unquoted without commas or
// quotes. "\r\n" line ends and a final newline are accepted. The path must be relative and stay
// inside the mirror (no leading "/", no "." or ".." segment, no "\"), because a connector joins
// it to its base URL or directory. Any bad line is a CHANGES_INVALID error whose message starts
// "line <n>: ". Never throws.
IndexParse parseChangesCsv(std::string_view bytes);

}  // namespace jobengine::excititor
