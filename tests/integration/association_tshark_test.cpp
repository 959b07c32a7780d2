// SPDX-License-Identifier: Apache-2.0
// Everything our stack sends, checked by a second implementation: a complete association between
// two mmssec stack::Associations (samples/scenario.cpp) decoded by tshark. No frame may be marked
// malformed, and the ACSE, presentation and MMS fields must be the ones we meant to send.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>

#include "scenario.hpp"
#include "support/tshark.hpp"

using namespace mmssec;

namespace {
bool contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}
}  // namespace

TEST(AssociationTshark, WholeAssociationDecodesCleanly) {
  auto scenario = samples::run_sample_association();
  ASSERT_TRUE(scenario.ok()) << scenario.error().describe();
  test_support::TsharkOptions opts;
  opts.fields = {"mms.confirmedServiceRequest", "mms.confirmedServiceResponse",         "mms.invokeID",
                 "acse.aSO_context_name",       "pres.presentation_context_identifier", "acse.result",
                 "mms.unconfirmedService"};
  const auto report = test_support::run_tshark(scenario->messages, opts);
  ASSERT_TRUE(report.clean()) << report.describe();
  // ACSE: AARQ and AARE with the MMS application context; AARE result accepted (0).
  EXPECT_EQ(report.values("acse.aSO_context_name"),
            (std::vector<std::string>{"1.0.9506.2.3", "1.0.9506.2.3"}));
  EXPECT_EQ(report.values("acse.result"), (std::vector<std::string>{"0"}));
  // Presentation: contexts 1 (ACSE) and 3 (MMS) proposed in the CP, then the AARQ PDV on 1.
  const auto ctx = report.values("pres.presentation_context_identifier");
  ASSERT_GE(ctx.size(), 3U);
  EXPECT_EQ((std::vector<std::string>(ctx.begin(), ctx.begin() + 3)),
            (std::vector<std::string>{"1", "3", "1"}));
  // MMS: identify (2), getNameList (1), read (4), write (5) with invoke ids 1..4, and a report.
  EXPECT_EQ(report.values("mms.confirmedServiceRequest"), (std::vector<std::string>{"2", "1", "4", "5"}));
  EXPECT_EQ(report.values("mms.confirmedServiceResponse"), (std::vector<std::string>{"2", "1", "4", "5"}));
  const auto ids = report.values("mms.invokeID");
  for (const char* id : {"1", "2", "3", "4"}) EXPECT_TRUE(contains(ids, id)) << id;
  EXPECT_EQ(report.values("mms.unconfirmedService"), (std::vector<std::string>{"0"}));
}

TEST(AssociationTshark, CommittedSampleMatchesTheCurrentStack) {
  // samples/association.pcap is the demo's input; it must be what the stack produces today
  // (regenerate with build/<preset>/samples/mmssec_make_samples <repository root>).
  auto scenario = samples::run_sample_association();
  ASSERT_TRUE(scenario.ok());
  auto pcap = capture::write_conversation(scenario->messages);
  ASSERT_TRUE(pcap.ok());
  std::ifstream f(MMSSEC_SOURCE_DIR "/samples/association.pcap", std::ios::binary);
  ASSERT_TRUE(f) << "samples/association.pcap missing";
  const Bytes committed((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  EXPECT_EQ(committed, *pcap) << "samples/association.pcap is stale: run mmssec_make_samples";
}
