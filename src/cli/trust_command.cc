// `opencapf trust add|list|remove`: the certificates TVS vouches for, kept in the store under
// --data. A running server sees every change on its next request; no restart.
// `opencapf trust export|crl`: what 802.1X and VPN head-ends must trust to accept opencapf LSCs,
// and the CRLs of the LSCs revoked.
//
// Exit codes: 0 done; 1 refused (unreadable certificate, no such entry, an ambiguous prefix, data
// directory not initialised, store failure); 2 the command line itself is wrong (an unknown role,
// a TTL that is not a number of seconds, an unknown --for, a --crl-out that is the --out file).
#include <algorithm>
#include <charconv>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/file.h"
#include "base/json.h"
#include "cli/command.h"
#include "cli/data_dir_options.h"
#include "opencapf_paths.h"
#include "cli/option_choices.h"
#include "pki/certificate.h"
#include "service/config.h"
#include "service/crls.h"
#include "service/data_dir.h"
#include "service/trust_export.h"
#include "store/sqlite_store.h"
#include "store/store.h"
#include "store/time_text.h"
#include "tlv/trust_list.h"
#include "tvs/trust.h"

namespace opencapf::cli {

namespace {

constexpr int kOk = 0;
constexpr int kRefused = 1;
constexpr int kUsage = 2;

constexpr const char* kRoleNames = "CCM, CCM+TFTP, TFTP, CAPF, TVS, SAST, APP-SERVER";

int Report(const std::string& who, int code, const std::string& message) {
  std::cerr << who << message << "\n";
  return code;
}

/// "CCM,TFTP" → {1, 3}; names as tlv::ParseRole reads them.
Result<std::vector<std::uint16_t>> ParseRoles(const std::string& text) {
  std::vector<std::uint16_t> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    std::string name = text.substr(start, comma - start);
    while (!name.empty() && name.front() == ' ') name.erase(0, 1);
    while (!name.empty() && name.back() == ' ') name.pop_back();
    if (name.empty()) {
      return Fail("--roles '" + text + "': an empty role name; give names separated by commas, " +
                  "e.g. --roles CCM,TFTP");
    }
    auto role = tlv::ParseRole(name);
    if (!role) {
      return Fail("--roles: '" + name + "' is not a role; roles are " + kRoleNames);
    }
    const auto code = static_cast<std::uint16_t>(*role);
    if (std::find(out.begin(), out.end(), code) != out.end()) {
      return Fail("--roles: " + tlv::RoleName(code) + " is given twice");
    }
    out.push_back(code);
    start = comma + 1;
  }
  return out;
}

Result<std::uint32_t> ParseTtl(const std::string& text) {
  std::uint32_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return Fail("--ttl '" + text + "' is not a number of seconds from 0 to 4294967295");
  }
  return value;
}

std::string Validity(const store::TrustedCertificate& e, std::time_t now) {
  if (now > e.not_after) return "EXPIRED " + pki::FormatUtc(e.not_after);
  if (now < e.not_before) return "not valid before " + pki::FormatUtc(e.not_before);
  return "valid until " + pki::FormatUtc(e.not_after);
}

// ----- trust add ------------------------------------------------------------------------------

struct AddArgs {
  std::string cert;
  std::string roles;
  std::string ttl = std::to_string(store::kDefaultTrustTtl);
  std::string data = kDefaultDataDir;
};

