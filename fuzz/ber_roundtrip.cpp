// SPDX-License-Identifier: Apache-2.0
// BER round trip: any input that decodes as a definite-length tree must re-encode (through the
// Writer, rebuilding every constructed element) to the same bytes when it was valid DER, and
// every primitive decoder must either succeed or fail cleanly on every element's content.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "mmssec/ber/ber.hpp"

namespace {
using namespace mmssec;

void reencode(ber::Reader& in, ber::Writer& out, int depth) {
  while (!in.empty()) {
    auto tlv = in.read_any();
    if (!tlv) return;
    if (tlv->tag.constructed) {
      auto child = in.enter(*tlv);
      if (!child) return;
      const std::size_t m = out.begin(tlv->tag);
      reencode(*child, out, depth + 1);
      out.end(m);
    } else {
      out.tlv(tlv->tag, tlv->content);
      // Exercise the typed decoders on arbitrary content.
      Bytes buf;
      ber::Writer w(buf);
      w.tlv(ber::Tag::universal(tlv->tag.number % 31), tlv->content);
      ber::Reader r(buf);
      switch (tlv->tag.number % 31) {
        case 1: (void)r.read_boolean(); break;
        case 2: (void)r.read_int64(); break;
        case 3: (void)r.read_bit_string(); break;
        case 6: (void)r.read_oid(); break;
        case 12: (void)r.read_utf8_string(); break;
        case 23: (void)r.read_utc_time(); break;
        case 24: (void)r.read_generalized_time(); break;
        case 26: (void)r.read_visible_string(); break;
        default: (void)r.read_uint64(ber::Tag::universal(tlv->tag.number % 31)); break;
      }
    }
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView input(data, size);
  // 1. Lenient BER walk must never crash.
  {
    ber::Reader r(input);
    Bytes out;
    ber::Writer w(out);
    reencode(r, w, 0);
  }
  // 2. Valid DER must round-trip byte for byte.
  {
    ber::Reader r(input, ber::ReaderOptions::der_strict());
    Bytes out;
    ber::Writer w(out);
    ber::Reader probe(input, ber::ReaderOptions::der_strict());
    bool valid = true;
    // Validate the whole tree first (validate completely, then act).
    struct Walk {
      static bool ok(ber::Reader& rd) {
        while (!rd.empty()) {
          auto t = rd.read_any();
          if (!t) return false;
          if (t->tag.constructed) {
            auto c = rd.enter(*t);
            if (!c || !ok(*c)) return false;
          }
        }
        return true;
      }
    };
    valid = Walk::ok(probe);
    if (valid) {
      reencode(r, w, 0);
      if (out.size() != size || (size != 0 && !constant_time_equal(out, input))) std::abort();
    }
  }
  // 3. EXTERNAL decoder.
  {
    ber::Reader r(input);
    (void)r.read_external();
  }
  return 0;
}
