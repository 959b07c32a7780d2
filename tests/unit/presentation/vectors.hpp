// SPDX-License-Identifier: Apache-2.0
// Hand-assembled presentation golden vectors shared by the presentation tests. Each byte is
// explained; lengths were counted by hand and are checked by the decoder tests.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "mmssec/core/bytes.hpp"

namespace mmssec::presentation::testing {

inline Bytes hex(std::string_view h) {
  auto b = from_hex(h);
  EXPECT_TRUE(b.ok()) << h;
  return b.ok() ? *b : Bytes{};
}

// A minimal AARQ (the ACSE APDU an IEC 61850 client sends), used as opaque user data:
//   60 09                      AARQ [APPLICATION 0], 9 octets
//     a1 07 06 05 28ca220203   application-context-name { 1 0 9506 2 3 } (MMS basic-AC)
inline constexpr std::string_view kAarq = "6009a107060528ca220203";

// A minimal AARE accepting it:
//   61 15                      AARE [APPLICATION 1], 21 octets
//     a1 07 06 05 28ca220203   application-context-name
//     a2 03 02 01 00           result accepted
//     a3 05 a1 03 02 01 00     result-source-diagnostic acse-service-user null
inline constexpr std::string_view kAare = "6115a107060528ca220203a203020100a305a103020100";

// Context-list items:
//   30 0f                      SEQUENCE, 15 octets
//     02 01 01                 presentation-context-identifier 1
//     06 04 52010001           abstract-syntax-name { 2 2 1 0 1 } (ACSE)
//     30 04 06 02 5101         transfer-syntax-name-list { { 2 1 1 } } (BER)
inline constexpr std::string_view kCtxAcse = "300f020101060452010001300406025101";
//   30 10                      SEQUENCE, 16 octets
//     02 01 03                 presentation-context-identifier 3
//     06 05 28ca220201         abstract-syntax-name { 1 0 9506 2 1 } (MMS)
//     30 04 06 02 5101         { BER }
inline constexpr std::string_view kCtxMms =
    "30100201030605"
    "28ca220201"
    "300406025101";
//   30 0f                      SEQUENCE, 15 octets
//     02 01 05                 presentation-context-identifier 5
//     06 04 2bce0f01           abstract-syntax-name { 1 3 9999 1 } (unknown to us)
//     30 04 06 02 5101         { BER }
inline constexpr std::string_view kCtxUnknown = "300f02010506042bce0f01300406025101";

// The typical IEC 61850 client CP-type (78 octets):
//   31 4c                      CP-type SET
//     a0 03 80 01 01           mode-selector { mode-value normal-mode (1) }
//     a2 45                    normal-mode-parameters, 69 octets
//       81 04 00000001         calling-presentation-selector
//       82 04 00000001         called-presentation-selector
//       a4 23 <ACSE><MMS>      presentation-context-definition-list, 35 octets
//       61 12                  user-data: fully-encoded-data, 18 octets
//         30 10                PDV-list
//           02 01 01           presentation-context-identifier 1 (ACSE)
//           a0 0b <AARQ>       single-ASN1-type
inline std::string cp_golden_hex() {
  return std::string(
             "314c"
             "a003800101"
             "a245"
             "810400000001"
             "820400000001"
             "a423") +
         std::string(kCtxAcse) + std::string(kCtxMms) +
         "6112"
         "3010"
         "020101"
         "a00b" +
         std::string(kAarq);
}
/// Offset of the AARQ's first octet in cp_golden_hex().
inline constexpr std::size_t kCpGoldenAarqOffset = 67;

// The same CP with a third, unknown context 5 (95 octets):
//   31 5d / a0 03 800101 / a2 56 / 81.. 82.. / a4 34 <ACSE><MMS><unknown> / 61 12 ...
inline std::string cp_three_contexts_hex() {
  return std::string(
             "315d"
             "a003800101"
             "a256"
             "810400000001"
             "820400000001"
             "a434") +
         std::string(kCtxAcse) + std::string(kCtxMms) + std::string(kCtxUnknown) +
         "6112"
         "3010"
         "020101"
         "a00b" +
         std::string(kAarq);
}

// The CPA-PPDU accepting contexts 1 and 3 (67 octets):
//   31 41                      CPA-PPDU SET
//     a0 03 80 01 01           mode-selector normal-mode
//     a2 3a                    normal-mode-parameters, 58 octets
//       83 04 00000001         responding-presentation-selector
//       a5 12                  presentation-context-definition-result-list
//         30 07 8001 00 8102 5101   acceptance, transfer-syntax-name BER
//         30 07 8001 00 8102 5101   acceptance, transfer-syntax-name BER
//       61 1e                  fully-encoded-data
//         30 1c 02 01 01       PDV-list, context 1
//           a0 17 <AARE>       single-ASN1-type
inline std::string cpa_golden_hex() {
  return std::string(
             "3141"
             "a003800101"
             "a23a"
             "830400000001"
             "a512"
             "30078001008102"
             "5101"
             "30078001008102"
             "5101"
             "611e"
             "301c"
             "020101"
             "a017") +
         std::string(kAare);
}

// The CPA answering cp_three_contexts_hex(): the third context is rejected on its own (75 octets):
//   31 49 / a0 03 800101 / a2 42 / 83 04 00000001
//   a5 1a  30 07 (accept BER) 30 07 (accept BER)
//          30 06 80 01 02 82 01 01   provider-rejection, abstract-syntax-not-supported
//   61 1e ... <AARE>
inline std::string cpa_three_contexts_hex() {
  return std::string(
             "3149"
             "a003800101"
             "a242"
             "830400000001"
             "a51a"
             "30078001008102"
             "5101"
             "30078001008102"
             "5101"
             "3006800102820101"
             "611e"
             "301c"
             "020101"
             "a017") +
         std::string(kAare);
}

}  // namespace mmssec::presentation::testing
