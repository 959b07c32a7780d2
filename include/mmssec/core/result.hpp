// SPDX-License-Identifier: Apache-2.0
// A [[nodiscard]] result type: either a value or an Error. No exceptions are used for
// malformed input anywhere in the stack.
#pragma once

#include <cassert>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

#include "mmssec/core/error.hpp"

namespace mmssec {

template <class T>
class [[nodiscard]] Result {
 public:
  using value_type = T;

  Result(const T& v) : v_(std::in_place_index<0>, v) {}          // NOLINT(google-explicit-constructor)
  Result(T&& v) : v_(std::in_place_index<0>, std::move(v)) {}    // NOLINT(google-explicit-constructor)
  Result(Error e) : v_(std::in_place_index<1>, std::move(e)) {}  // NOLINT(google-explicit-constructor)
  template <class E, class = std::enable_if_t<std::is_error_code_enum_v<E>>>
  Result(E e) : v_(std::in_place_index<1>, Error(e)) {}  // NOLINT(google-explicit-constructor)
  template <class U,
            class = std::enable_if_t<std::is_constructible_v<T, U&&> && !std::is_same_v<std::decay_t<U>, T> &&
                                     !std::is_same_v<std::decay_t<U>, Error> &&
                                     !std::is_error_code_enum_v<std::decay_t<U>>>>
  Result(U&& u) : v_(std::in_place_index<0>, T(std::forward<U>(u))) {}  // NOLINT(google-explicit-constructor)

  [[nodiscard]] bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  T& value() & {
    assert(ok());
    return *std::get_if<0>(&v_);
  }
  const T& value() const& {
    assert(ok());
    return *std::get_if<0>(&v_);
  }
  T&& value() && {
    assert(ok());
    return std::move(*std::get_if<0>(&v_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  [[nodiscard]] const Error& error() const {
    assert(!ok());
    return *std::get_if<1>(&v_);
  }

 private:
  std::variant<T, Error> v_;
};

/// Result of an operation that yields no value. Success is an empty optional: constructing,
/// copying and testing an ok Status never touches std::error_code (whose default constructor
/// calls std::system_category()), so hot decode paths pay only for a flag.
class [[nodiscard]] Status {
 public:
  Status() noexcept = default;
  Status(Error e) noexcept : err_(e) {}  // NOLINT(google-explicit-constructor)
  template <class E, class = std::enable_if_t<std::is_error_code_enum_v<E>>>
  Status(E e) : err_(Error(e)) {}  // NOLINT(google-explicit-constructor)

  [[nodiscard]] bool ok() const noexcept { return !err_.has_value(); }
  explicit operator bool() const noexcept { return ok(); }
  [[nodiscard]] const Error& error() const {
    assert(!ok());
    if (err_) return *err_;
    static const Error kNoError{};  // misuse in a release build stays defined, as before
    return kNoError;
  }

 private:
  std::optional<Error> err_;
};

inline Status ok_status() { return {}; }

}  // namespace mmssec

#define MMSSEC_CONCAT_INNER(a, b) a##b
#define MMSSEC_CONCAT(a, b) MMSSEC_CONCAT_INNER(a, b)

/// Propagate a failed Status/Result: MMSSEC_TRY(writer.check());
#define MMSSEC_TRY(expr)                                  \
  do {                                                    \
    auto&& mmssec_try_tmp_ = (expr);                      \
    if (!mmssec_try_tmp_) return mmssec_try_tmp_.error(); \
  } while (false)

/// Bind the value of a Result or propagate its error: MMSSEC_TRY_ASSIGN(auto x, r.read_u8());
#define MMSSEC_TRY_ASSIGN(lhs, expr)                                                              \
  auto MMSSEC_CONCAT(mmssec_res_, __LINE__) = (expr);                                             \
  if (!MMSSEC_CONCAT(mmssec_res_, __LINE__)) return MMSSEC_CONCAT(mmssec_res_, __LINE__).error(); \
  lhs = std::move(*MMSSEC_CONCAT(mmssec_res_, __LINE__))
