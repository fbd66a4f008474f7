# ravelin_unit_test(NAME name SOURCES ... LIBS ... [LABELS ...])
#   A GoogleTest binary registered with ctest under the label `unit` (or LABELS).
function(ravelin_unit_test)
  cmake_parse_arguments(T "" "NAME" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} GTest::gtest GTest::gmock)
  if(NOT T_LABELS)
    set(T_LABELS unit)
  endif()
  add_test(NAME ${T_NAME} COMMAND ${T_NAME})
  set_tests_properties(${T_NAME} PROPERTIES LABELS "${T_LABELS}")
endfunction()

# ravelin_fuzz_target(NAME name SOURCE file LIBS ... CORPUS dir)
#   In fuzz mode: a libFuzzer binary. In every other mode: the same entry point linked with a
#   replay driver and run over the checked-in corpus as a unit test, so every crasher found
#   once stays fixed.
function(ravelin_fuzz_target)
  cmake_parse_arguments(F "" "NAME;SOURCE;CORPUS" "LIBS" ${ARGN})
  add_executable(${F_NAME}_fuzz ${F_SOURCE})
  target_link_libraries(${F_NAME}_fuzz PRIVATE ${F_LIBS})
  if(RAVELIN_MODE STREQUAL "fuzz")
    target_link_options(${F_NAME}_fuzz PRIVATE -fsanitize=fuzzer)
  else()
    target_sources(${F_NAME}_fuzz PRIVATE ${PROJECT_SOURCE_DIR}/tests/fuzz/replay_main.cpp)
    add_test(NAME ${F_NAME}_fuzz_replay COMMAND ${F_NAME}_fuzz ${F_CORPUS})
    set_tests_properties(${F_NAME}_fuzz_replay PROPERTIES LABELS "unit;fuzz")
  endif()
endfunction()
