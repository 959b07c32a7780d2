// SPDX-License-Identifier: Apache-2.0
// The "acse" error category.
#include <string>

#include "mmssec/acse/acse.hpp"

namespace mmssec::acse {
namespace {

class AcseCategory final : public std::error_category {
 public:
  [[nodiscard]] const char* name() const noexcept override { return "acse"; }
  [[nodiscard]] std::string message(int ev) const override {
    switch (static_cast<Errc>(ev)) {
      case Errc::unknown_apdu: return "unknown ACSE APDU";
      case Errc::missing_field: return "mandatory ACSE field missing";
      case Errc::unexpected_field: return "unexpected or out-of-order ACSE field";
      case Errc::bad_choice: return "unknown CHOICE alternative";
      case Errc::value_out_of_range: return "value outside its named range";
      case Errc::unsupported_version: return "protocol-version does not include version1";
      case Errc::too_many_user_information: return "too many user-information EXTERNALs";
      case Errc::authentication_value_too_large:
        return "authentication value larger than the configured limit";
      case Errc::unexpected_apdu: return "APDU not allowed in the current association state";
      case Errc::invalid_state: return "request not allowed in the current association state";
    }
    return "acse error " + std::to_string(ev);
  }
};

}  // namespace

const std::error_category& acse_category() noexcept {
  static const AcseCategory cat;
  return cat;
}

}  // namespace mmssec::acse
