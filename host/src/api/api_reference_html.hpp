// The human-readable API reference served at GET /docs: one self-contained HTML page (inline
// CSS, no script, no external fetch, so it works offline and behind any proxy) rendered from the
// same OpenAPI document GET /openapi/jobengine.json serves. Every string that comes from the
// document is HTML-escaped: plugins write descriptions, and a description is not markup.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace jobengine::host {

// The page for `doc` (an OpenAPI 3.1 document as OpenApiBuilder builds it): a table of contents
// by tag; per operation its method, path, summary, description, operationId, required scope,
// parameters, request body (schema and examples) and responses (schemas and examples); then
// every component schema. Schemas are shown as pretty-printed JSON whose `$ref`s to
// `#/components/schemas/X` link to X's section. Never throws on a malformed document: what
// is not the expected shape is skipped.
std::string renderApiReferenceHtml(const nlohmann::json& doc);

// `text` with & < > " ' replaced by entities (safe in element content and quoted attributes).
std::string htmlEscape(std::string_view text);

}  // namespace jobengine::host
