# Link-time optimisation of the rule evaluator for the binaries that ship or measure it.
#
# Across its files the evaluator inlines what one file cannot see (the operator and collection
# helpers called from the rule loop): measured 5 % fewer instructions per request on top of
# the profile (bench/results/2026-11-29-waf-modsecurity.md). A library carrying only LTO code
# would make every executable that links it (two dozen tests) run link-time code generation,
# 17 s a link here. So the library's objects are fat (LTO code beside the ordinary code): the
# `ravelin` binary and waf_bench link with -flto and get the whole-library optimisation; every
# other executable links the ordinary code as before.
#
# Only on top of the profile (RAVELIN_PGO=use): without one, GCC's link-time inlining made the
# GET sample 1.6 % more instructions, not fewer.
#
# RAVELIN_LTO: ON by default; takes effect in release builds with GCC and the profile.
option(RAVELIN_LTO "Link-time optimisation of ravelin_waf in the ravelin binary and waf_bench" ON)

# Whether this tree links that way (the inputs are all known when this file is included).
set(RAVELIN_LTO_ACTIVE OFF)
if(RAVELIN_LTO AND RAVELIN_PGO STREQUAL "use" AND RAVELIN_MODE STREQUAL "release"
   AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  set(RAVELIN_LTO_ACTIVE ON)
endif()

# ravelin_lto_library(TARGET): its objects carry LTO code beside the ordinary code.
function(ravelin_lto_library target)
  if(RAVELIN_LTO_ACTIVE)
    target_compile_options(${target} PRIVATE -flto=auto -ffat-lto-objects)
  endif()
endfunction()

# ravelin_lto_executable(TARGET): links with link-time optimisation of what carries LTO code.
# -O3 as the evaluator is compiled (ravelin_waf), so the link does not optimise it less.
function(ravelin_lto_executable target)
  if(RAVELIN_LTO_ACTIVE)
    target_link_options(${target} PRIVATE -flto=auto -O3)
  endif()
endfunction()
