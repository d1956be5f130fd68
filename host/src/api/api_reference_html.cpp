// renderApiReferenceHtml (see api_reference_html.hpp). Plain string building: the page is a
// pure function of the document, rebuilt per request like the document itself.
#include "api/api_reference_html.hpp"

#include <map>
#include <vector>

namespace jobengine::host {
namespace {

using nlohmann::json;

constexpr std::string_view kMethods[] = {"get",     "put",  "post",  "delete",
                                         "options", "head", "patch", "trace"};
constexpr std::string_view kSchemaRef = "#/components/schemas/";
constexpr std::string_view kResponseRef = "#/components/responses/";

constexpr std::string_view kStyle = R"CSS(
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{background:#1d2330;color:#fff;padding:1.2em 2em}header h1{margin:0 0 .2em}
header p{margin:.2em 0;color:#c9cfdb;white-space:pre-wrap}
main{display:flex;align-items:flex-start}
nav{position:sticky;top:0;max-height:100vh;overflow:auto;width:22em;flex:none;padding:1em;
background:#fff;border-right:1px solid #dde1e8;box-sizing:border-box;font-size:13px}
nav h2{font-size:14px;margin:1em 0 .3em}nav ul{list-style:none;margin:0;padding:0}
nav li{margin:.15em 0;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
nav a{color:#1d2330;text-decoration:none}nav a:hover{text-decoration:underline}
#content{padding:1em 2em;min-width:0;flex:1}
.tag{margin-top:2em}.tag>h2{border-bottom:2px solid #1d2330;padding-bottom:.2em}
.op{background:#fff;border:1px solid #dde1e8;border-radius:6px;padding:.6em 1.2em;margin:1em 0}
.op h3{margin:.3em 0;font-size:16px;word-break:break-all}
.method{display:inline-block;min-width:4.5em;text-align:center;border-radius:4px;color:#fff;
font:bold 12px/1.8 ui-monospace,monospace;margin-right:.6em;background:#6b7280}
.get{background:#2f7ed8}.post{background:#2e9d5b}.put{background:#c77c0e}.patch{background:#8a5cc7}
.delete{background:#c8372d}
.meta{color:#59606e;font-size:13px}.desc{white-space:pre-wrap}
table{border-collapse:collapse;margin:.4em 0;width:100%}
th,td{border:1px solid #dde1e8;padding:.25em .5em;text-align:left;vertical-align:top;font-size:13px}
th{background:#f0f2f5}
pre{background:#f3f4f7;border:1px solid #e2e5ea;border-radius:4px;padding:.5em .8em;overflow:auto;
font:12px/1.45 ui-monospace,SFMono-Regular,Menlo,monospace;max-height:28em}
pre a{color:#2f5fb3}h4{margin:.8em 0 .2em}h5{margin:.5em 0 .1em;font-size:13px}
.status{font-weight:bold;font-family:ui-monospace,monospace}
)CSS";

std::string anchorPart(std::string_view text) {
  std::string out;
  for (const char c : text) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '_' || c == '-' || c == '.';
    out.push_back(keep ? c : '_');
  }
  return out;
}

std::string str(const json& j, const char* key) {
  if (j.is_object() && j.contains(key) && j[key].is_string()) {
    return j[key].get<std::string>();
  }
  return {};
}

bool flag(const json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_boolean() && j[key].get<bool>();
}

// A `$ref` inside the document, or `value` itself when it is not a local reference.
const json& resolve(const json& doc, const json& value) {
  if (!value.is_object() || !value.contains("$ref") || !value["$ref"].is_string()) {
    return value;
  }
  const std::string ref = value["$ref"].get<std::string>();
  if (ref.rfind("#/", 0) != 0) {
    return value;
  }
  try {
    const json& target = doc.at(json::json_pointer(ref.substr(1)));
    return target;
  } catch (const json::exception&) {
    return value;
  }
}

// Pretty-printed JSON, escaped, with schema $refs turned into links.
void writeJson(std::string& out, const json& value, int depth) {
  const std::string indent(static_cast<std::size_t>(depth) * 2, ' ');
  const std::string inner(static_cast<std::size_t>(depth + 1) * 2, ' ');
  if (value.is_object() && !value.empty()) {
    out += "{\n";
    bool first = true;
    for (const auto& [key, item] : value.items()) {
      out += first ? "" : ",\n";
      first = false;
      out += inner + htmlEscape(json(key).dump()) + ": ";
      if (key == "$ref" && item.is_string() &&
          item.get<std::string>().rfind(std::string(kSchemaRef), 0) == 0) {
        const std::string name = item.get<std::string>().substr(kSchemaRef.size());
        out += "<a href=\"#schema-" + anchorPart(name) + "\">" + htmlEscape(item.dump()) + "</a>";
      } else {
        writeJson(out, item, depth + 1);
      }
    }
    out += "\n" + indent + "}";
  } else if (value.is_array() && !value.empty()) {
    out += "[\n";
    for (std::size_t i = 0; i < value.size(); ++i) {
      out += (i == 0 ? "" : ",\n") + inner;
      writeJson(out, value[i], depth + 1);
    }
    out += "\n" + indent + "]";
  } else {
    out += htmlEscape(value.dump(-1, ' ', false, json::error_handler_t::replace));
  }
}

void writePre(std::string& out, const json& value) {
  out += "<pre>";
  if (value.is_string()) {  // a text example (metrics): show it as text, not as a JSON string
    out += htmlEscape(value.get<std::string>());
  } else {
    writeJson(out, value, 0);
  }
  out += "</pre>\n";
}

// The examples of a media type object: `example`, then every `examples` entry.
void writeExamples(std::string& out, const json& doc, const json& media) {
  if (media.contains("example")) {
    out += "<h5>Example</h5>\n";
    writePre(out, media["example"]);
  }
  if (media.contains("examples") && media["examples"].is_object()) {
    for (const auto& [name, ex] : media["examples"].items()) {
      const json& example = resolve(doc, ex);
      out += "<h5>Example: " + htmlEscape(name) + "</h5>\n";
      if (!str(example, "summary").empty()) {
        out += "<p class=\"meta\">" + htmlEscape(str(example, "summary")) + "</p>\n";
      }
      if (example.is_object() && example.contains("value")) {
        writePre(out, example["value"]);
      }
    }
  }
}

void writeContent(std::string& out, const json& doc, const json& holder) {
  if (!holder.contains("content") || !holder["content"].is_object()) {
    return;
  }
  for (const auto& [type, media] : holder["content"].items()) {
    if (!media.is_object()) {
      continue;
    }
    out += "<p class=\"meta\">Content-Type: <code>" + htmlEscape(type) + "</code></p>\n";
    if (media.contains("schema")) {
      out += "<h5>Schema</h5>\n";
      writePre(out, media["schema"]);
    }
    writeExamples(out, doc, media);
  }
}

std::string schemaSummary(const json& schema) {
  if (!schema.is_object()) {
    return {};
  }
  if (schema.contains("$ref")) {
    return str(schema, "$ref");
  }
  if (schema.contains("type")) {
    const json& type = schema["type"];
    std::string out = type.is_string() ? type.get<std::string>() : type.dump();
    if (!str(schema, "format").empty()) {
      out += " (" + str(schema, "format") + ")";
    }
    if (schema.contains("enum")) {
      out += " " + schema["enum"].dump();
    }
    return out;
  }
  return schema.dump();
}

void writeParameters(std::string& out, const json& doc, const json& op) {
  if (!op.contains("parameters") || !op["parameters"].is_array() || op["parameters"].empty()) {
    return;
  }
  out +=
      "<h4>Parameters</h4>\n<table><tr><th>name</th><th>in</th><th>required</th>"
      "<th>schema</th><th>description</th></tr>\n";
  for (const auto& raw : op["parameters"]) {
    const json& p = resolve(doc, raw);
    const bool required = flag(p, "required");
    out += "<tr><td><code>" + htmlEscape(str(p, "name")) + "</code></td><td>" +
           htmlEscape(str(p, "in")) + "</td><td>" + (required ? "yes" : "no") + "</td><td><code>" +
           htmlEscape(schemaSummary(p.is_object() && p.contains("schema") ? p["schema"] : json())) +
           "</code></td><td>" + htmlEscape(str(p, "description")) + "</td></tr>\n";
  }
  out += "</table>\n";
}

void writeOperation(std::string& out, const json& doc, const std::string& path,
                    const std::string& method, const json& op) {
  const std::string id = str(op, "operationId");
  out += "<section class=\"op\" id=\"op-" + anchorPart(id) + "\">\n<h3><span class=\"method " +
         method + "\">" + htmlEscape(method) + "</span><code>" + htmlEscape(path) +
         "</code></h3>\n";
  out += "<p><strong>" + htmlEscape(str(op, "summary")) + "</strong></p>\n";
  if (!str(op, "description").empty()) {
    out += "<p class=\"desc\">" + htmlEscape(str(op, "description")) + "</p>\n";
  }
  const std::string scope = str(op, "x-required-scope");
  out += "<p class=\"meta\">operationId <code>" + htmlEscape(id) + "</code> · scope " +
         (scope.empty() ? std::string("none (public)") : "<code>" + htmlEscape(scope) + "</code>") +
         (flag(op, "deprecated") ? " · <strong>deprecated</strong>" : "") + "</p>\n";
  writeParameters(out, doc, op);
  if (op.contains("requestBody")) {
    const json& body = resolve(doc, op["requestBody"]);
    out +=
        std::string("<h4>Request body") + (flag(body, "required") ? " (required)" : "") + "</h4>\n";
    if (!str(body, "description").empty()) {
      out += "<p class=\"desc\">" + htmlEscape(str(body, "description")) + "</p>\n";
    }
    if (body.is_object()) {
      writeContent(out, doc, body);
    }
  }
  if (op.contains("responses") && op["responses"].is_object()) {
    out += "<h4>Responses</h4>\n";
    for (const auto& [status, raw] : op["responses"].items()) {
      const json& response = resolve(doc, raw);
      out += "<p><span class=\"status\">" + htmlEscape(status) + "</span> " +
             htmlEscape(str(response, "description"));
      // A shared response (the standard errors) is shown once, in its own section.
      const std::string ref = str(raw, "$ref");
      if (ref.rfind(std::string(kResponseRef), 0) == 0 && &response != &raw) {
        const std::string name = ref.substr(kResponseRef.size());
        out +=
            " · <a href=\"#response-" + anchorPart(name) + "\">" + htmlEscape(name) + "</a></p>\n";
        continue;
      }
      out += "</p>\n";
      if (response.is_object()) {
        writeContent(out, doc, response);
      }
    }
  }
  out += "</section>\n";
}

struct OperationRef {
  std::string path;
  std::string method;
  const json* op;
};

}  // namespace

std::string htmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string renderApiReferenceHtml(const nlohmann::json& doc) {
  const json info = doc.is_object() ? doc.value("info", json::object()) : json::object();
  const std::string title = str(info, "title").empty() ? "API reference" : str(info, "title");

  // Operations grouped by their first tag, in the order of the document's tag list, then any
  // tag the list does not name.
  std::vector<std::string> tag_order;
  std::map<std::string, std::string> tag_descriptions;
  if (doc.is_object() && doc.contains("tags") && doc["tags"].is_array()) {
    for (const auto& t : doc["tags"]) {
      if (!str(t, "name").empty()) {
        tag_order.push_back(str(t, "name"));
        tag_descriptions[str(t, "name")] = str(t, "description");
      }
    }
  }
  std::map<std::string, std::vector<OperationRef>> by_tag;
  if (doc.is_object() && doc.contains("paths") && doc["paths"].is_object()) {
    for (const auto& [path, item] : doc["paths"].items()) {
      for (const auto method : kMethods) {
        const std::string m(method);
        if (!item.is_object() || !item.contains(m) || !item[m].is_object()) {
          continue;
        }
        const json& op = item[m];
        std::string tag = "other";
        if (op.contains("tags") && op["tags"].is_array() && !op["tags"].empty() &&
            op["tags"][0].is_string()) {
          tag = op["tags"][0].get<std::string>();
        }
        if (by_tag.count(tag) == 0 && tag_descriptions.count(tag) == 0) {
          tag_order.push_back(tag);
        }
        by_tag[tag].push_back({path, m, &op});
      }
    }
  }
  const json empty = json::object();
  const json& schemas =
      doc.is_object() && doc.contains("components") && doc["components"].is_object() &&
              doc["components"].contains("schemas") && doc["components"]["schemas"].is_object()
          ? doc["components"]["schemas"]
          : empty;

  std::string out;
  out.reserve(256 * 1024);
  out +=
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" +
      htmlEscape(title) + "</title>\n<style>" + std::string(kStyle) + "</style>\n</head>\n<body>\n";
  out += "<header><h1>" + htmlEscape(title) + "</h1><p>Version " +
         htmlEscape(str(info, "version")) + " · OpenAPI " + htmlEscape(str(doc, "openapi")) +
         " · machine-readable: <a style=\"color:#9cc3ff\" href=\"/openapi/jobengine.json\">"
         "/openapi/jobengine.json</a></p>";
  if (!str(info, "description").empty()) {
    out += "<p>" + htmlEscape(str(info, "description")) + "</p>";
  }
  out += "</header>\n<main>\n<nav id=\"toc\">\n";
  for (const auto& tag : tag_order) {
    if (by_tag.count(tag) == 0) {
      continue;
    }
    out += "<h2><a href=\"#tag-" + anchorPart(tag) + "\">" + htmlEscape(tag) + "</a></h2>\n<ul>\n";
    for (const auto& ref : by_tag[tag]) {
      out += "<li><a href=\"#op-" + anchorPart(str(*ref.op, "operationId")) + "\">" +
             htmlEscape(ref.method) + " " + htmlEscape(ref.path) + "</a></li>\n";
    }
    out += "</ul>\n";
  }
  if (!schemas.empty()) {
    out += "<h2><a href=\"#schemas\">schemas</a></h2>\n<ul>\n";
    for (const auto& [name, _] : schemas.items()) {
      out += "<li><a href=\"#schema-" + anchorPart(name) + "\">" + htmlEscape(name) + "</a></li>\n";
    }
    out += "</ul>\n";
  }
  out += "</nav>\n<div id=\"content\">\n";
  for (const auto& tag : tag_order) {
    if (by_tag.count(tag) == 0) {
      continue;
    }
    out += "<section class=\"tag\" id=\"tag-" + anchorPart(tag) + "\">\n<h2>" + htmlEscape(tag) +
           "</h2>\n";
    if (!tag_descriptions[tag].empty()) {
      out += "<p class=\"desc\">" + htmlEscape(tag_descriptions[tag]) + "</p>\n";
    }
    for (const auto& ref : by_tag[tag]) {
      writeOperation(out, doc, ref.path, ref.method, *ref.op);
    }
    out += "</section>\n";
  }
  const json& responses =
      doc.is_object() && doc.contains("components") && doc["components"].is_object() &&
              doc["components"].contains("responses") && doc["components"]["responses"].is_object()
          ? doc["components"]["responses"]
          : empty;
  out += "<section class=\"tag\" id=\"responses\">\n<h2>Shared responses</h2>\n";
  for (const auto& [name, response] : responses.items()) {
    out += "<section class=\"op\" id=\"response-" + anchorPart(name) + "\">\n<h3>" +
           htmlEscape(name) + "</h3>\n<p>" + htmlEscape(str(response, "description")) + "</p>\n";
    if (response.is_object()) {
      writeContent(out, doc, response);
    }
    out += "</section>\n";
  }
  out += "</section>\n";
  out += "<section class=\"tag\" id=\"schemas\">\n<h2>Schemas</h2>\n";
  for (const auto& [name, schema] : schemas.items()) {
    out += "<section class=\"op\" id=\"schema-" + anchorPart(name) + "\">\n<h3>" +
           htmlEscape(name) + "</h3>\n";
    writePre(out, schema);
    out += "</section>\n";
  }
  out += "</section>\n</div>\n</main>\n</body>\n</html>\n";
  return out;
}

}  // namespace jobengine::host
