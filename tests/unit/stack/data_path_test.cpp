// SPDX-License-Identifier: Apache-2.0
// The data-transfer path of stack::Association: the one-pass encoder puts exactly the octets the
// layer-by-layer encoding gives on the wire, the view-based receive path delivers what was
// sent, caller-owned Outputs are appended to and reusable, and anything off the fast path
// (segmented TSDUs, unknown contexts, malformed PPDUs) still gets the general reaction.
#include <gtest/gtest.h>

#include <algorithm>

#include "mmssec/ber/ber.hpp"
#include "mmssec/cotp/cotp.hpp"
#include "mmssec/presentation/ppdu.hpp"
#include "mmssec/session/session.hpp"
#include "mmssec/stack/association.hpp"
#include "mmssec/tpkt/tpkt.hpp"

using namespace mmssec;
using namespace mmssec::stack;

namespace {

constexpr std::size_t kTpduSize = 8192;  // what two of our associations negotiate
constexpr presentation::ContextId kMms = 3;

Bytes element(std::uint8_t tag, std::size_t size, std::uint8_t fill) {
  Bytes out;
  ber::Writer w(out);
  w.tlv(ber::Tag{ber::TagClass::context, true, tag}, Bytes(size, fill));
  return out;
}

/// The wire octets for one MMS PDU built layer by layer with each layer's own encoder:
/// TD-PPDU, GT+DT TSDU, DT TPDUs of at most kTpduSize, one TPKT each.
Bytes layered_encoding(ByteView mms_pdu, presentation::ContextId ctx = kMms) {
  Bytes td;
  presentation::encode(
      presentation::UserData::fully({presentation::Pdv::single(ctx, Bytes(mms_pdu.begin(), mms_pdu.end()))}),
      td);
  const Bytes tsdu = session::encode_data_tsdu(td);
  Bytes wire;
  const std::size_t max_data = kTpduSize - cotp::kDtHeaderSize;
  for (std::size_t at = 0; at < tsdu.size(); at += max_data) {
    const std::size_t n = std::min(max_data, tsdu.size() - at);
    Bytes tpdu;
    EXPECT_TRUE(cotp::encode(cotp::Dt{at + n == tsdu.size(), 0, ByteView(tsdu).subspan(at, n)}, tpdu).ok());
    EXPECT_TRUE(tpkt::encode(tpdu, wire).ok());
  }
  return wire;
}

template <class T>
const T* find_event(const std::vector<Event>& evs) {
  for (const auto& e : evs)
    if (const auto* p = std::get_if<T>(&e)) return p;
  return nullptr;
}

/// Client and server associated back to back (the server accepts everything).
struct Associated2 {
  Association client = Association::client();
  Association server = Association::server({}, [](const AssociateIndication&) {
    Decision d;
    d.mms_pdu = element(9, 4, 0x22);
    return d;
  });

  Associated2() {
    auto c = client.connect(element(8, 4, 0x11));
    EXPECT_TRUE(c.ok());
    Bytes to_server = c->send;
    for (int i = 0; i < 8 && !to_server.empty(); ++i) {
      Output s = server.receive(to_server);
      Output back = client.receive(s.send);
      to_server = std::move(back.send);
    }
    EXPECT_EQ(client.state(), State::associated);
    EXPECT_EQ(server.state(), State::associated);
  }
};

}  // namespace

TEST(AssociationDataPath, OneShotEncodingEqualsLayeredEncoding) {
  Associated2 p;
  // Around every BER length-form boundary and around the single-DT limit; 20000 is segmented.
  for (const std::size_t content :
       {std::size_t{0},    std::size_t{1},    std::size_t{100},  std::size_t{110},  std::size_t{115},
        std::size_t{116},  std::size_t{117},  std::size_t{118},  std::size_t{125},  std::size_t{126},
        std::size_t{127},  std::size_t{128},  std::size_t{240},  std::size_t{250},  std::size_t{255},
        std::size_t{256},  std::size_t{8150}, std::size_t{8160}, std::size_t{8166}, std::size_t{8167},
        std::size_t{8168}, std::size_t{8170}, std::size_t{8180}, std::size_t{20000}}) {
    SCOPED_TRACE(content);
    const Bytes pdu = element(0, content, 0x5a);
    Output out;
    ASSERT_TRUE(p.client.send(pdu, out).ok());
    EXPECT_EQ(out.send, layered_encoding(pdu));
    EXPECT_TRUE(out.events.empty());
    EXPECT_FALSE(out.close);
    // The Output-returning form gives the same octets.
    auto again = p.server.send(pdu);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->send, layered_encoding(pdu));

    Output in;
    p.server.receive(out.send, in);
    ASSERT_EQ(in.events.size(), 1U);
    const auto* d = std::get_if<MmsData>(&in.events.front());
    ASSERT_NE(d, nullptr);
    EXPECT_EQ(d->pdu, pdu);
    Output back = p.client.receive(again->send);
    ASSERT_EQ(back.events.size(), 1U);
    ASSERT_NE(std::get_if<MmsData>(&back.events.front()), nullptr);
    EXPECT_EQ(std::get<MmsData>(back.events.front()).pdu, pdu);
  }
}