int RunAdd(const AddArgs& args) {
  const std::string who = "opencapf trust add: ";
  auto roles = ParseRoles(args.roles);
  if (!roles.ok()) return Report(who, kUsage, roles.message());
  auto ttl = ParseTtl(args.ttl);
  if (!ttl.ok()) return Report(who, kUsage, ttl.message());
  auto cert = pki::Certificate::Load(args.cert);
  if (!cert.ok()) return Report(who, kRefused, cert.message());
  auto store = OpenStore(args.data);
  if (!store.ok()) return Report(who, kRefused, store.message());

  store::TrustedCertificate entry = tvs::MakeTrusted(*cert, *roles, *ttl);
  auto before = (*store)->FindTrusted(entry.sha256);
  if (!before.ok()) return Report(who, kRefused, before.message());
  auto change = (*store)->PutTrusted(entry);
  if (!change.ok()) return Report(who, kRefused, change.message());

  const std::time_t now = SystemClock::Instance().Now();
  const char* what = *change == store::TrustChange::kAdded     ? "trusted"
                     : *change == store::TrustChange::kUpdated ? "updated"
                                                               : "already trusted, unchanged:";
  std::cout << what << " " << entry.subject << "\n"
            << "  SHA-256  " << entry.sha256 << "\n"
            << "  roles    " << tvs::RoleList(entry.roles) << "\n"
            << "  TTL      " << entry.ttl << " s\n"
            << "  " << Validity(entry, now) << "\n";
  if (*before && (**before).source == store::TrustSource::kService) {
    std::cout << "note: this is one of opencapf's own certificates; 'opencapf serve' puts back "
                 "its service roles when it starts\n";
  }
  if (now > entry.not_after || now < entry.not_before) {
    std::cout << "note: TVS answers \"invalid\" for this certificate while it is not valid\n";
  }
  if (*change != store::TrustChange::kUnchanged) {
    std::cout << "a running TVS answers with it from its next request\n";
  }
  return kOk;
}

// ----- trust list -----------------------------------------------------------------------------

struct ListArgs {
  bool json = false;
  std::string data = kDefaultDataDir;
};

nlohmann::ordered_json EntryJson(const store::TrustedCertificate& e, std::time_t now) {
  nlohmann::ordered_json roles = nlohmann::ordered_json::array();
  for (std::uint16_t r : e.roles) roles.push_back(tlv::RoleName(r));
  auto cert = pki::Certificate::FromDer(e.der);
  return {
      {"sha256", e.sha256},
      {"subject", e.subject},
      {"issuer", e.issuer},
      {"roles", roles},
      {"role_codes", e.roles},
      {"ttl", e.ttl},
      {"source", std::string(store::ToText(e.source))},
      {"not_before", store::FormatTime(e.not_before)},
      {"not_after", store::FormatTime(e.not_after)},
      {"valid_now", now >= e.not_before && now <= e.not_after},
      {"added", store::FormatTime(e.added)},
      {"pem", cert.ok() ? cert->ToPem() : std::string()},
  };
}

int RunList(const ListArgs& args) {
  const std::string who = "opencapf trust list: ";
  auto store = OpenStore(args.data);
  if (!store.ok()) return Report(who, kRefused, store.message());
  auto list = (*store)->ListTrusted();
  if (!list.ok()) return Report(who, kRefused, list.message());
  const std::time_t now = SystemClock::Instance().Now();
  if (args.json) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& e : *list) out.push_back(EntryJson(e, now));
    std::cout << out.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
    return kOk;
  }
  if (list->empty()) {
    std::cout << "no trusted certificates; add one with: opencapf trust add CERT --roles CCM,TFTP"
              << DataArg(args.data) << "\n";
    return kOk;
  }
  std::size_t roles_width = 5;
  for (const auto& e : *list) roles_width = std::max(roles_width, tvs::RoleList(e.roles).size());
  std::ostringstream out;
  out << std::left << std::setw(64) << "SHA-256"
      << "  " << std::setw(static_cast<int>(roles_width)) << "ROLES"
      << "  " << std::setw(8) << "TTL"
      << "  " << std::setw(7) << "SOURCE"
      << "  " << std::setw(10) << "EXPIRES"
      << "  SUBJECT\n";
  for (const auto& e : *list) {
    std::string expires = store::FormatTime(e.not_after).substr(0, 10);
    if (now > e.not_after) expires += " (expired)";
    out << std::setw(64) << e.sha256 << "  " << std::setw(static_cast<int>(roles_width))
        << tvs::RoleList(e.roles) << "  " << std::setw(8) << e.ttl << "  " << std::setw(7)
        << store::ToText(e.source) << "  " << std::setw(10) << expires << "  " << e.subject << "\n";
  }
  std::cout << out.str();
  return kOk;
}

// ----- trust remove ---------------------------------------------------------------------------

struct RemoveArgs {
  std::string sha256;
  std::string data = kDefaultDataDir;
};

