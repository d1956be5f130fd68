// paging.hpp — every item of a paginated list route (SPEC §5: `items` and `nextPageToken`), the
// loop each test reading a whole ledger, outbox or listing would otherwise write again.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "http_client.hpp"

namespace jobengine::testing {

// Calls fetch(page_token) ("" for the first page) until a page has no nextPageToken, a page is
// not 200 (a failed expectation naming its body), or max_pages pages were read; returns the
// items of every page in order.
inline nlohmann::json allPages(const std::function<Reply(const std::string& page_token)>& fetch,
                               int max_pages = 1000) {
  nlohmann::json out = nlohmann::json::array();
  std::string token;
  for (int page = 0; page < max_pages; ++page) {
    const Reply r = fetch(token);
    EXPECT_EQ(r.status, 200) << r.body;
    if (r.status != 200) {
      break;
    }
    const nlohmann::json body = r.json();
    for (const auto& item : body.value("items", nlohmann::json::array())) {
      out.push_back(item);
    }
    if (!body.contains("nextPageToken")) {
      break;
    }
    token = body["nextPageToken"].get<std::string>();
  }
  return out;
}

}  // namespace jobengine::testing
