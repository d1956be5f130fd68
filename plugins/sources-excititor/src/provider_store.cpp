// provider_store.cpp — see provider_store.hpp.
#include "provider_store.hpp"

#include "core/provider_spec.hpp"

namespace jobengine::excititor {

adapter::RecordStore providerStore() {
  return adapter::RecordStore(providerKind(), {"excititor.providers", "provider_id"});
}

}  // namespace jobengine::excititor
