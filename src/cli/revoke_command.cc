// `opencapf device revoke NAME`: marks a phone's LSC revoked, so the CRLs (`opencapf trust crl`,
// and those `serve` keeps fresh) list it and head-ends stop accepting it. The phone keeps the
// certificate; CAPF refuses it for "By Existing Certificate" authentication.
//
// Exit codes: 0 done (also when it was already revoked); 1 refused (no such phone, no LSC, data
// directory not initialised, store failure); 2 a bad --reason.
#include <iostream>
#include <memory>
#include <string>

#include "cli/command.h"
#include "cli/data_dir_options.h"
#include "opencapf_paths.h"
#include "cli/option_choices.h"
#include "pki/certificate.h"
#include "store/device.h"
#include "store/revocation.h"
#include "store/store.h"

namespace opencapf::cli {

namespace {

struct RevokeArgs {
  std::string name;
  std::string reason = "unspecified";
  std::string data = kDefaultDataDir;
};

int RunRevoke(const RevokeArgs& args) {
  const std::string who = "opencapf device revoke: ";
  auto fail = [&](int code, const std::string& message) {
    std::cerr << who << message << "\n";
    return code;
  };
  auto reason = store::ParseRevocationReason(args.reason);
  if (!reason.ok()) return fail(2, "--reason: " + reason.message());
  auto name = store::NormalizeDeviceName(args.name);
  if (!name.ok()) return fail(1, name.message());
  auto store = OpenStore(args.data);
  if (!store.ok()) return fail(1, store.message());
  auto device = (*store)->Get(*name);
  if (!device.ok()) return fail(1, device.message());
  if (!*device) {
    return fail(1, "there is no device " + *name + " ('opencapf device list" + DataArg(args.data) +
                       "' shows them)");
  }
  if (!(*device)->lsc && !(*device)->pending_lsc) {
    return fail(1, *name + " has no LSC to revoke (LSC Status: " +
                       std::string(store::DisplayText((*device)->lsc_status)) + ")");
  }
  store::Event event;
  event.operation = "revoke";
  event.result = "success";
  event.reason = "LSC revoked by the administrator (" + std::string(store::ToText(*reason)) + ")";
  auto revoked = (*store)->RevokeDeviceCertificates(*name, *reason, event);
  if (!revoked.ok()) return fail(1, revoked.message());
  if (revoked->empty()) {
    std::cout << *name << ": its LSC was already revoked; nothing changed\n";
    return 0;
  }
  for (const auto& r : *revoked) {
    AuditCli(**store, "device.revoke", *name,
             "LSC " + r.serial_hex + " revoked (" + std::string(store::ToText(r.reason)) + ")");
    std::cout << "revoked the LSC of " << *name << ": serial " << r.serial_hex << ", issuer "
              << r.issuer << ", reason " << store::ToText(r.reason) << ", at "
              << pki::FormatUtc(r.revoked_at) << "\n";
  }
  std::cout << "a running 'opencapf serve' signs fresh CRLs within seconds (crl/ and TFTP); "
               "give them to your head-ends, or write them with: opencapf trust crl --out crl.pem"
            << DataArg(args.data) << "\n"
            << "the phone keeps the certificate: to give it a new one, 'opencapf device set "
            << *name << " --operation install --auth null-string'\n";
  return 0;
}

}  // namespace

void AddRevokeCommand(CLI::App& root, ExitCode& exit) {
  CLI::App* device = nullptr;
  try {
    device = root.get_subcommand("device");
  } catch (const CLI::OptionNotFound&) {
    return;
  }
  auto* cmd = device->add_subcommand(
      "revoke", "Mark a phone's LSC revoked: the CRLs list it and head-ends stop accepting it");
  auto args = std::make_shared<RevokeArgs>();
  cmd->add_option("NAME", args->name, "Device name, e.g. SEP001122334455")->required();
  Choices(cmd->add_option("--reason", args->reason,
                          "unspecified, key-compromise, affiliation-changed, superseded, "
                          "cessation-of-operation"),
          store::RevocationReasonChoices())
      ->capture_default_str();
  AddDataOption(*cmd, args->data);
  cmd->callback([args, &exit]() { exit.value = RunRevoke(*args); });
}

}  // namespace opencapf::cli
