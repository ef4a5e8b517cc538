# cmake -DNM=nm -DVARIANT=avx2 -DOBJECTS=a.o;b.o -P variant_symbols.cmake
#
# Fails when an object of the CPU kernels' instruction-set variant VARIANT defines a weak
# (linker-mergeable) symbol outside the variant's own namespace, bpqp::cpu::variant_VARIANT.
# The linker keeps one copy of a weak symbol for the whole library, whichever object it
# comes from: a kernel helper emitted out of line by the AVX-512 variant could then run on a
# CPU without AVX-512, from the generic code (src/cpu/problem_kernels_variant.cpp).
foreach(object IN LISTS OBJECTS)
  execute_process(COMMAND ${NM} -C --defined-only ${object} OUTPUT_VARIABLE symbols RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${NM} failed on ${object}")
  endif()
  string(REPLACE "\n" ";" lines "${symbols}")
  set(weak 0)
  set(strays "")
  foreach(line IN LISTS lines)
    # "address type name": W/V weak, u unique global (all mergeable)
    if(line MATCHES "^[0-9a-fA-F]* [WVu] (.*)$")
      math(EXPR weak "${weak} + 1")
      if(NOT CMAKE_MATCH_1 MATCHES "bpqp::cpu::variant_${VARIANT}::")
        string(APPEND strays "\n  ${CMAKE_MATCH_1}")
      endif()
    endif()
  endforeach()
  if(weak EQUAL 0)
    message(FATAL_ERROR "${object}: no weak symbols at all (expected the variant's table functions): is this the variant's object?")
  endif()
  if(strays)
    message(FATAL_ERROR "${object} (variant ${VARIANT}) defines mergeable symbols outside its namespace:${strays}\n"
                        "Make such kernels/ functions BPQP_INLINE, or templates of their group.")
  endif()
  message(STATUS "${object}: ${weak} weak symbols, all in bpqp::cpu::variant_${VARIANT}")
endforeach()
