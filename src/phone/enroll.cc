// The phone's enrollment: TFTP (ITLFile.tlv, SEP<MAC>.cnf.xml), the ITL rules, CAPF over TLS
// pinned to the ITL's CAPF record, the CAPF session, and the LSC kept.
#include "phone/enroll.h"

#include <algorithm>

#include "capf/commands.h"
#include "http/client.h"
#include "net/tls.h"
#include "phone/boot.h"
#include "phone/cnf.h"
#include "phone/connect.h"
#include "phone/itl.h"
#include "phone/state.h"
#include "pki/digest.h"
#include "sgn/signed_file.h"

namespace opencapf::phone {

namespace {

using capf::Command;
using capf::Reason;

std::string ReasonText(Reason reason) {
  switch (reason) {
    case Reason::kNoAction:
      return "no action (0)";
    case Reason::kOk:
      return "ok (1)";
    case Reason::kInvalidElement:
      return "refused (7)";
    case Reason::kUnknownDevice:
      return "unknown device (9)";
  }
  return "reason " + std::to_string(static_cast<int>(reason));
}

std::string Sha1Text(const pki::Certificate& certificate) {
  return "SHA-1 " + HexUpper(pki::Sha1(certificate.der()), " ");
}

class Enrollment {
 public:
  Enrollment(const EnrollOptions& options, const std::function<void(const EnrollLine&)>& out,
             const Clock& clock)
      : options_(options), out_(out), clock_(clock) {}

  asio::awaitable<void> Run();
  EnrollResult& result() { return result_; }
  void Save();

 private:
  void Status(const std::string& text) {
    result_.status_messages.push_back(text);
    out_({true, text});
  }
  void Log(const std::string& text) { out_({false, text}); }
  void Exit(int code) { result_.exit_code = code; }

  bool LoadState();
  asio::awaitable<bool> TakeItl();
  /// Downloads `name` from the current TFTP server, moving to the next one of the list while
  /// servers do not answer at all (a server that answers, even "not found", is kept).
  asio::awaitable<tftp::FetchResult> FetchFile(const std::string& name);
  asio::awaitable<void> ReadCnf();
  bool ChooseCredentials(capf::PhoneCredentials& credentials);
  asio::awaitable<void> RunCapf(const std::vector<const tlv::Record*>& capf_records);
  void ConnectionFailed(const std::string& why);

