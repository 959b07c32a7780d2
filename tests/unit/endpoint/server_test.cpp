// SPDX-License-Identifier: Apache-2.0
// ServerConnection without sockets: a test client (stack::Association + mms::ClientSession) is
// wired to the connection in memory. Association, services, rejection of bad Initiates, the
// association and idle timeouts (with a manual clock), report delivery, events and their
// text/JSON form, and ModelHost.
#include "mmssec/endpoint/server.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "mmssec/endpoint/model_host.hpp"
#include "server_test_support.hpp"

namespace mmssec::endpoint {
namespace {

using namespace std::chrono_literals;
using testing::DirectWire;
using testing::EventLog;
using testing::ld0;
using testing::read_data;

class ServerConnectionTest : public ::testing::Test {
 protected:
  std::shared_ptr<const ServerSettings> settings(const std::function<void(ServerSettings&)>& tweak = {}) {
    ServerSettings s;
    s.session.report_controls = mms::default_report_controls();
    s.on_event = log.sink();
    s.clock = clock;
    if (tweak) tweak(s);
    return std::make_shared<const ServerSettings>(std::move(s));
  }

  EventLog log;
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(
      std::chrono::system_clock::time_point{std::chrono::seconds{1'795'446'062}});
  std::shared_ptr<ModelHost> model = testing::default_model();
};

TEST_F(ServerConnectionTest, AssociateReadWriteConcludeRelease) {
  DirectWire w(settings(), model);
  ASSERT_TRUE(w.associate());
  EXPECT_EQ(w.conn.state(), stack::State::associated);

  auto id = w.call(w.peer.session().identify());
  ASSERT_TRUE(id);
  ASSERT_NE(id->get<mms::IdentifyResponse>(), nullptr);
  EXPECT_EQ(id->get<mms::IdentifyResponse>()->vendor_name, "mmssec");

  auto f = read_data(w.call(w.peer.session().read(ld0("MMXU1$MX$TotW$mag$f"))));
  ASSERT_TRUE(f);
  ASSERT_NE(f->get<mms::FloatingPoint>(), nullptr);

  auto wr = w.call(w.peer.session().write(ld0("GGIO1$CO$SPCSO1$Oper$ctlVal"), mms::Data(true)));
  ASSERT_TRUE(wr);
  ASSERT_NE(wr->get<mms::WriteResponse>(), nullptr);
  EXPECT_TRUE(std::holds_alternative<mms::WriteSuccess>(wr->get<mms::WriteResponse>()->results.at(0)));
  const bool stored = model->read([](const mms::Vmd& vmd) {
    auto v = vmd.read(ld0("GGIO1$CO$SPCSO1$Oper$ctlVal"));
    return v.ok() && *v == mms::Data(true);
  });
  EXPECT_TRUE(stored);

  ASSERT_TRUE(w.peer.conclude());
  w.run();
  EXPECT_TRUE(w.peer.concluded);
  ASSERT_TRUE(w.peer.release());
  w.run();
  EXPECT_TRUE(w.peer.released);
  EXPECT_TRUE(w.server_closed);
  EXPECT_EQ(w.conn.state(), stack::State::closed);
  w.conn.on_closed();

  const auto assoc = log.first(ServerEventKind::associated);
  ASSERT_TRUE(assoc);
  EXPECT_EQ(assoc->connection, 1U);
  EXPECT_EQ(assoc->calling_ap_title, "1.1.1.999");
  EXPECT_EQ(assoc->calling_ae_qualifier, "12");
  EXPECT_EQ(assoc->max_pdu_size, 65000);
  EXPECT_EQ(assoc->max_outstanding, 16);
  EXPECT_EQ(log.count(ServerEventKind::request), 3U);
  const auto req = log.all();
  std::vector<std::string> services;
  for (const auto& e : req) {
    if (e.kind == ServerEventKind::request) services.push_back(e.service + " " + e.object + " " + e.result);
  }
  EXPECT_EQ(services, (std::vector<std::string>{"identify  ok", "read LD0/MMXU1$MX$TotW$mag$f ok",
                                                "write LD0/GGIO1$CO$SPCSO1$Oper$ctlVal ok"}));
  EXPECT_EQ(log.count(ServerEventKind::released), 1U);
  EXPECT_EQ(log.count(ServerEventKind::aborted), 0U);
  const auto closed = log.first(ServerEventKind::connection_closed);
  ASSERT_TRUE(closed);
  EXPECT_EQ(closed->requests, 4U);  // three requests and the Conclude
  EXPECT_EQ(log.all().back().kind, ServerEventKind::connection_closed);
}

TEST_F(ServerConnectionTest, ByteAtATimeAssociation) {
  DirectWire w(settings(), model);
  ASSERT_TRUE(w.peer.start());
  // Deliver every client byte on its own.
  for (int round = 0; round < 10 && !w.peer.associated; ++round) {
    const Bytes out = w.peer.take_outgoing();
    for (const std::uint8_t b : out) w.deliver(w.conn.on_data(Bytes{b}));
  }
  EXPECT_TRUE(w.peer.associated);
}

TEST_F(ServerConnectionTest, UndecodableInitiateIsRejected) {
  DirectWire w(settings(), model);
  ASSERT_TRUE(w.peer.start(Bytes{0xa8, 0x00}));  // Initiate-RequestPDU without its mandatory fields
  w.run();
  EXPECT_TRUE(w.peer.rejected);
  EXPECT_NE(w.peer.reject_reason.find("rejected-permanent"), std::string::npos) << w.peer.reject_reason;
  EXPECT_TRUE(w.server_closed);
  const auto e = log.first(ServerEventKind::association_rejected);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->severity, EventSeverity::warning);
  EXPECT_NE(e->reason.find("undecodable MMS Initiate"), std::string::npos) << e->reason;
  EXPECT_EQ(log.count(ServerEventKind::associated), 0U);
}

TEST_F(ServerConnectionTest, RefusedInitiateCarriesTheInitiateError) {
  // Version 0 is below what we speak: Initiate-ErrorPDU initiate version-incompatible.
  mms::InitiateParameters p;
  p.local_detail = 65000;
  p.max_serv_outstanding_calling = 5;
  p.max_serv_outstanding_called = 5;
  p.version_number = 0;
  p.parameter_cbb = mms::iec61850_parameter_cbb();
  p.services_supported = mms::iec61850_client_services();
  DirectWire w(settings(), model);
  ASSERT_TRUE(w.peer.start(mms::encode_pdu(mms::Pdu{mms::InitiateRequestPdu{p}})));
  w.run();
  EXPECT_TRUE(w.peer.rejected);
  ASSERT_TRUE(w.peer.session().initiate_error().has_value());
  EXPECT_EQ(w.peer.session().initiate_error()->code, mms::error_code::kInitiateVersionIncompatible);
  const auto e = log.first(ServerEventKind::association_rejected);
  ASSERT_TRUE(e);
  EXPECT_NE(e->reason.find("version-incompatible"), std::string::npos) << e->reason;
}

TEST_F(ServerConnectionTest, AssociationTimeoutAbortsAHalfOpenAssociation) {
  DirectWire w(settings([](ServerSettings& s) { s.association_timeout = 10s; }), model);
  ASSERT_TRUE(w.peer.start());
  w.deliver(w.conn.on_data(w.peer.take_outgoing()));  // CR in, CC out; the AARQ is not sent
  EXPECT_FALSE(w.server_closed);
  clock->advance(9s);
  EXPECT_FALSE(w.conn.check_association_timeout().close);
  clock->advance(2s);
  const net::Reply r = w.conn.check_association_timeout();
  EXPECT_TRUE(r.close);
  const auto e = log.first(ServerEventKind::timeout);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->reason, "association timeout");
  EXPECT_EQ(log.count(ServerEventKind::aborted), 0U);  // the timeout says why
  EXPECT_EQ(w.conn.state(), stack::State::closed);
}

TEST_F(ServerConnectionTest, AssociationTimeoutIsCheckedOnData) {
  DirectWire w(settings([](ServerSettings& s) { s.association_timeout = 10s; }), model);
  ASSERT_TRUE(w.peer.start());
  w.deliver(w.conn.on_data(w.peer.take_outgoing()));
  w.peer.feed({});
  clock->advance(11s);
  w.run();  // the AARQ arrives too late
  EXPECT_TRUE(w.server_closed);
  EXPECT_FALSE(w.peer.associated);
  ASSERT_TRUE(log.first(ServerEventKind::timeout));
}

TEST_F(ServerConnectionTest, AssociationTimeoutDoesNotTouchAnEstablishedAssociation) {
  DirectWire w(settings([](ServerSettings& s) { s.association_timeout = 10s; }), model);
  ASSERT_TRUE(w.associate());
  clock->advance(60s);
  EXPECT_FALSE(w.conn.check_association_timeout().close);
  EXPECT_TRUE(read_data(w.call(w.peer.session().read(ld0("LLN0$ST$Mod$stVal")))));
  EXPECT_EQ(log.count(ServerEventKind::timeout), 0U);
}

TEST_F(ServerConnectionTest, IdleTimeoutAbortsTheAssociation) {
  DirectWire w(settings(), model);
  ASSERT_TRUE(w.associate());
  w.deliver(w.conn.on_timeout());
  EXPECT_TRUE(w.server_closed);
  EXPECT_TRUE(w.peer.aborted);  // the ABRT reached the client
  const auto e = log.first(ServerEventKind::timeout);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->reason, "idle timeout");
}

TEST_F(ServerConnectionTest, FirstByteTimeout) {
  DirectWire w(settings(), model);
  EXPECT_TRUE(w.conn.on_timeout().close);
  const auto e = log.first(ServerEventKind::timeout);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->reason, "first-byte timeout");
}

TEST_F(ServerConnectionTest, GarbageAbortsWithTheFailingLayer) {
  DirectWire w(settings(), model);
  const std::string get = "GET / HTTP/1.0\r\n\r\n";
  const net::Reply r = w.conn.on_data(Bytes(get.begin(), get.end()));
  EXPECT_TRUE(r.close);
  const auto e = log.first(ServerEventKind::aborted);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->layer, "tpkt");
  EXPECT_EQ(e->severity, EventSeverity::error);
  // Anything after the abort is ignored.
  EXPECT_TRUE(w.conn.on_data(Bytes{0x03, 0x00}).send.empty());
}

