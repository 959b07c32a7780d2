// SPDX-License-Identifier: Apache-2.0
// MMS Data and TypeSpecification decoders on untrusted input (the libiec61850 CVE classes:
// lengths, counts, widths, nesting). Whatever decodes is re-encoded; decoding that encoding must
// give an equal value (NaN floats compared through their encoding) and re-encode to the same bytes.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <variant>

#include "mmssec/mms/data.hpp"

namespace {
using namespace mmssec;

bool contains_nan(const mms::Data& d) {
  if (const auto* f = d.get<mms::FloatingPoint>()) return std::isnan(f->value);
  const std::vector<mms::Data>* items = nullptr;
  if (const auto* a = d.get<mms::DataArray>()) items = &a->items;
  if (const auto* s = d.get<mms::DataStructure>()) items = &s->members;
  if (items != nullptr) {
    for (const auto& i : *items) {
      if (contains_nan(i)) return true;
    }
  }
  return false;
}

void check_data(ByteView input, const Limits& limits) {
  ber::Reader r(input, ber::ReaderOptions::from(limits));
  while (!r.empty()) {
    auto d = mms::decode_data(r, limits);
    if (!d) return;
    Bytes first;
    ber::Writer w1(first);
    mms::encode_data(w1, *d);
    ber::Reader again(first, ber::ReaderOptions::from(limits));
    auto d2 = mms::decode_data(again, limits);
    if (!d2 || !again.expect_end()) std::abort();
    Bytes second;
    ber::Writer w2(second);
    mms::encode_data(w2, *d2);
    if (second != first) std::abort();
    if (!(*d2 == *d) && !contains_nan(*d)) std::abort();
    (void)d->tag_number();
  }
}

void check_type(ByteView input, const Limits& limits) {
  ber::Reader r(input, ber::ReaderOptions::from(limits));
  auto t = mms::decode_type_specification(r, limits);
  if (!t) return;
  Bytes first;
  ber::Writer w1(first);
  mms::encode_type_specification(w1, **t);
  ber::Reader again(first, ber::ReaderOptions::from(limits));
  auto t2 = mms::decode_type_specification(again, limits);
  if (!t2 || !again.expect_end()) std::abort();
  Bytes second;
  ber::Writer w2(second);
  mms::encode_type_specification(w2, **t2);
  if (second != first) std::abort();
}

void check_name(ByteView input, const Limits& limits) {
  ber::Reader r(input, ber::ReaderOptions::from(limits));
  auto n = mms::decode_object_name(r, limits);
  if (!n) return;
  Bytes out;
  ber::Writer w(out);
  mms::encode_object_name(w, *n);
  ber::Reader again(out, ber::ReaderOptions::from(limits));
  auto n2 = mms::decode_object_name(again, limits);
  if (!n2 || !(*n2 == *n)) std::abort();
  (void)n->to_string();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView input(data, size);
  check_data(input, default_limits());
  check_type(input, default_limits());
  check_name(input, default_limits());
  // Tight limits reach the limit paths with small inputs.
  Limits tight;
  tight.mms_max_data_depth = 3;
  tight.mms_max_list_elements = 4;
  tight.mms_max_string = 8;
  tight.mms_max_identifier = 8;
  check_data(input, tight);
  check_type(input, tight);
  return 0;
}
