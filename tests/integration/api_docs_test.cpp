// GET /docs: the live OpenAPI document rendered by the host as one self-contained HTML page.
// It is public, names every operation of the live document (all five real plugins loaded),
// fetches nothing from elsewhere, and renders in a real browser: headless Chromium (Debian
// package `chromium`, installed by scripts/install-test-tools.sh) takes a screenshot, kept
// under build/tests/integration/output/api_docs/, and dumps the DOM it built.
#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>
#include <map>
#include <regex>

#include "openapi_tools.hpp"

namespace jobengine::testing {
namespace {

// Every operationId of the document, with its "METHOD path" for messages.
std::map<std::string, std::string> operationIds(const nlohmann::json& doc) {
  std::map<std::string, std::string> ids;
  for (const auto& [path, item] : doc["paths"].items()) {
    for (const auto& [method, op] : item.items()) {
      if (op.is_object() && op.contains("operationId")) {
        ids[op["operationId"].get<std::string>()] = method + " " + path;
      }
    }
  }
  return ids;
}

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

std::string chromiumBinary() {
  for (const char* candidate : {"/usr/bin/chromium", "/usr/bin/chromium-browser"}) {
    if (std::filesystem::exists(candidate)) {
      return candidate;
    }
  }
  return {};
}

// Headless, no sandbox (CI runs as root, where Chromium refuses its sandbox), a throwaway
// profile, and no network beyond the engine: nothing but 127.0.0.1 resolves.
std::string chromiumCommand(const std::string& binary, const std::string& profile) {
  return "'" + binary + "' --headless --no-sandbox --disable-gpu --disable-dev-shm-usage " +
         "--no-first-run --disable-extensions --user-data-dir='" + profile +
         "' --host-resolver-rules='MAP * ~NOTFOUND, EXCLUDE 127.0.0.1' ";
}

TEST(ApiDocsTest, ServesEveryOperationOfTheLiveDocumentAsHtml) {
  EngineProcess engine(allPluginsEngine("apidocs"));
  engine.start();
  const std::string out = keptOutputDir("api_docs");
  const auto doc = dumpLiveDocument(engine, out + "/openapi.json");
  ASSERT_TRUE(doc.contains("paths"));

  HttpClient http(engine.restPort());
  const Reply page = http.get("/docs");  // no token: the route is public
  ASSERT_EQ(page.status, 200) << page.body.substr(0, 500);
  EXPECT_EQ(page.header("content-type"), "text/html; charset=utf-8");
  std::ofstream(out + "/docs.html") << page.body;

  const auto ids = operationIds(doc);
  EXPECT_GT(ids.size(), 40U);
  for (const auto& [id, where] : ids) {
    EXPECT_NE(page.body.find("id=\"op-" + id + "\""), std::string::npos)
        << "no section for " << id << " (" << where << ")";
  }
  EXPECT_NE(page.body.find("id=\"schema-ErrorEnvelope\""), std::string::npos);
  EXPECT_NE(page.body.find("href=\"#schema-ErrorEnvelope\""), std::string::npos)
      << "$refs are links to the schema section";
  // Self-contained: no script, no stylesheet or image from elsewhere.
  EXPECT_EQ(page.body.find("<script"), std::string::npos);
  EXPECT_EQ(page.body.find("<link"), std::string::npos);
  EXPECT_FALSE(std::regex_search(page.body, std::regex(R"(src=["']?https?:)")));
  // Descriptions and examples are text, not markup (they are escaped): every element the page
  // opens, it closes.
  for (const std::string tag : {"section", "pre", "table", "code", "p"}) {
    EXPECT_EQ(count(page.body, "<" + tag + ">") + count(page.body, "<" + tag + " "),
              count(page.body, "</" + tag + ">"))
        << tag;
  }
  EXPECT_EQ(engine.stop(), 0) << engine.output();
}

TEST(ApiDocsTest, RendersInHeadlessChromium) {
  const std::string chromium = chromiumBinary();
  ASSERT_FALSE(chromium.empty())
      << "no chromium: run scripts/install-test-tools.sh (apt-get install chromium)";
  EngineProcess engine(allPluginsEngine("apidocsbrowser"));
  engine.start();
  const std::string out = keptOutputDir("api_docs_browser");
  const auto doc = dumpLiveDocument(engine, out + "/openapi.json");
  const std::string url = "http://127.0.0.1:" + std::to_string(engine.restPort()) + "/docs";
  const std::string png = out + "/docs.png";

  const ShellResult shot =
      runShell(chromiumCommand(chromium, out + "/profile-shot") + "--screenshot='" + png +
               "' --window-size=1280,2000 --hide-scrollbars '" + url + "'");
  ASSERT_EQ(shot.exit_code, 0) << shot.output;
  ASSERT_TRUE(std::filesystem::exists(png)) << shot.output;
  const auto png_bytes = std::filesystem::file_size(png);
  std::cout << "screenshot of " << url << ": " << png << " (" << png_bytes << " bytes)"
            << std::endl;
  // A blank 1280x2000 page compresses to a few kB; the reference has text and colour.
  EXPECT_GT(png_bytes, 50000U) << png;

  // The DOM Chromium built: every operation's section survived parsing (escaping kept the
  // markup intact) and the table of contents links to them.
  const ShellResult dom =
      runShell(chromiumCommand(chromium, out + "/profile-dom") + "--dump-dom '" + url + "'");
  ASSERT_EQ(dom.exit_code, 0) << dom.output.substr(0, 2000);
  std::ofstream(out + "/docs.dom.html") << dom.output;
  std::size_t missing = 0;
  for (const auto& [id, where] : operationIds(doc)) {
    if (dom.output.find("id=\"op-" + id + "\"") == std::string::npos ||
        dom.output.find("href=\"#op-" + id + "\"") == std::string::npos) {
      ADD_FAILURE() << "rendered DOM lacks " << id << " (" << where << ")";
      ++missing;
    }
  }
  EXPECT_EQ(missing, 0U);
  EXPECT_NE(dom.output.find("<nav id=\"toc\">"), std::string::npos);
  EXPECT_EQ(engine.stop(), 0) << engine.output();
}

}  // namespace
}  // namespace jobengine::testing