  const EnrollOptions& options_;
  const std::function<void(const EnrollLine&)>& out_;
  const Clock& clock_;
  EnrollResult result_;
  std::optional<PhoneState> state_;
  std::optional<VerifiedItl> trusted_;  // the ITL the phone trusts after this run's update
  std::optional<capf::HeldCertificate> lsc_;
  std::optional<capf::HeldCertificate> mic_;
  std::optional<PhoneCnf> cnf_;
  HostPort capf_;
  tftp::ClientOptions tftp_options_;
  std::size_t tftp_index_ = 0;  ///< which of tftp, more_tftp... answers
  const HostPort& Tftp() const {
    return tftp_index_ == 0 ? options_.tftp : options_.more_tftp[tftp_index_ - 1];
  }
};

bool Enrollment::LoadState() {
  if (!options_.state) return true;
  auto state = PhoneState::Open(*options_.state, true);
  if (!state.ok()) {
    Log("state: " + state.message());
    Exit(kEnrollUsage);
    return false;
  }
  state_ = std::move(*state);
  auto itl = state_->Itl();
  if (!itl.ok()) {
    Log("state: " + itl.message());
  } else if (*itl) {
    ItlReading reading = ReadItl(**itl);
    if (reading.itl) {
      trusted_ = std::move(reading.itl);
      Log("state: holds an ITL signed by " + trusted_->signer_record().subject);
    } else {
      Log("state: the ITL kept in " + options_.state->string() + " is unusable (" + reading.reason +
          "); starting without one");
    }
  }
  auto lsc = state_->Lsc();
  if (!lsc.ok()) {
    Log("state: " + lsc.message() + "; starting without an LSC");
  } else {
    lsc_ = *lsc;
  }
  auto mic = state_->Mic();
  if (mic.ok()) mic_ = *mic;
  return true;
}

asio::awaitable<tftp::FetchResult> Enrollment::FetchFile(const std::string& name) {
  auto executor = co_await asio::this_coro::executor;
  if (options_.http_port) {
    // A current phone asks each file over HTTP once, and over TFTP when that fails.
    http::HttpClientOptions http_options;
    http_options.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(options_.timeout);
    auto get = http::Get(executor, Tftp().host, *options_.http_port, name, http_options);
    http::HttpFetch got = co_await std::move(get);
    if (got.ok()) {
      Log("http: " + got.message);
      tftp::FetchResult fetched;
      fetched.data = std::move(got.data);
      fetched.server = Tftp().host + ":" + std::to_string(*options_.http_port) + " (HTTP)";
      co_return fetched;
    }
    Log("http: " + got.message + "; trying TFTP");
  }
  for (;;) {
    const HostPort server = Tftp();
    auto download = tftp::Fetch(executor, server.host, server.port, name, tftp_options_);
    tftp::FetchResult fetched = co_await std::move(download);
    const bool silent = fetched.failure == tftp::FetchFailure::kTimeout ||
                        fetched.failure == tftp::FetchFailure::kResolve;
    if (!silent || tftp_index_ >= options_.more_tftp.size()) co_return fetched;
    ++tftp_index_;
    Log("tftp: " + server.ToString() + " does not answer (" + fetched.message +
        "); trying the next TFTP server, " + Tftp().ToString());
  }
}

// Downloads ITLFile.tlv and decides whether to install it. False: stop here (exit code set).
asio::awaitable<bool> Enrollment::TakeItl() {
  const std::string name = "ITLFile.tlv";
  tftp::FetchResult fetched = co_await FetchFile(name);
  if (!fetched.ok()) {
    Log("tftp: " + fetched.message);
    if (fetched.failure == tftp::FetchFailure::kNotFound) {
      Log("itl: the TFTP server has no ITLFile.tlv" +
          std::string(trusted_ ? "; keeping the ITL installed before" : ""));
      co_return true;
    }
    Status(fetched.failure == tftp::FetchFailure::kTimeout ? kTftpTimeout : kTftpError);
    if (trusted_) {
      Log("itl: keeping the ITL installed before");
      co_return true;
    }
    Exit(kEnrollTftp);
    co_return false;
  }
  Log("tftp: " + name + " from " + fetched.server + " (" + std::to_string(fetched.data.size()) +
      " bytes, blksize " + std::to_string(fetched.blksize) + ")");
  ItlReading reading = ReadItl(fetched.data);
  if (!reading.itl) {
    Log("itl: " + name + " refused: " + reading.reason);
    Status(kTrustListUpdateFailed);
    if (trusted_) {
      Log("itl: keeping the ITL installed before");
      co_return true;
    }
    Log("itl: no trusted ITL: the phone cannot verify any CAPF certificate");
    Status(kNoValidCapf);
    Exit(kEnrollItlRefused);
    co_return false;
  }
  const VerifiedItl& candidate = *reading.itl;
  Log("itl: signature verified, signed by " + candidate.signer_record().subject + "; " +
      std::to_string(candidate.list.records.size()) + " records");
  if (trusted_ && trusted_->bytes == candidate.bytes) {
    Log("itl: unchanged since the last download");
    co_return true;
  }
  if (trusted_) {
    if (auto st = SignerTrusted(candidate, *trusted_); !st.ok()) {
      Log("itl: " + name + " refused: " + st.message());
      Status(kTrustListUpdateFailed);
      Log("itl: keeping the ITL installed before");
      co_return true;
    }
    Log("itl: the new ITL's signer is trusted by the ITL installed before: installed");
  } else {
    Log("itl: no ITL installed before: this one is trusted as the first (as a new phone does)");
  }
  trusted_ = std::move(*reading.itl);
  if (state_) {
    if (auto st = state_->SaveItl(trusted_->bytes); !st.ok()) Log("state: " + st.message());
  }
  co_return true;
}

asio::awaitable<void> Enrollment::ReadCnf() {
  // A phone whose ITL lists a TFTP certificate asks for its configuration signed, and takes it
  // only if the signature verifies (for an encrypted configuration this is the pointer file,
  // which carries capfAuthMode and capfList too).
  const std::vector<pki::Certificate> signers =
      trusted_ ? TftpCertificates(trusted_->list) : std::vector<pki::Certificate>{};
  const std::string name = options_.device + ".cnf.xml" + (signers.empty() ? "" : ".sgn");
  tftp::FetchResult fetched = co_await FetchFile(name);
  if (!fetched.ok()) {
    Log("tftp: " + fetched.message);
    co_return;
  }
  if (!signers.empty()) {
    auto parsed = sgn::Parse(fetched.data);
    std::string why = parsed.ok() ? "" : parsed.message();
    bool valid = false;
    if (parsed.ok() && !sgn::SameFileName(parsed->header.filename, name)) {
      why = "it is signed as " + parsed->header.filename + ", not as " + name;
    } else if (parsed.ok() && parsed->encrypted()) {
      why = "it is encrypted, where a signed plain file belongs";
    }
    for (const auto& signer : signers) {
      if (!parsed.ok() || valid || !why.empty()) break;
      sgn::Verification v = sgn::Verify(fetched.data, *parsed, signer);
      valid = v.valid();
      if (!valid) why = v.reason;
    }
    if (!valid) {
      Log("sgn: " + name + " refused: " + why);
      Status(std::string(kFileAuthError) + ": " + name);
      co_return;
    }
    Log("sgn: " + name + ": signature valid, signed by " + parsed->header.signer_name);
    const ByteView body = sgn::Body(fetched.data, *parsed);
    fetched.data = Bytes(body.begin(), body.end());
  }
  auto cnf = ParseCnf(fetched.data);
  if (!cnf.ok()) {
    Log("cnf: " + name + " is unusable: " + cnf.message());
    co_return;
  }
  std::string capf_text;
  for (const HostPort& c : cnf->capf) capf_text += (capf_text.empty() ? "" : ", ") + c.ToString();
  Log("cnf: " + name + ": capfAuthMode " +
      (cnf->capf_auth_mode ? std::to_string(*cnf->capf_auth_mode) + " (" +
                                 CapfAuthModeText(*cnf->capf_auth_mode) + ")"
                           : std::string("absent")) +
      ", CAPF " + (capf_text.empty() ? std::string("not listed") : capf_text));
  cnf_ = std::move(*cnf);
}

// What the phone authenticates with, by the configuration's capfAuthMode. False: cannot go on.
bool Enrollment::ChooseCredentials(capf::PhoneCredentials& credentials) {
  credentials.device_name = options_.device;
  credentials.lsc = lsc_;
  credentials.mic = mic_;
  const std::optional<int> mode = cnf_ ? cnf_->capf_auth_mode : std::nullopt;
  auto present = [&](const std::optional<capf::HeldCertificate>& first,
                     const std::optional<capf::HeldCertificate>& second) {
    const auto& chosen = first ? first : second;
    if (chosen) {
      credentials.present = chosen;
      Log(std::string("capf: authenticating with its ") +
          (chosen->type == capf::CertType::kLsc ? "LSC " : "MIC ") + chosen->certificate.Subject());
    } else {
      Log("capf: the phone has neither an LSC nor a MIC to authenticate with");
    }
  };
  if (mode == 1) {
    if (!options_.auth_string) {
      Log("capf: the configuration asks for an authentication string (capfAuthMode 1): give "
          "the one the administrator set with --auth-string DIGITS");
      Exit(kEnrollUsage);
      return false;
    }
    credentials.auth_string = *options_.auth_string;
    Log("capf: authenticating with the authentication string");
  } else if (mode == 3) {
    present(lsc_, mic_);
  } else if (mode == 4) {
    present(mic_, lsc_);
  } else if (mode == 2 || !options_.auth_string) {
    Log("capf: authenticating with the null string");
  } else {
    credentials.auth_string = *options_.auth_string;
    Log("capf: authenticating with the authentication string");
  }
  return true;
}

void Enrollment::ConnectionFailed(const std::string& why) {
  Log(why);
  Log("CAPF operation failed, ret -7");
  Status(kLscConnectionFailed);
  Exit(kEnrollConnectionFailed);
}

asio::awaitable<void> Enrollment::RunCapf(const std::vector<const tlv::Record*>& capf_records) {
  capf::PhoneCredentials credentials;
  if (!ChooseCredentials(credentials)) co_return;

  auto context = net::MakeClientContext({});
  if (!context.ok()) {
    Log("tls: " + context.message());
    Exit(kEnrollUsage);
    co_return;
  }
  Log("capf: connecting to " + capf_.ToString());
  const auto timeout = std::chrono::milliseconds(options_.timeout);
  auto connect = ConnectTls(*context, capf_.host, capf_.port, timeout);
  TlsConnection connection = co_await std::move(connect);
  if (!connection.ok()) {
    if (connection.failure == ConnectFailure::kResolve) {
      Log("Failed to resolve CAPF Ipv4 Address with hostname " + capf_.host);
      Log("CAPF create bio failed");
      ConnectionFailed("capf: " + connection.message);
    } else {
      ConnectionFailed("capf: " + connection.message);
    }
    co_return;
  }
  if (!connection.server_certificate) {
    ConnectionFailed("capf: the server presented no certificate");
    Close(connection);
    co_return;
  }
  const pki::Certificate& server = *connection.server_certificate;
  const auto match = std::find_if(capf_records.begin(), capf_records.end(),
                                  [&](auto* r) { return RecordMatches(*r, server); });
  if (match == capf_records.end()) {
    std::string listed;
    for (const tlv::Record* r : capf_records) {
      listed += (listed.empty() ? "" : "; ") + r->subject + " (" + RecordHashText(*r) + ")";
    }
    ConnectionFailed("capf: the server certificate " + server.Subject() + " (" + Sha1Text(server) +
                     ") does not match the ITL's CAPF record: " + listed);
    Close(connection);
    co_return;
  }
  Log("capf: server certificate " + server.Subject() + " matches the ITL's CAPF record (" +
      RecordHashText(**match) + ")");
  result_.status_messages.reserve(8);

  capf::PhoneScript script = options_.script;
  bool pending_shown = false;
  auto show_pending = [&] {
    if (!pending_shown) Status(kLscPending);
    pending_shown = true;
  };
  script.on_message = [&](const capf::Message& message) {
    switch (message.command) {
      case Command::kAuthRequest: {
        auto request = capf::ParseAuthRequest(message);
        Log("capf: AUTH_REQUEST" +
            (request.ok() ? " (version " + std::to_string(request->version) + ", auth type " +
                                std::to_string(static_cast<int>(request->auth_type)) + ")"
                          : std::string()));
        break;
      }
      case Command::kKeyGenRequest: {
        show_pending();
        auto request = capf::ParseKeyGenRequest(message);
        auto spec = request.ok() ? capf::KeySpecFor(*request) : Result<pki::KeySpec>(Fail(""));
        Log("capf: KEY_GEN_REQUEST " +
            (spec.ok() ? spec->ToString() : std::string("(unreadable)")) +
            ": generating the key pair, REQUEST_IN_PROGRESS sent while it works");
        break;
      }
      case Command::kStoreCertRequest:
        Log("capf: STORE_CERT_REQUEST: the LSC");
        break;
      case Command::kDeleteCertRequest:
        show_pending();
        Log("capf: DELETE_CERT_REQUEST: deleting the LSC");
        break;
      case Command::kFetchCertRequest:
        Log("capf: FETCH_CERT_REQUEST: sending the phone's certificate (troubleshoot)");
        break;
      case Command::kEndSession: {
        auto end = capf::ParseEndSession(message);
        if (end.ok()) {
          Log("capf: END_SESSION " + ReasonText(end->reason) +
              (end->info.empty() ? "" : ": " + end->info));
        }
        break;
      }
      default:
        Log("capf: " + capf::CommandName(message.command));
    }
  };
  auto outcome =
      co_await capf::RunPhoneSession(*connection.stream, credentials, script, options_.timeout);
  Close(connection);
  if (!outcome.ok()) {
    std::string why = outcome.message();
    const std::string phone_word = "the phone closed the connection";
    if (auto at = why.find(phone_word); at != std::string::npos) {
      why.replace(at, phone_word.size(), "CAPF closed the connection");
    }
    Log("capf: the session broke off: " + why);
    Status(kLscOperationPending);
    Exit(kEnrollPending);
    co_return;
  }
  if (!outcome->end) {
    Log("capf: the session ended without END_SESSION");
    Status(kLscOperationPending);
    Exit(kEnrollPending);
    co_return;
  }
  const Reason reason = outcome->end->reason;
  if (reason == Reason::kOk && outcome->lsc && outcome->key) {
    const pki::Certificate& lsc = *outcome->lsc;
    Log("capf: LSC serial " + HexUpper(lsc.SerialBytes(), "") + ", " + lsc.Subject() +
        ", issued by " + lsc.Issuer() + ", valid until " + pki::FormatUtc(lsc.not_after()));
    if (state_) {
      if (auto st = state_->SaveLsc(lsc, *outcome->key); !st.ok()) {
        Log("state: " + st.message());
      } else {
        Log("state: LSC and its key kept in " + state_->dir().string() +
            " (lsc.pem, lsc.key mode 0600)");
      }
    }
    result_.lsc = lsc;
    Status(kLscInstalled);
    Exit(kEnrollDone);
    co_return;
  }
  if (reason == Reason::kOk && outcome->deleted) {
    if (state_) {
      if (auto st = state_->RemoveLsc(); !st.ok()) Log("state: " + st.message());
    }
    Status(kLscNotInstalled);
    Exit(kEnrollDone);
    co_return;
  }
  if (reason == Reason::kNoAction && outcome->fetched) {
    Log("capf: CAPF fetched the phone's certificate (Troubleshoot)");
    Exit(kEnrollDone);
    co_return;
  }
  if (reason == Reason::kNoAction) {
    Log("capf: CAPF has no certificate operation scheduled for " + options_.device);
    Exit(kEnrollNothingToDo);
    co_return;
  }
  if (reason == Reason::kUnknownDevice) {
    Log("capf: CAPF does not know " + options_.device);
  } else if (reason != Reason::kOk) {
    Log("capf: CAPF refused the operation");
  } else {
    Log("capf: CAPF ended the session before the operation completed");
  }
  Status(kLscFailed);
  Exit(kEnrollFailed);
}

asio::awaitable<void> Enrollment::Run() {
  const auto seconds = std::max<long long>(options_.timeout.count(), 1);
  tftp_options_.retransmit_timeout = std::chrono::milliseconds(1000);
  tftp_options_.max_retries = static_cast<int>(std::clamp<long long>(seconds - 1, 1, 5));
  tftp_options_.max_time = options_.timeout;
  if (!LoadState()) co_return;
  if (options_.mic) {
    mic_ = options_.mic;
    if (state_) {
      if (auto st = state_->SaveMic(*options_.mic); !st.ok()) Log("state: " + st.message());
    }
  }
  if (!co_await TakeItl()) co_return;
  co_await ReadCnf();

  if (options_.capf) {
    capf_ = *options_.capf;
  } else if (cnf_ && !cnf_->capf.empty()) {
    capf_ = cnf_->capf.front();
  } else {
    capf_ = HostPort{Tftp().host, 3804};
    Log("capf: no CAPF in the configuration: trying the TFTP server's host on port 3804");
  }

  if (!trusted_) {
    Log("itl: the phone holds no ITL, so it has no CAPF certificate to trust");
    Status(kNoValidCapf);
    Exit(kEnrollNoCapf);
    co_return;
  }
  const auto capf_records = RecordsWithRole(trusted_->list, tlv::Role::kCapf);
  if (capf_records.empty()) {
    Log("itl: the ITL has no CAPF record (FUNCTION CAPF)");
    Status(kNoValidCapf);
    Exit(kEnrollNoCapf);
    co_return;
  }
  for (const tlv::Record* r : capf_records) {
    Log("itl: CAPF record " + r->subject + " (" + RecordHashText(*r) + ")");
  }
  co_await RunCapf(capf_records);
}

void Enrollment::Save() {
  if (!state_) return;
  LastRun run;
  run.device = options_.device;
  run.at = clock_.Now();
  run.tftp = Tftp().ToString();
  run.capf = capf_.host.empty() ? "" : capf_.ToString();
  run.status_messages = result_.status_messages;
  run.exit_code = result_.exit_code;
  if (auto st = state_->SaveLast(run); !st.ok()) Log("state: " + st.message());
}

}  // namespace

EnrollResult Enroll(const EnrollOptions& options, const std::function<void(const EnrollLine&)>& out,
                    const Clock& clock) {
  asio::io_context io;
  Enrollment enrollment(options, out, clock);
  bool finished = false;
  asio::co_spawn(io, enrollment.Run(),
                 [&](std::exception_ptr error) { finished = error == nullptr; });
  io.run();
  if (!finished) {
    out({false, "the simulator stopped unexpectedly"});
    enrollment.result().exit_code = kEnrollPending;
  }
  enrollment.Save();
  return enrollment.result();
}

}  // namespace opencapf::phone
