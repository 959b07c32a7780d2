// SPDX-License-Identifier: Apache-2.0
// Typed errors of the MMS endpoints (server and client over the network). Each error carries a
// readable detail where the code alone would not tell the user enough: the ACSE result and
// diagnostic of a refused association, the MMS error class and code of a ServiceError, the
// reject reason of a RejectPDU.
#pragma once

#include <string>
#include <system_error>

#include "mmssec/core/error.hpp"

namespace mmssec::endpoint {

enum class Errc {
  association_rejected = 1,  ///< the server refused the association (AARE rejected, or below ACSE)
  aborted,                   ///< the association was aborted (by the peer, or after a protocol error)
  service_error,             ///< the server answered a request with an MMS ServiceError
  rejected,                  ///< the server answered a request with an MMS RejectPDU
  access_error,              ///< a Read/Write result for one variable was a DataAccessError
  timeout,                   ///< connect, association, request or release took too long
  closed,                    ///< the connection is closed (by the peer or locally)
  invalid_state,             ///< the call is not allowed now (not associated, already released, ...)
  invalid_argument,          ///< a reference or value the client cannot use
  protocol_error,            ///< the peer sent something undecodable or out of sequence
  connect_failed,            ///< resolving or connecting failed (detail says why)
  initiate_refused,          ///< the MMS Initiate was refused (Initiate-ErrorPDU)
};

}  // namespace mmssec::endpoint

template <>
struct std::is_error_code_enum<mmssec::endpoint::Errc> : std::true_type {};

namespace mmssec::endpoint {

/// Category name "endpoint".
const std::error_category& endpoint_category() noexcept;
inline std::error_code make_error_code(Errc e) noexcept { return {static_cast<int>(e), endpoint_category()}; }

/// An endpoint failure: a code to branch on and a readable detail for people, e.g.
/// {association_rejected, "rejected-permanent: authentication-failure"} or
/// {service_error, "access: object-non-existent"}.
struct Failure {
  std::error_code code;
  std::string detail;

  Failure() = default;
  Failure(std::error_code c, std::string d = {}) : code(c), detail(std::move(d)) {}  // NOLINT
  template <class E, class = std::enable_if_t<std::is_error_code_enum_v<E>>>
  Failure(E e, std::string d = {}) : code(make_error_code(e)), detail(std::move(d)) {}  // NOLINT
  /// "association refused: rejected-permanent: authentication-failure"
  [[nodiscard]] std::string describe() const;
};

}  // namespace mmssec::endpoint