int RunRemove(const RemoveArgs& args) {
  const std::string who = "opencapf trust remove: ";
  auto store = OpenStore(args.data);
  if (!store.ok()) return Report(who, kRefused, store.message());
  auto removed = (*store)->RemoveTrusted(args.sha256);
  if (!removed.ok()) return Report(who, kRefused, removed.message());
  std::cout << "removed " << removed->subject << "\n"
            << "  SHA-256  " << removed->sha256 << "\n"
            << "  roles    " << tvs::RoleList(removed->roles) << "\n"
            << "a running TVS answers \"invalid\" for it from its next request (phones that "
               "cached a \"valid\" answer keep it for up to its TTL, "
            << removed->ttl << " s)\n";
  if (removed->source == store::TrustSource::kService) {
    std::cout << "note: this was one of opencapf's own certificates; 'opencapf serve' trusts it "
                 "again when it starts\n";
  }
  return kOk;
}

// ----- trust export ---------------------------------------------------------------------------

struct ExportArgs {
  std::string format = "pem";
  std::string out;
  std::string crl_out;
  std::string data = kDefaultDataDir;
};

Status WriteOut(const std::string& path, const std::string& text) {
  return WriteFileAtomic(path, Bytes(text.begin(), text.end()), 0644);
}

/// PATH as a head-end's configuration must name it: absolute, since a daemon's working directory
/// is not the administrator's.
std::string Absolute(const std::string& path) {
  std::error_code ec;
  auto abs = std::filesystem::absolute(path, ec);
  return ec ? path : abs.lexically_normal().string();
}

/// Whether two paths name one file: the same file when both exist, else the same absolute path
/// once "." and ".." and symbolic links in the existing part are resolved.
bool SameFile(const std::string& a, const std::string& b) {
  std::error_code ec;
  if (std::filesystem::equivalent(a, b, ec) && !ec) return true;
  auto resolved = [](const std::string& path) {
    std::error_code err;
    auto abs = std::filesystem::weakly_canonical(Absolute(path), err);
    return err ? std::filesystem::path(Absolute(path)) : abs.lexically_normal();
  };
  return resolved(a) == resolved(b);
}

/// The CRLs `trust crl` writes, for `trust export --crl-out`: the next update from the
/// configuration ([crl] next_update_days).
Result<service::CrlSet> ExportCrls(const service::DataDir& dir, store::Store& store) {
  auto config = service::LoadConfig(dir.config());
  if (!config.ok()) return config.error();
  return service::BuildCapfCrls(dir, store, SystemClock::Instance(), config->crl.next_update_days);
}

/// What `trust crl` prints about its CRLs, after "wrote FILE: " or nothing.
void DescribeCrls(std::ostream& info, const std::string& lead, const service::CrlSet& set) {
  info << lead << set.crls.size() << (set.crls.size() == 1 ? " CRL" : " CRLs") << ", next update "
       << pki::FormatUtc(set.next_update) << "\n";
  for (const auto& c : set.crls) {
    info << "  " << (c.current ? "current" : "earlier") << " CAPF " << c.issuer.Subject()
         << " (serial " << HexUpper(c.issuer.SerialBytes(), "") << "): " << c.entries
         << (c.entries == 1 ? " revoked LSC" : " revoked LSCs") << "\n";
  }
  for (const auto& note : set.notes) info << "note: " << note << "\n";
}

