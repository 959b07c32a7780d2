// SPDX-License-Identifier: Apache-2.0
// Client and server associations wired back to back in memory: establishment, data, release,
// rejection, abort and malformed input, with every chunking of the byte stream.
#include "mmssec/stack/association.hpp"

#include <gtest/gtest.h>

#include <algorithm>

using namespace mmssec;
using namespace mmssec::stack;

namespace {

/// A stand-in for an MMS PDU: the association carries it opaquely, but it must be one BER element.
Bytes element(std::uint8_t tag, std::size_t size, std::uint8_t fill) {
  Bytes out;
  ber::Writer w(out);
  w.tlv(ber::Tag{ber::TagClass::context, true, tag}, Bytes(size, fill));
  return out;
}

template <class T>
const T* find_event(const std::vector<Event>& evs) {
  for (const auto& e : evs)
    if (const auto* p = std::get_if<T>(&e)) return p;
  return nullptr;
}

/// Two associations and the wire between them. `chunk` = bytes delivered per receive() call.
struct Pair {
  Association client = Association::client();
  Association server;
  std::vector<Event> client_events, server_events;
  bool client_closed = false, server_closed = false;
  std::size_t chunk = 0;

  explicit Pair(Acceptor acceptor, std::size_t chunk_size = 0)
      : server(Association::server({}, std::move(acceptor))), chunk(chunk_size) {}

  void deliver(Association& to, const Bytes& bytes, std::vector<Event>& events, bool& closed,
               Association& back, std::vector<Event>& back_events, bool& back_closed) {
    if (bytes.empty()) return;
    const std::size_t step = chunk == 0 ? bytes.size() : chunk;
    for (std::size_t i = 0; i < bytes.size(); i += step) {
      const std::size_t n = std::min(step, bytes.size() - i);
      Output o = to.receive(ByteView(bytes).subspan(i, n));
      events.insert(events.end(), o.events.begin(), o.events.end());
      closed = closed || o.close;
      deliver(back, o.send, back_events, back_closed, to, events, closed);
    }
  }
  void from_client(const Output& o) {
    client_events.insert(client_events.end(), o.events.begin(), o.events.end());
    client_closed = client_closed || o.close;
    deliver(server, o.send, server_events, server_closed, client, client_events, client_closed);
  }
  void from_server(const Output& o) {
    server_events.insert(server_events.end(), o.events.begin(), o.events.end());
    server_closed = server_closed || o.close;
    deliver(client, o.send, client_events, client_closed, server, server_events, server_closed);
  }
};

Acceptor accept_with(Bytes response) {
  return [response](const AssociateIndication&) {
    Decision d;
    d.accept = true;
    d.mms_pdu = response;
    return d;
  };
}

void establish(Pair& p, const Bytes& initiate) {
  auto c = p.client.connect(initiate);
  ASSERT_TRUE(c.ok());
  p.from_client(*c);
}

}  // namespace

class AssociationChunking : public ::testing::TestWithParam<std::size_t> {};

