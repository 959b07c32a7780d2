// SPDX-License-Identifier: Apache-2.0
// TCP stream reassembly for captured traffic: segments in (in capture order), in-order payload
// bytes out, per connection and per direction. Retransmissions and overlaps are trimmed (the
// first copy of a byte wins); out-of-order segments wait, bounded per direction stream. This is
// an offline analyser for `mmssec decode` and tests, not a TCP implementation: it does not
// validate windows or acknowledgements.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

#include "mmssec/capture/errors.hpp"
#include "mmssec/capture/packet.hpp"
#include "mmssec/capture/pcap.hpp"
#include "mmssec/core/bytes.hpp"
#include "mmssec/core/result.hpp"

namespace mmssec::capture {

enum class Direction : std::uint8_t { client_to_server = 0, server_to_client = 1 };

/// ISO transport over TCP: 102 (RFC 1006) and 3782 (the same over TLS, IEC 62351-3/-4).
inline constexpr std::uint16_t kIsoTsapPort = 102;
inline constexpr std::uint16_t kIsoTsapTlsPort = 3782;

struct ReassemblyOptions {
  /// Out-of-order octets held per direction stream before the stream fails with
  /// Errc::stream_limit_exceeded (bounds memory against a capture with a permanent hole).
  std::size_t max_buffered_per_stream = std::size_t{4} << 20;
  /// Connections tracked at once (Errc::too_many_streams beyond).
  std::size_t max_connections = 4096;
  /// When neither side is seen opening the connection (no SYN captured), the side using one of
  /// these ports is the server; otherwise the first sender is taken to be the client.
  std::vector<std::uint16_t> server_ports{kIsoTsapPort, kIsoTsapTlsPort};
};

struct StreamState {
  bool started = false;           ///< next_seq is known
  std::uint32_t initial_seq = 0;  ///< sequence number of the stream's first octet
  std::uint32_t next_seq = 0;     ///< sequence number of the next in-order octet
  std::uint64_t delivered = 0;
  bool fin = false;
  std::map<std::uint64_t, Bytes> pending;  ///< stream offset → out-of-order octets
  std::size_t pending_bytes = 0;
};

struct Connection {
  Endpoint client;
  Endpoint server;
  bool syn_seen = false;  ///< the client's SYN was captured
  bool reset = false;
  StreamState streams[2];  ///< indexed by Direction
  [[nodiscard]] const StreamState& stream(Direction d) const { return streams[static_cast<int>(d)]; }
  [[nodiscard]] bool closed() const { return reset || (streams[0].fin && streams[1].fin); }
};

/// What one segment released: octets that became in order on one direction of one connection.
struct Delivery {
  std::size_t connection = 0;  ///< index into TcpReassembler::connections()
  Direction direction = Direction::client_to_server;
  Bytes data;  ///< may be empty (pure ACK, duplicate, or a segment waiting for a hole)
};

class TcpReassembler {
 public:
  explicit TcpReassembler(ReassemblyOptions options = {}) : options_(std::move(options)) {}

  /// Feed one segment. Errors: Errc::stream_limit_exceeded (offset = payload offset),
  /// Errc::too_many_streams. After an error the affected connection should be abandoned.
  [[nodiscard]] Result<Delivery> add(const TcpSegment& segment);

  [[nodiscard]] const std::vector<Connection>& connections() const noexcept { return connections_; }

 private:
  using Key = std::pair<Endpoint, Endpoint>;  // ordered (lower, higher)
  [[nodiscard]] Result<std::size_t> find_or_create(const TcpSegment& s);
  ReassemblyOptions options_;
  std::vector<Connection> connections_;
  std::map<Key, std::size_t> index_;
};

/// A reassembled conversation: both byte streams and the order in which pieces arrived.
struct Conversation {
  Endpoint client;
  Endpoint server;
  Bytes to_server;
  Bytes to_client;
  struct Chunk {
    Direction direction;
    std::size_t offset;  ///< in that direction's stream
    std::size_t size;
    std::size_t record;  ///< pcap record index that completed the chunk
  };
  std::vector<Chunk> chunks;
  bool closed = false;  ///< both FINs or a RST seen
  [[nodiscard]] const Bytes& stream(Direction d) const {
    return d == Direction::client_to_server ? to_server : to_client;
  }
};

struct ExtractOptions {
  ReaderOptions reader{};
  ReassemblyOptions reassembly{};
  /// Keep only conversations whose server port is listed; empty keeps all.
  std::vector<std::uint16_t> ports{kIsoTsapPort, kIsoTsapTlsPort};
  /// Total octets kept per direction of a conversation (Errc::stream_limit_exceeded beyond).
  std::size_t max_stream_bytes = std::size_t{64} << 20;
  /// Skip frames whose IP/TCP headers are malformed instead of failing the whole file.
  bool skip_malformed_frames = false;
};

/// Read a whole pcap image, parse every frame and reassemble every TCP conversation, in the
/// order connections first appear. Errors carry absolute offsets into `pcap_file`.
[[nodiscard]] Result<std::vector<Conversation>> extract_conversations(ByteView pcap_file,
                                                                      const ExtractOptions& options = {});

}  // namespace mmssec::capture