int RunExport(const ExportArgs& args) {
  const std::string who = "opencapf trust export: ";
  const std::string usage = "\nRun 'opencapf trust export --help' for its usage.";
  auto format = service::ParseExportFormat(args.format);
  if (!format.ok()) return Report(who, kUsage, format.message() + usage);
  // ocserv reads the CA certificates and the CRLs from two files: with --out, both are written.
  std::string crl_out = args.crl_out;
  if (crl_out.empty() && *format == service::ExportFormat::kOcserv && !args.out.empty()) {
    crl_out = service::CrlFileBeside(args.out).string();
  }
  if (!crl_out.empty() && !args.out.empty() && SameFile(crl_out, args.out)) {
    return Report(who, kUsage,
                  "--crl-out " + crl_out + " is the --out file; give the CRLs their own file, " +
                      "e.g. --crl-out " + service::CrlFileBeside(args.out).string() +
                      " (or leave --crl-out out: --for ocserv writes them there)" + usage);
  }
  auto store = OpenStore(args.data);
  if (!store.ok()) return Report(who, kRefused, store.message());
  const service::DataDir dir(args.data);
  auto anchors = service::CollectTrustAnchors(dir, **store, SystemClock::Instance());
  if (!anchors.ok()) return Report(who, kRefused, anchors.message());
  std::optional<service::CrlSet> crls;
  if (!crl_out.empty()) {
    auto set = ExportCrls(dir, **store);
    if (!set.ok()) return Report(who, kRefused, set.message());
    crls = std::move(*set);
  }
  const std::string text = service::FormatTrustExport(*anchors, *format);
  if (args.out.empty()) {
    std::cout << text;
  } else if (auto st = WriteOut(args.out, text); !st.ok()) {
    return Report(who, kRefused, st.message());
  }
  if (crls) {
    if (auto st = WriteOut(crl_out, crls->Pem()); !st.ok())
      return Report(who, kRefused, st.message());
  }
  // What was written, and what to do with it, on stderr when the export went to stdout.
  std::ostream& info = args.out.empty() ? std::cerr : std::cout;
  info << (args.out.empty() ? "exported " : "wrote " + args.out + ": ") << anchors->anchors.size()
       << (anchors->anchors.size() == 1 ? " CA certificate" : " CA certificates") << " for "
       << args.format << "\n";
  for (const auto& a : anchors->anchors) {
    info << "  " << a.certificate.Subject() << " (serial "
         << HexUpper(a.certificate.SerialBytes(), "") << "): " << a.why << "\n";
  }
  for (const auto& a : anchors->left_out) {
    info << "  left out: earlier " << a.certificate.Subject() << " (serial "
         << HexUpper(a.certificate.SerialBytes(), "") << "): " << a.why << "\n";
  }
  if (crls) DescribeCrls(info, "wrote " + crl_out + ": ", *crls);
  const std::string file = args.out.empty() ? "FILE" : args.out;
  switch (*format) {
    case service::ExportFormat::kRadius:
      info << "FreeRADIUS: in mods-available/eap, tls-config tls-common: ca_file = " << file
           << " (nothing else in it), check_crl = yes with 'opencapf trust crl' appended to the "
              "same file or in ca_path; see docs/head-ends.md\n";
      break;
    case service::ExportFormat::kAsa:
      info << "ASA: paste in configuration mode, then reference the trustpoints from the phone "
              "VPN tunnel group; see docs/head-ends.md\n";
      break;
    case service::ExportFormat::kOcserv:
      if (args.out.empty()) {
        info << "ocserv: give --out NAME.pem to write the CA file and the CRLs beside it "
                "(NAME-crl.pem) and get the ocserv.conf lines naming both; see "
                "docs/head-ends.md\n";
        break;
      }
      info << "ocserv.conf: replace its auth, ca-cert, crl and cert-user-oid lines with these "
              "(the user is the LSC's CN, the phone's device name):\n"
           << service::OcservConfigLines(Absolute(args.out), Absolute(crl_out))
           << "then 'occtl reload' (or SIGHUP to ocserv's main process); export again after "
              "every 'device revoke' and 'cert regenerate capf', and before the CRLs' next "
              "update; see docs/head-ends.md\n";
      break;
    case service::ExportFormat::kPem:
      break;
  }
  return kOk;
}

// ----- trust crl ------------------------------------------------------------------------------

struct CrlArgs {
  std::string out;
  std::optional<int> next_update_days;
  std::string data = kDefaultDataDir;
};

int RunCrl(const CrlArgs& args) {
  const std::string who = "opencapf trust crl: ";
  auto store = OpenStore(args.data);
  if (!store.ok()) return Report(who, kRefused, store.message());
  const service::DataDir dir(args.data);
  auto config = service::LoadConfig(dir.config());
  if (!config.ok()) return Report(who, kRefused, config.message());
  const int days = args.next_update_days.value_or(config->crl.next_update_days);
  if (days <= 0) return Report(who, kUsage, "--next-update must be a positive number of days");
  auto set = service::BuildCapfCrls(dir, **store, SystemClock::Instance(), days);
  if (!set.ok()) return Report(who, kRefused, set.message());
  const std::string pem = set->Pem();
  if (args.out.empty()) {
    std::cout << pem;
  } else if (auto st = WriteOut(args.out, pem); !st.ok()) {
    return Report(who, kRefused, st.message());
  }
  std::ostream& info = args.out.empty() ? std::cerr : std::cout;
  DescribeCrls(info, args.out.empty() ? "" : "wrote " + args.out + ": ", *set);
  info << "a running 'opencapf serve' keeps the same CRLs fresh in "
       << service::CrlDir(dir).string() << " and on TFTP (" << service::kCrlBundleName << ")\n";
  return kOk;
}

}  // namespace

