// The phone's boot after enrollment: ITL, then its configuration, over HTTP first and TFTP on
// failure, checked the way the ITL and the configuration say.
#include "phone/boot.h"

#include <pugixml.hpp>

#include "http/client.h"
#include "phone/itl.h"
#include "phone/state.h"
#include "sgn/encrypted_config.h"
#include "sgn/signed_file.h"
#include "tftp/client.h"

namespace opencapf::phone {

namespace {

struct Fetched {
  bool ok = false;
  bool not_found = false;  ///< both ways said the file does not exist
  Bytes data;
  std::string message;
};

class Booting {
 public:
  Booting(const BootOptions& options, const std::function<void(const EnrollLine&)>& out)
      : options_(options), out_(out) {}

  void Run();
  BootResult& result() { return result_; }

 private:
  void Status(const std::string& text) {
    result_.status_messages.push_back(text);
    out_({true, text});
  }
  void Log(const std::string& text) { out_({false, text}); }
  void Exit(int code) { result_.exit_code = code; }

  // A current phone asks each file over HTTP once, and over TFTP when that fails.
  Fetched Fetch(const std::string& name) {
    Fetched out;
    bool http_not_found = false;
    if (options_.http_port) {
      http::HttpClientOptions http_options;
      http_options.timeout =
          std::chrono::duration_cast<std::chrono::milliseconds>(options_.timeout);
      http::HttpFetch got =
          http::GetBlocking(options_.tftp.host, *options_.http_port, name, http_options);
      if (got.ok()) {
        Log("http: " + got.message);
        result_.over.push_back("http");
        out.ok = true;
        out.data = std::move(got.data);
        return out;
      }
      http_not_found = got.failure == http::HttpFailure::kNotFound;
      Log("http: " + got.message + "; trying TFTP");
    }
    tftp::ClientOptions tftp_options;
    tftp_options.max_time = options_.timeout;
    tftp_options.max_retries = static_cast<int>(std::max<long long>(1, options_.timeout.count()));
    tftp::FetchResult got =
        tftp::FetchBlocking(options_.tftp.host, options_.tftp.port, name, tftp_options);
    if (!got.ok()) {
      Log("tftp: " + got.message);
      out.not_found =
          got.failure == tftp::FetchFailure::kNotFound && (http_not_found || !options_.http_port);
      out.message = got.message;
      return out;
    }
    Log("tftp: " + name + " from " + got.server + " (" + std::to_string(got.data.size()) +
        " bytes)");
    result_.over.push_back("tftp");
    out.ok = true;
    out.data = std::move(got.data);
    return out;
  }

  bool TakeItl();
  std::optional<Bytes> SignedConfig(const std::string& name);
  bool Decrypt(const Bytes& pointer);

