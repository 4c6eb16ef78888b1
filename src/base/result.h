#pragma once

#include <string>
#include <utility>
#include <variant>

namespace opencapf {

/// Why an operation failed, in words a person can act on.
struct Error {
  std::string message;
};

/// Either a value or the Error that prevented it (the LevelDB Status idea, with a payload).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}
  Result(Error error) : state_(std::move(error)) {}

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const { return std::get<Error>(state_); }
  const std::string& message() const { return error().message; }

 private:
  std::variant<T, Error> state_;
};

/// Success or an Error, for operations that produce nothing.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), failed_(true) {}

  static Status Ok() { return Status(); }
  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return error_; }
  const std::string& message() const { return error_.message; }

 private:
  Error error_;
  bool failed_ = false;
};

/// Builds an Error from a message.
inline Error Fail(std::string message) { return Error{std::move(message)}; }

/// Prefixes an error message with where it happened ("ITLFile.tlv: ...").
inline Error Context(const std::string& where, const Error& error) {
  return Error{where + ": " + error.message};
}

}  // namespace opencapf