TEST_P(AssociationChunking, EstablishExchangeRelease) {
  const Bytes initiate = element(8, 20, 0x11);
  const Bytes response = element(9, 20, 0x22);
  Pair p(accept_with(response), GetParam());
  establish(p, initiate);
  ASSERT_EQ(p.client.state(), State::associated);
  ASSERT_EQ(p.server.state(), State::associated);
  const auto* assoc = find_event<Associated>(p.client_events);
  ASSERT_NE(assoc, nullptr);
  EXPECT_EQ(assoc->mms_pdu, response);
  ASSERT_TRUE(assoc->aare.has_value());
  ASSERT_TRUE(p.server.aarq().has_value());
  EXPECT_EQ(p.server.aarq()->application_context_name, (ber::Oid{1, 0, 9506, 2, 3}));
  EXPECT_EQ(p.server.mms_context(), std::optional<std::uint32_t>(3));

  // Data both ways, including one larger than the 8192-octet TPDU (COTP segmentation).
  const Bytes req = element(0, 10, 0x33);
  const Bytes big = element(1, 20000, 0x44);
  auto s1 = p.client.send(req);
  ASSERT_TRUE(s1.ok());
  p.from_client(*s1);
  auto s2 = p.server.send(big);
  ASSERT_TRUE(s2.ok());
  p.from_server(*s2);
  const auto* at_server = find_event<MmsData>(p.server_events);
  ASSERT_NE(at_server, nullptr);
  EXPECT_EQ(at_server->pdu, req);
  const auto* at_client = find_event<MmsData>(p.client_events);
  ASSERT_NE(at_client, nullptr);
  EXPECT_EQ(at_client->pdu, big);

  auto rel = p.client.release();
  ASSERT_TRUE(rel.ok());
  p.from_client(*rel);
  EXPECT_NE(find_event<ReleaseIndication>(p.server_events), nullptr);
  EXPECT_NE(find_event<Released>(p.server_events), nullptr);
  EXPECT_NE(find_event<Released>(p.client_events), nullptr);
  EXPECT_EQ(p.client.state(), State::closed);
  EXPECT_EQ(p.server.state(), State::closed);
  EXPECT_TRUE(p.client_closed);
  EXPECT_TRUE(p.server_closed);
  EXPECT_EQ(find_event<Aborted>(p.client_events), nullptr);
  EXPECT_EQ(find_event<Aborted>(p.server_events), nullptr);
}

INSTANTIATE_TEST_SUITE_P(Chunks, AssociationChunking, ::testing::Values(0, 1, 3, 7, 100));

TEST(Association, LargeInitiateUsesExtendedSessionUserData) {
  // An AARQ above 512 octets (as with A-profile certificates) needs session version 2 and PGI 194.
  const Bytes initiate = element(8, 3000, 0x55);
  const Bytes response = element(9, 2000, 0x66);
  Pair p(accept_with(response));
  establish(p, initiate);
  ASSERT_EQ(p.client.state(), State::associated);
  const auto* ind = find_event<Associated>(p.client_events);
  ASSERT_NE(ind, nullptr);
  EXPECT_EQ(ind->mms_pdu, response);
}

TEST(Association, ServerWithoutAcceptorWaitsForDecision) {
  const Bytes initiate = element(8, 5, 0x01);
  Pair p(Acceptor{});
  establish(p, initiate);
  EXPECT_EQ(p.server.state(), State::awaiting_decision);
  const auto* ind = find_event<AssociateIndication>(p.server_events);
  ASSERT_NE(ind, nullptr);
  EXPECT_EQ(ind->mms_pdu, initiate);
  ASSERT_TRUE(ind->aarq.calling_ap_title.has_value());
  EXPECT_EQ(ind->aarq.calling_ap_title->oid, (ber::Oid{1, 1, 1, 999}));
  EXPECT_FALSE(p.server.send(initiate).ok());  // not associated yet
  auto a = p.server.accept(element(9, 5, 0x02));
  ASSERT_TRUE(a.ok());
  p.from_server(*a);
  EXPECT_EQ(p.client.state(), State::associated);
  EXPECT_FALSE(p.server.accept(element(9, 5, 0x02)).ok());  // decided already
}

TEST(Association, RejectionReachesClientWithDiagnostic) {
  Pair p([](const AssociateIndication&) {
    Decision d;
    d.accept = false;
    d.result = acse::AssociateResult::rejected_permanent;
    d.diagnostic = acse::UserDiagnostic::authentication_failure;
    return d;
  });
  establish(p, element(8, 5, 0x01));
  const auto* rej = find_event<AssociateRejected>(p.client_events);
  ASSERT_NE(rej, nullptr);
  EXPECT_NE(rej->reason.find("rejected-permanent"), std::string::npos) << rej->reason;
  EXPECT_NE(rej->reason.find("authentication-failure"), std::string::npos) << rej->reason;
  ASSERT_TRUE(rej->aare.has_value());
  EXPECT_EQ(p.client.state(), State::closed);
  EXPECT_EQ(p.server.state(), State::closed);
  EXPECT_TRUE(p.server_closed);
}

