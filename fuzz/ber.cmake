mmssec_add_fuzzer(ber_roundtrip SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/ber_roundtrip.cpp LIBS mmssec_ber mmssec_core)
