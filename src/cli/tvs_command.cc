// `opencapf tvs query`: ask a TVS server about a certificate the way a phone does, and print
// its answer. Exit codes: 0 valid, 1 invalid, 2 the question could not be asked or answered
// (unreadable certificate, bad address, connection or TLS failure, a server that is not the
// --tvs-cert one, a malformed answer).
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "cli/command.h"
#include "pki/certificate.h"
#include "tlv/trust_list.h"
#include "tvs/client.h"
#include "tvs/trust.h"

namespace opencapf::cli {

namespace {

constexpr int kValid = 0;
constexpr int kInvalid = 1;
constexpr int kError = 2;

struct QueryArgs {
  std::string cert;
  std::string server = "127.0.0.1";
  std::string device;
  std::string tvs_cert;
  int timeout = 10;
};

int Error(const std::string& message) {
  std::cerr << "opencapf tvs query: " << message << "\n";
  return kError;
}

int RunQuery(const QueryArgs& args) {
  auto cert = pki::Certificate::Load(args.cert);
  if (!cert.ok()) return Error(cert.message());
  auto address = tvs::ParseServerAddress(args.server, tvs::kDefaultPort);
  if (!address.ok()) return Error("--server " + address.message());
  if (args.timeout <= 0) return Error("--timeout must be a positive number of seconds");

  tvs::ClientOptions options;
  options.host = address->first;
  options.port = address->second;
  options.device_name = args.device;
  options.timeout = std::chrono::seconds(args.timeout);
  if (!args.tvs_cert.empty()) {
    auto pinned = pki::Certificate::Load(args.tvs_cert);
    if (!pinned.ok()) return Error("--tvs-cert: " + pinned.message());
    options.expected_server = *pinned;
  }

  auto answer = tvs::QueryBlocking(*cert, options);
  if (!answer.ok()) return Error(answer.message());

  const bool bracket = options.host.find(':') != std::string::npos;
  std::cout << "server:      " << (bracket ? "[" + options.host + "]" : options.host) << ":"
            << options.port;
  if (answer->server_certificate) {
    std::cout << " (" << answer->server_certificate->Subject()
              << (options.expected_server ? ", matches --tvs-cert" : "") << ")";
  }
  std::cout << "\n"
            << "certificate: " << cert->Subject() << "\n"
            << "sha256:      " << tvs::Sha256Hex(cert->der()) << "\n"
            << "status:      " << tvs::VerdictName(answer->response.status) << "\n";
  if (answer->response.status != tvs::Verdict::kValid) return kInvalid;
  std::vector<std::uint16_t> roles(answer->response.roles.begin(), answer->response.roles.end());
  std::cout << "roles:       " << tvs::RoleList(roles) << "\n"
            << "ttl:         " << answer->response.ttl << " s\n";
  return kValid;
}

}  // namespace

void AddTvsCommands(CLI::App& root, ExitCode& exit) {
  auto* tvs = root.add_subcommand("tvs", "Talk to a Trust Verification Service as a phone does");
  tvs->require_subcommand(1);
  auto* cmd = tvs->add_subcommand(
      "query", "Ask a TVS server whether it vouches for a certificate, and for which roles");
  auto args = std::make_shared<QueryArgs>();
  cmd->add_option("CERT", args->cert, "The certificate to ask about, PEM or DER")->required();
  cmd->add_option("--server", args->server, "TVS server, HOST[:PORT] (port 2445 by default)")
      ->type_name("HOST[:PORT]")
      ->capture_default_str();
  cmd->add_option("--device", args->device,
                  "Device name to send, as a phone names itself (CP-7962-SEP001122334455); "
                  "none by default")
      ->type_name("NAME");
  cmd->add_option("--tvs-cert", args->tvs_cert,
                  "Refuse to ask unless the server presents exactly this certificate (a phone "
                  "checks it against its ITL)")
      ->type_name("FILE");
  cmd->add_option("--timeout", args->timeout, "Seconds for the whole exchange")
      ->type_name("SECONDS")
      ->capture_default_str();
  cmd->footer("Exit status: 0 valid, 1 invalid, 2 error (nothing could be asked or understood).");
  cmd->callback([args, &exit]() { exit.value = RunQuery(*args); });
}

}  // namespace opencapf::cli
