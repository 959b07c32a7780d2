// SPDX-License-Identifier: Apache-2.0
// Faulty peers against MmsServer on loopback: garbage, stalls, floods, disconnects at every step
// of an association, and a client that never reads. Each test checks that an event was emitted,
// that the server's active connection count returns to its baseline and that a healthy
// association is still served (a read succeeds). Waits are bounded and on conditions.
#include <gtest/gtest.h>

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "mmssec/endpoint/server.hpp"
#include "server_test_support.hpp"

namespace mmssec::endpoint {
namespace {

using namespace std::chrono_literals;
using testing::EventLog;
using testing::eventually;
using testing::ld0;
using testing::NetPeer;
using testing::read_data;
using testing::test_settings;

Bytes bytes_of(std::string_view s) { return Bytes(s.begin(), s.end()); }

class FaultTest : public ::testing::Test {
 protected:
  /// Start the server and (unless told otherwise) a healthy association that lives through the
  /// fault.
  void start(const std::function<void(ServerSettings&)>& tweak = {}, bool with_healthy = true) {
    ServerSettings s = test_settings(&log);
    // Long enough that the healthy association outlives the slowest test (sanitizers).
    s.network.first_byte_timeout = 30s;
    s.network.idle_timeout = 30s;
    if (tweak) tweak(s);
    server = std::make_unique<MmsServer>(std::move(s), model);
    ASSERT_TRUE(server->start().ok());
    if (with_healthy) {
      healthy = std::make_unique<NetPeer>(server->port());
      ASSERT_TRUE(healthy->associate());
      baseline = 1;
    }
    ASSERT_TRUE(eventually([&] { return active() == baseline; }));
  }

  [[nodiscard]] std::uint64_t active() const { return server->stats().network.active; }

  /// The server is back to its baseline and the healthy association (a new one when the test
  /// had none) still gets answers.
  void expect_still_serving() {
    EXPECT_TRUE(eventually([&] { return active() == baseline; })) << "active " << active();
    if (!healthy) {
      healthy = std::make_unique<NetPeer>(server->port());
      ASSERT_TRUE(healthy->associate());
    }
    EXPECT_TRUE(read_data(healthy->call(healthy->session().read(ld0("LLN0$ST$Mod$stVal")))));
    EXPECT_EQ(server->stats().associations_active, 1U);
  }

