# SPDX-License-Identifier: Apache-2.0
# Layer targets and the dependency rule. A layer may include headers of, and link to, only
# the layers listed in its MMSSEC_LAYER_DEPS_<layer> (directly). The `layering` test enforces
# this on the #include lines of include/mmssec/<layer>/ and src/<layer>/.

set(MMSSEC_LAYERS core events ber capture tpkt cotp session presentation acse mms stack net pki tls endpoint)

set(MMSSEC_LAYER_DEPS_core "")
set(MMSSEC_LAYER_DEPS_events core)
set(MMSSEC_LAYER_DEPS_ber core)
set(MMSSEC_LAYER_DEPS_capture core)
set(MMSSEC_LAYER_DEPS_tpkt core)
set(MMSSEC_LAYER_DEPS_cotp core)
set(MMSSEC_LAYER_DEPS_session core)
set(MMSSEC_LAYER_DEPS_presentation core ber)
set(MMSSEC_LAYER_DEPS_acse core ber)
set(MMSSEC_LAYER_DEPS_mms core ber)
set(MMSSEC_LAYER_DEPS_stack core ber capture tpkt cotp session presentation acse mms)
set(MMSSEC_LAYER_DEPS_net core)
set(MMSSEC_LAYER_DEPS_pki core)
set(MMSSEC_LAYER_DEPS_tls core events net)
set(MMSSEC_LAYER_DEPS_endpoint core ber acse mms stack net)
# Layers whose sources (never their public headers) may include Asio / OpenSSL.
set(MMSSEC_IO_LAYERS net pki tls)

function(mmssec_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
                                           -Wno-sign-conversion)
  # GCC 12's optimiser-driven diagnostics report false positives inside libstdc++ (std::string
  # operator+, std::optional/std::vector destructors and insert) at -O2/-O3: GCC bugs 105651,
  # 105329, 107138. They are off for optimised GCC builds only; the GCC debug build keeps them,
  # and the Clang ASan/UBSan build checks the same code at run time.
  target_compile_options(${target} PRIVATE
    $<$<AND:$<CXX_COMPILER_ID:GNU>,$<NOT:$<CONFIG:Debug>>>:-Wno-maybe-uninitialized;-Wno-restrict;-Wno-array-bounds>)
  if(MMSSEC_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# mmssec_add_layer(<layer> SOURCES ...) -> static library mmssec_<layer>, linked PRIVATE to
# exactly the layers the rule allows.
function(mmssec_add_layer layer)
  cmake_parse_arguments(ARG "" "" "SOURCES;EXTERNAL" ${ARGN})
  add_library(mmssec_${layer} STATIC ${ARG_SOURCES})
  add_library(mmssec::${layer} ALIAS mmssec_${layer})
  target_include_directories(mmssec_${layer} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include> $<INSTALL_INTERFACE:include>)
  target_compile_features(mmssec_${layer} PUBLIC cxx_std_20)
  foreach(dep IN LISTS MMSSEC_LAYER_DEPS_${layer})
    target_link_libraries(mmssec_${layer} PRIVATE mmssec_${dep})
  endforeach()
  if(ARG_EXTERNAL)
    target_link_libraries(mmssec_${layer} PRIVATE ${ARG_EXTERNAL})
  endif()
  mmssec_warnings(mmssec_${layer})
endfunction()
