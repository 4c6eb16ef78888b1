// `opencapf cert list|show|regenerate|csr|import`: the service certificates opencapf owns
// (capf, callmanager = tftp, tvs, itlrecovery), through their whole life. A running `serve`
// picks up every change within seconds (it watches certs/) or on SIGHUP.
//
// Exit codes: 0 done; 1 refused (no --yes, a certificate that does not fit: wrong key, not a CA,
// expired, chain mismatch; unreadable file; data directory not initialised); 2 the command line
// itself is wrong (unknown certificate name, bad --key, --days or --subject).
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
#include "pki/issuer.h"
#include "service/certificate_json.h"
#include "service/certificates.h"
#include "service/cluster_certificates.h"
#include "service/config.h"
#include "service/data_dir.h"
#include "service/service_itl.h"
#include "store/time_text.h"

namespace opencapf::cli {

namespace {

namespace fs = std::filesystem;

constexpr int kOk = 0;
constexpr int kRefused = 1;
constexpr int kUsage = 2;

int Report(const std::string& who, int code, const std::string& message) {
  std::cerr << who << message << "\n";
  return code;
}

/// The data directory, refused when `init` has not made it.
Result<service::DataDir> OpenDir(const std::string& data) {
  service::DataDir dir(data);
  if (!dir.Initialized()) {
    return Fail(data + " is not an opencapf data directory (there is no " + dir.config().string() +
                "); create it with 'opencapf init" + DataArg(data) +
                "', or name the right one with --data");
  }
  return dir;
}

std::string Day(std::time_t t) { return store::FormatTime(t).substr(0, 10); }

std::string DaysText(long days) {
  if (days < 0) return "expired " + std::to_string(-days) + (days == -1 ? " day ago" : " days ago");
  return std::to_string(days) + (days == 1 ? " day left" : " days left");
}

/// The ITL a running serve publishes (its copy in served/), else the one it would build now.
std::optional<Bytes> CurrentItl(const service::DataDir& dir, bool& built) {
  built = false;
  auto served = ReadFile(dir.root() / "served" / "ITLFile.tlv");
  if (served.ok()) return *served;
  auto config = service::LoadConfig(dir.config());
  service::ItlLayout layout;
  if (config.ok()) {
    layout.digest = pki::ParseDigest(config->itl.digest).value_or(pki::Digest::kSha1);
    layout.hash_only_capf_tvs = !config->itl.full_records;
  }
  auto itl = service::BuildServiceItl(dir, layout, static_cast<std::uint32_t>(std::time(nullptr)));
  if (!itl.ok()) return std::nullopt;
  built = true;
  return *itl;
}

/// Builds the ITL from the files now, to prove it can be and to say what phones will get.
// On a node of a cluster, what `cert` changed becomes the cluster's: every node follows.
std::string PublishToCluster(const std::string& data, const service::DataDir& dir) {
  auto store = OpenStore(data);
  if (!store.ok())
    return "warning: the store cannot be opened to share the change: " + store.message();
  auto published = service::PublishCertificateFiles(dir, **store);
  if (!published.ok()) {
    return "warning: the cluster's other nodes do not have this change: " + published.message() +
           "; run the command again once the database answers";
  }
  return published->value_or("");
}

std::string RebuildItl(const service::DataDir& dir) {
  auto config = service::LoadConfig(dir.config());
  service::ItlLayout layout;
  if (config.ok()) {
    layout.digest = pki::ParseDigest(config->itl.digest).value_or(pki::Digest::kSha1);
    layout.hash_only_capf_tvs = !config->itl.full_records;
  }
  auto itl = service::BuildServiceItl(dir, layout, static_cast<std::uint32_t>(std::time(nullptr)));
  if (!itl.ok()) return "ITLFile.tlv cannot be rebuilt: " + itl.message();
  return "ITLFile.tlv rebuilt (" + std::to_string(itl->size()) +
         " bytes, signed by the ITLRecovery key); a running 'opencapf serve' publishes it on "
         "TFTP within seconds (or at once on SIGHUP)";
}

// ----- cert list ------------------------------------------------------------------------------

struct ListArgs {
  bool json = false;
  std::string data = kDefaultDataDir;
};

int RunList(const ListArgs& args) {
  const std::string who = "opencapf cert list: ";
  auto dir = OpenDir(args.data);
  if (!dir.ok()) return Report(who, kRefused, dir.message());
  bool built = false;
  const auto itl = CurrentItl(*dir, built);
  const Clock& clock = SystemClock::Instance();
  auto infos = service::DescribeCertificates(*dir, itl, clock);
  if (!infos.ok()) return Report(who, kRefused, infos.message());
  auto previous = service::PreviousCapfCertificates(*dir);
  if (!previous.ok()) return Report(who, kRefused, previous.message());
  const std::time_t now = clock.Now();

  if (args.json) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& i : *infos) {
      out.push_back(service::CertificateInfoJson(i, now, /*pem=*/false));
    }
    for (const auto& p : *previous) {
      nlohmann::ordered_json row = {{"name", "capf (earlier)"},
                                    {"role", "earlier CAPF certificate, kept as a trusted issuer"}};
      const nlohmann::ordered_json fields = service::CertificateJson(p, now);
      for (const auto& [k, v] : fields.items()) row[k] = v;
      row["in_itl"] = false;
      row["chain"] = nlohmann::ordered_json::array();
      row["pending_key"] = false;
      out.push_back(row);
    }
    std::cout << out.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
    return kOk;
  }