TEST_F(ServerConnectionTest, UndecodableMmsPduIsRejectedAndLogged) {
  DirectWire w(settings(), model);
  ASSERT_TRUE(w.associate());
  ASSERT_TRUE(w.peer.send_raw(Bytes{0xbf, 0x7f, 0x00}));
  w.run();
  EXPECT_FALSE(w.server_closed);  // the association goes on
  const auto e = log.first(ServerEventKind::protocol_error);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->layer, "mms");
  EXPECT_TRUE(read_data(w.call(w.peer.session().read(ld0("LLN0$ST$Mod$stVal")))));
}

TEST_F(ServerConnectionTest, FailedRequestsAreWarnings) {
  DirectWire w(settings(), model);
  ASSERT_TRUE(w.associate());
  (void)w.call(w.peer.session().read(ld0("Nope$ST")));
  (void)w.call(w.peer.session().write(ld0("MMXU1$MX$TotW$mag$f"), mms::Data(mms::FloatingPoint{1.0, false})));
  std::vector<std::string> results;
  for (const auto& e : log.all()) {
    if (e.kind == ServerEventKind::request) {
      EXPECT_EQ(e.severity, EventSeverity::warning);
      results.push_back(e.result);
    }
  }
  EXPECT_EQ(results, (std::vector<std::string>{"object-non-existent", "object-access-denied"}));
}

