// SPDX-License-Identifier: Apache-2.0
#include "tool_util.hpp"

#include <gtest/gtest.h>

#include <random>

namespace mmssec::tool {
namespace {

TEST(ToolTarget, ParsesHostAndDefaultPort) {
  std::string err;
  auto t = parse_target("mms://127.0.0.1", err);
  ASSERT_TRUE(t) << err;
  EXPECT_EQ(t->host, "127.0.0.1");
  EXPECT_EQ(t->port, 102);
  t = parse_target("mms://localhost:10102/", err);
  ASSERT_TRUE(t) << err;
  EXPECT_EQ(t->host, "localhost");
  EXPECT_EQ(t->port, 10102);
  t = parse_target("mms://[::1]:3782", err);
  ASSERT_TRUE(t) << err;
  EXPECT_EQ(t->host, "::1");
  EXPECT_EQ(t->port, 3782);
  EXPECT_FALSE(t->tls);
  EXPECT_EQ(format_endpoint("::1", 3782), "[::1]:3782");
  EXPECT_EQ(format_endpoint("127.0.0.1", 102), "127.0.0.1:102");
}

TEST(ToolTarget, MmssSchemeMeansTlsOnPort3782) {
  std::string err;
  auto t = parse_target("mmss://127.0.0.1", err);
  ASSERT_TRUE(t) << err;
  EXPECT_TRUE(t->tls);
  EXPECT_EQ(t->port, 3782);
  t = parse_target("mmss://[::1]", err);
  ASSERT_TRUE(t) << err;
  EXPECT_EQ(t->port, 3782);
  t = parse_target("mmss://localhost:10382", err);
  ASSERT_TRUE(t) << err;
  EXPECT_TRUE(t->tls);
  EXPECT_EQ(t->port, 10382);
  t = parse_target("mms://localhost", err);
  ASSERT_TRUE(t) << err;
  EXPECT_FALSE(t->tls);
  EXPECT_EQ(t->port, 102);
  EXPECT_FALSE(parse_target("mmsss://x", err));
  EXPECT_NE(err.find("mmss://"), std::string::npos);
}

TEST(ToolTarget, RejectsBadUrlsWithAReason) {
  const char* bad[] = {
      "127.0.0.1:102",  "http://x",  "mms://",     "mms://host:",  "mms://host:0",   "mms://host:70000",
      "mms://host:12a", "mms://::1", "mms://[::1", "mms://[::1]x", "mms://host/path"};
  for (const char* u : bad) {
    std::string err;
    EXPECT_FALSE(parse_target(u, err)) << u;
    EXPECT_FALSE(err.empty()) << u;
  }
}

TEST(ToolTarget, ListenRequiresPort) {
  std::string err;
  EXPECT_FALSE(parse_listen("127.0.0.1", err));
  EXPECT_NE(err.find("PORT"), std::string::npos);
  auto t = parse_listen("0.0.0.0:102", err);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->port, 102);
  t = parse_listen("127.0.0.1:0", err);
  ASSERT_TRUE(t) << err;
  EXPECT_EQ(t->port, 0);
  EXPECT_FALSE(parse_listen("127.0.0.1:65536", err));
  t = parse_listen("[::]:10102", err);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->host, "::");
}

TEST(ToolHistogram, QuantilesWithinRelativeError) {
  LatencyHistogram h;
  EXPECT_EQ(h.quantile(0.5), 0U);
  std::mt19937_64 rng(42);
  std::vector<std::uint64_t> values;
  for (int i = 0; i < 100000; ++i) {
    const std::uint64_t v = 1000 + rng() % 1'000'000;
    values.push_back(v);
    h.record(v);
  }
  std::sort(values.begin(), values.end());
  for (const double q : {0.5, 0.9, 0.99}) {
    const auto exact =
        static_cast<double>(values[static_cast<std::size_t>(q * static_cast<double>(values.size()))]);
    const auto got = static_cast<double>(h.quantile(q));
    EXPECT_NEAR(got, exact, exact * 0.02) << q;
  }
  EXPECT_EQ(h.max(), values.back());
  EXPECT_EQ(h.quantile(1.0), values.back());
  EXPECT_EQ(h.count(), 100000U);
}

TEST(ToolHistogram, SmallValuesExactAndMergeAdds) {
  LatencyHistogram a;
  LatencyHistogram b;
  for (std::uint64_t v = 0; v < 50; ++v) a.record(v);
  b.record(1ULL << 40);
  a.merge(b);
  EXPECT_EQ(a.count(), 51U);
  EXPECT_EQ(a.quantile(0.0), 0U);
  EXPECT_EQ(a.quantile(0.5), 25U);
  EXPECT_EQ(a.max(), 1ULL << 40);
}

TEST(ToolRss, ReadsProcStatus) {
  // Both move while they are read (reading /proc allocates), so only their presence and rough
  // order are checked.
  const std::size_t current = current_rss_kib();
  const std::size_t peak = peak_rss_kib();
  EXPECT_GT(current, 0U);
  EXPECT_GT(peak, 0U);
  EXPECT_GE(peak + 1024, current);
}

}  // namespace
}  // namespace mmssec::tool
