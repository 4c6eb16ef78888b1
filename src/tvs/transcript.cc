#include "tvs/transcript.h"

#include <cstdlib>
#include <sstream>

#include "base/file.h"
#include "tvs/message.h"

namespace opencapf::tvs::testing {

std::string TvsVector(const std::string& name) {
  const char* env = std::getenv("OPENCAPF_TESTDATA");
#ifdef OPENCAPF_TESTDATA
  const std::string root = env ? env : OPENCAPF_TESTDATA;
#else
  const std::string root = env ? env : "../shared/testdata";
#endif
  return root + "/tvs/" + name;
}

Result<std::vector<TranscriptMessage>> ReadTranscript(const std::string& path) {
  auto file = ReadFile(path);
  if (!file.ok()) return file.error();
  std::istringstream lines(std::string(file->begin(), file->end()));
  std::vector<TranscriptMessage> out;
  Bytes pending[2];
  int writes[2] = {0, 0};
  std::string line;
  int number = 0;
  while (std::getline(lines, line)) {
    ++number;
    if (line.empty()) continue;
    const std::string where = path + ":" + std::to_string(number);
    const auto space = line.find(' ');
    if (space == std::string::npos) return Fail(where + ": no direction");
    const std::string direction = line.substr(0, space);
    if (direction != "tvs->phone" && direction != "phone->tvs") {
      return Fail(where + ": unknown direction '" + direction + "'");
    }
    const int side = direction == "tvs->phone" ? 0 : 1;
    auto bytes = ParseHex(line.substr(space + 1));
    if (!bytes.ok()) return Context(where, bytes.error());
    pending[side].insert(pending[side].end(), bytes->begin(), bytes->end());
    ++writes[side];
    while (pending[side].size() >= kHeaderSize) {
      const std::size_t length = kHeaderSize + (pending[side][8] << 8 | pending[side][9]);
      if (pending[side].size() < length) break;
      out.push_back(
          {side == 0, Bytes(pending[side].begin(), pending[side].begin() + length), writes[side]});
      pending[side].erase(pending[side].begin(), pending[side].begin() + length);
      writes[side] = 0;
    }
  }
  for (int side : {0, 1}) {
    if (!pending[side].empty()) {
      return Fail(path + ": " + std::to_string(pending[side].size()) +
                  " bytes left over at the end");
    }
  }
  return out;
}

}  // namespace opencapf::tvs::testing
