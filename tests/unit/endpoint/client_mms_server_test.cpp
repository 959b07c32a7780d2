// SPDX-License-Identifier: Apache-2.0
// The client against the endpoint's own MmsServer (shared ModelHost, default IED model, report
// control block): the two halves of the endpoint layer talk to each other over loopback.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "mmssec/endpoint/client.hpp"
#include "mmssec/endpoint/reference.hpp"
#include "mmssec/endpoint/server.hpp"
#include "mmssec/mms/default_model.hpp"

namespace mmssec::endpoint {
namespace {

using namespace std::chrono_literals;

struct Fixture {
  Fixture() : model(std::make_shared<ModelHost>()) {
    EXPECT_TRUE(model->update([](mms::Vmd& vmd) { return mms::make_default_ied_model(vmd); }).ok());
    ServerSettings s;
    s.network.host = "127.0.0.1";
    s.network.port = 0;
    s.network.threads = 1;
    s.session.report_controls = mms::default_report_controls();
    server = std::make_unique<MmsServer>(s, model);
    EXPECT_TRUE(server->start().ok());
  }
  ClientConfig config() const {
    ClientConfig c;
    c.port = server->port();
    c.connect_timeout = 3s;
    c.association_timeout = 3s;
    c.request_timeout = 5s;
    c.release_timeout = 3s;
    return c;
  }
  std::shared_ptr<ModelHost> model;
  std::unique_ptr<MmsServer> server;
};

mms::ObjectName ref(const char* text) {
  auto r = parse_reference(text);
  EXPECT_TRUE(r.ok()) << text;
  return r.ok() ? *r : mms::ObjectName{};
}

TEST(ClientWithMmsServer, BrowseReadWriteReportRelease) {
  Fixture f;
  Client client(f.config());
  auto info = client.connect();
  ASSERT_TRUE(info.ok()) << info.failure().describe();

  auto id = client.identify();
  ASSERT_TRUE(id.ok()) << id.failure().describe();
  EXPECT_EQ(id->vendor_name, "mmssec");

  auto domains = client.list_domains();
  ASSERT_TRUE(domains.ok());
  EXPECT_EQ(*domains, std::vector<std::string>{"LD0"});
  auto vars = client.list_variables("LD0");
  ASSERT_TRUE(vars.ok());
  EXPECT_NE(std::find(vars->begin(), vars->end(), "XCBR1$ST$Pos$stVal"), vars->end());

  auto pos = client.read(ref("LD0/XCBR1$ST$Pos$stVal"));
  ASSERT_TRUE(pos.ok()) << pos.failure().describe();
  EXPECT_NE(pos->get<mms::BitStringValue>(), nullptr);

  auto missing = client.read(ref("LD0/XCBR1$ST$Nope"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.failure().code, make_error_code(Errc::access_error));
  EXPECT_EQ(missing.failure().detail, "LD0/XCBR1$ST$Nope: object-non-existent");

  ASSERT_TRUE(client.write_text(ref("LD0/XCBR1$CF$Pos$ctlModel"), "1").ok());
  EXPECT_EQ(format_data(*client.read(ref("LD0/XCBR1$CF$Pos$ctlModel"))), "1");

  // Reports: enable through the report control block, then change a data set member.
  ASSERT_TRUE(client.write(ref("LD0/LLN0$RP$urcb01$RptEna"), mms::Data{true}).ok());
  const auto status = f.model->update(
      [](mms::Vmd& vmd) { return vmd.update(ref("LD0/GGIO1$ST$Ind3$stVal"), mms::Data{true}); });
  EXPECT_FALSE(status.has_value());
  // Ind3 is not in the data set: nothing. Ind1 is.
  (void)f.model->update(
      [](mms::Vmd& vmd) { return vmd.update(ref("LD0/GGIO1$ST$Ind1$stVal"), mms::Data{true}); });
  auto report = client.next_report(5s);
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->results.size(), 4U);

  ASSERT_TRUE(client.release().ok());
  EXPECT_FALSE(client.close_reason().has_value());
}

}  // namespace
}  // namespace mmssec::endpoint
