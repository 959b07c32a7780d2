// SPDX-License-Identifier: Apache-2.0
// The MMS client endpoint over loopback against the in-test server (client_test_server.hpp):
// connect failures, refused and timed-out associations, the services against the default IED
// model, MMS errors by name, reports, pipelining within the negotiated limit, request timeouts,
// peer aborts (every pending callback fails exactly once), release and abort. All waits are
// bounded; nothing depends on timing beyond generous upper limits.
#include "mmssec/endpoint/client.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <string>
#include <vector>

#include "client_test_server.hpp"
#include "mmssec/endpoint/reference.hpp"
#include "mmssec/mms/default_model.hpp"
#include "mmssec/net/loop.hpp"

namespace mmssec::endpoint {
namespace {

using namespace std::chrono_literals;
using testing::Behaviour;
using testing::TestServer;
using testing::TestServerOptions;

/// Upper bound for any wait in these tests (never reached when things work).
constexpr auto kLimit = 10s;

ClientConfig config_for(std::uint16_t port) {
  ClientConfig c;
  c.host = "127.0.0.1";
  c.port = port;
  c.connect_timeout = 3s;
  c.association_timeout = 3s;
  c.request_timeout = 5s;
  c.release_timeout = 3s;
  return c;
}

mms::ObjectName ld0(const char* item) { return mms::ObjectName::domain_specific("LD0", item); }

bool has(const Failure& f, Errc e) { return f.code == make_error_code(e); }

/// Collects the outcome of one asynchronous call.
template <class T>
class Await {
 public:
  Callback<T> callback() {
    return [this](Outcome<T> r) {
      calls_.fetch_add(1);
      promise_.set_value(std::move(r));
    };
  }
  Outcome<T> get() {
    if (future_.wait_for(kLimit) != std::future_status::ready) {
      ADD_FAILURE() << "no completion within the test limit";
      return Failure{Errc::timeout, "test wait"};
    }
    return future_.get();
  }
  [[nodiscard]] int calls() const { return calls_.load(); }

