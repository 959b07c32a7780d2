// SPDX-License-Identifier: Apache-2.0
// Session layer entry points: the TSDU decoder (any input must decode or fail cleanly, and a
// decoded SPDU must re-encode and decode to the same value), then a responder state machine fed
// the input split into TSDUs (first byte = number of TSDUs, each prefixed by a one-octet length,
// the remainder one last TSDU), answering every connect indication and finish indication.
#include "mmssec/session/session.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "mmssec/core/bytes.hpp"
#include "mmssec/session/connection.hpp"

namespace {
using namespace mmssec;

void check_round_trip(ByteView input) {
  auto decoded = session::decode_tsdu(input);
  if (!decoded) return;
  Bytes out;
  if (decoded->give_tokens && !session::encode_spdu(*decoded->give_tokens, out).ok()) return;
  if (!session::encode_spdu(decoded->spdu, out).ok()) return;
  auto again = session::decode_tsdu(out);
  // A lone DT re-encodes without its GT; a DT whose user information starts with SI 1 is then
  // read as GT + DT. Only compare when the re-encoding kept the same concatenation.
  if (!again) {
    if (!std::holds_alternative<session::DataTransfer>(decoded->spdu)) std::abort();
    return;
  }
  if (again->spdu.index() != decoded->spdu.index()) return;
  if (std::holds_alternative<session::DataTransfer>(decoded->spdu) &&
      again->give_tokens.has_value() != decoded->give_tokens.has_value())
    return;
  auto strip = [](session::Spdu s) {
    std::visit(
        [](auto& v) {
          if constexpr (requires { v.user_data_form; }) v.user_data_form = session::UserDataForm::automatic;
        },
        s);
    return s;
  };
  if (!(strip(again->spdu) == strip(decoded->spdu))) std::abort();
}

void drive(session::Connection& conn, ByteView tsdu) {
  const session::Output out = conn.on_tsdu(tsdu);
  for (const auto& ev : out.events) {
    if (ev.kind == session::Event::Kind::connect_indication) {
      if (ev.user_data.size() % 2 == 0)
        (void)conn.accept(ev.user_data);
      else
        (void)conn.refuse(ev.user_data);
    } else if (ev.kind == session::Event::Kind::finish_indication) {
      (void)conn.disconnect(ev.user_data);
    } else if (ev.kind == session::Event::Kind::data) {
      (void)conn.send_data(ev.user_data);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView input(data, size);
  check_round_trip(input);

  // The whole input as a single TSDU to a fresh responder.
  {
    session::Connection conn(session::Role::responder);
    drive(conn, input);
  }
  // The input as a sequence of TSDUs.
  if (size > 0) {
    ByteReader r(input);
    const std::uint8_t count = *r.read_u8();
    session::Connection conn(session::Role::responder);
    for (std::uint8_t i = 0; i < count && !r.empty(); ++i) {
      const std::uint8_t len = *r.read_u8();
      auto tsdu = r.read_bytes(len);
      if (!tsdu) break;
      drive(conn, *tsdu);
    }
    if (!r.empty()) drive(conn, r.rest());
  }
  return 0;
}