void AddTrustCommands(CLI::App& root, ExitCode& exit) {
  auto* trust = root.add_subcommand(
      "trust",
      "Certificates TVS vouches for; what head-ends must trust (export) and the CRLs (crl)");
  trust->require_subcommand(1);
  trust->footer(
      "A running 'opencapf serve' sees every change on its next TVS request; no restart.\n"
      "Exit status: 0 done; 1 refused (unreadable certificate, no such entry, ambiguous prefix, "
      "data directory not initialised); 2 an unknown role, a bad --ttl, an unknown --for, or "
      "--crl-out naming the --out file.");
  {
    auto* cmd = trust->add_subcommand(
        "add", "Trust a certificate for roles; replaces the roles and TTL of one already trusted");
    auto args = std::make_shared<AddArgs>();
    cmd->add_option("CERT", args->cert, "The certificate, PEM or DER")->required();
    cmd->add_option("--roles", args->roles,
                    std::string("Comma-separated roles: ") + kRoleNames + " (e.g. CCM,TFTP)")
        ->required();
    cmd->add_option("--ttl", args->ttl, "Seconds a phone may cache the answer")
        ->type_name("SECONDS")
        ->capture_default_str();
    AddDataOption(*cmd, args->data);
    cmd->callback([args, &exit]() { exit.value = RunAdd(*args); });
  }
  {
    auto* cmd = trust->add_subcommand("list", "List the trusted certificates");
    auto args = std::make_shared<ListArgs>();
    cmd->add_flag("--json", args->json, "Print a JSON array, certificates with their PEM");
    AddDataOption(*cmd, args->data);
    cmd->callback([args, &exit]() { exit.value = RunList(*args); });
  }
  {
    auto* cmd = trust->add_subcommand("remove", "Stop trusting a certificate");
    auto args = std::make_shared<RemoveArgs>();
    cmd->add_option("SHA256", args->sha256,
                    "Its SHA-256 as 'trust list' shows it, or a unique prefix of at least 8 hex "
                    "digits (':' separators and case do not matter)")
        ->required();
    AddDataOption(*cmd, args->data);
    cmd->callback([args, &exit]() { exit.value = RunRemove(*args); });
  }
  {
    auto* cmd = trust->add_subcommand(
        "export",
        "The CA certificates 802.1X and VPN head-ends must trust to accept opencapf LSCs");
    auto args = std::make_shared<ExportArgs>();
    Choices(cmd->add_option("--for", args->format, "radius, asa, ocserv or pem"),
            {"radius", "asa", "ocserv", "pem"})
        ->capture_default_str();
    cmd->add_option("--out", args->out,
                    "Write here instead of stdout (--for ocserv: the CRLs too, NAME-crl.pem "
                    "beside NAME.pem, and the ocserv.conf lines naming both)")
        ->type_name("FILE");
    cmd->add_option("--crl-out", args->crl_out,
                    "Also write the CRLs ('opencapf trust crl') here, for any --for")
        ->type_name("FILE");
    AddDataOption(*cmd, args->data);
    cmd->callback([args, &exit]() { exit.value = RunExport(*args); });
  }
  {
    auto* cmd = trust->add_subcommand(
        "crl", "One PEM file with a CRL for every CAPF certificate still trusted");
    auto args = std::make_shared<CrlArgs>();
    cmd->add_option("--out", args->out, "Write here instead of stdout")->type_name("FILE");
    cmd->add_option("--next-update", args->next_update_days,
                    "Days until nextUpdate (default: [crl] next_update_days, 7)")
        ->type_name("DAYS");
    AddDataOption(*cmd, args->data);
    cmd->callback([args, &exit]() { exit.value = RunCrl(*args); });
  }
}

}  // namespace opencapf::cli
