# cmake -DREADME=README.md -DSOURCE=minimal_worker.cpp -P readme_check.cmake
# Fails unless the README's ```cpp block after the line "<!-- begin minimal_worker.cpp -->" is,
# byte for byte, the source file (so the README cannot drift from the worker that compiles).
file(READ ${README} readme)
file(READ ${SOURCE} source)
set(begin_marker "<!-- begin minimal_worker.cpp -->\n```cpp\n")
set(end_marker "```\n<!-- end minimal_worker.cpp -->")
string(FIND "${readme}" "${begin_marker}" begin)
string(FIND "${readme}" "${end_marker}" end)
if(begin EQUAL -1 OR end EQUAL -1)
  message(FATAL_ERROR "${README}: the markers '<!-- begin minimal_worker.cpp -->' + ```cpp and "
                      "``` + '<!-- end minimal_worker.cpp -->' around the minimal worker are missing")
endif()
string(LENGTH "${begin_marker}" begin_length)
math(EXPR from "${begin} + ${begin_length}")
math(EXPR length "${end} - ${from}")
string(SUBSTRING "${readme}" ${from} ${length} snippet)
if(NOT snippet STREQUAL source)
  file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/minimal_worker.from_readme.cpp "${snippet}")
  message(FATAL_ERROR "${README}: the minimal worker block differs from ${SOURCE}; copy the file "
                      "into the README (the block as read is in "
                      "${CMAKE_CURRENT_BINARY_DIR}/minimal_worker.from_readme.cpp)")
endif()
message(STATUS "README block == ${SOURCE}")
