// SPDX-License-Identifier: Apache-2.0
#include <string>

#include "mmssec/session/session.hpp"

namespace mmssec::session {
namespace {

class SessionCategory final : public std::error_category {
 public:
  [[nodiscard]] const char* name() const noexcept override { return "session"; }
  [[nodiscard]] std::string message(int ev) const override {
    switch (static_cast<Errc>(ev)) {
      case Errc::truncated: return "SPDU header or length indicator truncated";
      case Errc::spdu_length_overflow: return "SPDU length exceeds the TSDU";
      case Errc::parameter_length_overflow: return "parameter length exceeds the enclosing unit";
      case Errc::bad_parameter_length: return "parameter length not allowed for this parameter";
      case Errc::bad_parameter_value: return "parameter value not allowed";
      case Errc::duplicate_parameter: return "parameter present more than once";
      case Errc::missing_parameter: return "mandatory parameter missing";
      case Errc::unexpected_parameter: return "parameter not allowed in this SPDU or group";
      case Errc::nested_group: return "parameter group nested in a parameter group";
      case Errc::too_many_parameters: return "too many parameters (Limits::session_max_parameters)";
      case Errc::user_data_limit: return "user data exceeds Limits::session_max_user_data";
      case Errc::user_data_too_long: return "user data too long for this form or protocol version";
      case Errc::extended_user_data_requires_v2: return "extended user data requires protocol version 2";
      case Errc::segmentation_unsupported: return "segmented SSDU (enclosure item) not supported";
      case Errc::unsupported_spdu: return "SPDU type not supported";
      case Errc::bad_concatenation: return "invalid SPDU concatenation";
      case Errc::trailing_data: return "bytes after a complete SPDU";
      case Errc::empty_tsdu: return "empty TSDU";
      case Errc::unexpected_spdu: return "SPDU not allowed in the current state";
      case Errc::invalid_state: return "request not allowed in the current state";
      case Errc::version_not_supported: return "no common session protocol version";
      case Errc::functional_unit_not_supported: return "duplex functional unit not offered";
      case Errc::invalid_argument: return "value cannot be encoded";
    }
    return "unknown session error";
  }
};

}  // namespace

const std::error_category& session_category() noexcept {
  static const SessionCategory cat;
  return cat;
}

}  // namespace mmssec::session
