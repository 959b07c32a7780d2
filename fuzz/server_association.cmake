mmssec_add_fuzzer(server_association SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/server_association.cpp
  LIBS mmssec_stack mmssec_mms mmssec_acse mmssec_presentation mmssec_session mmssec_cotp mmssec_tpkt
       mmssec_ber mmssec_core)
