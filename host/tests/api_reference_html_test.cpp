// renderApiReferenceHtml (GET /docs): what a plugin writes in its description is shown as text
// (escaped), never as markup; operations are grouped by tag with a table of contents; schema
// $refs link to the schema's section; a document of the wrong shape still renders.
#include "api/api_reference_html.hpp"

#include <gtest/gtest.h>

namespace jobengine::host {
namespace {

using nlohmann::json;

json sampleDoc() {
  return json::parse(R"JSON({
    "openapi": "3.1.0",
    "info": {"title": "T <&>", "version": "1.2.3"},
    "tags": [{"name": "b", "description": "the b tag"}, {"name": "a"}],
    "paths": {
      "/x/{id}": {"post": {"operationId": "a_postX", "tags": ["a"], "summary": "S<script>alert(1)</script>",
        "description": "D \"quoted\" 'single'", "x-required-scope": "orch:operate",
        "parameters": [{"$ref": "#/components/parameters/P"}, {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"},
          "example": {"name": "</pre><b>x</b>"}}}},
        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object"}, "example": {"ok": true}}}},
                      "404": {"$ref": "#/components/responses/NotFound"}}}},
      "/y": {"get": {"operationId": "b_getY", "tags": ["b"], "summary": "y", "responses": {"200": {"description": "fine"}}}}
    },
    "components": {
      "schemas": {"Thing": {"type": "object", "properties": {"name": {"type": "string"}}}},
      "parameters": {"P": {"name": "X-P", "in": "header", "description": "the P header", "schema": {"type": "string"}}},
      "responses": {"NotFound": {"description": "gone (404)"}}
    }
  })JSON");
}

TEST(ApiReferenceHtmlTest, EscapesEverythingFromTheDocument) {
  EXPECT_EQ(htmlEscape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  const std::string html = renderApiReferenceHtml(sampleDoc());
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_NE(html.find("S&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("<title>T &lt;&amp;&gt;</title>"), std::string::npos);
  EXPECT_NE(html.find("D &quot;quoted&quot; &#39;single&#39;"), std::string::npos);
  EXPECT_NE(html.find("&lt;/pre&gt;&lt;b&gt;x&lt;/b&gt;"), std::string::npos);
  EXPECT_EQ(html.find("<b>x</b>"), std::string::npos);
}

TEST(ApiReferenceHtmlTest, ShowsOperationsByTagWithRefsLinked) {
  const std::string html = renderApiReferenceHtml(sampleDoc());
  // Tags in the document's order, each with its operations; the TOC links to them.
  const auto tag_b = html.find("id=\"tag-b\"");
  const auto tag_a = html.find("id=\"tag-a\"");
  ASSERT_NE(tag_b, std::string::npos);
  ASSERT_NE(tag_a, std::string::npos);
  EXPECT_LT(tag_b, tag_a);
  EXPECT_NE(html.find("the b tag"), std::string::npos);
  EXPECT_NE(html.find("href=\"#op-a_postX\""), std::string::npos);
  EXPECT_NE(html.find("id=\"op-a_postX\""), std::string::npos);
  EXPECT_NE(html.find("id=\"op-b_getY\""), std::string::npos);
  EXPECT_NE(html.find("<code>orch:operate</code>"), std::string::npos);
  EXPECT_NE(html.find("none (public)"), std::string::npos);
  // Parameters ($ref resolved), request body, responses ($ref resolved), schema links.
  EXPECT_NE(html.find("the P header"), std::string::npos);
  EXPECT_NE(html.find("Request body (required)"), std::string::npos);
  EXPECT_NE(html.find("gone (404)"), std::string::npos);
  EXPECT_NE(html.find("<a href=\"#schema-Thing\">&quot;#/components/schemas/Thing&quot;</a>"),
            std::string::npos);
  EXPECT_NE(html.find("id=\"schema-Thing\""), std::string::npos);
}

TEST(ApiReferenceHtmlTest, RendersADocumentOfTheWrongShape) {
  for (const char* text : {"null", "[]", "{}", R"({"paths": 3})", R"({"paths": {"/a": 1}})",
                           R"({"paths": {"/a": {"get": {"responses": 2, "parameters": 5}}}})",
                           R"({"info": 1, "tags": [1, {"name": 2}], "components": []})"}) {
    const std::string html = renderApiReferenceHtml(json::parse(text));
    EXPECT_NE(html.find("</html>"), std::string::npos) << text;
  }
}

}  // namespace
}  // namespace jobengine::host
