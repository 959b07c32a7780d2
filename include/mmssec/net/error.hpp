// SPDX-License-Identifier: Apache-2.0
// Typed errors of the network I/O adapter (net::Server, net::Client). Socket-level failures
// reported by the operating system are folded into these few classes so that callers can react
// without knowing Asio; the adapter never throws for a network condition.
#pragma once

#include <system_error>

namespace mmssec::net {

enum class Errc {
  refused = 1,     ///< the peer actively refused the TCP connection (nothing listens there)
  timeout,         ///< the operation did not complete within the given time
  resolve_failed,  ///< the host is neither an IP literal nor a name that resolves
  closed,          ///< the connection is closed (by the peer, by a reset, or locally)
  io,              ///< any other socket error
  bind_failed,     ///< Server::start(): the address could not be bound or listened on
  invalid_state,   ///< Server::start() called twice, or after stop()
};

}  // namespace mmssec::net

template <>
struct std::is_error_code_enum<mmssec::net::Errc> : std::true_type {};

namespace mmssec::net {

const std::error_category& net_category() noexcept;
inline std::error_code make_error_code(Errc e) noexcept { return {static_cast<int>(e), net_category()}; }

}  // namespace mmssec::net
