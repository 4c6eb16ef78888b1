// `opencapf tvs query`: ask a TVS server about a certificate the way a phone does, and print
// its answer. Exit codes: 0 valid, 1 invalid, 2 the question could not be asked or answered
// (unreadable certificate, bad address, connection or TLS failure, a server that is not the
// --tvs-cert one, a malformed answer).
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "cli/command.h"
#include "phone/address.h"
#include "phone/tvs_load.h"
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

struct LoadArgs {
  std::string tvs;
  std::string tvs_cert;
  std::string cert;
  std::string device;
  int count = 1000;
  int concurrency = 20;
  int timeout = 10;
  int threads = 0;
  bool json = false;
};

int RunLoad(const LoadArgs& args) {
  auto usage = [](const std::string& message) {
    std::cerr << "opencapf tvs load: " << message << "\n";
    return 2;
  };
  phone::TvsLoadOptions options;
  auto server = phone::ParseHostPort(args.tvs, tvs::kDefaultPort);
  if (!server.ok()) return usage("--tvs: " + server.message());
  options.tvs = *server;
  auto pinned = pki::Certificate::Load(args.tvs_cert);
  if (!pinned.ok()) return usage("--tvs-cert: " + pinned.message());
  options.tvs_certificate = *pinned;
  auto cert = pki::Certificate::Load(args.cert);
  if (!cert.ok()) return usage("--cert: " + cert.message());
  options.certificate = *cert;
  if (args.count < 1) return usage("--count must be at least 1");
  if (args.concurrency < 1) return usage("--concurrency must be at least 1");
  if (args.timeout < 1) return usage("--timeout must be at least 1 second");
  if (args.threads < 0) return usage("--threads must not be negative");
  options.device_name = args.device;
  options.count = args.count;
  options.concurrency = args.concurrency;
  options.timeout = std::chrono::seconds(args.timeout);
  options.threads = args.threads;
  auto report = phone::RunTvsLoad(options);
  if (!report.ok()) {
    std::cerr << "opencapf tvs load: " << report.message() << "\n";
    return 1;
  }
  std::cout << (args.json ? phone::TvsLoadJson(*report) : phone::TvsLoadText(*report, options));
  return report->load.errors == 0 ? 0 : 1;
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

  auto* load = tvs->add_subcommand(
      "load",
      "Run many TVS verifications at once against a TVS server (any TVS server), each a phone's "
      "whole exchange, and measure verifications/s, latency and errors");
  auto largs = std::make_shared<LoadArgs>();
  load->add_option("--tvs", largs->tvs, "TVS server, HOST[:PORT] (port 2445 by default)")
      ->type_name("HOST[:PORT]")
      ->required();
  load->add_option("--tvs-cert", largs->tvs_cert,
                   "The certificate the server must present (PEM or DER), as the ITL pins it")
      ->type_name("FILE")
      ->required();
  load->add_option("--cert", largs->cert, "The certificate every verification asks about")
      ->type_name("CERT.pem")
      ->required();
  load->add_option("--device", largs->device,
                   "Device name to send, as a phone names itself; none by default")
      ->type_name("NAME");
  load->add_option("--count", largs->count, "Verifications in all")->capture_default_str();
  load->add_option("--concurrency", largs->concurrency, "Verifications at once")
      ->capture_default_str();
  load->add_option("--timeout", largs->timeout, "Seconds for each verification")
      ->capture_default_str();
  load->add_option("--threads", largs->threads, "I/O threads (0: one per core)");
  load->add_flag("--json", largs->json, "Print one JSON object");
  load->footer(
      "A verification succeeds when the server answers it, valid or invalid (the answers are "
      "counted apart).\nExit status: 0 every verification answered; 1 some failed (see errors by "
      "reason) or the run could not start; 2 a flag value that cannot be used.");
  load->callback([largs, &exit]() { exit.value = RunLoad(*largs); });
}

}  // namespace opencapf::cli