  std::ostringstream out;
  out << std::left << std::setw(13) << "NAME" << std::setw(36) << "ROLE" << std::setw(10) << "KEY"
      << std::setw(12) << "NOT BEFORE" << std::setw(12) << "NOT AFTER" << std::setw(18)
      << "DAYS LEFT"
      << "IN ITL\n";
  auto row = [&](const std::string& name, const std::string& role, const pki::Certificate& c,
                 const std::string& key, const std::string& in_itl) {
    const std::time_t left = c.not_after() - now;
    const long days = static_cast<long>(left >= 0 ? left / 86400 : -((-left + 86399) / 86400));
    out << std::setw(13) << name << std::setw(36) << role << std::setw(10) << key << std::setw(12)
        << Day(c.not_before()) << std::setw(12) << Day(c.not_after()) << std::setw(18)
        << DaysText(days) << in_itl << "\n";
    out << "  subject " << c.Subject() << "\n  issuer  "
        << (c.SelfSigned() ? std::string("(self-signed)") : c.Issuer()) << "\n  SHA-256 "
        << HexUpper(c.Fingerprint(pki::Digest::kSha256), ":") << "\n";
  };
  for (const auto& i : *infos) {
    row(i.name, i.role, i.certificate, i.key, i.in_itl);
    for (const auto& c : i.chain) {
      out << "  chain   " << c.Subject() << " (until " << Day(c.not_after()) << ")\n";
    }
    if (i.pending_key) {
      out << "  pending a key for a CSR waits in " << service::PendingKeyPath(*dir, i.name).string()
          << " for 'opencapf cert import " << i.name << "'\n";
    }
  }
  for (const auto& p : *previous) {
    row("capf (old)", "earlier CAPF, trusted issuer", p,
        pki::KeyAlgorithmName(p.key_algorithm()) + " " + std::to_string(p.key_bits()), "no");
  }
  std::cout << out.str();
  if (!itl) {
    std::cout << "note: no ITL to compare with ('opencapf serve' keeps a copy of what it serves "
                 "in served/ITLFile.tlv)\n";
  } else if (built) {
    std::cout << "note: IN ITL compares with the ITL built from these files; 'opencapf serve' "
                 "has not served one from this directory yet\n";
  }
  return kOk;
}

// ----- cert show ------------------------------------------------------------------------------

struct ShowArgs {
  std::string name;
  bool pem = false;
  std::string data = kDefaultDataDir;
};

