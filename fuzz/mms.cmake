# SPDX-License-Identifier: Apache-2.0
mmssec_add_fuzzer(mms SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/mms.cpp LIBS mmssec_mms mmssec_ber mmssec_core)
