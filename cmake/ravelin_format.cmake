# `format` rewrites the sources with clang-format; `format-check` fails on any difference.
find_program(CLANG_FORMAT clang-format)
if(CLANG_FORMAT)
  file(GLOB_RECURSE RAVELIN_FORMAT_SOURCES CONFIGURE_DEPENDS
    ${PROJECT_SOURCE_DIR}/dataplane/*.cpp ${PROJECT_SOURCE_DIR}/dataplane/*.h
    ${PROJECT_SOURCE_DIR}/tcpstack/*.cpp ${PROJECT_SOURCE_DIR}/tcpstack/*.h
    ${PROJECT_SOURCE_DIR}/waf/*.cpp ${PROJECT_SOURCE_DIR}/waf/*.h
    ${PROJECT_SOURCE_DIR}/auth/*.cpp ${PROJECT_SOURCE_DIR}/auth/*.h
    ${PROJECT_SOURCE_DIR}/mgmt/*.cpp ${PROJECT_SOURCE_DIR}/mgmt/*.h
    ${PROJECT_SOURCE_DIR}/hw/*.cpp ${PROJECT_SOURCE_DIR}/hw/*.h
    ${PROJECT_SOURCE_DIR}/bench/*.cpp ${PROJECT_SOURCE_DIR}/tests/*.cpp
    ${PROJECT_SOURCE_DIR}/tests/*.h)
  add_custom_target(format COMMAND ${CLANG_FORMAT} -i ${RAVELIN_FORMAT_SOURCES})
  add_custom_target(format-check
    COMMAND ${CLANG_FORMAT} --dry-run -Werror ${RAVELIN_FORMAT_SOURCES})
endif()
