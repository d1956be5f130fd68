// The je.http v1 service (abi.h): plugins register REST routes into the host's RouteTable.
#pragma once

#include <jobengine/abi.h>

namespace jobengine::host {

// The vtable for one plugin; its `host` field is `host`. register_route:
//  - only while the plugin is in create() (host->mayRegister()), else JE_ERR_STATE
//    "plugin 'x' registered route GET /p outside create()";
//  - validates method (GET POST PUT PATCH DELETE), path (starts with '/'), scope (required
//    unless JE_ROUTE_PUBLIC) and handler, else JE_ERR_INVALID naming the field;
//  - copies every string; the owner is host->plugin_id;
//  - a duplicate is JE_ERR_CONFLICT with the table's message naming both owners.
// register_components (1.3): the same create()-only rule; the JSON goes to the table's
// ApiComponents (a name another owner has is JE_ERR_CONFLICT naming both, a bad shape
// JE_ERR_INVALID).
// noexcept and catch-all; err is NUL-terminated and truncated to err_cap - 1 bytes.
je_http_v1 makeHttpService(je_host* host);

}  // namespace jobengine::host
