# SPDX-License-Identifier: Apache-2.0
if(TARGET mmssec_tls)
  find_package(OpenSSL 3 REQUIRED)
  mmssec_add_fuzzer(tls_handshake SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/tls_handshake.cpp
    LIBS mmssec_tls mmssec_events mmssec_net mmssec_core OpenSSL::SSL OpenSSL::Crypto)
  if(TARGET fuzz_tls_handshake)
    target_compile_definitions(fuzz_tls_handshake PRIVATE OPENSSL_API_COMPAT=30000 OPENSSL_NO_DEPRECATED)
  endif()
endif()
