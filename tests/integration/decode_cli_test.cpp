// SPDX-License-Identifier: Apache-2.0
// Runs the built `mmssec decode` binary: on a pcap written with capture::write_conversation, on
// raw TPKT files, on hex input, on garbage (exit 1 naming the layer and offset), on bad
// arguments (exit 2) and on an unreadable file (exit 3).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "mmssec/capture/pcap.hpp"
#include "mmssec/capture/synth.hpp"
#include "mmssec/core/bytes.hpp"

#ifndef MMSSEC_TOOL_PATH
#error "MMSSEC_TOOL_PATH must name the mmssec binary"
#endif

namespace mmssec {
namespace {

Bytes hex(std::string_view h) {
  auto b = from_hex(h);
  EXPECT_TRUE(b.ok()) << h;
  return b.ok() ? *b : Bytes{};
}

// TPKT + COTP CR / CC (22 octets each): 03 00 00 16 | 11 e0|d0 dst-ref src-ref class 0,
// tpdu-size 8192, called/calling TSAP 0001.
constexpr std::string_view kCr = "0300001611e00000000100c0010dc2020001c1020001";
constexpr std::string_view kCc = "0300001611d00001000100c0010dc2020001c1020001";
// TPKT (63) | DT EOT 02 f0 80 | session GT+DT 01 00 01 00 | presentation TD 61 32 30 30 02 01 03
// a0 2b | MMS Read of LD0/MMXU1$MX$TotW$mag$f, invokeID 1 (43 octets).
constexpr std::string_view kReadTpkt =
    "0300003f 02f080 01000100 6132 3030 020103 a02b"
    "a0290201 01a424a122a020301ea01ca11a1a034c44301a134d4d58553124 4d58 24546f745724 6d616724 66";

struct Outcome {
  int rc = -1;
  std::string out;
  std::string err;
};

std::string slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

/// A per-process scratch prefix: CTest runs these tests in parallel processes.
std::string scratch(const std::string& name) {
  return ::testing::TempDir() + "/mmssec_decode_" + std::to_string(::getpid()) + "_" + name;
}

Outcome run(const std::string& args, const std::string& stdin_text = {}) {
  const std::string out = scratch("out.txt");
  const std::string err = scratch("err.txt");
  std::string cmd = std::string(MMSSEC_TOOL_PATH) + " decode " + args + " >" + out + " 2>" + err;
  if (!stdin_text.empty()) {
    const std::string in = scratch("in.txt");
    std::ofstream(in) << stdin_text;
    cmd += " <" + in;
  }
  const int status = std::system(cmd.c_str());
  Outcome r;
  r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

std::string write_temp(const std::string& name, const Bytes& data) {
  const std::string path = scratch(name);
  EXPECT_TRUE(capture::write_file(path, data).ok());
  return path;
}

std::string association_pcap() {
  std::vector<capture::Message> m = {
      {capture::Direction::client_to_server, hex(kCr)},
      {capture::Direction::server_to_client, hex(kCc)},
      {capture::Direction::client_to_server, hex(kReadTpkt)},
  };
  auto pcap = capture::write_conversation(m);
  EXPECT_TRUE(pcap.ok());
  return write_temp("decode_cli_association.pcap", pcap.ok() ? *pcap : Bytes{});
}

TEST(DecodeCli, PcapConversationInCaptureOrder) {
  const Outcome r = run(association_pcap());
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_TRUE(r.err.empty()) << r.err;
  EXPECT_NE(r.out.find("conversation 1: 127.0.0.1:49152 -> 127.0.0.1:102"), std::string::npos) << r.out;
  const std::size_t cr = r.out.find("CR (connection request)");
  const std::size_t cc = r.out.find("CC (connection confirm)");
  const std::size_t read = r.out.find("service: read");
  ASSERT_NE(cr, std::string::npos) << r.out;
  ASSERT_NE(cc, std::string::npos) << r.out;
  ASSERT_NE(read, std::string::npos) << r.out;
  EXPECT_LT(cr, cc);
  EXPECT_LT(cc, read);
  EXPECT_NE(r.out.find("server -> client"), std::string::npos);
  EXPECT_NE(r.out.find("variable: LD0/MMXU1$MX$TotW$mag$f"), std::string::npos);
}

TEST(DecodeCli, PcapAsJson) {
  const Outcome r = run(association_pcap() + " --json");
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out.rfind("{\"conversations\":[{\"client\":\"127.0.0.1:49152\"", 0), 0U) << r.out;
  EXPECT_NE(r.out.find("\"value\":\"confirmed-RequestPDU\""), std::string::npos);
}

TEST(DecodeCli, PcapOnOtherPortIsSkipped) {
  const Outcome r = run(association_pcap() + " --port 3782");
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.out.find("no TCP conversation"), std::string::npos) << r.out;
}

TEST(DecodeCli, RawStreamFile) {
  Bytes stream = hex(kCr);
  const Bytes read = hex(kReadTpkt);
  stream.insert(stream.end(), read.begin(), read.end());
  const Outcome r = run(write_temp("decode_cli_stream.bin", stream) + " --no-offsets");
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out.rfind("TPKT stream: 85 octets, 2 TPKTs\n", 0), 0U) << r.out;
  EXPECT_NE(r.out.find("      Session: GT + DT (give tokens, data transfer)"), std::string::npos) << r.out;
}

TEST(DecodeCli, GarbageFileExitsOneNamingTpkt) {
  const Outcome r = run(write_temp("decode_cli_garbage.bin", hex("0400001611e0000000")));
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("error: tpkt: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(" at offset 0"), std::string::npos) << r.err;
}

TEST(DecodeCli, TruncatedAarqHexNamesAcseAndOffset) {
  const Outcome r = run("--hex 6003a10506 --layer acse");
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err, "error: acse: length exceeds remaining bytes (ber) at offset 3\n");
}

TEST(DecodeCli, HexFromStdin) {
  const Outcome r = run("--hex - --json", std::string(kCr) + "\n");
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.out.find("\"failures\":[]"), std::string::npos) << r.out;
}

TEST(DecodeCli, BadArgumentsExitTwo) {
  for (const char* args :
       {"", "--hex 00 somefile", "--hex 0x", "--hex 0300 --layer x509", "--hex 0300 --port abc",
        "--hex 0300 --port 70000", "--hex 0300 --frobnicate", "--hex 0300 --port 102"}) {
    const Outcome r = run(args);
    EXPECT_EQ(r.rc, 2) << "args: " << args << " stderr: " << r.err;
    EXPECT_EQ(r.err.rfind("error: ", 0), 0U) << args;
  }
}

TEST(DecodeCli, UnreadableFileExitsThree) {
  const Outcome r = run(::testing::TempDir() + "/does/not/exist.pcap");
  EXPECT_EQ(r.rc, 3);
  EXPECT_NE(r.err.find("cannot read"), std::string::npos) << r.err;
}

TEST(DecodeCli, HelpExplainsExitCodes) {
  const Outcome r = run("--help");
  EXPECT_EQ(r.rc, 0);
  EXPECT_NE(r.out.find("Exit codes"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace mmssec