int RunShow(const ShowArgs& args) {
  const std::string who = "opencapf cert show: ";
  auto name = service::CanonicalCertificateName(args.name);
  if (!name.ok()) return Report(who, kUsage, name.message());
  auto dir = OpenDir(args.data);
  if (!dir.ok()) return Report(who, kRefused, dir.message());
  bool built = false;
  const auto itl = CurrentItl(*dir, built);
  auto infos = service::DescribeCertificates(*dir, itl, SystemClock::Instance());
  if (!infos.ok()) return Report(who, kRefused, infos.message());
  const service::CertificateInfo* info = nullptr;
  for (const auto& i : *infos) {
    if (i.name == *name) info = &i;
  }
  if (!info) return Report(who, kRefused, "no " + *name + " certificate");
  if (args.pem) {
    std::cout << info->certificate.ToPem();
    for (const auto& c : info->chain) std::cout << c.ToPem();
    return kOk;
  }
  const pki::Certificate& c = info->certificate;
  std::cout << info->name << ": " << info->role << "\n"
            << "  file        " << dir->certificate(info->name).string() << " (key "
            << dir->key(info->name).string() << ")\n"
            << "  subject     " << c.Subject() << "\n"
            << "  issuer      " << (c.SelfSigned() ? c.Issuer() + " (self-signed)" : c.Issuer())
            << "\n"
            << "  serial      " << HexUpper(c.SerialBytes(), "") << "\n"
            << "  key         " << info->key << "\n"
            << "  not before  " << pki::FormatUtc(c.not_before()) << "\n"
            << "  not after   " << pki::FormatUtc(c.not_after()) << " ("
            << DaysText(info->days_left) << ")\n"
            << "  CA          " << (c.IsCa() ? "yes" : "no") << "\n"
            << "  SHA-256     " << info->sha256 << "\n"
            << "  SHA-1       " << HexUpper(c.Fingerprint(pki::Digest::kSha1), ":") << "\n"
            << "  in ITL      " << info->in_itl << (built ? " (the ITL these files make)" : "")
            << "\n";
  for (const auto& ch : info->chain) {
    std::cout << "  chain       " << ch.Subject() << " (serial " << HexUpper(ch.SerialBytes(), "")
              << ", until " << pki::FormatUtc(ch.not_after()) << ")\n";
  }
  if (info->pending_key) {
    std::cout << "  pending     a CSR key waits in "
              << service::PendingKeyPath(*dir, info->name).string() << "\n";
  }
  return kOk;
}

/// --key as given: nothing when it is empty (the command keeps the current kind of key).
Result<std::optional<pki::KeySpec>> OptionalKeySpec(const std::string& text) {
  if (text.empty()) return std::optional<pki::KeySpec>();
  auto parsed = pki::KeySpec::Parse(text);
  if (!parsed.ok()) return parsed.error();
  return std::optional<pki::KeySpec>(*parsed);
}

// ----- cert regenerate ------------------------------------------------------------------------

struct RegenerateArgs {
  std::string name;
  std::string key;
  std::optional<int> days;
  bool yes = false;
  std::string data = kDefaultDataDir;
};