TEST_F(ServerConnectionTest, RequestLoggingCanBeTurnedOff) {
  DirectWire w(settings([](ServerSettings& s) { s.log_requests = false; }), model);
  ASSERT_TRUE(w.associate());
  EXPECT_TRUE(read_data(w.call(w.peer.session().read(ld0("LLN0$ST$Mod$stVal")))));
  EXPECT_EQ(log.count(ServerEventKind::request), 0U);
  EXPECT_EQ(log.count(ServerEventKind::associated), 1U);
}

TEST_F(ServerConnectionTest, NoSinkNoEvents) {
  DirectWire w(settings([](ServerSettings& s) { s.on_event = nullptr; }), model);
  ASSERT_TRUE(w.associate());
  EXPECT_TRUE(read_data(w.call(w.peer.session().read(ld0("LLN0$ST$Mod$stVal")))));
  EXPECT_TRUE(log.all().empty());
}

TEST_F(ServerConnectionTest, ReportsReachTheClientThatEnabledThem) {
  DirectWire w(settings(), model);
  ASSERT_TRUE(w.associate());
  auto wr = w.call(w.peer.session().write(testing::rpt_ena(), mms::Data(true)));
  ASSERT_TRUE(wr);
  ASSERT_TRUE(
      model->update([](mms::Vmd& vmd) { return !vmd.update(ld0("GGIO1$ST$Ind1$stVal"), mms::Data(true)); }));
  w.deliver(w.conn.flush_reports());  // what the posted notification runs on the connection's thread
  ASSERT_EQ(w.peer.reports.size(), 1U);
  EXPECT_EQ(w.peer.reports[0].variables,
            mms::VariableAccessSpecification(mms::VariableListName{testing::dataset1()}));
  const auto e = log.first(ServerEventKind::report_sent);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->object, "LD0/LLN0$DataSet1");

  // Disabled again: nothing more.
  ASSERT_TRUE(w.call(w.peer.session().write(testing::rpt_ena(), mms::Data(false))));
  ASSERT_TRUE(
      model->update([](mms::Vmd& vmd) { return !vmd.update(ld0("GGIO1$ST$Ind1$stVal"), mms::Data(false)); }));
  w.deliver(w.conn.flush_reports());
  EXPECT_EQ(w.peer.reports.size(), 1U);
}

