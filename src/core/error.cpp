// SPDX-License-Identifier: Apache-2.0
#include "mmssec/core/error.hpp"

#include <string>

namespace mmssec {
namespace {

class CoreCategory final : public std::error_category {
 public:
  [[nodiscard]] const char* name() const noexcept override { return "core"; }
  [[nodiscard]] std::string message(int ev) const override {
    switch (static_cast<CoreErrc>(ev)) {
      case CoreErrc::truncated: return "truncated: fewer bytes than the field needs";
      case CoreErrc::trailing_data: return "trailing bytes after a complete element";
      case CoreErrc::limit_exceeded: return "configured limit exceeded";
      case CoreErrc::invalid_argument: return "invalid argument";
      case CoreErrc::need_more: return "more input needed";
    }
    return "unknown core error";
  }
};

}  // namespace

const std::error_category& core_category() noexcept {
  static const CoreCategory cat;
  return cat;
}

std::string Error::describe() const {
  std::string s = code.category().name();
  s += ": ";
  s += code.message();
  s += " at offset ";
  s += std::to_string(offset);
  return s;
}

}  // namespace mmssec
