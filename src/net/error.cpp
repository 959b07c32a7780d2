// SPDX-License-Identifier: Apache-2.0
// The "net" error category and the mapping from operating-system socket errors.
#include "mmssec/net/error.hpp"

#include <string>

#include "net_internal.hpp"

namespace mmssec::net {
namespace {

class NetCategory final : public std::error_category {
 public:
  [[nodiscard]] const char* name() const noexcept override { return "net"; }
  [[nodiscard]] std::string message(int ev) const override {
    switch (static_cast<Errc>(ev)) {
      case Errc::refused: return "connection refused";
      case Errc::timeout: return "operation timed out";
      case Errc::resolve_failed: return "host could not be resolved";
      case Errc::closed: return "connection closed";
      case Errc::io: return "socket error";
      case Errc::bind_failed: return "cannot bind or listen on the address";
      case Errc::invalid_state: return "operation not valid in the server's current state";
    }
    return "unknown net error";
  }
};

}  // namespace

const std::error_category& net_category() noexcept {
  static const NetCategory cat;
  return cat;
}

namespace detail {

Errc classify(const std::error_code& ec) noexcept {
  if (ec == asio::error::connection_refused) return Errc::refused;
  if (ec == asio::error::timed_out) return Errc::timeout;
  if (ec == asio::error::eof || ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
      ec == asio::error::connection_aborted || ec == asio::error::not_connected ||
      ec == asio::error::bad_descriptor || ec == asio::error::shut_down) {
    return Errc::closed;
  }
  if (ec == asio::error::host_not_found || ec == asio::error::host_not_found_try_again ||
      ec == asio::error::no_data || ec == asio::error::service_not_found) {
    return Errc::resolve_failed;
  }
  return Errc::io;
}

}  // namespace detail
}  // namespace mmssec::net
