mmssec_add_fuzzer(stack_decode SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/stack_decode.cpp
  LIBS mmssec_stack mmssec_mms mmssec_acse mmssec_presentation mmssec_session mmssec_cotp mmssec_tpkt
       mmssec_capture mmssec_ber mmssec_core)
