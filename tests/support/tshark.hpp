// SPDX-License-Identifier: Apache-2.0
// tshark as an oracle: hand it our PDUs inside a synthetic but valid TCP conversation and ask
// whether Wireshark's dissectors (TPKT, COTP, session, presentation, ACSE, MMS) find anything
// malformed, and what they decoded. A missing tshark is a failure (ran == false with a clear
// message), never a silent skip: CI installs it.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mmssec/capture/synth.hpp"

namespace mmssec::test_support {

struct TsharkOptions {
  /// Fields extracted per frame (-T fields -e ...), e.g. "mms.invokeID", "acse.mechanism_name".
  std::vector<std::string> fields;
  /// Display filter for the field pass (-Y); empty means every frame.
  std::string display_filter;
  /// How the pcap is synthesised (link type, ports, MSS, ...). A server port other than 102
  /// is mapped to TPKT with "decode as".
  capture::ConversationOptions conversation;
  /// Extra preferences, "name:value" (passed as -o).
  std::vector<std::string> preferences;
  /// Verify IPv4 and TCP checksums; a bad one is an error-severity expert item.
  bool check_checksums = true;
  /// Also collect the full packet details (-V) in TsharkReport::details.
  bool details = false;
  std::chrono::seconds timeout{60};
  /// Keep the temporary directory (also with the environment variable MMSSEC_KEEP_TSHARK_FILES).
  bool keep_files = false;
};

struct TsharkFrame {
  std::uint32_t number = 0;
  /// Field name → every occurrence in the frame, in dissection order.
  std::map<std::string, std::vector<std::string>> fields;
};

struct TsharkReport {
  bool ran = false;   ///< tshark started and exited with status 0 within the timeout
  std::string error;  ///< why not: missing binary, timeout, exit status and stderr
  /// Frames carrying _ws.malformed or an expert item of severity "error".
  std::vector<std::uint32_t> malformed_frames;
  /// The expert messages of those frames ("frame 6: BER Error: ...").
  std::vector<std::string> problems;
  std::vector<TsharkFrame> frames;  ///< result of the field pass
  std::string summary;              ///< one line per frame (tshark's default output)
  std::string details;              ///< -V output when requested
  std::string pcap_path;            ///< the file handed to tshark (deleted unless kept)

  /// True when tshark ran and flagged nothing.
  [[nodiscard]] bool clean() const { return ran && malformed_frames.empty(); }
  /// Every value of `field` across all frames of the field pass, in frame order.
  [[nodiscard]] std::vector<std::string> values(std::string_view field) const;
  /// True when `field` occurred at least once.
  [[nodiscard]] bool has(std::string_view field) const { return !values(field).empty(); }
  /// A multi-line explanation for test failure messages.
  [[nodiscard]] std::string describe() const;
};

/// $MMSSEC_TSHARK if set, otherwise /usr/bin/tshark.
[[nodiscard]] std::string tshark_path();

/// Write `messages` as a pcap (capture::write_conversation) to a temporary file and run tshark.
[[nodiscard]] TsharkReport run_tshark(std::span<const capture::Message> messages,
                                      const TsharkOptions& options = {});

/// Run tshark on an existing capture file (options.conversation only supplies the port).
[[nodiscard]] TsharkReport run_tshark_file(const std::string& pcap_path, const TsharkOptions& options = {});

}  // namespace mmssec::test_support
