// A small expected-like result type: either a value or an error, never both.
//
// C++17 has no std::expected; the auth, API and stream layers return Result<T, E> so callers
// can branch on failure without exceptions crossing the request path. Accessing the wrong
// alternative is a programming error (asserted through std::get).
#pragma once

#include <utility>
#include <variant>

namespace jobengine::host {

// Tag wrapper so Result<T, E> can be built from an error even when T and E are the same type.
template <typename E>
struct Failure {
  E error;
};

template <typename E>
Failure<std::decay_t<E>> fail(E&& error) {
  return Failure<std::decay_t<E>>{std::forward<E>(error)};
}

template <typename T, typename E>
class Result {
 public:
  Result(T value)
      : data_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Failure<E> failure)                                // NOLINT: implicit by design
      : data_(std::in_place_index<1>, std::move(failure.error)) {}

  bool ok() const { return data_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(data_); }
  const T& value() const& { return std::get<0>(data_); }
  T&& value() && { return std::get<0>(std::move(data_)); }
  const E& error() const { return std::get<1>(data_); }

  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, E> data_;
};

}  // namespace jobengine::host