TEST_F(ServerConnectionTest, OwnWriteReportsAtOnce) {
  // A client whose own Write changes a member of its enabled data set gets the report right
  // after the Write response, without a separate flush.
  DirectWire w(settings([](ServerSettings& s) {
                 s.session.report_controls.push_back(mms::ReportControl{
                     ld0(std::string(mms::kDefaultReportControl) + "$RptEna"), ld0("LLN0$Ctl")});
               }),
               model);
  ASSERT_TRUE(model->update([](mms::Vmd& vmd) {
    return vmd.define_named_variable_list(ld0("LLN0$Ctl"), {ld0("GGIO1$CO$SPCSO1")}).ok();
  }));
  ASSERT_TRUE(w.associate());
  ASSERT_TRUE(w.call(w.peer.session().write(testing::rpt_ena(), mms::Data(true))));
  ASSERT_TRUE(w.call(w.peer.session().write(ld0("GGIO1$CO$SPCSO1$Oper$ctlVal"), mms::Data(true))));
  EXPECT_EQ(w.peer.reports.size(), 1U);
}

TEST_F(ServerConnectionTest, TransportLossAbortsAndDropsTheSession) {
  {
    DirectWire w(settings(), model);
    ASSERT_TRUE(w.associate());
    ASSERT_TRUE(w.call(w.peer.session().write(testing::rpt_ena(), mms::Data(true))));
    w.conn.on_closed();
    const auto e = log.first(ServerEventKind::aborted);
    ASSERT_TRUE(e);
    EXPECT_NE(e->reason.find("transport closed"), std::string::npos) << e->reason;
    EXPECT_EQ(log.all().back().kind, ServerEventKind::connection_closed);
    // The session is gone: model changes reach nobody (ASan would catch a dangling session).
    ASSERT_TRUE(model->update(
        [](mms::Vmd& vmd) { return !vmd.update(ld0("GGIO1$ST$Ind1$stVal"), mms::Data(true)); }));
  }
  // Destroyed without on_closed(): the destructor unsubscribes too.
  {
    DirectWire w(settings(), model);
    ASSERT_TRUE(w.associate());
  }
  ASSERT_TRUE(
      model->update([](mms::Vmd& vmd) { return !vmd.update(ld0("GGIO1$ST$Ind2$stVal"), mms::Data(true)); }));
}

