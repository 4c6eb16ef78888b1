// Parsing of trust-list files. Structure errors (a length running past its container, a fixed
// field of the wrong size) stop the parse with the offset and field; unknown tags and missing
// optional fields only add a warning.
#include <string>

#include "tlv/trust_list.h"

namespace opencapf::tlv {

namespace {

std::string HeaderTagName(std::uint8_t tag) {
  switch (tag) {
    case kVersion:
      return "VERSION";
    case kHeaderLength:
      return "HEADER_LENGTH";
    case kSignerInfo:
      return "SIGNER_INFO";
    case kSignerName:
      return "SIGNER_NAME";
    case kSerialNumber:
      return "SERIAL_NUMBER";
    case kIssuerName:
      return "ISSUER_NAME";
    case kSignatureInfo:
      return "SIGNATURE_INFO";
    case kHashAlgorithm:
      return "HASH_ALGORITHM";
    case kSignatureAlgorithmInfo:
      return "SIGNATURE_ALGORITHM_INFO";
    case kSignatureAlgorithm:
      return "SIGNATURE_ALGORITHM";
    case kSignatureModulus:
      return "SIGNATURE_MODULUS";
    case kSignature:
      return "SIGNATURE";
    case kPadding:
      return "PADDING";
    case kFilename:
      return "FILENAME";
    case kTimestamp:
      return "TIMESTAMP";
    case kSignerVersion:
      return "SIGNER_VERSION";
  }
  return "tag " + std::to_string(tag);
}

std::string RecordTagName(std::uint8_t tag) {
  switch (tag) {
    case kRecordLength:
      return "RECORD_LENGTH";
    case kDnsName:
      return "DNS_NAME";
    case kSubjectName:
      return "SUBJECT_NAME";
    case kRole:
      return "ROLE";
    case kRecordIssuerName:
      return "ISSUER_NAME";
    case kRecordSerialNumber:
      return "SERIAL_NUMBER";
    case kPublicKey:
      return "PUBLIC_KEY";
    case kRecordSignature:
      return "SIGNATURE";
    case kCertificate:
      return "CERTIFICATE";
    case kIpAddress:
      return "IP_ADDRESS";
    case kCertificateHash:
      return "CERTIFICATE_HASH";
    case kRecordHashAlgorithm:
      return "HASH_ALGORITHM";
  }
  return "tag " + std::to_string(tag);
}

struct RawElement {
  std::uint8_t tag;
  std::size_t offset;
  ByteView value;
};

// Where the parser is, for an error message or a warning: "header", "header SIGNER_INFO",
// "record 2 at offset 1234". Made into text only when one is written, since the parser reads
// millions of elements (fuzzing) on the way to the few it reports.
struct Where {
  enum class Part { kHeader, kRecord } part = Part::kHeader;
  std::uint8_t container = 0;  ///< header: the container element's tag; 0 at the top level
  std::size_t index = 0;       ///< record: its number (from 1) and its offset in the file
  std::size_t offset = 0;

  std::string element_name(std::uint8_t tag) const {
    return part == Part::kHeader ? HeaderTagName(tag) : RecordTagName(tag);
  }
  std::string text() const {
    if (part == Part::kRecord) {
      return "record " + std::to_string(index) + " at offset " + std::to_string(offset);
    }
    return container == 0 ? "header" : "header " + HeaderTagName(container);
  }
};

// Reads one tag/length/value element.
Result<RawElement> ReadElement(ByteReader& reader, const Where& where) {
  const std::size_t at = reader.offset();
  auto tag = reader.U8([&] { return where.text() + ": element tag"; });
  if (!tag.ok()) return tag.error();
  auto length =
      reader.U16([&] { return where.text() + ": " + where.element_name(*tag) + " length"; });
  if (!length.ok()) return length.error();
  auto value = reader.Take(*length, [&] {
    return where.text() + ": " + where.element_name(*tag) + " value (length " +
           std::to_string(*length) + ")";
  });
  if (!value.ok()) return value.error();
  return RawElement{*tag, at, *value};
}

Error WrongSize(const Where& where, const RawElement& e, std::size_t expected) {
  return Fail(where.text() + ": " + where.element_name(e.tag) + " at offset " +
              std::to_string(e.offset) + " has length " + std::to_string(e.value.size()) +
              ", expected " + std::to_string(expected));
}

class HeaderParser {
 public:
  HeaderParser(ByteView file, Header& header, std::vector<std::string>& warnings)
      : file_(file), header_(header), warnings_(warnings) {}

