// OpenVEX document parsing: the document header, then every statement and product.
#include "core/openvex_format.hpp"

#include <jobengine/adapter/json_fields.hpp>
#include "core/vex_status.hpp"

namespace jobengine::excititor {
namespace {

using nlohmann::json;
namespace jf = adapter::json_fields;

constexpr std::string_view kOpenVexContextPrefix = "https://openvex.dev/ns";

std::string openVexVulnerability(const json& statement, const std::string& path) {
  const json& vulnerability = jf::requireObject(statement, path, "vulnerability");
  const std::string vulnerability_path = jf::memberPath(path, "vulnerability");
  if (auto name = jf::optionalString(vulnerability, vulnerability_path, "name")) {
    return *name;
  }
  if (auto id = jf::optionalString(vulnerability, vulnerability_path, "@id")) {
    return *id;
  }
  throw jf::ShapeError(vulnerability_path + ": needs a name or an @id");
}

std::string openVexProduct(const json& product, const std::string& path) {
  jf::expectObject(product, path);
  if (auto id = jf::optionalString(product, path, "@id")) {
    return *id;
  }
  if (const json* identifiers = jf::optionalObject(product, path, "identifiers")) {
    if (auto purl = jf::optionalString(*identifiers, jf::memberPath(path, "identifiers"), "purl")) {
      return *purl;
    }
  }
  throw jf::ShapeError(path + ": needs an @id or identifiers.purl");
}

void appendOpenVexStatements(const json& statement, const std::string& path,
                             const std::string& document_id, const std::string& document_time,
                             std::vector<VexStatement>& out) {
  jf::expectObject(statement, path);
  const std::string vulnerability = openVexVulnerability(statement, path);
  const std::string status_raw = jf::requireString(statement, path, "status");
  const std::optional<std::string> status = normalizeStatus(openVexStatusTable(), status_raw);
  if (!status) {
    throw jf::ShapeError(jf::memberPath(path, "status") + ": expected one of " +
                         allowedWords(openVexStatusTable()) + ", got \"" + status_raw + "\"");
  }
  const std::optional<std::string> justification =
      jf::optionalString(statement, path, "justification");
  const std::string modified = statement.contains("timestamp")
                                   ? jf::requireTime(statement, path, "timestamp")
                                   : document_time;
  json detail = json::object();
  for (const char* key : {"impact_statement", "action_statement", "status_notes"}) {
    if (auto text = jf::optionalString(statement, path, key)) {
      detail[key] = *text;
    }
  }
  const json& products = jf::requireArray(statement, path, "products");
  for (std::size_t i = 0; i < products.size(); ++i) {
    VexStatement entry;
    entry.document_id = document_id;
    entry.vulnerability = vulnerability;
    entry.product =
        openVexProduct(products[i], jf::elementPath(jf::memberPath(path, "products"), i));
    entry.status = *status;
    entry.status_raw = status_raw;
    entry.justification = justification;
    entry.modified = modified;
    entry.detail = detail;
    out.push_back(std::move(entry));
  }
}

}  // namespace

VexParse parseOpenVex(std::string_view bytes) {
  VexParse result;
  try {
    json doc;
    if (auto syntax_error = jf::parseJson(bytes, doc)) {
      result.error = ParseError{"OPENVEX_INVALID_JSON", *syntax_error};
      return result;
    }
    jf::expectObject(doc, "$");
    const std::string context = jf::requireString(doc, "$", "@context");
    if (context.compare(0, kOpenVexContextPrefix.size(), kOpenVexContextPrefix) != 0) {
      throw jf::ShapeError("@context: expected an OpenVEX context (\"" +
                           std::string(kOpenVexContextPrefix) + "/v0.2.0\"), got \"" + context +
                           "\"");
    }
    const std::string document_id = jf::requireString(doc, "$", "@id");
    jf::requireString(doc, "$", "author");
    std::string document_time = jf::requireTime(doc, "$", "timestamp");
    jf::requireInteger(doc, "$", "version");
    if (doc.contains("last_updated")) {
      document_time = jf::requireTime(doc, "$", "last_updated");
    }
    const json& statements = jf::requireArray(doc, "$", "statements");
    for (std::size_t i = 0; i < statements.size(); ++i) {
      appendOpenVexStatements(statements[i], jf::elementPath("statements", i), document_id,
                              document_time, result.statements);
    }
  } catch (const std::exception& e) {  // ShapeError, or anything nlohmann raises
    result.statements.clear();
    result.error = ParseError{"OPENVEX_INVALID", e.what()};
  }
  return result;
}

}  // namespace jobengine::excititor