TEST_F(ServerConnectionTest, Iec61850ClientAarqIsAccepted) {
  // What the common open-source IEC 61850 clients send: session version 2, presentation
  // contexts ACSE and MMS, calling AP-title 1.1.1.999.1, AE-qualifier 12, and an Initiate with
  // the IEC 61850 services-supported and parameter-CBB bits (ClientSession's defaults).
  stack::Config cc;
  cc.addressing.calling_ap_title = acse::ApTitle::from_oid(ber::Oid{1, 1, 1, 999, 1});
  cc.addressing.calling_ae_qualifier = acse::AeQualifier::from_int(12);
  DirectWire w(settings(), model, cc);
  ASSERT_TRUE(w.associate());
  const auto e = log.first(ServerEventKind::associated);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->calling_ap_title, "1.1.1.999.1");
  EXPECT_EQ(e->calling_ae_qualifier, "12");
}

// ---------------------------------------------------------------------------------------------
// Event formatting
// ---------------------------------------------------------------------------------------------

ServerEvent sample_event() {
  ServerEvent e;
  e.kind = ServerEventKind::associated;
  e.severity = EventSeverity::info;
  // 2026-11-23T15:01:02.123Z
  e.time = std::chrono::system_clock::time_point{std::chrono::milliseconds{1'795'446'062'123}};
  e.connection = 3;
  e.peer = net::PeerInfo{"127.0.0.1", 51234};
  e.calling_ap_title = "1.1.1.999";
  e.calling_ae_qualifier = "12";
  e.max_pdu_size = 65000;
  e.max_outstanding = 16;
  return e;
}

TEST(ServerEvents, TextLine) {
  EXPECT_EQ(format_text(sample_event()),
            "2026-11-23T15:01:02.123Z info conn=3 127.0.0.1:51234 associated calling-ap=1.1.1.999 ae=12 "
            "max-pdu=65000 outstanding=16");
}

TEST(ServerEvents, JsonObject) {
  EXPECT_EQ(format_json(sample_event()),
            R"({"time":"2026-11-23T15:01:02.123Z","severity":"info","event":"associated","conn":3,)"
            R"("peer":"127.0.0.1:51234","calling_ap_title":"1.1.1.999","calling_ae_qualifier":"12",)"
            R"("max_pdu_size":65000,"max_outstanding":16})");
}

TEST(ServerEvents, RequestLine) {
  ServerEvent e = sample_event();
  e.kind = ServerEventKind::request;
  e.severity = EventSeverity::warning;
  e.calling_ap_title.clear();
  e.calling_ae_qualifier.clear();
  e.max_pdu_size = 0;
  e.max_outstanding = 0;
  e.service = "read";
  e.invoke_id = 7;
  e.object = "LD0/MMXU1$MX$TotW";
  e.objects = 2;
  e.result = "1 of 2 failed: object-non-existent";
  EXPECT_EQ(format_text(e),
            "2026-11-23T15:01:02.123Z warning conn=3 127.0.0.1:51234 request service=read invoke=7 "
            "object=LD0/MMXU1$MX$TotW objects=2 result=\"1 of 2 failed: object-non-existent\"");
  EXPECT_EQ(format_json(e),
            R"({"time":"2026-11-23T15:01:02.123Z","severity":"warning","event":"request","conn":3,)"
            R"("peer":"127.0.0.1:51234","service":"read","invoke_id":7,"object":"LD0/MMXU1$MX$TotW",)"
            R"("objects":2,"result":"1 of 2 failed: object-non-existent"})");
}

