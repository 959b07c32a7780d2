# SPDX-License-Identifier: Apache-2.0
mmssec_add_fuzzer(model_file SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/model_file.cpp LIBS mmssec_mms mmssec_ber mmssec_core)
