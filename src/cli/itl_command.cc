// `opencapf itl show|verify|build|diff`: trust-list files as administrators use them.
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/file.h"
#include "base/json.h"
#include "cli/command.h"
#include "cli/option_choices.h"
#include "pki/certificate.h"
#include "pki/private_key.h"
#include "tlv/build.h"
#include "tlv/diff.h"
#include "tlv/show.h"
#include "tlv/trust_list.h"
#include "tlv/verify.h"

namespace opencapf::cli {

namespace {

// Exit codes shared by show and verify.
constexpr int kValid = 0;
constexpr int kInvalid = 1;
constexpr int kMalformed = 2;

struct LoadedList {
  Bytes bytes;
  tlv::TrustList list;
};

Result<LoadedList> Load(const std::string& path) {
  auto bytes = ReadFile(path);
  if (!bytes.ok()) return bytes.error();
  auto list = tlv::Parse(*bytes);
  if (!list.ok()) return Fail(path + ": not a valid trust-list file: " + list.message());
  return LoadedList{std::move(*bytes), std::move(*list)};
}

void AddShow(CLI::App& itl, ExitCode& exit) {
  auto* cmd = itl.add_subcommand("show", "Print a trust-list file the way CUCM's 'show itl' does");
  auto file = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  cmd->add_option("FILE", *file, "ITLFile.tlv or CTLFile.tlv")->required();
  cmd->add_flag("--json", *json, "Print the same facts as JSON");
  cmd->callback([file, json, &exit]() {
    auto loaded = Load(*file);
    if (!loaded.ok()) {
      std::cerr << "opencapf itl show: " << loaded.message() << "\n";
      exit.value = kMalformed;
      return;
    }
    auto verification = tlv::Verify(loaded->bytes, loaded->list);
    if (*json) {
      std::cout << DumpJson(tlv::ToJson(loaded->bytes, loaded->list, verification)) << "\n";
    } else {
      std::cout << tlv::RenderShowItl(loaded->bytes, loaded->list, verification);
    }
    exit.value = verification.valid() ? kValid : kInvalid;
  });
}

void AddVerify(CLI::App& itl, ExitCode& exit) {
  auto* cmd = itl.add_subcommand(
      "verify", "Check a trust-list file's signature (exit 0 valid, 1 invalid, 2 malformed)");
  auto file = std::make_shared<std::string>();
  cmd->add_option("FILE", *file, "ITLFile.tlv or CTLFile.tlv")->required();
  cmd->callback([file, &exit]() {
    auto loaded = Load(*file);
    if (!loaded.ok()) {
      std::cout << *file << ": malformed: " << loaded.message() << "\n";
      exit.value = kMalformed;
      return;
    }
    auto v = tlv::Verify(loaded->bytes, loaded->list);
    if (v.valid()) {
      std::cout << *file << ": valid: " << loaded->list.records.size() << " records, " << v.reason
                << "\n";
      exit.value = kValid;
    } else {
      std::cout << *file << ": signature invalid: " << v.reason << "\n";
      exit.value = kInvalid;
    }
  });
}

struct BuildArgs {
  std::string out;
  std::string signer;
  std::string signer_key;
  std::string digest = "sha1";
  std::string filename;
  std::optional<std::uint32_t> timestamp;
  std::vector<std::string> hash_only;
  std::map<std::string, std::vector<std::string>> role_files;  // flag name -> files
};

const std::vector<std::pair<std::string, tlv::Role>>& RoleFlags() {
  static const std::vector<std::pair<std::string, tlv::Role>> flags = {
      {"--sast", tlv::Role::kSast},
      {"--ccm", tlv::Role::kCcm},
      {"--ccm-tftp", tlv::Role::kCcmTftp},
      {"--tftp", tlv::Role::kTftp},
      {"--capf", tlv::Role::kCapf},
      {"--tvs", tlv::Role::kTvs},
      {"--app-server", tlv::Role::kAppServer},
  };
  return flags;
}

int RunBuild(CLI::App& cmd, const BuildArgs& args) {
  const std::string who = "opencapf itl build: ";
  auto signer = pki::Certificate::Load(args.signer);
  if (!signer.ok()) {
    std::cerr << who << "--signer: " << signer.message() << "\n";
    return 2;
  }
  const std::string key_path = args.signer_key.empty() ? args.signer : args.signer_key;
  auto key = pki::PrivateKey::Load(key_path);
  if (!key.ok()) {
    std::cerr << who << "--signer: " << key.message() << "\n"
              << "  The signer file must hold the certificate and its private key "
                 "(cat signer.crt signer.key > signer.pem), or name the key with --signer-key.\n";
    return 2;
  }

  std::vector<tlv::Role> hash_only_roles;
  for (const auto& name : args.hash_only) {
    auto role = tlv::ParseRole(name);
    if (!role) {
      std::cerr << who << "--hash-only: '" << name
                << "' is not a role (use sast, ccm, ccm+tftp, tftp, capf, tvs, app-server; "
                   "CUCM lists capf,tvs by hash)\n";
      return 2;
    }
    hash_only_roles.push_back(*role);
  }

  // Rebuild the order the role flags were given in, across all of them.
  std::map<const CLI::Option*, std::size_t> used;
  std::vector<tlv::RecordSpec> records;
  for (const CLI::Option* opt : cmd.parse_order()) {
    tlv::Role role{};
    bool is_role = false;
    for (const auto& [flag, r] : RoleFlags()) {
      if (opt->check_lname(flag.substr(2))) {
        role = r;
        is_role = true;
      }
    }
    if (!is_role) continue;
    const auto& results = opt->results();
    std::size_t index = used[opt]++;
    if (index >= results.size()) continue;
    const std::string& path = results[index];
    auto cert = pki::Certificate::Load(path);
    if (!cert.ok()) {
      std::cerr << who << "--" << opt->get_lnames().front() << ": " << cert.message() << "\n";
      return 2;
    }
    bool hash_only =
        std::find(hash_only_roles.begin(), hash_only_roles.end(), role) != hash_only_roles.end();
    records.push_back({role, *cert, hash_only, std::nullopt});
  }

  tlv::BuildOptions options;
  options.digest = *pki::ParseDigest(args.digest);
  options.filename = args.filename.empty() ? "ITLFile.tlv" : args.filename;
  options.timestamp = args.timestamp;
  auto built = tlv::Build(*signer, *key, records, options);
  if (!built.ok()) {
    std::cerr << who << built.message() << "\n";
    return 2;
  }
  if (auto st = WriteFileAtomic(args.out, *built, 0644); !st.ok()) {
    std::cerr << who << st.message() << "\n";
    return 2;
  }
  auto parsed = tlv::Parse(*built);
  std::size_t count = parsed.ok() ? parsed->records.size() : 0;
  std::cout << "wrote " << args.out << ": " << built->size() << " bytes, " << count
            << " records, signed by " << signer->Subject() << " with "
            << pki::DigestName(options.digest) << " (signer version "
            << (options.digest == pki::Digest::kSha512 ? "1.1" : "1.0") << ")\n"
            << "check it with: opencapf itl show " << args.out << "\n";
  return 0;
}

void AddBuild(CLI::App& itl, ExitCode& exit) {
  auto* cmd = itl.add_subcommand("build", "Build and sign a trust-list file from certificates");
  auto args = std::make_shared<BuildArgs>();
  cmd->add_option("OUT", args->out, "File to write, e.g. ITLFile.tlv")->required();
  cmd->add_option("--signer", args->signer,
                  "PEM file holding the signing certificate and its RSA private key; it is "
                  "listed as a SAST record unless --sast names it")
      ->required();
  cmd->add_option("--signer-key", args->signer_key, "The signer's private key, if kept apart");
  for (const auto& [flag, role] : RoleFlags()) {
    cmd->add_option(flag, args->role_files[flag],
                    "Certificate to list with role " +
                        tlv::RoleName(static_cast<std::uint16_t>(role)) +
                        " (repeatable; records keep the order given)")
        ->expected(1)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
        ->check(CLI::ExistingFile);
  }
  OneOf(cmd->add_option("--digest", args->digest,
                        "Signature hash: sha1 (signer 1.0) or sha512 (1.1)"),
        {"sha1", "sha512"})
      ->capture_default_str();
  cmd->add_option("--filename", args->filename,
                  "FILENAME written in the header (default: OUT's name)");
  cmd->add_option("--timestamp", args->timestamp, "Unix time for TIMESTAMP (default: now)");
  cmd->add_option("--hash-only", args->hash_only,
                  "Roles listed by SHA-1 hash only, CUCM style, e.g. capf,tvs")
      ->delimiter(',');
  cmd->callback([cmd, args, &exit]() {
    if (args->filename.empty()) args->filename = std::filesystem::path(args->out).filename();
    exit.value = RunBuild(*cmd, *args);
  });
}

void AddDiff(CLI::App& itl, ExitCode& exit) {
  auto* cmd = itl.add_subcommand(
      "diff", "Compare two trust-list files by role and certificate (exit 0 same, 1 different)");
  auto a = std::make_shared<std::string>();
  auto b = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  cmd->add_option("A", *a, "The old file")->required();
  cmd->add_option("B", *b, "The new file")->required();
  cmd->add_flag("--json", *json, "Print the changes as JSON");
  cmd->callback([a, b, json, &exit]() {
    auto la = Load(*a);
    auto lb = Load(*b);
    for (const auto* l : {&la, &lb}) {
      if (!l->ok()) {
        std::cerr << "opencapf itl diff: " << l->message() << "\n";
        exit.value = 2;
        return;
      }
    }
    auto changes = tlv::Diff(la->list, lb->list);
    if (*json) {
      std::cout << DumpJson(tlv::DiffJson(changes)) << "\n";
    } else {
      std::cout << tlv::RenderDiff(changes);
    }
    exit.value = changes.empty() ? 0 : 1;
  });
}

}  // namespace

void AddItlCommands(CLI::App& root, ExitCode& exit) {
  auto* itl =
      root.add_subcommand("itl", "Read, verify, build and compare ITL/CTL trust-list files");
  itl->require_subcommand(1);
  AddShow(*itl, exit);
  AddVerify(*itl, exit);
  AddBuild(*itl, exit);
  AddDiff(*itl, exit);
  // A CTL has the same format; `ctl build` writes CTLFile.tlv unless told otherwise.
  auto* ctl =
      root.add_subcommand("ctl", "The same commands for CTLFile.tlv (same format as the ITL)");
  ctl->require_subcommand(1);
  AddShow(*ctl, exit);
  AddVerify(*ctl, exit);
  AddBuild(*ctl, exit);
  AddDiff(*ctl, exit);
}

}  // namespace opencapf::cli
