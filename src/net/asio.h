#pragma once

// Asio as the project uses it: standalone, C++20 coroutines, errors as values.
#include <asio.hpp>
#include <asio/experimental/as_tuple.hpp>

namespace opencapf::net {

/// Completion token for `co_await op(..., kAwaitTuple)`: yields (error_code, results...) instead
/// of throwing, so a peer's misbehaviour is a value the session handles.
inline constexpr auto kAwaitTuple = asio::experimental::as_tuple(asio::use_awaitable);

}  // namespace opencapf::net
