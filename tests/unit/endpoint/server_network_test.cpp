// SPDX-License-Identifier: Apache-2.0
// MmsServer over loopback TCP with a test client built from the sans-I/O pieces
// (stack::Association::client + mms::ClientSession + net::Client): full associations, report
// delivery after ModelHost::update, the IEC 61850 client AARQ, concurrency with model updates,
// the association timeout and shutdown. Waits are bounded and on conditions.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
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

class MmsServerTest : public ::testing::Test {
 protected:
  void start(ServerSettings s) {
    server = std::make_unique<MmsServer>(std::move(s), model);
    ASSERT_TRUE(server->start().ok());
    ASSERT_NE(server->port(), 0);
  }
  void start() { start(test_settings(&log)); }

  EventLog log;
  std::shared_ptr<ModelHost> model = testing::default_model();
  std::unique_ptr<MmsServer> server;
};

TEST_F(MmsServerTest, FullAssociation) {
  start();
  NetPeer c(server->port());
  ASSERT_TRUE(c.associate());

  auto ident = c.call(c.session().identify());
  ASSERT_TRUE(ident);
  ASSERT_NE(ident->get<mms::IdentifyResponse>(), nullptr);
  EXPECT_EQ(ident->get<mms::IdentifyResponse>()->model_name, "mmssec server");

  mms::GetNameListRequest domains;
  domains.object_class = mms::object_class::kDomain;
  auto names = c.call(c.session().get_name_list(domains));
  ASSERT_TRUE(names);
  ASSERT_NE(names->get<mms::GetNameListResponse>(), nullptr);
  EXPECT_EQ(names->get<mms::GetNameListResponse>()->identifiers, std::vector<std::string>{"LD0"});

  mms::GetNameListRequest vars;
  vars.scope = mms::GetNameListRequest::Scope::domain;
  vars.domain = "LD0";
  auto var_names = c.call(c.session().get_name_list(vars));
  ASSERT_TRUE(var_names);
  ASSERT_NE(var_names->get<mms::GetNameListResponse>(), nullptr);
  const auto& ids = var_names->get<mms::GetNameListResponse>()->identifiers;
  EXPECT_NE(std::find(ids.begin(), ids.end(), "MMXU1$MX$TotW$mag$f"), ids.end());
  EXPECT_NE(std::find(ids.begin(), ids.end(), "LLN0$RP$urcb01$RptEna"), ids.end());

  // Components by `$` name: a leaf, a data object, a whole functional constraint.
  const auto f = read_data(c.call(c.session().read(ld0("MMXU1$MX$TotW$mag$f"))));
  ASSERT_TRUE(f);
  EXPECT_NE(f->get<mms::FloatingPoint>(), nullptr);
  const auto pos = read_data(c.call(c.session().read(ld0("XCBR1$ST$Pos"))));
  ASSERT_TRUE(pos);
  ASSERT_NE(pos->get<mms::DataStructure>(), nullptr);
  EXPECT_EQ(pos->get<mms::DataStructure>()->members.size(), 3U);  // stVal, q, t
  const auto dataset = read_data(c.call(c.session().read(ld0("LLN0$RP$urcb01$DatSet"))));
  ASSERT_TRUE(dataset);
  EXPECT_EQ(*dataset, mms::Data(mms::VisibleStringValue{"LD0/LLN0$DataSet1"}));

  auto gvaa = c.call(c.session().get_variable_access_attributes(ld0("MMXU1$MX$Hz")));
  ASSERT_TRUE(gvaa);
  const auto* attrs = gvaa->get<mms::GetVariableAccessAttributesResponse>();
  ASSERT_NE(attrs, nullptr);
  ASSERT_TRUE(attrs->type);
  EXPECT_EQ(attrs->type->kind, mms::TypeSpecification::Kind::structure);
  EXPECT_EQ(attrs->type->components.size(), 3U);  // mag, q, t

  auto wr = c.call(c.session().write(ld0("XCBR1$CO$Pos$Oper$ctlVal"), mms::Data(true)));
  ASSERT_TRUE(wr);
  ASSERT_NE(wr->get<mms::WriteResponse>(), nullptr);
  EXPECT_TRUE(std::holds_alternative<mms::WriteSuccess>(wr->get<mms::WriteResponse>()->results.at(0)));
  EXPECT_EQ(read_data(c.call(c.session().read(ld0("XCBR1$CO$Pos$Oper$ctlVal")))), mms::Data(true));

  ASSERT_TRUE(c.conclude_and_release());
  EXPECT_TRUE(c.wait_closed());
  ASSERT_TRUE(log.wait_count(ServerEventKind::connection_closed, 1));
  EXPECT_TRUE(eventually([&] { return server->stats().network.active == 0; }));
  const MmsServerStats st = server->stats();
  EXPECT_EQ(st.associations, 1U);
  EXPECT_EQ(st.associations_active, 0U);
  EXPECT_EQ(st.released, 1U);
  EXPECT_EQ(st.aborted, 0U);
  EXPECT_EQ(st.requests, 10U);  // nine requests and the Conclude
  const auto opened = log.first(ServerEventKind::connection_opened);
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->peer.address, "127.0.0.1");
  EXPECT_NE(opened->peer.port, 0);
  EXPECT_EQ(log.count(ServerEventKind::request), 9U);
  EXPECT_EQ(log.count(ServerEventKind::released), 1U);
}

