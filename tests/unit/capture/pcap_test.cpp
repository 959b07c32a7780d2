// SPDX-License-Identifier: Apache-2.0
#include "mmssec/capture/pcap.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

namespace mmssec::capture {
namespace {

Bytes hex(std::string_view h) {
  auto r = from_hex(h);
  EXPECT_TRUE(r.ok()) << h;
  return r.ok() ? *r : Bytes{};
}

// Global header, little-endian, microseconds, Ethernet:
//   d4c3b2a1  magic a1b2c3d4 written little-endian
//   0200 0400 version 2.4
//   00000000  thiszone 0
//   00000000  sigfigs 0
//   00000400  snaplen 262144 (0x00040000)
//   01000000  link type 1 (Ethernet)
constexpr std::string_view kHeaderLeMicroEthernet = "d4c3b2a1 0200 0400 00000000 00000000 00000400 01000000";
// The same, big-endian, nanosecond magic a1b23c4d, link type 101 (raw IP).
constexpr std::string_view kHeaderBeNanoRaw = "a1b23c4d 0002 0004 00000000 00000000 00040000 00000065";

TEST(PcapWriter, GlobalHeaderGoldenLittleEndianMicro) {
  Bytes out;
  PcapWriter w(out, WriterOptions{});
  EXPECT_EQ(to_hex(out), to_hex(hex(kHeaderLeMicroEthernet)));
}

TEST(PcapWriter, GlobalHeaderGoldenBigEndianNano) {
  Bytes out;
  PcapWriter w(out, WriterOptions{LinkType::raw, true, true, 262144});
  EXPECT_EQ(to_hex(out), to_hex(hex(kHeaderBeNanoRaw)));
}

TEST(PcapWriter, RecordGoldenLittleEndianMicro) {
  Bytes out;
  PcapWriter w(out, WriterOptions{});
  ASSERT_TRUE(w.add(Timestamp{0x01020304, 5'000'000}, hex("aabbcc")).ok());
  // Record header: ts_sec 0x01020304 | ts_usec 5000 (0x1388) | incl_len 3 | orig_len 3, LE.
  EXPECT_EQ(to_hex(ByteView(out).subspan(24)),
            "04030201"
            "88130000"
            "03000000"
            "03000000"
            "aabbcc");
}

TEST(PcapWriter, RejectsFrameAboveSnaplen) {
  Bytes out;
  PcapWriter w(out, WriterOptions{LinkType::ethernet, false, false, 4});
  ASSERT_TRUE(w.add(Timestamp{}, hex("01020304")).ok());
  const Status s = w.add(Timestamp{}, hex("0102030405"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, make_error_code(Errc::frame_too_large));
}

struct Order {
  bool big_endian;
  bool nanosecond;
};

class PcapRoundTrip : public ::testing::TestWithParam<Order> {};

TEST_P(PcapRoundTrip, ReaderReadsWhatWriterWrote) {
  const Order o = GetParam();
  Bytes file;
  PcapWriter w(file, WriterOptions{LinkType::linux_sll, o.big_endian, o.nanosecond, 65535});
  const Bytes a = hex("00112233");
  const Bytes b(1500, 0x5a);
  ASSERT_TRUE(w.add(Timestamp{1'700'000'000, 123'456'789}, a).ok());
  ASSERT_TRUE(w.add(Timestamp{1'700'000'001, 0}, b).ok());
  ASSERT_TRUE(w.add(Timestamp{1'700'000'002, 999'999'000}, {}).ok());

  auto r = PcapReader::open(file);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(r->header().big_endian, o.big_endian);
  EXPECT_EQ(r->header().nanosecond, o.nanosecond);
  EXPECT_EQ(r->header().link_type, 113U);
  EXPECT_EQ(r->header().snaplen, 65535U);
  EXPECT_EQ(r->header().version_major, 2);
  EXPECT_EQ(r->header().version_minor, 4);

  auto r1 = r->next();
  ASSERT_TRUE(r1.ok() && r1->has_value());
  EXPECT_EQ((*r1)->index, 0U);
  EXPECT_EQ((*r1)->offset, 24U);
  EXPECT_EQ((*r1)->data_offset, 40U);
  EXPECT_EQ(to_hex((*r1)->data), "00112233");
  EXPECT_EQ((*r1)->original_length, 4U);
  EXPECT_EQ((*r1)->timestamp.seconds, 1'700'000'000U);
  // Microsecond files keep only whole microseconds.
  EXPECT_EQ((*r1)->timestamp.nanoseconds, o.nanosecond ? 123'456'789U : 123'456'000U);

  auto r2 = r->next();
  ASSERT_TRUE(r2.ok() && r2->has_value());
  EXPECT_EQ((*r2)->index, 1U);
  EXPECT_EQ(Bytes((*r2)->data.begin(), (*r2)->data.end()), b);

  auto r3 = r->next();
  ASSERT_TRUE(r3.ok() && r3->has_value());
  EXPECT_TRUE((*r3)->data.empty());
  EXPECT_EQ((*r3)->timestamp, (Timestamp{1'700'000'002, 999'999'000}));

  auto end = r->next();
  ASSERT_TRUE(end.ok());
  EXPECT_FALSE(end->has_value());
}

INSTANTIATE_TEST_SUITE_P(AllOrders, PcapRoundTrip,
                         ::testing::Values(Order{false, false}, Order{false, true}, Order{true, false},
                                           Order{true, true}));

TEST(PcapReader, MicrosecondFractionAboveOneSecondIsNormalised) {
  // Big-endian micro header, then a record with ts_usec = 2'500'000 (0x002625a0).
  Bytes file = hex("a1b2c3d4 0002 0004 00000000 00000000 0000ffff 00000001");
  const Bytes rec = hex("00000010 002625a0 00000000 00000000");
  file.insert(file.end(), rec.begin(), rec.end());
  auto r = PcapReader::open(file);
  ASSERT_TRUE(r.ok());
  auto rec0 = r->next();
  ASSERT_TRUE(rec0.ok() && rec0->has_value());
  EXPECT_EQ((*rec0)->timestamp.seconds, 18U);
  EXPECT_EQ((*rec0)->timestamp.nanoseconds, 500'000'000U);
}

TEST(PcapReader, LinkTypeFcsBitsAreMasked) {
  // Link type field 0x10000001: FCS flag bits above the 16-bit link type.
  const Bytes file = hex("a1b2c3d4 0002 0004 00000000 00000000 0000ffff 10000001");
  auto r = PcapReader::open(file);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->header().link_type, 1U);
}

TEST(PcapReader, BadMagicRejected) {
  const Bytes file = hex("0a0d0d0a 0002 0004 00000000 00000000 0000ffff 00000001");  // pcapng
  auto r = PcapReader::open(file);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, make_error_code(Errc::bad_magic));
  EXPECT_EQ(r.error().offset, 0U);
}

TEST(PcapReader, TruncatedFileHeader) {
  Bytes file = hex(kHeaderLeMicroEthernet);
  file.pop_back();
  auto r = PcapReader::open(file);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, make_error_code(Errc::truncated_file_header));
  EXPECT_EQ(r.error().offset, 23U);
}

TEST(PcapReader, TruncatedFileHeaderShorterThanMagic) {
  auto r = PcapReader::open(hex("d4c3b2"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, make_error_code(Errc::truncated_file_header));
}

TEST(PcapReader, EmptyFileIsTruncatedHeader) {
  auto r = PcapReader::open(ByteView{});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, make_error_code(Errc::truncated_file_header));
}

TEST(PcapReader, UnsupportedVersion) {
  const Bytes file = hex("d4c3b2a1 0100 0000 00000000 00000000 00000400 01000000");
  auto r = PcapReader::open(file);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, make_error_code(Errc::unsupported_version));
  EXPECT_EQ(r.error().offset, 4U);
}

TEST(PcapReader, HeaderOnlyFileHasNoRecords) {
  const Bytes file = hex(kHeaderLeMicroEthernet);
  auto r = PcapReader::open(file);
  ASSERT_TRUE(r.ok());
  auto n = r->next();
  ASSERT_TRUE(n.ok());
  EXPECT_FALSE(n->has_value());
}

TEST(PcapReader, TruncatedRecordHeader) {
  Bytes file = hex(kHeaderLeMicroEthernet);
  const Bytes partial = hex("00000000 00000000 0400");  // 10 of 16 octets
  file.insert(file.end(), partial.begin(), partial.end());
  auto r = PcapReader::open(file);
  ASSERT_TRUE(r.ok());
  auto n = r->next();
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.error().code, make_error_code(Errc::truncated_record_header));
  EXPECT_EQ(n.error().offset, 24U);
}

TEST(PcapReader, TruncatedRecordData) {
  Bytes file = hex(kHeaderLeMicroEthernet);
  // incl_len 8 but only 3 octets follow.
  const Bytes rec = hex("00000000 00000000 08000000 08000000 010203");
  file.insert(file.end(), rec.begin(), rec.end());
  auto r = PcapReader::open(file);
  ASSERT_TRUE(r.ok());
  auto n = r->next();
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.error().code, make_error_code(Errc::truncated_record_data));
  EXPECT_EQ(n.error().offset, 40U);
  // The reader does not advance past an error.
  auto again = r->next();
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, make_error_code(Errc::truncated_record_data));
}

TEST(PcapReader, RecordAboveMaxRecordLimit) {
  Bytes file;
  PcapWriter w(file, WriterOptions{});
  ASSERT_TRUE(w.add(Timestamp{}, Bytes(100, 1)).ok());
  ASSERT_TRUE(w.add(Timestamp{}, Bytes(101, 2)).ok());
  auto r = PcapReader::open(file, ReaderOptions{100});
  ASSERT_TRUE(r.ok());
  auto first = r->next();
  ASSERT_TRUE(first.ok() && first->has_value());  // exactly at the limit
  auto second = r->next();
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, make_error_code(Errc::record_too_large));
  EXPECT_EQ(second.error().offset, 24U + 16U + 100U + 8U);  // the incl_len field
}

TEST(PcapReader, HugeCapturedLengthIsRejectedBeforeReading) {
  Bytes file = hex(kHeaderLeMicroEthernet);
  const Bytes rec = hex("00000000 00000000 ffffffff ffffffff");
  file.insert(file.end(), rec.begin(), rec.end());
  auto r = PcapReader::open(file);
  ASSERT_TRUE(r.ok());
  auto n = r->next();
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.error().code, make_error_code(Errc::record_too_large));
}

TEST(PcapFiles, WriteThenReadBack) {
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("mmssec_capture_test_" + std::to_string(::getpid()) + ".pcap"))
                               .string();
  const Bytes data = hex(kHeaderBeNanoRaw);
  ASSERT_TRUE(write_file(path, data).ok());
  auto back = read_file(path);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, data);
  auto limited = read_file(path, 23);
  ASSERT_FALSE(limited.ok());
  EXPECT_EQ(limited.error().code, make_error_code(Errc::record_too_large));
  std::filesystem::remove(path);
}

TEST(PcapFiles, MissingFileIsIoError) {
  auto r = read_file("/nonexistent/mmssec/none.pcap");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, make_error_code(Errc::io_error));
  EXPECT_STREQ(r.error().code.category().name(), "capture");
}

TEST(PcapFiles, UnwritablePathIsIoError) {
  const Status s = write_file("/nonexistent/mmssec/none.pcap", Bytes{1});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, make_error_code(Errc::io_error));
}

}  // namespace
}  // namespace mmssec::capture
