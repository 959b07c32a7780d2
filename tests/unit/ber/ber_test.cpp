// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include "mmssec/ber/ber.hpp"

using namespace mmssec;
using ber::Tag;

TEST(Ber, Smoke) {
  auto b = from_hex("3003020105");
  ber::Reader r(*b);
  auto seq = r.enter(ber::tags::kSequence);
  ASSERT_TRUE(seq.ok());
  EXPECT_EQ(*seq->read_int64(), 5);
}
