// SPDX-License-Identifier: Apache-2.0
// Regenerates the committed sample artifacts from the library itself, so they are reproducible:
//   samples/association.pcap         a complete MMS association on loopback port 102 (the demo input)
//   fuzz/corpus/server_association/  client byte streams for the server-association fuzz target
// Usage: mmssec_make_samples <repository root>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "scenario.hpp"

using namespace mmssec;

namespace {
bool write(const std::filesystem::path& p, ByteView data) {
  std::ofstream f(p, std::ios::binary);
  f.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));  // NOLINT
  return static_cast<bool>(f);
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <repository root>\n", argv[0]);
    return 2;
  }
  const std::filesystem::path root = argv[1];
  auto scenario = samples::run_sample_association();
  if (!scenario) {
    std::fprintf(stderr, "sample association failed: %s\n", scenario.error().describe().c_str());
    return 1;
  }
  auto pcap = capture::write_conversation(scenario->messages);
  if (!pcap) {
    std::fprintf(stderr, "cannot write the capture: %s\n", pcap.error().describe().c_str());
    return 1;
  }
  bool ok = write(root / "samples" / "association.pcap", *pcap);

  // Fuzz seeds: first byte = chunk size - 1, then the client's byte stream.
  const std::filesystem::path corpus = root / "fuzz" / "corpus" / "server_association";
  std::filesystem::create_directories(corpus);
  auto seed = [&](const char* name, std::uint8_t chunk, const Bytes& stream) {
    Bytes s{chunk};
    s.insert(s.end(), stream.begin(), stream.end());
    ok = write(corpus / name, s) && ok;
  };
  seed("handshake_whole", 255, scenario->handshake_client_stream);
  seed("handshake_bytewise", 0, scenario->handshake_client_stream);
  seed("full_session", 255, scenario->client_stream);
  seed("full_session_chunk7", 6, scenario->client_stream);
  std::printf("wrote %s and %s\n", (root / "samples" / "association.pcap").c_str(), corpus.c_str());
  return ok ? 0 : 1;
}