TEST(AssociationDataPath, CallerOutputsAreAppendedToAndReusable) {
  Associated2 p;
  Output wire;
  const Bytes a = element(0, 10, 0x01);
  const Bytes b = element(1, 300, 0x02);
  ASSERT_TRUE(p.client.send(a, wire).ok());
  const std::size_t first = wire.send.size();
  ASSERT_TRUE(p.client.send(b, wire).ok());
  Bytes expected = layered_encoding(a);
  const Bytes second = layered_encoding(b);
  expected.insert(expected.end(), second.begin(), second.end());
  EXPECT_EQ(first, layered_encoding(a).size());
  EXPECT_EQ(wire.send, expected);

  // Byte by byte into one reused Output: both PDUs arrive, in order, appended.
  Output in;
  for (std::uint8_t byte : wire.send) p.server.receive(ByteView(&byte, 1), in);
  ASSERT_EQ(in.events.size(), 2U);
  EXPECT_EQ(std::get<MmsData>(in.events[0]).pdu, a);
  EXPECT_EQ(std::get<MmsData>(in.events[1]).pdu, b);

  // Many round trips through cleared Outputs.
  Output to_server, at_server, to_client, at_client;
  for (std::uint8_t i = 0; i < 50; ++i) {
    const Bytes req = element(0, i, i);
    const Bytes resp = element(1, 2U * i, static_cast<std::uint8_t>(i + 1));
    to_server.clear();
    ASSERT_TRUE(p.client.send(req, to_server).ok());
    at_server.clear();
    p.server.receive(to_server.send, at_server);
    ASSERT_EQ(at_server.events.size(), 1U);
    EXPECT_EQ(std::get<MmsData>(at_server.events[0]).pdu, req);
    to_client.clear();
    ASSERT_TRUE(p.server.send(resp, to_client).ok());
    at_client.clear();
    p.client.receive(to_client.send, at_client);
    ASSERT_EQ(at_client.events.size(), 1U);
    EXPECT_EQ(std::get<MmsData>(at_client.events[0]).pdu, resp);
  }
  EXPECT_EQ(p.client.state(), State::associated);
  EXPECT_EQ(p.server.state(), State::associated);
}

TEST(AssociationDataPath, SendOutsideDataTransferFailsAndLeavesOutputAlone) {
  Association client = Association::client();
  Output out;
  out.send = {1, 2, 3};
  EXPECT_FALSE(client.send(element(0, 1, 0), out).ok());
  EXPECT_EQ(out.send, (Bytes{1, 2, 3}));
  EXPECT_TRUE(out.events.empty());
}

TEST(AssociationDataPath, DataOnTheAcseContextStillAborts) {
  Associated2 p;
  Output in;
  p.server.receive(layered_encoding(element(0, 5, 0), 1), in);
  const auto* ab = find_event<Aborted>(in.events);
  ASSERT_NE(ab, nullptr);
  EXPECT_FALSE(ab->by_peer);
  ASSERT_TRUE(ab->failure.has_value());
  EXPECT_EQ(ab->failure->layer, "stack");
  EXPECT_EQ(find_event<MmsData>(in.events), nullptr);
  EXPECT_TRUE(in.close);
  EXPECT_FALSE(in.send.empty());  // the ABRT
  EXPECT_EQ(p.server.state(), State::closed);
}

// A PPDU the presentation layer refuses is answered with its ARP (in the general path) and the
// connection closes. (The stack reports no Aborted event for this case today: the ARP closes the
// association before the presentation's AbortIndication is looked at.)
void expect_presentation_reaction(const Output& in, const Association& server) {
  EXPECT_EQ(find_event<MmsData>(in.events), nullptr);
  EXPECT_TRUE(in.close);
  EXPECT_EQ(server.state(), State::closed);
  // TPKT, COTP DT, session AB carrying the ARP: [APPLICATION 0] ... at the end.
  ASSERT_GT(in.send.size(), 11U);
  EXPECT_EQ(in.send[0], 0x03);
  EXPECT_EQ(in.send[5], 0xf0);
  EXPECT_EQ(in.send[7], 0x19);  // session AB
}

TEST(AssociationDataPath, UndefinedContextGetsThePresentationReaction) {
  Associated2 p;
  Output in;
  p.server.receive(layered_encoding(element(0, 5, 0), 7), in);
  expect_presentation_reaction(in, p.server);
}

TEST(AssociationDataPath, TrailingOctetAfterTheTdGetsThePresentationReaction) {
  Associated2 p;
  Bytes td;
  presentation::encode_single_pdv(kMms, element(0, 5, 0), td);
  td.push_back(0x00);
  const Bytes tsdu = session::encode_data_tsdu(td);
  Bytes tpdu;
  ASSERT_TRUE(cotp::encode(cotp::Dt{true, 0, tsdu}, tpdu).ok());
  Bytes wire;
  ASSERT_TRUE(tpkt::encode(tpdu, wire).ok());
  Output in;
  p.server.receive(wire, in);
  expect_presentation_reaction(in, p.server);
}

TEST(AssociationDataPath, SegmentedTsduIsReassembled) {
  Associated2 p;
  // Two DTs: the first without EOT takes the general COTP path, which then delivers the TSDU.
  const Bytes pdu = element(0, 9000, 0x77);
  const Bytes wire = layered_encoding(pdu);
  Output in;
  p.server.receive(wire, in);
  ASSERT_EQ(in.events.size(), 1U);
  EXPECT_EQ(std::get<MmsData>(in.events[0]).pdu, pdu);
}
