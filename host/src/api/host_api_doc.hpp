// The host's own API description: host/openapi/*.json (the operations of the host's routes and
// the schemas they share), embedded at build time like a plugin's (docs/api.md, "Schemas").
#pragma once

#include <jobengine/api_doc.hpp>

#include <nlohmann/json.hpp>

namespace jobengine::host {

// A fresh reader over the embedded files (a route registration asks it for its fragment).
sdk::ApiDoc hostApiDoc();

// Everything the host registers as components owner "host": OpenApiBuilder::hostComponents()
// (error envelope, standard parameters and responses) and host/openapi/components.json.
nlohmann::json hostApiComponents();

}  // namespace jobengine::host
