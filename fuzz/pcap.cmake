mmssec_add_fuzzer(pcap SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/pcap.cpp LIBS mmssec_capture mmssec_core)
