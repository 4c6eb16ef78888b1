// The least a TVS server can do on this TLS stack, for bench/capf_bench.sh to measure opencapf's
// TVS against in the same run: accept, TLS handshake (OpenSSL, the same server context opencapf
// makes), read one VERIFY_REQUEST, answer "valid" without looking anything up, close. No store,
// no trust list, no log, no timers: what is left is the handshake and the socket.
//
// usage: tvs_floor_server CERT.pem KEY.pem   (prints "listening on 127.0.0.1:PORT")
#include <cstdio>
#include <iostream>

#include "net/asio.h"
#include "net/message_channel.h"
#include "net/tls.h"
#include "pki/certificate.h"
#include "pki/private_key.h"
#include "tvs/message.h"

namespace {

using namespace opencapf;

asio::awaitable<void> Serve(asio::ip::tcp::socket socket, asio::ssl::context& tls) {
  asio::error_code ignored;
  socket.set_option(asio::ip::tcp::no_delay(true), ignored);
  net::TlsStream stream(std::move(socket), tls);
  auto [handshake] =
      co_await stream.async_handshake(asio::ssl::stream_base::server, net::kAwaitTuple);
  if (handshake) co_return;
  net::MessageChannel<tvs::Framing> channel(stream, "the client");
  auto request = co_await channel.Read(std::chrono::seconds(10), "a VERIFY_REQUEST");
  if (!request.ok()) co_return;
  auto reply = tvs::MakeVerifyResponse(request->session_id,
                                       tvs::VerifyResponse{tvs::Verdict::kValid, {1}, 86400},
                                       tvs::ResponseTo(request->command));
  if (!reply.ok()) co_return;
  const tvs::Message answer = std::move(*reply);
  (void)co_await channel.Write(answer, std::chrono::seconds(10));
  stream.lowest_layer().close(ignored);
}

asio::awaitable<void> Accept(asio::ip::tcp::acceptor& acceptor, asio::ssl::context& tls) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(net::kAwaitTuple);
    if (ec) co_return;
    asio::co_spawn(acceptor.get_executor(), Serve(std::move(socket), tls), asio::detached);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: tvs_floor_server CERT.pem KEY.pem\n";
    return 2;
  }
  auto cert = pki::Certificate::Load(argv[1]);
  auto key = pki::PrivateKey::Load(argv[2]);
  if (!cert.ok() || !key.ok()) {
    std::cerr << "tvs_floor_server: " << (cert.ok() ? key.message() : cert.message()) << "\n";
    return 1;
  }
  auto tls = net::MakeServerContext(*cert, *key, {}, {});
  if (!tls.ok()) {
    std::cerr << "tvs_floor_server: " << tls.message() << "\n";
    return 1;
  }
  asio::io_context io(1);
  asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  std::printf("listening on 127.0.0.1:%u\n", acceptor.local_endpoint().port());
  std::fflush(stdout);
  asio::co_spawn(io, Accept(acceptor, **tls), asio::detached);
  io.run();
}
