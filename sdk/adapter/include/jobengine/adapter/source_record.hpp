// jobengine/adapter/source_record.hpp — the registry record of a source adapter (SPEC §8
// "Registry record", issue 15), one implementation for every adapter plugin: validation of the
// create (POST) and replace (PUT) bodies, the defaults, the lock key and the scheduler source a
// record stands for. Pure: JSON in, JSON out; no SDK types.
//
// What differs from plugin to plugin (the id field's name, the formats, their defaults and
// options, the words of the messages) is a RecordKind the plugin hands in (sources-concelier's
// connector_spec.cpp, sources-excititor's provider_spec.cpp).
//
// Fields (camelCase), <id> being RecordKind::id_field ("connectorId", "providerId"):
//   <id>          required on create, immutable: 1-63 of a-z 0-9 -, starting alphanumeric
//   source        required on create, immutable: one of RecordKind::sources (the feed format)
//   baseUri       required: https://, http:// or file:/// (an offline mirror), no credentials
//   capabilities  array of strings (default: RecordKind::default_capabilities(source))
//   authRef       "env:NAME" or "file:/path" naming where the secret is (never the secret); null
//   schedule      the scheduler's source schedule {cron, timeZone, ...} (validated there); null:
//                 sync on demand only
//   ratePolicy    {rpm, burst, cooldownSeconds} (validated by the scheduler); null: no egress to a
//                 network host (a file:// mirror needs none)
//   artifactKinds array of strings (default: RecordKind::default_artifact_kinds(source))
//   egressGuard   {allowlist: [host | host:port | *.suffix], airgapMode: bool}; default
//                 {allowlist: [], airgapMode: false}: no network host at all (fail closed)
//   options       checked by RecordKind::check_options (default: none allowed)
//   enabled       boolean (default true)
// Any other field is 422 UNKNOWN_FIELD naming it and the allowed ones. Each refusal names the
// field, what was wrong and what is allowed.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace jobengine::adapter {

struct RecordInputError {
  int status = 422;
  std::string code = "VALIDATION_FAILED";
  std::string message;
  std::string field;
};

struct RecordInput {
  nlohmann::json record;  // every field, defaults filled in
  std::optional<RecordInputError> error;
};

// One adapter plugin's kind of record.
struct RecordKind {
  std::string plugin_name;  // "concelier": prefix of the lock key, source name and source kind
  std::string id_field;     // "connectorId"
  std::string noun;         // "connector", in messages ("register a new connector instead")
  std::string noun_plural;  // "connectors" (the registry route's segment and list key)
  std::vector<std::string> sources;  // the formats, in the order messages list them
  std::string id_example;            // "osv-pypi"
  std::string base_uri_hint;         // ends the baseUri refusal: "e.g. \"https://host/folder/\""
  std::function<nlohmann::json(const std::string& source)> default_capabilities;
  std::function<nlohmann::json(const std::string& source)> default_artifact_kinds;
  // The options of a record of `source` (an object); std::nullopt when valid. Unset: none allowed.
  std::function<std::optional<RecordInputError>(const nlohmann::json& options,
                                                const std::string& source)>
      check_options;
};

// A new record: the id field and source required.
RecordInput parseRecordCreate(const RecordKind& kind, const nlohmann::json& body);
// A replacement of `current` (the stored record): the body names the whole record again; the id
// field and source may be repeated but not changed.
RecordInput parseRecordReplace(const RecordKind& kind, const nlohmann::json& body,
                               const nlohmann::json& current);

// The refusal of an option no format of the kind has: "options.<key>: unknown option for source
// '<source>' (<allowed>)", allowed being e.g. "none allowed" or "allowed: resultsPerPage".
RecordInputError unknownOption(const std::string& key, const std::string& source,
                               const std::string& allowed);
// RecordInputError for `field`: "<field>: <what>", 422 VALIDATION_FAILED.
RecordInputError invalidField(const std::string& field, const std::string& what);

// The noun as error codes start with it: "CONNECTOR" (CONNECTOR_EXISTS, CONNECTOR_NOT_FOUND).
std::string errorNoun(const RecordKind& kind);
// "{plugin}:{tenant}:{id}" (SPEC §8).
std::string recordLockKey(const RecordKind& kind, const std::string& tenant, const std::string& id);
// "{plugin}.{source}": the source kind whose sync DAG the plugin declares.
std::string sourceKindOf(const RecordKind& kind, const std::string& source);
// The scheduler source a record is (je.sources upsert_source body): name "{plugin}:{id}", kind
// "{plugin}.{source}", upstreamHost from a network baseUri, config {<id field>: id}.
nlohmann::json schedulerSourceFor(const RecordKind& kind, const std::string& tenant,
                                  const nlohmann::json& record);

}  // namespace jobengine::adapter
