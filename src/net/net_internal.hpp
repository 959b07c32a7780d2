// SPDX-License-Identifier: Apache-2.0
// Private to src/net/: the one place that includes Asio for the net layer's sources.
#pragma once

#ifndef ASIO_STANDALONE
#define ASIO_STANDALONE
#endif
#ifndef ASIO_NO_DEPRECATED
#define ASIO_NO_DEPRECATED
#endif
#include <asio.hpp>
#include <system_error>

#include "mmssec/net/error.hpp"

namespace mmssec::net::detail {

/// Fold an operating-system / Asio error into the few classes callers react to.
[[nodiscard]] Errc classify(const std::error_code& ec) noexcept;

}  // namespace mmssec::net::detail
