// SPDX-License-Identifier: Apache-2.0
// A ServerSession over the default IED model, after a fixed Initiate, fed the PDUs of one input.
// Input: one flags octet (bit 0: negotiate a 512-octet PDU size; bit 1: hold responses and
// release them every third PDU), then records of a 16-bit big-endian length and that many PDU
// octets (a short last record takes what is left). Between PDUs the model changes (a data set
// member and the measurements), so reports are built too.
// Invariants: no crash or sanitizer report; everything the server sends decodes and fits the
// negotiated PDU size; nothing is sent after the Conclude.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "mmssec/core/bytes.hpp"
#include "mmssec/mms/client.hpp"
#include "mmssec/mms/default_model.hpp"
#include "mmssec/mms/server.hpp"

namespace {
using namespace mmssec;

void check_sent(const Bytes& pdu, std::size_t limit) {
  if (pdu.size() > limit) std::abort();
  if (!mms::decode_pdu(pdu).ok()) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ByteReader in(ByteView(data, size));
  auto flags = in.read_u8();
  if (!flags) return 0;
  mms::Vmd vmd;
  if (!mms::make_default_ied_model(vmd)) std::abort();
  mms::ServerOptions options;
  options.max_outstanding_calling = 4;
  if ((*flags & 1U) != 0) options.max_pdu_size = 512;
  const bool hold = (*flags & 2U) != 0;
  mms::ServerSession server(vmd, {}, options);
  const mms::ClientSession client;
  if (!server.on_initiate(client.initiate_request()) || !server.established()) std::abort();
  const auto dataset =
      mms::ObjectName::domain_specific(std::string(mms::kDefaultDomain), std::string(mms::kDefaultDataSet));
  if (!server.enable_report(dataset)) std::abort();
  const auto limit = static_cast<std::size_t>(*server.negotiated().local_detail);
  server.hold(hold);

  bool concluded = false;
  for (std::size_t n = 0; !in.empty(); ++n) {
    auto len = in.read_u16be();
    if (!len) break;
    auto pdu = in.read_bytes(std::min<std::size_t>(*len, in.remaining()));
    if (!pdu) break;
    const mms::ServerOutput out = server.on_pdu(*pdu);
    if (concluded && !out.send.empty()) std::abort();
    for (const Bytes& b : out.send) check_sent(b, limit);
    concluded = concluded || out.conclude;
    if (hold && n % 3 == 2) {
      for (const Bytes& b : server.release()) check_sent(b, limit);
    }
    (void)vmd.update(mms::ObjectName::domain_specific("LD0", "GGIO1$ST$Ind1$stVal"), mms::Data(n % 2 == 0));
    if (!mms::update_measurements(vmd, static_cast<double>(n))) std::abort();
    for (const Bytes& b : server.take_reports()) check_sent(b, limit);
  }
  return 0;
}