  EventLog log;
  std::shared_ptr<ModelHost> model = testing::default_model();
  std::unique_ptr<MmsServer> server;
  std::unique_ptr<NetPeer> healthy;
  std::uint64_t baseline = 0;
};

TEST_F(FaultTest, GarbageAfterConnect) {
  start();
  const std::vector<std::pair<Bytes, std::string>> garbage = {
      {bytes_of("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), "tpkt"},
      {Bytes{0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03}, "tpkt"},  // TLS ClientHello
      {Bytes(64, 0x00), "tpkt"},
      // A well-formed TPKT carrying a COTP TPDU of an unknown type.
      {Bytes{0x03, 0x00, 0x00, 0x0b, 0x06, 0x90, 0x00, 0x00, 0x00, 0x00, 0x00}, "cotp"},
  };
  for (std::size_t i = 0; i < garbage.size(); ++i) {
    SCOPED_TRACE(i);
    NetPeer raw(server->port());
    ASSERT_TRUE(raw.send_bytes(garbage[i].first));
    EXPECT_TRUE(raw.wait_closed());
    ASSERT_TRUE(log.wait_count(ServerEventKind::aborted, i + 1));
  }
  std::vector<std::string> layers;
  for (const auto& e : log.all()) {
    if (e.kind == ServerEventKind::aborted) layers.push_back(e.layer);
  }
  EXPECT_EQ(layers, (std::vector<std::string>{"tpkt", "tpkt", "tpkt", "cotp"}));
  expect_still_serving();
}

TEST_F(FaultTest, GarbageAfterAssociation) {
  start();
  const std::vector<Bytes> garbage = {
      bytes_of("garbage, not a TPKT"),
      // TPKT + COTP DT (EOT) carrying an SPDU that is not one.
      Bytes{0x03, 0x00, 0x00, 0x0c, 0x02, 0xf0, 0x80, 0xff, 0xff, 0xff, 0xff, 0xff},
  };
  for (std::size_t i = 0; i < garbage.size(); ++i) {
    SCOPED_TRACE(i);
    NetPeer p(server->port());
    ASSERT_TRUE(p.associate());
    ASSERT_TRUE(p.send_bytes(garbage[i]));
    EXPECT_TRUE(p.wait_closed());
    ASSERT_TRUE(log.wait_count(ServerEventKind::aborted, i + 1));
  }
  EXPECT_EQ(server->stats().aborted, 2U);
  expect_still_serving();
}

TEST_F(FaultTest, StallInTheMiddleOfAPdu) {
  start([](ServerSettings& s) { s.network.idle_timeout = 200ms; }, /*with_healthy=*/false);
  NetPeer p(server->port());
  ASSERT_TRUE(p.associate());
  ASSERT_TRUE(p.send(p.session().read(ld0("MMXU1$MX$TotW$mag$f"))));
  const Bytes request = p.take_outgoing();
  ASSERT_GT(request.size(), 10U);
  ASSERT_TRUE(p.send_bytes(Bytes(request.begin(), request.begin() + 10)));  // and nothing more
  EXPECT_TRUE(p.wait_closed());
  ASSERT_TRUE(log.wait_count(ServerEventKind::timeout, 1));
  EXPECT_EQ(log.first(ServerEventKind::timeout)->reason, "idle timeout");
  EXPECT_TRUE(p.aborted);  // the ABRT went out before the close
  expect_still_serving();
}

TEST_F(FaultTest, ConnectionFloodBeyondTheLimit) {
  start([](ServerSettings& s) { s.network.max_connections = 3; });
  constexpr std::size_t kFlood = 10;
  std::vector<std::unique_ptr<NetPeer>> flood;
  for (std::size_t i = 0; i < kFlood; ++i) flood.push_back(std::make_unique<NetPeer>(server->port()));
  // The healthy association holds one of three places: two more are served, the rest refused.
  ASSERT_TRUE(eventually([&] { return server->stats().connections_refused == kFlood - 2; }))
      << server->stats().connections_refused;
  EXPECT_TRUE(log.wait_count(ServerEventKind::connection_refused, kFlood - 2));
  EXPECT_GE(server->stats().network.rejected, kFlood - 2);
  const auto e = log.first(ServerEventKind::connection_refused);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->severity, EventSeverity::warning);
  EXPECT_EQ(e->peer.address, "127.0.0.1");
  EXPECT_NE(e->reason.find("limit 3"), std::string::npos) << e->reason;
  EXPECT_TRUE(eventually([&] { return active() == 3; }));
  flood.clear();
  expect_still_serving();
  // Below the limit again: a new association is accepted.
  NetPeer later(server->port());
  EXPECT_TRUE(later.associate());
}

/// Where a client disappears.
enum class Cut {
  after_connect,    // TCP only
  after_cr,         // CR sent
  aarq_half_sent,   // CC received, half of the AARQ sent
  after_aarq,       // AARQ sent, AARE not read
  request_pending,  // associated, a request sent, its response not read
  after_conclude,   // Conclude sent
  during_release,   // Conclude done, RLRQ sent, RLRE not read
};

TEST_F(FaultTest, DisconnectAtEveryPointOfAnAssociation) {
  start();
  const std::vector<Cut> cuts = {Cut::after_connect, Cut::after_cr,        Cut::aarq_half_sent,
                                 Cut::after_aarq,    Cut::request_pending, Cut::after_conclude,
                                 Cut::during_release};
  std::size_t closed = 0;
  for (const Cut cut : cuts) {
    SCOPED_TRACE(static_cast<int>(cut));
    {
      NetPeer p(server->port());
      ASSERT_TRUE(p.connected());
      switch (cut) {
        case Cut::after_connect: break;
        case Cut::after_cr:
          ASSERT_TRUE(p.start());
          ASSERT_TRUE(p.flush());
          break;
        case Cut::aarq_half_sent: {
          ASSERT_TRUE(p.start());
          ASSERT_TRUE(p.flush());
          ASSERT_TRUE(p.receive_some());  // CC: the peer answers with the AARQ
          const Bytes aarq = p.take_outgoing();
          ASSERT_GT(aarq.size(), 20U);
          ASSERT_TRUE(
              p.send_bytes(Bytes(aarq.begin(), aarq.begin() + static_cast<std::ptrdiff_t>(aarq.size() / 2))));
          break;
        }
        case Cut::after_aarq:
          ASSERT_TRUE(p.start());
          ASSERT_TRUE(p.flush());
          ASSERT_TRUE(p.receive_some());
          ASSERT_TRUE(p.flush());
          break;
        case Cut::request_pending:
          ASSERT_TRUE(p.associate());
          ASSERT_TRUE(p.send(p.session().read(ld0("MMXU1$MX$PhV"))));
          ASSERT_TRUE(p.flush());
          break;
        case Cut::after_conclude:
          ASSERT_TRUE(p.associate());
          ASSERT_TRUE(p.conclude());
          ASSERT_TRUE(p.flush());
          break;
        case Cut::during_release:
          ASSERT_TRUE(p.associate());
          ASSERT_TRUE(p.conclude());
          ASSERT_TRUE(p.pump_until([&] { return p.concluded; }));
          ASSERT_TRUE(p.release());
          ASSERT_TRUE(p.flush());
          break;
      }
      p.close();
    }
    ++closed;
    ASSERT_TRUE(log.wait_count(ServerEventKind::connection_closed, closed));
    EXPECT_TRUE(eventually([&] { return active() == baseline; })) << "active " << active();
  }
  // Every association that got as far as the association layer ended with an event.
  EXPECT_GE(log.count(ServerEventKind::aborted) + log.count(ServerEventKind::released), cuts.size() - 1);
  EXPECT_EQ(server->stats().associations_active, 1U);  // the healthy one
  expect_still_serving();
}

TEST_F(FaultTest, ClientThatNeverReads) {
  // Responses pile up beyond max_outgoing_bytes: the server closes the connection instead of
  // buffering without bound.
  start([](ServerSettings& s) { s.network.max_outgoing_bytes = 128U * 1024U; });
  // A 60000-octet variable: each tiny request costs ~60 KB of response (and little CPU, so the
  // test stays quick under sanitizers).
  constexpr std::int32_t kBlob = 60000;
  ASSERT_TRUE(model
                  ->update([](mms::Vmd& vmd) {
                    return vmd.define_variable("LD0", "Blob", mms::types::octet_string(kBlob),
                                               mms::Data(mms::OctetStringValue{Bytes(kBlob, 0x5a)}));
                  })
                  .ok());
  NetPeer p(server->port());
  ASSERT_TRUE(p.associate());
  // The same Read again and again, past the client session's outstanding limit (encoded
  // directly); the requests are small enough to sit in the socket buffers, so sending never
  // blocks while the server's answers cannot leave.
  const mms::ReadRequest read{false, mms::single_variable(ld0("Blob"))};
  for (mms::InvokeId id = 1; id <= 3000; ++id) {
    if (!p.send_raw(mms::encode_pdu(mms::Pdu{mms::ConfirmedRequestPdu{id, read}})) || !p.flush()) break;
  }
  EXPECT_TRUE(eventually([&] { return server->stats().network.slow_readers >= 1; }, 10s))
      << "slow readers " << server->stats().network.slow_readers << ", bytes in "
      << server->stats().network.bytes_in << ", out " << server->stats().network.bytes_out << ", requests "
      << server->stats().requests;
  EXPECT_TRUE(p.wait_closed());
  ASSERT_TRUE(log.wait_count(ServerEventKind::connection_closed, 1));
  expect_still_serving();
}

}  // namespace
}  // namespace mmssec::endpoint
