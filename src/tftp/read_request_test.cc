#include "tftp/read_request.h"

#include <gtest/gtest.h>

#include <map>

namespace opencapf::tftp {
namespace {

// Files from memory: what the verdicts and plans are about is the request, not the directory.
class MemorySource final : public FileSource {
 public:
  std::map<std::string, std::string, std::less<>> files;
  FileLookup Open(std::string_view name) const override {
    auto it = files.find(name);
    if (it == files.end()) return FileLookup::Refused(FileError::kNotFound, "no such file");
    return FileLookup::Found(std::make_shared<const Bytes>(BytesOf(it->second)));
  }
};

Bytes Rrq(const std::string& name, const std::string& mode, bool write = false) {
  Request r;
  r.write = write;
  r.filename = name;
  r.mode = mode == "netascii" ? Mode::kNetascii : mode == "mail" ? Mode::kMail : Mode::kOctet;
  return EncodeRequest(r);
}

TEST(JudgeRequestTest, ReadRequestsGetATransferAndEverythingElseItsError) {
  RequestVerdict read = JudgeRequest(Rrq("ITLFile.tlv", "octet"));
  EXPECT_EQ(read.kind, RequestVerdict::Kind::kRead);
  EXPECT_EQ(read.request.filename, "ITLFile.tlv");
  EXPECT_EQ(read.what, "RRQ ITLFile.tlv");

  RequestVerdict write = JudgeRequest(Rrq("x", "octet", true));
  EXPECT_EQ(write.kind, RequestVerdict::Kind::kRefuse);
  EXPECT_EQ(write.code, ErrorCode::kAccessViolation);

  RequestVerdict mail = JudgeRequest(Rrq("x", "mail"));
  EXPECT_EQ(mail.kind, RequestVerdict::Kind::kRefuse);
  EXPECT_EQ(mail.code, ErrorCode::kIllegalOperation);

  RequestVerdict ack = JudgeRequest(EncodeAck(1));
  EXPECT_EQ(ack.kind, RequestVerdict::Kind::kRefuse);
  EXPECT_EQ(ack.what, "ACK");

  const Bytes truncated = {0, 1, 'a'};
  EXPECT_EQ(JudgeRequest(truncated).kind, RequestVerdict::Kind::kRefuse);
  // An ERROR, well formed or not, is never answered.
  EXPECT_EQ(JudgeRequest(EncodeError(ErrorCode::kNotDefined, "x")).kind,
            RequestVerdict::Kind::kIgnore);
  const Bytes bad_error = {0, 5};
  EXPECT_EQ(JudgeRequest(bad_error).kind, RequestVerdict::Kind::kIgnore);
}

TEST(PlanReadTest, CutsTheFileIntoBlocksWithTheNegotiatedSize) {
  MemorySource files;
  files.files["f"] = std::string(20, 'x') + "\n";
  Request request;
  request.filename = "f";
  request.options = {{"blksize", "8"}};
  ReadPlan plan = PlanRead(request, files, OptionLimits{});
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan.negotiation.blksize, 8);
  EXPECT_EQ(plan.last_block, 3u);  // 8 + 8 + 5
  EXPECT_EQ(BlockOf(*plan.payload, 8, 3).size(), 5u);

  request.mode = Mode::kNetascii;  // LF becomes CR LF: 22 bytes
  plan = PlanRead(request, files, OptionLimits{});
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan.payload->size(), 22u);

  files.files["g"] = std::string(16, 'y');  // a multiple of the block size ends with an empty one
  request.filename = "g";
  request.mode = Mode::kOctet;
  plan = PlanRead(request, files, OptionLimits{});
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan.last_block, 3u);
  EXPECT_TRUE(BlockOf(*plan.payload, 8, 3).empty());

  request.filename = "missing";
  plan = PlanRead(request, files, OptionLimits{});
  EXPECT_FALSE(plan.ok());
  EXPECT_EQ(plan.code, ErrorCode::kFileNotFound);
}

TEST(AckedBlockTest, MovesTheWindowOnlyForAnAckInsideIt) {
  // Blocks 5..8 in flight.
  EXPECT_EQ(AckedBlock(5, 4, 8), 8u);
  EXPECT_EQ(AckedBlock(5, 4, 6), 6u);            // a rewind to block 7
  EXPECT_EQ(AckedBlock(5, 4, 4), std::nullopt);  // the duplicate of the block before
  EXPECT_EQ(AckedBlock(5, 4, 9), std::nullopt);  // not sent yet
  // Block numbers wrap at 65536: blocks 65535..65538 are 65535, 0, 1, 2 on the wire.
  EXPECT_EQ(AckedBlock(65535, 4, 1), 65537u);
  EXPECT_EQ(AckedBlock(65535, 4, 65534), std::nullopt);
}

}  // namespace
}  // namespace opencapf::tftp
