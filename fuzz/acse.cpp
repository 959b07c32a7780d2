// SPDX-License-Identifier: Apache-2.0
// ACSE fuzz target:
//  1. decode_apdu on the whole input; a decoded APDU must re-encode, and the re-encoding must
//     decode to an equal value (the codec never produces what it cannot read back);
//  2. the input as a stream of TLVs fed to a responder association (accepting every AARQ) and to
//     an initiator that has sent an AARQ; every provider abort must leave the machine idle with
//     exactly one ABRT to send.
#include "mmssec/acse/acse.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "mmssec/acse/association.hpp"
#include "mmssec/ber/ber.hpp"

namespace {
using namespace mmssec;

void check(bool ok) {
  if (!ok) std::abort();
}

void round_trip(ByteView input) {
  auto decoded = acse::decode_apdu(input);
  if (!decoded) return;
  auto encoded = acse::encode_apdu(*decoded);
  check(encoded.ok());
  auto again = acse::decode_apdu(*encoded);
  check(again.ok());
  check(*again == *decoded);
}

void check_output(const acse::Association& a, const acse::Output& o) {
  if (!o.error) return;
  check(a.state() == acse::State::idle);
  check(o.send.size() == 1);
  auto abrt = acse::decode_apdu(o.send.front());
  check(abrt.ok() && std::holds_alternative<acse::Abrt>(*abrt));
}

void drive(ByteView input) {
  acse::Association responder(acse::Role::responder);
  responder.set_acceptor([](const acse::Aarq& q) { return acse::make_accept(q); });
  acse::Association initiator(acse::Role::initiator);
  acse::Aarq aarq;
  aarq.application_context_name = acse::mms_application_context();
  check(initiator.associate(aarq).ok());

  ber::Reader stream(input);
  while (!stream.empty()) {
    auto tlv = stream.read_any();
    if (!tlv) {
      // The unparseable rest goes in as one (malformed) APDU.
      const ByteView rest = input.subspan(stream.offset());
      check_output(responder, responder.on_bytes(rest));
      check_output(initiator, initiator.on_bytes(rest));
      break;
    }
    const ByteView apdu = input.subspan(tlv->offset, tlv->total_size);
    check_output(responder, responder.on_bytes(apdu, tlv->offset));
    check_output(initiator, initiator.on_bytes(apdu, tlv->offset));
    // Exercise the local requests valid in whatever state the machines reached.
    if (responder.state() == acse::State::awaiting_release_response) (void)responder.respond_release();
    if (initiator.state() == acse::State::associated) (void)initiator.release();
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView input(data, size);
  round_trip(input);
  drive(input);
  return 0;
}
