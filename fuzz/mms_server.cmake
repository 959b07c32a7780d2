# SPDX-License-Identifier: Apache-2.0
mmssec_add_fuzzer(mms_server SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/mms_server.cpp LIBS mmssec_mms mmssec_ber mmssec_core)
