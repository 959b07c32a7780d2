// SPDX-License-Identifier: Apache-2.0
// The sample association: an IEC 61850 client and server, both mmssec stack::Associations wired
// back to back in memory, exchanging Initiate, Identify, GetNameList, Read, Write, an
// InformationReport, Conclude and an orderly release. Used by samples/make_samples.cpp (the
// committed samples/association.pcap and fuzz seeds) and by the tshark integration test.
#pragma once

#include <vector>

#include "mmssec/capture/synth.hpp"
#include "mmssec/core/result.hpp"

namespace mmssec::samples {

struct Scenario {
  std::vector<capture::Message> messages;  ///< every TCP payload, both directions, in order
  Bytes handshake_client_stream;           ///< what the client sent until it was associated
  Bytes client_stream;                     ///< everything the client sent
};

/// Run the sample association. Fails if any step does not reach the expected state.
Result<Scenario> run_sample_association();

}  // namespace mmssec::samples