int RunRegenerate(const RegenerateArgs& args) {
  const std::string who = "opencapf cert regenerate: ";
  auto name = service::CanonicalCertificateName(args.name);
  if (!name.ok()) return Report(who, kUsage, name.message());
  auto key_arg = OptionalKeySpec(args.key);
  if (!key_arg.ok()) return Report(who, kUsage, "--key: " + key_arg.message());
  const std::optional<pki::KeySpec>& spec = *key_arg;
  const int days = args.days.value_or(service::DefaultCertificateDays(*name));
  if (days <= 0) return Report(who, kUsage, "--days must be a positive number of days");
  auto dir = OpenDir(args.data);
  if (!dir.ok()) return Report(who, kRefused, dir.message());
  auto old = service::LoadIdentity(*dir, *name);
  if (!old.ok()) return Report(who, kRefused, old.message());
  const std::string key_text =
      spec ? spec->ToString()
           : pki::KeySpec{old->key.algorithm(), old->key.bits()}.ToString() + " (as now)";
  if (!args.yes) {
    std::cerr << who << "not done: this needs --yes.\n"
              << service::RegenerationEffects(*name, old->certificate, key_text, days)
              << "run again with --yes to do it: opencapf cert regenerate " << *name
              << (args.key.empty() ? "" : " --key " + args.key)
              << (args.days ? " --days " + std::to_string(*args.days) : "") << " --yes"
              << DataArg(args.data) << "\n";
    return kRefused;
  }
  auto fresh = service::RegenerateCertificate(*dir, *name, spec, days, SystemClock::Instance());
  if (!fresh.ok()) return Report(who, kRefused, "nothing changed: " + fresh.message());
  const pki::Certificate& c = fresh->certificate;
  AuditCli(args.data, "certificate.regenerate", *name,
           "new serial " + HexUpper(c.SerialBytes(), "") + ", valid until " +
               pki::FormatUtc(c.not_after()));
  std::cout << "regenerated the " << *name << " certificate: " << c.Subject() << "\n"
            << "  key         " << pki::KeyAlgorithmName(fresh->key.algorithm()) << " "
            << fresh->key.bits() << " (" << dir->key(*name).string() << ", mode 0600)\n"
            << "  valid until " << pki::FormatUtc(c.not_after()) << "\n"
            << "  SHA-256     " << HexUpper(c.Fingerprint(pki::Digest::kSha256), ":") << "\n"
            << RebuildItl(*dir) << "\n";
  if (const std::string shared = PublishToCluster(args.data, *dir); !shared.empty()) {
    std::cout << shared << "\n";
  }
  if (*name == service::kCapf) {
    std::cout << "the previous CAPF certificate (serial "
              << HexUpper(old->certificate.SerialBytes(), "")
              << ") is kept in certs/previous/ as a trusted issuer: its LSCs stay valid\n"
              << "next:\n"
              << "  1. give your 802.1X/VPN head-ends the new CAPF certificate: opencapf trust "
                 "export --for radius --out ca.pem"
              << DataArg(args.data) << "\n"
              << "  2. phones take the new ITL when they reset; new LSCs are issued under the "
                 "new certificate\n";
  }
  return kOk;
}

// ----- cert csr -------------------------------------------------------------------------------

struct CsrArgs {
  std::string name;
  std::optional<std::string> subject;
  bool new_key = false;
  std::string key;
  std::string out;
  std::string data = kDefaultDataDir;
};

int RunCsr(const CsrArgs& args) {
  const std::string who = "opencapf cert csr: ";
  auto name = service::CanonicalCertificateName(args.name);
  if (!name.ok()) return Report(who, kUsage, name.message());
  auto key_arg = OptionalKeySpec(args.key);
  if (!key_arg.ok()) return Report(who, kUsage, "--key: " + key_arg.message());
  const std::optional<pki::KeySpec>& spec = *key_arg;
  if (args.subject) {
    if (auto parsed = pki::ParseSubject(*args.subject); !parsed.ok()) {
      return Report(who, kUsage, "--subject: " + parsed.message());
    }
  }
  auto dir = OpenDir(args.data);
  if (!dir.ok()) return Report(who, kRefused, dir.message());
  auto csr = service::MakeCertificateRequest(*dir, *name, args.subject, args.new_key, spec);
  if (!csr.ok()) return Report(who, spec && !args.new_key ? kUsage : kRefused, csr.message());
  if (args.out.empty()) {
    std::cout << csr->pem;
  } else {
    auto st = WriteFileAtomic(args.out, Bytes(csr->pem.begin(), csr->pem.end()), 0644);
    if (!st.ok()) return Report(who, kRefused, st.message());
  }
  std::ostream& info = args.out.empty() ? std::cerr : std::cout;
  info << "certificate signing request for the " << *name << " certificate"
       << (args.out.empty() ? "" : ": " + args.out) << "\n"
       << "  subject " << csr->subject << "\n"
       << "  key     " << csr->key
       << (csr->pending_key ? ", new, kept pending in " + csr->pending_key->string() + " (0600)"
                            : ", the current key")
       << "\n";
  if (*name == service::kCapf) {
    info << "  asks for CA:TRUE, pathlen:0 and keyUsage digitalSignature, keyCertSign, cRLSign: "
            "the CA must sign it as a subordinate CA, or phones fail TLS with CAPF\n";
  }
  info << "next: have your CA sign it, then: opencapf cert import " << *name
       << " SIGNED.pem --chain CA-CHAIN.pem" << DataArg(args.data) << "\n";
  return kOk;
}

