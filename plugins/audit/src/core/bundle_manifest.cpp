// The bundle manifest's JSON form both ways (bundle_manifest.hpp).
#include "core/bundle_manifest.hpp"

#include <algorithm>

#include <jobengine/canonical_json.hpp>

#include "core/tar_format.hpp"

namespace jobengine::audit {
namespace {

const nlohmann::json& field(const nlohmann::json& object, const char* key,
                            const std::string& where) {
  const auto it = object.find(key);
  if (it == object.end()) {
    throw ManifestError("manifest: " + where + " has no \"" + key + "\"");
  }
  return *it;
}

std::string stringAt(const nlohmann::json& object, const char* key, const std::string& where) {
  const nlohmann::json& v = field(object, key, where);
  if (!v.is_string()) {
    throw ManifestError("manifest: " + where + "." + key + " is not a string");
  }
  return v.get<std::string>();
}

int64_t integerAt(const nlohmann::json& object, const char* key, const std::string& where) {
  const nlohmann::json& v = field(object, key, where);
  if (!v.is_number_integer()) {
    throw ManifestError("manifest: " + where + "." + key + " is not an integer");
  }
  return v.get<int64_t>();
}

const nlohmann::json& objectAt(const nlohmann::json& object, const char* key,
                               const std::string& where) {
  const nlohmann::json& v = field(object, key, where);
  if (!v.is_object()) {
    throw ManifestError("manifest: " + where + "." + key + " is not an object");
  }
  return v;
}

}  // namespace

const BundleFileEntry* BundleManifest::file(std::string_view name) const {
  for (const BundleFileEntry& f : files) {
    if (f.name == name) {
      return &f;
    }
  }
  return nullptr;
}

nlohmann::json toJson(const BundleManifest& manifest) {
  std::vector<BundleFileEntry> files = manifest.files;
  std::sort(files.begin(), files.end(),
            [](const BundleFileEntry& a, const BundleFileEntry& b) { return a.name < b.name; });
  nlohmann::json file_list = nlohmann::json::array();
  for (const BundleFileEntry& f : files) {
    file_list.push_back({{"name", f.name}, {"sha256", f.sha256}, {"lines", f.lines}});
  }
  return {{"schemaVersion", kBundleSchemaVersion},
          {"tenantId", manifest.tenant_id},
          {"window", {{"from", manifest.window_from}, {"to", manifest.window_to}}},
          {"files", std::move(file_list)},
          {"chainHead", {{"position", manifest.head_position}, {"hash", manifest.head_hash}}},
          {"chainStart",
           {{"position", manifest.start_position}, {"prevHash", manifest.start_prev_hash}}},
          {"producer", {{"name", kBundleProducer}, {"version", manifest.producer_version}}}};
}

std::string manifestBytes(const BundleManifest& manifest) {
  return sdk::canonicalJson(toJson(manifest));
}

BundleManifest parseManifest(std::string_view bytes) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(bytes);
  } catch (const nlohmann::json::exception& e) {
    throw ManifestError(std::string("manifest: not JSON (") + e.what() + ")");
  }
  if (!doc.is_object()) {
    throw ManifestError("manifest: not a JSON object");
  }
  const std::string root = "the manifest";
  if (const std::string schema = stringAt(doc, "schemaVersion", root);
      schema != kBundleSchemaVersion) {
    throw ManifestError("manifest: schemaVersion '" + schema + "' is not '" +
                        std::string(kBundleSchemaVersion) + "'");
  }
  BundleManifest m;
  m.tenant_id = stringAt(doc, "tenantId", root);
  const nlohmann::json& window = objectAt(doc, "window", root);
  m.window_from = stringAt(window, "from", "window");
  m.window_to = stringAt(window, "to", "window");
  const nlohmann::json& files = field(doc, "files", root);
  if (!files.is_array()) {
    throw ManifestError("manifest: files is not an array");
  }
  for (size_t i = 0; i < files.size(); ++i) {
    const std::string where = "files[" + std::to_string(i) + "]";
    if (!files[i].is_object()) {
      throw ManifestError("manifest: " + where + " is not an object");
    }
    BundleFileEntry f{stringAt(files[i], "name", where), stringAt(files[i], "sha256", where),
                      integerAt(files[i], "lines", where)};
    if (!tarNameProblem(f.name).empty() || f.name.find('/') != std::string::npos) {
      throw ManifestError("manifest: " + where + ".name '" + f.name + "' is not a plain file name");
    }
    if (m.file(f.name) != nullptr) {
      throw ManifestError("manifest: file '" + f.name + "' is listed twice");
    }
    m.files.push_back(std::move(f));
  }
  const nlohmann::json& head = objectAt(doc, "chainHead", root);
  m.head_position = integerAt(head, "position", "chainHead");
  m.head_hash = stringAt(head, "hash", "chainHead");
  const nlohmann::json& start = objectAt(doc, "chainStart", root);
  m.start_position = integerAt(start, "position", "chainStart");
  m.start_prev_hash = stringAt(start, "prevHash", "chainStart");
  const nlohmann::json& producer = objectAt(doc, "producer", root);
  m.producer_version = stringAt(producer, "version", "producer");
  return m;
}

}  // namespace jobengine::audit
