mmssec_add_fuzzer(cotp SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/cotp.cpp LIBS mmssec_cotp mmssec_core)
