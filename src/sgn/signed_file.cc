#include "sgn/signed_file.h"

#include <algorithm>
#include <ctime>

namespace opencapf::sgn {

namespace {

struct SgnElement {
  std::uint8_t tag;
  std::size_t offset;
  ByteView value;
};

std::string EncryptionTagName(std::uint8_t tag) {
  switch (tag) {
    case kEncryptionInfo:
      return "ENCRYPTION_INFO";
    case kIvInfo:
      return "ENCRYPTION_IV_INFO";
    case kIvReserved:
      return "IV_RESERVED";
    case kIv:
      return "IV";
    case kBodyPadding:
      return "PADDING";
    case kKeyInfo:
      return "ENCRYPTION_KEY_INFO";
    case kKeyReserved:
      return "KEY_RESERVED";
    case kKeySize:
      return "KEY_SIZE";
    case kKeyAlgorithm:
      return "KEY_ALGORITHM";
    case kEncryptedKey:
      return "KEY";
    case kEncryptionHashAlgorithm:
      return "ENCRYPTION_HASH_ALGORITHM";
    case kEncryptionHash:
      return "ENCRYPTION_HASH";
  }
  return "tag " + std::to_string(tag);
}

// The elements of a container's value, every length checked; `base` is the value's offset.
Result<std::vector<SgnElement>> Elements(ByteView value, std::size_t base,
                                         const std::string& what) {
  std::vector<SgnElement> out;
  ByteReader reader(value, base);
  while (!reader.empty()) {
    const std::size_t at = reader.offset();
    auto tag = reader.U8([&] { return what + ": element tag"; });
    if (!tag.ok()) return tag.error();
    const auto name = [&] { return what + " " + EncryptionTagName(*tag); };
    auto length = reader.U16([&] { return name() + " length"; });
    if (!length.ok()) return length.error();
    auto bytes = reader.Take(
        *length, [&] { return name() + " value (length " + std::to_string(*length) + ")"; });
    if (!bytes.ok()) return bytes.error();
    out.push_back({*tag, at, *bytes});
  }
  return out;
}

Status FixedSize(const SgnElement& e, std::size_t size) {
  if (e.value.size() == size) return Status::Ok();
  return Fail(EncryptionTagName(e.tag) + " at offset " + std::to_string(e.offset) + " has length " +
              std::to_string(e.value.size()) + ", expected " + std::to_string(size));
}

std::uint16_t U16Of(ByteView v) { return static_cast<std::uint16_t>(v[0] << 8 | v[1]); }

Status ReadIvInfo(const SgnElement& container, EncryptionInfo& info, bool& have_iv) {
  auto elements = Elements(container.value, container.offset + 3, "ENCRYPTION_IV_INFO");
  if (!elements.ok()) return elements.error();
  for (const auto& e : *elements) {
    if (e.tag == kIv) {
      if (auto st = FixedSize(e, 16); !st.ok()) return st;
      info.iv.assign(e.value.begin(), e.value.end());
      have_iv = true;
    } else if (e.tag == kBodyPadding) {
      if (auto st = FixedSize(e, 2); !st.ok()) return st;
      info.padding = U16Of(e.value);
    }
  }
  return Status::Ok();
}

Status ReadKeyInfo(const SgnElement& container, EncryptionInfo& info, bool& have_key) {
  auto elements = Elements(container.value, container.offset + 3, "ENCRYPTION_KEY_INFO");
  if (!elements.ok()) return elements.error();
  for (const auto& e : *elements) {
    if (e.tag == kKeySize) {
      if (auto st = FixedSize(e, 2); !st.ok()) return st;
      info.key_bits = U16Of(e.value);
    } else if (e.tag == kKeyAlgorithm) {
      if (auto st = FixedSize(e, 1); !st.ok()) return st;
      info.key_algorithm = e.value[0];
    } else if (e.tag == kEncryptedKey) {
      info.encrypted_key.assign(e.value.begin(), e.value.end());
      have_key = !info.encrypted_key.empty();
    }
  }
  return Status::Ok();
}

// Takes the encryption elements out of the header's unknown ones (with their warnings).
Result<std::optional<EncryptionInfo>> ReadEncryption(tlv::Header& h,
                                                     std::vector<std::string>& warnings) {
  EncryptionInfo info;
  bool seen = false, have_iv = false, have_key = false, have_hash_algorithm = false,
       have_hash = false;
  std::vector<tlv::UnknownElement> rest;
  std::vector<std::size_t> taken_offsets;
  for (auto& u : h.unknown) {
    const SgnElement e{u.tag, u.offset, u.value};
    Status st = Status::Ok();
    if (u.tag == kEncryptionInfo) {
      seen = true;
      auto inner = Elements(u.value, u.offset + 3, "ENCRYPTION_INFO");
      if (!inner.ok()) return inner.error();
      for (const auto& c : *inner) {
        if (c.tag == kIvInfo) st = ReadIvInfo(c, info, have_iv);
        if (c.tag == kKeyInfo) st = ReadKeyInfo(c, info, have_key);
        if (!st.ok()) return st.error();
      }
    } else if (u.tag == kEncryptionHashAlgorithm) {
      seen = true;
      if (st = FixedSize(e, 1); !st.ok()) return st.error();
      info.hash_algorithm = u.value[0];
      have_hash_algorithm = true;
    } else if (u.tag == kEncryptionHash) {
      seen = true;
      info.hash = u.value;
      have_hash = !info.hash.empty();
    } else {
      rest.push_back(u);
      continue;
    }
    taken_offsets.push_back(u.offset);
  }
  // The header parser warned about every element it did not know; these ones are known here.
  std::erase_if(warnings, [&](const std::string& w) {
    return std::any_of(taken_offsets.begin(), taken_offsets.end(), [&](std::size_t at) {
      return w.ends_with(" at offset " + std::to_string(at) + " kept as is");
    });
  });
  h.unknown = std::move(rest);
  if (!seen) return std::optional<EncryptionInfo>{};
  std::vector<std::string> missing;
  if (!have_iv) missing.push_back("the IV (tag 19)");
  if (!have_key) missing.push_back("the encrypted key (tag 25)");
  if (!have_hash_algorithm) missing.push_back("ENCRYPTION_HASH_ALGORITHM (tag 26)");
  if (!have_hash) missing.push_back("ENCRYPTION_HASH (tag 27)");
  if (!missing.empty()) {
    std::string list;
    for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
    return Fail("the header has encryption elements but lacks " + list +
                ": a phone could not decrypt this file");
  }
  return std::optional<EncryptionInfo>(std::move(info));
}

std::optional<std::uint8_t> ModulusIndex(std::size_t signature_bytes) {
  for (std::uint8_t i = 0; i <= 3; ++i) {
    if (tlv::ModulusBytes(i) == signature_bytes) return i;
  }
  return std::nullopt;
}

}  // namespace

Result<SignedFile> Parse(ByteView file) {
  SignedFile out;
  auto header = tlv::ParseHeader(file, out.warnings);
  if (!header.ok()) return header.error();
  out.header = std::move(*header);
  if (out.header.signature_element_size == 0) {
    return Fail("the header has no SIGNATURE element: not a signed file");
  }
  auto encryption = ReadEncryption(out.header, out.warnings);
  if (!encryption.ok()) return encryption.error();
  out.encryption = std::move(*encryption);
  if (out.encryption) {
    const std::size_t body = file.size() - out.header.header_length;
    if (body % 16 != 0) {
      return Fail("the encrypted body is " + std::to_string(body) +
                  " bytes, not a multiple of the AES block (16): the file is cut short");
    }
    if (out.encryption->padding >= 16 || out.encryption->padding > body) {
      return Fail("ENCRYPTION_IV_INFO says " + std::to_string(out.encryption->padding) +
                  " padding bytes, but padding to one AES block adds at most 15");
    }
  }
  if (out.header.filename.empty()) out.warnings.push_back("header: no FILENAME");
  return out;
}

ByteView Body(ByteView file, const SignedFile& parsed) {
  return file.subspan(std::min<std::size_t>(parsed.header.header_length, file.size()));
}

Result<tlv::Header> SignedHeader(const pki::Certificate& signer, const pki::PrivateKey& key,
                                 const SignOptions& options) {
  if (key.algorithm() != pki::KeyAlgorithm::kRsa) {
    return Fail("the signer's key is " + pki::KeyAlgorithmName(key.algorithm()) +
                ": signed files are RSA PKCS#1 v1.5 (phones verify nothing else); sign with the "
                "CallManager/TFTP certificate's RSA key");
  }
  if (!key.Matches(signer)) {
    return Fail("the signer's private key does not belong to its certificate (" + signer.Subject() +
                ")");
  }
  auto modulus = ModulusIndex(static_cast<std::size_t>(key.SignatureSize()));
  if (!modulus) {
    return Fail("the signer's RSA key is " + std::to_string(key.bits()) +
                " bits: signed files allow 512, 1024, 2048 or 4096-bit signers");
  }
  if (options.digest == pki::Digest::kSha256) {
    return Fail("signed files use SHA-1 or SHA-512 (phones know no other)");
  }
  if (options.filename.empty()) return Fail("a signed file needs its FILENAME (NAME.sgn)");
  tlv::Header h;
  h.version_major = 1;
  h.version_minor = 0;
  h.signer_name = signer.Subject();
  h.issuer_name = signer.Issuer();
  h.serial_number = signer.SerialBytes();
  h.hash_algorithm = tlv::DigestCode(options.digest);
  h.signature_algorithm = 0;
  h.signature_modulus = *modulus;
  h.filename = options.filename;
  h.timestamp =
      options.timestamp ? *options.timestamp : static_cast<std::uint32_t>(std::time(nullptr));
  return h;
}

Result<Bytes> SignWithHeader(tlv::Header header, const pki::PrivateKey& key, pki::Digest digest,
                             ByteView body) {
  header.signature.assign(static_cast<std::size_t>(key.SignatureSize()), 0);
  auto serialized = tlv::SerializeHeader(header);
  if (!serialized.ok()) return serialized.error();
  Bytes bytes = std::move(serialized->bytes);
  bytes.insert(bytes.end(), body.begin(), body.end());
  const Bytes covered = tlv::SignedBytes(bytes, serialized->signature_element_offset,
                                         serialized->signature_element_size);
  auto signature = key.Sign(digest, covered);
  if (!signature.ok()) return signature.error();
  if (signature->size() != header.signature.size()) {
    return Fail("the signature is " + std::to_string(signature->size()) + " bytes, expected " +
                std::to_string(header.signature.size()));
  }
  std::copy(signature->begin(), signature->end(),
            bytes.begin() + static_cast<std::ptrdiff_t>(serialized->signature_element_offset + 3));
  return bytes;
}

Result<Bytes> Sign(const pki::Certificate& signer, const pki::PrivateKey& key, ByteView content,
                   const SignOptions& options) {
  auto header = SignedHeader(signer, key, options);
  if (!header.ok()) return header.error();
  return SignWithHeader(std::move(*header), key, options.digest, content);
}

Verification Verify(ByteView file, const SignedFile& parsed, const pki::Certificate& signer) {
  using Verdict = Verification::Verdict;
  const tlv::Header& h = parsed.header;
  auto digest = tlv::DigestFromCode(h.hash_algorithm);
  if (!digest) {
    return {Verdict::kUnsupported, "HASH_ALGORITHM " + std::to_string(h.hash_algorithm) +
                                       " is not SHA-1 (1), SHA-256 (2) or SHA-512 (3)"};
  }
  if (h.signature_algorithm != 0) {
    return {Verdict::kUnsupported,
            "SIGNATURE_ALGORITHM " + std::to_string(h.signature_algorithm) + " is not RSA (0)"};
  }
  if (h.serial_number != signer.SerialBytes()) {
    return {Verdict::kOtherSigner,
            "the file names signer " + h.signer_name + " (serial " +
                HexUpper(h.serial_number, ":") + "), not " + signer.Subject() + " (serial " +
                HexUpper(signer.SerialBytes(), ":") +
                "): a phone whose ITL lists that TFTP certificate refuses it"};
  }
  const std::size_t expected = tlv::ModulusBytes(h.signature_modulus);
  if (expected != h.signature.size()) {
    return {Verdict::kSignatureInvalid,
            "SIGNATURE is " + std::to_string(h.signature.size()) + " bytes but SIGNATURE_MODULUS " +
                std::to_string(h.signature_modulus) + " says " + std::to_string(expected)};
  }
  const Bytes covered =
      tlv::SignedBytes(file, h.signature_element_offset, h.signature_element_size);
  if (!pki::VerifySignature(signer.public_key(), *digest, covered, h.signature).ok()) {
    return {Verdict::kSignatureInvalid,
            "the " + pki::DigestName(*digest) + " signature does not match the key of " +
                signer.Subject() + ": the file was changed after signing or signed by another key"};
  }
  return {Verdict::kValid,
          "signature valid (" + pki::DigestName(*digest) + ", signed by " + signer.Subject() + ")"};
}

bool IsSignedName(std::string_view name) {
  if (name.size() < 4) return false;
  std::string tail(name.substr(name.size() - 4));
  std::transform(tail.begin(), tail.end(), tail.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return tail == ".sgn";
}

bool SameFileName(std::string_view filename, std::string_view asked) {
  const std::size_t slash = asked.rfind('/');
  if (slash != std::string_view::npos) asked = asked.substr(slash + 1);
  return filename.size() == asked.size() &&
         std::equal(filename.begin(), filename.end(), asked.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) ==
                  std::tolower(static_cast<unsigned char>(b));
         });
}

}  // namespace opencapf::sgn