 private:
  std::promise<Outcome<T>> promise_;
  std::future<Outcome<T>> future_ = promise_.get_future();
  std::atomic<int> calls_{0};
};

/// Counts completions of many callbacks; wait() until `n` arrived.
class Tally {
 public:
  void add(bool ok, std::error_code code) {
    {
      const std::lock_guard lock(mu_);
      ++done_;
      if (ok) ++ok_;
      codes_.push_back(code);
    }
    cv_.notify_all();
  }
  bool wait(std::size_t n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kLimit, [&] { return done_ >= n; });
  }
  std::size_t done() {
    const std::lock_guard lock(mu_);
    return done_;
  }
  std::size_t ok() {
    const std::lock_guard lock(mu_);
    return ok_;
  }
  std::vector<std::error_code> codes() {
    const std::lock_guard lock(mu_);
    return codes_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::size_t done_ = 0;
  std::size_t ok_ = 0;
  std::vector<std::error_code> codes_;
};

/// Poll `pred` until it holds (bounded).
template <class Pred>
bool eventually(Pred pred) {
  const auto end = std::chrono::steady_clock::now() + kLimit;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return pred();
}

// ---------------------------------------------------------------------------------------------
// Connecting
// ---------------------------------------------------------------------------------------------

TEST(AsyncClient, ConnectToUnusedPortFailsWithRefused) {
  const std::uint16_t port = testing::closed_port();
  net::Loop loop(1);
  auto client = AsyncClient::create(loop, config_for(port));
  Await<std::optional<Failure>> closed;
  client->on_closed([cb = closed.callback()](const std::optional<Failure>& f) { cb(f); });
  Await<AssociationInfo> done;
  client->connect(done.callback());
  auto r = done.get();
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(has(r.failure(), Errc::connect_failed)) << r.failure().describe();
  EXPECT_EQ(r.failure().detail, "connection refused by 127.0.0.1:" + std::to_string(port));
  auto why = closed.get();
  ASSERT_TRUE(why.ok());
  ASSERT_TRUE(why->has_value());
  EXPECT_TRUE(has(**why, Errc::connect_failed));
  EXPECT_FALSE(client->associated());
}

TEST(Client, ConnectToUnusedPortFailsWithRefused) {
  Client client(config_for(testing::closed_port()));
  auto r = client.connect();
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(has(r.failure(), Errc::connect_failed));
  EXPECT_NE(r.failure().detail.find("refused"), std::string::npos) << r.failure().detail;
  EXPECT_NE(format_failure(r.failure()).find("connection failed: connection refused by"), std::string::npos);
  // Everything afterwards fails with the same reason.
  auto after = client.identify();
  ASSERT_FALSE(after.ok());
  EXPECT_TRUE(has(after.failure(), Errc::connect_failed));
}

TEST(Client, RejectedAssociationNamesResultAndDiagnostic) {
  TestServer server(TestServerOptions{Behaviour::reject});
  Client client(config_for(server.port()));
  auto r = client.connect();
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(has(r.failure(), Errc::association_rejected)) << r.failure().describe();
  EXPECT_NE(r.failure().detail.find("rejected-permanent"), std::string::npos) << r.failure().detail;
  EXPECT_NE(r.failure().detail.find("authentication-failure"), std::string::npos) << r.failure().detail;
  EXPECT_TRUE(eventually([&] { return client.close_reason().has_value(); }));
  EXPECT_TRUE(has(*client.close_reason(), Errc::association_rejected));
}

TEST(Client, AssociationTimeout) {
  TestServer server(TestServerOptions{Behaviour::silent});
  ClientConfig cfg = config_for(server.port());
  cfg.association_timeout = 200ms;
  Client client(cfg);
  auto r = client.connect();
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(has(r.failure(), Errc::timeout)) << r.failure().describe();
  EXPECT_EQ(r.failure().detail, "no response to the association request within 200 ms");
  EXPECT_TRUE(eventually([&] { return server.shared().closed.load() == 1; }));
}

TEST(Client, ConnectTwiceIsInvalid) {
  TestServer server;
  Client client(config_for(server.port()));
  ASSERT_TRUE(client.connect().ok());
  auto again = client.connect();
  ASSERT_FALSE(again.ok());
  EXPECT_TRUE(has(again.failure(), Errc::invalid_state));
  EXPECT_TRUE(client.identify().ok());  // the first association is unaffected
}

TEST(Client, RequestBeforeConnectIsInvalid) {
  Client client(config_for(1));
  auto r = client.identify();
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(has(r.failure(), Errc::invalid_state));
  EXPECT_NE(r.failure().detail.find("connect"), std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Services against the default IED model
// ---------------------------------------------------------------------------------------------

TEST(Client, AssociatesAndReportsNegotiatedParameters) {
  TestServer server;
  ClientConfig cfg = config_for(server.port());
  cfg.mms.max_outstanding_calling = 5;
  Client client(cfg);
  auto info = client.connect();
  ASSERT_TRUE(info.ok()) << info.failure().describe();
  EXPECT_EQ(info->negotiated.max_serv_outstanding_calling, 5);
  EXPECT_TRUE(info->aare.has_value());
  EXPECT_EQ(info->peer, "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_TRUE(client.associated());
}

TEST(Client, IdentifyListReadWrite) {
  TestServer server;
  Client client(config_for(server.port()));
  ASSERT_TRUE(client.connect().ok());

  auto id = client.identify();
  ASSERT_TRUE(id.ok()) << id.failure().describe();
  EXPECT_EQ(id->vendor_name, "mmssec");

  auto domains = client.list_domains();
  ASSERT_TRUE(domains.ok()) << domains.failure().describe();
  EXPECT_EQ(*domains, std::vector<std::string>{"LD0"});

  auto vars = client.list_variables("LD0");
  ASSERT_TRUE(vars.ok()) << vars.failure().describe();
  EXPECT_NE(std::find(vars->begin(), vars->end(), "MMXU1$MX$TotW$mag$f"), vars->end());
  EXPECT_NE(std::find(vars->begin(), vars->end(), "LLN0"), vars->end());

  auto lists = client.list_variable_lists("LD0");
  ASSERT_TRUE(lists.ok()) << lists.failure().describe();
  EXPECT_EQ(*lists, std::vector<std::string>{std::string(mms::kDefaultDataSet)});

  auto attrs = client.get_variable_access_attributes(ld0("MMXU1$MX$TotW"));
  ASSERT_TRUE(attrs.ok()) << attrs.failure().describe();
  ASSERT_TRUE(attrs->type);
  EXPECT_EQ(format_type(*attrs->type), "{mag: {f: float32}, q: bit-string(13), t: utc-time}");

  auto f = client.read(ld0("MMXU1$MX$TotW$mag$f"));
  ASSERT_TRUE(f.ok()) << f.failure().describe();
  EXPECT_NE(f->get<mms::FloatingPoint>(), nullptr) << format_data(*f);

  // CF is writable: write, read back, write as text.
  ASSERT_TRUE(client.write(ld0("MMXU1$CF$TotW$db"), mms::Data{mms::Unsigned{500}}).ok());
  auto db = client.read(ld0("MMXU1$CF$TotW$db"));
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(*db, mms::Data{mms::Unsigned{500}});
  auto wt = client.write_text(ld0("MMXU1$CF$TotW$db"), "750");
  ASSERT_TRUE(wt.ok()) << wt.failure().describe();
  EXPECT_EQ(*client.read(ld0("MMXU1$CF$TotW$db")), mms::Data{mms::Unsigned{750}});

  // Several variables in one request, one failing.
  auto many = client.read(std::vector<mms::ObjectName>{ld0("MMXU1$CF$TotW$db"), ld0("NoSuch1")});
  ASSERT_TRUE(many.ok()) << many.failure().describe();
  ASSERT_EQ(many->size(), 2U);
  EXPECT_TRUE((*many)[0].ok());
  ASSERT_FALSE((*many)[1].ok());
  EXPECT_TRUE(has((*many)[1].failure(), Errc::access_error));

  auto ds = client.read_list(ld0("LLN0$DataSet1"));
  ASSERT_TRUE(ds.ok()) << ds.failure().describe();
  EXPECT_EQ(ds->size(), 4U);
  for (const auto& member : *ds) EXPECT_TRUE(member.ok());

  auto wm = client.write(
      std::vector<mms::ObjectName>{ld0("MMXU1$CF$Hz$db"), ld0("MMXU1$MX$Hz$mag$f")},
      std::vector<mms::Data>{mms::Data{mms::Unsigned{1}}, mms::Data{mms::FloatingPoint{1, false}}});
  ASSERT_TRUE(wm.ok()) << wm.failure().describe();
  ASSERT_EQ(wm->size(), 2U);
  EXPECT_TRUE((*wm)[0].ok());
  ASSERT_FALSE((*wm)[1].ok());
  EXPECT_TRUE(has((*wm)[1].failure(), Errc::access_error));
  EXPECT_NE((*wm)[1].failure().detail.find("object-access-denied"), std::string::npos)
      << (*wm)[1].failure().detail;

  ASSERT_TRUE(client.release().ok());
  EXPECT_FALSE(client.associated());
  EXPECT_TRUE(eventually([&] { return server.shared().released.load() == 1; }));
  EXPECT_FALSE(client.close_reason().has_value());
  auto after = client.identify();
  ASSERT_FALSE(after.ok());
  EXPECT_TRUE(has(after.failure(), Errc::closed));
}

TEST(Client, WriteTextRefusesValuesThatDoNotFitTheType) {
  TestServer server;
  Client client(config_for(server.port()));
  ASSERT_TRUE(client.connect().ok());
  auto r = client.write_text(ld0("MMXU1$CF$TotW$db"), "-1");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(has(r.failure(), Errc::invalid_argument));
  EXPECT_NE(r.failure().detail.find("LD0/MMXU1$CF$TotW$db (unsigned(32)): '-1' is out of range"),
            std::string::npos)
      << r.failure().detail;
  auto missing = client.write_text(ld0("NoSuch"), "1");
  ASSERT_FALSE(missing.ok());
  EXPECT_FALSE(has(missing.failure(), Errc::invalid_argument)) << missing.failure().describe();
  EXPECT_TRUE(client.identify().ok());
}

TEST(Client, NameListsFollowMoreFollows) {
  TestServer server;
  Client big(config_for(server.port()));
  ASSERT_TRUE(big.connect().ok());
  auto all = big.list_variables("LD0");
  ASSERT_TRUE(all.ok());

  ClientConfig small_cfg = config_for(server.port());
  small_cfg.mms.max_pdu_size = 400;  // forces the server to split the list
  Client small(small_cfg);
  auto info = small.connect();
  ASSERT_TRUE(info.ok()) << info.failure().describe();
  mms::GetNameListRequest first;
  first.scope = mms::GetNameListRequest::Scope::domain;
  first.domain = "LD0";
  auto page = small.get_name_list(first);
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->more_follows);
  EXPECT_LT(page->identifiers.size(), all->size());
  auto walked = small.list_variables("LD0");
  ASSERT_TRUE(walked.ok()) << walked.failure().describe();
  EXPECT_EQ(*walked, *all);
  EXPECT_GT(small.stats().requests_sent, 3U);
}

TEST(Client, MmsErrorsAreNamed) {
  TestServer server;
  Client client(config_for(server.port()));
  ASSERT_TRUE(client.connect().ok());

  auto missing = client.read(ld0("NoSuchVariable"));
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(has(missing.failure(), Errc::access_error)) << missing.failure().describe();
  EXPECT_EQ(missing.failure().detail, "LD0/NoSuchVariable: object-non-existent");

  auto denied = client.write(ld0("MMXU1$MX$TotW$mag$f"), mms::Data{mms::FloatingPoint{1, false}});
  ASSERT_FALSE(denied.ok());
  EXPECT_TRUE(has(denied.failure(), Errc::access_error));
  EXPECT_EQ(denied.failure().detail, "LD0/MMXU1$MX$TotW$mag$f: object-access-denied");

  auto unknown_domain = client.list_variables("NoSuchDomain");
  ASSERT_FALSE(unknown_domain.ok());
  EXPECT_TRUE(has(unknown_domain.failure(), Errc::service_error)) << unknown_domain.failure().describe();
  EXPECT_NE(unknown_domain.failure().detail.find(": "), std::string::npos) << unknown_domain.failure().detail;
  EXPECT_NE(format_failure(unknown_domain.failure()).find("MMS service error: "), std::string::npos);

  auto attrs = client.get_variable_access_attributes(ld0("NoSuchVariable"));
  ASSERT_FALSE(attrs.ok());
  EXPECT_TRUE(has(attrs.failure(), Errc::service_error));
  EXPECT_NE(attrs.failure().detail.find("object-non-existent"), std::string::npos) << attrs.failure().detail;

  // Errors leave the association usable.
  EXPECT_TRUE(client.identify().ok());
}

TEST(Client, RejectPduIsNamed) {
  TestServerOptions opts;
  opts.session.services_supported.set(mms::service_bit::kStatus, false);  // Status is rejected
  TestServer server(opts);
  Client client(config_for(server.port()));
  ASSERT_TRUE(client.connect().ok());
  auto r = client.request(mms::StatusRequest{});
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(has(r.failure(), Errc::rejected)) << r.failure().describe();
  EXPECT_NE(r.failure().detail.find("confirmed-requestPDU: unrecognized-service"), std::string::npos)
      << r.failure().detail;
  EXPECT_TRUE(client.identify().ok());
}

// ---------------------------------------------------------------------------------------------
// Reports
// ---------------------------------------------------------------------------------------------

TEST(AsyncClient, ReportsArriveByCallback) {
  TestServer server;
  net::Loop loop(1);
  auto client = AsyncClient::create(loop, config_for(server.port()));
  std::mutex mu;
  std::condition_variable cv;
  std::vector<mms::InformationReport> reports;
  client->on_report([&](const mms::InformationReport& r) {
    {
      const std::lock_guard lock(mu);
      reports.push_back(r);
    }
    cv.notify_all();
  });
  Await<AssociationInfo> conn;
  client->connect(conn.callback());
  ASSERT_TRUE(conn.get().ok());
  Await<void> ena;
  client->write(ld0("LLN0$RP$urcb01$RptEna"), mms::Data{true}, ena.callback());
  auto w = ena.get();
  ASSERT_TRUE(w.ok()) << w.failure().describe();

  server.update([](mms::Vmd& vmd) { (void)vmd.update(ld0("GGIO1$ST$Ind1$stVal"), mms::Data{true}); });
  std::unique_lock lock(mu);
  ASSERT_TRUE(cv.wait_for(lock, kLimit, [&] { return !reports.empty(); }));
  const mms::InformationReport& r = reports.front();
  const auto* list = std::get_if<mms::VariableListName>(&r.variables);
  ASSERT_NE(list, nullptr);
  EXPECT_EQ(list->name, ld0("LLN0$DataSet1"));
  ASSERT_EQ(r.results.size(), 4U);
  const auto* ind1 = std::get_if<mms::Data>(&r.results[0]);
  ASSERT_NE(ind1, nullptr);
  EXPECT_EQ(format_access_result(r.results[0]).substr(0, 5), "{true");
  lock.unlock();
  EXPECT_GE(client->stats().reports, 1U);
}

TEST(Client, NextReportWaitsAndTimesOut) {
  TestServer server;
  Client client(config_for(server.port()));
  ASSERT_TRUE(client.connect().ok());
  EXPECT_FALSE(client.next_report(20ms).has_value());
  ASSERT_TRUE(client.write(ld0("LLN0$RP$urcb01$RptEna"), mms::Data{true}).ok());
  server.update([](mms::Vmd& vmd) { (void)vmd.update(ld0("GGIO1$ST$Ind2$stVal"), mms::Data{true}); });
  auto r = client.next_report(kLimit);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->results.size(), 4U);
  // Disabled again: the next change produces nothing; a read proves the server went on.
  ASSERT_TRUE(client.write(ld0("LLN0$RP$urcb01$RptEna"), mms::Data{false}).ok());
  server.update([](mms::Vmd& vmd) { (void)vmd.update(ld0("GGIO1$ST$Ind2$stVal"), mms::Data{false}); });
  ASSERT_TRUE(client.identify().ok());
  EXPECT_FALSE(client.next_report(50ms).has_value());
}

// ---------------------------------------------------------------------------------------------
// Pipelining
// ---------------------------------------------------------------------------------------------

TEST(AsyncClient, PipelinesBeyondTheOutstandingLimitWithoutExceedingIt) {
  TestServerOptions opts;
  opts.batch = 4;  // answer only when 4 requests are outstanding
  TestServer server(opts);
  net::Loop loop(1);
  ClientConfig cfg = config_for(server.port());
  cfg.mms.max_outstanding_calling = 4;
  auto client = AsyncClient::create(loop, cfg);
  Await<AssociationInfo> conn;
  client->connect(conn.callback());
  auto info = conn.get();
  ASSERT_TRUE(info.ok()) << info.failure().describe();
  ASSERT_EQ(info->negotiated.max_serv_outstanding_calling, 4);

  Tally tally;
  constexpr std::size_t kReads = 100;
  for (std::size_t i = 0; i < kReads; ++i) {
    client->read(ld0("MMXU1$MX$Hz$mag$f"), [&tally](Outcome<mms::Data> r) { tally.add(r.ok(), r.code()); });
  }
  ASSERT_TRUE(tally.wait(kReads)) << tally.done() << " of " << kReads;
  EXPECT_EQ(tally.ok(), kReads);
  EXPECT_EQ(client->stats().max_outstanding_seen, 4U);
  EXPECT_EQ(client->stats().requests_sent, kReads);
  EXPECT_EQ(server.shared().max_outstanding.load(), 4U);
  EXPECT_EQ(server.shared().session_errors.load(), 0U);  // no max-serv-outstanding-exceeded
}

TEST(AsyncClient, RequestsMadeBeforeTheAssociationAreSentOnceItIsUp) {
  TestServer server;
  net::Loop loop(2);
  auto client = AsyncClient::create(loop, config_for(server.port()));
  Await<AssociationInfo> conn;
  client->connect(conn.callback());
  Await<mms::IdentifyResponse> id;
  client->identify(id.callback());
  auto r = id.get();
  ASSERT_TRUE(r.ok()) << r.failure().describe();
  EXPECT_TRUE(conn.get().ok());
}

TEST(AsyncClient, ClientSideQueueIsBounded) {
  TestServer server(TestServerOptions{Behaviour::swallow});
  net::Loop loop(1);
  ClientConfig cfg = config_for(server.port());
  cfg.mms.max_outstanding_calling = 1;
  cfg.max_queued_requests = 2;
  auto client = AsyncClient::create(loop, cfg);
  Await<AssociationInfo> conn;
  client->connect(conn.callback());
  ASSERT_TRUE(conn.get().ok());
  Tally tally;
  for (int i = 0; i < 3; ++i) {  // one on the wire, two queued
    client->identify([&tally](Outcome<mms::IdentifyResponse> r) { tally.add(r.ok(), r.code()); });
  }
  Await<mms::IdentifyResponse> fourth;
  client->identify(fourth.callback());
  auto r = fourth.get();
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(has(r.failure(), Errc::invalid_state));
  EXPECT_EQ(r.failure().detail, "more than 2 requests queued");
  EXPECT_EQ(tally.done(), 0U);
  client->abort();
  ASSERT_TRUE(tally.wait(3));
  for (const auto& code : tally.codes()) EXPECT_EQ(code, make_error_code(Errc::aborted));
}

TEST(Client, WriteOfManyNeedsOneValuePerName) {
  TestServer server;
  Client client(config_for(server.port()));
  ASSERT_TRUE(client.connect().ok());
  auto r = client.write(std::vector<mms::ObjectName>{ld0("MMXU1$CF$Hz$db")}, std::vector<mms::Data>{});
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(has(r.failure(), Errc::invalid_argument));
  EXPECT_EQ(r.failure().detail, "1 names but 0 values");
}

TEST(AsyncClient, OnClosedAfterTheCloseStillReportsOnce) {
  net::Loop loop(1);
  auto client = AsyncClient::create(loop, config_for(testing::closed_port()));
  Await<AssociationInfo> conn;
  client->connect(conn.callback());
  ASSERT_FALSE(conn.get().ok());
  ASSERT_TRUE(eventually([&] {
    // The close follows the connect failure on the loop thread.
    Await<mms::IdentifyResponse> probe;
    client->identify(probe.callback());
    auto r = probe.get();
    return !r.ok() && has(r.failure(), Errc::connect_failed);
  }));
  Await<std::optional<Failure>> closed;
  client->on_closed([cb = closed.callback()](const std::optional<Failure>& f) { cb(f); });
  auto why = closed.get();
  ASSERT_TRUE(why.ok());
  ASSERT_TRUE(why->has_value());
  EXPECT_TRUE(has(**why, Errc::connect_failed));
}

// ---------------------------------------------------------------------------------------------
// Timeouts, aborts, closes
// ---------------------------------------------------------------------------------------------

TEST(AsyncClient, RequestTimeoutFailsTheRequestAndAbortsTheAssociation) {
  TestServer server(TestServerOptions{Behaviour::swallow});
  net::Loop loop(1);
  ClientConfig cfg = config_for(server.port());
  cfg.request_timeout = 200ms;
  auto client = AsyncClient::create(loop, cfg);
  Await<std::optional<Failure>> closed;
  client->on_closed([cb = closed.callback()](const std::optional<Failure>& f) { cb(f); });
  Await<AssociationInfo> conn;
  client->connect(conn.callback());
  ASSERT_TRUE(conn.get().ok());

  Await<mms::Data> first;
  Await<mms::IdentifyResponse> second;
  Await<mms::Data> third;
  client->read(ld0("MMXU1$MX$Hz$mag$f"), first.callback());
  client->identify(second.callback());
  client->read(ld0("MMXU1$MX$TotW$mag$f"), third.callback());
  auto a = first.get();
  ASSERT_FALSE(a.ok());
  EXPECT_TRUE(has(a.failure(), Errc::timeout)) << a.failure().describe();
  EXPECT_EQ(a.failure().detail, "no response to read within 200 ms");
  auto b = second.get();
  ASSERT_FALSE(b.ok());
  EXPECT_TRUE(has(b.failure(), Errc::aborted)) << b.failure().describe();
  EXPECT_NE(b.failure().detail.find("no response to read within 200 ms"), std::string::npos);
  auto c = third.get();
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(has(c.failure(), Errc::aborted));
  auto why = closed.get();
  ASSERT_TRUE(why.ok());
  ASSERT_TRUE(why->has_value());
  EXPECT_TRUE(has(**why, Errc::timeout));
  EXPECT_FALSE(client->associated());
  EXPECT_TRUE(eventually([&] { return server.shared().aborted_by_client.load() == 1; }));
  EXPECT_EQ(first.calls() + second.calls() + third.calls(), 3);
}

TEST(AsyncClient, PeerAbortFailsEveryPendingRequestExactlyOnce) {
  TestServer server(TestServerOptions{Behaviour::abort_on_request});
  net::Loop loop(1);
  auto client = AsyncClient::create(loop, config_for(server.port()));
  Await<AssociationInfo> conn;
  client->connect(conn.callback());
  ASSERT_TRUE(conn.get().ok());
  Tally tally;
  for (int i = 0; i < 5; ++i) {
    client->read(ld0("MMXU1$MX$Hz$mag$f"), [&tally](Outcome<mms::Data> r) { tally.add(r.ok(), r.code()); });
  }
  ASSERT_TRUE(tally.wait(5));
  EXPECT_EQ(tally.ok(), 0U);
  for (const auto& code : tally.codes()) {
    EXPECT_TRUE(code == make_error_code(Errc::aborted) || code == make_error_code(Errc::closed))
        << code.message();
  }
  // Later requests fail at once with the same cause; no callback runs twice.
  Await<mms::IdentifyResponse> later;
  client->identify(later.callback());
  auto l = later.get();
  ASSERT_FALSE(l.ok());
  EXPECT_TRUE(has(l.failure(), Errc::aborted)) << l.failure().describe();
  EXPECT_NE(l.failure().detail.find("ABRT"), std::string::npos) << l.failure().detail;
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(tally.done(), 5U);
}

TEST(AsyncClient, PeerCloseFailsPendingRequestsWithClosed) {
  TestServer server(TestServerOptions{Behaviour::close_on_request});
  net::Loop loop(1);
  auto client = AsyncClient::create(loop, config_for(server.port()));
  Await<AssociationInfo> conn;
  client->connect(conn.callback());
  ASSERT_TRUE(conn.get().ok());
  Tally tally;
  for (int i = 0; i < 3; ++i) {
    client->read(ld0("MMXU1$MX$Hz$mag$f"), [&tally](Outcome<mms::Data> r) { tally.add(r.ok(), r.code()); });
  }
  ASSERT_TRUE(tally.wait(3));
  for (const auto& code : tally.codes()) EXPECT_EQ(code, make_error_code(Errc::closed)) << code.message();
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(tally.done(), 3U);
}

TEST(AsyncClient, LocalAbortFailsPendingRequests) {
  TestServer server(TestServerOptions{Behaviour::swallow});
  net::Loop loop(1);
  auto client = AsyncClient::create(loop, config_for(server.port()));
  Await<AssociationInfo> conn;
  client->connect(conn.callback());
  ASSERT_TRUE(conn.get().ok());
  Await<mms::IdentifyResponse> pending;
  client->identify(pending.callback());
  ASSERT_TRUE(eventually([&] { return server.shared().requests.load() == 1; }));
  client->abort();
  auto r = pending.get();
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(has(r.failure(), Errc::aborted));
  EXPECT_EQ(r.failure().detail, "aborted locally");
  EXPECT_TRUE(eventually([&] { return server.shared().aborted_by_client.load() == 1; }));
}

TEST(AsyncClient, DroppingTheClientAbortsTheAssociation) {
  TestServer server;
  net::Loop loop(1);
  {
    auto client = AsyncClient::create(loop, config_for(server.port()));
    Await<AssociationInfo> conn;
    client->connect(conn.callback());
    ASSERT_TRUE(conn.get().ok());
  }
  EXPECT_TRUE(eventually([&] { return server.shared().closed.load() == 1; }));
  EXPECT_EQ(server.shared().aborted_by_client.load(), 1U);
}

TEST(AsyncClient, ReleaseWaitsForOutstandingRequests) {
  TestServer server;
  net::Loop loop(1);
  auto client = AsyncClient::create(loop, config_for(server.port()));
  Await<AssociationInfo> conn;
  client->connect(conn.callback());
  ASSERT_TRUE(conn.get().ok());
  Tally tally;
  for (int i = 0; i < 3; ++i) {
    client->read(ld0("MMXU1$MX$Hz$mag$f"), [&tally](Outcome<mms::Data> r) { tally.add(r.ok(), r.code()); });
  }
  Await<void> rel;
  client->release(rel.callback());
  Await<mms::IdentifyResponse> too_late;
  client->identify(too_late.callback());
  auto r = rel.get();
  ASSERT_TRUE(r.ok()) << r.failure().describe();
  ASSERT_TRUE(tally.wait(3));
  EXPECT_EQ(tally.ok(), 3U);
  auto late = too_late.get();
  ASSERT_FALSE(late.ok());
  EXPECT_TRUE(has(late.failure(), Errc::invalid_state)) << late.failure().describe();
  EXPECT_TRUE(eventually([&] { return server.shared().released.load() == 1; }));
}

TEST(AsyncClient, ReleaseTimeoutAborts) {
  TestServer server(TestServerOptions{Behaviour::swallow});
  net::Loop loop(1);
  ClientConfig cfg = config_for(server.port());
  cfg.release_timeout = 200ms;
  auto client = AsyncClient::create(loop, cfg);
  Await<AssociationInfo> conn;
  client->connect(conn.callback());
  ASSERT_TRUE(conn.get().ok());
  Await<void> rel;
  client->release(rel.callback());
  auto r = rel.get();
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(has(r.failure(), Errc::timeout));
  EXPECT_EQ(r.failure().detail, "no response to the release within 200 ms");
}

TEST(Client, ReleaseTwiceAndReleaseBeforeConnect) {
  TestServer server;
  Client idle(config_for(server.port()));
  auto early = idle.release();
  ASSERT_FALSE(early.ok());
  EXPECT_TRUE(has(early.failure(), Errc::invalid_state));

  Client client(config_for(server.port()));
  ASSERT_TRUE(client.connect().ok());
  ASSERT_TRUE(client.release().ok());
  auto again = client.release();
  ASSERT_FALSE(again.ok());
  EXPECT_TRUE(has(again.failure(), Errc::closed));
}

TEST(Client, SyncTimeoutAndAbort) {
  TestServer server(TestServerOptions{Behaviour::swallow});
  ClientConfig cfg = config_for(server.port());
  cfg.request_timeout = 150ms;
  Client client(cfg);
  ASSERT_TRUE(client.connect().ok());
  auto r = client.read(ld0("MMXU1$MX$Hz$mag$f"));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(has(r.failure(), Errc::timeout));
  EXPECT_EQ(r.failure().detail, "no response to read within 150 ms");
  EXPECT_FALSE(client.associated());
  EXPECT_TRUE(eventually([&] { return client.close_reason().has_value(); }));
  EXPECT_TRUE(has(*client.close_reason(), Errc::timeout));
}

TEST(Client, SyncAbort) {
  TestServer server;
  Client client(config_for(server.port()));
  ASSERT_TRUE(client.connect().ok());
  client.abort();
  EXPECT_TRUE(eventually([&] { return client.close_reason().has_value(); }));
  EXPECT_TRUE(has(*client.close_reason(), Errc::aborted));
  auto r = client.identify();
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(has(r.failure(), Errc::aborted));
}

TEST(Client, OnBorrowedLoop) {
  TestServer server;
  net::Loop loop(2);
  {
    Client a(loop, config_for(server.port()));
    Client b(loop, config_for(server.port()));
    ASSERT_TRUE(a.connect().ok());
    ASSERT_TRUE(b.connect().ok());
    EXPECT_TRUE(a.identify().ok());
    EXPECT_TRUE(b.identify().ok());
    EXPECT_TRUE(a.release().ok());
  }
  EXPECT_TRUE(eventually([&] { return server.shared().closed.load() == 2; }));
}

}  // namespace
}  // namespace mmssec::endpoint
