# One INTERFACE target carrying the house warning set (STYLE.md habit 1). Link it PRIVATE into
# every first-party target; third-party headers come in as SYSTEM so they do not trip it.
add_library(je_warnings INTERFACE)
target_compile_options(je_warnings INTERFACE
  $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wold-style-cast
                            -Wnon-virtual-dtor -Woverloaded-virtual>
  $<$<COMPILE_LANGUAGE:C>:-Wall -Wextra -Wpedantic -Wshadow -Wconversion>)
if(JE_WERROR)
  target_compile_options(je_warnings INTERFACE -Werror)
endif()
