# Finds every system library JobEngine uses (installed by scripts/install-deps.sh; see
# ../shared/DEPS.md for what was verified about each on Debian 12).
find_package(PkgConfig REQUIRED)
pkg_check_modules(Pistache REQUIRED IMPORTED_TARGET libpistache)
pkg_check_modules(PQXX REQUIRED IMPORTED_TARGET libpqxx)
pkg_check_modules(PQ REQUIRED IMPORTED_TARGET libpq)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
pkg_check_modules(CURL REQUIRED IMPORTED_TARGET libcurl)
find_package(Boost 1.74 REQUIRED COMPONENTS filesystem program_options)
find_package(tomlplusplus 3.3 REQUIRED)
find_package(spdlog 1.10 REQUIRED)
find_package(nlohmann_json 3.11 REQUIRED)
find_package(OpenSSL 3 REQUIRED)
find_package(cpp-jwt REQUIRED)
find_package(prometheus-cpp CONFIG REQUIRED)
find_package(Threads REQUIRED)
find_package(GTest 1.12 REQUIRED)
# valijson: header-only; scripts/install-deps.sh unpacks Debian's package into .deps/valijson
# (its Depends would pull Qt and Poco for adapters we do not use).
find_path(VALIJSON_INCLUDE_DIR valijson/validator.hpp
          PATHS ${CMAKE_SOURCE_DIR}/.deps/valijson/usr/include /usr/include NO_DEFAULT_PATH)
if(NOT VALIJSON_INCLUDE_DIR)
  message(FATAL_ERROR "valijson headers not found: run scripts/install-deps.sh")
endif()
add_library(je_valijson INTERFACE)
target_include_directories(je_valijson SYSTEM INTERFACE ${VALIJSON_INCLUDE_DIR})
target_link_libraries(je_valijson INTERFACE nlohmann_json::nlohmann_json)
# Without it valijson reports a schema it cannot parse with abort().
target_compile_definitions(je_valijson INTERFACE VALIJSON_USE_EXCEPTIONS=1)
