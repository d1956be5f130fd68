// connector_store.cpp — see connector_store.hpp.
#include "connector_store.hpp"

#include "core/connector_spec.hpp"
#include "plugin_identity.hpp"

namespace jobengine::concelier {

adapter::RecordStore connectorStore() {
  return adapter::RecordStore(connectorKind(), {JE_ADAPTER_SCHEMA ".connectors", "connector_id"});
}

}  // namespace jobengine::concelier
