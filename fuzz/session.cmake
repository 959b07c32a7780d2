mmssec_add_fuzzer(session SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/session.cpp LIBS mmssec_session mmssec_core)
