// `opencapf phone enroll|boot|status|load`: the phone simulator and load generator.
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "base/file.h"
#include "cli/command.h"
#include "phone/boot.h"
#include "phone/enroll.h"
#include "phone/load.h"
#include "phone/state.h"
#include "phone/status.h"
#include "store/device.h"

namespace opencapf::cli {

namespace {

constexpr char kExitCodes[] =
    "Exit status: 0 the operation CAPF asked for completed (LSC installed, deleted or fetched); "
    "1 LSC: Failed (CAPF refused); 2 a flag value or file that cannot be used; 3 No valid CAPF "
    "server; 4 LSC: Connection failed; 5 the ITL was refused and none was held before; 6 LSC: "
    "Operation Pending (the session broke off); 7 CAPF had nothing scheduled for the phone; 8 "
    "TFTP unreachable and no ITL held before.";

struct EnrollArgs {
  std::string name;
  std::vector<std::string> tftp;
  std::string capf;
  std::string state;
  std::string auth_string;
  std::string mic;
  int timeout = 30;
  int http_port = 6970;
  bool no_http = false;
};

int RunEnroll(const EnrollArgs& args) {
  const std::string who = "opencapf phone enroll: ";
  auto name = store::NormalizeDeviceName(args.name);
  if (!name.ok()) {
    std::cerr << who << name.message() << "\n";
    return phone::kEnrollUsage;
  }
  phone::EnrollOptions options;
  options.device = *name;
  for (std::size_t i = 0; i < args.tftp.size(); ++i) {
    auto tftp = phone::ParseHostPort(args.tftp[i], 69);
    if (!tftp.ok()) {
      std::cerr << who << "--tftp: " << tftp.message() << "\n";
      return phone::kEnrollUsage;
    }
    if (i == 0) {
      options.tftp = *tftp;
    } else {
      options.more_tftp.push_back(*tftp);
    }
  }
  if (!args.capf.empty()) {
    auto capf = phone::ParseHostPort(args.capf, 3804);
    if (!capf.ok()) {
      std::cerr << who << "--capf: " << capf.message() << "\n";
      return phone::kEnrollUsage;
    }
    options.capf = *capf;
  }
  if (!args.state.empty()) options.state = args.state;
  if (!args.auth_string.empty()) options.auth_string = args.auth_string;
  if (!args.mic.empty()) {
    auto mic = phone::LoadHeldCertificate(args.mic, args.mic, capf::CertType::kMic);
    if (!mic.ok()) {
      std::cerr << who << "--mic: " << mic.message() << "\n";
      return phone::kEnrollUsage;
    }
    options.mic = *mic;
  }
  if (args.timeout < 1) {
    std::cerr << who << "--timeout must be at least 1 second\n";
    return phone::kEnrollUsage;
  }
  options.timeout = std::chrono::seconds(args.timeout);
  if (args.http_port < 1 || args.http_port > 65535) {
    std::cerr << who << "--http-port " << args.http_port
              << " is not a TCP port (1-65535); --no-http asks TFTP only\n";
    return phone::kEnrollUsage;
  }
  options.http_port =
      args.no_http ? std::nullopt
                   : std::optional<std::uint16_t>(static_cast<std::uint16_t>(args.http_port));
  auto result = phone::Enroll(
      options,
      [](const phone::EnrollLine& line) {
        std::cout << (line.status ? "" : "  ") << line.text << std::endl;
      },
      SystemClock::Instance());
  return result.exit_code;
}

constexpr const char* kBootExitCodes =
    "Exit codes: 0 the configuration was read (and verified, and decrypted, as the ITL and the "
    "configuration require); 2 a flag value or state that cannot be used; 5 the ITL was refused "
    "and none was held; 8 neither HTTP nor TFTP answered and no ITL was held; 9 no configuration "
    "file; 10 File auth error: a signed file did not verify with the ITL's TFTP certificate; 11 "
    "the encrypted configuration is not for this phone, damaged, or came unencrypted with "
    "--encrypted-config.";

struct BootArgs {
  std::string name;
  std::string tftp;
  int http_port = 6970;
  bool no_http = false;
  std::string state;
  bool encrypted_config = false;
  std::string out;
  int timeout = 10;
};

int RunBoot(const BootArgs& args) {
  const std::string who = "opencapf phone boot: ";
  auto name = store::NormalizeDeviceName(args.name);
  if (!name.ok()) {
    std::cerr << who << name.message() << "\n";
    return phone::kBootUsage;
  }
  phone::BootOptions options;
  options.device = *name;
  auto tftp = phone::ParseHostPort(args.tftp, 69);
  if (!tftp.ok()) {
    std::cerr << who << "--tftp: " << tftp.message() << "\n";
    return phone::kBootUsage;
  }
  options.tftp = *tftp;
  if (args.http_port < 1 || args.http_port > 65535) {
    std::cerr << who << "--http-port " << args.http_port
              << " is not a TCP port (1-65535); --no-http asks TFTP only\n";
    return phone::kBootUsage;
  }
  options.http_port =
      args.no_http ? std::nullopt
                   : std::optional<std::uint16_t>(static_cast<std::uint16_t>(args.http_port));
  if (!args.state.empty()) options.state = args.state;
  options.encrypted_config = args.encrypted_config;
  if (args.timeout < 1) {
    std::cerr << who << "--timeout must be at least 1 second\n";
    return phone::kBootUsage;
  }
  options.timeout = std::chrono::seconds(args.timeout);
  auto result = phone::Boot(options, [](const phone::EnrollLine& line) {
    std::cout << (line.status ? "" : "  ") << line.text << std::endl;
  });
  if (result.config && !args.out.empty()) {
    if (auto st = WriteFileAtomic(args.out, *result.config, 0600); !st.ok()) {
      std::cerr << who << st.message() << "\n";
      return phone::kBootUsage;
    }
  }
  return result.exit_code;
}

struct StatusArgs {
  std::string state;
  bool json = false;
};

int RunStatus(const StatusArgs& args) {
  auto state = phone::PhoneState::Open(args.state, false);
  if (!state.ok()) {
    std::cerr << "opencapf phone status: " << state.message() << "\n";
    return 1;
  }
  auto text = args.json ? phone::SecurityMenuJson(*state, SystemClock::Instance())
                        : phone::SecurityMenuText(*state, SystemClock::Instance());
  if (!text.ok()) {
    std::cerr << "opencapf phone status: " << text.message() << "\n";
    return 1;
  }
  std::cout << *text;
  return 0;
}

struct LoadArgs {
  std::string capf;
  std::string capf_cert;
  std::string devices;
  int count = 0;
  std::string prefix = "SEP00AA";
  int concurrency = 20;
  std::string key = "rsa:2048";
  int key_pool = 0;
  std::string auth_string;
  int timeout = 30;
  int threads = 0;
  int keygen_delay_ms = 0;
  bool json = false;
};

int RunLoadCommand(const LoadArgs& args) {
  const std::string who = "opencapf phone load: ";
  auto usage = [&](const std::string& message) {
    std::cerr << who << message << "\n";
    return 2;
  };
  phone::LoadOptions options;
  auto capf = phone::ParseHostPort(args.capf, 3804);
  if (!capf.ok()) return usage("--capf: " + capf.message());
  options.capf = *capf;
  auto cert = pki::Certificate::Load(args.capf_cert);
  if (!cert.ok()) return usage("--capf-cert: " + cert.message());
  options.capf_certificate = *cert;
  if (!args.devices.empty() && args.count > 0) {
    return usage("give either --devices FILE or --count N, not both");
  }
  if (!args.devices.empty()) {
    auto names = phone::ReadDeviceNames(args.devices);
    if (!names.ok()) return usage("--devices: " + names.message());
    options.devices = *names;
  } else if (args.count > 0) {
    auto names = phone::GeneratedDeviceNames(args.prefix, args.count);
    if (!names.ok()) return usage(names.message());
    options.devices = *names;
  } else {
    return usage("which phones? give --devices FILE or --count N (with --prefix)");
  }
  auto key = pki::KeySpec::Parse(args.key);
  if (!key.ok()) return usage("--key: " + key.message());
  options.key = *key;
  if (args.concurrency < 1) return usage("--concurrency must be at least 1");
  if (args.key_pool < 0) return usage("--key-pool must not be negative");
  if (args.timeout < 1) return usage("--timeout must be at least 1 second");
  options.concurrency = args.concurrency;
  options.key_pool = args.key_pool;
  options.auth_string = args.auth_string;
  options.timeout = std::chrono::seconds(args.timeout);
  options.threads = args.threads;
  if (args.keygen_delay_ms < 0) return usage("--keygen-delay must not be negative");
  options.keygen_delay = std::chrono::milliseconds(args.keygen_delay_ms);
  auto report = phone::RunLoad(options);
  if (!report.ok()) {
    std::cerr << who << report.message() << "\n";
    return 1;
  }
  std::cout << (args.json ? phone::LoadJson(*report) : phone::LoadText(*report, options));
  return report->errors == 0 ? 0 : 1;
}

}  // namespace

void AddPhoneCommands(CLI::App& root, ExitCode& exit) {
  auto* phone = root.add_subcommand(
      "phone", "A simulated phone: enroll like a real one, show its security menu, generate load");
  phone->require_subcommand(1);
  {
    auto* cmd = phone->add_subcommand(
        "enroll",
        "Do what a phone does for an LSC: HTTP 6970 then TFTP (ITLFile.tlv, NAME.cnf.xml, signed "
        "as NAME.cnf.xml.sgn when the ITL lists a TFTP certificate), verify the ITL, "
        "connect to CAPF pinned to the ITL, run the CAPF session; prints the phone's status "
        "messages");
    auto args = std::make_shared<EnrollArgs>();
    cmd->add_option("NAME", args->name, "The phone, e.g. SEP001122334455")->required();
    cmd->add_option("--tftp", args->tftp,
                    "TFTP server, HOST[:PORT] (port 69 by default); give it more than once for "
                    "the servers DHCP option 150 lists: the next is tried when one does not "
                    "answer")
        ->required();
    cmd->add_option("--capf", args->capf,
                    "CAPF server HOST[:PORT], instead of the configuration file's capfList");
    cmd->add_option("--state", args->state,
                    "Directory where the phone keeps its ITL, LSC and MIC between runs")
        ->type_name("DIR");
    cmd->add_option("--auth-string", args->auth_string,
                    "The authentication string, when the configuration asks for one")
        ->type_name("DIGITS");
    cmd->add_option("--mic", args->mic,
                    "The phone's MIC: a PEM file with the certificate and its private key")
        ->type_name("CERT.pem");
    cmd->add_option("--timeout", args->timeout, "Seconds to wait for each step")
        ->capture_default_str();
    cmd->add_option("--http-port", args->http_port,
                    "HTTP provisioning port on the TFTP server's host, asked first for each file")
        ->capture_default_str();
    cmd->add_flag("--no-http", args->no_http, "Ask TFTP only, as older phones do");
    cmd->footer(kExitCodes);
    cmd->callback([args, &exit]() { exit.value = RunEnroll(*args); });
  }
  {
    auto* cmd = phone->add_subcommand(
        "boot",
        "Do what a phone does at each boot: its ITL, then its configuration over HTTP on 6970 "
        "(TFTP when that fails), signed when the ITL lists a TFTP certificate, decrypted with "
        "its own key when encrypted; prints the phone's status messages");
    auto args = std::make_shared<BootArgs>();
    cmd->add_option("NAME", args->name, "The phone, e.g. SEP001122334455")->required();
    cmd->add_option("--tftp", args->tftp, "TFTP server HOST[:PORT] (port 69 by default)")
        ->required();
    cmd->add_option("--http-port", args->http_port, "HTTP provisioning port on the same host")
        ->capture_default_str();
    cmd->add_flag("--no-http", args->no_http, "Ask TFTP only, as older phones do");
    cmd->add_option("--state", args->state,
                    "The phone's state directory (its ITL, LSC and key from 'phone enroll')")
        ->type_name("DIR");
    cmd->add_flag("--encrypted-config", args->encrypted_config,
                  "The phone expects its configuration encrypted: a plain one is a failure");
    cmd->add_option("--out", args->out, "Write the configuration as read (decrypted) here (0600)")
        ->type_name("FILE");
    cmd->add_option("--timeout", args->timeout, "Seconds to wait for each download")
        ->capture_default_str();
    cmd->footer(kBootExitCodes);
    cmd->callback([args, &exit]() { exit.value = RunBoot(*args); });
  }
  {
    auto* cmd = phone->add_subcommand(
        "status", "The phone's security menu: LSC, MIC, trust list, last status messages");
    auto args = std::make_shared<StatusArgs>();
    cmd->add_option("--state", args->state, "The phone's state directory")
        ->type_name("DIR")
        ->required();
    cmd->add_flag("--json", args->json, "Print one JSON object");
    cmd->callback([args, &exit]() { exit.value = RunStatus(*args); });
  }
  {
    auto* cmd = phone->add_subcommand(
        "load",
        "Run many phone sessions at once against a CAPF server (any CAPF server) and measure "
        "sessions/s, latency and errors");
    auto args = std::make_shared<LoadArgs>();
    cmd->add_option("--capf", args->capf, "CAPF server, HOST[:PORT]")->required();
    cmd->add_option("--capf-cert", args->capf_cert,
                    "The certificate the server must present (PEM or DER), as the ITL pins it")
        ->type_name("FILE")
        ->required();
    cmd->add_option("--devices", args->devices,
                    "Device names, one per line (or CSV with the name first)")
        ->type_name("FILE");
    cmd->add_option("--count", args->count, "Number of phones named from --prefix");
    cmd->add_option(
           "--prefix", args->prefix,
           "Name prefix: SEP + hex digits (numbers fill the MAC), or CSF/BOT/TCT/TAB + text")
        ->capture_default_str();
    cmd->add_option("--concurrency", args->concurrency, "Sessions at once")->capture_default_str();
    cmd->add_option("--key", args->key, "Key the pool holds: rsa:2048, rsa:1024, ec:256, ...")
        ->capture_default_str();
    cmd->add_option("--key-pool", args->key_pool,
                    "Keys generated before the clock starts (0: min(sessions, 32))");
    cmd->add_option("--auth-string", args->auth_string, "Sent by every phone")->type_name("DIGITS");
    cmd->add_option("--timeout", args->timeout, "Seconds to wait for each step")
        ->capture_default_str();
    cmd->add_option("--threads", args->threads, "I/O threads (0: one per core)");
    cmd->add_option("--keygen-delay", args->keygen_delay_ms,
                    "Milliseconds each phone takes to make its key, after one "
                    "REQUEST_IN_PROGRESS (holds sessions open the way slow phones do)")
        ->type_name("MS");
    cmd->add_flag("--json", args->json, "Print one JSON object");
    cmd->footer(
        "Exit status: 0 every session succeeded; 1 some failed (see errors by reason) or the "
        "run could not start; 2 a flag value that cannot be used.");
    cmd->callback([args, &exit]() { exit.value = RunLoadCommand(*args); });
  }
}

}  // namespace opencapf::cli