// ----- cert import ----------------------------------------------------------------------------

struct ImportArgs {
  std::string name;
  std::string file;
  std::string chain;
  std::string data = kDefaultDataDir;
};

int RunImport(const ImportArgs& args) {
  const std::string who = "opencapf cert import: ";
  auto name = service::CanonicalCertificateName(args.name);
  if (!name.ok()) return Report(who, kUsage, name.message());
  auto dir = OpenDir(args.data);
  if (!dir.ok()) return Report(who, kRefused, dir.message());
  std::optional<fs::path> chain;
  if (!args.chain.empty()) chain = args.chain;
  auto imported =
      service::ImportCertificate(*dir, *name, args.file, chain, SystemClock::Instance());
  if (!imported.ok()) return Report(who, kRefused, imported.message());
  const pki::Certificate& c = imported->identity.certificate;
  AuditCli(args.data, "certificate.import", *name,
           c.Subject() + " issued by " + c.Issuer() + ", serial " + HexUpper(c.SerialBytes(), ""));
  std::cout << "imported the " << *name << " certificate: " << c.Subject() << "\n"
            << "  issuer      " << c.Issuer() << "\n"
            << "  key         "
            << (imported->used_pending_key ? "the pending key made by 'cert csr --new-key'"
                                           : "the current key")
            << "\n"
            << "  valid until " << pki::FormatUtc(c.not_after()) << "\n"
            << "  SHA-256     " << HexUpper(c.Fingerprint(pki::Digest::kSha256), ":") << "\n";
  for (const auto& ch : imported->chain) std::cout << "  chain       " << ch.Subject() << "\n";
  std::cout << RebuildItl(*dir) << "\n";
  if (const std::string shared = PublishToCluster(args.data, *dir); !shared.empty()) {
    std::cout << shared << "\n";
  }
  if (imported->kept_previous) {
    std::cout << "the previous CAPF certificate (serial "
              << HexUpper(imported->kept_previous->SerialBytes(), "")
              << ") is kept in certs/previous/ as a trusted issuer: its LSCs stay valid\n";
  }
  if (*name == service::kCapf) {
    std::cout << "LSCs are now issued under it and chain to " +
                     (imported->chain.empty() ? c.Subject() : imported->chain.back().Subject())
              << "\nnext: give your 802.1X/VPN head-ends the new trust: opencapf trust export "
                 "--for radius --out ca.pem"
              << DataArg(args.data) << "\n";
  }
  for (const auto& note : imported->notes) std::cout << "note: " << note << "\n";
  return kOk;
}

}  // namespace