TEST_F(MmsServerTest, ReportsAfterModelUpdateOnlyToClientsThatEnabledThem) {
  start();
  NetPeer on(server->port());
  NetPeer off(server->port());
  ASSERT_TRUE(on.associate());
  ASSERT_TRUE(off.associate());
  auto w1 = on.call(on.session().write(testing::rpt_ena(), mms::Data(true)));
  ASSERT_TRUE(w1);
  ASSERT_NE(w1->get<mms::WriteResponse>(), nullptr);
  auto w2 = off.call(off.session().write(testing::rpt_ena(), mms::Data(false)));
  ASSERT_TRUE(w2);

  ASSERT_TRUE(
      model->update([](mms::Vmd& vmd) { return !vmd.update(ld0("GGIO1$ST$Ind1$stVal"), mms::Data(true)); }));
  // The notification was posted to each connection's thread during update(), before the read
  // below was even sent: a read round trip afterwards therefore sees any report first.
  EXPECT_TRUE(on.pump_until([&] { return !on.reports.empty(); }));
  ASSERT_EQ(on.reports.size(), 1U);
  EXPECT_EQ(on.reports[0].variables,
            mms::VariableAccessSpecification(mms::VariableListName{testing::dataset1()}));
  ASSERT_EQ(on.reports[0].results.size(), 4U);
  const auto* ind1 = std::get_if<mms::Data>(&on.reports[0].results[0]);
  ASSERT_NE(ind1, nullptr);
  ASSERT_NE(ind1->get<mms::DataStructure>(), nullptr);
  EXPECT_EQ(ind1->get<mms::DataStructure>()->members[0], mms::Data(true));

  EXPECT_TRUE(read_data(off.call(off.session().read(ld0("LLN0$ST$Mod$stVal")))));
  EXPECT_TRUE(off.reports.empty());

  // Measurements are not in the data set: no report.
  ASSERT_TRUE(model->update([](mms::Vmd& vmd) { return mms::update_measurements(vmd, 5.0); }).ok());
  EXPECT_TRUE(read_data(on.call(on.session().read(ld0("LLN0$ST$Mod$stVal")))));
  EXPECT_EQ(on.reports.size(), 1U);

  ASSERT_TRUE(log.wait_count(ServerEventKind::report_sent, 1));
  EXPECT_EQ(server->stats().reports_sent, 1U);
}

TEST_F(MmsServerTest, ManyUpdatesAreCoalescedButNoneIsLost) {
  start();
  NetPeer c(server->port());
  ASSERT_TRUE(c.associate());
  ASSERT_TRUE(c.call(c.session().write(testing::rpt_ena(), mms::Data(true))));
  constexpr int kUpdates = 50;
  for (int i = 0; i < kUpdates; ++i) {
    ASSERT_TRUE(model->update(
        [i](mms::Vmd& vmd) { return !vmd.update(ld0("GGIO1$ST$Ind2$stVal"), mms::Data(i % 2 == 0)); }));
  }
  EXPECT_TRUE(c.pump_until([&] { return c.reports.size() == kUpdates; }));
  EXPECT_EQ(c.reports.size(), static_cast<std::size_t>(kUpdates));
}

