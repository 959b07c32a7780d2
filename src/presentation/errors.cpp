// SPDX-License-Identifier: Apache-2.0
#include <string>

#include "mmssec/presentation/ppdu.hpp"

namespace mmssec::presentation {
namespace {

class PresentationCategory final : public std::error_category {
 public:
  [[nodiscard]] const char* name() const noexcept override { return "presentation"; }
  [[nodiscard]] std::string message(int ev) const override {
    switch (static_cast<Errc>(ev)) {
      case Errc::unknown_ppdu: return "unrecognized PPDU";
      case Errc::unsupported_mode: return "presentation mode other than normal mode";
      case Errc::missing_parameter: return "mandatory PPDU parameter missing";
      case Errc::unexpected_parameter: return "unexpected or unrecognized PPDU parameter";
      case Errc::bad_parameter_value: return "invalid PPDU parameter value";
      case Errc::bad_context_id: return "invalid presentation-context-identifier";
      case Errc::duplicate_context_id: return "duplicate presentation-context-identifier";
      case Errc::unknown_context_id: return "presentation context not in the defined context set";
      case Errc::bad_pdv: return "malformed presentation data value";
      case Errc::too_many_contexts: return "more presentation contexts than the configured limit";
      case Errc::too_many_transfer_syntaxes: return "more transfer syntaxes than the configured limit";
      case Errc::too_many_pdvs: return "more PDV-lists than the configured limit";
      case Errc::acse_not_acceptable: return "ACSE presentation context not acceptable";
      case Errc::unexpected_ppdu: return "PPDU or session event not allowed in this state";
      case Errc::invalid_state: return "request not allowed in this state";
      case Errc::simply_encoded_data: return "simply-encoded-data not supported";
      case Errc::protocol_version_not_supported: return "presentation protocol version 1 not offered";
    }
    return "presentation error " + std::to_string(ev);
  }
};

}  // namespace

const std::error_category& presentation_category() noexcept {
  static const PresentationCategory cat;
  return cat;
}

}  // namespace mmssec::presentation
