// SPDX-License-Identifier: Apache-2.0
// The "events" error category.
#include "mmssec/events/error.hpp"

#include <string>

namespace mmssec::events {
namespace {

class EventsCategory final : public std::error_category {
 public:
  [[nodiscard]] const char* name() const noexcept override { return "events"; }
  [[nodiscard]] std::string message(int ev) const override {
    switch (static_cast<Errc>(ev)) {
      case Errc::invalid_target: return "invalid syslog target";
      case Errc::socket_failed: return "cannot create the syslog socket";
    }
    return "unknown events error";
  }
};

}  // namespace

const std::error_category& events_category() noexcept {
  static const EventsCategory cat;
  return cat;
}

}  // namespace mmssec::events
