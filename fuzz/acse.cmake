mmssec_add_fuzzer(acse SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/acse.cpp LIBS mmssec_acse mmssec_ber mmssec_core)
