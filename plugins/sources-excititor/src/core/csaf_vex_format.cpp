// CSAF VEX parsing: a product-id table from the product tree, then one statement per product id
// of each vulnerability's product_status, annotated from flags, threats and remediations.
#include "core/csaf_vex_format.hpp"

#include <jobengine/adapter/json_fields.hpp>
#include "core/vex_status.hpp"

#include <map>
#include <set>

namespace jobengine::excititor {
namespace {

using nlohmann::json;
namespace jf = adapter::json_fields;

// product_id -> how statements name the product (purl when the definition has one).
using CsafProducts = std::map<std::string, std::string>;
// group_id -> its product ids.
using CsafGroups = std::map<std::string, std::vector<std::string>>;

void defineCsafProduct(const json& full_product_name, const std::string& path,
                       CsafProducts& products) {
  jf::expectObject(full_product_name, path);
  const std::string product_id = jf::requireString(full_product_name, path, "product_id");
  jf::requireString(full_product_name, path, "name");
  std::string identity = product_id;
  if (const json* helper =
          jf::optionalObject(full_product_name, path, "product_identification_helper")) {
    if (auto purl = jf::optionalString(
            *helper, jf::memberPath(path, "product_identification_helper"), "purl")) {
      identity = *purl;
    }
  }
  if (!products.emplace(product_id, identity).second) {
    throw jf::ShapeError(jf::memberPath(path, "product_id") + ": product id \"" + product_id +
                         "\" is defined twice");
  }
}

// CSAF trees are vendor / product name / version, rarely more than a few levels; the limit keeps
// a hostile document from exhausting the stack (and the quadratic memory of ever longer paths).
constexpr int kMaxCsafBranchDepth = 32;

void defineCsafBranches(const json& branches, const std::string& path, CsafProducts& products,
                        int depth) {
  if (depth > kMaxCsafBranchDepth) {
    throw jf::ShapeError(path + ": nested deeper than " + std::to_string(kMaxCsafBranchDepth) +
                         " levels");
  }
  for (std::size_t i = 0; i < branches.size(); ++i) {
    const std::string branch_path = jf::elementPath(path, i);
    jf::expectObject(branches[i], branch_path);
    if (branches[i].contains("product")) {
      defineCsafProduct(branches[i]["product"], jf::memberPath(branch_path, "product"), products);
    }
    if (const json* children = jf::optionalArray(branches[i], branch_path, "branches")) {
      defineCsafBranches(*children, jf::memberPath(branch_path, "branches"), products, depth + 1);
    }
  }
}

CsafProducts csafProductTable(const json& tree) {
  CsafProducts products;
  if (const json* names = jf::optionalArray(tree, "product_tree", "full_product_names")) {
    for (std::size_t i = 0; i < names->size(); ++i) {
      defineCsafProduct((*names)[i], jf::elementPath("product_tree.full_product_names", i),
                        products);
    }
  }
  if (const json* branches = jf::optionalArray(tree, "product_tree", "branches")) {
    defineCsafBranches(*branches, "product_tree.branches", products, 1);
  }
  if (const json* relationships = jf::optionalArray(tree, "product_tree", "relationships")) {
    for (std::size_t i = 0; i < relationships->size(); ++i) {
      const std::string path = jf::elementPath("product_tree.relationships", i);
      jf::expectObject((*relationships)[i], path);
      defineCsafProduct(jf::requireObject((*relationships)[i], path, "full_product_name"),
                        jf::memberPath(path, "full_product_name"), products);
    }
  }
  return products;
}

// Product ids of a string array member, each checked to be defined.
std::vector<std::string> csafProductIds(const json& object, const std::string& path,
                                        const char* key, const CsafProducts& products) {
  std::vector<std::string> ids;
  const json* list = jf::optionalArray(object, path, key);
  if (list == nullptr) {
    return ids;
  }
  for (std::size_t i = 0; i < list->size(); ++i) {
    const std::string id_path = jf::elementPath(jf::memberPath(path, key), i);
    std::string id = jf::expectString((*list)[i], id_path);
    if (products.count(id) == 0) {
      throw jf::ShapeError(id_path + ": product id \"" + id + "\" is not defined in product_tree");
    }
    ids.push_back(std::move(id));
  }
  return ids;
}

CsafGroups csafGroupTable(const json& tree, const CsafProducts& products) {
  CsafGroups groups;
  if (const json* list = jf::optionalArray(tree, "product_tree", "product_groups")) {
    for (std::size_t i = 0; i < list->size(); ++i) {
      const std::string path = jf::elementPath("product_tree.product_groups", i);
      jf::expectObject((*list)[i], path);
      groups[jf::requireString((*list)[i], path, "group_id")] =
          csafProductIds((*list)[i], path, "product_ids", products);
    }
  }
  return groups;
}

// The products an annotation (flag, threat, remediation) names: product_ids plus the members of
// its group_ids.
std::set<std::string> csafNamedProducts(const json& annotation, const std::string& path,
                                        const CsafProducts& products, const CsafGroups& groups) {
  const std::vector<std::string> ids = csafProductIds(annotation, path, "product_ids", products);
  std::set<std::string> named(ids.begin(), ids.end());
  if (const json* group_ids = jf::optionalArray(annotation, path, "group_ids")) {
    for (std::size_t i = 0; i < group_ids->size(); ++i) {
      const std::string id_path = jf::elementPath(jf::memberPath(path, "group_ids"), i);
      const std::string group_id = jf::expectString((*group_ids)[i], id_path);
      const auto group = groups.find(group_id);
      if (group == groups.end()) {
        throw jf::ShapeError(id_path + ": group id \"" + group_id +
                             "\" is not defined in product_tree.product_groups");
      }
      named.insert(group->second.begin(), group->second.end());
    }
  }
  return named;
}

// The first text (flags[].label, threats[].details, remediations[].details) naming a product.
using CsafAnnotations = std::map<std::string, std::string>;

CsafAnnotations csafAnnotations(const json& vulnerability, const std::string& path,
                                const char* list_key, const char* text_key,
                                const char* required_category, const CsafProducts& products,
                                const CsafGroups& groups) {
  CsafAnnotations texts;
  const json* list = jf::optionalArray(vulnerability, path, list_key);
  if (list == nullptr) {
    return texts;
  }
  for (std::size_t i = 0; i < list->size(); ++i) {
    const std::string item_path = jf::elementPath(jf::memberPath(path, list_key), i);
    jf::expectObject((*list)[i], item_path);
    const std::string text = jf::requireString((*list)[i], item_path, text_key);
    if (required_category != nullptr &&
        jf::requireString((*list)[i], item_path, "category") != required_category) {
      continue;
    }
    for (const std::string& id : csafNamedProducts((*list)[i], item_path, products, groups)) {
      texts.emplace(id, text);  // the first one wins
    }
  }
  return texts;
}

std::string csafVulnerabilityId(const json& vulnerability, const std::string& path) {
  if (auto cve = jf::optionalString(vulnerability, path, "cve")) {
    return *cve;
  }
  if (const json* ids = jf::optionalArray(vulnerability, path, "ids");
      ids != nullptr && !ids->empty()) {
    const std::string id_path = jf::elementPath(jf::memberPath(path, "ids"), 0);
    jf::expectObject((*ids)[0], id_path);
    return jf::requireString((*ids)[0], id_path, "text");
  }
  throw jf::ShapeError(path + ": needs a cve or an ids[] entry");
}

void appendCsafStatements(const json& vulnerability, const std::string& path,
                          const std::string& document_id, const std::string& modified,
                          const CsafProducts& products, const CsafGroups& groups,
                          std::vector<VexStatement>& out) {
  jf::expectObject(vulnerability, path);
  const std::string vulnerability_id = csafVulnerabilityId(vulnerability, path);
  const CsafAnnotations labels =
      csafAnnotations(vulnerability, path, "flags", "label", nullptr, products, groups);
  const CsafAnnotations impacts =
      csafAnnotations(vulnerability, path, "threats", "details", "impact", products, groups);
  const CsafAnnotations actions =
      csafAnnotations(vulnerability, path, "remediations", "details", nullptr, products, groups);
  const json& product_status = jf::requireObject(vulnerability, path, "product_status");
  const std::string status_path = jf::memberPath(path, "product_status");
  for (const auto& [key, normalized] : csafProductStatusTable()) {
    for (const std::string& id :
         csafProductIds(product_status, status_path, std::string(key).c_str(), products)) {
      VexStatement entry;
      entry.document_id = document_id;
      entry.vulnerability = vulnerability_id;
      entry.product = products.at(id);
      entry.status = std::string(normalized);
      entry.status_raw = std::string(key);
      if (const auto label = labels.find(id); label != labels.end()) {
        entry.justification = label->second;
      }
      entry.modified = modified;
      entry.detail = json::object();
      if (const auto impact = impacts.find(id); impact != impacts.end()) {
        entry.detail["impact_statement"] = impact->second;
      }
      if (const auto action = actions.find(id); action != actions.end()) {
        entry.detail["action_statement"] = action->second;
      }
      out.push_back(std::move(entry));
    }
  }
}

void requireCsafConstant(const json& object, const char* path, const char* key,
                         const char* expected) {
  const std::string value = jf::requireString(object, path, key);
  if (value != expected) {
    throw jf::ShapeError(jf::memberPath(path, key) + ": expected \"" + expected + "\", got \"" +
                         value + "\"");
  }
}

}  // namespace

VexParse parseCsafVex(std::string_view bytes) {
  VexParse result;
  try {
    json doc;
    if (auto syntax_error = jf::parseJson(bytes, doc)) {
      result.error = ParseError{"CSAF_INVALID_JSON", *syntax_error};
      return result;
    }
    jf::expectObject(doc, "$");
    const json& document = jf::requireObject(doc, "$", "document");
    requireCsafConstant(document, "document", "category", "csaf_vex");
    requireCsafConstant(document, "document", "csaf_version", "2.0");
    jf::requireObject(document, "document", "publisher");
    jf::requireString(document, "document", "title");
    const json& tracking = jf::requireObject(document, "document", "tracking");
    const std::string document_id = jf::requireString(tracking, "document.tracking", "id");
    const std::string modified =
        jf::requireTime(tracking, "document.tracking", "current_release_date");
    const json& tree = jf::requireObject(doc, "$", "product_tree");
    const CsafProducts products = csafProductTable(tree);
    const CsafGroups groups = csafGroupTable(tree, products);
    const json& vulnerabilities = jf::requireArray(doc, "$", "vulnerabilities");
    for (std::size_t i = 0; i < vulnerabilities.size(); ++i) {
      appendCsafStatements(vulnerabilities[i], jf::elementPath("vulnerabilities", i), document_id,
                           modified, products, groups, result.statements);
    }
  } catch (const std::exception& e) {  // ShapeError, or anything nlohmann raises
    result.statements.clear();
    result.error = ParseError{"CSAF_INVALID", e.what()};
  }
  return result;
}

}  // namespace jobengine::excititor
