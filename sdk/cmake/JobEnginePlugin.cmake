# je_add_plugin(<id> SOURCES ... [LINK ...]) builds a JobEngine plugin as a MODULE:
#  - output ${JE_PLUGIN_OUTPUT_DIR}/<id>.so (no "lib" prefix), where the host looks by default;
#  - hidden visibility and -fno-gnu-unique, so the library exports nothing but the entry and
#    can be unloaded in tests (DEPS.md §3);
#  - a version script exporting only je_plugin_entry_v1;
#  - -Wl,-z,defs so a missing symbol fails the link, not the dlopen.
set(JE_PLUGIN_VERSION_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/plugin.map)

function(je_add_plugin id)
  cmake_parse_arguments(ARG "" "TARGET" "SOURCES;LINK" ${ARGN})
  set(target ${ARG_TARGET})
  if(NOT target)
    set(target plugin_${id})
    string(REPLACE "-" "_" target ${target})
  endif()
  add_library(${target} MODULE ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE je_sdk je_warnings ${ARG_LINK})
  set_target_properties(${target} PROPERTIES
    PREFIX ""
    OUTPUT_NAME ${id}
    LIBRARY_OUTPUT_DIRECTORY ${JE_PLUGIN_OUTPUT_DIR}
    CXX_VISIBILITY_PRESET hidden
    C_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    POSITION_INDEPENDENT_CODE ON)
  target_compile_options(${target} PRIVATE -fno-gnu-unique)
  target_link_options(${target} PRIVATE
    -Wl,--no-undefined -Wl,-z,defs -Wl,--version-script=${JE_PLUGIN_VERSION_SCRIPT})
  set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS ${JE_PLUGIN_VERSION_SCRIPT})
endfunction()