  Status Run() {
    Header& h = header_;
    ByteReader reader(file_);
    if (file_.empty()) return Fail("file is empty: not a trust-list file");
    if (file_[0] != kVersion) {
      return Fail("offset 0: first element has tag " + std::to_string(file_[0]) +
                  ", a trust-list or signed file starts with VERSION (tag 1): not an ITL/CTL file");
    }
    std::size_t header_end = file_.size();
    bool have_length = false;
    while (reader.offset() < header_end) {
      if (reader.PeekU8() == kPadding) {
        h.layout.push_back({kPadding, reader.offset(), 0, 0});
        (void)reader.U8("PADDING");
        ++h.padding;
        continue;
      }
      auto e = ReadElement(reader, Where{});
      if (!e.ok()) return e.error();
      h.layout.push_back({e->tag, e->offset, static_cast<std::uint16_t>(e->value.size()), 0});
      if (e->tag == kHeaderLength) {
        if (e->value.size() != 2) return WrongSize(Where{}, *e, 2);
        h.header_length = static_cast<std::uint16_t>(e->value[0] << 8 | e->value[1]);
        if (h.header_length > file_.size()) {
          return Fail("header: HEADER_LENGTH " + std::to_string(h.header_length) +
                      " runs past the end of the file (" + std::to_string(file_.size()) +
                      " bytes)");
        }
        if (h.header_length < reader.offset()) {
          return Fail("header: HEADER_LENGTH " + std::to_string(h.header_length) +
                      " ends before the header elements already read (offset " +
                      std::to_string(reader.offset()) + ")");
        }
        header_end = h.header_length;
        have_length = true;
        continue;
      }
      if (auto st = Element(*e, 0, 0); !st.ok()) return st;
    }
    if (!have_length) return Fail("header: no HEADER_LENGTH element: the file is not a trust list");
    if (reader.offset() != header_end) {
      return Fail("header: elements end at offset " + std::to_string(reader.offset()) +
                  " but HEADER_LENGTH says " + std::to_string(header_end));
    }
    return Status::Ok();
  }

 private:
  Status Container(const RawElement& parent, int depth) {
    ByteReader reader(parent.value, parent.offset + 3);
    const Where where{.container = parent.tag};
    while (!reader.empty()) {
      auto e = ReadElement(reader, where);
      if (!e.ok()) return e.error();
      header_.layout.push_back(
          {e->tag, e->offset, static_cast<std::uint16_t>(e->value.size()), depth});
      if (auto st = Element(*e, depth, parent.tag); !st.ok()) return st;
    }
    return Status::Ok();
  }

  Status U8Field(const RawElement& e, std::uint8_t& field) {
    if (e.value.size() != 1) return WrongSize(Where{}, e, 1);
    field = e.value[0];
    return Status::Ok();
  }

  Status Element(const RawElement& e, int depth, std::uint8_t container) {
    Header& h = header_;
    switch (e.tag) {
      case kVersion:
        if (e.value.size() != 2) return WrongSize(Where{}, e, 2);
        h.version_major = e.value[0];
        h.version_minor = e.value[1];
        return Status::Ok();
      case kSignerVersion:
        if (e.value.size() != 2) return WrongSize(Where{}, e, 2);
        h.signer_version = std::array<std::uint8_t, 2>{e.value[0], e.value[1]};
        return Status::Ok();
      case kSignerInfo:
      case kSignatureInfo:
      case kSignatureAlgorithmInfo:
        return Container(e, depth + 1);
      case kSignerName:
        h.signer_name = TextUntilNul(e.value);
        return Status::Ok();
      case kIssuerName:
        h.issuer_name = TextUntilNul(e.value);
        return Status::Ok();
      case kSerialNumber:
        h.serial_number.assign(e.value.begin(), e.value.end());
        return Status::Ok();
      case kHashAlgorithm:
        return U8Field(e, h.hash_algorithm);
      case kSignatureAlgorithm:
        return U8Field(e, h.signature_algorithm);
      case kSignatureModulus:
        return U8Field(e, h.signature_modulus);
      case kSignature:
        h.signature.assign(e.value.begin(), e.value.end());
        h.signature_element_offset = e.offset;
        h.signature_element_size = 3 + e.value.size();
        return Status::Ok();
      case kFilename:
        h.filename = TextUntilNul(e.value);
        return Status::Ok();
      case kTimestamp:
        if (e.value.size() != 4) return WrongSize(Where{}, e, 4);
        h.timestamp = static_cast<std::uint32_t>(e.value[0]) << 24 | e.value[1] << 16 |
                      e.value[2] << 8 | e.value[3];
        return Status::Ok();
      default:
        h.unknown.push_back({e.tag, e.offset, Bytes(e.value.begin(), e.value.end()), container});
        warnings_.push_back("header: unknown element tag " + std::to_string(e.tag) + " (length " +
                            std::to_string(e.value.size()) + ") at offset " +
                            std::to_string(e.offset) + " kept as is");
        return Status::Ok();
    }
  }

