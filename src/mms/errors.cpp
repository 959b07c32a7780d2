// SPDX-License-Identifier: Apache-2.0
#include <string>

#include "mmssec/mms/data.hpp"

namespace mmssec::mms {
namespace {

class MmsCategory final : public std::error_category {
 public:
  [[nodiscard]] const char* name() const noexcept override { return "mms"; }
  [[nodiscard]] std::string message(int ev) const override {
    switch (static_cast<Errc>(ev)) {
      case Errc::bad_pdu: return "malformed MMS PDU";
      case Errc::unknown_service: return "unknown MMS service";
      case Errc::bad_data: return "malformed Data value";
      case Errc::bad_type_spec: return "malformed TypeSpecification";
      case Errc::bad_identifier: return "invalid Identifier";
      case Errc::bad_object_name: return "invalid ObjectName";
      case Errc::depth_exceeded: return "Data nesting depth limit exceeded";
      case Errc::too_many_elements: return "too many list elements";
      case Errc::string_too_long: return "string longer than the configured limit";
      case Errc::bad_invoke_id: return "invalid invokeID";
      case Errc::value_out_of_range: return "INTEGER value out of range for its type";
      case Errc::unsupported_choice: return "unsupported CHOICE alternative";
    }
    return "mms error " + std::to_string(ev);
  }
};

}  // namespace

const std::error_category& mms_category() noexcept {
  static const MmsCategory cat;
  return cat;
}

}  // namespace mmssec::mms
