#include "capf/commands.h"

namespace opencapf::capf {

namespace {

Message Empty(Command command, std::uint32_t session_id) {
  Message m;
  m.command = command;
  m.session_id = session_id;
  return m;
}

std::string Label(Tag tag) {
  return TagName(tag) + " (tag " + std::to_string(static_cast<int>(tag)) + ")";
}

// Decodes an element's structured value, prefixing errors with the command.
template <typename T>
Result<T> Structured(const Message& m, ByteView value, Result<T> (*decode)(ByteView)) {
  auto out = decode(value);
  if (!out.ok()) return Context(CommandName(m.command), out.error());
  return out;
}

Result<Reason> ReasonOf(const Message& m) {
  auto reason = m.U8(Tag::kReason);
  if (!reason.ok()) return reason.error();
  return static_cast<Reason>(*reason);
}

Result<Reason> ReasonReply(const Message& m, Command command) {
  if (auto st = ExpectCommand(m, command); !st.ok()) return st.error();
  return ReasonOf(m);
}

Message ReasonMessage(Command command, std::uint32_t session_id, Reason reason) {
  Message m = Empty(command, session_id);
  m.AddU8(Tag::kReason, static_cast<std::uint8_t>(reason));
  return m;
}

Status AddCertificate(Message& m, const WrappedCertificate& certificate) {
  auto value = EncodeCertificate(certificate);
  if (!value.ok()) return Context(CommandName(m.command), value.error());
  m.Add(Tag::kCertificate, *value);
  return Status::Ok();
}

Result<std::optional<WrappedCertificate>> OptionalCertificate(const Message& m) {
  const Element* e = m.Find(Tag::kCertificate);
  if (!e) return std::optional<WrappedCertificate>();
  auto certificate = Structured<WrappedCertificate>(m, e->value, DecodeCertificate);
  if (!certificate.ok()) return certificate.error();
  return std::optional<WrappedCertificate>(std::move(certificate).value());
}

}  // namespace

Status ExpectCommand(const Message& message, Command command) {
  if (message.command == command) return Status::Ok();
  return Fail("expected " + CommandName(command) + ", got " + CommandName(message.command));
}

Message MakeAuthRequest(std::uint32_t session_id, const AuthRequest& request) {
  Message m = Empty(Command::kAuthRequest, session_id);
  m.AddU8(Tag::kVersion, request.version);
  m.AddU8(Tag::kAuthType, static_cast<std::uint8_t>(request.auth_type));
  return m;
}

Result<AuthRequest> ParseAuthRequest(const Message& message) {
  if (auto st = ExpectCommand(message, Command::kAuthRequest); !st.ok()) return st.error();
  AuthRequest out;
  auto version = message.U8(Tag::kVersion);
  if (!version.ok()) return version.error();
  out.version = *version;
  auto auth_type = message.U8(Tag::kAuthType);
  if (!auth_type.ok()) return auth_type.error();
  out.auth_type = static_cast<AuthType>(*auth_type);
  return out;
}

Message MakeKeyGenRequest(std::uint32_t session_id, const KeyGenRequest& request) {
  Message m = Empty(Command::kKeyGenRequest, session_id);
  if (request.key_type == KeyType::kEc) {
    m.AddU8(Tag::kKeyType, static_cast<std::uint8_t>(KeyType::kEc));
    m.AddU8(Tag::kCurve, static_cast<std::uint8_t>(request.curve));
  } else {
    m.AddU16(Tag::kKeySize, request.key_size);
    m.AddU8(Tag::kKeyType, static_cast<std::uint8_t>(request.key_type));
  }
  return m;
}

Result<KeyGenRequest> ParseKeyGenRequest(const Message& message) {
  if (auto st = ExpectCommand(message, Command::kKeyGenRequest); !st.ok()) return st.error();
  KeyGenRequest out;
  if (message.Has(Tag::kKeyType)) {
    auto type = message.U8(Tag::kKeyType);
    if (!type.ok()) return type.error();
    if (*type > static_cast<std::uint8_t>(KeyType::kEc)) {
      return Fail(CommandName(message.command) + ": " + Label(Tag::kKeyType) + " " +
                  std::to_string(*type) + " is neither RSA (0) nor EC (1)");
    }
    out.key_type = static_cast<KeyType>(*type);
  }
  if (out.key_type == KeyType::kRsa) {
    auto size = message.U16(Tag::kKeySize);
    if (!size.ok()) return size.error();
    if (*size == 0) {
      return Fail(CommandName(message.command) + ": " + Label(Tag::kKeySize) + " is 0 bits");
    }
    out.key_size = *size;
  } else {
    auto curve = message.U8(Tag::kCurve);
    if (!curve.ok()) return curve.error();
    if (*curve > static_cast<std::uint8_t>(Curve::kSecp521r1)) {
      return Fail(CommandName(message.command) + ": " + Label(Tag::kCurve) + " " +
                  std::to_string(*curve) +
                  " is not a known curve (0 secp256r1, 1 secp384r1, 2 secp521r1)");
    }
    out.curve = static_cast<Curve>(*curve);
  }
  return out;
}

Result<KeyGenRequest> KeyGenRequestFor(const pki::KeySpec& spec) {
  KeyGenRequest out;
  if (spec.algorithm == pki::KeyAlgorithm::kRsa) {
    if (spec.bits <= 0 || spec.bits > 0xffff) {
      return Fail("RSA key size " + std::to_string(spec.bits) + " does not fit KEY_SIZE");
    }
    out.key_type = KeyType::kRsa;
    out.key_size = static_cast<std::uint16_t>(spec.bits);
    return out;
  }
  if (spec.algorithm == pki::KeyAlgorithm::kEc) {
    out.key_type = KeyType::kEc;
    switch (spec.bits) {
      case 256:
        out.curve = Curve::kSecp256r1;
        return out;
      case 384:
        out.curve = Curve::kSecp384r1;
        return out;
      case 521:
        out.curve = Curve::kSecp521r1;
        return out;
    }
    return Fail("EC key size " + std::to_string(spec.bits) +
                " has no CAPF curve (256, 384 and 521 do)");
  }
  return Fail("a CAPF key request is RSA or EC");
}

Result<pki::KeySpec> KeySpecFor(const KeyGenRequest& request) {
  if (request.key_type == KeyType::kRsa) {
    auto spec = pki::KeySpec::Parse("rsa:" + std::to_string(request.key_size));
    if (!spec.ok()) return Context("KEY_GEN_REQUEST", spec.error());
    return spec;
  }
  if (request.key_type == KeyType::kEc) {
    switch (request.curve) {
      case Curve::kSecp256r1:
        return pki::KeySpec{pki::KeyAlgorithm::kEc, 256};
      case Curve::kSecp384r1:
        return pki::KeySpec{pki::KeyAlgorithm::kEc, 384};
      case Curve::kSecp521r1:
        return pki::KeySpec{pki::KeyAlgorithm::kEc, 521};
    }
    return Fail("KEY_GEN_REQUEST: " + CurveName(request.curve) + " is not a known curve");
  }
  return Fail("KEY_GEN_REQUEST: key type " + std::to_string(static_cast<int>(request.key_type)) +
              " is neither RSA (0) nor EC (1)");
}

Result<Message> MakeStoreCertRequest(std::uint32_t session_id, const StoreCertRequest& request) {
  Message m = Empty(Command::kStoreCertRequest, session_id);
  m.AddU8(Tag::kCertType, static_cast<std::uint8_t>(request.cert_type));
  if (auto st = AddCertificate(m, request.certificate); !st.ok()) return st.error();
  return m;
}

Result<StoreCertRequest> ParseStoreCertRequest(const Message& message) {
  if (auto st = ExpectCommand(message, Command::kStoreCertRequest); !st.ok()) return st.error();
  auto value = message.Value(Tag::kCertificate);
  if (!value.ok()) return value.error();
  auto certificate = Structured<WrappedCertificate>(message, *value, DecodeCertificate);
  if (!certificate.ok()) return certificate.error();
  StoreCertRequest out;
  out.certificate = std::move(certificate).value();
  out.cert_type = out.certificate.type;
  if (message.Has(Tag::kCertType)) {
    auto type = message.U8(Tag::kCertType);
    if (!type.ok()) return type.error();
    out.cert_type = static_cast<CertType>(*type);
  }
  return out;
}

Message MakeFetchCertRequest(std::uint32_t session_id) {
  return Empty(Command::kFetchCertRequest, session_id);
}

Message MakeDeleteCertRequest(std::uint32_t session_id) {
  return Empty(Command::kDeleteCertRequest, session_id);
}

Message MakeEndSession(std::uint32_t session_id, const EndSession& end) {
  Message m = ReasonMessage(Command::kEndSession, session_id, end.reason);
  if (!end.info.empty()) {
    // Cut to what fits beside REASON (4 bytes) with the element header and NUL (4 more), so
    // building never fails for a long diagnostic.
    m.AddText(Tag::kReasonInfo, std::string_view(end.info).substr(0, kMaxBody - 8));
  }
  return m;
}

Result<EndSession> ParseEndSession(const Message& message) {
  if (auto st = ExpectCommand(message, Command::kEndSession); !st.ok()) return st.error();
  EndSession out;
  auto reason = ReasonOf(message);
  if (!reason.ok()) return reason.error();
  out.reason = *reason;
  if (message.Has(Tag::kReasonInfo)) out.info = *message.Text(Tag::kReasonInfo);
  return out;
}

Result<Message> MakeAuthResponse(std::uint32_t session_id, const AuthResponse& response) {
  Message m = Empty(Command::kAuthResponse, session_id);
  if (response.device_name.empty()) {
    return Fail(CommandName(m.command) + ": the device name is empty");
  }
  if (response.reason) m.AddU8(Tag::kReason, static_cast<std::uint8_t>(*response.reason));
  if (response.version) m.AddU8(Tag::kVersion, *response.version);
  m.AddText(Tag::kPassword, response.password);
  m.AddText(Tag::kDeviceName, response.device_name);
  if (response.certificate) {
    if (auto st = AddCertificate(m, *response.certificate); !st.ok()) return st.error();
  }
  if (response.signed_data) m.Add(Tag::kSignedData, *response.signed_data);
  if (response.sha2_signed_data) {
    auto value = EncodeSha2SignedData(*response.sha2_signed_data);
    if (!value.ok()) return Context(CommandName(m.command), value.error());
    m.Add(Tag::kSha2SignedData, *value);
  }
  if (response.sudi) {
    auto value = EncodeSudiData(*response.sudi);
    if (!value.ok()) return Context(CommandName(m.command), value.error());
    m.Add(Tag::kSudiData, *value);
  }
  return m;
}

Result<AuthResponse> ParseAuthResponse(const Message& message) {
  if (auto st = ExpectCommand(message, Command::kAuthResponse); !st.ok()) return st.error();
  const std::string what = CommandName(message.command);
  AuthResponse out;
  out.reason.reset();
  out.version.reset();
  if (message.Has(Tag::kReason)) {
    auto reason = ReasonOf(message);
    if (!reason.ok()) return reason.error();
    out.reason = *reason;
  }
  if (message.Has(Tag::kVersion)) {
    auto version = message.U8(Tag::kVersion);
    if (!version.ok()) return version.error();
    out.version = *version;
  }
  auto name = message.Text(Tag::kDeviceName);
  if (!name.ok()) return name.error();
  if (name->empty()) return Fail(what + ": " + Label(Tag::kDeviceName) + " is empty");
  for (std::size_t i = 0; i < name->size(); ++i) {
    auto c = static_cast<std::uint8_t>((*name)[i]);
    if (c < 0x20 || c == 0x7f) {
      return Fail(what + ": " + Label(Tag::kDeviceName) + " has control character " +
                  std::to_string(c) + " at position " + std::to_string(i));
    }
  }
  out.device_name = std::move(name).value();
  if (message.Has(Tag::kPassword)) out.password = *message.Text(Tag::kPassword);
  auto certificate = OptionalCertificate(message);
  if (!certificate.ok()) return certificate.error();
  out.certificate = std::move(certificate).value();
  if (const Element* e = message.Find(Tag::kSignedData)) {
    if (e->value.empty()) return Fail(what + ": " + Label(Tag::kSignedData) + " is empty");
    out.signed_data = e->value;
  }
  if (const Element* e = message.Find(Tag::kSha2SignedData)) {
    auto sha2 = Structured<Sha2SignedData>(message, e->value, DecodeSha2SignedData);
    if (!sha2.ok()) return sha2.error();
    out.sha2_signed_data = std::move(sha2).value();
  }
  if (const Element* e = message.Find(Tag::kSudiData)) {
    auto sudi = Structured<SudiData>(message, e->value, DecodeSudiData);
    if (!sudi.ok()) return sudi.error();
    out.sudi = std::move(sudi).value();
  }
  return out;
}

Message MakeRequestInProgress(std::uint32_t session_id) {
  return Empty(Command::kRequestInProgress, session_id);
}

Result<Message> MakeKeyGenResponse(std::uint32_t session_id, const KeyGenResponse& response) {
  Message m = Empty(Command::kKeyGenResponse, session_id);
  if (!response.public_key.empty()) {
    if (response.public_key.size() > kMaxBody - 3) {
      return Fail(CommandName(m.command) + ": public key of " +
                  std::to_string(response.public_key.size()) + " bytes does not fit a message");
    }
    m.Add(Tag::kPublicKey, response.public_key);
    return m;
  }
  if (!response.reason) {
    return Fail(CommandName(m.command) + ": neither a public key nor a failure reason to send");
  }
  m.AddU8(Tag::kReason, static_cast<std::uint8_t>(*response.reason));
  return m;
}

Result<KeyGenResponse> ParseKeyGenResponse(const Message& message) {
  if (auto st = ExpectCommand(message, Command::kKeyGenResponse); !st.ok()) return st.error();
  const std::string what = CommandName(message.command);
  KeyGenResponse out;
  if (const Element* e = message.Find(Tag::kPublicKey)) {
    if (e->value.empty()) return Fail(what + ": " + Label(Tag::kPublicKey) + " is empty");
    out.public_key = e->value;
    return out;
  }
  if (!message.Has(Tag::kReason)) {
    return Fail(what + ": neither " + Label(Tag::kPublicKey) + " nor " + Label(Tag::kReason) +
                ": the phone sent no key and no reason");
  }
  auto reason = ReasonOf(message);
  if (!reason.ok()) return reason.error();
  out.reason = *reason;
  return out;
}

Message MakeStoreCertResponse(std::uint32_t session_id, Reason reason) {
  return ReasonMessage(Command::kStoreCertResponse, session_id, reason);
}

Result<Reason> ParseStoreCertResponse(const Message& message) {
  return ReasonReply(message, Command::kStoreCertResponse);
}

Message MakeDeleteCertResponse(std::uint32_t session_id, Reason reason) {
  return ReasonMessage(Command::kDeleteCertResponse, session_id, reason);
}

Result<Reason> ParseDeleteCertResponse(const Message& message) {
  return ReasonReply(message, Command::kDeleteCertResponse);
}

Result<Message> MakeFetchCertResponse(std::uint32_t session_id, const FetchCertResponse& response) {
  Message m = ReasonMessage(Command::kFetchCertResponse, session_id, response.reason);
  if (response.certificate) {
    if (auto st = AddCertificate(m, *response.certificate); !st.ok()) return st.error();
  }
  return m;
}

Result<FetchCertResponse> ParseFetchCertResponse(const Message& message) {
  if (auto st = ExpectCommand(message, Command::kFetchCertResponse); !st.ok()) return st.error();
  FetchCertResponse out;
  auto reason = ReasonOf(message);
  if (!reason.ok()) return reason.error();
  out.reason = *reason;
  auto certificate = OptionalCertificate(message);
  if (!certificate.ok()) return certificate.error();
  out.certificate = std::move(certificate).value();
  return out;
}

}  // namespace opencapf::capf
