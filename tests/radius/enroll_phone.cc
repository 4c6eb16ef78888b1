// A phone that enrolls through a real CAPF session, for the shell tests: connects to CAPF over
// TCP+TLS, plays the phone's side (capf::RunPhoneSession: AUTH_RESPONSE with a null string,
// KEY_GEN_RESPONSE with a fresh key, STORE_CERT_RESPONSE OK), and writes the LSC it was given
// and its key as PEM.
//
//   enroll_phone HOST PORT DEVICE LSC.pem KEY.pem [KEYSPEC]
//
// Exit 0 with the files written; 1 when the session failed or gave no LSC (the reason on stderr).
#include <fstream>
#include <iostream>
#include <optional>
#include <string>

#include "capf/phone_session.h"
#include "net/asio.h"
#include "net/tls.h"

using namespace opencapf;

int main(int argc, char** argv) {
  if (argc < 6) {
    std::cerr << "usage: enroll_phone HOST PORT DEVICE LSC.pem KEY.pem [rsa:2048|ec:256...]\n";
    return 2;
  }
  const std::string host = argv[1];
  const auto port = static_cast<std::uint16_t>(std::stoi(argv[2]));
  const std::string device = argv[3];
  capf::PhoneScript script;
  if (argc > 6) {
    auto spec = pki::KeySpec::Parse(argv[6]);
    if (!spec.ok()) {
      std::cerr << spec.message() << "\n";
      return 2;
    }
    const pki::KeySpec wanted = *spec;
    script.make_key = [wanted](const pki::KeySpec&) { return pki::PrivateKey::Generate(wanted); };
  }
  asio::io_context io;
  auto ctx = net::MakeClientContext({});
  if (!ctx.ok()) {
    std::cerr << ctx.message() << "\n";
    return 1;
  }
  std::optional<Result<capf::PhoneOutcome>> result;
  const capf::PhoneCredentials credentials{device, "", {}, {}, {}, {}};
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        net::TlsStream stream(io, **ctx);
        const asio::ip::tcp::endpoint server(asio::ip::make_address(host), port);
        auto [ec] = co_await stream.lowest_layer().async_connect(server, net::kAwaitTuple);
        if (ec) {
          result = Fail("connect to " + host + ":" + std::to_string(port) + ": " + ec.message());
          co_return;
        }
        auto [hs] =
            co_await stream.async_handshake(asio::ssl::stream_base::client, net::kAwaitTuple);
        if (hs) {
          result = Fail("TLS handshake: " + hs.message());
          co_return;
        }
        result =
            co_await capf::RunPhoneSession(stream, credentials, script, std::chrono::seconds(30));
        asio::error_code ignored;
        stream.lowest_layer().close(ignored);
      },
      asio::detached);
  io.run();
  if (!result || !result->ok()) {
    std::cerr << "enroll_phone: " << device << ": "
              << (result ? result->message() : std::string("the session did not finish")) << "\n";
    return 1;
  }
  const capf::PhoneOutcome& outcome = **result;
  if (!outcome.lsc || !outcome.key) {
    std::cerr << "enroll_phone: " << device << ": no LSC was issued (END_SESSION reason "
              << (outcome.end ? static_cast<int>(outcome.end->reason) : -1) << ")\n";
    return 1;
  }
  std::ofstream(argv[4]) << outcome.lsc->ToPem();
  std::ofstream(argv[5]) << outcome.key->ToPem();
  std::cout << "enrolled " << device << ": LSC " << outcome.lsc->Subject() << ", issuer "
            << outcome.lsc->Issuer() << "\n";
  return 0;
}
