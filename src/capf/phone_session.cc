// The phone's side of a CAPF session: answer AUTH_REQUEST, then whatever the server asks,
// until END_SESSION.
#include "capf/phone_session.h"

#include "capf/auth_signature.h"
#include "pki/public_key.h"

namespace opencapf::capf {

namespace {
using StopAt = PhoneScript::StopAt;
}  // namespace

asio::awaitable<Result<PhoneOutcome>> RunPhoneSession(net::TlsStream& stream,
                                                      const PhoneCredentials& credentials,
                                                      const PhoneScript& script,
                                                      std::chrono::seconds message_timeout) {
  net::MessageChannel<Framing> channel(stream, "the server", {.max_body = kMaxBody});
  PhoneOutcome outcome;

  auto first = co_await channel.Read(message_timeout, "AUTH_REQUEST");
  if (!first.ok()) co_return first.error();
  outcome.received.push_back(first->command);
  if (script.on_message) script.on_message(*first);
  if (auto st = ExpectCommand(*first, Command::kAuthRequest); !st.ok()) co_return st.error();
  if (script.stop_at == StopAt::kAfterAuthRequest) co_return outcome;
  const std::uint32_t session = script.session_id_override.value_or(first->session_id);

  AuthResponse auth;
  auth.device_name = credentials.device_name;
  auth.password = credentials.auth_string;
  if (credentials.present) {
    const HeldCertificate& held = *credentials.present;
    auto st = SignAuthResponse(auth, held.key, {held.type, held.certificate.der()});
    if (!st.ok()) co_return st.error();
  }
  if (credentials.sudi) {
    auto sudi = SignSudi(session, credentials.sudi->key, credentials.sudi->certificate.der());
    if (!sudi.ok()) co_return sudi.error();
    auth.sudi = *sudi;
  }
  auto auth_message = MakeAuthResponse(session, auth);
  if (!auth_message.ok()) co_return auth_message.error();
  if (auto st = co_await channel.Write(*auth_message, message_timeout); !st.ok())
    co_return st.error();

  while (true) {
    auto message = co_await channel.Read(message_timeout, "the server's next request");
    if (!message.ok()) co_return message.error();
    outcome.received.push_back(message->command);
    if (script.on_message) script.on_message(*message);
    switch (message->command) {
      case Command::kEndSession: {
        auto end = ParseEndSession(*message);
        if (!end.ok()) co_return end.error();
        outcome.end = *end;
        co_return outcome;
      }
      case Command::kKeyGenRequest: {
        if (script.stop_at == StopAt::kAfterKeyGenRequest) co_return outcome;
        auto request = ParseKeyGenRequest(*message);
        if (!request.ok()) co_return request.error();
        auto spec = KeySpecFor(*request);
        if (!spec.ok()) co_return spec.error();
        outcome.key_asked = *spec;
        if (script.refuse_ec && request->key_type == KeyType::kEc) {
          auto refusal = MakeKeyGenResponse(session, {{}, Reason::kInvalidElement});
          if (auto st = co_await channel.Write(*refusal, message_timeout); !st.ok())
            co_return st.error();
          break;
        }
        for (int i = 0; i < script.in_progress_messages; ++i) {
          const Message in_progress = MakeRequestInProgress(session);
          if (auto st = co_await channel.Write(in_progress, message_timeout); !st.ok()) {
            co_return st.error();
          }
        }
        if (script.keygen_delay.count() > 0) {
          asio::steady_timer pause(stream.get_executor(), script.keygen_delay);
          co_await pause.async_wait(asio::use_awaitable);
        }
        auto key = script.make_key ? script.make_key(*spec) : pki::PrivateKey::Generate(*spec);
        if (!key.ok()) co_return key.error();
        // The public half as SubjectPublicKeyInfo DER.
        auto spki = pki::SubjectPublicKeyInfoOf(key->get());
        if (!spki.ok()) co_return spki.error();
        outcome.key = *key;
        auto response = MakeKeyGenResponse(session, {*spki, std::nullopt});
        if (!response.ok()) co_return response.error();
        if (auto st = co_await channel.Write(*response, message_timeout); !st.ok())
          co_return st.error();
        break;
      }
      case Command::kStoreCertRequest: {
        if (script.stop_at == StopAt::kAfterStoreCertRequest) co_return outcome;
        auto request = ParseStoreCertRequest(*message);
        if (!request.ok()) co_return request.error();
        auto cert = pki::Certificate::FromDer(request->certificate.der);
        if (!cert.ok())
          co_return Fail("the server's certificate does not parse: " + cert.message());
        if (!outcome.key || !outcome.key->Matches(*cert)) {
          co_return Fail("the server's certificate is not for the key this phone generated");
        }
        outcome.lsc = *cert;
        const Message stored = MakeStoreCertResponse(session, script.store_reply);
        if (auto st = co_await channel.Write(stored, message_timeout); !st.ok()) {
          co_return st.error();
        }
        break;
      }
      case Command::kFetchCertRequest: {
        if (script.stop_at == StopAt::kAfterFetchCertRequest) co_return outcome;
        outcome.fetched = true;
        const auto& held = credentials.lsc ? credentials.lsc : credentials.mic;
        FetchCertResponse response;
        if (held) {
          response.certificate = WrappedCertificate{held->type, held->certificate.der()};
        } else {
          response.reason = Reason::kInvalidElement;
        }
        auto reply = MakeFetchCertResponse(session, response);
        if (!reply.ok()) co_return reply.error();
        if (auto st = co_await channel.Write(*reply, message_timeout); !st.ok())
          co_return st.error();
        break;
      }
      case Command::kDeleteCertRequest: {
        if (script.stop_at == StopAt::kAfterDeleteCertRequest) co_return outcome;
        outcome.deleted = true;
        const Message deleted = MakeDeleteCertResponse(session, Reason::kOk);
        if (auto st = co_await channel.Write(deleted, message_timeout); !st.ok()) {
          co_return st.error();
        }
        break;
      }
      default:
        co_return Fail("the server sent " + CommandName(message->command) +
                       ", which a phone does not expect here");
    }
  }
}

}  // namespace opencapf::capf