TEST(ServerEvents, ValuesAreEscaped) {
  ServerEvent e;
  e.kind = ServerEventKind::aborted;
  e.severity = EventSeverity::error;
  e.peer = net::PeerInfo{"::1", 102};
  e.reason = "bad \"thing\"\nnext=line\\";
  e.layer = "cotp";
  EXPECT_EQ(format_text(e),
            "1970-01-01T00:00:00.000Z error conn=- [::1]:102 aborted layer=cotp "
            "reason=\"bad \\\"thing\\\"\\nnext=line\\\\\"");
  EXPECT_EQ(format_json(e),
            R"({"time":"1970-01-01T00:00:00.000Z","severity":"error","event":"aborted","conn":0,)"
            R"("peer":"[::1]:102","layer":"cotp","reason":"bad \"thing\"\u000anext=line\\"})");
  e.reason = std::string("x\x01\xff", 3);
  EXPECT_NE(format_text(e).find(R"(reason="x\x01\xff")"), std::string::npos) << format_text(e);
}

TEST(ServerEvents, ConnectionClosedCarriesCountAndDuration) {
  ServerEvent e;
  e.kind = ServerEventKind::connection_closed;
  e.connection = 9;
  e.peer = net::PeerInfo{"10.0.0.1", 5000};
  e.requests = 12;
  e.duration = 1500ms;
  EXPECT_EQ(
      format_text(e),
      "1970-01-01T00:00:00.000Z info conn=9 10.0.0.1:5000 connection_closed requests=12 duration-ms=1500");
}

TEST(ServerEvents, KindNamesAreStable) {
  EXPECT_EQ(event_kind_name(ServerEventKind::connection_opened), "connection_opened");
  EXPECT_EQ(event_kind_name(ServerEventKind::connection_refused), "connection_refused");
  EXPECT_EQ(event_kind_name(ServerEventKind::association_rejected), "association_rejected");
  EXPECT_EQ(event_kind_name(ServerEventKind::report_sent), "report_sent");
  EXPECT_EQ(event_kind_name(ServerEventKind::protocol_error), "protocol_error");
  EXPECT_EQ(event_kind_name(ServerEventKind::connection_closed), "connection_closed");
  EXPECT_EQ(severity_name(EventSeverity::warning), "warning");
}

// ---------------------------------------------------------------------------------------------
// ModelHost
// ---------------------------------------------------------------------------------------------

TEST(ModelHost, UpdateAndReadReturnTheirResults) {
  ModelHost host;
  const Status st = host.update([](mms::Vmd& vmd) { return mms::make_default_ied_model(vmd); });
  ASSERT_TRUE(st.ok());
  const auto v = host.read([](const mms::Vmd& vmd) { return vmd.read(ld0("LLN0$ST$Mod$stVal")); });
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, mms::Data(std::int64_t{1}));
  int calls = 0;
  host.update([&](mms::Vmd&) { ++calls; });
  host.read([&](const mms::Vmd&) { ++calls; });
  EXPECT_EQ(calls, 2);
}

TEST(ModelHost, ReadersAndWritersFromManyThreads) {
  auto host = testing::default_model();
  std::atomic<bool> stop{false};
  std::atomic<int> reads{0};
  std::vector<std::thread> readers;
  for (int i = 0; i < 3; ++i) {
    readers.emplace_back([&] {
      while (!stop.load()) {
        host->read([&](const mms::Vmd& vmd) {
          if (vmd.read(ld0("MMXU1$MX$TotW$mag$f")).ok()) ++reads;
        });
      }
    });
  }
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(host->update([&](mms::Vmd& vmd) { return mms::update_measurements(vmd, i * 0.5); }).ok());
  }
  stop = true;
  for (auto& t : readers) t.join();
  EXPECT_GT(reads.load(), 0);
}

}  // namespace
}  // namespace mmssec::endpoint
