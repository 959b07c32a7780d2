// SPDX-License-Identifier: Apache-2.0
// Typed errors of the security-event module (only SyslogSink::open() can fail; emitting never
// fails visibly: a sink counts what it could not deliver).
#pragma once

#include <system_error>

namespace mmssec::events {

enum class Errc {
  invalid_target =
      1,          ///< syslog target: not a numeric IP literal, port 0, UNIX path too long, both kinds given
  socket_failed,  ///< the operating system refused to create the socket
};

}  // namespace mmssec::events

template <>
struct std::is_error_code_enum<mmssec::events::Errc> : std::true_type {};

namespace mmssec::events {

const std::error_category& events_category() noexcept;
inline std::error_code make_error_code(Errc e) noexcept { return {static_cast<int>(e), events_category()}; }

}  // namespace mmssec::events
