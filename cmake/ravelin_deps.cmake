# Every dependency is a Debian 12 package; scripts/setup installs what is missing.
find_package(PkgConfig REQUIRED)
pkg_check_modules(DPDK REQUIRED IMPORTED_TARGET libdpdk>=22.11)
pkg_check_modules(HYPERSCAN REQUIRED IMPORTED_TARGET libhs>=5.4)
pkg_check_modules(PCRE2 REQUIRED IMPORTED_TARGET libpcre2-8>=10.40)
find_package(OpenSSL 3.0 REQUIRED)
find_package(Boost 1.81 REQUIRED CONFIG COMPONENTS json program_options)
find_package(yaml-cpp REQUIRED)
find_package(GTest REQUIRED)
find_package(benchmark REQUIRED)
find_package(Threads REQUIRED)

# DPDK's pkg-config flags force -march=corei7 and the experimental API stays off unless a
# module asks for it; wrap both so modules only link ravelin::dpdk.
add_library(ravelin_dpdk INTERFACE)
target_link_libraries(ravelin_dpdk INTERFACE PkgConfig::DPDK)
target_compile_definitions(ravelin_dpdk INTERFACE ALLOW_EXPERIMENTAL_API)
# DPDK 22.11 headers use compound assignment on volatile, deprecated in C++20 (g++ warns).
target_compile_options(ravelin_dpdk INTERFACE $<$<CXX_COMPILER_ID:GNU>:-Wno-volatile>)
add_library(ravelin::dpdk ALIAS ravelin_dpdk)
