// See version.hpp.
#include "core/version.hpp"

namespace jobengine::host {

std::string_view hostVersion() { return "0.1.0"; }

}  // namespace jobengine::host