TEST(Association, ClientAbortReachesServer) {
  Pair p(accept_with(element(9, 5, 0x02)));
  establish(p, element(8, 5, 0x01));
  ASSERT_EQ(p.server.state(), State::associated);
  p.from_client(p.client.abort());
  const auto* ab = find_event<Aborted>(p.server_events);
  ASSERT_NE(ab, nullptr);
  EXPECT_TRUE(ab->by_peer);
  EXPECT_NE(ab->reason.find("ABRT"), std::string::npos) << ab->reason;
  EXPECT_EQ(p.server.state(), State::closed);
  EXPECT_TRUE(p.server_closed);
}

TEST(Association, GarbageClosesWithTpktFailure) {
  Association server = Association::server();
  const Bytes garbage = {0x47, 0x45, 0x54, 0x20, 0x2f, 0x20, 0x48};  // "GET / H"
  Output o = server.receive(garbage);
  EXPECT_TRUE(o.close);
  const auto* ab = find_event<Aborted>(o.events);
  ASSERT_NE(ab, nullptr);
  ASSERT_TRUE(ab->failure.has_value());
  EXPECT_EQ(ab->failure->layer, "tpkt");
  EXPECT_EQ(server.state(), State::closed);
  // Further input is ignored.
  Output again = server.receive(garbage);
  EXPECT_TRUE(again.send.empty());
  EXPECT_TRUE(again.events.empty());
}

TEST(Association, BadCotpTpduClosesWithCotpFailure) {
  Association server = Association::server();
  // TPKT with a COTP CR whose length indicator (1) is below the CR fixed part: DR then close.
  const Bytes b = {0x03, 0x00, 0x00, 0x07, 0x01, 0xe0, 0x00};
  Output o = server.receive(b);
  EXPECT_TRUE(o.close);
  const auto* ab = find_event<Aborted>(o.events);
  ASSERT_NE(ab, nullptr);
  ASSERT_TRUE(ab->failure.has_value());
  EXPECT_EQ(ab->failure->layer, "cotp");
  EXPECT_FALSE(o.send.empty());  // the class 0 reaction (DR) goes out
}

TEST(Association, MalformedSessionAfterTransportUpAborts) {
  Association client = Association::client();
  Association server = Association::server({}, accept_with(element(9, 1, 0)));
  auto c = client.connect(element(8, 1, 0));
  ASSERT_TRUE(c.ok());
  // Deliver only the CR, answer with CC, then feed the server a DT with a nonsense SPDU.
  Output srv = server.receive(c->send);
  ASSERT_FALSE(srv.send.empty());
  const Bytes bad_dt = {0x03, 0x00, 0x00, 0x0b, 0x02, 0xf0, 0x80, 0x0d, 0xff, 0x00, 0x05};
  Output o = server.receive(bad_dt);
  EXPECT_TRUE(o.close);
  const auto* ab = find_event<Aborted>(o.events);
  ASSERT_NE(ab, nullptr);
  ASSERT_TRUE(ab->failure.has_value());
  EXPECT_EQ(ab->failure->layer, "session");
}

TEST(Association, TransportClosedIsAnAbortByPeer) {
  Pair p(accept_with(element(9, 5, 0x02)));
  establish(p, element(8, 5, 0x01));
  Output o = p.server.transport_closed();
  const auto* ab = find_event<Aborted>(o.events);
  ASSERT_NE(ab, nullptr);
  EXPECT_TRUE(ab->by_peer);
  EXPECT_EQ(p.server.state(), State::closed);
}

TEST(Association, LocalRequestsInWrongStateFail) {
  Association client = Association::client();
  EXPECT_FALSE(client.send(element(0, 1, 0)).ok());
  EXPECT_FALSE(client.release().ok());
  Association server = Association::server();
  EXPECT_FALSE(server.connect(element(8, 1, 0)).ok());
  EXPECT_FALSE(server.accept(element(9, 1, 0)).ok());
  ASSERT_TRUE(client.connect(element(8, 1, 0)).ok());
  EXPECT_FALSE(client.connect(element(8, 1, 0)).ok());
}