TEST_F(MmsServerTest, Iec61850ClientAarqIsAccepted) {
  start();
  stack::Config cc;
  cc.addressing.calling_ap_title = acse::ApTitle::from_oid(ber::Oid{1, 1, 1, 999, 1});
  cc.addressing.calling_ae_qualifier = acse::AeQualifier::from_int(12);
  NetPeer c(server->port(), cc);
  ASSERT_TRUE(c.associate());
  EXPECT_EQ(c.session().negotiated().max_serv_outstanding_calling, 16);
  EXPECT_TRUE(c.session().negotiated().services_supported.bit(mms::service_bit::kInformationReport));
  EXPECT_TRUE(read_data(c.call(c.session().read(ld0("LLN0$ST$Health$stVal")))));
  ASSERT_TRUE(log.wait_count(ServerEventKind::associated, 1));
  const auto e = log.first(ServerEventKind::associated);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->calling_ap_title, "1.1.1.999.1");
  EXPECT_EQ(e->calling_ae_qualifier, "12");
}

TEST_F(MmsServerTest, ConcurrentClientsAndModelUpdates) {
  start();
  constexpr int kClients = 4;
  std::atomic<int> failures{0};
  std::atomic<bool> stop{false};
  std::thread updater([&] {
    double t = 0;
    while (!stop.load()) {
      (void)model->update([&](mms::Vmd& vmd) {
        (void)vmd.update(ld0("GGIO1$ST$Ind1$stVal"), mms::Data(static_cast<int>(t) % 2 == 0));
        return mms::update_measurements(vmd, t);
      });
      t += 0.1;
      std::this_thread::sleep_for(1ms);
    }
  });
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&, i] {
      NetPeer c(server->port());
      if (!c.associate()) {
        ++failures;
        return;
      }
      if (i % 2 == 0 && !c.call(c.session().write(testing::rpt_ena(), mms::Data(true)))) ++failures;
      for (int k = 0; k < 30; ++k) {
        if (!read_data(c.call(c.session().read(ld0("MMXU1$MX$TotW$mag$f"))))) ++failures;
      }
      if (!c.conclude_and_release()) ++failures;
    });
  }
  for (auto& t : clients) t.join();
  stop = true;
  updater.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_TRUE(eventually([&] { return server->stats().network.active == 0; }));
  EXPECT_EQ(server->stats().released, static_cast<std::uint64_t>(kClients));
}

TEST_F(MmsServerTest, AssociationTimeoutClosesAHalfOpenConnection) {
  ServerSettings s = test_settings(&log);
  s.association_timeout = 300ms;
  start(std::move(s));
  NetPeer c(server->port());
  ASSERT_TRUE(c.start());
  ASSERT_TRUE(c.flush());  // the CR; the AARQ that follows the CC is never sent
  c.take_outgoing();
  ASSERT_TRUE(log.wait_count(ServerEventKind::timeout, 1));
  EXPECT_EQ(log.first(ServerEventKind::timeout)->reason, "association timeout");
  EXPECT_TRUE(eventually([&] { return server->stats().network.active == 0; }));
  EXPECT_EQ(server->stats().timeouts, 1U);
}

TEST_F(MmsServerTest, StopAbortsOpenAssociations) {
  start();
  NetPeer c(server->port());
  ASSERT_TRUE(c.associate());
  ASSERT_TRUE(c.call(c.session().write(testing::rpt_ena(), mms::Data(true))));
  NetPeer idle(server->port());  // connected, nothing sent
  ASSERT_TRUE(log.wait_count(ServerEventKind::connection_opened, 2));
  server->stop();
  EXPECT_EQ(log.count(ServerEventKind::connection_closed), 2U);
  EXPECT_EQ(server->stats().associations_active, 0U);
  const auto e = log.first(ServerEventKind::aborted);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->reason, "server stopping");
  // Sessions are gone: updates reach nobody.
  ASSERT_TRUE(
      model->update([](mms::Vmd& vmd) { return !vmd.update(ld0("GGIO1$ST$Ind1$stVal"), mms::Data(true)); }));
  // The client got an ABRT before the connection closed.
  EXPECT_TRUE(c.wait_closed());
  EXPECT_TRUE(c.aborted);
  EXPECT_TRUE(idle.wait_closed());
}

TEST_F(MmsServerTest, BindFailureIsReported) {
  start();
  ServerSettings s = test_settings();
  s.network.port = server->port();  // taken
  MmsServer second(std::move(s), model);
  EXPECT_FALSE(second.start().ok());
}

}  // namespace
}  // namespace mmssec::endpoint
