# SPDX-License-Identifier: Apache-2.0
mmssec_add_fuzzer(presentation SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/presentation.cpp
                  LIBS mmssec_presentation mmssec_ber mmssec_core)
