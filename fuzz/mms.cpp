// SPDX-License-Identifier: Apache-2.0
// MMSpdu decoder: any input either fails cleanly (and then maps to a RejectPDU or, for a
// malformed reject, to nothing) or decodes; what decodes re-encodes, and the re-encoding decodes
// to an equal value and re-encodes to the same bytes (abort() otherwise).
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "mmssec/mms/pdu.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mmssec;
  const ByteView input(data, size);
  mms::PduError failure;
  auto first = mms::decode_pdu(input, default_limits(), &failure);
  if (!first) {
    if (!(failure.error == first.error())) std::abort();
    const auto reject = mms::reject_for(failure);
    if (reject) {
      // The reject itself must encode to a decodable RejectPDU.
      auto back = mms::decode_pdu(mms::encode_pdu(*reject));
      if (!back || !(*back == mms::Pdu{*reject})) std::abort();
      (void)mms::describe(*reject);
    } else if (failure.kind != mms::PduKind::reject) {
      std::abort();
    }
    return 0;
  }
  const Bytes encoded = mms::encode_pdu(*first);
  auto second = mms::decode_pdu(encoded);
  if (!second) std::abort();
  // Equal values, or (NaN floats compare unequal to themselves) the same canonical encoding.
  if (mms::encode_pdu(*second) != encoded) std::abort();
  if (!(*second == *first) && mms::encode_pdu(*first) != mms::encode_pdu(*second)) std::abort();
  return 0;
}
