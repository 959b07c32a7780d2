// SPDX-License-Identifier: Apache-2.0
#include "mmssec/endpoint/error.hpp"

namespace mmssec::endpoint {

namespace {
class Category final : public std::error_category {
 public:
  [[nodiscard]] const char* name() const noexcept override { return "endpoint"; }
  [[nodiscard]] std::string message(int c) const override {
    switch (static_cast<Errc>(c)) {
      case Errc::association_rejected: return "association refused";
      case Errc::aborted: return "association aborted";
      case Errc::service_error: return "MMS service error";
      case Errc::rejected: return "MMS request rejected";
      case Errc::access_error: return "MMS data access error";
      case Errc::timeout: return "timed out";
      case Errc::closed: return "connection closed";
      case Errc::invalid_state: return "not allowed in this state";
      case Errc::invalid_argument: return "invalid argument";
      case Errc::protocol_error: return "protocol error";
      case Errc::connect_failed: return "connection failed";
      case Errc::initiate_refused: return "MMS initiate refused";
    }
    return "unknown endpoint error";
  }
};
}  // namespace

const std::error_category& endpoint_category() noexcept {
  static const Category c;
  return c;
}

std::string Failure::describe() const {
  std::string out = code.message();
  if (!detail.empty()) {
    out += ": ";
    out += detail;
  }
  return out;
}

}  // namespace mmssec::endpoint