  ByteView file_;
  Header& header_;
  std::vector<std::string>& warnings_;
};

Status ParseRecordElement(const RawElement& e, Record& r, const Where& where,
                          std::vector<std::string>& warnings) {
  switch (e.tag) {
    case kRecordLength:
      return Fail(where.text() + ": second RECORD_LENGTH at offset " + std::to_string(e.offset));
    case kDnsName:
      r.dns_name = TextUntilNul(e.value);
      break;
    case kSubjectName:
      r.subject = TextUntilNul(e.value);
      break;
    case kRole:
      if (e.value.size() != 2) return WrongSize(where, e, 2);
      r.role = static_cast<std::uint16_t>(e.value[0] << 8 | e.value[1]);
      break;
    case kRecordIssuerName:
      r.issuer = TextUntilNul(e.value);
      break;
    case kRecordSerialNumber:
      r.serial_number.assign(e.value.begin(), e.value.end());
      break;
    case kPublicKey:
      r.public_key.assign(e.value.begin(), e.value.end());
      break;
    case kRecordSignature:
      r.signature.assign(e.value.begin(), e.value.end());
      break;
    case kCertificate:
      r.certificate = Bytes(e.value.begin(), e.value.end());
      break;
    case kIpAddress:
      if (e.value.size() != 4) return WrongSize(where, e, 4);
      r.ip_address = std::array<std::uint8_t, 4>{e.value[0], e.value[1], e.value[2], e.value[3]};
      break;
    case kCertificateHash:
      if (e.value.size() != 20) return WrongSize(where, e, 20);
      r.certificate_hash = Bytes(e.value.begin(), e.value.end());
      break;
    case kRecordHashAlgorithm:
      if (e.value.size() != 1) return WrongSize(where, e, 1);
      r.hash_algorithm = e.value[0];
      break;
    default:
      r.unknown.push_back({e.tag, e.offset, Bytes(e.value.begin(), e.value.end())});
      warnings.push_back(where.text() + ": unknown element tag " + std::to_string(e.tag) +
                         " (length " + std::to_string(e.value.size()) + ") at offset " +
                         std::to_string(e.offset) + " kept as is");
  }
  return Status::Ok();
}

Result<Record> ParseRecord(ByteReader& reader, std::size_t index,
                           std::vector<std::string>& warnings) {
  Record r;
  r.offset = reader.offset();
  const Where where{.part = Where::Part::kRecord, .index = index, .offset = r.offset};
  auto first = ReadElement(reader, where);
  if (!first.ok()) return first.error();
  if (first->tag != kRecordLength) {
    return Fail(where.text() + ": starts with " + RecordTagName(first->tag) +
                ", a record starts with RECORD_LENGTH (tag 1)");
  }
  if (first->value.size() != 2) return WrongSize(where, *first, 2);
  r.record_length = static_cast<std::uint16_t>(first->value[0] << 8 | first->value[1]);
  r.layout.push_back({kRecordLength, first->offset, 2, 0});
  const std::size_t consumed = reader.offset() - r.offset;
  if (r.record_length < consumed) {
    return Fail(where.text() + ": RECORD_LENGTH " + std::to_string(r.record_length) +
                " is shorter than its own element (" + std::to_string(consumed) + " bytes)");
  }
  const std::size_t body_size = r.record_length - consumed;
  auto body = reader.Take(body_size, [&] {
    return where.text() + ": RECORD_LENGTH " + std::to_string(r.record_length) + " body";
  });
  if (!body.ok()) return body.error();
  ByteReader inner(*body, r.offset + consumed);
  while (!inner.empty()) {
    auto e = ReadElement(inner, where);
    if (!e.ok()) return e.error();
    r.layout.push_back({e->tag, e->offset, static_cast<std::uint16_t>(e->value.size()), 0});
    if (auto st = ParseRecordElement(*e, r, where, warnings); !st.ok()) return st.error();
  }
  if (!r.role) warnings.push_back(where.text() + ": no ROLE element");
  if (!r.certificate && !r.certificate_hash) {
    warnings.push_back(where.text() + ": neither CERTIFICATE nor CERTIFICATE_HASH");
  }
  return r;
}

}  // namespace

Result<Header> ParseHeader(ByteView file, std::vector<std::string>& warnings) {
  Header header;
  HeaderParser parser(file, header, warnings);
  if (auto st = parser.Run(); !st.ok()) return st.error();
  return header;
}

Result<TrustList> Parse(ByteView file) {
  TrustList list;
  auto header = ParseHeader(file, list.warnings);
  if (!header.ok()) return header.error();
  list.header = std::move(*header);
  Header& h = list.header;
  if (h.signature_element_size == 0) list.warnings.push_back("header: no SIGNATURE element");
  if (h.signer_name.empty()) list.warnings.push_back("header: no SIGNER_NAME");

  ByteReader reader(file.subspan(h.header_length), h.header_length);
  std::size_t index = 1;
  while (!reader.empty()) {
    auto record = ParseRecord(reader, index++, list.warnings);
    if (!record.ok()) return record.error();
    list.records.push_back(std::move(*record));
  }
  if (list.records.empty()) list.warnings.push_back("the file holds no records");
  return list;
}

}  // namespace opencapf::tlv
