// connector_store.hpp — the concelier.connectors rows (migration sources-concelier/0002, the
// plugin's own table; for a copy of this folder, <name>.connectors): the adapter kit's record
// store (jobengine/adapter/record_store.hpp: loads, inserts, replacements, the API's JSON) over
// this table and the connector kind (core/connector_spec.hpp).
#pragma once

#include <jobengine/adapter/record_store.hpp>

namespace jobengine::concelier {

adapter::RecordStore connectorStore();

}  // namespace jobengine::concelier
