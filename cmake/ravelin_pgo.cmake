# Profile-guided optimisation of the rule evaluator (release builds with GCC).
#
# The evaluator is an interpreter over some 700 CRS rules: which branches are taken and which
# calls are hot depends on the rules and the traffic, not on the code, and GCC lays it out
# blind without a profile. A release tree therefore first builds a second tree,
# <build>/pgo-train, in which ravelin_waf is instrumented (-fprofile-generate), runs
# tests/waf/pgo_train.cpp there, and compiles its own ravelin_waf with the counts
# (-fprofile-use). -fprofile-prefix-path makes both trees name a source's counts the same
# (relative to their build directory); -fprofile-partial-training keeps code the training
# never ran optimised as without a profile instead of for size. The trainer reaches every
# source of ravelin_waf, so a source without counts (-Wmissing-profile, an error with
# RAVELIN_WERROR) means the two trees no longer name them alike. The training reruns only when
# its instrumented library changed, and then the release library is recompiled.
#
# RAVELIN_PGO: use (default in release: train, then optimise), generate (the training tree
# itself), off (plain -O3 build, e.g. for quicker rebuilds while working on waf/).
set(RAVELIN_PGO "use" CACHE STRING
    "Profile-guided optimisation of ravelin_waf in release: use, generate or off")
set_property(CACHE RAVELIN_PGO PROPERTY STRINGS use generate off)
set(RAVELIN_PGO_DIR "${CMAKE_BINARY_DIR}/pgo-profile" CACHE PATH
    "Where the training run writes its counts")

set(RAVELIN_PGO_STAMP ${RAVELIN_PGO_DIR}/profile.stamp)  # touched after each training run

# ravelin_pgo_library(TARGET): instruments TARGET (generate) or optimises it with the training
# tree's counts (use).
function(ravelin_pgo_library target)
  if(NOT RAVELIN_MODE STREQUAL "release" OR NOT CMAKE_CXX_COMPILER_ID STREQUAL "GNU"
     OR RAVELIN_PGO STREQUAL "off")
    return()
  endif()
  if(RAVELIN_PGO STREQUAL "generate")
    target_compile_options(${target} PRIVATE -fprofile-generate=${RAVELIN_PGO_DIR}
                           -fprofile-prefix-path=${CMAKE_BINARY_DIR} -fprofile-update=single)
    target_link_options(${target} INTERFACE -fprofile-generate=${RAVELIN_PGO_DIR})
    return()
  endif()
  include(ExternalProject)
  ExternalProject_Add(ravelin_pgo_profile
    SOURCE_DIR ${PROJECT_SOURCE_DIR}
    BINARY_DIR ${CMAKE_BINARY_DIR}/pgo-train
    CMAKE_GENERATOR Ninja
    CMAKE_ARGS -DRAVELIN_MODE=release -DRAVELIN_PGO=generate -DRAVELIN_PGO_DIR=${RAVELIN_PGO_DIR}
               -DRAVELIN_WERROR=${RAVELIN_WERROR} -DCMAKE_CXX_COMPILER=${CMAKE_CXX_COMPILER}
               -DCMAKE_C_COMPILER=${CMAKE_C_COMPILER}
    BUILD_COMMAND ${CMAKE_COMMAND} --build <BINARY_DIR> --target ravelin_pgo_training
    BUILD_ALWAYS ON
    BUILD_BYPRODUCTS ${RAVELIN_PGO_STAMP}
    INSTALL_COMMAND ""
    USES_TERMINAL_BUILD ON)
  target_compile_options(${target} PRIVATE -fprofile-use=${RAVELIN_PGO_DIR}
                         -fprofile-prefix-path=${CMAKE_BINARY_DIR} -fprofile-partial-training)
  get_target_property(sources ${target} SOURCES)
  set_source_files_properties(${sources} TARGET_DIRECTORY ${target}
                              PROPERTIES OBJECT_DEPENDS ${RAVELIN_PGO_STAMP})
  add_dependencies(${target} ravelin_pgo_profile)
endfunction()

# ravelin_pgo_training(TRAINER exe ARGS ... DEPENDS ...): in the training tree, the target
# ravelin_pgo_training runs the trainer afresh (old counts removed) whenever it was rebuilt.
function(ravelin_pgo_training)
  cmake_parse_arguments(P "" "TRAINER" "ARGS;DEPENDS" ${ARGN})
  if(NOT RAVELIN_PGO STREQUAL "generate")
    return()
  endif()
  add_custom_command(OUTPUT ${RAVELIN_PGO_STAMP}
    COMMAND ${CMAKE_COMMAND} -E rm -rf ${RAVELIN_PGO_DIR}
    COMMAND $<TARGET_FILE:${P_TRAINER}> ${P_ARGS}
    COMMAND ${CMAKE_COMMAND} -E touch ${RAVELIN_PGO_STAMP}
    DEPENDS ${P_TRAINER} ${P_DEPENDS}
    COMMENT "Profile-guided optimisation: training run"
    VERBATIM)
  add_custom_target(ravelin_pgo_training DEPENDS ${RAVELIN_PGO_STAMP})
endfunction()
