// `opencapf sgn build|show|verify|strip`: signed (.sgn) and encrypted (.enc.sgn) files as the
// phones read them and as administrators used to make them by hand.
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/file.h"
#include "base/json.h"
#include "cli/command.h"
#include "cli/data_dir_options.h"
#include "opencapf_paths.h"
#include "cli/option_choices.h"
#include "phone/itl.h"
#include "pki/certificate.h"
#include "pki/private_key.h"
#include "service/data_dir.h"
#include "sgn/encrypted_config.h"
#include "sgn/show.h"
#include "sgn/signed_file.h"
#include "tlv/trust_list.h"

namespace opencapf::cli {

namespace {

// Exit codes of show, verify and strip (the same as `itl`'s).
constexpr int kSgnValid = 0;
constexpr int kSgnInvalid = 1;
constexpr int kSgnMalformed = 2;

struct LoadedSigned {
  Bytes bytes;
  sgn::SignedFile file;
};

Result<LoadedSigned> LoadSigned(const std::string& path) {
  auto bytes = ReadFile(path);
  if (!bytes.ok()) return bytes.error();
  auto parsed = sgn::Parse(*bytes);
  if (!parsed.ok()) return Fail(path + ": not a valid signed (.sgn) file: " + parsed.message());
  return LoadedSigned{std::move(*bytes), std::move(*parsed)};
}

// The certificates a phone would check a signed file with: one given by --cert, or every
// TFTP-role record (TFTP, CCM+TFTP) of the ITL given by --itl that carries its certificate.
Result<std::vector<pki::Certificate>> SgnSigners(const std::string& cert, const std::string& itl) {
  if (!cert.empty()) {
    auto loaded = pki::Certificate::Load(cert);
    if (!loaded.ok()) return Fail("--cert: " + loaded.message());
    return std::vector<pki::Certificate>{*loaded};
  }
  auto bytes = ReadFile(itl);
  if (!bytes.ok()) return Fail("--itl: " + bytes.message());
  auto list = tlv::Parse(*bytes);
  if (!list.ok()) return Fail("--itl: " + itl + " is not a trust list: " + list.message());
  std::vector<pki::Certificate> out = phone::TftpCertificates(*list);
  if (out.empty()) {
    return Fail("--itl: " + itl +
                " lists no TFTP or CCM+TFTP certificate: a phone with this ITL checks no "
                "signed file");
  }
  return out;
}

// Checks against each candidate; the first valid verdict wins, else the one naming the right
// signer, else the first.
sgn::Verification VerifyAgainst(const LoadedSigned& loaded,
                                const std::vector<pki::Certificate>& signers) {
  std::optional<sgn::Verification> best;
  for (const auto& signer : signers) {
    auto v = sgn::Verify(loaded.bytes, loaded.file, signer);
    if (v.valid()) return v;
    if (!best || (best->verdict == sgn::Verification::Verdict::kOtherSigner &&
                  v.verdict != sgn::Verification::Verdict::kOtherSigner)) {
      best = v;
    }
  }
  return *best;
}

struct SgnSignerFiles {
  std::string signer;
  std::string signer_key;
  std::string data = kDefaultDataDir;
};

// --signer (with --signer-key), or the data directory's CallManager/TFTP certificate.
Result<std::pair<pki::Certificate, pki::PrivateKey>> LoadSgnSigner(const SgnSignerFiles& files) {
  std::string cert_path = files.signer, key_path = files.signer_key;
  if (cert_path.empty()) {
    const service::DataDir dir(files.data);
    cert_path = dir.certificate(service::kCallManager).string();
    if (key_path.empty()) key_path = dir.key(service::kCallManager).string();
    if (!std::filesystem::exists(cert_path)) {
      return Fail("no --signer given and " + cert_path +
                  " does not exist: give --signer PEM (the TFTP certificate and its key) or "
                  "--data DIR of an initialised opencapf");
    }
  }
  if (key_path.empty()) key_path = cert_path;
  auto cert = pki::Certificate::Load(cert_path);
  if (!cert.ok()) return Fail("--signer: " + cert.message());
  auto key = pki::PrivateKey::Load(key_path);
  if (!key.ok()) {
    return Fail("--signer: " + key.message() +
                "\n  The signer file must hold the certificate and its private key (cat tftp.crt "
                "tftp.key > tftp.pem), or name the key with --signer-key.");
  }
  return std::pair{std::move(*cert), std::move(*key)};
}

struct SgnBuildArgs {
  std::string file;
  SgnSignerFiles signer;
  std::string digest = "sha1";
  std::string filename;
  std::string out;
  std::string encrypt_to;
  std::optional<std::uint32_t> timestamp;
};

int RunSgnBuild(const SgnBuildArgs& args) {
  const std::string who = "opencapf sgn build: ";
  auto content = ReadFile(args.file);
  if (!content.ok()) {
    std::cerr << who << content.message() << "\n";
    return 2;
  }
  auto signer = LoadSgnSigner(args.signer);
  if (!signer.ok()) {
    std::cerr << who << signer.message() << "\n";
    return 2;
  }
  const bool encrypt = !args.encrypt_to.empty();
  const std::string suffix = encrypt ? ".enc.sgn" : ".sgn";
  const std::string base = std::filesystem::path(args.file).filename().string();
  sgn::SignOptions options;
  options.digest = *pki::ParseDigest(args.digest);
  options.filename = args.filename.empty() ? base + suffix : args.filename;
  options.timestamp = args.timestamp;
  const std::string out = args.out.empty() ? args.file + suffix : args.out;

  Result<Bytes> built = Fail("");
  std::string what;
  if (encrypt) {
    auto device = pki::Certificate::Load(args.encrypt_to);
    if (!device.ok()) {
      std::cerr << who << "--encrypt-to: " << device.message() << "\n";
      return 2;
    }
    built = sgn::EncryptConfig(signer->first, signer->second, *content, *device, options);
    what = ", encrypted to " + device->Subject() + " (certHash " + sgn::CertHash(*device) + ")";
  } else {
    built = sgn::Sign(signer->first, signer->second, *content, options);
  }
  if (!built.ok()) {
    std::cerr << who << built.message() << "\n";
    return 2;
  }
  if (auto st = WriteFileAtomic(out, *built, 0644); !st.ok()) {
    std::cerr << who << st.message() << "\n";
    return 2;
  }
  std::cout << "wrote " << out << ": " << built->size() << " bytes (" << options.filename
            << "), signed by " << signer->first.Subject() << " with "
            << pki::DigestName(options.digest) << what << "\n"
            << "check it with: opencapf sgn verify " << Shell(out) << " --cert TFTP.pem\n";
  return 0;
}

void AddSgnBuild(CLI::App& sgn_cmd, ExitCode& exit) {
  auto* cmd = sgn_cmd.add_subcommand(
      "build", "Sign a file as NAME.sgn (or encrypt a configuration as NAME.enc.sgn)");
  auto args = std::make_shared<SgnBuildArgs>();
  cmd->add_option("FILE", args->file, "The file to sign, e.g. SEP001122334455.cnf.xml")->required();
  cmd->add_option("--signer", args->signer.signer,
                  "PEM file holding the TFTP certificate and its RSA key (default: the data "
                  "directory's CallManager/TFTP certificate)");
  cmd->add_option("--signer-key", args->signer.signer_key,
                  "The signer's private key, if kept apart");
  AddDataOption(*cmd, args->signer.data);
  OneOf(cmd->add_option("--digest", args->digest, "Signature hash: sha1 or sha512"),
        {"sha1", "sha512"})
      ->capture_default_str();
  cmd->add_option("--filename", args->filename,
                  "FILENAME written in the header (default: FILE's name + .sgn)");
  cmd->add_option("--out", args->out, "File to write (default: FILE.sgn)");
  cmd->add_option("--encrypt-to", args->encrypt_to,
                  "Encrypt the content to this phone certificate (its RSA LSC or MIC) and write "
                  "NAME.enc.sgn, as CUCM's Encrypted TFTP Configuration does")
      ->check(CLI::ExistingFile);
  cmd->add_option("--timestamp", args->timestamp, "Unix time for TIMESTAMP (default: now)");
  cmd->callback([args, &exit]() { exit.value = RunSgnBuild(*args); });
}

struct SgnCheckArgs {
  std::string file;
  std::string cert;
  std::string itl;
  bool json = false;
};

void AddSgnShow(CLI::App& sgn_cmd, ExitCode& exit) {
  auto* cmd = sgn_cmd.add_subcommand(
      "show",
      "Print a signed file's header the way 'show itl' prints one (exit 0, 1 invalid "
      "signature with --cert/--itl, 2 malformed)");
  auto args = std::make_shared<SgnCheckArgs>();
  cmd->add_option("FILE", args->file, "NAME.sgn or NAME.enc.sgn")->required();
  auto* cert =
      cmd->add_option("--cert", args->cert, "Also check the signature with this TFTP certificate");
  cmd->add_option("--itl", args->itl, "Also check it against this ITL's TFTP records")
      ->excludes(cert);
  cmd->add_flag("--json", args->json, "Print the same facts as JSON");
  cmd->callback([args, &exit]() {
    auto loaded = LoadSigned(args->file);
    if (!loaded.ok()) {
      std::cerr << "opencapf sgn show: " << loaded.message() << "\n";
      exit.value = kSgnMalformed;
      return;
    }
    std::optional<sgn::Verification> verification;
    if (!args->cert.empty() || !args->itl.empty()) {
      auto signers = SgnSigners(args->cert, args->itl);
      if (!signers.ok()) {
        std::cerr << "opencapf sgn show: " << signers.message() << "\n";
        exit.value = kSgnMalformed;
        return;
      }
      verification = VerifyAgainst(*loaded, *signers);
    }
    if (args->json) {
      std::cout << DumpJson(sgn::ToJson(loaded->bytes, loaded->file, verification)) << "\n";
    } else {
      std::cout << sgn::RenderShow(loaded->bytes, loaded->file, verification);
    }
    exit.value = verification && !verification->valid() ? kSgnInvalid : kSgnValid;
  });
}

void AddSgnVerify(CLI::App& sgn_cmd, ExitCode& exit) {
  auto* cmd = sgn_cmd.add_subcommand(
      "verify",
      "Check a signed file against the TFTP certificate (exit 0 valid, 1 invalid, 2 "
      "malformed)");
  auto args = std::make_shared<SgnCheckArgs>();
  cmd->add_option("FILE", args->file, "NAME.sgn or NAME.enc.sgn")->required();
  auto* cert = cmd->add_option("--cert", args->cert, "The TFTP certificate it must be signed by");
  auto* itl = cmd->add_option("--itl", args->itl,
                              "Check it as a phone does: against this ITL's TFTP records");
  cert->excludes(itl);
  cmd->callback([cmd, args, &exit]() {
    if (args->cert.empty() && args->itl.empty()) {
      std::cerr << "opencapf sgn verify: give --cert TFTP.pem or --itl ITLFile.tlv\n"
                << "Run with --help for more information.\n";
      exit.value = kSgnMalformed;
      return;
    }
    (void)cmd;
    auto loaded = LoadSigned(args->file);
    if (!loaded.ok()) {
      std::cout << args->file << ": malformed: " << loaded.message() << "\n";
      exit.value = kSgnMalformed;
      return;
    }
    auto signers = SgnSigners(args->cert, args->itl);
    if (!signers.ok()) {
      std::cerr << "opencapf sgn verify: " << signers.message() << "\n";
      exit.value = kSgnMalformed;
      return;
    }
    auto v = VerifyAgainst(*loaded, *signers);
    if (v.valid()) {
      std::cout << args->file << ": valid: " << loaded->file.header.filename << ", " << v.reason
                << "\n";
      exit.value = kSgnValid;
    } else {
      std::cout << args->file << ": signature invalid: " << v.reason << "\n";
      exit.value = kSgnInvalid;
    }
  });
}

struct SgnStripArgs {
  std::string file;
  std::string out;
  std::string key;
};

void AddSgnStrip(CLI::App& sgn_cmd, ExitCode& exit) {
  auto* cmd = sgn_cmd.add_subcommand(
      "strip",
      "Write a signed file's content without its header (an .enc.sgn decrypted with "
      "--key)");
  auto args = std::make_shared<SgnStripArgs>();
  cmd->add_option("FILE", args->file, "NAME.sgn or NAME.enc.sgn")->required();
  cmd->add_option("--out", args->out, "File to write (default: standard output)");
  cmd->add_option("--key", args->key,
                  "The phone's private key (PEM) that opens an .enc.sgn; the digest is checked")
      ->check(CLI::ExistingFile);
  cmd->callback([args, &exit]() {
    const std::string who = "opencapf sgn strip: ";
    auto loaded = LoadSigned(args->file);
    if (!loaded.ok()) {
      std::cerr << who << loaded.message() << "\n";
      exit.value = kSgnMalformed;
      return;
    }
    const ByteView body = sgn::Body(loaded->bytes, loaded->file);
    Bytes content(body.begin(), body.end());
    if (loaded->file.encrypted()) {
      if (args->key.empty()) {
        std::cerr << who << args->file
                  << " is encrypted: give --key PHONE.key (the private key of the certificate "
                     "it was encrypted to) to decrypt it\n";
        exit.value = kSgnMalformed;
        return;
      }
      auto key = pki::PrivateKey::Load(args->key);
      if (!key.ok()) {
        std::cerr << who << "--key: " << key.message() << "\n";
        exit.value = kSgnMalformed;
        return;
      }
      auto plain = sgn::DecryptConfig(loaded->bytes, loaded->file, *key);
      if (!plain.ok()) {
        std::cerr << who << plain.message() << "\n";
        exit.value = kSgnInvalid;
        return;
      }
      content = std::move(*plain);
    }
    if (args->out.empty()) {
      std::cout.write(reinterpret_cast<const char*>(content.data()),
                      static_cast<std::streamsize>(content.size()));
    } else if (auto st = WriteFileAtomic(args->out, content, 0600); !st.ok()) {
      std::cerr << who << st.message() << "\n";
      exit.value = kSgnMalformed;
      return;
    }
    exit.value = kSgnValid;
  });
}

}  // namespace

void AddSgnCommands(CLI::App& root, ExitCode& exit) {
  auto* sgn_cmd = root.add_subcommand(
      "sgn", "Build, read, verify and strip signed (.sgn) and encrypted (.enc.sgn) files");
  sgn_cmd->require_subcommand(1);
  AddSgnBuild(*sgn_cmd, exit);
  AddSgnShow(*sgn_cmd, exit);
  AddSgnVerify(*sgn_cmd, exit);
  AddSgnStrip(*sgn_cmd, exit);
}

}  // namespace opencapf::cli