  const BootOptions& options_;
  const std::function<void(const EnrollLine&)>& out_;
  BootResult result_;
  std::optional<PhoneState> state_;
  std::optional<VerifiedItl> itl_;
  std::vector<pki::Certificate> tftp_certificates_;
};

bool Booting::TakeItl() {
  std::optional<VerifiedItl> held;
  if (options_.state) {
    auto state = PhoneState::Open(*options_.state, true);
    if (!state.ok()) {
      Log("state: " + state.message());
      Exit(kBootUsage);
      return false;
    }
    state_ = std::move(*state);
    if (auto bytes = state_->Itl(); bytes.ok() && *bytes) {
      ItlReading reading = ReadItl(**bytes);
      if (reading.itl) held = std::move(reading.itl);
    }
  }
  Fetched fetched = Fetch("ITLFile.tlv");
  if (fetched.ok) {
    ItlReading reading = ReadItl(fetched.data);
    if (!reading.itl) {
      Log("itl: ITLFile.tlv refused: " + reading.reason);
      Status(kTrustListUpdateFailed);
    } else if (held && !(held->bytes == reading.itl->bytes)) {
      if (auto st = SignerTrusted(*reading.itl, *held); !st.ok()) {
        Log("itl: ITLFile.tlv refused: " + st.message());
        Status(kTrustListUpdateFailed);
      } else {
        held = std::move(reading.itl);
        Log("itl: a new ITL, signed by a signer the one held trusts: installed");
      }
    } else if (!held) {
      held = std::move(reading.itl);
      Log("itl: no ITL held before: this one is trusted as the first");
    } else {
      Log("itl: unchanged");
    }
  }
  if (!held) {
    Log("itl: the phone has no trusted ITL");
    Exit(fetched.ok ? kBootItlRefused : kBootTftp);
    if (!fetched.ok) Status(kTftpError);
    return false;
  }
  itl_ = std::move(held);
  if (state_) {
    if (auto st = state_->SaveItl(itl_->bytes); !st.ok()) Log("state: " + st.message());
  }
  tftp_certificates_ = TftpCertificates(itl_->list);
  Log(tftp_certificates_.empty()
          ? "itl: no TFTP certificate listed: the phone reads its files unsigned"
          : "itl: lists the TFTP certificate " + tftp_certificates_.front().Subject() +
                ": the phone asks for signed files");
  return true;
}

// Downloads `name` (a .sgn) and checks it with the ITL's TFTP certificate; the content on success.
std::optional<Bytes> Booting::SignedConfig(const std::string& name) {
  Fetched fetched = Fetch(name);
  if (!fetched.ok) {
    Status(std::string(kConfigNotFound) + ": " + name);
    Exit(kBootNoConfig);
    return std::nullopt;
  }
  auto parsed = sgn::Parse(fetched.data);
  if (!parsed.ok()) {
    Log("sgn: " + name + " is malformed: " + parsed.message());
    Status(std::string(kFileAuthError) + ": " + name);
    Exit(kBootAuthFailed);
    return std::nullopt;
  }
  std::string why;
  // A file signed for another name (another phone's configuration, or an encrypted file where
  // a plain one belongs) is refused like a bad signature: the signature covers FILENAME.
  const bool wants_encrypted = name.ends_with(".enc.sgn");
  if (!sgn::SameFileName(parsed->header.filename, name)) {
    why = "it is signed as " + parsed->header.filename + ", not as " + name;
  } else if (parsed->encrypted() != wants_encrypted) {
    why = parsed->encrypted() ? "it is encrypted, where a signed plain file belongs"
                              : "it is not encrypted, where an encrypted file belongs";
  } else {
    for (const auto& certificate : tftp_certificates_) {
      sgn::Verification v = sgn::Verify(fetched.data, *parsed, certificate);
      if (v.valid()) {
        Log("sgn: " + name + ": " + v.reason);
        const ByteView body = sgn::Body(fetched.data, *parsed);
        if (parsed->encrypted()) return Bytes(fetched.data.begin(), fetched.data.end());
        return Bytes(body.begin(), body.end());
      }
      why = v.reason;
    }
  }
  Log("sgn: " + name + " refused: " + why);
  Status(std::string(kFileAuthError) + ": " + name);
  Exit(kBootAuthFailed);
  return std::nullopt;
}

bool Booting::Decrypt(const Bytes& pointer) {
  const std::string cnf = options_.device + ".cnf.xml";
  pugi::xml_document doc;
  if (!doc.load_buffer(pointer.data(), pointer.size())) {
    Log("cnf: " + cnf + " is not XML");
    Status(std::string(kDecryptionFailed) + ": " + cnf);
    Exit(kBootDecryptFailed);
    return false;
  }
  const std::string cert_hash = doc.select_node("//certHash").node().child_value();
  std::optional<capf::HeldCertificate> own;
  if (state_) {
    if (auto lsc = state_->Lsc(); lsc.ok() && *lsc) own = **lsc;
    if (!own) {
      if (auto mic = state_->Mic(); mic.ok() && *mic) own = **mic;
    }
  }
  if (!own) {
    Log("cnf: the configuration is encrypted, and this phone holds no LSC or MIC (--state) to "
        "open it with");
    Status(std::string(kDecryptionFailed) + ": " + cnf);
    Exit(kBootDecryptFailed);
    return false;
  }
  const std::string mine = sgn::CertHash(own->certificate);
  if (cert_hash.empty() || !std::equal(cert_hash.begin(), cert_hash.end(), mine.begin(), mine.end(),
                                       [](char a, char b) { return std::tolower(a) == b; })) {
    Log("cnf: the configuration is encrypted to certificate " +
        (cert_hash.empty() ? std::string("(no certHash)") : cert_hash) + ", this phone holds " +
        mine + " (" + own->certificate.Subject() + ")");
    Status(std::string(kDecryptionFailed) + ": " + cnf);
    Exit(kBootDecryptFailed);
    return false;
  }
  Log("cnf: encrypted to this phone's " +
      std::string(own->type == capf::CertType::kLsc ? "LSC" : "MIC") + " (certHash " + mine + ")");
  const std::string name = cnf + ".enc.sgn";
  auto file = SignedConfig(name);
  if (!file) return false;
  auto parsed = sgn::Parse(*file);
  auto plain =
      parsed.ok() ? sgn::DecryptConfig(*file, *parsed, own->key) : Result<Bytes>(parsed.error());
  if (!plain.ok()) {
    Log("cnf: " + name + ": " + plain.message());
    Status(std::string(kDecryptionFailed) + ": " + name);
    Exit(kBootDecryptFailed);
    return false;
  }
  Log("cnf: " + name + " decrypted: " + std::to_string(plain->size()) + " bytes, digest verified");
  result_.encrypted = true;
  result_.config = std::move(*plain);
  return true;
}

void Booting::Run() {
  if (!TakeItl()) return;
  const std::string cnf = options_.device + ".cnf.xml";
  Bytes config;
  if (!tftp_certificates_.empty()) {
    auto content = SignedConfig(cnf + ".sgn");
    if (!content) return;
    result_.signed_config = true;
    config = std::move(*content);
  } else {
    Fetched fetched = Fetch(cnf);
    if (!fetched.ok) {
      Status(std::string(kConfigNotFound) + ": " + cnf);
      Exit(kBootNoConfig);
      return;
    }
    config = std::move(fetched.data);
  }
  pugi::xml_document doc;
  const bool is_xml = static_cast<bool>(doc.load_buffer(config.data(), config.size()));
  const bool pointer =
      is_xml && std::string(doc.select_node("//encrConfig").node().child_value()) == "true";
  if (pointer) {
    Decrypt(config);
    return;
  }
  if (options_.encrypted_config) {
    Log("cnf: " + cnf +
        " came in full and unencrypted, but this phone expects an encrypted "
        "configuration");
    Status(std::string(kDecryptionFailed) + ": " + cnf);
    Exit(kBootDecryptFailed);
    return;
  }
  Log("cnf: " + cnf + ": " + std::to_string(config.size()) + " bytes" +
      (result_.signed_config ? ", signed" : ", unsigned"));
  result_.config = std::move(config);
}

}  // namespace

BootResult Boot(const BootOptions& options, const std::function<void(const EnrollLine&)>& out) {
  Booting booting(options, out);
  booting.Run();
  return std::move(booting.result());
}

}  // namespace opencapf::phone
