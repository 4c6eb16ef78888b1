#include "net/raw_tls_client.h"

#include <asio/ssl.hpp>

#include <optional>

#include "net/asio.h"
#include "net/tls.h"

namespace opencapf::net::testing {

Result<RawResult> RawExchange(std::uint16_t port, const Bytes& bytes,
                              std::chrono::milliseconds pause_per_byte, std::size_t expect,
                              std::chrono::milliseconds wait) {
  asio::io_context io;
  auto ctx = MakeClientContext({});
  if (!ctx.ok()) return ctx.error();
  // Shared by the writer and the reader coroutine; they live until io.run() returns.
  asio::ssl::stream<asio::ip::tcp::socket> stream(io, **ctx);
  RawResult result;
  bool closed = false;
  bool we_closed = false;
  std::optional<Status> connected;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        asio::ip::tcp::endpoint server(asio::ip::make_address("127.0.0.1"), port);
        auto [ec] = co_await stream.lowest_layer().async_connect(server, kAwaitTuple);
        if (ec) {
          connected = Fail("connect: " + ec.message());
          co_return;
        }
        auto [hs] = co_await stream.async_handshake(asio::ssl::stream_base::client, kAwaitTuple);
        if (hs) {
          connected = Fail("handshake: " + hs.message());
          co_return;
        }
        connected = Status::Ok();
        // Read whatever the server says, concurrently with our writes, until it closes.
        asio::co_spawn(
            io,
            [&]() -> asio::awaitable<void> {
              std::uint8_t buf[4096];
              while (true) {
                auto [rec, n] = co_await stream.async_read_some(asio::buffer(buf), kAwaitTuple);
                result.received.insert(result.received.end(), buf, buf + n);
                if (rec) break;
              }
              closed = true;
              result.server_closed = !we_closed;
            },
            asio::detached);
        if (pause_per_byte.count() == 0) {
          (void)co_await asio::async_write(stream, asio::buffer(bytes), kAwaitTuple);
        } else {
          for (std::uint8_t b : bytes) {
            if (closed) break;
            auto [wec, wn] = co_await asio::async_write(stream, asio::buffer(&b, 1), kAwaitTuple);
            if (wec) break;
            asio::steady_timer pause(io, pause_per_byte);
            co_await pause.async_wait(kAwaitTuple);
          }
        }
        const auto deadline = std::chrono::steady_clock::now() + wait;
        while (!closed && std::chrono::steady_clock::now() < deadline &&
               (expect == 0 || result.received.size() < expect)) {
          asio::steady_timer tick(io, std::chrono::milliseconds(20));
          co_await tick.async_wait(kAwaitTuple);
        }
        we_closed = true;
        asio::error_code ignored;
        stream.lowest_layer().close(ignored);
      },
      asio::detached);
  io.run();
  if (!connected) return Fail("the raw session did not start");
  if (!connected->ok()) return connected->error();
  return result;
}

}  // namespace opencapf::net::testing
