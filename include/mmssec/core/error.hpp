// SPDX-License-Identifier: Apache-2.0
// Typed errors: one enum class per layer, each registered as a std::error_category,
// carried in an Error together with the absolute byte offset where the problem was found.
#pragma once

#include <cstddef>
#include <string>
#include <system_error>

namespace mmssec {

/// Errors of the core byte cursor and of generic argument checks.
enum class CoreErrc {
  truncated = 1,     ///< fewer bytes remain than the field needs
  trailing_data,     ///< bytes left over after a complete message
  limit_exceeded,    ///< a configured limit (see Limits) was hit
  invalid_argument,  ///< a caller passed a value the encoder cannot represent
  need_more,         ///< streaming decoder: not an error, more input is required
};

}  // namespace mmssec

template <>
struct std::is_error_code_enum<mmssec::CoreErrc> : std::true_type {};

namespace mmssec {

const std::error_category& core_category() noexcept;

inline std::error_code make_error_code(CoreErrc e) noexcept { return {static_cast<int>(e), core_category()}; }

/// A decode or encode failure: what went wrong and where (absolute offset in the
/// outermost buffer handed to the decoder, so tools can point at the failing byte).
struct Error {
  std::error_code code;
  std::size_t offset = 0;

  Error() = default;
  Error(std::error_code c, std::size_t off = 0)
      : code(c), offset(off) {}  // NOLINT(google-explicit-constructor)
  template <class E, class = std::enable_if_t<std::is_error_code_enum_v<E>>>
  Error(E e, std::size_t off = 0)
      : code(make_error_code(e)), offset(off) {}  // NOLINT(google-explicit-constructor)

  /// "ber: length exceeds remaining bytes at offset 12"
  [[nodiscard]] std::string describe() const;
  friend bool operator==(const Error& a, const Error& b) noexcept { return a.code == b.code; }
};

}  // namespace mmssec