void AddCertCommands(CLI::App& root, ExitCode& exit) {
  // What NAME and --key take, for the manual and the shell completion (the commands read them).
  const std::vector<std::string> certificate_names = {service::kCapf, service::kCallManager, "tftp",
                                                      service::kTvs, service::kItlRecovery};
  const std::vector<std::string> key_specs = {"rsa:2048", "rsa:4096", "ec:256", "ec:384"};
  auto* cert = root.add_subcommand(
      "cert", "The service certificates: list, show, regenerate, CSR for a CA, import");
  cert->require_subcommand(1);
  cert->footer(
      "Names: capf, callmanager (also: tftp), tvs, itlrecovery. A running 'opencapf serve' "
      "picks up a regenerated or imported certificate within seconds (or on SIGHUP).\n"
      "Exit status: 0 done; 1 refused, nothing changed; 2 a bad name, --key, --days or "
      "--subject.");
  {
    auto* cmd = cert->add_subcommand("list", "List the service certificates and their validity");
    auto args = std::make_shared<ListArgs>();
    cmd->add_flag("--json", args->json, "Print a JSON array");
    AddDataOption(*cmd, args->data);
    cmd->callback([args, &exit]() { exit.value = RunList(*args); });
  }
  {
    auto* cmd = cert->add_subcommand("show", "Show one service certificate");
    auto args = std::make_shared<ShowArgs>();
    Choices(cmd->add_option("NAME", args->name, "capf, callmanager (tftp), tvs, itlrecovery"),
            certificate_names)
        ->required();
    cmd->add_flag("--pem", args->pem, "Print the certificate (and its chain) as PEM");
    AddDataOption(*cmd, args->data);
    cmd->callback([args, &exit]() { exit.value = RunShow(*args); });
  }
  {
    auto* cmd = cert->add_subcommand(
        "regenerate", "Replace a service certificate with a new self-signed one (needs --yes)");
    auto args = std::make_shared<RegenerateArgs>();
    Choices(cmd->add_option("NAME", args->name, "capf, callmanager (tftp), tvs, itlrecovery"),
            certificate_names)
        ->required();
    Choices(cmd->add_option("--key", args->key,
                            "New key: rsa:2048, rsa:4096, ec:256, ec:384 (default: as the current "
                            "one)"),
            key_specs);
    cmd->add_option("--days", args->days, "Validity in days (default 1825; itlrecovery 7300)");
    cmd->add_flag("--yes", args->yes, "Do it: without it the command says what would happen");
    AddDataOption(*cmd, args->data);
    cmd->callback([args, &exit]() { exit.value = RunRegenerate(*args); });
  }
  {
    auto* cmd = cert->add_subcommand(
        "csr", "A certificate signing request for a third-party CA (PEM on stdout or --out)");
    auto args = std::make_shared<CsrArgs>();
    Choices(cmd->add_option("NAME", args->name, "capf, callmanager (tftp), tvs, itlrecovery"),
            certificate_names)
        ->required();
    cmd->add_option("--subject", args->subject,
                    "Subject, e.g. 'CN=CAPF-pub1,O=Example' (default: the current one)");
    cmd->add_flag("--new-key", args->new_key,
                  "Make a fresh key, kept pending in certs/pending/NAME.key until 'cert import' "
                  "(default: sign with the current key)");
    Choices(
        cmd->add_option("--key", args->key, "With --new-key: rsa:2048, rsa:4096, ec:256, ec:384"),
        key_specs);
    cmd->add_option("--out", args->out, "Write the CSR here instead of stdout")->type_name("FILE");
    AddDataOption(*cmd, args->data);
    cmd->callback([args, &exit]() { exit.value = RunCsr(*args); });
  }
  {
    auto* cmd = cert->add_subcommand(
        "import", "Install a certificate a CA signed (for the pending or the current key)");
    auto args = std::make_shared<ImportArgs>();
    Choices(cmd->add_option("NAME", args->name, "capf, callmanager (tftp), tvs, itlrecovery"),
            certificate_names)
        ->required();
    cmd->add_option("SIGNED", args->file,
                    "The signed certificate, PEM (may be followed by its "
                    "chain) or DER")
        ->required();
    cmd->add_option("--chain", args->chain, "The issuing CA's certificate and intermediates (PEM)")
        ->type_name("CHAIN.pem");
    AddDataOption(*cmd, args->data);
    cmd->callback([args, &exit]() { exit.value = RunImport(*args); });
  }
}

}  // namespace opencapf::cli
